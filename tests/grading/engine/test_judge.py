"""The judge process on its own: what it runs, what it can reach, how values cross its wire."""

from __future__ import annotations

import json
import math
import time

import pytest

from grading.engine.judge import (
    Judge,
    first_hidden_line,
    judge_can_run,
    learner_names,
    literal_messages,
    loaded_names,
)
from grading.engine.judge_wire import UntransferableValue, decode, encode
from grading.engine.limits import Limits

LIMITS = Limits(cell_timeout_s=3.0, wall_timeout_s=10.0)


def no_learner(request: str, until: float) -> dict:
    raise AssertionError(f"no learner call expected, got {request}")


@pytest.fixture
def judge():
    process = Judge(LIMITS)
    yield process
    process.kill()


def run(judge, code, *, bind=None, relay=no_learner):
    return judge.run(code, bind or {}, until=time.monotonic() + LIMITS.cell_timeout_s, relay=relay)


@pytest.mark.sandbox
def test_the_judge_runs_cells_keeps_state_and_returns_the_last_value(judge):
    assert run(judge, "total = 2 + 3").status == "ok"
    done = run(judge, "print('nowhere')\ntotal * 2")
    assert (done.status, done.result) == ("ok", "10")
    failed = run(judge, "assert total == 6, 'total is wrong'")
    assert (failed.status, failed.ename, failed.evalue, failed.line) == (
        "error",
        "AssertionError",
        "total is wrong",
        1,
    )


@pytest.mark.sandbox
def test_the_judge_is_an_unprivileged_process_with_no_network_no_project_and_a_seccomp_filter(
    judge,
):
    checks = """
import ctypes, errno, os, socket
results = {"uid": os.getuid(), "root": sorted(os.listdir('/'))}
try:
    socket.create_connection(("10.0.0.1", 80), timeout=1)
    results["network"] = "reached"
except OSError as error:
    results["network"] = error.errno
libc = ctypes.CDLL(None, use_errno=True)
results["keyctl"] = (libc.syscall(250, 0, 0, 0, 0, 0), ctypes.get_errno())
results["io_uring_setup"] = (libc.syscall(425, 1, 0), ctypes.get_errno())
results
"""
    done = run(judge, checks)
    assert done.status == "ok", done
    seen = eval(done.result)  # noqa: S307 - the repr of a dict of ints and strings made above
    assert seen["uid"] >= 300_000_000
    assert seen["root"] == ["bin", "dev", "lib", "lib64", "proc", "tmp", "usr"]
    assert seen["network"] in (101, 113)  # ENETUNREACH, EHOSTUNREACH: no route out
    assert seen["keyctl"] == (-1, 1)  # EPERM from the filter
    assert seen["io_uring_setup"] == (-1, 1)


@pytest.mark.sandbox
def test_learner_calls_are_relayed_and_their_errors_keep_builtin_types(judge):
    calls = []

    def relay(request, until):
        calls.append(json.loads(request))
        args = decode(calls[-1]["args"])
        if args == [0]:
            return {"error": {"ename": "ValueError", "evalue": "no zero"}}
        if args == [1]:
            return {"error": {"ename": "MyOwnError", "evalue": "custom"}}
        return {"value": encode({"double": args[0] * 2, "pair": (1, 2)})}

    bind = {"f": {"$handle": {"id": 7, "type": "function", "callable": True}}}
    code = """
assert f(21) == {"double": 42, "pair": (1, 2)}
try:
    f(0)
except ValueError as error:
    assert str(error) == "no zero"
try:
    f(1)
except Exception as error:
    name = type(error).__name__
name
"""
    done = run(judge, code, bind=bind, relay=relay)
    assert (done.status, done.result) == ("ok", "'MyOwnError'")
    assert [c["handle"] for c in calls] == [7, 7, 7]


@pytest.mark.sandbox
def test_a_learner_object_can_only_be_called_or_passed_back(judge):
    bind = {"frame": {"$handle": {"id": 3, "type": "DataFrame", "callable": False}}}
    done = run(judge, "frame == 1", bind=bind)
    assert (done.status, done.ename) == ("error", "UntransferableValue")
    assert done.evalue.startswith(
        "frame is a DataFrame, which cannot be checked outside your notebook"
    )


@pytest.mark.sandbox
def test_a_cell_that_loops_forever_is_stopped_at_its_limit(judge):
    done = judge.run("while True: pass", {}, until=time.monotonic() + 0.5, relay=no_learner)
    assert (done.status, done.ename) == ("error", "TimeoutError")
    assert run(judge, "1 + 1").result == "2"  # the judge carries on with the next cell


def test_values_cross_as_tagged_json_and_back():
    value = {
        "a": [1, 2.5, None, True],
        ("t", 1): {3, 4},
        "big": 10**30,
        "nan": math.inf,
        "b": b"\x00\xff",
        "f": frozenset({"x"}),
        "c": 1 + 2j,
    }
    text = json.dumps(encode(value), allow_nan=False)
    assert decode(json.loads(text)) == value


def test_values_too_deep_or_too_large_do_not_cross():
    deep: list = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(UntransferableValue):
        encode(deep)
    with pytest.raises(UntransferableValue):
        encode(10**20000)
    with pytest.raises(UntransferableValue):
        encode(object())
    with pytest.raises(ValueError):
        decode({"$eval": "1"})


def test_which_names_come_from_the_learner_and_which_cells_the_judge_runs():
    from exercises.format import load_notebook_bytes, parse_source
    from tests.grading.submissions_support import RICE

    source = parse_source(load_notebook_bytes(RICE, max_bytes=10**7))
    assert learner_names(source) == {"rice_score", "rank_by_rice"}
    assert loaded_names("x = rank_by_rice(features)\n[f(y) for y in z]") == {
        "x",
        "rank_by_rice",
        "features",
        "f",
        "y",
        "z",
    }
    assert judge_can_run("assert f(1) == 2")
    assert not judge_can_run("%timeit f(1)")
    assert literal_messages('assert a, "m1"\nraise ValueError("m2")\nassert b, f"{x}"') == {
        "m1": "AssertionError",
        "m2": "ValueError",
    }
    cell = "a = 1\n### BEGIN HIDDEN TESTS\nb = 2\n### END HIDDEN TESTS\n"
    assert first_hidden_line(cell) == 2


def test_the_judges_json_is_the_standard_librarys_strict_json():
    # The judge decodes with the interpreter's C codec directly (json would import re and enum);
    # the standard json module is the reference it must agree with.
    from grading.engine import judge_wire

    values = [
        None,
        True,
        0,
        -(2**60),
        1.5,
        1e300,
        'é\u2028\n"\\',
        [],
        {},
        [1, [2, {"a": "b"}]],
        {"k": [None, 0.1]},
    ]
    for value in values:
        text = json.dumps(value, allow_nan=False, separators=(",", ":"))
        assert judge_wire.dumps(value) == text
        assert judge_wire.loads(f" \n{json.dumps(value)}\r\n") == json.loads(text)
    for text in [
        "NaN",
        "[Infinity]",
        "-Infinity",
        "",
        "1 2",
        "{",
        "[1,]",
        "'a'",
        '"\x01"',
        "1" * 5000,
    ]:
        with pytest.raises(ValueError):
            judge_wire.loads(text)
    for value in [math.nan, [math.inf], {"k": object()}]:
        with pytest.raises((ValueError, TypeError)):
            judge_wire.dumps(value)
    assert judge_wire.dumps([1, 2]) == "[1,2]"  # a failed encoding left no circular-check marks
    with pytest.raises(ValueError):
        decode({"$bytes": "not base64!"})


@pytest.mark.sandbox
def test_a_judge_started_for_the_caller_outlives_the_call_that_started_it():
    # The judge dies with the thread that started it (its parent-death signal): started from a
    # thread that then ended, it was killed before its first cell.
    from grading.engine.judge import JudgeStart

    judges = [JudgeStart(LIMITS).result() for _ in range(2)]
    try:
        time.sleep(0.2)  # not a wait for a condition: the time a dying judge would need to be gone
        assert [run(judge, "21 * 2").result for judge in judges] == ["42", "42"]
    finally:
        for judge in judges:
            judge.kill()


@pytest.mark.sandbox
@pytest.mark.parametrize("launcher", ["forkserver", "bwrap"])
def test_the_learner_end_describes_names_with_or_without_a_comm_target_from_the_kernels_start(
    launcher,
):
    from grading.engine.execute import run_cells
    from grading.engine.judge import LearnerEnd, is_handle
    from grading.engine.sandbox import start_kernel

    with start_kernel(LIMITS, launcher=launcher) as kernel:
        run = run_cells(
            kernel,
            ["def double(x):\n    return 2 * x\nbacklog = [('SSO', 800.0)]"],
            LIMITS,
            deadline=time.monotonic() + 10,
        )
        assert bool(kernel.judge_channel) is (launcher == "forkserver")
        learner = LearnerEnd(kernel, LIMITS.cell_timeout_s, iopub_delivers=run.cells[-1].idle)
        described = learner.describe(["backlog", "double", "missing"], time.monotonic() + 5)

        assert described["backlog"] == [{"$tuple": ["SSO", 800.0]}]
        assert is_handle(described["double"]) and described["missing"] == {"$missing": True}
        assert bool(learner.comm_id) and learner.failures == []
        handle = described["double"]["$handle"]["id"]
        request = json.dumps({"handle": handle, "args": [21], "kwargs": {"$dict": []}})
        assert learner.call(request, time.monotonic() + 5) == {"value": 42}
