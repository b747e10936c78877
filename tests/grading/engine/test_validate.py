"""validate_exercise: static problems first, then the solution must earn full marks and the release none."""

import copy

import pytest

from exercises.format import CODE_STUB
from grading.engine.sandbox.pool import KernelPool
from grading.engine.validate import validate_exercise

from .engine_support import FIXTURES, TEST_LIMITS, load

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def kernels():
    pool = KernelPool(TEST_LIMITS, size=2)
    yield pool
    pool.close()


def _texts(report):
    return [str(p) for p in report.problems]


def test_the_worked_sealed_example_is_valid(kernels):
    report = validate_exercise(
        load(FIXTURES / "exercises" / "rice_sealed.ipynb"), kernels=kernels, limits=TEST_LIMITS
    )

    assert report.valid, _texts(report)
    assert report.reference.score == 8.0
    assert report.release.score == 0.0
    assert report.to_dict()["max_score"] == 8.0


def test_static_problems_are_reported_without_running_anything(kernels):
    report = validate_exercise(
        load(FIXTURES / "exercises" / "invalid_duplicate_grade_ids.ipynb"),
        kernels=kernels,
        limits=TEST_LIMITS,
    )

    assert not report.valid
    assert report.reference is None
    assert len(report.problems) == 2


def test_wrong_solution_and_test_that_passes_without_an_answer(kernels):
    nb = load(FIXTURES / "exercises" / "rice_nbgrader_schema4.ipynb")
    nb.cells[3].source = nb.cells[3].source.replace(
        "reach * impact * confidence / effort", "reach * impact / effort"
    )
    nb.cells[7].source = "# Partial credit that forgets to call the answer\n3"

    report = validate_exercise(nb, kernels=kernels, limits=TEST_LIMITS)

    assert not report.valid
    assert _texts(report) == [
        "Cell 5 ('rice_tests'): the reference solution scores 0 of 2 points here (AssertionError: rice score "
        "for 'SSO' is wrong). Fix: fix the solution (between the BEGIN/END SOLUTION markers) or the test so "
        "the solution passes.",
        "Cell 8 ('rank_tests'): the release notebook, with no answers filled in, already earns 3 of 3 points "
        "here, so learners get them without answering. Fix: make the test fail while the answer is still the "
        "placeholder, e.g. check the answer's value.",
    ]
    assert CODE_STUB.splitlines()[0] not in " ".join(_texts(report))


def test_a_generator_that_returns_the_wrong_shape(kernels):
    nb = copy.deepcopy(load(FIXTURES / "exercises" / "rice_sealed.ipynb"))
    nb.cells[6].source = "def generate(rng):\n    return [1, 2, 3]"

    report = validate_exercise(nb, kernels=kernels, limits=TEST_LIMITS)

    assert not report.valid
    assert _texts(report) == [
        "Cell 7 ('moscow_sealed'): Sealed check 'moscow_sealed': generate(rng) must return a dict whose keys "
        "are Python names. Fix: make generate(rng) return a dict of JSON values named after the call's arguments.",
    ]


def test_an_otter_failure_is_named_by_the_cell_number_the_author_sees(kernels):
    """Otter's boundary cells count in the author's numbering; the report's own numbering skips them."""
    from tests.exercises.otter_masters import code, master, question

    nb = master(
        [
            *question(
                "name: q1\npoints: 1",
                text="Compute the RICE score.",
                solution=[code("score = 800  # SOLUTION")],
                tests=[code("score == 801", shows="True")],
            ),
        ]
    )
    # Cells: 1 BEGIN QUESTION, 2 text, 3 BEGIN SOLUTION, 4 solution, 5 END SOLUTION,
    # 6 BEGIN TESTS, 7 the test, 8 END TESTS, 9 END QUESTION.
    report = validate_exercise(nb, kernels=kernels, limits=TEST_LIMITS)

    assert not report.valid
    assert [p.cell for p in report.problems] == [6]
    assert str(report.problems[0]).startswith(
        "Cell 7 ('q1_test_1'): the reference solution scores 0 of 1"
    )
