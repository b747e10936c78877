"""manage.py check_sandbox tells the operator whether grading can run here, and how to fix it."""

import dataclasses
import io

import pytest
from django.core.management import call_command

from grading.engine.sandbox import cgroups
from grading.engine.sandbox.cgroups import Controller, cgroup_layout, prepare_layout
from grading.engine.sandbox.hostcheck import BWRAP_ENV, probe_host


@pytest.mark.sandbox
def test_a_complete_host_passes():
    out = io.StringIO()

    call_command("check_sandbox", stdout=out)

    assert "[ok ] bubblewrap:" in out.getvalue()
    assert out.getvalue().rstrip().endswith("The grading sandbox can run on this host.")


def test_a_missing_bubblewrap_fails_closed_with_the_fix(monkeypatch, tmp_path):
    monkeypatch.setenv(BWRAP_ENV, str(tmp_path / "no-such-bwrap"))
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(SystemExit) as excinfo:
        call_command("check_sandbox", stdout=out, stderr=err)

    assert excinfo.value.code == 1
    assert "[MISSING] bubblewrap" in out.getvalue()
    assert "apt-get install bubblewrap" in out.getvalue()
    assert "Grading fails closed" in err.getvalue()


@pytest.mark.sandbox
def test_it_says_which_controllers_bound_each_run_and_from_which_cgroup_version():
    out = io.StringIO()

    call_command("check_sandbox", stdout=out)

    layout = cgroup_layout(probe_host())
    lines = out.getvalue().splitlines()
    for controller in layout.controllers:
        line = next(line for line in lines if f"] cgroup {controller.name}: " in line)
        if controller.available:
            assert (
                line
                == f"[ok ] cgroup {controller.name}: cgroup v{controller.version} ({controller.parent})"
            )
            assert controller.parent is not None and controller.parent.name == "pm-academy"
        else:
            assert line.startswith(f"[absent (optional)] cgroup {controller.name}: not available: ")
    assert any(line.startswith("[ok ] seccomp filter: refuses ") for line in lines)


@pytest.mark.sandbox
def test_a_missing_controller_is_reported_with_the_reason_and_what_still_bounds_the_run(
    monkeypatch,
):
    reason = (
        "cgroup v2: the host does not delegate it to /sys/fs/cgroup (its cgroup.controllers: none)"
    )

    def without_memory(host):
        layout = prepare_layout(host)
        return dataclasses.replace(layout, memory=Controller("memory", None, None, reason))

    monkeypatch.setattr(cgroups, "prepare_layout", without_memory)
    out = io.StringIO()
    try:
        call_command("check_sandbox", stdout=out)
    finally:
        # The real layout for the tests after this one: undo the patch first, or the refresh would
        # cache the layout without memory for the rest of the process (the sweep then missed
        # stale memory cgroups in tests/security/test_sandbox_limits.py).
        monkeypatch.undo()
        cgroup_layout(probe_host(), refresh=True)

    assert (
        f"[absent (optional)] cgroup memory: not available: {reason} (RLIMIT_AS bounds each process "
        "only, so a run may hold memory_bytes x max_processes)"
    ) in out.getvalue().splitlines()
    assert "PM_ACADEMY_SANDBOX_CGROUP" in out.getvalue()
