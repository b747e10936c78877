"""Upload size and count limits: too big or too many is a clear answer, stores nothing, never a 500.

Bodies over a view's limit are refused on Content-Length before anything parses them
(`body_never_parsed` turns any multipart parse into a failure).
"""

from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from exercises.models import Exercise
from grading.models import Submission
from tests.grading.submissions_support import CORRECT, RICE, notebook_with

pytestmark = pytest.mark.django_db

MB = 2**20


def submit_url(course, exercise) -> str:
    return reverse("exercise_submit", args=[course.pk, exercise.pk])


def page_url(course, exercise) -> str:
    return reverse("exercise_page", args=[course.pk, exercise.pk])


def test_the_django_limits_are_set_for_this_site():
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == 5 * MB
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE == 2.5 * MB
    assert settings.DATA_UPLOAD_MAX_NUMBER_FILES == 10
    assert settings.DATA_UPLOAD_MAX_NUMBER_FIELDS == 5000
    assert settings.PMA_MAX_REQUEST_BYTES == 20 * MB
    assert settings.PMA_GRADING["MAX_UPLOAD_BYTES"] == 2 * MB
    assert settings.MIDDLEWARE.index(
        "ops.middleware.RequestBodyLimitMiddleware"
    ) < settings.MIDDLEWARE.index("django.middleware.csrf.CsrfViewMiddleware")


def test_a_notebook_over_the_limit_is_refused_unread_with_the_reason(
    client, learner, course, exercise, body_never_parsed
):
    client.force_login(learner)
    lesson_page = course.get_children().first().get_children().first().url
    big = SimpleUploadedFile("big.ipynb", b"{" + b" " * (3 * MB) + b"}")

    response = client.post(
        submit_url(course, exercise),
        {"action": "submit", "notebook": big},
        headers={"Referer": f"http://testserver{lesson_page}"},
    )

    assert response.status_code == 302
    assert response["Location"] == f"http://testserver{lesson_page}#exercise-{exercise.pk}"
    assert body_never_parsed == []
    assert Submission.objects.count() == 0
    shown = client.get(page_url(course, exercise)).content.decode()
    assert "The notebook is 3.0 MB; uploads may be at most 2.0 MB." in shown


def test_without_a_referer_the_refusal_returns_to_the_exercise_page(
    client, learner, course, exercise, body_never_parsed
):
    client.force_login(learner)

    response = client.post(
        submit_url(course, exercise),
        {"action": "check", "notebook": SimpleUploadedFile("big.ipynb", b" " * (3 * MB))},
        headers={"Referer": "https://elsewhere.example/phish"},
    )

    assert response["Location"] == f"{page_url(course, exercise)}#exercise-{exercise.pk}"
    assert Submission.objects.count() == 0


def test_answers_typed_in_the_editor_that_are_too_long_are_refused_in_their_own_words(
    client, learner, course, exercise
):
    client.force_login(learner)

    # The editor's form is URL-encoded, as a browser sends it.
    response = client.post(
        submit_url(course, exercise),
        urlencode({"action": "check", "answer-rice_answer": "x" * (3 * MB)}),
        content_type="application/x-www-form-urlencoded",
        follow=True,
    )

    assert response.status_code == 200
    assert (
        "Your answers come to 3.0 MB; at most 2.0 MB can be sent at once."
        in response.content.decode()
    )
    assert Submission.objects.count() == 0


def test_a_notebook_just_over_the_limit_is_refused_by_the_view_before_it_is_read(
    client, learner, course, exercise
):
    # Inside the form overhead the body is parsed; the view still refuses on the file's size.
    client.force_login(learner)
    upload = SimpleUploadedFile("big.ipynb", b"{" + b" " * (2 * MB) + b"}")

    response = client.post(
        submit_url(course, exercise), {"action": "submit", "notebook": upload}, follow=True
    )

    assert response.status_code == 200
    assert "The notebook is 2.0 MB; uploads may be at most 2.0 MB." in response.content.decode()
    assert Submission.objects.count() == 0


def test_eleven_files_in_one_request_get_the_bad_request_page(client, learner, course, exercise):
    client.force_login(learner)
    notebook = notebook_with(exercise, CORRECT)
    files = [SimpleUploadedFile(f"n{n}.ipynb", notebook) for n in range(11)]

    response = client.post(submit_url(course, exercise), {"action": "submit", "notebook": files})

    assert response.status_code == 400
    assert "We couldn't understand that request" in response.content.decode()
    assert Submission.objects.count() == 0


def test_too_many_form_fields_get_the_bad_request_page(client, learner, course, exercise):
    client.force_login(learner)
    fields = {f"answer-cell{n}": "1" for n in range(5001)}

    response = client.post(submit_url(course, exercise), {"action": "check", **fields})

    assert response.status_code == 400
    assert Submission.objects.count() == 0


def test_form_fields_over_five_megabytes_get_the_bad_request_page(client, learner):
    client.force_login(learner)

    response = client.post(reverse("profile"), {"certificate_name": "A" * (6 * MB)})

    assert response.status_code == 400
    learner.refresh_from_db()
    assert learner.certificate_name == "Ada Lovelace"


def test_any_other_view_refuses_a_body_over_the_site_limit_with_a_413_page(
    client, learner, settings, body_never_parsed
):
    settings.PMA_MAX_REQUEST_BYTES = 1 * MB
    client.force_login(learner)

    response = client.post(
        reverse("certificates:verify_index"),
        {"file": SimpleUploadedFile("c.pdf", b"%PDF-" + b"0" * (2 * MB))},
    )

    assert response.status_code == 413
    page = response.content.decode()
    assert "That upload is too large" in page
    assert "this site accepts at most 1.0 MB in one request. Nothing was saved." in page
    assert body_never_parsed == []


def test_an_instructor_source_over_the_limit_is_refused_unread_in_the_admin(
    client, instructor, settings, body_never_parsed
):
    settings.PMA_GRADING = {
        **settings.PMA_GRADING,
        "MAX_SOURCE_BYTES": 1 * MB,
        "EXERCISE_FILES": {"MAX_TOTAL_BYTES": 1 * MB},
    }
    client.force_login(instructor)
    # The form takes a source and its data files: above both limits together, it is refused unread.
    upload = SimpleUploadedFile("big.ipynb", b"{" + b" " * (3 * MB) + b"}")

    response = client.post(
        reverse("exercises:add"), {"title": "Big", "slug": "big", "source_file": upload}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("exercises:add")
    assert body_never_parsed == []
    assert not Exercise.objects.exists()
    form_page = client.get(response["Location"]).content.decode()
    assert (
        "The upload is 3.0 MB; an exercise source may be at most 1 MB and its data files 1 MB "
        "together." in form_page
    )


def test_an_instructor_replacing_a_source_with_a_huge_one_keeps_the_old_revision(
    client, instructor, exercise, settings, body_never_parsed
):
    settings.PMA_GRADING = {
        **settings.PMA_GRADING,
        "MAX_SOURCE_BYTES": 1 * MB,
        "EXERCISE_FILES": {"MAX_TOTAL_BYTES": 1 * MB},
    }
    client.force_login(instructor)
    edit_url = reverse("exercises:edit", args=[exercise.pk])

    response = client.post(
        edit_url,
        {
            "title": "RICE scoring",
            "slug": "rice",
            "source_file": SimpleUploadedFile("big.ipynb", b" " * (3 * MB)),
        },
    )

    assert response["Location"] == edit_url
    assert body_never_parsed == []
    assert exercise.revisions.count() == 1
    assert exercise.revisions.get().source.read() == RICE
