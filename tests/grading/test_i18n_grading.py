"""The exercise workspace, its refusals, run verdicts and the validation report in German (by the
browser's Accept-Language or the language cookie); English stays exactly as it was."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from exercises.format import Problem
from exercises.services import ExerciseSourceRejected, exercise_source_parse
from exercises.translated import translated_message
from grading.models import NotebookRun, RunStatus, Submission
from grading.services import SubmissionRefused

from .submissions_support import CORRECT, make_exercise

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [ROOT / app / "locale/de/LC_MESSAGES/django.po" for app in ("grading", "exercises")]
TIMED_OUT = (
    "The notebook ran longer than 30 s, so it was stopped during code cell 3; "
    "the cells after it did not run."
)


@pytest.fixture
def learner_in(client, enrolled):
    """Ada's client; ``learner_in("de")`` asks for German the way a browser does."""
    client.force_login(enrolled)

    def asking(language: str):
        client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
        return client

    return asking


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.parts[-4])
def test_the_grading_and_exercises_catalogues_are_complete(path):
    catalogue = polib.pofile(str(path))
    assert len(catalogue) > 100
    assert [e.msgid for e in catalogue if not e.translated() or "fuzzy" in e.flags] == []
    assert catalogue.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


@pytest.mark.django_db
def test_the_exercise_page_reads_german_by_accept_language_and_english_stays(
    learner_in, course, exercise
):
    url = reverse("exercise_page", args=[course.pk, exercise.pk])
    german = learner_in("de").get(url).content.decode()
    assert "Bis hier ausführen" in german and "Entwurf speichern" in german
    assert "1 verborgener Test (2 Punkte) läuft nur beim Abgeben" in german
    assert "Run to here" not in german

    english = learner_in("en").get(url).content.decode()
    assert "Run to here" in english and "Save draft" in english
    assert "1 hidden test (2 points) runs only on Submit" in english


@pytest.mark.django_db
def test_the_language_cookie_chooses_german_too(learner_in, course, exercise):
    client = learner_in("en")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    page = client.get(reverse("exercise_page", args=[course.pk, exercise.pk])).content.decode()
    assert "Bis hier ausführen" in page


@pytest.mark.django_db
def test_an_upload_that_is_not_a_notebook_is_refused_in_the_learners_language(
    learner_in, course, exercise
):
    url = reverse("exercise_submit", args=[course.pk, exercise.pk])

    def refusal(language: str) -> str:
        upload = SimpleUploadedFile("notes.ipynb", b"my notes, not a notebook")
        return (
            learner_in(language)
            .post(url, {"action": "submit", "notebook": upload}, follow=True)
            .content.decode()
        )

    assert (
        "Die Datei ist kein gültiges JSON (Zeile 1) und daher kein Jupyter-Notebook; "
        "laden Sie die von Jupyter gespeicherte .ipynb-Datei hoch." in refusal("de")
    )
    assert (
        "The file is not valid JSON (line 1), so it is not a Jupyter notebook; "
        "upload the .ipynb file saved by Jupyter." in refusal("en")
    )
    assert Submission.objects.count() == 0


@pytest.mark.django_db
def test_a_refusal_is_translated_where_it_is_raised():
    with translation.override("de"):
        refused = SubmissionRefused("The file nests JSON too deeply to be a Jupyter notebook.")
    assert str(refused) == "Die Datei verschachtelt JSON zu tief, um ein Jupyter-Notebook zu sein."
    english = SubmissionRefused("The file nests JSON too deeply to be a Jupyter notebook.")
    assert str(english) == "The file nests JSON too deeply to be a Jupyter notebook."


@pytest.mark.django_db
def test_a_run_verdict_stored_in_english_reads_german(learner_in, enrolled, course, exercise):
    run = NotebookRun.objects.create(
        learner=enrolled,
        exercise=exercise,
        revision=exercise.current_revision,
        course_page=course,
        answers=CORRECT,
        up_to=4,
        status=RunStatus.TIMED_OUT,
        message=TIMED_OUT,
        created_at=timezone.now(),
    )
    url = reverse("exercise_run_status", args=[run.pk])
    german = learner_in("de").get(url).content.decode()
    assert "Zeit überschritten" in german
    assert (
        "Das Notebook lief länger als 30 s und wurde daher während der Code-Zelle 3 angehalten; "
        "die folgenden Zellen wurden nicht ausgeführt." in german
    )
    english = learner_in("en").get(url).content.decode()
    assert "Timed out" in english and TIMED_OUT in english


def test_engine_sentences_translate_with_their_values_and_nested_reasons():
    memory = (
        "Not run: The notebook used more than the 256 MiB of memory it may use while running "
        "code cell 2, so it was stopped."
    )
    with translation.override("de"):
        assert translated_message(memory) == (
            "Nicht ausgeführt: Das Notebook hat beim Ausführen der Code-Zelle 2 mehr als die "
            "erlaubten 256 MiB Arbeitsspeicher belegt und wurde daher angehalten."
        )
        assert translated_message("Passed 2 of 3 hidden input(s). Return a list of items.") == (
            "2 von 3 verborgenen Eingabe(n) bestanden. Geben Sie eine Liste von Elementen zurück."
        )
        assert translated_message("This test is hidden; it runs when you submit.") == (
            "Dieser Test ist verborgen; er läuft, wenn Sie abgeben."
        )
        # A learner's own exception text is theirs: shown as it is.
        assert translated_message("ValueError: the rice is off") == "ValueError: the rice is off"
    with translation.override("en"):
        assert translated_message(memory) == memory


@pytest.mark.django_db
def test_the_validation_report_reads_german_for_a_german_instructor():
    problem = Problem(
        3, "rice_sealed", "the sealed check has no grade_id.", "change the cell to a code cell."
    )
    english = str(problem)
    assert english == (
        "Cell 4 ('rice_sealed'): the sealed check has no grade_id. Fix: change the cell to a code cell."
    )
    with translation.override("de"):
        assert translated_message(english) == (
            "Zelle 4 ('rice_sealed'): die versiegelte Prüfung hat keine grade_id. "
            "Behebung: ändern Sie die Zelle in eine Code-Zelle."
        )
        with pytest.raises(ExerciseSourceRejected) as rejected:
            exercise_source_parse(data=b"")
    assert rejected.value.problems == [
        "Die Datei ist leer; laden Sie die von Jupyter gespeicherte .ipynb-Datei hoch."
    ]


@pytest.mark.django_db
def test_the_exercise_admin_shows_the_stored_report_in_german(client, admin_user):
    from exercises.models import ValidationStatus

    exercise = make_exercise()
    revision = exercise.revisions.get()
    problem = "Notebook: it has no answer cells, so a learner has nowhere to write. Fix: add one."
    revision.validation_status = ValidationStatus.INVALID
    revision.validation_report = {"valid": False, "problems": [{"text": problem}]}
    revision.save(update_fields=["validation_status", "validation_report"])
    client.force_login(admin_user)
    url = reverse("exercises:inspect", args=[exercise.pk])

    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Prüfbericht" in german
    assert "Beheben Sie diese Probleme und laden Sie die Quelle erneut hoch:" in german
    assert "es hat keine Antwortzellen, daher können Lernende nirgends schreiben." in german
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Validation report" in english and problem in english


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("de", "Ihre Lehrkraft hat „RICE scoring“ bewertet"),
        ("", "Your instructor graded “RICE scoring”"),
    ],
)
def test_the_graded_notification_is_written_in_the_learners_language(
    enrolled, course, exercise, monkeypatch, language, title
):
    from courses.services import course_exercise_submit
    from grading.services.manual import review_graded_notify
    from notifications.models import Notification

    from .submissions_support import install_fake_engine

    install_fake_engine(monkeypatch)
    enrolled.language = language
    enrolled.save(update_fields=["language"])
    submission = course_exercise_submit(
        learner=enrolled, course=course, exercise=exercise, kind="submit", answers=CORRECT
    )
    with translation.override("en"):  # the instructor's request is in English
        review_graded_notify(submission=submission)
    assert Notification.objects.get(recipient=enrolled, kind="review_graded").title == title
