"""grade_submission end to end with real sandboxed kernels: full marks, zero, partial credit, check mode."""

import json

import pytest

from exercises.format import parse_source, release_notebook
from grading.engine.assemble import hidden_lines
from grading.engine.pipeline import grade_submission
from grading.engine.report import ENGINE_VERSION, ReportStatus
from grading.engine.sandbox.pool import KernelPool
from grading.engine.validate import solution_notebook

from .engine_support import FIXTURES, TEST_LIMITS, assert_nothing_secret, load, submission

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def kernels():
    pool = KernelPool(TEST_LIMITS, size=2)
    yield pool
    pool.close()


def _grade(source, nb, kernels, *, seed=7, mode="submit"):
    return grade_submission(source, nb, kernels=kernels, limits=TEST_LIMITS, seed=seed, mode=mode)


def _summary(report):
    return [(t.grade_id, t.points, t.max_points, t.status.value, t.sealed) for t in report.tests]


@pytest.mark.parametrize("fixture", ["rice_nbgrader_schema3.ipynb", "rice_nbgrader_schema4.ipynb"])
def test_reference_scores_full_marks_and_release_zero(fixture, kernels):
    source = parse_source(load(FIXTURES / "exercises" / fixture))

    reference = _grade(source, solution_notebook(source), kernels)
    release = _grade(source, release_notebook(source), kernels)

    assert reference.status is ReportStatus.GRADED
    assert _summary(reference) == [
        ("rice_tests", 2.0, 2.0, "passed", True),
        ("rank_tests", 3.0, 3.0, "passed", True),
        ("explain_answer", 0.0, 1.0, "needs_review", False),
    ]
    assert (reference.score, reference.max_score) == (5.0, 6.0)
    assert reference.flags == []
    assert reference.needs_review
    assert _summary(release) == [
        ("rice_tests", 0.0, 2.0, "failed", True),
        ("rank_tests", 0.0, 3.0, "failed", True),
        ("explain_answer", 0.0, 1.0, "failed", False),
    ]
    assert release.test("rice_tests").message == "NotImplementedError"
    assert release.test("explain_answer").message == "No answer given."
    assert release.score == 0.0


def test_partial_credit_and_a_failing_hidden_test(kernels):
    source = parse_source(load(FIXTURES / "exercises" / "rice_nbgrader_schema4.ipynb"))

    report = _grade(source, submission("rice_partial_credit.ipynb"), kernels, seed=11)

    assert _summary(report) == [
        ("rice_tests", 0.0, 2.0, "failed", True),
        ("rank_tests", 1.5, 3.0, "partial", True),
        ("explain_answer", 0.0, 1.0, "needs_review", False),
    ]
    # The visible asserts pass; the hidden zero-effort test does not. The learner's own error
    # message could carry the hidden inputs, so only a sentence the grader wrote shows.
    assert report.test("rice_tests").message == "A hidden test in this cell failed."
    assert report.test("rank_tests").message == "Partial credit: 1.5 of 3."
    assert report.score == 1.5
    data = json.loads(report.to_json())
    assert data["seed"] == 11
    assert data["engine_version"] == ENGINE_VERSION
    assert data["source_sha256"] == source.sha256
    assert set(data["timings"]) >= {"assemble_s", "acquire_s", "execute_s", "total_s"}
    assert_nothing_secret(report, source, hidden=hidden_lines(source), seed=11)


def test_check_mode_runs_visible_tests_only(kernels):
    source = parse_source(load(FIXTURES / "exercises" / "rice_nbgrader_schema4.ipynb"))

    report = _grade(source, submission("rice_partial_credit.ipynb"), kernels, mode="check")

    assert report.mode == "check"
    assert report.test("rice_tests").points == 2.0  # the hidden zero-effort test did not run
    assert report.message == (
        "Check run: only the visible tests ran. Hidden tests and sealed checks run when you submit, "
        "so your submitted score can differ."
    )


def test_otter_reference_and_release(kernels):
    source = parse_source(load(FIXTURES / "exercises" / "rice_otter_v1.ipynb"))

    reference = _grade(source, solution_notebook(source), kernels)
    release = _grade(source, release_notebook(source), kernels)

    assert _summary(reference) == [
        ("q1_test_1", 1.0, 1.0, "passed", True),
        ("q1_test_2", 1.0, 1.0, "passed", True),
        ("q2", 0.0, 1.0, "needs_review", False),
    ]
    assert release.score == 0.0


def test_sealed_rice_reference_release_and_partial(kernels):
    source = parse_source(load(FIXTURES / "exercises" / "rice_sealed.ipynb"))
    solution = solution_notebook(source)
    partial = json.loads(json.dumps(solution))
    answer = next(
        c
        for c in partial["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "rice_answer"
    )
    # Off-by-one MoSCoW thresholds: some buckets wrong, everything else right.
    answer["source"] = answer["source"].replace("score >= 1000", "score > 2000")

    reference = _grade(source, solution, kernels, seed=5)
    release = _grade(source, release_notebook(source), kernels, seed=5)
    partly = _grade(source, partial, kernels, seed=5)

    assert _summary(reference) == [
        ("rice_visible_tests", 1.0, 1.0, "passed", True),
        ("rice_sealed", 3.0, 3.0, "passed", True),
        ("rank_sealed", 2.0, 2.0, "passed", True),
        ("moscow_sealed", 2.0, 2.0, "passed", True),
    ]
    assert reference.test("rice_sealed").message == "Passed on 3 hidden input(s)."
    assert release.score == 0.0
    assert release.test("rank_sealed").message == (
        "Passed 0 of 2 hidden input(s). rank_features(backlog) did not return a usable value: NotImplementedError"
    )
    moscow = partly.test("moscow_sealed")
    assert 0.0 < moscow.points < 2.0
    assert moscow.status.value == "partial"
    assert moscow.message.endswith("items are in the right category.")
    assert partly.test("rice_sealed").points == 3.0
    for report in (reference, release, partly):
        assert_nothing_secret(report, source, hidden=[], seed=5)


def test_sealed_checks_are_skipped_in_check_mode(kernels):
    source = parse_source(load(FIXTURES / "exercises" / "rice_sealed.ipynb"))

    report = _grade(source, solution_notebook(source), kernels, mode="check")

    assert _summary(report)[1:] == [
        ("rice_sealed", 0.0, 3.0, "not_run", True),
        ("rank_sealed", 0.0, 2.0, "not_run", True),
        ("moscow_sealed", 0.0, 2.0, "not_run", True),
    ]
    assert report.test("rice_sealed").message == "Sealed checks run only when you submit."


class _Handed:
    """A KernelProvider that notes every kernel it hands out (learner's, then any reference)."""

    def __init__(self, inner):
        self.inner = inner
        self.kernels = []

    def acquire(self):
        kernel = self.inner.acquire()
        self.kernels.append(kernel)
        return kernel

    def judge(self):
        return self.inner.judge()

    def close(self):
        """The wrapped pool belongs to the module fixture."""


def test_grading_returns_with_its_kernels_stopped_and_their_runs_cleaned_up_after(kernels):
    source = parse_source(load(FIXTURES / "exercises" / "rice_sealed.ipynb"))
    handed = _Handed(kernels)

    report = _grade(source, solution_notebook(source), handed, seed=5)

    assert report.score == 8.0
    learner, reference = handed.kernels
    # Both were sent SIGKILL before grade_submission returned; the reaper waits for them.
    assert [kernel.is_alive() for kernel in handed.kernels] == [False, False]
    for kernel in handed.kernels:
        kernel.kill()  # waits for the reaper's clean-up
        assert kernel.processes() == set()
        assert [cgroup for cgroup in kernel.cgroups if cgroup.exists()] == []
    assert learner.uid != reference.uid
