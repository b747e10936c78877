"""The fork-server kernel launcher: a zygote holds ipykernel imported and forks each sandboxed kernel.

Selected with ``PM_ACADEMY_KERNEL_LAUNCHER=forkserver`` (``bwrap`` is the other launcher);
``kernels.start_kernel`` dispatches here, so pools, the pipeline and the tests are unchanged.

Launch sequence (the zygote's code is ``zygote.py``, run from source in a fresh interpreter)::

    grader (root) --Popen--> zygote setup: host python -I -S, clean allow-listed environment,
        private mount namespace, read-only template root = bubblewrap's view (/usr, /etc files,
        /opt/kernel-env), host root parked on /proc, exec the sandbox's python
    zygote serve (root, single-threaded): import ipykernel, gc.freeze(), wait for request sockets
      fork -> launcher (one per kernel): reads its request, joins the run's cgroups,
              unshare(mount, pid, net, ipc, uts, cgroup), drops to the run's uid after forking
        fork -> init (pid 1): binds the run's ipc directory from the parked host root, private
                passwd/group, run tmpfs, detaches the host root, fresh /proc, /dev/shm, devpts,
                rlimits, setgroups([]) + setresgid/setresuid(run uid), no_new_privs, the seccomp
                filter the request carries (``grading.engine.sandbox.seccomp``), closes every fd
                but stdio
          fork -> kernel (pid 2): allow-listed environment, ipykernel's launch_new_instance()

Threat model. The learner's code runs in the kernel (pid 2) and may do anything it can there.
What it holds and what it could reach:

* Privileges: the kernel is a per-run uid (random in a 100-million range) with no groups and no
  capabilities (setresuid from root drops them all), no_new_privs, and the seccomp filter of
  ``grading.engine.sandbox.seccomp`` (no namespaces, io_uring, keyrings, ptrace, mounts, ...;
  EPERM), so it cannot regain capabilities; same uid, namespaces, filter and limits as the
  bubblewrap launcher.
  The init (pid 1) runs as the same uid; the kernel can signal it but gains nothing: it holds the
  same memory and privileges and its death only ends the run.
* Resources: the launcher joins the run's cgroups (``grading.engine.sandbox.cgroups``: memory,
  pids, CPU on cgroup v2 or v1 where the host delegates them) before it forks anything, so the
  whole run is inside them; rlimits bound each process on top.
* Files: its root is the zygote's read-only template plus its own tmpfs home; the host root that
  the zygote keeps on /proc is detached in the run's mount namespace before any learner code runs,
  and no fd into it survives (every fd but stdin, stdout and the log is closed).
* Memory: the kernel is a copy of the zygote. The zygote is started with an allow-listed environment,
  imports nothing from the project or Django, reads no settings or files of the grader, and never
  reads a request: it only accepts a per-kernel socket and forks, and the launcher child reads the
  request. Requests carry the run's uid, limits and the host path of its ipc directory, never the
  kernel's HMAC key (the kernel reads its own connection file). What a learner can find in its copy
  is ipykernel's import state, which is public.
* Address-space layout is shared by every kernel forked from one zygote (the classic zygote
  weakness). It only helps an exploit against a process the learner can reach with memory
  corruption; the only such processes are its own run's init and kernel, which it already controls.
  The zygote and the launchers are in the grader's pid namespace, invisible to the run.
* The zygote is reachable only over a socketpair held by the grader; it is not in any sandbox's
  mount or network namespace. It dies with the grader thread that started it (parent-death signal),
  and every launcher and run dies with it.

Residual differences from bubblewrap: the run has no user namespace of its own (the kernel's uid is
the host uid, as it already was under bubblewrap's one-to-one mapping), and /dev/shm is a bounded
tmpfs instead of a writable /dev.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import logging
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from grading.engine.judge import JUDGE_CHANNEL, LEARNER_MODULE, LEARNER_SOURCE
from grading.engine.limits import Limits
from grading.engine.sandbox.hostcheck import HostPrimitives
from grading.engine.sandbox.kernelspec import (
    INNER_IPC_DIR,
    INNER_RUN_DIR,
    SHARED_ETC_FILES,
    TRACEBACK_MODE,
    TRACEBACK_THEME,
    kernel_environment,
    sandbox_kernel_spec,
)
from grading.engine.sandbox.seccomp import SeccompUnsupported, build_filter

logger = logging.getLogger(__name__)

ZYGOTE_SOURCE = Path(__file__).with_name("zygote.py")
STARTUP_TIMEOUT_S = 60.0
# Imported once in the zygote: everything `python -m ipykernel_launcher` imports before it
# answers kernel_info, which is most of a kernel's start-up cost.
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "tornado.gen",
    "tornado.locks",
    "tornado.queues",
    "tornado.platform.asyncio",
    "faulthandler",
    "pdb",
    "pydoc",
    # Imported by the first cell a kernel runs, and by its first traceback.
    "IPython.core.logger",
    "pygments.formatters.terminal256",
)
# debugpy's Django plugin imports django when it can: the zygote must hold nothing of the grader's
# framework, so these are made unimportable while preloading (and importable again afterwards).
PRELOAD_BLOCKED = ("django",)
_BOOTSTRAP = (
    "import os,sys;fd=int(sys.argv[3]);"
    "code=compile(os.pread(fd,1<<20,0),'pm-zygote','exec');ns={'__name__':'pm_zygote'};"
    "exec(code,ns);ns['main'](sys.argv[1:])"
)


class ForkServerUnavailable(RuntimeError):
    """The zygote could not start or stopped answering."""


class ForkedProcess:
    """The grader's handle on one launcher, shaped like ``subprocess.Popen`` for ``SandboxKernel``.

    The launcher is the zygote's child, not ours, so its exit code arrives over its request socket
    and signals go through a pidfd (no pid reuse races).
    """

    def __init__(self, conn: socket.socket, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self._conn = conn
        self._pidfd: int | None = None
        with contextlib.suppress(OSError):
            self._pidfd = os.pidfd_open(pid)
        if self.poll() is not None and self._pidfd is not None:
            # The launcher may already be gone; the pidfd could then name a stranger.
            os.close(self._pidfd)
            self._pidfd = None

    def _read(self, timeout: float) -> None:
        if self.returncode is not None:
            return
        ready, _, _ = select.select([self._conn], [], [], timeout)
        if not ready:
            return
        try:
            data = self._conn.recv(4096)
        except OSError:
            data = b""
        if not data:
            self.returncode = -signal.SIGKILL
            self._close()
            return
        with contextlib.suppress(ValueError, TypeError):
            message = json.loads(data)
            if isinstance(message, dict) and isinstance(message.get("exit"), int):
                self.returncode = message["exit"]
                self._close()

    def _close(self) -> None:
        with contextlib.suppress(OSError):
            self._conn.close()
        if self._pidfd is not None:
            with contextlib.suppress(OSError):
                os.close(self._pidfd)
            self._pidfd = None

    def poll(self) -> int | None:
        while self.returncode is None:
            before = self.returncode
            self._read(0)
            if self.returncode == before:
                break
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            left = 1.0 if deadline is None else deadline - time.monotonic()
            if left <= 0:
                raise subprocess.TimeoutExpired(["pm-forkserver-launcher"], timeout or 0)
            self._read(min(left, 1.0))
        assert self.returncode is not None  # noqa: S101 - poll() returned it
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None and self._pidfd is not None:
            with contextlib.suppress(OSError):
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)


class ForkServer:
    """One zygote per grader process; ``request()`` hands it a socket and gets a launcher back."""

    def __init__(self, host: HostPrimitives, runs_dir: Path) -> None:
        if host.kernel_python is None or host.site_packages is None or not host.is_root:
            raise ForkServerUnavailable(
                "the fork server needs root, the kernel python and site-packages"
            )
        self.owner_pid = os.getpid()
        self.host_dir = runs_dir
        self._lock = threading.Lock()
        self._control, zygote_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._process: subprocess.Popen[bytes] | None = None
        started = threading.Event()
        failure: list[BaseException] = []

        def keep() -> None:
            # The zygote dies with the thread that started it (parent-death signal), so it is
            # started from this thread, which lives exactly as long as the zygote.
            try:
                self._process = self._spawn(host, zygote_end)
            except BaseException as error:
                failure.append(error)
                return
            finally:
                zygote_end.close()
                started.set()
            self._process.wait()

        self._thread = threading.Thread(target=keep, name="kernel-forkserver", daemon=True)
        self._thread.start()
        started.wait()
        if failure:
            raise ForkServerUnavailable(f"the fork server could not start: {failure[0]}")
        ready, _, _ = select.select([self._control], [], [], STARTUP_TIMEOUT_S)
        answer = self._control.recv(4096) if ready else b""
        if answer != b"ready":
            self.close(keep_log=True)
            reason = answer.decode("utf-8", "replace") or "no answer"
            raise ForkServerUnavailable(
                f"the fork server did not start: {reason}. {self.log_tail()}".strip()
            )

    def _spawn(self, host: HostPrimitives, zygote_end: socket.socket) -> subprocess.Popen[bytes]:
        assert host.kernel_python is not None and host.site_packages is not None  # noqa: S101
        root = self.host_dir / "root"
        root.mkdir(mode=0o755)
        config = {
            "grader_pid": os.getpid(),
            "root": str(root),
            "python": str(host.kernel_python),
            "python_version": f"python{sys.version_info.major}.{sys.version_info.minor}",
            "site_packages": str(host.site_packages),
            "etc": list(SHARED_ETC_FILES),
            "environment": kernel_environment(home=INNER_RUN_DIR),
            "preload": list(PRELOAD),
            "blocked": list(PRELOAD_BLOCKED),
            "traceback": [TRACEBACK_MODE, TRACEBACK_THEME],
            "bootstrap": _BOOTSTRAP,
            # The judge's learner end, compiled once here rather than in every kernel (judge.py).
            "learner_end": [LEARNER_MODULE, LEARNER_SOURCE, JUDGE_CHANNEL],
        }
        config_fd = os.memfd_create("pm-zygote-config", 0)
        source_fd = os.memfd_create("pm-zygote-source", 0)
        try:
            os.write(config_fd, json.dumps(config).encode())
            os.write(source_fd, ZYGOTE_SOURCE.read_bytes())
            control_fd = zygote_end.fileno()
            fds = (config_fd, source_fd, control_fd)
            with open(self.host_dir / "zygote.log", "wb") as log:
                return subprocess.Popen(  # noqa: S603 - argv built from resolved tool paths only
                    [
                        str(host.kernel_python),
                        "-I",
                        "-S",
                        "-c",
                        _BOOTSTRAP,
                        "setup",
                        *map(str, fds),
                    ],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    pass_fds=fds,
                    cwd="/",
                    env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"},
                )
        finally:
            os.close(config_fd)
            os.close(source_fd)

    def is_alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log_tail(self, limit: int = 1500) -> str:
        try:
            return (self.host_dir / "zygote.log").read_text(errors="replace")[-limit:].strip()
        except OSError:
            return ""

    def request(
        self, payload: dict[str, object], fds: list[int], deadline: float
    ) -> tuple[ForkedProcess, int]:
        """Fork one sandboxed kernel; returns the launcher handle and the sandbox init's host pid."""
        conn, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            with self._lock:
                socket.send_fds(self._control, [b"k"], [theirs.fileno()])
            theirs.close()
            socket.send_fds(conn, [json.dumps(payload).encode()], fds)
            ready, _, _ = select.select([conn], [], [], max(0.0, deadline - time.monotonic()))
            data = conn.recv(65536) if ready else b""
        except OSError as error:
            conn.close()
            raise ForkServerUnavailable(f"the fork server stopped answering: {error}") from error
        finally:
            theirs.close()
        try:
            answer = json.loads(data) if data else {}
        except ValueError:
            answer = {}
        if "init_pid" not in answer:
            conn.close()
            reason = answer.get("error") or "no answer from the fork server"
            raise ForkServerUnavailable(str(reason))
        return ForkedProcess(conn, int(answer["pid"])), int(answer["init_pid"])

    def close(self, *, keep_log: bool = False) -> None:
        with contextlib.suppress(OSError):
            self._control.close()
        if self._process is not None and os.getpid() == self.owner_pid:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=5)
            if not keep_log:
                shutil.rmtree(self.host_dir, ignore_errors=True)


_server_lock = threading.Lock()
_server: ForkServer | None = None


def _forget_server_after_fork() -> None:
    # A forked grader must not share the parent's zygote socket: it starts its own on demand.
    global _server, _server_lock
    _server = None
    _server_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_server_after_fork)


def fork_server(host: HostPrimitives, new_run_dir) -> ForkServer:  # noqa: ANN001 - a sandbox helper
    """The process's zygote, started on first use and again if it died."""
    global _server
    with _server_lock:
        if _server is None or not _server.is_alive():
            if _server is not None:
                logger.error(
                    "The kernel fork server died; starting a new one. %s", _server.log_tail()
                )
                _server.close()
            _server = ForkServer(host, new_run_dir("pm-sandbox-zygote-"))
        return _server


@atexit.register
def shutdown_fork_server() -> None:
    """Stop the zygote; every kernel it forked dies with it."""
    global _server
    with _server_lock:
        if _server is not None:
            _server.close()
            _server = None


@functools.cache
def seccomp_filter() -> bytes:
    """The seccomp program every run loads (``seccomp.build_filter``), built once per grader."""
    return build_filter()


def fork_request(
    *,
    uid: int,
    limits: Limits,
    ipc_dir: Path,
    tmpfs_options: str,
    rlimits: list[tuple[int, int, int]],
) -> dict[str, object]:
    """What the launcher needs to build one run: nothing secret, no key."""
    spec = sandbox_kernel_spec()
    argv = spec.command(python="", connection_file=f"{INNER_IPC_DIR}/kernel.json")[3:]
    try:
        seccomp = seccomp_filter()
    except SeccompUnsupported as error:
        raise ForkServerUnavailable(str(error)) from error
    return {
        "uid": uid,
        "seccomp": seccomp.hex(),
        "ipc_dir": str(ipc_dir),
        "tmpfs_options": tmpfs_options,
        "rlimits": [list(limit) for limit in rlimits],
        "environment": kernel_environment(home=INNER_RUN_DIR),
        "argv": argv,
    }
