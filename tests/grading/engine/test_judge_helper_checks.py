"""An nbgrader exercise whose tests take a learner's helper away, swap its data and stand in for it.

``helper_use_checked_by_deleting_it.ipynb``: ``order_total`` must call ``unit_price``. One test
deletes ``unit_price`` and expects a NameError (nbgrader's own user guide checks
``sum_of_squares`` this way), the next relies on it being put back, one rebinds ``PRICES`` to
other plain data, and one replaces ``unit_price`` with the test's own function. Graded end to end
in sandboxed kernels; the scores are the ones nbgrader gives the same notebooks in one kernel.
"""

from __future__ import annotations

import pytest

from exercises.format import parse_source
from grading.engine.pipeline import grade_submission
from grading.engine.report import TestStatus
from grading.engine.sandbox.pool import ColdKernels, KernelPool
from grading.engine.validate import validate_exercise

from .conftest import answer
from .engine_support import FIXTURES, TEST_LIMITS, load

pytestmark = pytest.mark.sandbox

EXERCISE = FIXTURES / "exercises" / "helper_use_checked_by_deleting_it.ipynb"
PRICES = 'PRICES = {"tea": 3, "cake": 4}\n\n\n'
HELPER = PRICES + "def unit_price(item):\n    return PRICES[item]\n"
USES_HELPER = "def order_total(items):\n    return sum(unit_price(item) for item in items)\n"


@pytest.fixture(scope="module")
def kernels():
    pool = KernelPool(TEST_LIMITS, size=2)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def validated(kernels):
    return validate_exercise(load(EXERCISE), kernels=kernels, limits=TEST_LIMITS)


def grade(validated, kernels, order_total: str, unit_price: str = HELPER):
    nb = answer(answer(load(EXERCISE), "unit_price", unit_price), "order_total", order_total)
    report = grade_submission(
        validated.source,
        nb,
        kernels=kernels,
        limits=TEST_LIMITS,
        seed=1,
        in_kernel=frozenset(validated.in_kernel_tests),
    )
    return {t.grade_id: (t.points, t.message) for t in report.tests}


def test_the_reference_earns_full_marks_with_the_check_in_the_judge(validated):
    assert validated.valid, [str(p) for p in validated.problems]
    assert [(t.grade_id, t.points, t.status) for t in validated.reference.tests] == [
        ("order_total_adds_up", 1, TestStatus.PASSED),
        ("order_total_uses_unit_price", 1, TestStatus.PASSED),
        ("order_total_after_the_check", 1, TestStatus.PASSED),
        ("prices_read_at_call_time", 1, TestStatus.PASSED),
        ("order_total_with_a_stand_in", 1, TestStatus.PASSED),
    ]
    assert validated.release.score == 0
    # Deleting, restoring and rebinding to plain data stay in the judge; only the test that
    # replaces the helper with a function of its own runs in the learner's kernel, and says so.
    assert validated.in_kernel_tests == ["order_total_with_a_stand_in"]
    assert validated.notes == [
        "Cell 8 ('order_total_with_a_stand_in') runs in the learner's own kernel because it needs a "
        "value that is not plain data (numbers, strings, lists, tuples, dicts, sets). Learner code "
        "can forge the result of a test that runs there, so its points are not protected (and any "
        "hidden test in it can be read). To protect it, make the test use plain values only."
    ]
    assert parse_source(load(EXERCISE)).max_score == 5


def test_an_answer_that_does_not_call_the_helper_loses_that_check_only(validated, kernels):
    scores = grade(
        validated, kernels, "def order_total(items):\n    return sum(PRICES[i] for i in items)\n"
    )

    assert scores == {
        "order_total_adds_up": (1, ""),
        "order_total_uses_unit_price": (0, "AssertionError: order_total does not use unit_price"),
        "order_total_after_the_check": (1, ""),
        "prices_read_at_call_time": (1, ""),
        "order_total_with_a_stand_in": (0, "AssertionError"),
    }


def test_an_answer_that_defines_the_helper_again_when_it_is_gone_loses_the_check(
    validated, kernels
):
    # In one kernel, as in nbgrader, the deleted helper is back before the call needs it.
    redefines = (
        "def order_total(items):\n"
        "    global unit_price\n"
        "    def unit_price(item):\n"
        "        return PRICES[item]\n"
        "    return sum(unit_price(item) for item in items)\n"
    )

    scores = grade(validated, kernels, redefines)

    assert scores["order_total_uses_unit_price"] == (
        0,
        "AssertionError: order_total does not use unit_price",
    )
    assert scores["order_total_adds_up"] == scores["order_total_after_the_check"] == (1, "")


def test_an_answer_that_raises_name_error_itself_passes_only_that_check_as_in_nbgrader(
    validated, kernels
):
    scores = grade(
        validated, kernels, "def order_total(items):\n    raise NameError('unit_price')\n"
    )

    assert {grade_id: points for grade_id, (points, _) in scores.items()} == {
        "order_total_adds_up": 0,
        "order_total_uses_unit_price": 1,
        "order_total_after_the_check": 0,
        "prices_read_at_call_time": 0,
        "order_total_with_a_stand_in": 0,
    }


def test_a_learner_who_rewrites_the_judges_end_in_the_kernel_only_loses_points(validated, kernels):
    # Deletions and rebindings ignored: the honest answer then fails the checks that rely on them.
    tampered = (
        "import sys\n"
        "sys.modules['__pma_judge__'].rebind = lambda namespace, sync: None\n" + USES_HELPER
    )

    scores = grade(validated, kernels, tampered)

    assert {grade_id: points for grade_id, (points, _) in scores.items()} == {
        "order_total_adds_up": 1,
        "order_total_uses_unit_price": 0,
        "order_total_after_the_check": 1,
        "prices_read_at_call_time": 0,
        "order_total_with_a_stand_in": 1,
    }


def test_the_check_works_when_calls_go_through_cells(validated):
    # A bubblewrap kernel has no comm target from its start; with IPython's hooks gone it cannot
    # open one, so every call (and the deletion it carries) goes through call_json.
    scores = grade(
        validated,
        ColdKernels(TEST_LIMITS, launcher="bwrap"),
        "import builtins\ndel builtins.get_ipython\n" + USES_HELPER,
    )

    assert {grade_id: points for grade_id, (points, _) in scores.items()} == {
        "order_total_adds_up": 1,
        "order_total_uses_unit_price": 1,
        "order_total_after_the_check": 1,
        "prices_read_at_call_time": 1,
        "order_total_with_a_stand_in": 1,
    }
