"""call_json: the one strict JSON channel out of a learner kernel, and its refusals."""

from __future__ import annotations

import pytest

from grading.engine.execute import ChannelError, call_json, run_cells
from grading.engine.limits import Limits
from grading.engine.sandbox import SandboxKernel, start_kernel

pytestmark = pytest.mark.sandbox

LIMITS = Limits(cell_timeout_s=5.0, wall_timeout_s=30.0, memory_bytes=512 * 2**20)


@pytest.fixture(scope="module")
def kernel():
    with start_kernel(LIMITS) as started:
        yield started


def test_round_trip_of_json_values(kernel: SandboxKernel) -> None:
    run_cells(
        kernel, ["scores = {'rice': 12.5, 'ice': [1, 2, 3], 'name': 'Kanō', 'ok': True}"], LIMITS
    )
    assert call_json(kernel, "scores") == {
        "rice": 12.5,
        "ice": [1, 2, 3],
        "name": "Kanō",
        "ok": True,
    }
    assert call_json(kernel, "None") is None
    assert call_json(kernel, "[1, 'two', 3.0, None]") == [1, "two", 3.0, None]


def test_channel_leaves_no_trace_in_the_learner_namespace(kernel: SandboxKernel) -> None:
    call_json(kernel, "1")
    result = run_cells(
        kernel,
        [
            "print([name for name in globals() if 'pm_academy' in name],"
            " [name for name in __import__('os').listdir('.') if name.startswith('.pm-call')])"
        ],
        LIMITS,
    )
    assert result.cells[0].outputs[0]["text"] == "[] []\n"


def test_oversize_value_is_refused(kernel: SandboxKernel) -> None:
    with pytest.raises(ChannelError) as raised:
        call_json(kernel, "'x' * 1000", max_bytes=100)
    assert str(raised.value) == "ValueError: the value is larger than 100 bytes as JSON"


def test_oversize_is_enforced_by_the_grader_too(kernel: SandboxKernel) -> None:
    run_cells(kernel, ["import builtins\n_real_len = builtins.len\nlen = lambda value: 0"], LIMITS)
    try:
        with pytest.raises(ChannelError) as raised:
            call_json(kernel, "'x' * 1000", max_bytes=100)
    finally:
        run_cells(kernel, ["del len"], LIMITS)
    assert str(raised.value) == "the value is larger than 100 bytes as JSON"


def test_nan_is_refused(kernel: SandboxKernel) -> None:
    with pytest.raises(ChannelError) as raised:
        call_json(kernel, "float('nan')")
    assert str(raised.value) == "ValueError: Out of range float values are not JSON compliant"


def test_forged_nan_text_is_refused_by_the_grader(kernel: SandboxKernel) -> None:
    forge = (
        "import builtins, os\n"
        "def open(path, *args, **kwargs):\n"
        "    if str(path).startswith('/home/learner/.pm-call-'):\n"
        "        with builtins.open(path, 'w') as forged:\n"
        "            forged.write('NaN')\n"
        "        return builtins.open(os.devnull, 'w')\n"
        "    return builtins.open(path, *args, **kwargs)\n"
    )
    run_cells(kernel, [forge], LIMITS)
    try:
        with pytest.raises(ChannelError) as raised:
            call_json(kernel, "1")
    finally:
        run_cells(kernel, ["del open"], LIMITS)
    assert str(raised.value) == "the value is not valid JSON: NaN is not JSON"


def test_value_that_is_not_json_is_refused(kernel: SandboxKernel) -> None:
    with pytest.raises(ChannelError) as raised:
        call_json(kernel, "{1, 2}")
    assert str(raised.value) == "TypeError: Object of type set is not JSON serializable"


def test_exception_in_the_kernel_carries_its_name_and_value(kernel: SandboxKernel) -> None:
    with pytest.raises(ChannelError) as raised:
        call_json(kernel, "1 / 0")
    assert str(raised.value) == "ZeroDivisionError: division by zero"
    with pytest.raises(ChannelError) as long:
        call_json(kernel, "exec('raise ValueError(\"v\" * 5000)')")
    assert len(str(long.value)) == len("ValueError: ") + 500


def test_a_symlink_planted_for_the_grader_is_not_followed(kernel: SandboxKernel) -> None:
    plant = (
        "import builtins, os\n"
        "_real_open = builtins.open\n"
        "def open(path, *args, **kwargs):\n"
        "    if str(path).startswith('/home/learner/.pm-call-'):\n"
        "        os.symlink('/etc/hostname', path)\n"
        "        return _real_open(os.devnull, 'w')\n"
        "    return _real_open(path, *args, **kwargs)\n"
    )
    run_cells(kernel, [plant], LIMITS)
    try:
        with pytest.raises(ChannelError) as raised:
            call_json(kernel, "1")
    finally:
        run_cells(kernel, ["del open"], LIMITS)
    assert str(raised.value).startswith("no value was written")
    assert call_json(kernel, "2") == 2


def test_timeout_interrupts_and_reports(kernel: SandboxKernel) -> None:
    with pytest.raises(ChannelError) as raised:
        call_json(kernel, "__import__('time').sleep(30)", timeout_s=1.0)
    assert str(raised.value) == "timeout: no answer within 1 s"
    # The interrupt freed the kernel for the next call.
    assert call_json(kernel, "'still usable'") == "still usable"


def test_dead_kernel_is_reported() -> None:
    kernel = start_kernel(LIMITS)
    kernel.kill()
    with pytest.raises(ChannelError) as raised:
        call_json(kernel, "1")
    assert str(raised.value) == "the kernel is not running"
