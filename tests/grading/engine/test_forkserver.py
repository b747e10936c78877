"""The fork-server launcher: isolation asserted from inside a forked kernel, and the zygote's life."""

from __future__ import annotations

import errno
import os
import time

import pytest

from grading.engine.execute import call_json, run_cells
from grading.engine.limits import Limits
from grading.engine.sandbox import SandboxUnavailable, forkserver, kernel_launcher, start_kernel

pytestmark = pytest.mark.sandbox

LIMITS = Limits(cell_timeout_s=5.0, wall_timeout_s=20.0, memory_bytes=512 * 2**20)
CANARY = "zygote-canary-5d0c81aa"
WRITABLE_MOUNTS = {
    "/home/learner", "/dev/shm", "/dev/pts", "/proc", "/run/kernel",
    "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
}  # fmt: skip
USERNS_FROM_A_CHILD = """
def __pm_userns():
    import ctypes, os
    pid = os.fork()
    if pid == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        os._exit(ctypes.get_errno() if libc.unshare(0x10000000) else 0)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
"""


def forked() -> object:
    return start_kernel(LIMITS, launcher="forkserver")


def test_a_forked_kernel_is_an_unprivileged_uid_without_capabilities_or_new_privileges() -> None:
    with forked() as kernel:
        facts = call_json(
            kernel,
            "{'ids': list(__import__('os').getresuid()) + list(__import__('os').getresgid()),"
            " 'groups': __import__('os').getgroups(),"
            " 'status': {k: v.strip() for k, v in (line.split(':', 1) for line in"
            "   open('/proc/self/status').read().splitlines())"
            "   if k in ('CapInh', 'CapPrm', 'CapEff', 'CapAmb', 'NoNewPrivs', 'Seccomp')}}",
        )
    assert kernel.uid is not None and kernel.uid >= 1_800_000_000
    assert facts == {
        "ids": [kernel.uid] * 6,
        "groups": [],
        "status": {
            "CapInh": "0000000000000000",
            "CapPrm": "0000000000000000",
            "CapEff": "0000000000000000",
            "CapAmb": "0000000000000000",
            "NoNewPrivs": "1",
            "Seccomp": "2",
        },
    }


def test_a_forked_kernel_has_its_own_namespaces_and_sees_only_its_run() -> None:
    ours = {
        name: os.readlink(f"/proc/self/ns/{name}")
        for name in ("mnt", "pid", "net", "ipc", "uts", "cgroup")
    }
    with forked() as kernel:
        theirs = call_json(
            kernel,
            f"{{n: __import__('os').readlink('/proc/self/ns/' + n) for n in {sorted(ours)!r}}}",
        )
        seen = call_json(
            kernel,
            "{'pids': sorted(int(p) for p in __import__('os').listdir('/proc') if p.isdigit()),"
            " 'me': [__import__('os').getpid(), __import__('os').getppid()],"
            " 'host': __import__('socket').gethostname(),"
            " 'interfaces': [n for _, n in __import__('socket').if_nameindex()],"
            " 'cgroup': open('/proc/self/cgroup').read().split(':')[-1].strip(),"
            " 'root': sorted(__import__('os').listdir('/')),"
            " 'init_fds': sorted(__import__('os').listdir('/proc/1/fd'))}",
        )
    assert [name for name in ours if ours[name] == theirs[name]] == []
    assert seen == {
        "pids": [1, 2],
        "me": [2, 1],
        "host": "sandbox",
        "interfaces": ["lo"],
        "cgroup": "/",
        "root": ["bin", "dev", "etc", "home", "lib", "lib64", "opt", "proc", "run", "sbin", "usr"],
        "init_fds": ["0", "1", "2"],
    }


def test_the_host_root_is_detached_and_everything_else_is_read_only() -> None:
    with forked() as kernel:
        mounts = call_json(
            kernel,
            "[(line.split()[4], line.split()[5].split(',')[0])"
            " for line in open('/proc/self/mountinfo').read().splitlines()]",
        )
        write = run_cells(kernel, ["open('/etc/passwd', 'a')", "open('/opt/x', 'w')"], LIMITS)
    points = [point for point, _ in mounts]
    assert [point for point in points if point.startswith("/proc/")] == []
    assert {point for point, mode in mounts if mode == "rw"} <= WRITABLE_MOUNTS
    assert ["/", "ro"] in mounts and ["/usr", "ro"] in mounts
    assert [(cell.ename, cell.evalue.split(":")[0]) for cell in write.cells] == [
        ("PermissionError", "[Errno 13] Permission denied"),
        ("OSError", "[Errno 30] Read-only file system"),
    ]


@pytest.mark.parametrize(
    ("launcher", "refusals"),
    [("forkserver", {errno.EPERM}), ("bwrap", {errno.EPERM, errno.ENOSPC})],
)
def test_learner_code_cannot_create_a_user_namespace(launcher: str, refusals: set[int]) -> None:
    with start_kernel(LIMITS, launcher=launcher) as kernel:
        run_cells(kernel, [USERNS_FROM_A_CHILD], LIMITS)
        assert call_json(kernel, "__pm_userns()") in refusals


def memory_holding(pid: int, needle: bytes) -> list[str]:
    """The mappings of ``pid`` whose bytes contain ``needle`` (read as root from the grader)."""
    hits = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        for line in maps:
            fields = line.split()
            if not fields[1].startswith("r") or line.rstrip().endswith(("[vvar]", "[vsyscall]")):
                continue
            start, end = (int(part, 16) for part in fields[0].split("-"))
            try:
                mem.seek(start)
                if needle in mem.read(end - start):
                    hits.append(line.strip())
            except (OSError, OverflowError, ValueError):
                continue
    return hits


def test_no_grader_secret_reaches_a_forked_kernel_and_the_zygote_holds_no_django(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A zygote started while the grader holds a secret: no process of the run may carry it.
    forkserver.shutdown_fork_server()
    monkeypatch.setenv("DJANGO_SECRET_KEY", CANARY)
    with forked() as kernel:
        django = call_json(kernel, "'django' in __import__('sys').modules")
        pids = sorted(kernel.processes())
        hits = {pid: memory_holding(pid, CANARY.encode()) for pid in pids}
    assert django is False
    assert len(pids) == 3  # launcher, sandbox init, kernel
    assert hits == {pid: [] for pid in pids}


def test_each_forked_kernel_is_fresh_and_a_dead_zygote_is_replaced() -> None:
    first = forked()
    try:
        run_cells(first, ["import random; leak = random.random()"], LIMITS)
        second = forked()
        with second:
            assert call_json(second, "globals().get('leak')") is None
            assert second.uid != first.uid and second.pid_namespace != first.pid_namespace
            assert call_json(first, "leak") != call_json(second, "__import__('random').random()")
        server = forkserver._server
        assert server is not None and server._process is not None
        server._process.kill()
        deadline = time.monotonic() + 10
        while first.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        # Kernels die with their zygote, and the next start brings up a new one.
        assert not first.is_alive()
        with forked() as third:
            assert call_json(third, "6 * 7") == 42
        assert forkserver._server is not server
    finally:
        first.kill()
    assert first.processes() == set()


def test_a_forked_kernels_first_cells_and_first_error_import_nothing() -> None:
    # The zygote holds what they need imported, and has built the traceback formatter once.
    with forked() as kernel:
        result = run_cells(
            kernel, ["import sys\nbefore = set(sys.modules)", "x = 1", "1 / 0"], LIMITS
        )
        imported = call_json(kernel, "sorted(set(sys.modules) - before)")
    assert [cell.status for cell in result.cells] == ["ok", "ok", "error"]
    assert imported == []


def test_the_launcher_is_chosen_by_argument_then_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PM_ACADEMY_KERNEL_LAUNCHER", "bwrap")
    assert kernel_launcher() == "bwrap"
    assert kernel_launcher("forkserver") == "forkserver"
    monkeypatch.setenv("PM_ACADEMY_KERNEL_LAUNCHER", "docker")
    with pytest.raises(SandboxUnavailable) as raised:
        start_kernel(LIMITS)
    assert str(raised.value) == (
        "PM_ACADEMY_KERNEL_LAUNCHER='docker' is not a kernel launcher; use one of forkserver, bwrap."
    )
