"""Validation that teaches: a setup or solution cell that raises is named with its error, not only the NameErrors after it."""

import nbformat
import pytest

from grading.engine.sandbox.pool import KernelPool
from grading.engine.validate import validate_exercise
from tests.grading.engine.engine_support import TEST_LIMITS

from .nbgrader_cells import answer, autotests, notebook, readonly

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def kernels():
    pool = KernelPool(TEST_LIMITS, size=1)
    yield pool
    pool.close()


def _texts(report):
    return [str(p) for p in report.problems]


def test_a_setup_cell_that_cannot_import_is_named_before_the_tests_it_breaks(kernels):
    nb = notebook(
        readonly("setup", "import pma_no_such_module as pd\nbacklog = pd.DataFrame()"),
        answer(
            "count",
            "def count(rows):\n    ### BEGIN SOLUTION\n    return len(rows)\n    ### END SOLUTION",
        ),
        autotests("count_tests", "assert count(backlog) == 0"),
    )

    report = validate_exercise(nb, kernels=kernels, limits=TEST_LIMITS)

    assert not report.valid
    assert _texts(report)[0] == (
        "Cell 1 ('setup'): it raised ModuleNotFoundError: No module named 'pma_no_such_module' when the "
        "reference solution ran, so the cells after it may fail too. Fix: make the cell run without "
        "errors; a module the grading kernels cannot import has to be added to the grading environment "
        "by the operator."
    )
    assert _texts(report)[1].startswith(
        "Cell 3 ('count_tests'): the reference solution scores 0 of 1"
    )


def test_a_solution_that_raises_is_reported_with_its_message(kernels):
    nb = notebook(
        answer(
            "ratio",
            "### BEGIN SOLUTION\nratio = 10 / 0\n### END SOLUTION",
        ),
        autotests("ratio_tests", "assert ratio == 5"),
    )

    report = validate_exercise(nb, kernels=kernels, limits=TEST_LIMITS)

    assert _texts(report)[0] == (
        "Cell 1 ('ratio'): its solution raised ZeroDivisionError: division by zero when the reference "
        "solution ran, so the cells after it may fail too. Fix: fix the solution between the BEGIN/END "
        "SOLUTION markers so the cell runs without errors."
    )


def test_an_error_the_tests_survive_is_a_note(kernels):
    demo = nbformat.v4.new_code_cell("int('seven')  # shows learners a ValueError")
    nb = notebook(
        demo,
        answer("seven", "### BEGIN SOLUTION\nseven = 7\n### END SOLUTION"),
        autotests("seven_tests", "assert seven == 7"),
    )

    report = validate_exercise(nb, kernels=kernels, limits=TEST_LIMITS)

    assert report.valid, _texts(report)
    assert report.notes[0] == (
        "Cell 1: it raised ValueError: invalid literal for int() with base 10: 'seven' when the reference "
        "solution ran; the tests still passed, so nothing needs to change if the error is intended."
    )
