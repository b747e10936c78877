"""Limits of a whole run (memory, processes, CPU share through cgroups), the seccomp filter, and
what a killed grader leaves behind, attacked from notebook cells through the engine's public
functions (``start_kernel`` + ``run_cells``), with both kernel launchers.

Each attack asserts its verdict, then that no process of the run, no run directory and no cgroup
outlives it. Where this host cannot give a run a memory, pids or cpu cgroup, the test that needs
one skips and says why (``check_sandbox`` reports the same).
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import platform
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grading.engine.execute import RunResult, Verdict, run_cells
from grading.engine.limits import Limits
from grading.engine.sandbox import (
    SandboxKernel,
    forkserver,
    kernels,
    start_kernel,
    sweep_stale_runs,
)
from grading.engine.sandbox.cgroups import PARENT_NAME, cgroup_layout, remove_cgroup
from grading.engine.sandbox.hostcheck import probe_host
from grading.engine.sandbox.seccomp import DENIED

pytestmark = pytest.mark.sandbox

PROJECT = Path(__file__).resolve().parents[2]
LAUNCHERS = ["forkserver", "bwrap"]
MIB = 2**20
SIX_CHILDREN_OF_600_MB = """
import os, time
children = []
for _ in range(6):
    pid = os.fork()
    if pid == 0:
        try:
            block = bytearray(600 * 2**20)
            for offset in range(0, len(block), 4096):
                block[offset] = 1  # touch every page: resident, not just reserved
            time.sleep(30)
        finally:
            os._exit(0)
    children.append(pid)
print([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children])
"""
FORK_BOMB = """
import os, time
made, refused, error = 0, 0, None
for _ in range(400):
    try:
        pid = os.fork()
    except OSError as exc:
        refused, error = refused + 1, exc.errno
        continue
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    made += 1
print(made, refused, error)
"""


def controller_or_skip(name: str):
    controller = getattr(cgroup_layout(probe_host()), name)
    if not controller.available:
        pytest.skip(f"no {name} cgroup on this host: {controller.reason}")
    return controller


@dataclass
class Outcome:
    result: RunResult
    kernel: SandboxKernel
    seen_pids: set[int] = field(default_factory=set)
    samples: list[dict[str, int]] = field(default_factory=list)
    inspected: object = None


def run_attack(
    sources: list[str],
    limits: Limits,
    *,
    launcher: str,
    before: Callable[[SandboxKernel], None] | None = None,
    sample: Callable[[SandboxKernel], dict[str, int]] | None = None,
    inspect: Callable[[SandboxKernel, RunResult], object] | None = None,
) -> Outcome:
    """Run the cells, sampling the run's processes (and ``sample``) every 20 ms, then kill it and
    check that nothing of it remains."""
    kernel = start_kernel(limits, launcher=launcher)
    seen: set[int] = set()
    samples: list[dict[str, int]] = []
    stop = threading.Event()

    def sampler() -> None:
        while not stop.is_set():
            seen.update(kernel.processes())
            if sample is not None:
                samples.append(sample(kernel))
            stop.wait(0.02)

    thread = threading.Thread(target=sampler, daemon=True)
    inspected: object = None
    try:
        if before is not None:
            before(kernel)
        thread.start()
        result = run_cells(kernel, sources, limits)
        if inspect is not None:
            inspected = inspect(kernel, result)
    finally:
        stop.set()
        if thread.is_alive():
            thread.join()
        kernel.kill()
    outcome = Outcome(result, kernel, seen, samples, inspected)
    assert_nothing_remains(outcome)
    return outcome


def assert_nothing_remains(outcome: Outcome) -> None:
    kernel = outcome.kernel
    assert not kernel.is_alive()
    assert kernel.processes() == set()
    assert [pid for pid in outcome.seen_pids if _alive(pid)] == []
    assert [cgroup for cgroup in kernel.cgroups if cgroup.exists()] == []
    assert not kernel._host_dir.exists()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state not in {"Z", "X"}


def _counter(path: Path, key: str) -> int:
    for line in path.read_text().splitlines():
        name, _, value = line.partition(" ")
        if name == key:
            return int(value)
    raise KeyError(key)


def stdout(result: RunResult, index: int = 0) -> str:
    return "".join(
        o.get("text", "") for o in result.cells[index].outputs if o["output_type"] == "stream"
    )


# ---------------------------------------------------------------- memory


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_six_children_of_600_mb_are_stopped_with_a_memory_verdict(launcher: str) -> None:
    controller_or_skip("memory")
    limits = Limits(cell_timeout_s=30.0, wall_timeout_s=40.0)  # the default 1 GiB of memory
    bound = limits.memory_bytes + limits.tmpfs_bytes

    def usage(kernel: SandboxKernel) -> dict[str, int]:
        cgroup = kernel.run_cgroups.memory
        assert cgroup is not None
        name = (
            "memory.current" if kernel.run_cgroups.memory_version == 2 else "memory.usage_in_bytes"
        )
        try:
            return {"bytes": int((cgroup / name).read_text())}
        except (OSError, ValueError):
            return {"bytes": 0}

    started = time.monotonic()
    outcome = run_attack(
        [SIX_CHILDREN_OF_600_MB, "print('never runs')"],
        limits,
        launcher=launcher,
        sample=usage,
        inspect=lambda kernel, _: kernel.memory_peak(),
    )
    elapsed = time.monotonic() - started
    result, peak = outcome.result, outcome.inspected
    assert result.verdict is Verdict.MEMORY, (result.verdict, result.message, result.cells)
    assert result.message == (
        "The notebook used more than the 1024 MiB of memory it may use while running code cell 1, "
        "so it was stopped."
    )
    assert [cell.status for cell in result.cells] == ["error", "not_run"]
    assert outcome.kernel.oom_kills() >= 1
    # The whole run, kernel and children together, never held more than its bound (3.6 GB
    # without one) and really did fill it.
    assert isinstance(peak, int) and bound // 2 < peak <= bound
    assert max(sample["bytes"] for sample in outcome.samples) <= bound
    assert elapsed < 30.0
    print(
        f"\n{launcher}: peak {peak / MIB:.0f} MiB of {bound / MIB:.0f} MiB, stopped in {elapsed:.1f} s"
    )


# ---------------------------------------------------------------- seccomp

SYSCALL_PROBE = """
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def errno_of(number, *args):
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(a) for a in args])
    return ctypes.get_errno() if result == -1 else 0
numbers = NUMBERS
found = {name: errno_of(number, *ARGS.get(name, ())) for name, number in numbers.items()}
found["personality(query)"] = libc.personality(ctypes.c_ulong(0xFFFFFFFF)) >= 0
child = os.fork()
if child == 0:
    os._exit(0)
found["fork"] = os.waitpid(child, 0)[1] == 0
found["seccomp mode"] = open("/proc/self/status").read().split("Seccomp:")[1].split()[0]
print(__import__("json").dumps(found))
"""
# Arguments that would succeed (or fail with another errno) without the filter, so EPERM can
# only come from it: io_uring_setup(1, NULL) is EFAULT, keyctl(KEYCTL_GET_KEYRING_ID, session)
# succeeds, request_key of a missing key is ENOKEY, personality(ADDR_NO_RANDOMIZE) succeeds.
PROBE_ARGS = {
    "io_uring_setup": (1, 0),
    "io_uring_enter": (0, 0, 0, 0, 0, 0),
    "io_uring_register": (0, 0, 0, 0),
    "keyctl": (0, -3, 0),
    "add_key": (0, 0, 0, 0, -3),
    "request_key": (0, 0, 0, 0),
    "personality": (0x0040000,),
    "unshare": (0x00000400,),  # CLONE_FS: harmless, allowed without the filter
    "userfaultfd": (1,),  # UFFD_USER_MODE_ONLY: allowed unprivileged without the filter
    "ptrace": (0,),  # PTRACE_TRACEME: allowed without the filter
}
PROBED = [
    "io_uring_setup", "io_uring_enter", "io_uring_register", "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd", "ptrace", "process_vm_readv", "unshare", "setns",
    "mount", "pivot_root", "open_by_handle_at", "name_to_handle_at", "kcmp", "pidfd_getfd",
    "vmsplice", "move_pages", "mbind", "personality",
]  # fmt: skip


def _host_errno(number: int, *args: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(number), *[ctypes.c_long(arg) for arg in args])
    if result >= 0 and number == 425:
        os.close(result)
    return ctypes.get_errno() if result == -1 else 0


def test_the_probe_calls_do_not_fail_with_eperm_outside_the_sandbox() -> None:
    """So EPERM inside the sandbox comes from the filter, not from missing privileges."""
    column = 0 if platform.machine() == "x86_64" else 1
    assert _host_errno(DENIED["io_uring_setup"][column], 1, 0) == errno.EFAULT
    assert _host_errno(DENIED["keyctl"][column], 0, -3, 0) == 0
    assert _host_errno(DENIED["request_key"][column], 0, 0, 0, 0) != errno.EPERM


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_io_uring_keyrings_and_the_documented_calls_get_eperm_from_a_cell(launcher: str) -> None:
    column = 0 if platform.machine() == "x86_64" else 1
    numbers = {name: DENIED[name][column] for name in PROBED if name != "personality"}
    numbers["personality"] = 135 if column == 0 else 92
    cell = SYSCALL_PROBE.replace("NUMBERS", repr(numbers)).replace("ARGS", repr(PROBE_ARGS))
    limits = Limits(cell_timeout_s=10.0, wall_timeout_s=20.0)
    outcome = run_attack([cell], limits, launcher=launcher)
    assert outcome.result.verdict is Verdict.OK, outcome.result.cells[0]
    found = json.loads(stdout(outcome.result))
    assert {name: found[name] for name in numbers} == dict.fromkeys(numbers, errno.EPERM)
    # What a kernel needs still works: reading the personality, forking, and the filter is on.
    assert (found["personality(query)"], found["fork"], found["seccomp mode"]) == (True, True, "2")


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_refused_calls_reach_python_as_a_plain_permission_error(launcher: str) -> None:
    cell = textwrap.dedent(
        """
        import os
        try:
            os.chroot("/")
        except PermissionError as error:
            print(type(error).__name__, error.errno)
        """
    )
    outcome = run_attack(
        [cell], Limits(cell_timeout_s=10.0, wall_timeout_s=20.0), launcher=launcher
    )
    assert stdout(outcome.result) == "PermissionError 1\n"


# ---------------------------------------------------------------- processes


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_a_fork_bomb_is_held_at_the_pids_limit(launcher: str) -> None:
    controller_or_skip("pids")
    limits = Limits(cell_timeout_s=20.0, wall_timeout_s=30.0)
    bound = limits.max_processes + 4

    def tasks(kernel: SandboxKernel) -> dict[str, int]:
        assert kernel.run_cgroups.pids is not None
        try:
            return {"tasks": int((kernel.run_cgroups.pids / "pids.current").read_text())}
        except (OSError, ValueError):
            return {"tasks": 0}

    def pids_max(kernel: SandboxKernel, _: RunResult) -> str:
        assert kernel.run_cgroups.pids is not None
        return (kernel.run_cgroups.pids / "pids.max").read_text().strip()

    outcome = run_attack([FORK_BOMB], limits, launcher=launcher, sample=tasks, inspect=pids_max)
    made, refused, error = stdout(outcome.result).split()
    assert outcome.result.verdict is Verdict.OK
    assert int(made) < limits.max_processes and int(refused) > 0 and int(error) == errno.EAGAIN
    assert outcome.inspected == str(bound)
    assert 0 < max(sample["tasks"] for sample in outcome.samples) <= bound


@pytest.mark.parametrize("launcher", LAUNCHERS)
def test_the_pids_cgroup_itself_refuses_forks_beyond_its_limit(launcher: str) -> None:
    """RLIMIT_NPROC usually trips first; tighten pids.max below it to see the cgroup act alone."""
    controller_or_skip("pids")
    limits = Limits(cell_timeout_s=20.0, wall_timeout_s=30.0)

    def tighten(kernel: SandboxKernel) -> None:
        assert kernel.run_cgroups.pids is not None
        current = int((kernel.run_cgroups.pids / "pids.current").read_text())
        (kernel.run_cgroups.pids / "pids.max").write_text(str(current + 10))

    def refusals(kernel: SandboxKernel, _: RunResult) -> tuple[int, int]:
        assert kernel.run_cgroups.pids is not None
        events = _counter(kernel.run_cgroups.pids / "pids.events", "max")
        return events, int((kernel.run_cgroups.pids / "pids.max").read_text())

    outcome = run_attack([FORK_BOMB], limits, launcher=launcher, before=tighten, inspect=refusals)
    made, refused, error = stdout(outcome.result).split()
    events, _ = outcome.inspected  # type: ignore[misc]
    assert int(made) <= 10 and int(refused) > 0 and int(error) == errno.EAGAIN
    assert events > 0


# ---------------------------------------------------------------- CPU share

CPU_SPIN = """
import os, time
def spin(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
children = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        spin(1.5)
        os._exit(0)
    children.append(pid)
for pid in children:
    os.waitpid(pid, 0)
times = os.times()
print(times.children_user + times.children_system)
"""


def test_the_run_gets_no_more_than_its_cpu_quota() -> None:
    controller = controller_or_skip("cpu")
    limits = Limits(cell_timeout_s=20.0, wall_timeout_s=30.0, cpu_quota=0.25)

    def cpu_files(kernel: SandboxKernel, _: RunResult) -> dict[str, str]:
        cgroup = kernel.run_cgroups.cpu
        assert cgroup is not None
        names = (
            ["cpu.max"] if controller.version == 2 else ["cpu.cfs_quota_us", "cpu.cfs_period_us"]
        )
        found = {name: (cgroup / name).read_text().strip() for name in names}
        found["nr_throttled"] = str(_counter(cgroup / "cpu.stat", "nr_throttled"))
        return found

    outcome = run_attack([CPU_SPIN], limits, launcher="forkserver", inspect=cpu_files)
    used = float(stdout(outcome.result))
    files = outcome.inspected
    assert isinstance(files, dict)
    if controller.version == 2:
        assert files["cpu.max"] == "25000 100000"
    else:
        assert (files["cpu.cfs_quota_us"], files["cpu.cfs_period_us"]) == ("25000", "100000")
    # Two children spinning 1.5 s each would use up to 3 CPU-seconds on two free cores; a quarter
    # core for the ~1.5 s they run allows ~0.4 s.
    assert used < 0.25 * 1.5 * 1.6 + 0.1, used
    assert int(files["nr_throttled"]) > 0


# ---------------------------------------------------------------- a killed grader

GRADER = """
import json, os, sys, time
sys.path.insert(0, {project!r})
from grading.engine.limits import Limits
from grading.engine.sandbox import start_kernel
from grading.engine.execute import run_cells
kernel = start_kernel(Limits(cell_timeout_s=5.0, wall_timeout_s=10.0), launcher={launcher!r})
run_cells(kernel, ["import subprocess; subprocess.Popen(['sleep', '600'])"], kernel.limits)
print(json.dumps({{"run_dir": str(kernel._host_dir), "cgroups": [str(c) for c in kernel.cgroups],
                  "pids": sorted(kernel.processes())}}), flush=True)
time.sleep(600)
"""


@pytest.fixture
def private_runs_dir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    # Searchable by the sandbox users (pytest's tmp_path is not), and ours alone, so a sweep
    # here never meets another grader's runs.
    runs = Path(tempfile.mkdtemp(prefix="pm-runs-test-"))
    runs.chmod(0o711)
    monkeypatch.setenv(kernels.RUNS_DIR_ENV, str(runs))
    yield runs
    server = forkserver._server
    if server is not None and server.host_dir.parent == runs:
        forkserver.shutdown_fork_server()  # the next test starts one in the usual runs directory
    shutil.rmtree(runs, ignore_errors=True)


@pytest.mark.parametrize(
    ("launcher", "tmp_gone"),
    [("forkserver", False), ("bwrap", False), ("forkserver", True)],
    ids=["forkserver", "bwrap", "run-dir-gone-with-a-private-tmp"],
)
def test_a_grader_killed_outright_leaves_nothing_after_the_next_start(
    launcher: str, tmp_gone: bool, private_runs_dir: Path
) -> None:
    environment = {**os.environ, kernels.RUNS_DIR_ENV: str(private_runs_dir)}
    grader = subprocess.Popen(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", GRADER.format(project=str(PROJECT), launcher=launcher)],
        stdout=subprocess.PIPE,
        env=environment,
        text=True,
    )
    try:
        assert grader.stdout is not None
        ready, _, _ = select.select([grader.stdout], [], [], 60)
        assert ready, "the grader did not start a kernel within 60 s"
        state = json.loads(grader.stdout.readline())
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    run_dir = Path(state["run_dir"])
    cgroups = [Path(path) for path in state["cgroups"]]
    assert run_dir.parent == private_runs_dir
    assert cgroups and all(cgroup.is_dir() for cgroup in cgroups)
    # Its kernels die with it (parent-death signals); only the bookkeeping is left.
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in state["pids"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in state["pids"] if _alive(pid)] == []
    assert run_dir.is_dir()
    if tmp_gone:  # systemd's PrivateTmp=yes removes the worker's /tmp when it stops
        shutil.rmtree(run_dir)

    # The next grader's first start_kernel sweeps before it starts anything.
    kernels._swept_in = None
    with start_kernel(Limits(), launcher=launcher) as kernel:
        assert kernel.is_alive()
        assert not run_dir.exists()
        assert [cgroup for cgroup in cgroups if cgroup.exists()] == []
    # Only this process's own fork server (a live owner) is left.
    assert [
        p.name for p in private_runs_dir.iterdir() if not p.name.startswith("pm-sandbox-zygote-")
    ] == []


def _join_and_sleep(cgroups: list[Path]) -> subprocess.Popen[bytes]:
    """A straggler left inside ``cgroups``."""
    joins = " ".join(f"echo $$ > {cgroup}/cgroup.procs;" for cgroup in cgroups)
    process = subprocess.Popen(["/bin/sh", "-c", f"{joins} exec sleep 600"])  # noqa: S603
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not all(
        (cgroup / "cgroup.procs").read_text().strip() for cgroup in cgroups
    ):
        time.sleep(0.01)
    return process


def test_the_sweep_kills_what_is_left_in_stale_cgroups_and_removes_them(
    private_runs_dir: Path,
) -> None:
    parents = cgroup_layout(probe_host()).parents()
    assert parents and all(parent.name == PARENT_NAME for parent in parents)
    ours = (kernels._process_identity(os.getpid()) or "").replace(" ", "-")
    # 1. A stale run directory (its owner is gone) listing its cgroups, a process still in them.
    stale = private_runs_dir / "pm-sandbox-999999999-1-stale001"
    stale.mkdir()
    (stale / "owner").write_text("999999999 1")
    stale_cgroups = [parent / stale.name for parent in parents]
    (stale / kernels.CGROUPS_FILE).write_text("".join(f"{path}\n" for path in stale_cgroups))
    # 2. Cgroups of a dead grader whose run directory went with its private /tmp.
    homeless = [parent / "pm-sandbox-999999998-7-gone0001" for parent in parents]
    # 3. A live run of ours, and cgroups of an older layout (no owner in the name): only the old,
    #    empty one without a run directory goes.
    live = private_runs_dir / f"pm-sandbox-{ours}-live0001"
    live.mkdir()
    (live / "owner").write_text(kernels._process_identity(os.getpid()) or "")
    live_cgroups = [parent / live.name for parent in parents]
    old_orphan, young_orphan = (
        parents[0] / "pm-sandbox-orphan01",
        parents[0] / "pm-sandbox-orphan02",
    )
    made = [*stale_cgroups, *homeless, *live_cgroups, old_orphan, young_orphan]
    for cgroup in made:
        cgroup.mkdir()
    os.utime(old_orphan, (time.time() - 3600, time.time() - 3600))
    stragglers = [_join_and_sleep(stale_cgroups), _join_and_sleep(homeless)]
    keeper = _join_and_sleep(live_cgroups)
    try:
        assert sweep_stale_runs(probe_host()) == [stale]
        assert [straggler.wait(timeout=5) for straggler in stragglers] == [-signal.SIGKILL] * 2
        assert keeper.poll() is None
        assert [
            cgroup for cgroup in (*stale_cgroups, *homeless, old_orphan) if cgroup.exists()
        ] == []
        assert all(cgroup.is_dir() for cgroup in (*live_cgroups, young_orphan))
        assert not stale.exists() and live.is_dir()
    finally:
        for process in (*stragglers, keeper):
            process.kill()
            process.wait()
        for cgroup in made:
            if cgroup.exists():
                remove_cgroup(cgroup)
