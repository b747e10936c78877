"""Start one sandboxed, single-use IPython kernel and kill it with everything it started.

Launch chain, each step exec'ing the next so the grader holds a single child pid:

    sh (joins the run's cgroups) -> unshare --mount (private mount namespace)
    -> sh (mounts the run tmpfs, bounded in bytes and inodes) -> prlimit (rlimits)
    -> setpriv (own unprivileged uid, no new privileges, parent-death signal)
    -> bwrap (user/pid/net/ipc/uts/cgroup namespaces, read-only runtime, fresh /proc, bounded
       /dev/shm, the seccomp filter of ``grading.engine.sandbox.seccomp``)
    -> python -m ipykernel_launcher

The run's cgroups (``grading.engine.sandbox.cgroups``) bound the whole run's memory, processes
and CPU share where the host delegates those controllers; a run that reaches its memory limit is
ended whole by the OOM watcher below (or by the kernel's group OOM kill on cgroup v2).

The kernel's sockets use zmq's ``ipc`` transport in a host directory bound into the
sandbox, so the kernel needs no network; that directory is handed back to root as soon
as the kernel answers, before any learner code runs. The grader reaches the kernel's
private tmpfs through ``/proc/<sandbox init>/root``.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import queue
import re
import resource
import secrets
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any, Protocol

import zmq
from jupyter_client.blocking import BlockingKernelClient

from grading.engine.execute import warm_up
from grading.engine.limits import Limits
from grading.engine.sandbox.cgroups import (
    RunCgroups,
    cgroup_layout,
    create_run,
    is_run_cgroup,
    kill_cgroup,
    remove_cgroup,
)
from grading.engine.sandbox.hostcheck import HostPrimitives, grading_env_python, probe_host
from grading.engine.sandbox.kernelspec import (
    INNER_IPC_DIR,
    INNER_RUN_DIR,
    LEARNER_USER,
    SHARED_ETC_FILES,
    kernel_environment,
    sandbox_kernel_spec,
)
from grading.engine.sandbox.seccomp import SeccompUnsupported, build_filter

logger = logging.getLogger(__name__)

RUNS_DIR_ENV = "PM_ACADEMY_SANDBOX_DIR"
LAUNCHER_ENV = "PM_ACADEMY_KERNEL_LAUNCHER"
LAUNCHERS = ("forkserver", "bwrap")
DEFAULT_LAUNCHER = "forkserver"
STARTUP_TIMEOUT_S = 30.0
KILL_WAIT_S = 5.0
# Each kernel gets its own uid from this range, so RLIMIT_NPROC (counted per uid) bounds
# one run and a fork bomb cannot starve the kernels of other runs.
UID_FIRST = 1_800_000_000
UID_COUNT = 100_000_000
INNER_ENV_DIR = "/opt/kernel-env"
CONNECTION_FILE = "kernel.json"
# Each run directory lists the cgroups it was given, so a sweep finds them wherever they are.
CGROUPS_FILE = "cgroups"
# A run cgroup without a run directory is removed (when empty) only once it is this old: a grader
# with another runs directory may have just created it and still be starting its fork server.
ORPHAN_CGROUP_AGE_S = 600.0
_PYTHON_VERSION = f"python{sys.version_info.major}.{sys.version_info.minor}"

_JOIN_CGROUPS = (
    'n=$1; shift; while [ "$n" -gt 0 ]; do '
    'echo 0 > "$1/cgroup.procs" || exit 125; shift; n=$((n-1)); done; exec "$@"'
)
_MOUNT_TMPFS = 'mount -t tmpfs -o "$2" pm-sandbox "$1" || exit 125; shift 2; exec "$@"'


# Every kernel until kill() has reaped it. Held strongly: a kernel its caller dropped without
# kill() must not be garbage-collected (its zmq context's finaliser blocks on the open sockets);
# it is killed at exit instead.
_live_kernels: set[SandboxKernel] = set()


class _Reapable(Protocol):
    def _reap(self) -> None: ...


class _Reaper:
    """One daemon thread that waits for killed kernels (and judges) to end and removes what their
    runs left.

    ``kill(wait=False)`` sends the kills itself, so learner code has stopped running before it
    returns; only the waiting and the bookkeeping (sockets, cgroups, run directory) come here.
    """

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[_Reapable] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, kernel: _Reapable) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="sandbox-reaper", daemon=True
                )
                self._thread.start()
        self._queue.put(kernel)

    def _run(self) -> None:
        while True:
            kernel = self._queue.get()
            try:
                kernel._reap()
            except Exception:  # one bad run must not end the thread that reaps the others
                logger.exception("Could not clean up after %r", kernel)


_reaper = _Reaper()


def reap_in_background(process: _Reapable) -> None:
    """Have the reaper thread call ``process._reap()``: for what was sent SIGKILL already."""
    _reaper.submit(process)


class _OomWatcher:
    """One daemon thread that ends a run whole as soon as its memory cgroup reports an OOM.

    On cgroup v1 the run's memory cgroup has the OOM killer disabled: a run at its limit is paused
    and its eventfd fires. On v2 ``memory.oom.group`` already killed the whole run and
    ``memory.events`` changed. Either way every process of the run is killed here, the kernel
    counts ``oom_kills()``, and the cell gets a memory verdict rather than going on without the
    process the OOM killer would have picked.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._epoll: select.epoll | None = None
        self._watched: dict[int, tuple[weakref.ref[SandboxKernel], int]] = {}
        self._thread: threading.Thread | None = None

    def watch(self, kernel: SandboxKernel, fd: int, version: int) -> None:
        with self._lock:
            if self._epoll is None:
                self._epoll = select.epoll()
            self._watched[fd] = (weakref.ref(kernel), version)
            self._epoll.register(fd, select.EPOLLIN if version == 1 else select.EPOLLPRI)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="sandbox-oom-watcher", daemon=True
                )
                self._thread.start()

    def forget(self, fd: int) -> None:
        """Stop watching ``fd``; the caller may close it as soon as this returns."""
        with self._lock:
            if self._watched.pop(fd, None) is not None and self._epoll is not None:
                with contextlib.suppress(OSError, ValueError):
                    self._epoll.unregister(fd)

    def _run(self) -> None:
        epoll = self._epoll
        assert epoll is not None  # noqa: S101 - set before the thread starts
        while True:
            try:
                events = epoll.poll(5.0)
            except OSError:
                return
            for fd, _ in events:
                with self._lock:
                    entry = self._watched.get(fd)
                    if entry is None:
                        continue
                    # Consume the event (under the lock: forget() + close() cannot race this read).
                    with contextlib.suppress(OSError):
                        if entry[1] == 1:
                            os.eventfd_read(fd)
                        else:
                            os.pread(fd, 4096, 0)
                kernel = entry[0]()
                if kernel is None:
                    self.forget(fd)
                    continue
                if kernel.oom_kills() > 0:
                    self.forget(fd)
                    try:
                        kernel._stop_for_memory()
                    except Exception:  # one bad run must not end the thread that watches the others
                        logger.exception(
                            "Could not stop sandbox kernel %s at its memory limit", kernel.pid
                        )


_oom_watcher = _OomWatcher()


def _new_reaper_after_fork() -> None:
    # The child has no reaper or watcher thread, and the queued kernels belong to the parent.
    # (The parent's epoll instance is shared with the child: the child must not touch it.)
    global _reaper, _oom_watcher
    _reaper = _Reaper()
    _oom_watcher = _OomWatcher()


os.register_at_fork(after_in_child=_new_reaper_after_fork)


@atexit.register
def _kill_leftover_kernels() -> None:
    """A grader that exits without killing a kernel must not leave it behind."""
    for kernel in list(_live_kernels):
        with contextlib.suppress(Exception):
            kernel.kill()


class SandboxUnavailable(RuntimeError):
    """The host cannot provide the isolation a learner kernel needs."""


class LauncherProcess(Protocol):
    """The outermost process of a run: a ``subprocess.Popen`` or a fork server's launcher."""

    pid: int

    @property
    def returncode(self) -> int | None: ...

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def kill(self) -> None: ...


class SandboxKernel:
    """One started, sandboxed, single-use kernel. ``kill()`` ends it and all it started."""

    def __init__(
        self,
        *,
        client: BlockingKernelClient,
        context: zmq.Context,
        process: LauncherProcess,
        run_dir: Path,
        inner_run_dir: PurePosixPath,
        host_dir: Path,
        log_file: IO[bytes],
        limits: Limits,
        uid: int | None,
        namespace_init_pid: int | None,
        pid_namespace: int | None,
        cgroups: list[Path],
        isolated: bool,
        run_cgroups: RunCgroups | None = None,
    ) -> None:
        self.client = client
        self.run_dir = run_dir
        self.inner_run_dir = inner_run_dir
        self.limits = limits
        self.uid = uid
        self.namespace_init_pid = namespace_init_pid
        self.pid_namespace = pid_namespace
        self.cgroups = cgroups
        self.run_cgroups = run_cgroups or RunCgroups(paths=list(cgroups))
        self.isolated = isolated
        #: The comm target the kernel's learner end answers on from its start (judge.JUDGE_CHANNEL
        #: for fork-server kernels); empty when the judge has to install it.
        self.judge_channel = ""
        self.owner_pid = os.getpid()
        self._memory_stopped = False
        # What the memory cgroup recorded, kept when kill() removes it.
        self._final_oom_kills = 0
        self._final_memory_peak: int | None = None
        self._context = context
        self._process = process
        self._host_dir = host_dir
        self._log_file = log_file
        self._lock = threading.Lock()
        self._killed = False
        self._reap_lock = threading.Lock()
        self._reaped = False
        _live_kernels.add(self)
        oom_fd = self.run_cgroups.oom_fd
        if oom_fd is not None and self.run_cgroups.memory_version is not None:
            _oom_watcher.watch(self, oom_fd, self.run_cgroups.memory_version)

    @property
    def pid(self) -> int:
        """Host pid of the launcher chain (bubblewrap's outer process once started)."""
        return self._process.pid

    @property
    def returncode(self) -> int | None:
        return self._process.poll()

    def is_alive(self) -> bool:
        return not self._killed and self._process.poll() is None

    def processes(self) -> set[int]:
        """Host pids of every live process of this run (the launcher and the sandbox)."""
        found: set[int] = set()
        if _alive(self._process.pid):
            found.add(self._process.pid)
        if self.pid_namespace is not None:
            found |= _pids_in_namespace(self.pid_namespace)
        for cgroup in self.cgroups:
            with contextlib.suppress(OSError):
                for line in (cgroup / "cgroup.procs").read_text().split():
                    if _alive(int(line)):
                        found.add(int(line))
        return found

    def oom_kills(self) -> int:
        """How often the run reached its memory cgroup's limit and was stopped for it (0 without
        a memory cgroup). Stays above 0 once the OOM watcher ended the run, cgroup removed or not."""
        if self._reaped:
            return self._final_oom_kills
        return max(self.run_cgroups.oom_kills(), 1 if self._memory_stopped else 0)

    def memory_peak(self) -> int | None:
        """The run's peak memory in bytes as its memory cgroup recorded it (None without one),
        still known after kill()."""
        if self._reaped:
            return self._final_memory_peak
        return self.run_cgroups.memory_peak()

    def _stop_for_memory(self) -> None:
        """Called by the OOM watcher: kill every process of the run, leave the reaping to kill()."""
        with self._lock:
            if self._killed:
                return
            self._memory_stopped = True
        logger.debug("Sandbox kernel %s reached its memory limit; stopping the whole run", self.pid)
        self._send_kills()

    def log_tail(self, limit: int = 2000) -> str:
        """The end of what the launcher chain and kernel wrote to their stderr."""
        try:
            with open(self._host_dir / "kernel.log", "rb") as log:
                log.seek(0, os.SEEK_END)
                log.seek(max(0, log.tell() - limit))
                return log.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def kill(self, *, wait: bool = True) -> None:
        """End the kernel and everything it started.

        With ``wait`` (the default) return once every process of the run is gone and its
        sockets, cgroups and files are removed. Without it, return as soon as every process
        has been sent SIGKILL (no learner code runs after that) and leave the waiting and the
        clean-up to a background thread; a later ``kill()`` still waits for both.
        """
        with self._lock:
            first = not self._killed
            self._killed = True
        if os.getpid() != self.owner_pid:
            # A forked child inherited this object: the kernel belongs to the parent.
            return
        if first:
            self._send_kills()
        if wait:
            self._reap()
        elif first:
            _reaper.submit(self)

    def _send_kills(self) -> None:
        for cgroup in self.cgroups:
            with contextlib.suppress(OSError):
                (cgroup / "cgroup.kill").write_text("1")
        with contextlib.suppress(ProcessLookupError):
            self._process.kill()
        # SIGKILL to a pid namespace's init kills every process in that namespace.
        if (
            self.namespace_init_pid is not None
            and _namespace_of(self.namespace_init_pid) == self.pid_namespace
        ):
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.namespace_init_pid, signal.SIGKILL)
        if not self.isolated:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)

    def _reap(self) -> None:
        """Wait until the run's processes are gone, then remove its sockets, cgroups and files."""
        with self._reap_lock:
            if self._reaped:
                return
            with contextlib.suppress(Exception):
                self.client.stop_channels()
            with contextlib.suppress(Exception):
                self._context.destroy(linger=0)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=KILL_WAIT_S)
            deadline = time.monotonic() + KILL_WAIT_S
            leftovers = self.processes()
            while leftovers and time.monotonic() < deadline:
                time.sleep(0.01)
                leftovers = self.processes()
            if leftovers:
                logger.error("Sandbox processes %s survived kill()", sorted(leftovers))
            self._final_oom_kills = max(
                self.run_cgroups.oom_kills(), 1 if self._memory_stopped else 0
            )
            self._final_memory_peak = self.run_cgroups.memory_peak()
            if self.run_cgroups.oom_fd is not None:
                _oom_watcher.forget(self.run_cgroups.oom_fd)
            self.run_cgroups.close()
            for cgroup in self.cgroups:
                remove_cgroup(cgroup, wait_s=KILL_WAIT_S)
            with contextlib.suppress(OSError):
                self._log_file.close()
            shutil.rmtree(self._host_dir, ignore_errors=True)
            self._reaped = True
            _live_kernels.discard(self)

    def __enter__(self) -> SandboxKernel:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.kill()

    def __repr__(self) -> str:
        state = "alive" if self.is_alive() else "dead"
        return f"<SandboxKernel pid={self.pid} uid={self.uid} {state}>"


def _alive(pid: int) -> bool:
    """True for a process that exists and is not a zombie."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat_line.rpartition(")")[2].split()[0] not in {"Z", "X"}


def _namespace_of(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}/ns/pid").st_ino
    except OSError:
        return None


def _pids_in_namespace(namespace: int) -> set[int]:
    found = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            pid = int(entry.name)
            if _namespace_of(pid) == namespace and _alive(pid):
                found.add(pid)
    return found


def _missing_message(host: HostPrimitives) -> str:
    problems = "; ".join(f"{f.name} is missing ({f.detail}): {f.fix}" for f in host.missing())
    return f"The grading sandbox is unavailable on this host. {problems}."


def start_kernel(
    limits: Limits, *, unsafe_local: bool = False, launcher: str | None = None
) -> SandboxKernel:
    """Start a fresh sandboxed kernel whose client has answered kernel_info.

    ``launcher`` is ``forkserver`` or ``bwrap``; None means PM_ACADEMY_KERNEL_LAUNCHER, else
    DEFAULT_LAUNCHER. Both build the same sandbox; the fork server skips Python's start-up.
    """
    host = probe_host()
    _sweep_once(host, warn=not host.missing())
    if host.missing():
        if not unsafe_local:
            raise SandboxUnavailable(_missing_message(host))
        logger.warning(
            "Starting a learner kernel WITHOUT full isolation (unsafe_local=True): %s "
            "Never grade untrusted notebooks like this.",
            _missing_message(host),
        )
        return _start_local(limits, host)
    if kernel_launcher(launcher) == "forkserver":
        return _start_forked(limits, host)
    return _start_sandboxed(limits, host)


def kernel_launcher(requested: str | None = None) -> str:
    """The launcher to use: ``requested``, else PM_ACADEMY_KERNEL_LAUNCHER, else DEFAULT_LAUNCHER."""
    chosen = (requested or os.environ.get(LAUNCHER_ENV, "")).strip().lower() or DEFAULT_LAUNCHER
    if chosen not in LAUNCHERS:
        raise SandboxUnavailable(
            f"{LAUNCHER_ENV}={chosen!r} is not a kernel launcher; use one of {', '.join(LAUNCHERS)}."
        )
    return chosen


def _runs_dir() -> str:
    return os.environ.get(RUNS_DIR_ENV) or tempfile.gettempdir()


def _process_identity(pid: int) -> str | None:
    """pid plus start time: stays unique when the kernel reuses a pid."""
    try:
        start = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19]
    except (OSError, IndexError):
        return None
    return f"{pid} {start}"


def _new_run_dir(prefix: str) -> Path:
    """A run directory named after its owner (pid and start time), as are the run's cgroups, so a
    sweep can tell a stale cgroup even when the directory went with a private /tmp."""
    identity = _process_identity(os.getpid()) or ""
    owner = identity.replace(" ", "-") + "-" if identity else ""
    host_dir = Path(tempfile.mkdtemp(prefix=f"{prefix}{owner}", dir=_runs_dir()))
    (host_dir / "owner").write_text(identity)
    return host_dir


_OWNER_IN_NAME = re.compile(r"pm-sandbox-(?:[a-z]+-)?(\d+)-(\d+)-[a-z0-9_]+")


def _owner_in_name(name: str) -> str | None:
    """The owner identity ("pid start") a run directory or cgroup name carries, if any."""
    match = _OWNER_IN_NAME.fullmatch(name)
    return f"{match[1]} {match[2]}" if match else None


def _owner_alive(host_dir: Path) -> bool | None:
    """True when the grader that made ``host_dir`` still runs; None when it is not a run dir."""
    try:
        owner = (host_dir / "owner").read_text().strip()
    except OSError:
        return None
    pid = owner.split()[0] if owner else ""
    return pid.isdigit() and _process_identity(int(pid)) == owner


def _recorded_cgroups(host_dir: Path) -> list[Path]:
    try:
        lines = (host_dir / CGROUPS_FILE).read_text().splitlines()
    except OSError:
        return []
    return [Path(line) for line in lines if line and is_run_cgroup(Path(line), host_dir.name)]


def _remove_stale_cgroup(cgroup: Path) -> None:
    if cgroup.is_dir():
        kill_cgroup(cgroup)
        # Killed processes leave their cgroup only once they have exited and been reaped.
        remove_cgroup(cgroup, wait_s=5.0)


def sweep_stale_runs(host: HostPrimitives, *, warn: bool = True) -> list[Path]:
    """Remove run directories and cgroups left by a grader that was killed outright.

    Its kernels died with it (parent-death signals); only their bookkeeping remains. A stale
    run's cgroups are found from the list in its run directory and, under this grader's cgroup
    parents, by the owner their names carry (so they go even when the run directory went with a
    private /tmp); anything still in them is killed first. A run cgroup named without an owner
    (an older layout) is removed when empty, has no run directory here and is older than
    ``ORPHAN_CGROUP_AGE_S``. ``start_kernel`` calls this once per grader process (and ``KernelPool``
    when it starts), so a restarted grader or worker cleans up before its first run. Graders that
    share cgroup parents share a pid namespace (one host), so an owner's pid means the same to all.
    """
    parents = cgroup_layout(host, warn=warn).parents()
    # Before this layout, run cgroups sat directly in the grader's own cgroups.
    legacy = [path for path in (host.cgroup_v2, host.cgroup_v1_memory, host.cgroup_v1_pids) if path]
    removed = []
    for host_dir in Path(_runs_dir()).glob("pm-sandbox-*"):
        if _owner_alive(host_dir) is not False:
            continue
        candidates = _recorded_cgroups(host_dir)
        candidates += [parent / host_dir.name for parent in (*parents, *legacy)]
        for cgroup in dict.fromkeys(candidates):
            _remove_stale_cgroup(cgroup)
        shutil.rmtree(host_dir, ignore_errors=True)
        removed.append(host_dir)
    runs_dir = Path(_runs_dir())
    now = time.time()
    for parent in (*parents, *legacy):
        try:
            entries = [
                e for e in os.scandir(parent) if e.name.startswith("pm-sandbox-") and e.is_dir()
            ]
        except OSError:
            continue
        for entry in entries:
            owner = _owner_in_name(entry.name)
            if owner is not None:
                pid = int(owner.split()[0])
                if _process_identity(pid) != owner:
                    _remove_stale_cgroup(Path(entry.path))
                    logger.debug("Removed sandbox cgroup %s of a grader that is gone", entry.path)
                continue
            if (runs_dir / entry.name).exists():
                continue
            with contextlib.suppress(OSError):
                if now - entry.stat(follow_symlinks=False).st_mtime > ORPHAN_CGROUP_AGE_S:
                    Path(entry.path).rmdir()  # fails while it holds processes: never kill those
                    logger.debug("Removed orphaned sandbox cgroup %s", entry.path)
    return removed


_swept_in: int | None = None
_sweep_lock = threading.Lock()


def _sweep_once(host: HostPrimitives, *, warn: bool) -> None:
    """Sweep stale runs before this process's first kernel (again in each forked child)."""
    global _swept_in
    with _sweep_lock:
        if _swept_in == os.getpid():
            return
        _swept_in = os.getpid()
    try:
        removed = sweep_stale_runs(host, warn=warn)
    except OSError as error:
        logger.warning("Could not sweep stale sandbox runs: %s", error)
        return
    if removed:
        logger.debug("Removed %d run directories left by a killed grader", len(removed))


def _connection_info(ip: str, key: str) -> dict[str, Any]:
    return {
        "transport": "ipc",
        "ip": ip,
        "shell_port": 1,
        "iopub_port": 2,
        "stdin_port": 3,
        "control_port": 4,
        "hb_port": 5,
        "key": key,
        "signature_scheme": "hmac-sha256",
        "kernel_name": sandbox_kernel_spec().name,
    }


def _rlimit_args(prlimit: str, limits: Limits) -> list[str]:
    return [
        prlimit,
        f"--as={limits.memory_bytes}:{limits.memory_bytes}",
        # The soft limit sends SIGXCPU, the hard one a second later SIGKILL.
        f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 1}",
        f"--nproc={limits.max_processes}:{limits.max_processes}",
        f"--nofile={limits.max_open_files}:{limits.max_open_files}",
        f"--fsize={limits.max_file_bytes}:{limits.max_file_bytes}",
        "--core=0:0",
        "--",
    ]


def _make_cgroups(
    host: HostPrimitives, limits: Limits, host_dir: Path, *, warn: bool = True
) -> RunCgroups:
    """The run's cgroups with its limits, where the host lets us create them (each is optional).

    Their paths are written to the run directory first, so a sweep after a killed grader finds
    them even if it died half-way through.
    """
    layout = cgroup_layout(host, warn=warn)
    planned = layout.run_paths(host_dir.name)
    (host_dir / CGROUPS_FILE).write_text("".join(f"{path}\n" for path in planned))
    return create_run(layout, limits, host_dir.name)


def _data_fd(content: str | bytes, keep: list[int]) -> str:
    read_end, write_end = os.pipe()
    os.write(write_end, content.encode() if isinstance(content, str) else content)
    os.close(write_end)
    keep.append(read_end)
    return str(read_end)


def _runtime_binds(host: HostPrimitives, fds: list[int], uid: int, tmpfs_bytes: int) -> list[str]:
    assert host.kernel_python is not None and host.site_packages is not None  # noqa: S101
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        top = Path("/") / name
        if top.is_symlink():
            args += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            args += ["--ro-bind", str(top), str(top)]
    # bubblewrap's /dev is a writable tmpfs as large as half the RAM: give /dev/shm its own
    # bounded tmpfs and make the rest of /dev read-only (the bwrap args end with --remount-ro /dev).
    shm = "/dev/shm"  # noqa: S108 - the run's own bounded shm, inside the sandbox
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(tmpfs_bytes), "--tmpfs", shm]
    passwd = (
        f"{LEARNER_USER}:x:{uid}:{uid}:PM Academy learner:{INNER_RUN_DIR}:/usr/sbin/nologin\n"
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    )
    group = f"{LEARNER_USER}:x:{uid}:\nnogroup:x:65534:\n"
    hosts = "127.0.0.1 localhost\n::1 localhost\n"
    args += ["--ro-bind-data", _data_fd(passwd, fds), "/etc/passwd"]
    args += ["--ro-bind-data", _data_fd(group, fds), "/etc/group"]
    args += ["--ro-bind-data", _data_fd(hosts, fds), "/etc/hosts"]
    for shared in SHARED_ETC_FILES:
        args += ["--ro-bind-try", f"/etc/{shared}", f"/etc/{shared}"]
    python = host.kernel_python
    prefix = python.parent.parent
    if not str(prefix).startswith("/usr"):
        args += ["--ro-bind", str(prefix), str(prefix)]
    pyvenv = f"home = {python.parent}\ninclude-system-site-packages = false\n"
    args += [
        "--dir", f"{INNER_ENV_DIR}/bin",
        "--ro-bind-data", _data_fd(pyvenv, fds), f"{INNER_ENV_DIR}/pyvenv.cfg",
        "--symlink", str(python), f"{INNER_ENV_DIR}/bin/python",
        "--ro-bind", str(host.site_packages),
        f"{INNER_ENV_DIR}/lib/{_PYTHON_VERSION}/site-packages",
    ]  # fmt: skip
    return args


def _read_info(fd: int, process: subprocess.Popen[bytes], deadline: float) -> dict[str, Any]:
    """bubblewrap's --info-fd report: the sandbox init's host pid and namespace inodes."""
    data = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
        elif process.poll() is not None:
            break
    try:
        info = json.loads(data)
    except ValueError:
        return {}
    return info if isinstance(info, dict) else {}


class GraderKernelClient(BlockingKernelClient):
    """jupyter_client's blocking client, reading messages straight from its channels.

    ``BlockingKernelClient`` runs an asyncio event loop for every ``get_*_msg`` call (about
    29 µs of CPU for a poll that finds nothing, against 5 µs for the read itself), and the
    grader polls several times per cell. Same arguments, same messages, ``queue.Empty`` on
    timeout.
    """

    def get_shell_msg(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self.shell_channel.get_msg(*args, **kwargs)

    def get_iopub_msg(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self.iopub_channel.get_msg(*args, **kwargs)


#: Messages zmq may queue per socket in the grader (see _new_client).
RECEIVE_QUEUE = 16


def _new_client(info: dict[str, Any], limits: Limits) -> tuple[BlockingKernelClient, zmq.Context]:
    context = zmq.Context()
    # A message larger than this makes zmq drop it (and the connection) instead of
    # buffering it in the grader: a 64 MiB print must not cost the grader 64 MiB.
    context.setsockopt(zmq.MAXMSGSIZE, limits.message_bytes)
    # zmq queues 1,000 messages per socket by default, whatever their size: a kernel that writes
    # faster than the grader reads could park 1,000 x message_bytes in the grader. With this the
    # grader holds at most RECEIVE_QUEUE x message_bytes per socket; the kernel's publisher drops
    # what does not fit (it is output past the budget anyway).
    context.setsockopt(zmq.RCVHWM, RECEIVE_QUEUE)
    context.setsockopt(zmq.LINGER, 0)
    client = GraderKernelClient(context=context)
    client.load_connection_info(info)  # type: ignore[arg-type]  # a plain dict is what it reads
    client.start_channels(hb=False)
    return client, context


def _wait_for_sockets(ipc_dir: Path, process: LauncherProcess, deadline: float) -> bool:
    """Wait until the kernel has bound its sockets, so the client's first request lands."""
    names = [f"k-{port}" for port in (1, 2, 3, 4, 5)]
    while time.monotonic() < deadline:
        if all((ipc_dir / name).exists() for name in names):
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.005)
    return False


def _wait_ready(client: BlockingKernelClient, process: LauncherProcess, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        msg_id = client.kernel_info()
        answer_by = min(deadline, time.monotonic() + 1.0)
        while time.monotonic() < answer_by:
            if process.poll() is not None:
                return False
            try:
                reply = client.get_shell_msg(timeout=0.05)
            except Exception:  # noqa: S112 - queue.Empty: ask again until the deadline
                continue
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                return True
    return False


def _ready(kernel: SandboxKernel, process: LauncherProcess, deadline: float) -> bool:
    """The kernel answered kernel_info and ran its first (silent, no-op) cell.

    What IPython sets up on a kernel's first execution then happens here, while a pooled
    kernel waits for work, rather than in the learner's first cell. Reading that cell's
    iopub messages up to its idle status also consumes the start-up status messages.
    """
    return _wait_ready(kernel.client, process, deadline) and warm_up(kernel, deadline)


def _start_failed(kernel: SandboxKernel, reason: str) -> SandboxUnavailable:
    tail = kernel.log_tail().strip()
    kernel.kill()
    detail = f" Kernel output: {tail[-1000:]}" if tail else ""
    return SandboxUnavailable(f"The sandboxed kernel did not start: {reason}.{detail}")


@dataclass
class _RunFiles:
    """The host side of one run: its uid, directories, connection key and cgroups."""

    uid: int
    host_dir: Path
    ipc_dir: Path
    work_dir: Path
    key: str
    cgroups: RunCgroups
    tmpfs_options: str


def _prepare_run(limits: Limits, host: HostPrimitives) -> _RunFiles:
    uid = UID_FIRST + secrets.randbelow(UID_COUNT)
    host_dir = _new_run_dir("pm-sandbox-")
    host_dir.chmod(0o711)
    ipc_dir = host_dir / "ipc"
    ipc_dir.mkdir(mode=0o700)
    os.chown(ipc_dir, uid, uid)
    work_dir = host_dir / "work"
    work_dir.mkdir(mode=0o700)
    key = secrets.token_hex(32)
    connection_path = ipc_dir / CONNECTION_FILE
    connection_path.write_text(json.dumps(_connection_info(f"{INNER_IPC_DIR}/k", key)))
    os.chown(connection_path, uid, uid)
    connection_path.chmod(0o600)
    cgroups = _make_cgroups(host, limits, host_dir)
    inodes = max(1024, limits.tmpfs_bytes // 4096)
    # Root's, with the sticky bit (like /tmp): learner code creates files of its own, but cannot
    # delete, rename or replace the exercise files the grader puts here (sandbox.files).
    tmpfs_options = f"size={limits.tmpfs_bytes},nr_inodes={inodes},mode=1777,uid=0,gid=0"
    return _RunFiles(uid, host_dir, ipc_dir, work_dir, key, cgroups, tmpfs_options)


def _discard_run(run: _RunFiles) -> None:
    run.cgroups.close()
    for cgroup in run.cgroups.paths:
        remove_cgroup(cgroup, wait_s=KILL_WAIT_S)
    shutil.rmtree(run.host_dir, ignore_errors=True)


def _rlimits(limits: Limits) -> list[tuple[int, int, int]]:
    """The same limits as ``_rlimit_args`` gives prlimit, for the fork server's setrlimit."""
    return [
        (resource.RLIMIT_AS, limits.memory_bytes, limits.memory_bytes),
        (resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1),
        (resource.RLIMIT_NPROC, limits.max_processes, limits.max_processes),
        (resource.RLIMIT_NOFILE, limits.max_open_files, limits.max_open_files),
        (resource.RLIMIT_FSIZE, limits.max_file_bytes, limits.max_file_bytes),
        (resource.RLIMIT_CORE, 0, 0),
    ]


def _start_forked(limits: Limits, host: HostPrimitives) -> SandboxKernel:
    """The same sandbox as ``_start_sandboxed``, forked from a zygote that has ipykernel imported."""
    from grading.engine.judge import JUDGE_CHANNEL
    from grading.engine.sandbox.forkserver import ForkServerUnavailable, fork_request, fork_server

    run = _prepare_run(limits, host)
    log_file = open(run.host_dir / "kernel.log", "wb")  # noqa: SIM115 - closed by kill()
    cgroup_fds: list[int] = []
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        for cgroup in run.cgroups.paths:
            cgroup_fds.append(os.open(cgroup / "cgroup.procs", os.O_WRONLY | os.O_CLOEXEC))
        request = fork_request(
            uid=run.uid,
            limits=limits,
            ipc_dir=run.ipc_dir,
            tmpfs_options=run.tmpfs_options,
            rlimits=_rlimits(limits),
        )
        server = fork_server(host, _new_run_dir)
        process, init_pid = server.request(request, [log_file.fileno(), *cgroup_fds], deadline)
    except (ForkServerUnavailable, OSError) as error:
        log_file.close()
        _discard_run(run)
        raise SandboxUnavailable(f"The sandboxed kernel did not start: {error}") from error
    finally:
        for fd in cgroup_fds:
            os.close(fd)
    namespace = _namespace_of(init_pid)
    kernel = _finish_start(
        run,
        process,
        log_file,
        limits,
        deadline,
        init_pid=init_pid,
        pid_namespace=None if namespace == _namespace_of(os.getpid()) else namespace,
        launcher="the fork server",
    )
    kernel.judge_channel = JUDGE_CHANNEL  # the zygote's run_kernel registered it
    return kernel


def _finish_start(
    run: _RunFiles,
    process: LauncherProcess,
    log_file: IO[bytes],
    limits: Limits,
    deadline: float,
    *,
    init_pid: int | None,
    pid_namespace: int | None,
    launcher: str,
) -> SandboxKernel:
    """Connect to a just-launched kernel, wait for its answer, then freeze its socket directory."""
    _wait_for_sockets(run.ipc_dir, process, deadline)
    client, context = _new_client(_connection_info(str(run.ipc_dir / "k"), run.key), limits)
    kernel = SandboxKernel(
        client=client,
        context=context,
        process=process,
        run_dir=Path(f"/proc/{init_pid}/root{INNER_RUN_DIR}"),
        inner_run_dir=PurePosixPath(INNER_RUN_DIR),
        host_dir=run.host_dir,
        log_file=log_file,
        limits=limits,
        uid=run.uid,
        namespace_init_pid=init_pid,
        pid_namespace=pid_namespace,
        cgroups=run.cgroups.paths,
        isolated=True,
        run_cgroups=run.cgroups,
    )
    if kernel.namespace_init_pid is None or kernel.pid_namespace is None:
        raise _start_failed(kernel, f"{launcher} did not report its sandbox")
    if not _ready(kernel, process, deadline):
        raise _start_failed(kernel, "the kernel did not answer")
    # From here on learner code may run: it must not be able to add, remove or replace
    # anything where the grader's sockets live.
    os.chown(run.ipc_dir, 0, 0)
    run.ipc_dir.chmod(0o755)
    return kernel


def _start_sandboxed(limits: Limits, host: HostPrimitives) -> SandboxKernel:
    assert host.bwrap and host.setpriv and host.unshare and host.prlimit and host.shell  # noqa: S101
    run = _prepare_run(limits, host)
    uid, host_dir, ipc_dir, work_dir = run.uid, run.host_dir, run.ipc_dir, run.work_dir
    cgroups, tmpfs_options = run.cgroups.paths, run.tmpfs_options
    inner_connection = f"{INNER_IPC_DIR}/{CONNECTION_FILE}"
    fds: list[int] = []
    try:
        seccomp = build_filter()
    except SeccompUnsupported as error:
        _discard_run(run)
        raise SandboxUnavailable(f"The sandboxed kernel did not start: {error}") from error
    info_read, info_write = os.pipe()
    fds.append(info_write)
    environment = kernel_environment(home=INNER_RUN_DIR)
    bwrap_env: list[str] = ["--clearenv"]
    for name, value in environment.items():
        bwrap_env += ["--setenv", name, value]
    spec = sandbox_kernel_spec()
    sandbox_args = [
        "--unshare-all", "--unshare-user", "--disable-userns",
        "--die-with-parent", "--new-session", "--hostname", "sandbox",
        *_runtime_binds(host, fds, uid, limits.tmpfs_bytes),
        "--bind", str(work_dir), INNER_RUN_DIR,
        "--bind", str(ipc_dir), INNER_IPC_DIR,
        "--chdir", INNER_RUN_DIR,
        *bwrap_env,
        "--info-fd", str(info_write),
        "--seccomp", _data_fd(seccomp, fds),
        "--remount-ro", "/dev",
        "--remount-ro", "/",
    ]  # fmt: skip
    # Passed through a pipe rather than argv, so /proc/1/cmdline inside the sandbox does
    # not describe the host's layout to learner code.
    args_fd = _data_fd("".join(f"{arg}\0" for arg in sandbox_args), fds)
    command = [
        host.shell, "-c", _JOIN_CGROUPS, "sh", str(len(cgroups)), *map(str, cgroups),
        host.unshare, "--mount", "--propagation", "private", "--",
        host.shell, "-c", _MOUNT_TMPFS, "sh", str(work_dir), tmpfs_options,
        *_rlimit_args(host.prlimit, limits),
        host.setpriv, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs",
        "--pdeathsig=KILL", "--",
        host.bwrap, "--args", args_fd, "--",
        *spec.command(python=f"{INNER_ENV_DIR}/bin/python", connection_file=inner_connection),
    ]  # fmt: skip
    log_file = open(host_dir / "kernel.log", "wb")  # noqa: SIM115 - closed by kill()
    try:
        process = subprocess.Popen(  # noqa: S603 - argv built from resolved tool paths only
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            pass_fds=fds,
            env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"},
        )
    except OSError as error:
        log_file.close()
        _discard_run(run)
        raise SandboxUnavailable(f"The sandbox launcher could not start: {error}") from error
    finally:
        for fd in fds:
            os.close(fd)
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        info = _read_info(info_read, process, deadline)
    finally:
        os.close(info_read)
    init_pid = info.get("child-pid")
    namespace = info.get("pid-namespace")
    return _finish_start(
        run,
        process,
        log_file,
        limits,
        deadline,
        init_pid=init_pid if isinstance(init_pid, int) else None,
        pid_namespace=namespace if isinstance(namespace, int) else None,
        launcher="bubblewrap",
    )


def _start_local(limits: Limits, host: HostPrimitives) -> SandboxKernel:
    """The unsafe fallback: a plain local kernel with whatever limits the host allows."""
    host_dir = _new_run_dir("pm-sandbox-local-")
    ipc_dir = host_dir / "ipc"
    ipc_dir.mkdir(mode=0o700)
    work_dir = host_dir / "work"
    work_dir.mkdir(mode=0o700)
    key = secrets.token_hex(32)
    connection_path = ipc_dir / CONNECTION_FILE
    info = _connection_info(str(ipc_dir / "k"), key)
    connection_path.write_text(json.dumps(info))
    connection_path.chmod(0o600)
    run_cgroups = _make_cgroups(host, limits, host_dir, warn=False) if host.shell else RunCgroups()
    cgroups = run_cgroups.paths
    command: list[str] = []
    if cgroups and host.shell:
        command += [host.shell, "-c", _JOIN_CGROUPS, "sh", str(len(cgroups)), *map(str, cgroups)]
    if host.prlimit:
        command += _rlimit_args(host.prlimit, limits)
    spec = sandbox_kernel_spec()
    # The grading environment's interpreter, so learner code imports the same packages as in the
    # sandbox; the grader's own only where that environment was never built.
    python = str(grading_env_python() or sys.executable)
    command += spec.command(python=python, connection_file=str(connection_path))
    environment = kernel_environment(home=str(work_dir))
    log_file = open(host_dir / "kernel.log", "wb")  # noqa: SIM115 - closed by kill()
    process = subprocess.Popen(  # noqa: S603 - argv built from resolved tool paths only
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=log_file,
        cwd=work_dir,
        env=environment,
        start_new_session=True,
    )
    _wait_for_sockets(ipc_dir, process, time.monotonic() + STARTUP_TIMEOUT_S)
    client, context = _new_client(info, limits)
    kernel = SandboxKernel(
        client=client,
        context=context,
        process=process,
        run_dir=work_dir,
        inner_run_dir=PurePosixPath(work_dir),
        host_dir=host_dir,
        log_file=log_file,
        limits=limits,
        uid=None,
        namespace_init_pid=None,
        pid_namespace=None,
        cgroups=cgroups,
        isolated=False,
        run_cgroups=run_cgroups,
    )
    if not _ready(kernel, process, time.monotonic() + STARTUP_TIMEOUT_S):
        raise _start_failed(kernel, "the kernel did not answer")
    return kernel
