"""CSRF everywhere: every POST a learner, verifier or instructor can send is refused without a token
(Django's check, with our friendly page) and changes nothing; with the token a few go through."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from courses.models import Enrolment, LessonPage
from exercises.models import Exercise
from grading.models import NotebookRun, Submission
from tests.grading.submissions_support import CORRECT, RICE

from .conftest import site_url_names

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple-42"


def lesson_of(course) -> LessonPage:
    return LessonPage.objects.descendant_of(course).get()


def check_block_id(lesson: LessonPage) -> str:
    return next(block.id for block in lesson.body if block.block_type == "knowledge_check")


# (who is logged in, URL, form data); every URL here takes POST.
def post_endpoints(
    course, exercise, certificate, instructor
) -> dict[str, tuple[str | None, str, dict]]:
    lesson = lesson_of(course)
    submit = reverse("exercise_submit", args=[course.pk, exercise.pk])
    answers = {f"answer-{k}": v for k, v in CORRECT.items()}
    return {
        "account_login": (
            None,
            reverse("account_login"),
            {"login": "ada@example.org", "password": PASSWORD},
        ),
        "account_signup": (
            None,
            reverse("account_signup"),
            {
                "email": "new@example.org",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "certificate_name": "New",
            },
        ),
        "account_reset_password": (
            None,
            reverse("account_reset_password"),
            {"email": "ada@example.org"},
        ),
        "certificates:verify_index": (
            None,
            reverse("certificates:verify_index"),
            {"file": SimpleUploadedFile("c.json", b"{}")},
        ),
        "account_logout": ("learner", reverse("account_logout"), {}),
        "account_change_password": (
            "learner",
            reverse("account_change_password"),
            {
                "oldpassword": PASSWORD,
                "password1": "n3w-Pass-phrase!",
                "password2": "n3w-Pass-phrase!",
            },
        ),
        "account_email": (
            "learner",
            reverse("account_email"),
            {"email": "other@example.org", "action_add": ""},
        ),
        "mfa_activate_totp": ("learner", reverse("mfa_activate_totp"), {"code": "123456"}),
        "profile": ("learner", reverse("profile"), {"certificate_name": "Someone Else"}),
        "profile_language": ("learner", reverse("profile_language"), {"language": "de"}),
        "set_language": ("learner", reverse("set_language"), {"language": "de", "next": "/"}),
        "course_enrol": ("learner", reverse("course_enrol", args=[course.pk]), {}),
        "course_unenrol": ("learner", reverse("course_unenrol", args=[course.pk]), {}),
        "lesson_complete": ("learner", reverse("lesson_complete", args=[lesson.pk]), {}),
        "knowledge_check_answer": (
            "learner",
            reverse("knowledge_check_answer", args=[lesson.pk, check_block_id(lesson)]),
            {"options": ["x"]},
        ),
        "exercise_submit (check)": ("learner", submit, {"action": "check", **answers}),
        "exercise_submit (submit)": ("learner", submit, {"action": "submit", **answers}),
        "exercise_draft": (
            "learner",
            reverse("exercise_draft", args=[course.pk, exercise.pk]),
            {"version": 0, "answers": {}},
        ),
        "exercise_draft_form": (
            "learner",
            reverse("exercise_draft_form", args=[course.pk, exercise.pk]),
            {"draft_version": 0, **answers},
        ),
        "exercise_run": (
            "learner",
            reverse("exercise_run", args=[course.pk, exercise.pk]),
            {"up_to": 0, **answers},
        ),
        "exercise_submit (upload)": (
            "learner",
            submit,
            {"action": "submit", "notebook": SimpleUploadedFile("rice.ipynb", RICE)},
        ),
        "certificates:sharing": (
            "learner",
            reverse("certificates:sharing", args=[certificate.code]),
            {"shared": "on"},
        ),
        "wagtail exercise upload": (
            "instructor",
            reverse("exercises:add"),
            {"title": "New", "slug": "new", "source_file": SimpleUploadedFile("r.ipynb", RICE)},
        ),
        "wagtail exercise revalidate": (
            "instructor",
            reverse("exercises:revision_validate", args=[exercise.revisions.get().pk]),
            {},
        ),
        "wagtail page edit": (
            "instructor",
            reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
            {"title": "Hacked"},
        ),
        "wagtail login": (
            None,
            reverse("wagtailadmin_login"),
            {"username": "ada@example.org", "password": PASSWORD},
        ),
        "django-admin login": (
            None,
            reverse("admin:login"),
            {"username": "ada@example.org", "password": PASSWORD},
        ),
    }


# Our public-site URL names whose views take POST; the rest are read-only.
POSTED_NAMES = {
    "profile",
    "course_enrol",
    "course_unenrol",
    "lesson_complete",
    "knowledge_check_answer",
    "exercise_submit",
    "exercise_draft",
    "exercise_draft_form",
    "exercise_run",
    "certificates:sharing",
    "certificates:verify_index",
    "profile_language",
    "set_language",
}


def test_every_post_view_of_ours_is_in_the_walk():
    assert set(site_url_names()) >= POSTED_NAMES
    read_only = set(site_url_names()) - POSTED_NAMES
    assert read_only == {
        "dashboard",
        "certificates:verify",
        "certificates:mine",
        "certificates:share",
        "certificates:download",
        "certificates:credential",
        "certificates:status_list",
        "certificates:issuer",
        "certificates:issuer_keys",
        "exercise_page",
        "exercise_release",
        "submission_detail",
        "submission_status",
        "submission_notebook",
        "exercise_run_status",
        "search",
        "course_grades",
        "invitation_open",
        "wagtail_serve",
    }


@pytest.fixture
def endpoints(course, exercise, certificate, instructor, fake_engine):
    return post_endpoints(course, exercise, certificate, instructor)


def test_post_without_a_token_is_refused_everywhere_and_changes_nothing(
    endpoints, learner, instructor
):
    assert {name.split(" ")[0] for name in endpoints} >= POSTED_NAMES
    refused = {}
    for name, (who, url, data) in endpoints.items():
        client = Client(enforce_csrf_checks=True)
        if who is not None:
            client.force_login(learner if who == "learner" else instructor)
        response = client.post(url, data)
        refused[name] = response.status_code
        assert "This form has expired" in response.content.decode(), name

    assert refused == dict.fromkeys(endpoints, 403)
    learner.refresh_from_db()
    assert learner.certificate_name == "Ada Lovelace"
    assert Submission.objects.count() == 0
    assert NotebookRun.objects.count() == 0
    assert Enrolment.objects.get(learner=learner).is_active
    assert list(Exercise.objects.values_list("slug", flat=True)) == ["rice"]
    assert lesson_of(learner.enrolments.get().course).title == "Lesson 1.1"


def _with_token(client: Client, page: str, url: str, data: dict):
    client.get(page)
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})


def test_with_the_token_the_same_posts_go_through(
    endpoints, learner, course, exercise, fake_engine
):
    client = Client(enforce_csrf_checks=True)
    _, login_url, login_data = endpoints["account_login"]
    login_data = {**login_data, "login": learner.email}
    assert _with_token(client, login_url, login_url, login_data).status_code == 302

    _, profile_url, data = endpoints["profile"]
    assert _with_token(client, profile_url, profile_url, data).status_code == 302
    learner.refresh_from_db()
    assert learner.certificate_name == "Someone Else"

    _, submit_url, data = endpoints["exercise_submit (check)"]
    page = reverse("exercise_page", args=[course.pk, exercise.pk])
    with fake_engine.commit(execute=True):
        assert _with_token(client, page, submit_url, data).status_code == 302
    assert list(Submission.objects.values_list("kind", flat=True)) == ["check"]
