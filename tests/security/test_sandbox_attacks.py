"""Red-team suite at the execution level: one fixture notebook per attack.

Every attack asserts its verdict, that no server secret shows up anywhere in what the
grader got back, and that no process of the run outlives ``kill()``.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import socket
import subprocess
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import nbformat
import pytest

from grading.engine.execute import RunResult, Verdict, call_json, run_cells
from grading.engine.limits import Limits
from grading.engine.sandbox import SandboxKernel, start_kernel

pytestmark = pytest.mark.sandbox

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "notebooks"
CANARY = "sekrit-canary-7c41d9e2"
LIMITS = Limits(
    cell_timeout_s=2.0,
    wall_timeout_s=5.0,
    cpu_seconds=10,
    memory_bytes=512 * 2**20,
    tmpfs_bytes=32 * 2**20,
    output_bytes=64 * 1024,
    message_bytes=2 * 2**20,
)


@pytest.fixture(autouse=True)
def server_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SECRET_KEY", CANARY)
    monkeypatch.setenv("DATABASE_URL", f"postgres://grader:{CANARY}@127.0.0.1/pm_academy")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", CANARY)


def notebook_sources(name: str) -> list[str]:
    notebook = nbformat.read(FIXTURES / name, as_version=4)
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


def alive_in(pid: int, namespace: int | None) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        inode = os.stat(f"/proc/{pid}/ns/pid").st_ino
    except OSError:
        return False
    return state != "Z" and (namespace is None or inode == namespace)


@dataclass
class Attack:
    result: RunResult
    kernel: SandboxKernel
    seen_pids: set[int] = field(default_factory=set)
    log: str = ""


def attack(
    name: str, *, prelude: tuple[str, ...] = (), limits: Limits = LIMITS, inspect=None
) -> Attack:
    kernel = start_kernel(limits)
    seen: set[int] = set()
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            seen.update(kernel.processes())
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        result = run_cells(kernel, [*prelude, *notebook_sources(name)], limits)
        seen.update(kernel.processes())
        if inspect is not None:
            inspect(kernel, result)
        log = kernel.log_tail(100_000)
    finally:
        stop.set()
        sampler.join()
        kernel.kill()
    outcome = Attack(result=result, kernel=kernel, seen_pids=seen, log=log)
    assert_nothing_survives(outcome)
    assert_no_secret(outcome)
    return outcome


def assert_nothing_survives(outcome: Attack) -> None:
    kernel = outcome.kernel
    assert outcome.seen_pids, "the sampler saw no process of the run"
    assert not kernel.is_alive()
    assert kernel.processes() == set()
    assert [pid for pid in outcome.seen_pids if alive_in(pid, kernel.pid_namespace)] == []
    assert kernel.pid_namespace is not None
    survivors = [
        entry.name
        for entry in os.scandir("/proc")
        if entry.name.isdigit() and alive_in(int(entry.name), kernel.pid_namespace)
    ]
    assert survivors == []
    assert [cgroup for cgroup in kernel.cgroups if cgroup.exists()] == []


def assert_no_secret(outcome: Attack) -> None:
    assert CANARY not in json.dumps(asdict(outcome.result), default=str)
    assert CANARY not in outcome.log


def texts(result: RunResult, index: int) -> str:
    return "".join(
        output.get("text", "")
        for output in result.cells[index].outputs
        if output["output_type"] == "stream"
    )


def test_infinite_loop_is_interrupted_at_the_cell_limit_and_the_run_goes_on() -> None:
    outcome = attack("sandbox_infinite_loop.ipynb")
    first, second = outcome.result.cells
    assert outcome.result.verdict is Verdict.OK
    assert (first.status, first.ename) == ("error", "TimeoutError")
    assert first.evalue == "The cell ran longer than 2 s and was interrupted."
    assert 2.0 <= first.duration_s < 4.0
    assert (second.status, texts(outcome.result, 1)) == ("ok", "after the loop\n")


def test_loop_that_ignores_sigint_is_killed_with_a_timeout_verdict() -> None:
    started = time.monotonic()
    outcome = attack("sandbox_loop_ignoring_sigint.ipynb")
    result = outcome.result
    assert result.verdict is Verdict.TIMEOUT
    assert [cell.status for cell in result.cells] == ["ok", "error", "not_run"]
    assert result.cells[1].ename == "TimeoutError"
    assert result.message.startswith(
        "Code cell 2 ran longer than 2 s and did not stop when interrupted"
    )
    assert time.monotonic() - started < LIMITS.wall_timeout_s + 5


def test_memory_bomb_gets_a_memory_verdict() -> None:
    outcome = attack("sandbox_memory_bomb.ipynb")
    result = outcome.result
    assert result.verdict is Verdict.MEMORY
    assert [cell.status for cell in result.cells] == ["error", "not_run"]
    assert result.cells[0].ename == "MemoryError"
    assert result.message == (
        "The notebook used more than the 512 MiB of memory it may use while running code cell 1, "
        "so it was stopped."
    )


def test_fork_bomb_is_capped_and_every_process_dies() -> None:
    counts: list[int] = []
    outcome = attack(
        "sandbox_fork_bomb.ipynb",
        inspect=lambda kernel, result: counts.append(len(kernel.processes())),
    )
    assert outcome.result.verdict is Verdict.OK
    assert texts(outcome.result, 0) == "forks refused: True\n"
    # The cap counts threads as well; the kernel's own threads take part of it.
    assert 10 < counts[0] <= LIMITS.max_processes + 4


def test_one_big_file_is_stopped_by_the_file_size_and_tmpfs_limits() -> None:
    outcome = attack("sandbox_disk_fill_big_file.ipynb")
    big, chunks = outcome.result.cells
    assert outcome.result.verdict is Verdict.OK
    assert (big.status, big.ename, big.evalue) == ("error", "OSError", "[Errno 27] File too large")
    assert (chunks.status, chunks.ename) == ("error", "OSError")
    assert chunks.evalue.startswith("[Errno 28] No space left on device")


def test_many_small_files_run_out_of_inodes() -> None:
    outcome = attack("sandbox_disk_fill_many_files.ipynb")
    fill, report = outcome.result.cells
    assert outcome.result.verdict is Verdict.OK
    assert (fill.status, fill.ename) == ("error", "OSError")
    assert fill.evalue.startswith("[Errno 28] No space left on device")
    made = int(texts(outcome.result, 1).split(":")[1])
    assert 0 < made <= LIMITS.tmpfs_bytes // 4096


def test_one_64_mib_print_is_dropped_without_costing_the_grader_memory() -> None:
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome = attack("sandbox_output_flood_one_print.ipynb", limits=LIMITS)
    peak_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = outcome.result
    assert result.verdict is Verdict.OK
    assert [cell.status for cell in result.cells] == ["ok", "ok"]
    kept = sum(len(json.dumps(output)) for cell in result.cells for output in cell.outputs)
    assert kept <= LIMITS.output_bytes + 1024
    assert (peak_after - peak_before) * 1024 < 32 * 2**20
    # zmq drops the oversized message (and reconnects), so what follows may be lost too.
    assert texts(result, 1) in {"", "after the flood\n"}


def test_many_small_prints_are_capped_with_a_note() -> None:
    outcome = attack("sandbox_output_flood_many_prints.ipynb")
    result = outcome.result
    assert result.verdict is Verdict.OK
    assert [(cell.status, cell.ename) for cell in result.cells] == [("ok", ""), ("ok", "")]
    flood = result.cells[0].outputs
    assert flood[0]["text"].startswith("line 0\nline 1\n")
    assert flood[-1]["text"] == (
        "\n[Output truncated: the notebook produced more than 0.0625 MiB of output; "
        "the rest was dropped.]\n"
    )
    assert sum(len(output["text"].encode()) for output in flood[:-1]) == LIMITS.output_bytes
    assert result.cells[1].outputs == []


def test_environment_holds_only_the_allow_list() -> None:
    outcome = attack("sandbox_reads_environment.ipynb")
    result = outcome.result
    assert result.verdict is Verdict.OK
    environment = dict(eval(texts(result, 0)))  # noqa: S307 - parsing our own kernel's repr in a test
    # The allow-list, plus what ipykernel itself sets for its display and pager.
    assert sorted(environment) == [
        "CLICOLOR", "CLICOLOR_FORCE", "FORCE_COLOR", "GIT_PAGER", "HOME", "IPYTHONDIR",
        "JUPYTER_PLATFORM_DIRS", "LANG", "LC_ALL", "LOGNAME", "MALLOC_ARENA_MAX",
        "MKL_NUM_THREADS", "MPLBACKEND", "MPLCONFIGDIR", "NBGRADER_EXECUTION", "NUMEXPR_NUM_THREADS",
        "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "PAGER", "PATH", "PWD",
        "PYDEVD_DISABLE_FILE_VALIDATION", "PYDEVD_USE_FRAME_EVAL", "PYTHONDONTWRITEBYTECODE",
        "PYTHONHASHSEED", "PYTHONNOUSERSITE", "PYTHONUNBUFFERED", "TERM", "TMPDIR", "USER",
    ]  # fmt: skip
    assert "DJANGO_SECRET_KEY" not in environment
    assert environment["HOME"] == "/home/learner"
    assert environment["NBGRADER_EXECUTION"] == "autograde"
    # The sandbox's init shows neither the grader's paths nor its environment.
    init_cmdline = texts(result, 2)
    assert "/tmp/pm-sandbox" not in init_cmdline and "/work/main" not in init_cmdline


def test_server_files_and_other_runs_are_invisible() -> None:
    with start_kernel(LIMITS) as other:
        run_cells(other, [f"open('secret.txt', 'w').write({CANARY!r})"], LIMITS)
        other_file = f"/proc/{other.namespace_init_pid}/root/home/learner/secret.txt"
        assert (other.run_dir / "secret.txt").read_text() == CANARY
        outcome = attack(
            "sandbox_reads_server_files.ipynb", prelude=(f"OTHER_RUN_FILE = {other_file!r}",)
        )
    result = outcome.result
    seen = eval(texts(result, 1))  # noqa: S307 - parsing our own kernel's repr in a test
    assert seen == {
        "/work/main/config/settings/base.py": "FileNotFoundError",
        "/work/main/var/db.sqlite3": "FileNotFoundError",
        "/work/main/.env": "FileNotFoundError",
        "/root/.bash_history": "FileNotFoundError",
        "/etc/shadow": "FileNotFoundError",
        "/proc/1/root/etc/shadow": "FileNotFoundError",
        other_file: "FileNotFoundError",
    }
    assert texts(result, 2).startswith(
        "['bin', 'dev', 'etc', 'home', 'lib', 'lib64', 'opt', 'proc', 'run', 'sbin', 'usr']"
    )
    assert (result.cells[3].ename, result.cells[3].evalue) == (
        "OSError",
        "[Errno 30] Read-only file system: '/usr/escape.txt'",
    )


def test_local_services_on_the_grader_loopback_are_unreachable() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.setblocking(False)
    port = listener.getsockname()[1]
    try:
        outcome = attack(
            "sandbox_connects_to_local_services.ipynb", prelude=(f"HOST_PORT = {port}",)
        )
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
    cell = outcome.result.cells[1]
    assert outcome.result.verdict is Verdict.OK
    assert (cell.status, cell.ename) == ("error", "ConnectionRefusedError")


def test_public_addresses_and_dns_fail_fast() -> None:
    outcome = attack("sandbox_connects_to_internet.ipynb")
    connect, resolve = outcome.result.cells
    assert (connect.ename, connect.evalue) == ("OSError", "[Errno 101] Network is unreachable")
    assert connect.duration_s < 1.5
    assert resolve.ename == "gaierror"
    assert resolve.duration_s < 1.5


def test_killing_the_parent_and_everything_reaches_nothing_outside() -> None:
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        outcome = attack("sandbox_kills_parent.ipynb")
        assert bystander.poll() is None
    finally:
        bystander.kill()
        bystander.wait()
    result = outcome.result
    assert texts(result, 0) == "parent is 1\n"
    assert [cell.status for cell in result.cells] == ["ok", "ok", "error", "ok"]
    assert texts(result, 1) == "still here\n"
    # kill(-1) spares the caller and the namespace's init: nothing else is in reach.
    assert result.cells[2].ename == "ProcessLookupError"
    assert texts(result, 3) == "still running\n"
    assert result.verdict is Verdict.OK


def test_a_setsid_daemon_does_not_outlive_the_run() -> None:
    daemons: list[int] = []

    def find_daemon(kernel: SandboxKernel, result: RunResult) -> None:
        daemons.append(call_json(kernel, "int(open('daemon.pid').read())"))

    outcome = attack("sandbox_daemon_outlives_run.ipynb", inspect=find_daemon)
    assert outcome.result.verdict is Verdict.OK
    assert texts(outcome.result, 0) == "True\n"
    assert daemons[0] > 1
    # The daemon was one of the run's processes and is gone with the rest.
    assert len(outcome.seen_pids) >= 4


@pytest.mark.parametrize(
    ("fixture", "ename"),
    [("sandbox_sys_exit.ipynb", "SystemExit"), ("sandbox_os_exit.ipynb", "")],
)
def test_exiting_the_kernel_counts_as_a_crash_of_that_cell(fixture: str, ename: str) -> None:
    outcome = attack(fixture)
    result = outcome.result
    assert result.verdict is Verdict.CRASHED
    assert [cell.status for cell in result.cells] == ["error", "not_run"]
    assert result.cells[0].ename == ename
    with contextlib.suppress(AssertionError):
        assert result.cells[1].outputs == []
