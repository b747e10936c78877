"""Red team, grading layer: one fixture per attack on the notebook, graded end to end in the sandbox.

Each attack asserts the verdict and score, that no hidden-test source or sealed expected value
reaches the report, and that grading finished without an exception.
"""

import pytest

from exercises.format import parse_source
from grading.engine.assemble import hidden_lines
from grading.engine.pipeline import grade_submission
from grading.engine.report import ReportStatus
from grading.engine.sandbox.pool import KernelPool
from tests.grading.engine.engine_support import (
    FIXTURES,
    TEST_LIMITS,
    assert_nothing_secret,
    load,
    submission,
)

pytestmark = pytest.mark.sandbox
SEED = 1234


@pytest.fixture(scope="module")
def kernels():
    pool = KernelPool(TEST_LIMITS, size=2)
    yield pool
    pool.close()


@pytest.fixture(scope="module")
def rice():
    return parse_source(load(FIXTURES / "exercises" / "rice_nbgrader_schema4.ipynb"))


@pytest.fixture(scope="module")
def sealed():
    return parse_source(load(FIXTURES / "exercises" / "rice_sealed.ipynb"))


def grade(source, name, kernels):
    report = grade_submission(
        source, submission(name), kernels=kernels, limits=TEST_LIMITS, seed=SEED
    )
    assert_nothing_secret(report, source, hidden=hidden_lines(source), seed=SEED)
    return report


def points(report):
    return {t.grade_id: t.points for t in report.tests}


def flags(report):
    return [(f.code, f.grade_id, f.review) for f in report.flags]


def test_edited_locked_and_test_cells_are_ignored_and_flagged(rice, kernels):
    report = grade(rice, "rice_edits_locked_cells.ipynb", kernels)

    assert report.status is ReportStatus.GRADED
    assert points(report) == {"rice_tests": 0.0, "rank_tests": 0.0, "explain_answer": 0.0}
    assert report.test("rice_tests").message == "AssertionError: rice score for 'SSO' is wrong"
    assert flags(report) == [
        ("locked_cell_edited", "setup", False),
        ("locked_cell_edited", "rice_tests", False),
        ("locked_cell_edited", "rank_tests", False),
    ]


def test_deleted_test_cells_still_run(rice, kernels):
    report = grade(rice, "rice_deletes_test_cells.ipynb", kernels)

    assert points(report) == {"rice_tests": 0.0, "rank_tests": 0.0, "explain_answer": 0.0}
    assert [t.status.value for t in report.tests] == ["failed", "failed", "failed"]
    assert flags(report) == [
        ("locked_cell_deleted", "rice_tests", False),
        ("locked_cell_deleted", "rank_tests", False),
    ]


def test_added_cells_and_a_fake_graded_cell_count_for_nothing(rice, kernels):
    report = grade(rice, "rice_adds_cells.ipynb", kernels)

    assert report.max_score == 6.0
    assert report.score == 0.0
    assert [t.grade_id for t in report.tests] == ["rice_tests", "rank_tests", "explain_answer"]
    assert flags(report) == [("cells_added", "", False)]


def test_uploaded_outputs_saying_passed_are_ignored(rice, kernels):
    report = grade(rice, "rice_outputs_say_passed.ipynb", kernels)

    assert report.score == 0.0
    assert report.max_score == 6.0
    assert "passed" not in report.to_json().replace('"passed"', "")


@pytest.mark.parametrize(
    "fixture", ["rice_foreign_kernelspec_bash.ipynb", "rice_madeup_kernelspec.ipynb"]
)
def test_foreign_kernelspec_is_ignored(rice, kernels, fixture):
    report = grade(rice, fixture, kernels)

    assert report.status is ReportStatus.GRADED
    assert points(report) == {"rice_tests": 2.0, "rank_tests": 3.0, "explain_answer": 0.0}


def test_always_equal_object_loses_against_the_judge(rice, kernels):
    """The asserts run in the judge, against the plain value the learner's function returned."""
    report = grade(rice, "rice_always_equal.ipynb", kernels)

    assert points(report) == {"rice_tests": 0.0, "rank_tests": 0.0, "explain_answer": 0.0}
    assert report.test("rice_tests").sealed is True
    assert report.test("rice_tests").message == "AssertionError: rice score for 'SSO' is wrong"


def test_always_equal_object_loses_against_sealed_checks(sealed, kernels):
    report = grade(sealed, "sealed_always_equal.ipynb", kernels)

    assert report.status is ReportStatus.GRADED
    assert [(t.grade_id, t.points, t.sealed) for t in report.tests] == [
        ("rice_visible_tests", 0.0, True),
        ("rice_sealed", 0.0, True),
        ("rank_sealed", 0.0, True),
        ("moscow_sealed", 0.0, True),
    ]


def test_patched_tracebacks_do_not_turn_errors_into_passes(rice, kernels):
    report = grade(rice, "rice_patches_traceback.ipynb", kernels)

    assert points(report) == {"rice_tests": 0.0, "rank_tests": 0.0, "explain_answer": 0.0}
    assert report.test("rice_tests").message == "AssertionError: rice score for 'SSO' is wrong"
    assert flags(report) == [("kernel_internals", "rice_answer", True)]
    assert report.needs_review


def test_answer_that_echoes_the_hidden_test_source_has_none_to_echo(rice, kernels):
    """Hidden tests run in the judge: the learner's kernel never holds their source."""
    report = grade(rice, "rice_echoes_hidden_tests.ipynb", kernels)

    assert report.test("rice_tests").points == 0.0
    assert report.test("rice_tests").message == "AssertionError"
    assert "1e-9" not in report.to_json()
    assert flags(report) == [("kernel_internals", "rice_answer", True)]


def test_forged_replies_and_channel_files_cannot_reach_sealed_points(sealed, kernels):
    report = grade(sealed, "sealed_forges_replies.ipynb", kernels)

    assert report.status is ReportStatus.GRADED
    # Forged kernel replies no longer reach the visible test either: it runs in the judge.
    assert (report.test("rice_visible_tests").points, report.test("rice_visible_tests").sealed) == (
        0.0,
        True,
    )
    assert [(t.grade_id, t.points, t.sealed) for t in report.tests[1:]] == [
        ("rice_sealed", 0.0, True),
        ("rank_sealed", 0.0, True),
        ("moscow_sealed", 0.0, True),
    ]
    assert ("kernel_internals", "rice_answer", True) in flags(report)


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("rice_sys_exit.ipynb", "asked the Python kernel to exit"),
        ("rice_os_exit.ipynb", "The Python kernel stopped while running code cell 2"),
    ],
)
def test_exiting_the_kernel_is_a_crash_with_zero_points(rice, kernels, fixture, message):
    report = grade(rice, fixture, kernels)

    assert report.status is ReportStatus.CRASHED
    assert report.score == 0.0
    assert message in report.message
    assert [t.status.value for t in report.tests] == ["not_run", "not_run", "failed"]
    assert report.test("rice_tests").message.startswith("Not run: ")
