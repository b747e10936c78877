"""Instructors in the Wagtail admin: only their courses' submissions, overrides with an audit trail, regrades."""

import pytest
from django.urls import reverse

from courses.services import enrolment_create
from grading.models import GradeOverride, RegradeBatch, Submission
from grading.services import submission_create

from .submissions_support import CORRECT, PARTIAL

pytestmark = pytest.mark.django_db


@pytest.fixture
def submissions(
    enrolled, exercise, course, other_course, fake_engine, django_capture_on_commit_callbacks
):
    enrolment_create(learner=enrolled, course=other_course)
    with django_capture_on_commit_callbacks(execute=True):
        mine = submission_create(
            learner=enrolled, exercise=exercise, course_page=course, answers=CORRECT, kind="submit"
        )
    fake_engine.rank_points = 1.5
    with django_capture_on_commit_callbacks(execute=True):
        theirs = submission_create(
            learner=enrolled,
            exercise=exercise,
            course_page=other_course,
            answers=PARTIAL,
            kind="submit",
        )
    return mine, theirs


def test_the_list_and_inspect_view_show_only_the_instructors_courses(
    client, instructor, submissions
):
    mine, theirs = submissions
    client.force_login(instructor)

    listing = client.get(reverse("submissions:index"))
    assert listing.status_code == 200
    assert list(listing.context["object_list"]) == [mine]

    page = client.get(reverse("submissions:inspect", args=[mine.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Override the score" in html and f"<code>{mine.seed}</code>" in html
    assert "learner's answer" in html and "def rank_by_rice(features):" in html
    assert client.get(reverse("submissions:inspect", args=[theirs.pk])).status_code == 404
    assert (
        client.post(
            reverse("submissions:override", args=[theirs.pk]), {"new_score": 6, "reason": "x"}
        ).status_code
        == 404
    )
    assert client.get(reverse("submissions:edit", args=[mine.pk])).status_code in (302, 403)
    assert client.post(reverse("submissions:delete", args=[mine.pk])).status_code in (302, 403)
    assert Submission.objects.count() == 2


def test_learners_cannot_reach_the_submission_admin(client, enrolled, submissions):
    mine, _theirs = submissions
    client.force_login(enrolled)
    for url in (reverse("submissions:index"), reverse("submissions:inspect", args=[mine.pk])):
        assert client.get(url).status_code in (302, 403)
    assert client.post(
        reverse("submissions:override", args=[mine.pk]), {"new_score": 6, "reason": "me"}
    ).status_code in (302, 403)
    mine.refresh_from_db()
    assert mine.override_score is None


def test_an_override_needs_a_reason_and_lands_on_the_audit_trail(client, instructor, submissions):
    mine, _theirs = submissions
    client.force_login(instructor)

    refused = client.post(
        reverse("submissions:override", args=[mine.pk]), {"new_score": 6, "reason": ""}, follow=True
    )
    assert "Reason: This field is required." in refused.content.decode()
    assert GradeOverride.objects.count() == 0

    client.post(
        reverse("submissions:override", args=[mine.pk]),
        {"new_score": "5.5", "reason": "The explanation is excellent."},
    )
    override = GradeOverride.objects.get()
    assert (override.old_score, override.new_score, override.by, override.reason) == (
        5.0,
        5.5,
        instructor,
        "The explanation is excellent.",
    )
    html = client.get(reverse("submissions:inspect", args=[mine.pk])).content.decode()
    assert "changed 5 → 5.5. Reason: The explanation is excellent." in html


def test_regrading_the_exercise_only_touches_the_instructors_courses(
    client, instructor, exercise, submissions, fake_engine, django_capture_on_commit_callbacks
):
    mine, theirs = submissions
    client.force_login(instructor)
    fake_engine.rank_points = 3.0
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("submissions:regrade_exercise", args=[exercise.pk]))
    batch = RegradeBatch.objects.get()
    assert response["Location"] == reverse("submissions:regrade_batch", args=[batch.pk])
    assert (batch.status, batch.total, batch.done) == ("finished", 1, 1)
    assert list(batch.changes.values_list("submission_id", flat=True)) == [mine.pk]
    page = client.get(response["Location"]).content.decode()
    assert "No score changed." in page and "1 of 1 regraded." in page


def test_the_attempt_policy_is_edited_in_the_exercise_admin(client, instructor, exercise):
    client.force_login(instructor)
    response = client.post(
        reverse("exercises:edit", args=[exercise.pk]),
        {
            "title": exercise.title,
            "slug": exercise.slug,
            "instructions": "",
            "max_attempts": "3",
            "cooldown_seconds": "30",
            "score_policy": "last",
            "due_at": "2030-01-31 17:00",
        },
    )
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert (exercise.max_attempts, exercise.cooldown_seconds, exercise.score_policy) == (
        3,
        30,
        "last",
    )
    assert exercise.due_at.isoformat() == "2030-01-31T17:00:00+00:00"
