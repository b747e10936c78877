"""Which sandbox primitives this host offers, and how to add the missing ones.

``check_host()`` is for the operator (and the check_sandbox command); ``kernels`` calls the
cheap ``probe_host()`` before every kernel start so it can fail closed.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BWRAP_ENV = "PM_ACADEMY_SANDBOX_BWRAP"
# A delegated cgroup v2 directory without processes for the runs' cgroups (sandbox.cgroups).
CGROUP_ENV = "PM_ACADEMY_SANDBOX_CGROUP"
PYTHON_ENV = "PM_ACADEMY_SANDBOX_PYTHON"
# The grading environment: a virtual environment holding only what learner kernels import
# (pyproject's `grading-env` group: ipykernel, numpy, pandas, matplotlib, scipy), never the
# grader's own packages (Django, boto3, ...). Its site-packages is the kernels' only one.
GRADING_ENV = "PM_ACADEMY_GRADING_ENV"
#: Where `make setup` builds it: beside the grader's .venv, at the project's root.
DEFAULT_GRADING_ENV = Path(__file__).resolve().parents[3] / ".venv-grading"


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True


@dataclass(frozen=True)
class HostPrimitives:
    """Resolved paths of what a full sandbox needs; None where missing."""

    bwrap: str | None
    setpriv: str | None
    unshare: str | None
    prlimit: str | None
    mount: str | None
    shell: str | None
    is_root: bool
    user_namespaces: bool
    kernel_python: Path | None
    site_packages: Path | None
    cgroup_v2: Path | None
    cgroup_v1_memory: Path | None
    cgroup_v1_pids: Path | None
    cgroup_v1_cpu: Path | None = None

    def missing(self) -> list[Finding]:
        return [finding for finding in _required_findings(self) if not finding.ok]


def _which(name: str) -> str | None:
    if name == "bwrap" and os.environ.get(BWRAP_ENV):
        configured = os.environ[BWRAP_ENV]
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which(name, path="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")


def _reachable_by_everyone(path: Path, *, executable: bool = False) -> bool:
    """True when an unprivileged user can reach ``path`` (every parent searchable)."""
    try:
        real = Path(os.path.realpath(path))
        mode = real.stat().st_mode
    except OSError:
        return False
    needed = stat.S_IROTH | (stat.S_IXOTH if executable or stat.S_ISDIR(mode) else 0)
    if mode & needed != needed:
        return False
    for parent in real.parents:
        try:
            if not parent.stat().st_mode & stat.S_IXOTH:
                return False
        except OSError:
            return False
    return True


def _kernel_python() -> Path | None:
    """A Python of the grader's major.minor that the sandbox user may execute.

    The grader's own interpreter can live under a private directory (pyenv under /root),
    which an unprivileged bubblewrap cannot bind; the distribution's python3.X then
    serves, with the grader's site-packages mounted as its virtual environment.
    """
    configured = os.environ.get(PYTHON_ENV)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = (
        [Path(configured)]
        if configured
        else [Path(sys.base_prefix) / "bin" / version, Path("/usr/bin") / version]
    )
    for candidate in candidates:
        if candidate.is_file() and _reachable_by_everyone(candidate, executable=True):
            return Path(os.path.realpath(candidate))
    return None


def grading_env() -> Path:
    """The grading environment's directory: PM_ACADEMY_GRADING_ENV, else DEFAULT_GRADING_ENV."""
    configured = os.environ.get(GRADING_ENV)
    return Path(configured) if configured else DEFAULT_GRADING_ENV


def grading_env_python() -> Path | None:
    """The grading environment's interpreter, for kernels started without the sandbox."""
    python = grading_env() / "bin" / "python"
    return python if python.exists() else None


def _site_packages() -> Path | None:
    """The grading environment's site-packages, if it has ipykernel and everyone may read it.

    Deliberately not the grader's own (``sysconfig``'s purelib): kernels must not import the
    grader's framework, and what they can import is what the `grading-env` group locks.
    """
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    purelib = grading_env() / "lib" / version / "site-packages"
    if (purelib / "ipykernel").is_dir() and _reachable_by_everyone(purelib):
        return purelib
    return None


def _own_cgroup_dir(fstype: str, controller: str | None) -> Path | None:
    """This process's directory in a cgroup hierarchy, if that directory is writable."""
    try:
        mountinfo = Path("/proc/self/mountinfo").read_text().splitlines()
        membership = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    mount_point = None
    for line in mountinfo:
        before, _, after = line.partition(" - ")
        fields, extra = before.split(), after.split()
        if len(extra) < 3 or extra[0] != fstype:
            continue
        if controller is None or controller in extra[2].split(","):
            mount_point = fields[4]
            break
    if mount_point is None:
        return None
    relative = None
    for line in membership:
        hierarchy, controllers, path = line.split(":", 2)
        wanted = (
            hierarchy == "0" and controllers == ""
            if controller is None
            else controller in controllers.split(",")
        )
        if wanted:
            relative = path
    if relative is None:
        return None
    directory = Path(mount_point) / relative.lstrip("/")
    if directory.is_dir() and os.access(directory, os.W_OK):
        return directory
    return None


def _user_namespaces() -> bool:
    try:
        return int(Path("/proc/sys/user/max_user_namespaces").read_text()) > 0
    except (OSError, ValueError):
        return False


def probe_host() -> HostPrimitives:
    return HostPrimitives(
        bwrap=_which("bwrap"),
        setpriv=_which("setpriv"),
        unshare=_which("unshare"),
        prlimit=_which("prlimit"),
        mount=_which("mount"),
        shell=_which("sh"),
        is_root=os.geteuid() == 0,
        user_namespaces=_user_namespaces(),
        kernel_python=_kernel_python(),
        site_packages=_site_packages(),
        cgroup_v2=_own_cgroup_dir("cgroup2", None),
        cgroup_v1_memory=_own_cgroup_dir("cgroup", "memory"),
        cgroup_v1_pids=_own_cgroup_dir("cgroup", "pids"),
        cgroup_v1_cpu=_own_cgroup_dir("cgroup", "cpu"),
    )


def _tool(name: str, path: str | None, purpose: str, fix: str) -> Finding:
    return Finding(
        name=name,
        ok=path is not None,
        detail=f"{path} ({purpose})" if path else f"not found ({purpose})",
        fix="" if path else fix,
    )


def _required_findings(host: HostPrimitives) -> list[Finding]:
    return [
        _tool(
            "bubblewrap",
            host.bwrap,
            "private file system view, network, pid and ipc namespaces",
            f"install bubblewrap: apt-get install bubblewrap (or set {BWRAP_ENV} to its path)",
        ),
        _tool(
            "setpriv",
            host.setpriv,
            "drops each kernel to its own unprivileged uid",
            "install util-linux: apt-get install util-linux",
        ),
        _tool(
            "unshare",
            host.unshare,
            "private mount namespace for the size-limited run tmpfs",
            "install util-linux: apt-get install util-linux",
        ),
        _tool(
            "prlimit",
            host.prlimit,
            "address space, CPU, process, file size and open file limits",
            "install util-linux: apt-get install util-linux",
        ),
        _tool("mount", host.mount, "mounts the run tmpfs", "install mount: apt-get install mount"),
        _tool("sh", host.shell, "launcher chain", "install dash: apt-get install dash"),
        Finding(
            name="root",
            ok=host.is_root,
            detail="grader runs as root" if host.is_root else f"grader runs as uid {os.geteuid()}",
            fix=""
            if host.is_root
            else "run the grading worker as root: it needs to switch each kernel to an "
            "unprivileged uid and mount its tmpfs (the web server itself need not be root)",
        ),
        Finding(
            name="user namespaces",
            ok=host.user_namespaces,
            detail="enabled" if host.user_namespaces else "disabled",
            fix=""
            if host.user_namespaces
            else "enable unprivileged user namespaces: sysctl -w user.max_user_namespaces=15000",
        ),
        Finding(
            name="kernel python",
            ok=host.kernel_python is not None,
            detail=str(host.kernel_python) if host.kernel_python else "no usable interpreter",
            fix=""
            if host.kernel_python
            else f"install python{sys.version_info.major}.{sys.version_info.minor} "
            f"(apt-get install python3) or set {PYTHON_ENV} to a Python "
            f"{sys.version_info.major}.{sys.version_info.minor} that every user can execute",
        ),
        Finding(
            name="grading environment",
            ok=host.site_packages is not None,
            detail=str(host.site_packages)
            if host.site_packages
            else f"no site-packages with ipykernel under {grading_env()} that every user can read",
            fix=""
            if host.site_packages
            else "build it with `make setup` (uv sync --frozen --only-group grading-env into "
            f".venv-grading), or set {GRADING_ENV} to a virtual environment of the grading-env "
            f"group; make it readable by all users (chmod -R o+rX {grading_env()})",
        ),
    ]


_CGROUP_FALLBACKS = {
    "memory": "RLIMIT_AS bounds each process only, so a run may hold memory_bytes x max_processes",
    "pids": "RLIMIT_NPROC still bounds the processes and threads of each run's uid",
    "cpu": "RLIMIT_CPU still bounds CPU seconds per process, not the run's share of the CPUs",
}
_CGROUP_FIXES = {
    "memory": "run the grader where it can manage a memory cgroup: on cgroup v2 at the root of "
    f"its cgroup tree, or set {CGROUP_ENV} to a delegated cgroup without processes "
    "(docs/operations.md, Sandbox)",
}


def cgroup_findings(host: HostPrimitives) -> list[Finding]:
    """Which controllers bound each whole run (memory, pids, cpu; v1 or v2), or why none does."""
    from grading.engine.sandbox.cgroups import cgroup_layout  # it imports this module

    layout = cgroup_layout(host, refresh=True)
    findings = [
        Finding(
            name="cgroup v2 kill",
            ok=layout.v2_parent is not None,
            detail=f"cgroup v2 ({layout.v2_parent})"
            if layout.v2_parent
            else f"not available: {layout.v2_reason}",
            fix=""
            if layout.v2_parent
            else "mount a writable cgroup2 tree (the pid namespace "
            "still reaps every process of a run)",
            required=False,
        )
    ]
    for controller in layout.controllers:
        detail = controller.describe()
        if not controller.available:
            detail += f" ({_CGROUP_FALLBACKS[controller.name]})"
        findings.append(
            Finding(
                name=f"cgroup {controller.name}",
                ok=controller.available,
                detail=detail,
                fix="" if controller.available else _CGROUP_FIXES.get(controller.name, ""),
                required=False,
            )
        )
    return findings


def seccomp_finding() -> Finding:
    from grading.engine.sandbox.seccomp import SeccompUnsupported, build_filter, denied_names

    try:
        build_filter()
    except SeccompUnsupported as error:
        return Finding("seccomp filter", False, str(error), "grade on x86_64 or aarch64")
    names = denied_names()
    return Finding(
        "seccomp filter",
        True,
        f"refuses {len(names)} system calls with EPERM (io_uring, keyrings, bpf, ptrace, mounts, "
        "namespaces, ...) and clone() with namespace flags",
    )


def _bwrap_works(host: HostPrimitives) -> Finding:
    if host.bwrap is None or host.setpriv is None or not host.is_root:
        return Finding("bubblewrap runs", False, "skipped: bubblewrap, setpriv or root missing")
    command = [
        host.setpriv,
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--no-new-privs",
        "--",
        host.bwrap,
        "--unshare-all",
        "--unshare-user",
        "--disable-userns",
        "--die-with-parent",
        "--ro-bind",
        "/usr",
        "/usr",
        "--symlink",
        "usr/bin",
        "/bin",
        "--symlink",
        "usr/lib",
        "/lib",
        "--symlink",
        "usr/lib64",
        "/lib64",
        "--",
        "/usr/bin/true",
    ]
    try:
        completed = subprocess.run(  # noqa: S603 - fixed argv built from resolved tool paths
            command, capture_output=True, text=True, timeout=10, env={"PATH": "/usr/bin:/bin"}
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return Finding("bubblewrap runs", False, str(error), "see the bubblewrap finding")
    ok = completed.returncode == 0
    return Finding(
        name="bubblewrap runs",
        ok=ok,
        detail="an unprivileged sandbox started" if ok else completed.stderr.strip()[-300:],
        fix=""
        if ok
        else "enable unprivileged user namespaces and check that bubblewrap "
        "is not blocked by AppArmor (kernel.apparmor_restrict_unprivileged_userns=0)",
    )


def _launcher_works(launcher: str | None) -> Finding:
    """Start one real kernel with the selected launcher, the way grading will."""
    # kernels imports this module; importing it here, at call time, avoids the cycle.
    from grading.engine.limits import Limits
    from grading.engine.sandbox.kernels import (
        LAUNCHER_ENV,
        LAUNCHERS,
        SandboxUnavailable,
        kernel_launcher,
        start_kernel,
    )

    fix = f"set {LAUNCHER_ENV} (or PMA_GRADING['KERNEL_LAUNCHER']) to one of {', '.join(LAUNCHERS)}"
    try:
        chosen = kernel_launcher(launcher)
        started = time.perf_counter()
        kernel = start_kernel(Limits(), launcher=chosen)
    except SandboxUnavailable as error:
        return Finding("kernel launcher", False, str(error)[-500:], fix)
    elapsed = time.perf_counter() - started
    kernel.kill()
    how = (
        "forked from the zygote (timed with the zygote's own start)"
        if chosen == "forkserver"
        else "started in bubblewrap"
    )
    return Finding(
        "kernel launcher", True, f"{chosen}: a sandboxed kernel {how} answered in {elapsed:.2f} s"
    )


def check_host(*, launcher: str | None = None) -> list[Finding]:
    """Every primitive the sandbox uses, present or not, with a fix for each missing one."""
    host = probe_host()
    return [
        *_required_findings(host),
        _bwrap_works(host),
        _launcher_works(launcher),
        seccomp_finding(),
        *cgroup_findings(host),
    ]
