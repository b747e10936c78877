"""Due-date reminders: 48 hours before an exercise is due, each enrolled learner with no
submission is told once (per exercise and due date), at their cohort's date where it sets one."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from announcements.due_soon import due_soon_notify
from courses.models import Cohort, CohortDueDate, CourseExercise, Enrolment
from courses.services import enrolment_cancel, enrolment_create
from grading.models import SubmissionKind
from grading.services import submission_create
from notifications.models import Notification
from tests.factories import UserFactory
from tests.grading.submissions_support import CORRECT, install_fake_engine, make_exercise

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def exercise(course, now):
    exercise = make_exercise(due_at=now + timedelta(hours=30))
    CourseExercise.objects.create(
        course=course, exercise=exercise, title="RICE scoring", max_points=10, sort_order=0
    )
    return exercise


@pytest.fixture
def class_of(course, enrolled):
    bo, cy = UserFactory(email="bo@example.org"), UserFactory(email="cy@example.org")
    for learner in (bo, cy):
        enrolment_create(learner=learner, course=course)
    return {"ada": enrolled, "bo": bo, "cy": cy}


def reminded():
    return sorted(
        Notification.objects.filter(kind="due_soon").values_list("recipient__email", flat=True)
    )


def test_learners_without_a_submission_are_reminded_once(
    course, exercise, class_of, now, monkeypatch, django_capture_on_commit_callbacks
):
    install_fake_engine(monkeypatch)
    submission_create(
        learner=class_of["bo"],
        exercise=exercise,
        course_page=course,
        answers=CORRECT,
        kind=SubmissionKind.SUBMIT,
    )
    enrolment_cancel(learner=class_of["cy"], course=course)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert due_soon_notify(now=now) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert due_soon_notify(now=now + timedelta(hours=1)) == 0
    assert reminded() == ["ada@example.org"]
    [message] = mail.outbox
    assert message.to == ["ada@example.org"]
    assert message.subject.startswith("[PM Academy] RICE scoring is due ")
    notification = Notification.objects.get(kind="due_soon")
    assert notification.url == f"/courses/{course.pk}/exercises/{exercise.pk}/"
    assert "in Foundations is due on" in notification.body


def test_a_check_is_not_a_submission(
    course, exercise, enrolled, now, monkeypatch, django_capture_on_commit_callbacks
):
    install_fake_engine(monkeypatch)
    submission_create(
        learner=enrolled,
        exercise=exercise,
        course_page=course,
        answers=CORRECT,
        kind=SubmissionKind.CHECK,
    )
    assert due_soon_notify(now=now) == 1


@pytest.mark.parametrize("hours", [49, -1])
def test_nothing_is_sent_outside_the_48_hours(course, exercise, enrolled, now, hours):
    exercise.due_at = now + timedelta(hours=hours)
    exercise.save(update_fields=["due_at"])
    assert due_soon_notify(now=now) == 0


def test_a_due_date_moved_later_reminds_again_before_the_new_one(course, exercise, enrolled, now):
    assert due_soon_notify(now=now) == 1
    exercise.due_at = now + timedelta(hours=72)
    exercise.save(update_fields=["due_at"])
    assert due_soon_notify(now=now) == 0
    assert due_soon_notify(now=now + timedelta(hours=30)) == 1
    assert Notification.objects.filter(recipient=enrolled, kind="due_soon").count() == 2


def test_a_cohorts_own_due_date_holds_for_its_learners(course, exercise, class_of, now):
    late = Cohort.objects.create(course=course, name="Late cohort")
    early = Cohort.objects.create(course=course, name="Early cohort")
    Enrolment.objects.filter(learner=class_of["bo"]).update(cohort=late)
    Enrolment.objects.filter(learner=class_of["cy"]).update(cohort=early)
    CohortDueDate.objects.create(cohort=late, exercise=exercise, due_at=now + timedelta(days=10))
    CohortDueDate.objects.create(cohort=early, exercise=exercise, due_at=now + timedelta(hours=5))
    # Ada (no cohort) and Cy (early cohort's date) now; Bo when the late cohort's date comes.
    assert due_soon_notify(now=now) == 2
    assert reminded() == ["ada@example.org", "cy@example.org"]
    assert due_soon_notify(now=now + timedelta(days=9)) == 1
    assert reminded() == ["ada@example.org", "bo@example.org", "cy@example.org"]


def test_the_command_scans_once_and_twice_sends_once(
    course, exercise, enrolled, django_capture_on_commit_callbacks
):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("notify_due_soon", "--once")
    assert reminded() == ["ada@example.org"]
    assert len(mail.outbox) == 1


def test_the_scan_costs_no_query_per_learner(course, exercise, now, django_assert_max_num_queries):
    for _ in range(40):
        enrolment_create(learner=UserFactory(), course=course)
    with django_assert_max_num_queries(12):
        assert due_soon_notify(now=now) == 40
