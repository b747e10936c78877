"""The courses app speaks German to a German reader and English as before to everyone else: the
dashboard, a knowledge check's feedback, the enrolment admin, a CSV import's errors and the
invitation e-mail (in the inviter's language, since the invitee has no account yet)."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.blocks import option_ids
from tests.courses.cohort_support import cohorts_of
from tests.factories import lessons_of

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _check(lesson):
    child = next(c for c in lesson.body if c.block_type == "knowledge_check")
    return child.id, option_ids(child.value)


def _upload(client, course, data: bytes, **headers):
    return client.post(
        reverse("enrolment:import", args=[course.pk]),
        {"file": SimpleUploadedFile("learners.csv", data, content_type="text/csv")},
        **headers,
    )


# The dashboard ----------------------------------------------------------------------------


def test_the_dashboard_reads_german_for_a_german_browser(learner_client, enrolled):
    html = learner_client.get(reverse("dashboard"), **GERMAN).content.decode()
    assert '<html lang="de"' in html
    assert "<h1>Ihre Übersicht</h1>" in html
    assert "Willkommen zurück," in html
    assert '<h2 id="current-heading">Ihre Kurse</h2>' in html
    assert "Fortschritt: 0 %" in html
    assert "0 von 4 Lektionen abgeschlossen" in html
    assert "Weiter: " in html
    assert "Your dashboard" not in html


def test_the_dashboard_reads_as_before_in_english(learner_client, enrolled):
    html = learner_client.get(reverse("dashboard"), **ENGLISH).content.decode()
    assert "<h1>Your dashboard</h1>" in html
    assert "Welcome back," in html
    assert "Progress: 0%" in html
    assert "0 of 4 lessons done" in html
    assert "Continue: " in html


def test_a_learner_who_chose_german_reads_german_whatever_the_browser_says(
    learner_client, enrolled
):
    enrolled.language = "de"
    enrolled.save(update_fields=["language"])
    html = learner_client.get(reverse("dashboard"), **ENGLISH).content.decode()
    assert "<h1>Ihre Übersicht</h1>" in html


def test_the_language_cookie_picks_german(learner_client, enrolled):
    learner_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    html = learner_client.get(reverse("dashboard")).content.decode()
    assert "<h1>Ihre Übersicht</h1>" in html


def test_an_empty_dashboard_reads_german(learner_client):
    html = learner_client.get(reverse("dashboard"), **GERMAN).content.decode()
    assert "Sie sind noch in keinen Kurs eingeschrieben." in html
    assert "Kurs finden" in html


# A knowledge check's feedback -------------------------------------------------------------


def test_a_wrong_answer_is_told_in_german(learner_client, enrolled, course):
    lesson = lessons_of(course)[0]
    block_id, (right, wrong) = _check(lesson)
    url = f"/lessons/{lesson.pk}/checks/{block_id}/"
    response = learner_client.post(url, {"options": [wrong]}, **GERMAN)
    assert _messages(response) == [
        "Nicht ganz. Lesen Sie das Feedback und versuchen Sie es erneut."
    ]
    html = learner_client.get(lesson.url, **GERMAN).content.decode()
    assert "Noch nicht ganz." in html
    assert "Not quite yet." not in html

    response = learner_client.post(url, {"options": [right]}, **GERMAN)
    assert _messages(response) == ["Richtig!"]
    html = learner_client.get(lesson.url, **GERMAN).content.decode()
    assert "Sie haben genau die richtigen Optionen gewählt (Versuch 2)." in html


def test_a_wrong_answer_is_told_in_english_as_before(learner_client, enrolled, course):
    lesson = lessons_of(course)[0]
    block_id, (_right, wrong) = _check(lesson)
    response = learner_client.post(
        f"/lessons/{lesson.pk}/checks/{block_id}/", {"options": [wrong]}, **ENGLISH
    )
    assert _messages(response) == ["Not quite. Read the feedback and try again."]


def test_an_empty_answer_is_refused_in_german(learner_client, enrolled, course):
    lesson = lessons_of(course)[0]
    block_id, _ids = _check(lesson)
    response = learner_client.post(f"/lessons/{lesson.pk}/checks/{block_id}/", {}, **GERMAN)
    assert response.status_code == 400
    assert (
        "Wählen Sie mindestens eine Option, bevor Sie Ihre Antwort prüfen."
        in response.content.decode()
    )


# The enrolment admin ----------------------------------------------------------------------


def test_the_enrolment_admin_reads_german(client, instructor, course, enrolled):
    cohorts_of(course)
    client.force_login(instructor)
    response = client.get(reverse("enrolment:course", args=[course.pk]), **GERMAN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Einschreibungen filtern" in html
    assert "1 Einschreibung." in html
    assert "Austragen" in html
    assert ">Verschieben<" in html
    assert "Enrolments in" not in html

    html = client.get(reverse("enrolment:cohorts", args=[course.pk]), **GERMAN).content.decode()
    assert "Eigene Abgabetermine" in html


def test_the_enrolment_admin_reads_as_before_in_english(client, instructor, course, enrolled):
    client.force_login(instructor)
    html = client.get(reverse("enrolment:course", args=[course.pk]), **ENGLISH).content.decode()
    assert "Filter enrolments" in html
    assert "1 enrolment." in html
    assert "Unenrol" in html


# The CSV import's errors ------------------------------------------------------------------


def test_a_file_that_is_not_utf8_is_refused_in_german(client, instructor, course):
    client.force_login(instructor)
    data = "e-mail,name\nzoë@example.org,Zoë\n".encode("latin-1")
    response = _upload(client, course, data, **GERMAN)
    assert response.status_code == 200
    assert response.context["problems"] == [
        "Die Datei ist kein UTF-8-Text (das Byte an Position 15 kann nicht gelesen werden). "
        "Speichern Sie sie als „CSV UTF-8“ und laden Sie sie erneut hoch."
    ]
    assert "Diese Datei wurde nicht importiert:" in response.content.decode()

    response = _upload(client, course, data, **ENGLISH)
    assert response.context["problems"][0].startswith("The file is not UTF-8 text")


def test_a_row_error_in_the_preview_reads_german(client, instructor, course):
    client.force_login(instructor)
    response = _upload(client, course, b"e-mail,name\nnot-an-address,Ada\n", **GERMAN)
    assert response.status_code == 302
    html = client.get(response.url, **GERMAN).content.decode()
    assert "„not-an-address“ ist keine gültige E-Mail-Adresse." in html
    assert "1 Zeile hat einen Fehler, daher wird nichts importiert." in html


# The invitation e-mail --------------------------------------------------------------------


def _invite(client, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("enrolment:enrol", args=[course.pk]),
            {"email": "new.person@example.org", "name": "Neue Person"},
        )
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def test_the_invitation_is_written_in_the_inviters_language(
    client, instructor, course, django_capture_on_commit_callbacks
):
    instructor.language = "de"
    instructor.save(update_fields=["language"])
    client.force_login(instructor)
    message = _invite(client, course, django_capture_on_commit_callbacks)
    assert "Einladung zu Foundations" in message.subject
    assert "Guten Tag Neue Person," in message.body
    assert "Erstellen Sie mit dieser Adresse Ihr Konto" in message.body
    assert "Der Link ist bis zum" in message.body
    html = message.alternatives[0][0]
    assert '<html lang="de">' in html
    assert "zum Kurs <strong>Foundations</strong> bei PM Academy eingeladen" in html


def test_the_invitation_of_an_inviter_without_a_choice_is_english(
    client, instructor, course, django_capture_on_commit_callbacks
):
    client.force_login(instructor)
    message = _invite(client, course, django_capture_on_commit_callbacks)
    assert "You are invited to Foundations" in message.subject
    assert "Hello Neue Person," in message.body
    assert '<html lang="en">' in message.alternatives[0][0]
