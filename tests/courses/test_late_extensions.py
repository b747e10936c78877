"""Extensions and late penalties over HTTP: the instructor's extension screens (who may use them),
and what the learner and the gradebook read of a late submission."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.cohorts import cohort_save
from courses.models import Enrolment
from courses.services import course_exercise_submit
from exercises.models import LatePolicy
from grading.models import Extension, ExtensionChange
from grading.services import submission_grade
from notifications.models import Notification
from tests.courses.cohort_support import cohort_instructor, other_course
from tests.grading.submissions_support import CORRECT, install_fake_engine, make_course_exercise

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def exercise(course):
    """10% a day up to 30%; due two and a half days ago."""
    return make_course_exercise(
        course,
        late_policy=LatePolicy.PENALTY,
        late_penalty_per_day=10,
        late_penalty_cap=30,
        due_at=timezone.now() - 2.5 * DAY,
    )


@pytest.fixture
def late(course, enrolled, exercise, monkeypatch, django_capture_on_commit_callbacks):
    """Ada's submission, three started days late: 5 of 6 less 30%."""
    install_fake_engine(monkeypatch)
    with django_capture_on_commit_callbacks(execute=False):
        submission = course_exercise_submit(
            learner=enrolled, course=course, exercise=exercise, kind="submit", answers=CORRECT
        )
    with django_capture_on_commit_callbacks(execute=True):
        return submission_grade(submission_id=submission.pk, worker="w")


def extensions_url(course):
    return reverse("gradebook:extensions", args=[course.pk])


def grant(client, course, exercise, email, **fields):
    data = {
        "email": email,
        "exercise": exercise.pk,
        "due_at": (timezone.localtime() + DAY).strftime("%Y-%m-%d %H:%M"),
        "reason": "Illness, with a note",
        **fields,
    }
    return client.post(extensions_url(course), data)


def test_the_instructor_grants_an_extension_and_the_penalty_is_lifted(
    client, instructor, course, enrolled, exercise, late, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    assert client.get(extensions_url(course)).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = grant(client, course, exercise, "ADA@example.org")

    assert response.status_code == 302
    late.refresh_from_db()
    assert late.late_penalty_percent == 0
    extension = Extension.objects.get()
    assert (extension.learner, extension.reason, extension.granted_by) == (
        enrolled,
        "Illness, with a note",
        instructor,
    )
    page = client.get(extensions_url(course)).content.decode()
    assert "ada@example.org" in page and "Illness, with a note" in page
    change = ExtensionChange.objects.get()
    assert (change.by, change.penalties_changed) == (instructor, 1)
    told = Notification.objects.get(recipient=enrolled)
    assert told.kind == "due_date_changed"
    assert told.title.startswith(f"Your due date for {exercise.title} is now ")
    assert "Illness, with a note" in told.body


def test_an_unknown_learner_or_a_missing_reason_is_a_form_error(
    client, instructor, course, enrolled, exercise
):
    client.force_login(instructor)
    response = grant(client, course, exercise, "nobody@example.org")
    assert response.status_code == 400
    assert "Nobody with that e-mail is enrolled" in response.content.decode()
    response = grant(client, course, exercise, "ada@example.org", reason="")
    assert response.status_code == 400
    response = grant(client, course, exercise, "ada@example.org", due_at="next Tuesday")
    assert response.status_code == 400
    assert not Extension.objects.exists()


def test_revoking_needs_a_reason_and_brings_the_penalty_back(
    client, instructor, course, enrolled, exercise, late, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        grant(client, course, exercise, "ada@example.org")
    extension = Extension.objects.get()
    url = reverse("gradebook:extension_revoke", args=[course.pk, extension.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": " "}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reason": "Granted by mistake"}).status_code == 302
    late.refresh_from_db()
    assert late.late_penalty_percent == 30
    assert not Extension.objects.exists()
    assert Notification.objects.filter(
        recipient=enrolled, title=f"Your extension on {exercise.title} was withdrawn"
    ).exists()
    assert list(ExtensionChange.objects.values_list("action", flat=True)) == [
        "revoked",
        "granted",
    ]


def test_a_cohort_instructor_extends_only_their_cohort(client, course, enrolled, exercise):
    spring = cohort_save(course=course, name="Spring", starts_at=None, ends_at=None)
    teacher = cohort_instructor(spring)
    client.force_login(teacher)
    # Ada is in no cohort: out of this instructor's reach.
    response = grant(client, course, exercise, "ada@example.org")
    assert response.status_code == 400
    Enrolment.objects.filter(learner=enrolled).update(cohort=spring)
    assert grant(client, course, exercise, "ada@example.org").status_code == 302


def test_nobody_else_reaches_the_extension_screens(client, catalog, course, enrolled, exercise):
    theirs = other_course(catalog)
    client.force_login(theirs.instructors.get())
    assert client.get(extensions_url(course)).status_code == 404
    assert grant(client, course, exercise, "ada@example.org").status_code == 404
    client.force_login(enrolled)
    assert client.get(extensions_url(course)).status_code in (302, 403)
    assert grant(client, course, exercise, "ada@example.org").status_code in (302, 403)
    client.logout()
    assert client.get(extensions_url(course)).status_code == 302
    assert not Extension.objects.exists()


def test_another_courses_extension_cannot_be_revoked_from_here(
    client, catalog, instructor, course, enrolled, exercise
):
    theirs = other_course(catalog)
    extension = Extension.objects.create(
        learner=enrolled,
        exercise=exercise,
        course_page=theirs,
        due_at=timezone.now(),
        reason="theirs",
        granted_at=timezone.now(),
    )
    client.force_login(instructor)
    url = reverse("gradebook:extension_revoke", args=[course.pk, extension.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "no"}).status_code == 404
    assert Extension.objects.filter(pk=extension.pk).exists()


def test_the_learner_reads_the_raw_score_the_penalty_and_the_reason(learner_client, course, late):
    page = learner_client.get(reverse("course_grades", args=[course.pk])).content.decode()
    assert "3.5 / 6" in page
    assert "graded 5, less 30% late penalty" in page
    assert "Submitted 3 days after the due date" in page
    detail = learner_client.get(reverse("submission_detail", args=[late.pk])).content.decode()
    assert "Graded 5 / 6 before the late penalty." in detail
    assert "Late penalty: 30% of the score." in detail


def test_the_gradebook_and_its_csv_show_the_penalty(client, instructor, course, late):
    client.force_login(instructor)
    page = client.get(reverse("gradebook:course", args=[course.pk])).content.decode()
    assert "3.50 / 6" in page and "late: 5 / 6 less 30%" in page
    rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    client.get(reverse("gradebook:csv", args=[course.pk])).streaming_content
                ).decode()
            )
        )
    )
    header, ada = rows[0], rows[1]
    assert ada[header.index("RICE scoring (points)")] == "3.5"
    assert ada[header.index("RICE scoring (before late penalty)")] == "5"
    assert ada[header.index("RICE scoring (late penalty %)")] == "30"


def test_an_extension_before_the_due_date_shows_on_the_grades_page(
    learner_client, instructor, course, enrolled, exercise
):
    Extension.objects.create(
        learner=enrolled,
        exercise=exercise,
        course_page=course,
        due_at=timezone.now() + DAY,
        reason="Conference week",
        granted_by=instructor,
        granted_at=timezone.now(),
    )
    page = learner_client.get(reverse("course_grades", args=[course.pk])).content.decode()
    assert "(your extension)" in page and "Conference week" in page


def test_a_german_reader_reads_points_and_the_penalty_in_german(learner_client, course, late):
    learner_client.cookies["django_language"] = "de"
    page = learner_client.get(reverse("course_grades", args=[course.pk])).content.decode()
    assert "3,5 / 6" in page
    assert "bewertet mit 5, abzüglich 30 % Verspätungsabzug" in page
    assert "Abgegeben 3 Tage nach dem Abgabetermin" in page
