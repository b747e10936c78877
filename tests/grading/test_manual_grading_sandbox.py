"""Manual grading end to end with the real engine: an nbgrader notebook with a markdown answer, a
code answer and a task graded by a person (tests/fixtures/exercises/roadmap_manual_cells.ipynb)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from courses.models import CourseExercise, CourseProgress
from exercises.services import exercise_create, exercise_revision_record_validation
from grading.models import ManualGradeChange, ManualStatus
from grading.services import submission_create

from .submissions_support import FIXTURES

pytestmark = [pytest.mark.sandbox, pytest.mark.django_db]

ANSWERS = {
    "cd3_answer": 'def cd3(name):\n    item = initiatives[name]\n    return item["cost_of_delay"] / item["weeks"]\n',
    "order_explain": "Audit log, then **SSO**, then dark mode.\n\nCD3 ignores dependencies.",
    "sequence_answer": "def sequence():\n    return sorted(initiatives, key=cd3, reverse=True)\n",
}


def test_three_kinds_of_manual_cell_wait_then_the_instructors_grades_make_the_final_score(
    client, instructor, enrolled, course, django_capture_on_commit_callbacks
):
    data = (FIXTURES / "exercises" / "roadmap_manual_cells.ipynb").read_bytes()
    exercise = exercise_create(
        title="Roadmap", slug="roadmap", data=data, filename="roadmap.ipynb", created_by=None
    )
    exercise_revision_record_validation(
        revision=exercise.revisions.get(), report={"valid": True, "problems": []}
    )
    exercise.refresh_from_db()
    CourseExercise.objects.create(course=course, exercise=exercise, title="Roadmap", max_points=6)
    with django_capture_on_commit_callbacks(execute=True):
        submission = submission_create(
            learner=enrolled, exercise=exercise, course_page=course, answers=ANSWERS, kind="submit"
        )
    submission.refresh_from_db()
    assert submission.status == "graded", submission.failure_reason
    statuses = {t["grade_id"]: t["status"] for t in submission.report["tests"]}
    assert statuses == {
        "cd3_tests": "passed",
        "order_explain": "needs_review",
        "sequence_answer": "needs_review",
        "stakeholder_task": "needs_review",
    }
    assert (submission.manual_status, submission.score, submission.max_score) == (
        ManualStatus.PENDING,
        Decimal(1),
        Decimal(6),
    )

    client.force_login(instructor)
    page = client.get(reverse("review:submission", args=[submission.pk])).content.decode()
    assert "<strong>SSO</strong>" in page  # the markdown answer, rendered
    assert "sorted" in page and "def" in page  # the code answer, highlighted
    assert "Task: make the notebook tell a stakeholder" in page  # the task's own text
    with django_capture_on_commit_callbacks(execute=True):
        for grade_id, points in (("order_explain", "2"), ("sequence_answer", "1")):
            client.post(reverse("review:grade", args=[submission.pk, grade_id]), {"points": points})
        submission.refresh_from_db()
        assert submission.manual_status == ManualStatus.PENDING  # one cell still waits
        client.post(
            reverse("review:grade", args=[submission.pk, "stakeholder_task"]),
            {"points": "1.5", "feedback": "No printed sentence."},
        )
    submission.refresh_from_db()
    assert (submission.manual_status, submission.score) == (ManualStatus.GRADED, Decimal("5.5"))
    assert ManualGradeChange.objects.count() == 3
    progress = CourseProgress.objects.get(enrolment__learner=enrolled)
    assert progress.exercise_points == Decimal("5.5")
