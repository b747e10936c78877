"""A learner's journey through the real sandbox: check, submit right, submit partly wrong."""

import pytest
from django.urls import reverse

from courses.models import CourseExercise, CourseProgress
from grading.models import Submission
from tests.grading.submissions_support import CORRECT, PARTIAL, make_exercise

PRINTS = CORRECT["rank_answer"] + 'print("ranked", rank_by_rice(features)[0])\n'


@pytest.mark.sandbox
@pytest.mark.django_db
def test_check_then_submit_through_the_browser_editor(
    client, enrolled, course, django_capture_on_commit_callbacks
):
    exercise = make_exercise()
    CourseExercise.objects.create(
        course=course, exercise=exercise, title=exercise.title, max_points=10
    )
    client.force_login(enrolled)
    submit_url = reverse("exercise_submit", args=[course.pk, exercise.pk])

    def send(action, answers):
        fields = {"action": action, **{f"answer-{k}": v for k, v in answers.items()}}
        with django_capture_on_commit_callbacks(execute=True):
            client.post(submit_url, fields)
        return Submission.objects.order_by("-pk").first()

    check = send("check", {**CORRECT, "rank_answer": PRINTS})
    assert (check.kind, check.attempt, check.status, check.score) == ("check", None, "graded", 5.0)
    assert check.outputs["rank_answer"] == [
        {"type": "text", "name": "stdout", "text": "ranked Dark mode\n"}
    ]

    right = send("submit", CORRECT)
    assert (right.attempt, right.status, right.score, right.max_score) == (1, "graded", 5.0, 6.0)
    assert [(t["grade_id"], t["status"], t["points"]) for t in right.report["tests"]] == [
        ("rice_tests", "passed", 2.0),
        ("rank_tests", "passed", 3.0),
        ("explain_answer", "needs_review", 0.0),
    ]

    wrong = send("submit", PARTIAL)
    assert (wrong.attempt, wrong.status, wrong.score) == (2, "graded", 3.5)
    assert [t["status"] for t in wrong.report["tests"]] == ["passed", "partial", "needs_review"]

    page = client.get(reverse("submission_detail", args=[wrong.pk])).content.decode()
    assert "3.5 / 6 points" in page and "Partly right" in page
    assert "Audit log" not in page and "effort of zero" not in page  # hidden tests never leak
    progress = CourseProgress.objects.get(enrolment__learner=enrolled)
    # The best attempt counts: 5 of 6 of 10 points, stored to a millionth (exercises.points).
    assert str(progress.exercise_points) == "8.333333"
