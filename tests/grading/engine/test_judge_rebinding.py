"""A test's own ``del name`` and ``name = value`` of the learner's names, in the judge.

nbgrader runs a test in the learner's namespace, so a test can take a helper away to check that
another function uses it, and put it back. Here the judge is a real sandboxed process and the
learner's end is ``judge_wire``'s own, run in this process over a plain namespace, so each test
sees exactly what reaches the learner's side.
"""

from __future__ import annotations

import json
import math
import time

import pytest

from grading.engine import judge_wire
from grading.engine.judge import Judge, loaded_names
from grading.engine.limits import Limits

LIMITS = Limits(cell_timeout_s=3.0, wall_timeout_s=10.0)

#: The check nbgrader's own user guide uses, on names of our own.
USES_HELPER = """saved = unit_price
del unit_price
try:
    order_total(["tea"])
except NameError:
    pass
else:
    raise AssertionError("order_total does not use unit_price")
finally:
    unit_price = saved
"""


class Learner:
    """The learner's side: a namespace, the learner end's describe and call, every request kept."""

    def __init__(self, code: str) -> None:
        self.namespace: dict = {}
        exec(code, self.namespace)  # noqa: S102 - the test's own learner code
        self.requests: list[dict] = []

    def bind(self, *names: str) -> dict:
        return judge_wire.describe(self.namespace, list(names))

    def relay(self, request: str, until: float) -> dict:
        self.requests.append(json.loads(request))
        return judge_wire.call(request, self.namespace)

    def syncs(self) -> list[list]:
        return [r["sync"] for r in self.requests if "sync" in r]


@pytest.fixture
def judge():
    process = Judge(LIMITS)
    yield process
    process.kill()


def run(judge, learner, code, *names):
    return judge.run(
        code,
        learner.bind(*names),
        until=time.monotonic() + LIMITS.cell_timeout_s,
        relay=learner.relay,
    )


HONEST = """PRICES = {"tea": 3, "cake": 4}

def unit_price(item):
    return PRICES[item]

def order_total(items):
    return sum(unit_price(item) for item in items)
"""

REIMPLEMENTS = """PRICES = {"tea": 3, "cake": 4}

def unit_price(item):
    return PRICES[item]

def order_total(items):
    return sum(PRICES[item] for item in items)
"""


@pytest.mark.sandbox
def test_deleting_a_helper_reaches_the_learner_and_putting_it_back_restores_the_same_function(
    judge,
):
    learner = Learner(HONEST)
    helper = learner.namespace["unit_price"]

    done = run(judge, learner, USES_HELPER, "unit_price", "order_total")

    assert (done.status, done.ename) == ("ok", "")
    # The deletion went with the call, in the same message; the restore at the cell's end.
    assert learner.syncs() == [
        [["unit_price", {"$missing": True}]],
        [["unit_price", {"$handle": 0}]],
    ]
    assert learner.namespace["unit_price"] is helper


@pytest.mark.sandbox
def test_a_function_that_does_not_use_the_helper_fails_the_check(judge):
    learner = Learner(REIMPLEMENTS)

    done = run(judge, learner, USES_HELPER, "unit_price", "order_total")

    assert (done.status, done.ename, done.evalue) == (
        "error",
        "AssertionError",
        "order_total does not use unit_price",
    )
    assert "unit_price" in learner.namespace


@pytest.mark.sandbox
@pytest.mark.parametrize(
    "form",
    [
        "def drop():\n    global unit_price\n    del unit_price\ndrop()\n",
        "del globals()['unit_price']\n",
        "exec('del unit_price')\n",
        "globals().pop('unit_price')\n",
    ],
)
def test_every_way_a_test_can_delete_a_name_reaches_the_learner(judge, form):
    learner = Learner(HONEST)
    code = form + "try:\n    order_total(['tea'])\nexcept NameError:\n    gone = True\ngone"

    # The grader binds the learner names a cell names in any of these forms before it runs.
    assert {"unit_price", "order_total"} <= loaded_names(code)
    done = run(judge, learner, code, "unit_price", "order_total")

    assert (done.status, done.result) == ("ok", "True")
    assert "unit_price" not in learner.namespace


@pytest.mark.sandbox
def test_a_name_the_test_deleted_stays_deleted_in_later_cells(judge):
    learner = Learner(HONEST)
    bind = learner.bind("unit_price", "order_total")  # the grader describes a function once
    until = time.monotonic() + LIMITS.cell_timeout_s

    first = judge.run("del unit_price", bind, until=until, relay=learner.relay)
    later = judge.run(
        "try:\n    unit_price\nexcept NameError:\n    seen = 'gone'\nseen",
        bind,
        until=until,
        relay=learner.relay,
    )

    assert first.status == "ok" and "unit_price" not in learner.namespace
    assert (later.status, later.result) == ("ok", "'gone'")


@pytest.mark.sandbox
def test_rebinding_to_plain_data_and_to_modules_reaches_the_learner(judge):
    learner = Learner(HONEST + "import math\n")
    code = (
        'PRICES = {"tea": 10, "cake": 4}\n'
        'assert order_total(["tea", "cake"]) == 14\n'
        "import math\n"
        "from math import floor as unit_price\n"
        "order_total([2.5, 3.5])"
    )

    done = run(judge, learner, code, "PRICES", "order_total", "math", "unit_price")

    assert (done.status, done.result) == ("ok", "5")
    assert learner.namespace["PRICES"] == {"tea": 10, "cake": 4}
    # Modules, and functions and classes of modules, are imported again on the learner's side.
    assert learner.namespace["unit_price"] is math.floor
    assert learner.namespace["math"] is math


@pytest.mark.sandbox
def test_a_read_only_cell_replayed_in_the_judge_leaves_the_learners_names_alone(judge):
    # The kernel ran the read-only cell in its place, before the answer that extends PRICES; the
    # judge replays it after the whole notebook, and must not undo the answer.
    learner = Learner(HONEST + "PRICES = dict(PRICES, coffee=2)\n")
    until = time.monotonic() + LIMITS.cell_timeout_s

    setup = judge.run(
        'PRICES = {"tea": 3, "cake": 4}\nassert order_total(["tea"]) == 3',
        learner.bind("PRICES", "order_total"),
        until=until,
        relay=learner.relay,
        sync=False,
    )
    test = judge.run(
        'assert PRICES["coffee"] == 2\nassert order_total(["coffee"]) == 2',
        learner.bind("PRICES", "order_total"),
        until=until,
        relay=learner.relay,
    )

    assert (setup.status, test.status) == ("ok", "ok")
    assert learner.syncs() == []
    assert learner.namespace["PRICES"] == {"tea": 3, "cake": 4, "coffee": 2}


@pytest.mark.sandbox
def test_a_helper_replaced_by_the_tests_own_function_makes_the_cell_untransferable(judge):
    learner = Learner(HONEST)
    code = """def unit_price(item):
    return 1
try:
    total = order_total(["tea", "cake"])
except Exception:
    total = 2
assert total == 2
"""

    done = run(judge, learner, code, "unit_price", "order_total")

    # Caught or not, the cell's verdict is the judge's rule for values that cannot cross, so
    # validation runs it in the learner's kernel; the learner's helper was never replaced.
    assert (done.status, done.ename, done.line) == ("error", "UntransferableValue", 4)
    assert done.evalue.startswith("the test sets unit_price, a name the solution defines, to a")
    assert learner.namespace["unit_price"]("tea") == 3
    assert learner.syncs() == []


@pytest.mark.sandbox
def test_only_the_learners_own_names_cross_never_the_tests_locals(judge):
    learner = Learner(HONEST)
    code = """secret_inputs = ["cake", "tea", "tea"]
expected = 10
saved = unit_price
del unit_price
try:
    order_total(secret_inputs)
except NameError:
    pass
unit_price = saved
assert order_total(secret_inputs) == expected
"""

    done = run(judge, learner, code, "unit_price", "order_total")

    assert done.status == "ok"
    sent = json.dumps(learner.requests)
    assert "expected" not in sent and "secret_inputs" not in sent and "10" not in sent
    assert [name for sync in learner.syncs() for name, _ in sync] == ["unit_price", "unit_price"]


@pytest.mark.sandbox
def test_what_the_learners_side_answers_a_rebinding_changes_no_verdict(judge):
    """The learner end is the learner's to rewrite: it may ignore a deletion or answer it with a
    failure. Neither does more than the learner's own function could: it never passes a check."""
    learner = Learner(HONEST)
    honest = learner.relay

    def tampered(request: str, until: float) -> dict:
        message = json.loads(request)
        if "handle" not in message:  # the restore at the cell's end, answered with a failure
            return {"error": {"ename": "NameError", "evalue": "forged"}}
        message.pop("sync", None)  # the deletion, ignored
        return honest(json.dumps(message), until)

    learner.relay = tampered  # type: ignore[method-assign]
    done = run(judge, learner, USES_HELPER, "unit_price", "order_total")

    # The honest function still finds its helper, so the check fails, as its own code decides.
    assert (done.status, done.ename, done.evalue) == (
        "error",
        "AssertionError",
        "order_total does not use unit_price",
    )


def test_the_names_a_cell_uses_include_what_it_deletes_and_rebinds():
    code = """import math as m
del gone
def f():
    global later
    later = 1
class K: pass
globals()["by_string"] = 2
exec("del in_exec")
x += 1
"""
    assert loaded_names(code) >= {
        "m",
        "gone",
        "later",
        "f",
        "K",
        "by_string",
        "in_exec",
        "x",
    }
