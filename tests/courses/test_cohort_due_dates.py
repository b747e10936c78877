"""A cohort's own due dates: set in the admin, shown to its learners on the exercise and course
pages, and enforced when they submit (the exercise's own date for everyone else)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.cohorts import cohort_due_dates, cohort_due_dates_set, learner_due_dates
from courses.services import course_exercise_submit, enrolment_create
from grading.models import Submission
from grading.services import SubmissionRefused
from tests.courses.cohort_support import cohort_instructor, cohorts_of
from tests.factories import UserFactory
from tests.grading.submissions_support import CORRECT, install_fake_engine, make_course_exercise

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting(course):
    """An exercise due yesterday; the Spring cohort has until next week."""
    now = timezone.now()
    exercise = make_course_exercise(course, cooldown_seconds=0, due_at=now - timedelta(days=1))
    spring, autumn = cohorts_of(course)
    cohort_due_dates_set(cohort=spring, due={exercise.pk: now + timedelta(days=7)})
    return exercise, spring, autumn


def test_the_submit_path_enforces_the_learners_cohort_date(course, setting, monkeypatch):
    install_fake_engine(monkeypatch)
    exercise, spring, autumn = setting
    in_spring, in_autumn, in_none = UserFactory(), UserFactory(), UserFactory()
    enrolment_create(learner=in_spring, course=course, cohort=spring)
    enrolment_create(learner=in_autumn, course=course, cohort=autumn)
    enrolment_create(learner=in_none, course=course)
    submission = course_exercise_submit(
        learner=in_spring, course=course, exercise=exercise, kind="submit", answers=CORRECT
    )
    assert submission.attempt == 1
    for late in (in_autumn, in_none):
        with pytest.raises(SubmissionRefused, match="This exercise was due on"):
            course_exercise_submit(
                learner=late, course=course, exercise=exercise, kind="submit", answers=CORRECT
            )
    assert Submission.objects.count() == 1


def test_learners_see_their_cohorts_date_on_the_exercise_and_course_pages(client, course, setting):
    exercise, spring, autumn = setting
    ada = UserFactory()
    enrolment_create(learner=ada, course=course, cohort=spring)
    client.force_login(ada)
    due = learner_due_dates(learner=ada, course_id=course.pk).due_at(exercise)
    page = client.get(reverse("exercise_page", args=[course.pk, exercise.pk]))
    assert page.context["panel"].due_at == due
    assert page.context["panel"].past_due is False
    assert f'datetime="{timezone.localtime(due).isoformat()}"' in page.text
    course_page = client.get(course.url).text
    assert "Your cohort: Spring" in course_page
    assert f'<time datetime="{timezone.localtime(due).isoformat()}"' in course_page

    bob = UserFactory()
    enrolment_create(learner=bob, course=course, cohort=autumn)
    client.force_login(bob)
    panel = client.get(reverse("exercise_page", args=[course.pk, exercise.pk])).context["panel"]
    assert panel.due_at == exercise.due_at and panel.past_due is True


def test_cohort_dates_and_due_dates_are_edited_in_the_admin(client, instructor, course, setting):
    exercise, spring, autumn = setting
    client.force_login(instructor)
    url = reverse("enrolment:cohort_edit", args=[course.pk, autumn.pk])
    response = client.post(
        url,
        {
            "name": "Autumn 2027",
            "starts_at": "2027-09-01 09:00",
            "ends_at": "2027-12-01 17:00",
            f"due_{exercise.pk}": "2027-10-15 23:59",
        },
    )
    assert response.status_code == 302
    autumn.refresh_from_db()
    assert autumn.name == "Autumn 2027"
    assert (
        timezone.localtime(cohort_due_dates(cohort=autumn)[exercise.pk]).strftime("%Y-%m-%d %H:%M")
        == "2027-10-15 23:59"
    )
    # Ending before it starts is refused with a message; nothing changes.
    response = client.post(
        url, {"name": "Autumn 2027", "starts_at": "2027-09-01 09:00", "ends_at": "2027-01-01 09:00"}
    )
    assert "A cohort cannot end before it starts." in response.text
    # A name another cohort has is refused.
    response = client.post(url, {"name": "spring"})
    assert "This course already has a cohort with that name." in response.text
    # Clearing the date falls back to the exercise's own.
    client.post(url, {"name": "Autumn 2027"})
    assert cohort_due_dates(cohort=autumn) == {}


def test_a_new_cohort_with_its_own_instructor_who_then_reaches_the_admin(
    client, instructor, course
):
    teacher = UserFactory(certificate_name="Tina Teacher")
    client.force_login(instructor)
    response = client.post(
        reverse("enrolment:cohort_add", args=[course.pk]),
        {"name": "Winter", "instructor_emails": teacher.email.upper()},
    )
    assert response.status_code == 302
    client.force_login(teacher)
    assert client.get(reverse("enrolment:cohorts", args=[course.pk])).status_code == 200
    assert [
        c.name
        for c in client.get(reverse("enrolment:cohorts", args=[course.pk])).context["cohorts"]
    ] == ["Winter"]


def test_a_cohort_instructor_edits_their_cohorts_dates_but_not_its_instructors(
    client, course, setting
):
    exercise, spring, autumn = setting
    teacher = cohort_instructor(spring)
    client.force_login(teacher)
    form = client.get(reverse("enrolment:cohort_edit", args=[course.pk, spring.pk])).context["form"]
    assert "instructors" not in form.fields
