"""Exact points through real kernels: a question split in thirds passes each third and sums to its
maximum exactly; a test's printed partial credit is the number it prints, shown rounded."""

from fractions import Fraction

import nbformat
import pytest

from exercises.format import parse_source
from grading.engine.pipeline import grade_submission
from grading.engine.report import TestStatus
from grading.engine.sandbox.pool import KernelPool
from grading.engine.validate import solution_notebook, validate_exercise

from .engine_support import FIXTURES, TEST_LIMITS, load

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def kernels():
    pool = KernelPool(TEST_LIMITS, size=2)
    yield pool
    pool.close()


def question_in_thirds(points):
    """One answer and three tests of it, each worth `points`, a third of the question."""
    nb = load(FIXTURES / "exercises" / "question_split_in_thirds.ipynb")
    for cell in nb.cells[3:]:
        cell.metadata["nbgrader"]["points"] = points
    return nb


def graded_cell(source: str, grade_id: str, points):
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "schema_version": 3,
        "grade_id": grade_id,
        "grade": True,
        "solution": False,
        "locked": True,
        "task": False,
        "points": points,
    }
    return cell


@pytest.mark.parametrize(
    ("points", "maximum"),
    [
        # Written exactly: the question is worth 1.
        ("1/3", Fraction(1)),
        # As a float nbgrader's toolbar stores: three times the decimal written, not 1.
        (1 / 3, 3 * Fraction("0.3333333333333333")),
    ],
)
def test_a_question_split_in_thirds_is_valid_and_every_third_passes(points, maximum, kernels):
    report = validate_exercise(question_in_thirds(points), kernels=kernels, limits=TEST_LIMITS)

    assert report.valid, [str(p) for p in report.problems]
    assert report.source.max_score == maximum
    third = maximum / 3
    assert [(t.grade_id, t.points, t.max_points, t.status) for t in report.reference.tests] == [
        ("reach_positive", third, third, TestStatus.PASSED),
        ("reach_thousands", third, third, TestStatus.PASSED),
        ("reach_value", third, third, TestStatus.PASSED),
    ]
    assert report.reference.score == report.reference.max_score == maximum
    assert report.release.score == 0
    assert [t.status for t in report.release.tests] == [TestStatus.FAILED] * 3


def test_partial_credit_printed_by_a_test_is_the_number_it_prints(kernels):
    nb = question_in_thirds("1/3")
    nb.cells += [
        graded_cell("1/3", "a_third_as_a_float", 1),
        graded_cell("from fractions import Fraction\nFraction(1, 3)", "a_third_exactly", 1),
        graded_cell("0.5", "a_half_of_a_third", "1/3"),
    ]
    source = parse_source(nb)

    report = grade_submission(
        source, solution_notebook(source), kernels=kernels, limits=TEST_LIMITS, seed=7
    )

    printed = Fraction("0.3333333333333333")  # what `1/3` prints, read as that decimal
    assert [(t.grade_id, t.points, t.status, t.message) for t in report.tests[3:]] == [
        ("a_third_as_a_float", printed, TestStatus.PARTIAL, "Partial credit: 0.33 of 1."),
        ("a_third_exactly", Fraction(1, 3), TestStatus.PARTIAL, "Partial credit: 0.33 of 1."),
        ("a_half_of_a_third", Fraction(1, 3), TestStatus.PASSED, ""),
    ]
    assert report.score == 1 + printed + Fraction(1, 3) + Fraction(1, 3)
    assert report.max_score == Fraction(10, 3)
