"""Per-run cgroups: the memory, pids and CPU bounds of a whole run, on cgroup v2 or v1.

Every process of a run (the launcher chain, the kernel and whatever it forks) joins the run's
cgroups before the sandbox is built, so these limits hold for the run as a whole, where rlimits
only bound each process.

Layout. Run cgroups live under a ``pm-academy`` parent that holds no process of its own (cgroup
v2's "no internal processes" rule: only a cgroup without processes can hand controllers to its
children), created on first use and never removed:

    cgroup v2   <grader's v2 cgroup>/pm-academy/<run>   or   $PM_ACADEMY_SANDBOX_CGROUP/<run>
    cgroup v1   <grader's cgroup in that hierarchy>/pm-academy/<run>    (memory, pids, cpu)

Nothing here moves the grader's own processes anywhere: runs go below the grader's cgroup, so a
host supervisor's accounting and limits of the grader still cover them.

Which controller comes from where, decided once per process by ``cgroup_layout()``:

* cgroup v2, when the controller can be enabled in the v2 parent's ``cgroup.subtree_control``. The
  grader enables it in its own cgroup first; the kernel allows that only in the root cgroup (a VM,
  or a container whose grader runs at the root of its cgroup namespace with no other process) or
  in a cgroup without processes. Otherwise the operator delegates a cgroup without processes and
  names it in PM_ACADEMY_SANDBOX_CGROUP (for systemd: ``Delegate=yes`` plus
  ``DelegateSubgroup=grader``, which leaves the unit's own cgroup free of processes; name that
  cgroup). Files: ``memory.max``, ``memory.swap.max`` (0), ``memory.oom.group`` (1: the OOM
  killer ends the whole run), ``pids.max``, ``cpu.max`` (and ``cpu.weight`` for a run with a weight of its own).
* cgroup v1, when the controller is mounted as a v1 hierarchy and the grader's cgroup there is
  writable. Files: ``memory.limit_in_bytes``, ``memory.memsw.limit_in_bytes`` (no swap),
  ``memory.oom_control`` (1: a run at its limit is paused, and the grader's OOM watcher ends it
  whole), ``pids.max``, ``cpu.cfs_quota_us`` / ``cpu.cfs_period_us`` (and ``cpu.shares``).
* neither: "not available: <reason>", logged once. RLIMIT_AS still bounds each process's
  address space and RLIMIT_NPROC its uid's processes and threads, so a run can hold up to
  ``memory_bytes × max_processes``; RLIMIT_CPU bounds CPU seconds per process, not the share.

The bounds, from ``Limits``: memory ``memory_bytes + tmpfs_bytes`` for the whole run, files it
writes to its tmpfs included (tmpfs pages are charged to the cgroup that writes them); pids
``max_processes + 4`` (the launcher chain's own processes); CPU ``cpu_quota`` cores.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from grading.engine.limits import Limits
from grading.engine.sandbox.hostcheck import CGROUP_ENV, HostPrimitives

logger = logging.getLogger(__name__)

PARENT_NAME = "pm-academy"
CONTROLLERS = ("memory", "pids", "cpu")
CPU_PERIOD_US = 100_000
MIN_CPU_QUOTA_US = 1_000
# cgroup v2's default cpu.weight (v1's cpu.shares default, 1024, is the same share).
DEFAULT_CPU_WEIGHT = 100
# The launcher chain's own processes on top of the kernel's budget (the fork server's launcher
# and init, or bubblewrap's two processes).
PIDS_HEADROOM = 4
# What each v1 controller needs to be of use; a parent missing it is reported, not used.
_V1_FILES = {"memory": "memory.limit_in_bytes", "pids": "pids.max", "cpu": "cpu.cfs_quota_us"}


@dataclass(frozen=True)
class Controller:
    """Where one controller's per-run cgroups live: cgroup v2, v1, or nowhere (with the reason)."""

    name: str
    version: int | None
    parent: Path | None
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.version is not None

    def describe(self) -> str:
        if self.version is None:
            return f"not available: {self.reason}"
        return f"cgroup v{self.version} ({self.parent})"


@dataclass(frozen=True)
class CgroupLayout:
    """The parents under which each run gets its cgroups, decided once per grader process."""

    v2_parent: Path | None
    v2_reason: str
    memory: Controller
    pids: Controller
    cpu: Controller

    @property
    def controllers(self) -> tuple[Controller, Controller, Controller]:
        return (self.memory, self.pids, self.cpu)

    def parents(self) -> list[Path]:
        """Every directory that holds run cgroups (the v2 parent first, then v1 parents)."""
        found: list[Path] = [] if self.v2_parent is None else [self.v2_parent]
        for controller in self.controllers:
            if (
                controller.version == 1
                and controller.parent is not None
                and controller.parent not in found
            ):
                found.append(controller.parent)
        return found

    def run_paths(self, name: str) -> list[Path]:
        """The cgroups a run called ``name`` gets, in the order it joins them."""
        return [parent / name for parent in self.parents()]

    def describe(self) -> str:
        return "; ".join(f"{c.name}: {c.describe()}" for c in self.controllers)


@dataclass
class RunCgroups:
    """One run's cgroups, and what the grader watches in them."""

    paths: list[Path] = field(default_factory=list)
    memory: Path | None = None
    memory_version: int | None = None
    pids: Path | None = None
    cpu: Path | None = None
    #: An fd the OOM watcher polls: an eventfd (v1, readable on OOM) or ``memory.events`` (v2,
    #: POLLPRI on change). None without a memory cgroup or when notification is unavailable.
    oom_fd: int | None = None

    def close(self) -> None:
        if self.oom_fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.oom_fd)
            self.oom_fd = None

    def oom_kills(self) -> int:
        """How often the run hit its memory limit and was (or is being) stopped for it."""
        if self.memory is None:
            return 0
        if self.memory_version == 2:
            counters = _counters(self.memory / "memory.events")
            return max(counters.get("oom_kill", 0), counters.get("oom_group_kill", 0))
        counters = _counters(self.memory / "memory.oom_control")
        # With the OOM killer disabled a run at its limit is paused (under_oom) until the
        # grader's watcher kills it; that counts as a memory stop too.
        return counters.get("oom_kill", 0) + counters.get("under_oom", 0)

    def memory_peak(self) -> int | None:
        """The run's highest memory use in bytes, where the kernel records it."""
        if self.memory is None:
            return None
        name = "memory.peak" if self.memory_version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self.memory / name).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None


def _counters(path: Path) -> dict[str, int]:
    found: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            with contextlib.suppress(ValueError):
                found[key] = int(value)
    return found


def _write(path: Path, text: str) -> None:
    """Every write into a cgroup file goes through here (tests replace it with a fake kernel)."""
    with open(path, "w") as handle:
        handle.write(text)


def _words(path: Path) -> set[str]:
    try:
        return set(path.read_text().split())
    except OSError:
        return set()


# ---------------------------------------------------------------- the layout


def _v2_layout(host: HostPrimitives) -> tuple[Path | None, str, dict[str, str]]:
    """The v2 parent for runs and, per controller, why it is not usable there ("" when it is)."""
    parent, enable_from, reason = _v2_parent(host)
    if parent is None:
        return None, reason, dict.fromkeys(CONTROLLERS, reason)
    return (
        parent,
        "",
        {name: _enable_v2_controller(name, parent, enable_from) for name in CONTROLLERS},
    )


def _v2_parent(host: HostPrimitives) -> tuple[Path | None, Path | None, str]:
    """The runs' v2 parent (created if needed), the cgroup that may enable its controllers, or why none."""
    configured = os.environ.get(CGROUP_ENV, "").strip()
    if configured:
        parent = Path(configured)
        enable_from = None  # the operator delegated it: never touch the cgroups above it
        if not parent.is_absolute():
            return None, None, f"{CGROUP_ENV}={configured!r} is not an absolute path"
    elif host.cgroup_v2 is not None:
        parent = host.cgroup_v2 / PARENT_NAME
        enable_from = host.cgroup_v2
    else:
        return None, None, "no writable cgroup v2 directory"
    try:
        parent.mkdir(exist_ok=True)
    except OSError as error:
        return None, None, f"cannot create {parent} ({error.strerror})"
    if not (parent / "cgroup.procs").exists():
        return None, None, f"{parent} is not a cgroup v2 directory"
    return parent, enable_from, ""


def _enable_v2_controller(name: str, parent: Path, enable_from: Path | None) -> str:
    """Enable controller ``name`` for the runs under ``parent``: why it could not be ("" once it is)."""
    if name in _words(parent / "cgroup.subtree_control"):
        return ""
    if name not in _words(parent / "cgroup.controllers"):
        refused = _offer_v2_controller(name, parent, enable_from)
        if refused:
            return refused
    try:
        _write(parent / "cgroup.subtree_control", f"+{name}")
    except OSError as error:
        return f"cannot enable it in {parent}/cgroup.subtree_control ({error.strerror})"
    return (
        ""
        if name in _words(parent / "cgroup.subtree_control")
        else (f"{parent}/cgroup.subtree_control did not take it")
    )


def _offer_v2_controller(name: str, parent: Path, enable_from: Path | None) -> str:
    """Enable ``name`` in the cgroup above ``parent`` so that ``parent`` has it: why not ("" once done)."""
    source = enable_from or parent.parent
    offered = _words(source / "cgroup.controllers")
    if name not in offered:
        return (
            f"the host does not delegate it to {source} (its cgroup.controllers: "
            f"{' '.join(sorted(offered)) or 'none'})"
        )
    if enable_from is None:
        return (
            f"it is not enabled in {parent.parent}/cgroup.subtree_control (delegate it to {parent})"
        )
    try:
        _write(enable_from / "cgroup.subtree_control", f"+{name}")
    except OSError as error:
        why = (
            " because that cgroup holds processes (cgroup v2 lets only a cgroup without "
            f"processes hand controllers to its children); set {CGROUP_ENV} to a delegated "
            "cgroup without processes"
            if error.errno == errno.EBUSY
            else ""
        )
        return f"cannot enable it in {enable_from}/cgroup.subtree_control ({error.strerror}){why}"
    return ""


def _v1_parent(host: HostPrimitives, name: str) -> tuple[Path | None, str]:
    own: Path | None = getattr(host, f"cgroup_v1_{name}", None)
    if own is None:
        return None, f"no writable cgroup v1 {name} hierarchy"
    parent = own / PARENT_NAME
    try:
        parent.mkdir(exist_ok=True)
    except OSError as error:
        return None, f"cannot create {parent} ({error.strerror})"
    if not (parent / _V1_FILES[name]).exists():
        return None, f"{parent} has no {_V1_FILES[name]}"
    return parent, ""


def prepare_layout(host: HostPrimitives) -> CgroupLayout:
    """Create the ``pm-academy`` parents, enable what the host allows, and say where each
    controller comes from. Idempotent; ``cgroup_layout()`` caches it per process."""
    v2_parent, v2_reason, v2_reasons = _v2_layout(host)
    chosen: dict[str, Controller] = {}
    for name in CONTROLLERS:
        if v2_parent is not None and not v2_reasons[name]:
            chosen[name] = Controller(name, 2, v2_parent)
            continue
        v1_parent, v1_reason = _v1_parent(host, name)
        if v1_parent is not None:
            chosen[name] = Controller(name, 1, v1_parent)
            continue
        chosen[name] = Controller(
            name, None, None, f"cgroup v2: {v2_reasons[name]}; cgroup v1: {v1_reason}"
        )
    return CgroupLayout(
        v2_parent=v2_parent,
        v2_reason=v2_reason,
        memory=chosen["memory"],
        pids=chosen["pids"],
        cpu=chosen["cpu"],
    )


_layout_lock = threading.Lock()
_layout: CgroupLayout | None = None


def cgroup_layout(
    host: HostPrimitives, *, refresh: bool = False, warn: bool = True
) -> CgroupLayout:
    """The process's layout, prepared (and logged) on first use. ``warn=False`` logs a missing
    controller at debug level (the unsafe local mode, whose container is the boundary)."""
    global _layout
    with _layout_lock:
        if _layout is None or refresh:
            _layout = prepare_layout(host)
            _log_layout(_layout, logging.WARNING if warn else logging.DEBUG)
        return _layout


def _log_layout(layout: CgroupLayout, level: int) -> None:
    # Debug only: the engine's CLI prints exactly one JSON object on stdout, where the log goes
    # too. ``check_sandbox`` reports the layout; a fallback is always a warning.
    logger.debug("Sandbox run cgroups: %s", layout.describe())
    fallbacks = {
        "memory": "RLIMIT_AS bounds each process only; a run can hold up to "
        "memory_bytes x max_processes",
        "pids": "RLIMIT_NPROC still bounds the processes and threads of each run's uid",
        "cpu": "RLIMIT_CPU still bounds CPU seconds per process, but not the run's share of the CPUs",
    }
    for controller in layout.controllers:
        if not controller.available:
            logger.log(
                level,
                "Sandbox runs get no %s cgroup (%s): %s.",
                controller.name,
                controller.reason,
                fallbacks[controller.name],
            )


# ---------------------------------------------------------------- one run


def _limit_values(limits: Limits, version: int) -> dict[str, dict[str, str]]:
    memory = str(limits.memory_bytes + limits.tmpfs_bytes)
    pids = str(limits.max_processes + PIDS_HEADROOM)
    quota = str(max(MIN_CPU_QUOTA_US, round(limits.cpu_quota * CPU_PERIOD_US)))
    # The weight is written only when it is not the default, so a host whose cgroups predate it
    # grades as before.
    weighted = limits.cpu_weight != DEFAULT_CPU_WEIGHT
    if version == 2:
        cpu = {"cpu.max": f"{quota} {CPU_PERIOD_US}"}
        if weighted:
            cpu["cpu.weight"] = str(limits.cpu_weight)
        return {"memory": {"memory.max": memory}, "pids": {"pids.max": pids}, "cpu": cpu}
    cpu = {"cpu.cfs_period_us": str(CPU_PERIOD_US), "cpu.cfs_quota_us": quota}
    if weighted:
        cpu["cpu.shares"] = str(max(2, limits.cpu_weight * 1024 // DEFAULT_CPU_WEIGHT))
    return {
        "memory": {"memory.limit_in_bytes": memory},
        "pids": {"pids.max": pids},
        "cpu": cpu,
    }


def create_run(layout: CgroupLayout, limits: Limits, name: str) -> RunCgroups:
    """Create one run's cgroups with its limits. A cgroup or limit the host refuses (which the
    layout did not foresee) is logged and left out; the rlimits still apply."""
    run = RunCgroups()
    for parent in layout.parents():
        cgroup = parent / name
        try:
            cgroup.mkdir()
        except OSError as error:
            logger.warning("Not using cgroup %s: %s", cgroup, error)
            continue
        applied = []
        for controller in layout.controllers:
            if controller.parent != parent or controller.version is None:
                continue
            values = _limit_values(limits, controller.version)[controller.name]
            try:
                for key, value in values.items():
                    _write(cgroup / key, value)
            except OSError as error:
                logger.warning(
                    "Could not set the %s limit in %s: %s", controller.name, cgroup, error
                )
                continue
            applied.append(controller.name)
            setattr(run, controller.name, cgroup)
            if controller.name == "memory":
                run.memory_version = controller.version
                _memory_extras(run, cgroup, controller.version, limits)
        if parent != layout.v2_parent and not applied:
            # A v1 cgroup is only of use for its limit.
            remove_cgroup(cgroup)
            continue
        run.paths.append(cgroup)
    return run


def _memory_extras(run: RunCgroups, cgroup: Path, version: int, limits: Limits) -> None:
    """No swap; OOM ends the whole run; and an fd the grader's OOM watcher can poll."""
    if version == 2:
        for key, value in (("memory.swap.max", "0"), ("memory.oom.group", "1")):
            if (cgroup / key).exists():
                with contextlib.suppress(OSError):
                    _write(cgroup / key, value)
        with contextlib.suppress(OSError):
            run.oom_fd = os.open(cgroup / "memory.events", os.O_RDONLY | os.O_CLOEXEC)
            os.pread(run.oom_fd, 4096, 0)  # arms POLLPRI for the next change
        return
    if (cgroup / "memory.memsw.limit_in_bytes").exists():
        with contextlib.suppress(OSError):
            _write(
                cgroup / "memory.memsw.limit_in_bytes",
                str(limits.memory_bytes + limits.tmpfs_bytes),
            )
    event_fd = -1
    try:
        event_fd = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        control_fd = os.open(cgroup / "memory.oom_control", os.O_RDONLY | os.O_CLOEXEC)
        try:
            _write(cgroup / "cgroup.event_control", f"{event_fd} {control_fd}")
        finally:
            os.close(control_fd)
        # Notified, so the grader can end the run whole: pause at the limit instead of letting
        # the OOM killer pick one process (the run would go on without it).
        _write(cgroup / "memory.oom_control", "1")
    except OSError as error:
        logger.warning("No OOM notification for %s (the OOM killer stays on): %s", cgroup, error)
        if event_fd >= 0:
            os.close(event_fd)
        return
    run.oom_fd = event_fd


def remove_cgroup(cgroup: Path, *, wait_s: float = 5.0) -> bool:
    """rmdir, retrying while the last processes exit; True when it is gone."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            cgroup.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError:
            if time.monotonic() > deadline:
                logger.error("Could not remove sandbox cgroup %s", cgroup)
                return False
            time.sleep(0.01)


def kill_cgroup(cgroup: Path) -> None:
    """SIGKILL every process in the cgroup (cgroup.kill on v2, each listed pid on v1)."""
    with contextlib.suppress(OSError):
        _write(cgroup / "cgroup.kill", "1")
        return
    for _ in range(3):
        try:
            pids = [int(pid) for pid in (cgroup / "cgroup.procs").read_text().split()]
        except (OSError, ValueError):
            return
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def is_run_cgroup(path: Path, name: str) -> bool:
    """A path recorded for a run is only trusted if it is that run's cgroup in a cgroup tree."""
    return (
        path.is_absolute()
        and path.name == name
        and ".." not in path.parts
        and (path.parent / "cgroup.procs").exists()
    )
