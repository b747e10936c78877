"""Starting, isolating and killing sandboxed kernels; failing closed without bubblewrap."""

from __future__ import annotations

import json
import logging
import os
import queue
import tempfile
import time
from pathlib import Path

import pytest

from grading.engine.execute import Verdict, call_json, run_cells
from grading.engine.limits import Limits
from grading.engine.sandbox import SandboxUnavailable, start_kernel, sweep_stale_runs
from grading.engine.sandbox.hostcheck import check_host, probe_host
from grading.engine.sandbox.kernelspec import sandbox_kernel_spec

pytestmark = pytest.mark.sandbox

LIMITS = Limits(cell_timeout_s=5.0, wall_timeout_s=20.0, memory_bytes=512 * 2**20)


def test_kernel_starts_ready_as_an_unprivileged_user_in_its_own_run_dir() -> None:
    with start_kernel(LIMITS) as kernel:
        assert kernel.is_alive()
        facts = call_json(
            kernel,
            "{'uid': __import__('os').getuid(), 'gid': __import__('os').getgid(),"
            " 'groups': __import__('os').getgroups(), 'cwd': __import__('os').getcwd(),"
            " 'python': __import__('sys').executable,"
            " 'argv0': __import__('os').path.basename(__import__('sys').argv[0])}",
        )
        assert facts == {
            "uid": kernel.uid,
            "gid": kernel.uid,
            "groups": [],
            "cwd": "/home/learner",
            "python": "/opt/kernel-env/bin/python",
            "argv0": "ipykernel_launcher.py",
        }
        assert kernel.uid is not None and kernel.uid >= 1_800_000_000
        assert kernel.run_dir.is_dir()
        assert kernel.client.transport == "ipc"
        pids = kernel.processes()
        assert kernel.pid in pids and len(pids) >= 3
    assert not kernel.is_alive()
    assert kernel.processes() == set()
    assert [cgroup for cgroup in kernel.cgroups if cgroup.exists()] == []


def test_kill_is_idempotent_and_fast() -> None:
    kernel = start_kernel(LIMITS)
    kernel.kill()
    kernel.kill()
    assert not kernel.is_alive()
    assert kernel.processes() == set()


def test_kill_without_waiting_stops_the_run_at_once_and_the_reaper_cleans_up() -> None:
    kernel = start_kernel(LIMITS)
    run_cells(kernel, ["import subprocess\nchild = subprocess.Popen(['sleep', '60'])"], LIMITS)
    assert len(kernel.processes()) >= 4  # launcher, init, kernel and the learner's child
    host_dir = kernel._host_dir
    kernel.kill(wait=False)
    assert not kernel.is_alive()
    # Every process was sent SIGKILL before kill() returned; the reaper thread waits for
    # them and removes the run's cgroups and files without anyone calling kill() again.
    deadline = time.monotonic() + 10
    while host_dir.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not host_dir.exists()
    assert kernel.processes() == set()
    assert [cgroup for cgroup in kernel.cgroups if cgroup.exists()] == []


def test_a_waiting_kill_after_one_that_did_not_wait_returns_with_everything_gone() -> None:
    kernel = start_kernel(LIMITS)
    kernel.kill(wait=False)
    kernel.kill()
    assert kernel.processes() == set()
    assert [cgroup for cgroup in kernel.cgroups if cgroup.exists()] == []
    assert not kernel._host_dir.exists()


def test_the_client_reads_its_channels_directly_and_raises_empty_when_nothing_came() -> None:
    with start_kernel(LIMITS) as kernel:
        client = kernel.client
        with pytest.raises(queue.Empty):
            client.get_iopub_msg(timeout=0)
        with pytest.raises(queue.Empty):
            client.get_shell_msg(timeout=0.01)
        msg_id = client.kernel_info()
        reply = client.get_shell_msg(timeout=10)
    assert (reply["msg_type"], reply["parent_header"]["msg_id"]) == ("kernel_info_reply", msg_id)


def test_ipc_works_with_no_network_interface_but_loopback() -> None:
    with start_kernel(LIMITS) as kernel:
        interfaces = call_json(kernel, "[name for _, name in __import__('socket').if_nameindex()]")
        assert interfaces == ["lo"]
        result = run_cells(kernel, ["21 * 2"], LIMITS)
        assert result.verdict is Verdict.OK
        assert result.cells[0].outputs == [
            {
                "output_type": "execute_result",
                "data": {"text/plain": "42"},
                "metadata": {},
                "execution_count": 1,
            }
        ]


def test_our_kernelspec_is_forced_with_message_interrupts() -> None:
    spec = sandbox_kernel_spec()
    assert spec.interrupt_mode == "message"
    assert spec.command(python="/opt/kernel-env/bin/python", connection_file="/run/kernel/k.json")[
        :5
    ] == [
        "/opt/kernel-env/bin/python",
        "-m",
        "ipykernel_launcher",
        "-f",
        "/run/kernel/k.json",
    ]
    with start_kernel(LIMITS) as kernel:
        kernel_class = call_json(kernel, "type(get_ipython().kernel).__name__")
        assert kernel_class == "IPythonKernel"
        # A message interrupt stops a busy cell and leaves the kernel usable.
        limits = Limits(cell_timeout_s=1.0, wall_timeout_s=20.0)
        result = run_cells(kernel, ["while True:\n    pass", "'alive'"], limits)
        assert [cell.status for cell in result.cells] == ["error", "ok"]
        assert result.cells[0].ename == "TimeoutError"
        assert result.cells[1].outputs[0]["data"] == {"text/plain": "'alive'"}


def test_missing_bubblewrap_fails_closed_with_a_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PM_ACADEMY_SANDBOX_BWRAP", "/nonexistent/bwrap")
    with pytest.raises(SandboxUnavailable) as raised:
        start_kernel(LIMITS)
    message = str(raised.value)
    assert message.startswith("The grading sandbox is unavailable on this host.")
    assert "bubblewrap is missing" in message
    assert "install bubblewrap: apt-get install bubblewrap" in message


def test_unsafe_local_runs_without_bubblewrap_and_warns_every_time(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PM_ACADEMY_SANDBOX_BWRAP", "/nonexistent/bwrap")
    caplog.set_level(logging.WARNING, logger="grading.engine.sandbox.kernels")
    for _ in range(2):
        with start_kernel(LIMITS, unsafe_local=True) as kernel:
            assert not kernel.isolated
            assert (
                call_json(kernel, "sorted(k for k in __import__('os').environ if 'SECRET' in k)")
                == []
            )
            result = run_cells(kernel, ["print(6 * 7)"], LIMITS)
            assert result.cells[0].outputs == [
                {"output_type": "stream", "name": "stdout", "text": "42\n"}
            ]
        assert kernel.processes() == set()
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert "WITHOUT full isolation" in warnings[0].getMessage()
    assert "install bubblewrap" in warnings[0].getMessage()


def test_check_host_reports_every_primitive_present_here() -> None:
    findings = check_host()
    names = [finding.name for finding in findings]
    assert names == [
        "bubblewrap",
        "setpriv",
        "unshare",
        "prlimit",
        "mount",
        "sh",
        "root",
        "user namespaces",
        "kernel python",
        "grading environment",
        "bubblewrap runs",
        "kernel launcher",
        "seccomp filter",
        "cgroup v2 kill",
        "cgroup memory",
        "cgroup pids",
        "cgroup cpu",
    ]
    assert [finding.name for finding in findings if finding.required and not finding.ok] == []


def test_check_host_names_the_fix_for_missing_bubblewrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PM_ACADEMY_SANDBOX_BWRAP", "/nonexistent/bwrap")
    finding = next(finding for finding in check_host() if finding.name == "bubblewrap")
    assert (finding.ok, finding.fix) == (
        False,
        "install bubblewrap: apt-get install bubblewrap (or set PM_ACADEMY_SANDBOX_BWRAP to its path)",
    )


def test_connection_file_and_sockets_are_frozen_before_learner_code() -> None:
    with start_kernel(LIMITS) as kernel:
        ipc_dir = kernel._host_dir / "ipc"
        assert os.stat(ipc_dir).st_uid == 0
        attempt = run_cells(kernel, ["open('/run/kernel/extra', 'w')"], LIMITS)
        assert (attempt.cells[0].ename, attempt.cells[0].evalue) == (
            "PermissionError",
            "[Errno 13] Permission denied: '/run/kernel/extra'",
        )
        info = json.loads((ipc_dir / "kernel.json").read_text())
        assert info["transport"] == "ipc"


def test_stale_runs_of_a_killed_grader_are_swept(monkeypatch: pytest.MonkeyPatch) -> None:
    # The runs directory must be searchable by the sandbox users (pytest's tmp_path is not).
    tmp_path = Path(tempfile.mkdtemp(prefix="pm-runs-test-"))
    tmp_path.chmod(0o711)
    monkeypatch.setenv("PM_ACADEMY_SANDBOX_DIR", str(tmp_path))
    stale = tmp_path / "pm-sandbox-stale"
    stale.mkdir()
    (stale / "owner").write_text("999999999 1")
    with start_kernel(LIMITS) as kernel:
        live = kernel._host_dir
        assert sweep_stale_runs(probe_host()) == [stale]
        assert live.is_dir()
    assert sorted(tmp_path.iterdir()) == []
    tmp_path.rmdir()
