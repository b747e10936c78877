"""run_cells: statuses from execute_reply, outputs as nbformat v4, limits and verdicts."""

from __future__ import annotations

import json

import pytest

from grading.engine.execute import Verdict, run_cells
from grading.engine.limits import Limits
from grading.engine.sandbox import start_kernel

pytestmark = pytest.mark.sandbox

LIMITS = Limits(cell_timeout_s=5.0, wall_timeout_s=20.0, memory_bytes=512 * 2**20)


def test_outputs_are_nbformat_v4_and_status_comes_from_the_reply() -> None:
    sources = [
        "print('hello')\nimport sys\nprint('warn', file=sys.stderr)",
        "from IPython.display import display, HTML\ndisplay(HTML('<b>x</b>'))",
        "1 / 0",
        "print('Traceback (most recent call last):\\nValueError: pretend')",
    ]
    with start_kernel(LIMITS) as kernel:
        result = run_cells(kernel, sources, LIMITS)
    assert result.verdict is Verdict.OK
    assert result.message == ""
    first, second, third, fourth = result.cells
    assert first.outputs == [
        {"output_type": "stream", "name": "stdout", "text": "hello\n"},
        {"output_type": "stream", "name": "stderr", "text": "warn\n"},
    ]
    assert second.outputs == [
        {
            "output_type": "display_data",
            "data": {"text/plain": "<IPython.core.display.HTML object>", "text/html": "<b>x</b>"},
            "metadata": {},
        }
    ]
    assert (third.status, third.ename, third.evalue) == (
        "error",
        "ZeroDivisionError",
        "division by zero",
    )
    assert third.outputs[0]["output_type"] == "error"
    assert third.outputs[0]["ename"] == "ZeroDivisionError"
    # Text that looks like a failure is not one: the reply said ok.
    assert (fourth.status, fourth.ename) == ("ok", "")
    assert [cell.index for cell in result.cells] == [0, 1, 2, 3]


def test_hidden_tracebacks_do_not_hide_the_error_status() -> None:
    sources = [
        "ip = get_ipython()\nip.showtraceback = lambda *a, **k: None\n"
        "ip.set_custom_exc((Exception,), lambda *a, **k: None)",
        "raise AssertionError('wrong answer')",
    ]
    with start_kernel(LIMITS) as kernel:
        result = run_cells(kernel, sources, LIMITS)
    assert result.cells[0].status == "ok"
    assert result.cells[1].status == "error"


def test_stop_on_error_leaves_the_rest_not_run() -> None:
    with start_kernel(LIMITS) as kernel:
        result = run_cells(
            kernel, ["x = 1", "raise ValueError('no')", "x = 2"], LIMITS, stop_on_error=True
        )
    assert result.verdict is Verdict.OK
    assert [cell.status for cell in result.cells] == ["ok", "error", "not_run"]
    assert (result.cells[1].ename, result.cells[1].evalue) == ("ValueError", "no")


def test_wall_limit_kills_the_kernel_and_marks_the_rest_not_run() -> None:
    limits = Limits(cell_timeout_s=5.0, wall_timeout_s=2.5, memory_bytes=512 * 2**20)
    with start_kernel(limits) as kernel:
        result = run_cells(kernel, ["import time\ntime.sleep(1)"] * 5, limits)
        assert not kernel.is_alive()
    assert result.verdict is Verdict.TIMEOUT
    assert [cell.status for cell in result.cells] == ["ok", "ok", "error", "not_run", "not_run"]
    assert result.cells[2].ename == "TimeoutError"
    assert result.message == (
        "The notebook ran longer than 2.5 s, so it was stopped during code cell 3; "
        "the cells after it did not run."
    )
    assert 2.5 <= result.duration_s < 4.0


def test_cpu_limit_ends_the_run_with_a_timeout_verdict() -> None:
    limits = Limits(
        cell_timeout_s=15.0, wall_timeout_s=20.0, cpu_seconds=2, memory_bytes=512 * 2**20
    )
    with start_kernel(limits) as kernel:
        result = run_cells(kernel, ["while True:\n    pass", "'never'"], limits)
    assert result.verdict is Verdict.TIMEOUT
    assert [cell.status for cell in result.cells] == ["error", "not_run"]
    assert result.message == (
        "The notebook used more than 2 s of CPU time, so it was stopped while running code cell 1."
    )


def test_clear_output_is_honoured() -> None:
    source = (
        "from IPython.display import clear_output\nprint('first')\nclear_output()\nprint('second')"
    )
    with start_kernel(LIMITS) as kernel:
        result = run_cells(kernel, [source], LIMITS)
    assert result.cells[0].outputs == [
        {"output_type": "stream", "name": "stdout", "text": "second\n"}
    ]


def test_error_fields_are_capped() -> None:
    with start_kernel(LIMITS) as kernel:
        result = run_cells(kernel, ["raise ValueError('v' * 10000)"], LIMITS)
    assert result.cells[0].ename == "ValueError"
    assert len(result.cells[0].evalue) == 2000


def test_a_failing_cell_keeps_its_error_and_gets_a_one_line_traceback() -> None:
    # The grader reads ename and evalue only, so the kernel formats no frames and no colours.
    source = (
        "def helper(x):\n    return x['name']\n\nassert helper({'name': 1}) == 2, 'wrong answer'"
    )
    with start_kernel(LIMITS) as kernel:
        result = run_cells(kernel, [source, "1 / 0"], LIMITS)
    first, second = result.cells
    assert (first.status, first.ename, first.evalue) == ("error", "AssertionError", "wrong answer")
    assert first.outputs == [
        {
            "output_type": "error",
            "ename": "AssertionError",
            "evalue": "wrong answer",
            "traceback": ["AssertionError: wrong answer\n"],
        }
    ]
    assert (second.ename, second.evalue) == ("ZeroDivisionError", "division by zero")
    assert second.outputs[0]["traceback"] == ["ZeroDivisionError: division by zero\n"]


@pytest.mark.parametrize("launcher", ["forkserver", "bwrap"])
def test_the_warm_up_cell_leaves_nothing_the_learner_can_see(launcher: str) -> None:
    # start_kernel runs one silent cell so IPython's first-run set-up is not paid in the
    # learner's first cell; to learner code the kernel must look as if nothing ran before.
    probe = (
        "import json, sys\n"
        "print(json.dumps([get_ipython().execution_count, In, _i, _, list(Out),"
        " hasattr(sys, 'last_value')]))"
    )
    with start_kernel(LIMITS, launcher=launcher) as kernel:
        result = run_cells(kernel, [probe, "6 * 7"], LIMITS)
    first, second = result.cells
    assert first.outputs[0]["name"] == "stdout"
    assert json.loads(first.outputs[0]["text"]) == [2, ["", probe], "", "", [], False]
    assert second.outputs[0]["execution_count"] == 2
