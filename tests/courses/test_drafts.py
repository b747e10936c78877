"""Drafts of a learner's answers: saved through the service and over HTTP, read back on the page,
kept through a refused submit, never overwritten by an older tab, and kept to their owner."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from courses.drafts import (
    DraftConflict,
    DraftRefused,
    DraftTooLarge,
    draft_reset_cell,
    draft_save,
    learner_draft,
)
from courses.models import ExerciseDraft
from courses.services import NotEnrolledError, enrolment_create
from grading.models import Submission
from grading.services import release_answer_stubs, submission_create
from grading.uploads import answers_too_large
from tests.factories import UserFactory
from tests.grading.submissions_support import (
    CORRECT,
    install_fake_engine,
    install_fake_engine_over_http,
    make_course_exercise,
    notebook_with,
)

pytestmark = pytest.mark.django_db

TYPED = "def rice_score(reach, impact, confidence, effort):\n    return 1  # typing\n"


@pytest.fixture
def exercise(course):
    return make_course_exercise(course)


@pytest.fixture
def fake_engine(monkeypatch, django_capture_on_commit_callbacks):
    return install_fake_engine_over_http(monkeypatch, django_capture_on_commit_callbacks)


@pytest.fixture
def bob(course):
    bob = UserFactory(username="bob")
    enrolment_create(learner=bob, course=course)
    return bob


def draft_url(course, exercise):
    return reverse("exercise_draft", args=[course.pk, exercise.pk])


def form_url(course, exercise):
    return reverse("exercise_draft_form", args=[course.pk, exercise.pk])


def page_url(course, exercise):
    return reverse("exercise_page", args=[course.pk, exercise.pk])


def save(client, course, exercise, answers, version, **extra):
    return client.post(
        draft_url(course, exercise),
        json.dumps({"version": version, "answers": answers}),
        content_type="application/json",
        **extra,
    )


def stored(learner, course, exercise):
    draft = learner_draft(learner=learner, course_id=course.pk, exercise=exercise)
    return (draft.version, draft.answers) if draft else None


# ---------- services ----------


def test_a_save_names_its_version_and_each_save_makes_the_next(enrolled, course, exercise):
    first = draft_save(
        learner=enrolled,
        course=course,
        exercise=exercise,
        answers={"rice_answer": "x = 1\r\n", "not_a_cell": "dropped"},
        base_version=0,
    )
    assert (first.version, first.answers) == (1, {"rice_answer": "x = 1\n"})
    second = draft_save(
        learner=enrolled,
        course=course,
        exercise=exercise,
        answers={"rice_answer": TYPED},
        base_version=1,
    )
    assert second.version == 2
    assert stored(enrolled, course, exercise) == (2, {"rice_answer": TYPED})
    draft = ExerciseDraft.objects.get()
    assert draft.revision_id == exercise.current_revision_id
    assert draft.updated_at == second.updated_at


def test_of_two_tabs_on_the_same_version_the_second_is_refused_with_the_newer_draft(
    enrolled, course, exercise
):
    draft_save(learner=enrolled, course=course, exercise=exercise, answers={}, base_version=0)
    draft_save(
        learner=enrolled,
        course=course,
        exercise=exercise,
        answers={"rice_answer": "a"},
        base_version=1,
    )
    with pytest.raises(DraftConflict) as conflict:
        draft_save(
            learner=enrolled,
            course=course,
            exercise=exercise,
            answers={"rice_answer": "b"},
            base_version=1,
        )
    assert (conflict.value.current.version, conflict.value.current.answers) == (
        2,
        {"rice_answer": "a"},
    )
    assert "A newer draft of this exercise was saved at" in str(conflict.value)
    assert stored(enrolled, course, exercise) == (2, {"rice_answer": "a"})
    # Keep mine: saved again on the version the refusal named.
    kept = draft_save(
        learner=enrolled,
        course=course,
        exercise=exercise,
        answers={"rice_answer": "b"},
        base_version=2,
    )
    assert kept.version == 3
    # A tab that is merely behind, sending what the draft already holds, is not a conflict.
    same = draft_save(
        learner=enrolled,
        course=course,
        exercise=exercise,
        answers={"rice_answer": "b"},
        base_version=1,
    )
    assert (same.version, same.answers) == (3, {"rice_answer": "b"})


def test_refusals_store_nothing(learner, enrolled, course, exercise, settings):
    other = UserFactory()
    with pytest.raises(NotEnrolledError):
        draft_save(learner=other, course=course, exercise=exercise, answers={}, base_version=0)
    with pytest.raises(DraftRefused, match="must be a string"):
        draft_save(
            learner=enrolled,
            course=course,
            exercise=exercise,
            answers={"rice_answer": 3},
            base_version=0,
        )
    settings.PMA_GRADING = {**settings.PMA_GRADING, "MAX_UPLOAD_BYTES": 1000}
    with pytest.raises(DraftTooLarge) as too_large:
        draft_save(
            learner=enrolled,
            course=course,
            exercise=exercise,
            answers={"rice_answer": "x" * 2000},
            base_version=0,
        )
    assert str(too_large.value) == answers_too_large(len("rice_answer") + 2000)
    assert ExerciseDraft.objects.count() == 0


def test_reset_puts_one_cell_back_to_the_release_and_keeps_the_others(enrolled, course, exercise):
    stubs = release_answer_stubs(revision=exercise.current_revision)
    state = draft_reset_cell(
        learner=enrolled,
        course=course,
        exercise=exercise,
        answers={"rice_answer": TYPED, "rank_answer": "mine"},
        base_version=0,
        grade_id="rice_answer",
    )
    assert state.answers == {"rice_answer": stubs["rice_answer"], "rank_answer": "mine"}
    with pytest.raises(DraftRefused, match="no answer cell named"):
        draft_reset_cell(
            learner=enrolled,
            course=course,
            exercise=exercise,
            answers={},
            base_version=1,
            grade_id="rice_tests",
        )


# ---------- HTTP: the JSON endpoint ----------


def test_save_then_load_over_http(client, enrolled, course, exercise):
    client.force_login(enrolled)
    empty = client.get(draft_url(course, exercise)).json()
    assert empty == {"version": 0, "answers": {}, "updated_at": None, "status": ""}

    response = save(client, course, exercise, {"rice_answer": TYPED}, 0)
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["answers"]) == (1, {"rice_answer": TYPED})
    assert body["status"].startswith("Saved at ") and len(body["status"]) == len("Saved at 08:42")

    loaded = client.get(draft_url(course, exercise))
    assert loaded.json() == body
    assert "no-cache" in loaded["Cache-Control"]

    # Another device: the page itself starts from the draft, with its version in the form.
    other = Client()
    other.force_login(enrolled)
    html = other.get(page_url(course, exercise)).content.decode()
    assert "return 1  # typing" in html
    assert 'name="draft_version" value="1"' in html
    assert body["status"] in html


def test_an_older_tab_gets_409_with_the_newer_draft(client, enrolled, course, exercise):
    client.force_login(enrolled)
    save(client, course, exercise, {"rice_answer": "first tab"}, 0)
    response = save(client, course, exercise, {"rice_answer": "second tab"}, 0)
    assert response.status_code == 409
    body = response.json()
    assert body["message"].startswith("A newer draft of this exercise was saved at ")
    assert (body["draft"]["version"], body["draft"]["answers"]) == (
        1,
        {"rice_answer": "first tab"},
    )
    assert stored(enrolled, course, exercise) == (1, {"rice_answer": "first tab"})
    assert save(client, course, exercise, {"rice_answer": "second tab"}, 1).json()["version"] == 2


def test_a_learner_reads_and_writes_only_their_own_draft(client, enrolled, bob, course, exercise):
    client.force_login(enrolled)
    save(client, course, exercise, {"rice_answer": "Ada's"}, 0)

    client.force_login(bob)
    assert client.get(draft_url(course, exercise)).json()["answers"] == {}
    assert "Ada&#x27;s" not in client.get(page_url(course, exercise)).content.decode()
    assert save(client, course, exercise, {"rice_answer": "Bob's"}, 0).status_code == 200
    assert save(client, course, exercise, {"rice_answer": "Bob's again"}, 1).status_code == 200

    assert stored(enrolled, course, exercise) == (1, {"rice_answer": "Ada's"})
    assert stored(bob, course, exercise) == (2, {"rice_answer": "Bob's again"})


def test_visitors_and_learners_not_enrolled_are_refused(client, learner, course, exercise):
    response = save(client, course, exercise, {"rice_answer": "x"}, 0)
    assert response.status_code == 401
    assert (
        response.json()["message"] == "You are logged out. Log in again to keep saving your draft."
    )

    client.force_login(learner)
    for response in (
        client.get(draft_url(course, exercise)),
        save(client, course, exercise, {"rice_answer": "x"}, 0),
    ):
        assert response.status_code == 403
        assert response.json()["message"] == "Enrol in this course to save drafts of its exercises."
    assert ExerciseDraft.objects.count() == 0

    missing = client.get(reverse("exercise_draft", args=[course.pk, exercise.pk + 99]))
    assert missing.status_code == 404
    assert missing.json()["message"] == "This course has no such exercise."


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        b"\xff\xfe",
        "[]",
        '{"answers": {}}',
        '{"version": -1, "answers": {}}',
        '{"version": true, "answers": {}}',
        '{"version": "2", "answers": {}}',
    ],
)
def test_unreadable_saves_are_400_with_a_clear_message(client, enrolled, course, exercise, body):
    client.force_login(enrolled)
    response = client.post(draft_url(course, exercise), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["message"] == (
        'Your draft could not be read: send JSON like {"version": 3, "answers": '
        '{"cell-id": "text"}}.'
    )


def test_answers_that_are_not_text_are_400(client, enrolled, course, exercise):
    client.force_login(enrolled)
    for answers in (["a"], {"rice_answer": None}, {"rice_answer": {"x": 1}}):
        response = save(client, course, exercise, answers, 0)
        assert response.status_code == 400
        assert "each answer cell's text must be a string" in response.json()["message"]
    assert ExerciseDraft.objects.count() == 0


def test_oversized_drafts_are_413_with_the_upload_limits_message(
    client, enrolled, course, exercise, settings
):
    settings.PMA_GRADING = {**settings.PMA_GRADING, "MAX_UPLOAD_BYTES": 1000}
    client.force_login(enrolled)
    # Over the answers' limit, inside the request's: refused by the service.
    response = save(client, course, exercise, {"rice_answer": "x" * 2000}, 0)
    assert response.status_code == 413
    assert response.json()["message"] == answers_too_large(len("rice_answer") + 2000)
    # Over the request's limit: refused on its Content-Length, before the body is read.
    response = save(client, course, exercise, {"rice_answer": "x" * 200_000}, 0)
    assert response.status_code == 413
    assert response.json()["message"].startswith("Your answers come to 0.2 MB; at most 0.0 MB")
    assert ExerciseDraft.objects.count() == 0


def test_saves_are_rate_limited_per_learner(client, enrolled, course, exercise, settings):
    from django.core.cache import cache

    cache.clear()
    settings.PMA_DRAFT_SAVES_PER_MINUTE = 2
    client.force_login(enrolled)
    assert save(client, course, exercise, {"rice_answer": "1"}, 0).status_code == 200
    assert save(client, course, exercise, {"rice_answer": "2"}, 1).status_code == 200
    limited = save(client, course, exercise, {"rice_answer": "3"}, 2)
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert "Too many saves in a minute" in limited.json()["message"]
    assert stored(enrolled, course, exercise) == (2, {"rice_answer": "2"})
    cache.clear()


def test_the_csrf_token_is_required_and_taken_from_the_header(enrolled, course, exercise):
    client = Client(enforce_csrf_checks=True)
    client.force_login(enrolled)
    page = client.get(page_url(course, exercise))
    token = page.cookies["csrftoken"].value
    assert save(client, course, exercise, {"rice_answer": "x"}, 0).status_code == 403
    response = save(client, course, exercise, {"rice_answer": "x"}, 0, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200


# ---------- HTTP: the page, forms without JavaScript, Check and Submit ----------


def test_without_javascript_save_draft_and_reset_post_the_whole_form(
    client, enrolled, course, exercise
):
    client.force_login(enrolled)
    html = client.get(page_url(course, exercise)).content.decode()
    assert f'formaction="{form_url(course, exercise)}"' in html
    assert 'name="reset_cell" value="rice_answer"' in html
    assert "No draft saved yet." in html

    form = {
        "next": page_url(course, exercise),
        "draft_version": "0",
        "answer-rice_answer": TYPED.replace("\n", "\r\n"),
        "answer-rank_answer": "mine",
    }
    response = client.post(form_url(course, exercise), form, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"#exercise-{exercise.pk}")
    assert "Draft saved at " in response.content.decode()
    assert stored(enrolled, course, exercise) == (
        1,
        {"rice_answer": TYPED, "rank_answer": "mine"},
    )

    reset = client.post(
        form_url(course, exercise),
        {**form, "draft_version": "1", "reset_cell": "rice_answer"},
        follow=True,
    )
    stub = release_answer_stubs(revision=exercise.current_revision)["rice_answer"]
    assert stored(enrolled, course, exercise) == (2, {"rice_answer": stub, "rank_answer": "mine"})
    assert "is back to the exercise&#x27;s original" in reset.content.decode()


def test_without_javascript_a_stale_save_keeps_the_typed_answers_and_says_why(
    client, enrolled, course, exercise
):
    client.force_login(enrolled)
    save(client, course, exercise, {"rice_answer": "the other tab"}, 0)
    response = client.post(
        form_url(course, exercise),
        {"next": page_url(course, exercise), "draft_version": "0", "answer-rice_answer": TYPED},
        follow=True,
    )
    html = response.content.decode()
    assert "A newer draft of this exercise was saved at" in html
    assert "return 1  # typing" in html  # the typed answers, not the other tab's
    assert 'name="draft_version" value="1"' in html  # so Save draft now overwrites knowingly
    assert stored(enrolled, course, exercise) == (1, {"rice_answer": "the other tab"})
    # Once shown, the page is the server draft again.
    assert "the other tab" in client.get(page_url(course, exercise)).content.decode()


def test_a_refused_submit_keeps_the_answers_as_the_draft(
    client, enrolled, course, exercise, fake_engine
):
    exercise.cooldown_seconds = 120
    exercise.save()
    client.force_login(enrolled)
    with fake_engine.commit(execute=True):
        client.post(
            reverse("exercise_submit", args=[course.pk, exercise.pk]),
            {"action": "submit", **{f"answer-{k}": v for k, v in CORRECT.items()}},
        )
    # The accepted submit is the draft now.
    assert stored(enrolled, course, exercise) == (1, CORRECT)

    response = client.post(
        reverse("exercise_submit", args=[course.pk, exercise.pk]),
        {"action": "check", "draft_version": "1", "answer-rice_answer": TYPED},
        follow=True,
    )
    html = response.content.decode()
    assert "more seconds before you check or submit this exercise again" in html
    assert "return 1  # typing" in html
    assert Submission.objects.count() == 1
    assert stored(enrolled, course, exercise) == (2, {"rice_answer": TYPED})
    # A reload, or another device, still has it.
    assert "return 1  # typing" in client.get(page_url(course, exercise)).content.decode()


def test_the_editor_starts_from_the_newer_of_draft_and_last_submission(
    client, enrolled, course, exercise, monkeypatch
):
    install_fake_engine(monkeypatch)
    client.force_login(enrolled)
    save(client, course, exercise, {"rice_answer": TYPED}, 0)
    # A submission made after the draft elsewhere (not through this page): the editor shows it.
    submission_create(
        learner=enrolled, exercise=exercise, course_page=course, answers=CORRECT, kind="check"
    )
    html = client.get(page_url(course, exercise)).content.decode()
    assert "# typing" not in html and "effort must be positive" in html

    # Typed after it: the draft again, and cells the draft lacks come from the submission.
    save(client, course, exercise, {"rice_answer": TYPED + "# more\n"}, 1)
    html = client.get(page_url(course, exercise)).content.decode()
    assert "# typing\n# more" in html
    assert "return [f[&quot;name&quot;] for f in sorted(features, key=score" in html


def test_an_accepted_submit_makes_the_draft_what_was_sent(
    client, enrolled, course, exercise, fake_engine
):
    client.force_login(enrolled)
    save(client, course, exercise, {"rice_answer": TYPED}, 0)
    upload = SimpleUploadedFile("rice.ipynb", notebook_with(exercise, CORRECT))
    with fake_engine.commit(execute=True):
        client.post(
            reverse("exercise_submit", args=[course.pk, exercise.pk]),
            {"action": "check", "notebook": upload},
        )
    version, answers = stored(enrolled, course, exercise)
    assert version == 2 and answers == Submission.objects.get().answers == CORRECT
