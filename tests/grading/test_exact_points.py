"""Exact points through the grading services and the database: a question split in three tests is
validated, graded in the sandbox and stored with its score equal to its maximum; an old float
report still loads; an instructor may type a fraction."""

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.urls import reverse

from courses.models import CourseExercise, CourseExerciseScore
from exercises.models import ValidationStatus
from exercises.services import exercise_create
from grading.engine.report import GradeReport, TestStatus
from grading.models import GradeOverride, Submission
from grading.selectors import submission_result
from grading.services import (
    SubmissionRefused,
    exercise_revision_validate,
    grade_override,
    submission_create,
)

from .submissions_support import install_fake_engine, make_exercise

THIRDS = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "exercises"
    / "question_split_in_thirds.ipynb"
).read_bytes()


@pytest.mark.sandbox
@pytest.mark.django_db
def test_a_perfect_answer_to_a_question_in_thirds_is_stored_as_its_maximum(
    enrolled, course, django_capture_on_commit_callbacks
):
    exercise = exercise_create(
        title="Reach", slug="reach", data=THIRDS, filename="reach.ipynb", created_by=None
    )
    revision = exercise_revision_validate(revision=exercise.revisions.get())
    assert revision.validation_status == ValidationStatus.VALID, revision.problems
    assert revision.max_score == Decimal(1)
    assert [c["points"] for c in revision.tests] == ["1/3", "1/3", "1/3"]
    assert revision.validation_report["release"]["score"] == 0
    exercise.refresh_from_db()
    CourseExercise.objects.create(course=course, exercise=exercise, title="Reach", max_points=1)

    with django_capture_on_commit_callbacks(execute=True):
        submission_create(
            learner=enrolled,
            exercise=exercise,
            course_page=course,
            answers={"reach_answer": "reach = 2000"},
            kind="submit",
        )

    submission = Submission.objects.get()
    assert (submission.status, submission.score, submission.max_score) == (
        "graded",
        Decimal(1),
        Decimal(1),
    )
    report = GradeReport.from_dict(submission.report)
    assert (report.score, report.max_score) == (Fraction(1), Fraction(1))
    assert [(t.points, t.max_points, t.status) for t in report.tests] == [
        (Fraction(1, 3), Fraction(1, 3), TestStatus.PASSED)
    ] * 3
    score = CourseExerciseScore.objects.get()
    assert score.points == score.max_points == Decimal(1)


@pytest.mark.django_db
def test_a_report_stored_with_rounded_floats_still_shows(enrolled, course, exercise):
    submission = Submission.objects.create(
        learner=enrolled,
        exercise=exercise,
        revision=exercise.current_revision,
        course_page=course,
        kind="submit",
        origin="editor",
        status="graded",
        notebook="submissions/old.ipynb",
        notebook_sha256="0" * 64,
        seed=1,
        attempt=1,
        created_at=exercise.created_at,
        queued_at=exercise.created_at,
        score=0.9999,
        max_score=1.0,
        # As the engine stored it before points were exact: rounded to four places.
        report={
            "score": 0.9999,
            "max_score": 1.0,
            "status": "graded",
            "tests": [
                {
                    "grade_id": f"third_{n}",
                    "points": 0.3333,
                    "max_points": 0.333333,
                    "status": "partial",
                    "message": "Partial credit: 0.3333 of 0.333333.",
                    "sealed": False,
                    "kind": "test",
                    "cell": n + 3,
                }
                for n in range(3)
            ],
        },
    )

    submission.refresh_from_db()
    assert (submission.score, submission.max_score) == (Decimal("0.9999"), Decimal(1))
    report = GradeReport.from_dict(submission.report)
    assert report.test("third_0").points == Fraction(3333, 10000)
    result = submission_result(submission=submission)
    assert [(t.points, t.max_points) for t in result.tests] == [
        (Fraction(3333, 10000), Fraction(333333, 1000000))
    ] * 3


@pytest.mark.django_db
def test_an_instructor_overrides_with_a_fraction_and_reads_it_rounded(
    admin_client, enrolled, course, django_capture_on_commit_callbacks, monkeypatch
):
    install_fake_engine(monkeypatch)
    exercise = make_exercise()
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(
            learner=enrolled,
            exercise=exercise,
            course_page=course,
            answers={"rice_answer": "x = 1"},
            kind="submit",
        )

    response = admin_client.post(
        reverse("submissions:override", args=[submission.pk]),
        {"new_score": "16/3", "reason": "The rank was right in spirit."},
    )

    assert response.status_code == 302
    submission.refresh_from_db()
    assert submission.override_score == Decimal("5.333333")
    assert GradeOverride.objects.get().new_score == Decimal("5.333333")
    page = admin_client.get(reverse("submissions:inspect", args=[submission.pk])).content.decode()
    assert "5.33 / 6" in page
    with pytest.raises(SubmissionRefused, match="between 0 and 6"):
        grade_override(submission=submission, new_score="19/3", reason="Too much.", by=None)


GRADING_FLOATS = ("grading", "0003_index_submissions_by_course_and_date")


def _migrate(executor, target):
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def _migrate_everything_forward(executor):
    """Back to the latest state of every app: going back in grading also unapplied the
    migrations of apps that depend on it (lti, announcements, ...), not only grading's own."""
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_keeps_float_scores_as_six_place_points(enrolled, course):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    exercise = make_exercise()
    executor = MigrationExecutor(connection)
    try:
        old = _migrate(executor, GRADING_FLOATS).get_model("grading", "Submission")
        old.objects.create(
            learner_id=enrolled.pk,
            exercise_id=exercise.pk,
            revision_id=exercise.current_revision_id,
            course_page_id=course.pk,
            kind="submit",
            origin="editor",
            status="graded",
            notebook="submissions/old.ipynb",
            notebook_sha256="0" * 64,
            seed=1,
            attempt=1,
            created_at=exercise.created_at,
            queued_at=exercise.created_at,
            score=0.1 + 0.2,
            max_score=6.0,
            override_score=1 / 3,
        )
    finally:
        _migrate_everything_forward(executor)

    submission = Submission.objects.get()
    assert (submission.score, submission.max_score, submission.override_score) == (
        Decimal("0.3"),
        Decimal(6),
        Decimal("0.333333"),
    )
