"""Learners on exercise pages over HTTP: downloads, Check and Submit, status, and who may see what."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from courses.models import CourseProgress
from courses.services import enrolment_create
from grading.models import Submission
from tests.factories import UserFactory, course_tree
from tests.grading.submissions_support import (
    CORRECT,
    PARTIAL,
    install_fake_engine_over_http,
    make_course_exercise,
    make_exercise,
    notebook_with,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def exercise(course):
    return make_course_exercise(course)


@pytest.fixture
def fake_engine(monkeypatch, django_capture_on_commit_callbacks):
    return install_fake_engine_over_http(monkeypatch, django_capture_on_commit_callbacks)


def urls(course, exercise):
    return {
        name: reverse(f"exercise_{name}", args=[course.pk, exercise.pk])
        for name in ("page", "release", "submit")
    }


def post(client, course, exercise, answers=None, action="submit", engine=None, **extra):
    data = {"action": action, **{f"answer-{k}": v for k, v in (answers or {}).items()}, **extra}
    if engine is None:
        return client.post(urls(course, exercise)["submit"], data)
    with engine.commit(execute=True):
        return client.post(urls(course, exercise)["submit"], data)


def test_an_enrolled_learner_sees_the_panel_with_the_editor_and_downloads_the_release(
    client, enrolled, course, exercise
):
    client.force_login(enrolled)
    page = client.get(urls(course, exercise)["page"])

    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="answer-rice_answer"' in html and 'data-editor="python"' in html
    assert 'name="answer-explain_answer"' in html and "Unlimited attempts (0 used)" in html
    assert "BEGIN SOLUTION" not in html and "Audit log\\&#x27;" not in html and "HIDDEN" not in html
    assert (
        "/static/vendor/codemirror/lib/codemirror.js" in html
        and "/static/vendor/htmx/htmx.min.js" in html
    )

    download = client.get(urls(course, exercise)["release"])
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="rice.ipynb"'
    assert b"BEGIN SOLUTION" not in b"".join(download.streaming_content)


def test_the_exercise_page_is_titled_by_one_h1_and_its_sections_are_h2(
    client, enrolled, course, exercise
):
    client.force_login(enrolled)
    html = client.get(urls(course, exercise)["page"]).content.decode()

    assert html.count("<h1") == 1
    assert f'<h1 id="exercise-{exercise.pk}-title">{exercise.title}</h1>' in html
    assert "<h2>Work in the browser</h2>" in html and "<h2>Work in Jupyter</h2>" in html
    assert "<h3>Work in the browser</h3>" not in html


def test_the_release_is_only_for_enrolled_learners(client, learner, course, exercise):
    anonymous = client.get(urls(course, exercise)["release"])
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(
        reverse("account_login")
    )

    client.force_login(learner)
    outsider = client.get(urls(course, exercise)["release"], follow=True)
    assert outsider.redirect_chain[-1][0] == course.url
    assert "Enrol in this course to download its exercise notebooks." in outsider.content.decode()


def test_forged_or_foreign_exercise_ids_are_404(client, enrolled, course, catalog, exercise):
    client.force_login(enrolled)
    stranger = make_exercise(slug="wsjf", title="WSJF")  # exists, but not part of this course
    other_course = course_tree(catalog, slug="other", title="Other")
    for course_id, exercise_id in [
        (course.pk, 999999),
        (course.pk, stranger.pk),
        (other_course.pk + 1000, exercise.pk),
    ]:
        assert (
            client.get(reverse("exercise_page", args=[course_id, exercise_id])).status_code == 404
        )
        assert (
            client.post(
                reverse("exercise_submit", args=[course_id, exercise_id]), {"action": "submit"}
            ).status_code
            == 404
        )
    assert Submission.objects.count() == 0


def test_submit_from_the_editor_grades_and_the_score_enters_course_progress(
    client, enrolled, course, exercise, fake_engine
):
    client.force_login(enrolled)
    response = post(
        client, course, exercise, CORRECT, engine=fake_engine, next=urls(course, exercise)["page"]
    )

    assert response.status_code == 302
    assert response["Location"] == f"{urls(course, exercise)['page']}#exercise-{exercise.pk}"
    submission = Submission.objects.get()
    assert (submission.status, submission.score, submission.attempt) == ("graded", 5.0, 1)
    progress = CourseProgress.objects.get(enrolment__learner=enrolled)
    assert (str(progress.exercise_points), str(progress.exercise_max_points)) == (
        "8.333333",
        "10.000000",
    )

    page = client.get(urls(course, exercise)["page"]).content.decode()
    assert "Your score: 5 / 6" in page and "1 used" in page
    assert "rank_tests" in page and "Passed" in page and "Waiting for your instructor" in page
    assert CORRECT["rank_answer"].splitlines()[0] in page  # the editor keeps the last answers


def test_check_does_not_count_as_an_attempt(client, enrolled, course, exercise, fake_engine):
    client.force_login(enrolled)
    fake_engine.rank_points = 1.5
    post(client, course, exercise, PARTIAL, action="check", engine=fake_engine)

    check = Submission.objects.get()
    assert (check.kind, check.attempt, fake_engine.calls[0]["mode"]) == ("check", None, "check")
    assert not CourseProgress.objects.filter(
        enrolment__learner=enrolled, exercise_points__gt=0
    ).exists()
    page = client.get(urls(course, exercise)["page"]).content.decode()
    assert "Unlimited attempts (0 used)" in page and "Visible tests: 3.5 / 6 points" in page


def test_refusals_are_messages_that_keep_the_learners_answers_and_store_nothing(
    client, enrolled, course, exercise, fake_engine
):
    exercise.cooldown_seconds = 120
    exercise.save()
    client.force_login(enrolled)
    post(client, course, exercise, CORRECT)
    typed = "def rice_score(reach, impact, confidence, effort):\n    return 42  # my new idea\n"

    response = post(
        client,
        course,
        exercise,
        {"rice_answer": typed},
        action="check",
        next=urls(course, exercise)["page"],
    )
    page = client.get(response["Location"]).content.decode()

    assert Submission.objects.count() == 1
    assert "more seconds before you check or submit this exercise again" in page
    assert "return 42  # my new idea" in page


def test_uploads_too_big_or_not_notebooks_are_refused_before_parsing(
    client, enrolled, course, exercise, fake_engine
):
    client.force_login(enrolled)
    big = SimpleUploadedFile("big.ipynb", b"{" + b" " * (40 * 2**20) + b"}")
    response = client.post(
        urls(course, exercise)["submit"], {"action": "submit", "notebook": big}, follow=True
    )
    assert response.status_code == 200
    assert "The notebook is 40.0 MB; uploads may be at most 2.0 MB." in response.content.decode()

    text = SimpleUploadedFile("notes.ipynb", b"These are my notes, not a notebook.")
    response = client.post(
        urls(course, exercise)["submit"], {"action": "check", "notebook": text}, follow=True
    )
    assert (
        "The file is not valid JSON (line 1), so it is not a Jupyter notebook"
        in response.content.decode()
    )

    good = SimpleUploadedFile("rice.ipynb", notebook_with(exercise, CORRECT))
    with fake_engine.commit(execute=True):
        client.post(urls(course, exercise)["submit"], {"action": "submit", "notebook": good})
    assert list(Submission.objects.values_list("origin", "score")) == [("upload", 5.0)]


def test_not_enrolled_or_anonymous_learners_cannot_submit(client, learner, course, exercise):
    response = post(client, course, exercise, CORRECT)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    client.force_login(learner)
    response = post(client, course, exercise, CORRECT)
    assert response["Location"] == course.url
    assert Submission.objects.count() == 0


def test_a_learner_sees_only_their_own_submissions(client, enrolled, course, exercise, fake_engine):
    client.force_login(enrolled)
    post(client, course, exercise, CORRECT)
    submission = Submission.objects.get()
    for name in ("submission_detail", "submission_status", "submission_notebook"):
        assert client.get(reverse(name, args=[submission.pk])).status_code == 200
        assert client.get(reverse(name, args=[submission.pk + 1])).status_code == 404

    other = UserFactory()
    enrolment_create(learner=other, course=course)
    client.force_login(other)
    for name in ("submission_detail", "submission_status", "submission_notebook"):
        assert client.get(reverse(name, args=[submission.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("submission_status", args=[submission.pk])).status_code == 302


def test_the_status_partial_polls_while_queued_and_stops_when_graded(
    client, enrolled, course, exercise, fake_engine
):
    client.force_login(enrolled)
    post(client, course, exercise, CORRECT, engine=fake_engine)
    submission = Submission.objects.get()
    Submission.objects.filter(pk=submission.pk).update(status="queued")

    queued = client.get(reverse("submission_status", args=[submission.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in queued and "Queued" in queued and "<progress" in queued
    assert (
        f'href="{reverse("submission_detail", args=[submission.pk])}"' in queued
    )  # refresh without JS

    Submission.objects.filter(pk=submission.pk).update(status="graded")
    graded = client.get(reverse("submission_status", args=[submission.pk])).content.decode()
    assert "hx-trigger" not in graded and "5 / 6 points" in graded
