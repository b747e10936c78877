"""One way to check or submit an exercise of a course: enrolment, the upload limit and the attempt
policy are each decided in one place, and every route to a submission goes through them."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from courses.services import NotEnrolledError, course_exercise_submit, enrolment_cancel
from grading.attempts import EXERCISE_DUE, attempt_standing
from grading.models import Submission
from grading.selectors import exercise_panel_context
from grading.services import SubmissionRefused
from grading.uploads import upload_refusal
from tests.grading.submissions_support import CORRECT, install_fake_engine, make_course_exercise

pytestmark = pytest.mark.django_db

TINY_UPLOADS = {"MAX_UPLOAD_BYTES": 1000}


@pytest.fixture
def exercise(course):
    return make_course_exercise(course, max_attempts=2, cooldown_seconds=0)


def test_only_an_active_enrolment_may_submit_and_a_refusal_stores_nothing(
    learner, course, exercise, monkeypatch
):
    install_fake_engine(monkeypatch)
    with pytest.raises(NotEnrolledError):
        course_exercise_submit(
            learner=learner, course=course, exercise=exercise, kind="submit", answers=CORRECT
        )

    from courses.services import enrolment_create

    enrolment_create(learner=learner, course=course)
    enrolment_cancel(learner=learner, course=course)
    with pytest.raises(NotEnrolledError):
        course_exercise_submit(
            learner=learner, course=course, exercise=exercise, kind="check", answers=CORRECT
        )
    assert Submission.objects.count() == 0

    enrolment_create(learner=learner, course=course)
    submission = course_exercise_submit(
        learner=learner, course=course, exercise=exercise, kind="submit", answers=CORRECT
    )
    assert (submission.kind, submission.attempt, submission.course_page_id) == (
        "submit",
        1,
        course.pk,
    )


def test_an_upload_over_the_limit_is_refused_before_it_is_read_with_the_one_message(
    client, enrolled, course, exercise, settings
):
    settings.PMA_GRADING = {**settings.PMA_GRADING, **TINY_UPLOADS}
    expected = upload_refusal(1500)
    assert expected == (
        "The notebook is 0.0 MB; uploads may be at most 0.0 MB. Clear its outputs (Kernel > Restart & "
        "Clear Output), save, and upload it again."
    )

    class Unreadable(SimpleUploadedFile):
        def read(self, *args):  # the service must refuse on the size alone
            raise AssertionError("an oversized upload was read")

    upload = Unreadable("big.ipynb", b"x" * 1500, content_type="application/x-ipynb+json")
    with pytest.raises(SubmissionRefused) as refused:
        course_exercise_submit(
            learner=enrolled, course=course, exercise=exercise, kind="submit", upload=upload
        )
    assert str(refused.value) == expected

    # The same words when the request is refused on its Content-Length, before Django reads it.
    client.force_login(enrolled)
    page = client.post(
        reverse("exercise_submit", args=[course.pk, exercise.pk]),
        {"action": "submit", "notebook": SimpleUploadedFile("big.ipynb", b"x" * 5000)},
        follow=True,
    ).content.decode()
    assert "uploads may be at most 0.0 MB" in page
    assert Submission.objects.count() == 0


def test_the_panel_and_the_service_read_the_attempt_policy_the_same_way(
    enrolled, course, exercise, monkeypatch
):
    install_fake_engine(monkeypatch)
    for _ in range(2):
        course_exercise_submit(
            learner=enrolled, course=course, exercise=exercise, kind="submit", answers=CORRECT
        )

    panel = exercise_panel_context(learner=enrolled, exercise=exercise, course_page_id=course.pk)[
        "panel"
    ]
    assert (panel.attempts_used, panel.attempts_left, panel.can_submit, panel.can_check) == (
        2,
        0,
        False,
        True,
    )
    with pytest.raises(SubmissionRefused) as refused:
        course_exercise_submit(
            learner=enrolled, course=course, exercise=exercise, kind="submit", answers=CORRECT
        )
    assert (
        str(refused.value)
        == panel.standing.refusal("submit")
        == (
            "You have used all 2 attempts at this exercise; your best score is the one that counts. "
            "You can still check your answers."
        )
    )
    assert (
        course_exercise_submit(
            learner=enrolled, course=course, exercise=exercise, kind="check", answers=CORRECT
        ).kind
        == "check"
    )


def test_the_policy_refuses_in_a_fixed_order_and_counts_the_cooldown_down(exercise):
    now = timezone.now()
    exercise.cooldown_seconds = 60
    facts = {
        "exercise": exercise,
        "attempts_used": 1,
        "last_attempt": 4,
        "last_sent_at": now - timedelta(seconds=20),
        "now": now,
    }
    standing = attempt_standing(**facts, due_at=EXERCISE_DUE)
    assert (standing.next_attempt, standing.attempts_left) == (5, 1)
    assert (
        standing.refusal("check")
        == "Please wait 41 more seconds before you check or submit this exercise again."
    )

    # The standing holds the due date it was given (a cohort's may differ from the exercise's).
    exercise.due_at = now - timedelta(minutes=1)
    standing = attempt_standing(**facts, due_at=EXERCISE_DUE)
    assert standing.refusal("submit").startswith("This exercise was due on ")
    assert attempt_standing(**facts, due_at=now + timedelta(days=1)).past_due is False
    assert (
        attempt_standing(
            exercise=exercise,
            attempts_used=0,
            last_attempt=None,
            last_sent_at=None,
            due_at=EXERCISE_DUE,
            now=now - timedelta(hours=1),
        ).refusal("submit")
        is None
    )
