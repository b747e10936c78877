"""Helpers for submission tests: a validated RICE exercise, answers, notebooks and a fake engine.

Validation is recorded directly (the admin tests run it in the sandbox); tests that do not
need kernels swap the engine for a fake that returns a report with chosen scores.
"""

import json
from pathlib import Path

from exercises.models import Exercise
from exercises.services import exercise_create, exercise_revision_record_validation
from grading.engine.report import GradeReport, ReportStatus, TestResult, TestStatus

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RICE = (FIXTURES / "exercises" / "rice_nbgrader_schema4.ipynb").read_bytes()

RICE_ANSWER = """def rice_score(reach, impact, confidence, effort):
    if effort <= 0:
        raise ValueError("effort must be positive")
    return reach * impact * confidence / effort
"""
RANK_ANSWER = """def rank_by_rice(features):
    def score(f):
        return rice_score(f["reach"], f["impact"], f["confidence"], f["effort"])
    return [f["name"] for f in sorted(features, key=score, reverse=True)]
"""
#: Keeps the notebook's order: two of four features in the right place, one point in three each.
RANK_WRONG = """def rank_by_rice(features):
    return [f["name"] for f in features]
"""
EXPLAIN = "Dark mode: it reaches the most people for the least effort."
CORRECT = {"rice_answer": RICE_ANSWER, "rank_answer": RANK_ANSWER, "explain_answer": EXPLAIN}
PARTIAL = {"rice_answer": RICE_ANSWER, "rank_answer": RANK_WRONG, "explain_answer": EXPLAIN}


def notebook_with(exercise: Exercise, answers: dict[str, str]) -> bytes:
    """The exercise's release notebook with `answers` written into its answer cells, as Jupyter saves it."""
    nb = json.loads(exercise.current_revision.release.read())
    exercise.current_revision.release.close()
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    return json.dumps(nb).encode()


def make_exercise(*, slug: str = "rice", title: str = "RICE scoring", **policy) -> Exercise:
    exercise = exercise_create(
        title=title, slug=slug, data=RICE, filename="rice.ipynb", created_by=None
    )
    exercise_revision_record_validation(
        revision=exercise.revisions.get(), report={"valid": True, "problems": []}
    )
    exercise.refresh_from_db()
    if policy:
        for name, value in policy.items():
            setattr(exercise, name, value)
        exercise.save()
    return exercise


class FakeEngine:
    """Stands in for grading.engine.grade_submission: rice_tests pass, rank_tests get `rank_points`."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.rank_points = 3.0
        self.raises: Exception | None = None

    def __call__(self, source, submission, *, kernels, limits, seed, mode, in_kernel=frozenset()):
        self.calls.append({"seed": seed, "mode": mode})
        if self.raises is not None:
            raise self.raises
        tests = [
            TestResult("rice_tests", 2.0, 2.0, TestStatus.PASSED, cell=5),
            TestResult(
                "rank_tests",
                self.rank_points,
                3.0,
                TestStatus.PASSED if self.rank_points == 3.0 else TestStatus.PARTIAL,
                message="" if self.rank_points == 3.0 else "2 of 4 in the right place",
                cell=8,
            ),
            TestResult("explain_answer", 0.0, 1.0, TestStatus.NEEDS_REVIEW, kind="manual", cell=10),
        ]
        return GradeReport(
            score=2.0 + self.rank_points,
            max_score=6.0,
            status=ReportStatus.GRADED,
            tests=tests,
            seed=seed,
            mode=mode,
        )


def install_fake_engine(monkeypatch) -> FakeEngine:
    engine = FakeEngine()
    monkeypatch.setattr("grading.services.grade_run.grade_submission", engine)
    # No kernel pool either: the fake never asks for a kernel.
    monkeypatch.setattr("grading.services.grade_run.kernel_provider", lambda: None)
    return engine


def make_course_exercise(course, **policy) -> Exercise:
    """A validated RICE exercise counted by `course`'s pass rules (10 points)."""
    from courses.models import CourseExercise

    exercise = make_exercise(**policy)
    CourseExercise.objects.create(
        course=course, exercise=exercise, title=exercise.title, max_points=10
    )
    return exercise


def install_fake_engine_over_http(monkeypatch, capture_on_commit) -> FakeEngine:
    """The fake engine for tests that post through the test client.

    Requests run inside the test's transaction; `engine.commit(execute=True)` runs their on-commit
    work (grading) as a real commit would. Pass pytest-django's `django_capture_on_commit_callbacks`.
    """
    engine = install_fake_engine(monkeypatch)
    engine.commit = capture_on_commit
    return engine
