"""The submission pipeline through its services, with the engine replaced (no kernels)."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exercises.models import ScorePolicy
from grading.models import (
    GradeOverride,
    RegradeStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from grading.selectors import exercise_panel_context, learner_exercise_score, submissions_visible_to
from grading.services import (
    SubmissionRefused,
    exercise_regrade,
    grade_override,
    submission_create,
    submission_grade,
    submission_reap_expired,
    submission_regrade,
)
from grading.signals import submission_graded

from .submissions_support import (
    CORRECT,
    PARTIAL,
    make_course_exercise,
    make_exercise,
    notebook_with,
)

pytestmark = pytest.mark.django_db


def submit(learner, exercise, course, *, kind="submit", answers=None, data=None):
    if data is None and answers is None:
        answers = CORRECT
    return submission_create(
        learner=learner,
        exercise=exercise,
        course_page=course,
        data=data,
        answers=answers,
        kind=kind,
    )


def test_a_submission_is_stored_queued_then_graded_on_commit(
    enrolled, exercise, course, fake_engine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submission = submit(enrolled, exercise, course, data=notebook_with(exercise, CORRECT))

    # Grading is enqueued on commit (nothing ran before the row was stored); grading sends the signal.
    assert [c.__qualname__.split(".")[0] for c in callbacks] == [
        "enqueue_grading",
        "send_graded_on_commit",
    ]
    submission.refresh_from_db()
    assert (submission.kind, submission.attempt, submission.status) == (
        "submit",
        1,
        SubmissionStatus.GRADED,
    )
    assert (submission.score, submission.max_score, submission.needs_review) == (5.0, 6.0, True)
    assert submission.origin == "upload" and submission.revision == exercise.current_revision
    assert submission.answers["rank_answer"] == CORRECT["rank_answer"]
    assert submission.report["tests"][1]["grade_id"] == "rank_tests"
    assert fake_engine.calls == [{"seed": submission.seed, "mode": "submit"}]
    assert submission.worker_id and submission.claims == 1 and submission.lease_expires_at is None


def test_editor_answers_become_a_notebook_built_from_the_release(
    enrolled, exercise, course, fake_engine
):
    submission = submit(
        enrolled, exercise, course, kind="check", answers={"rice_answer": CORRECT["rice_answer"]}
    )

    nb = json.loads(submission.notebook.read())
    cells = {
        c["metadata"].get("nbgrader", {}).get("grade_id"): "".join(c["source"]) for c in nb["cells"]
    }
    assert cells["rice_answer"] == CORRECT["rice_answer"]
    assert "BEGIN SOLUTION" not in json.dumps(nb) and "HIDDEN" not in json.dumps(nb)
    assert (submission.kind, submission.attempt, submission.origin) == ("check", None, "editor")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00garbage", "not UTF-8"),
        (b'{"cells": []}', "no 'nbformat' version"),
        (
            json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}).encode(),
            "not the one for the exercise 'RICE scoring'",
        ),
        (b"x" * (2 * 2**20 + 1), "uploads may be at most 2.0 MB"),
    ],
)
def test_bad_uploads_are_refused_with_a_reason_and_store_nothing(
    enrolled, exercise, course, data, message
):
    with pytest.raises(SubmissionRefused) as refusal:
        submit(enrolled, exercise, course, data=data)

    assert message in str(refusal.value)
    assert Submission.objects.count() == 0


def test_an_untouched_release_notebook_is_refused(enrolled, exercise, course):
    with pytest.raises(SubmissionRefused, match="None of the answer cells has been changed"):
        submit(enrolled, exercise, course, data=notebook_with(exercise, {}))
    with pytest.raises(SubmissionRefused, match="cells this exercise does not have"):
        submit(enrolled, exercise, course, answers={"rice_tests": "assert True"})
    assert Submission.objects.count() == 0


def test_checks_do_not_use_attempts_and_max_attempts_is_enforced(enrolled, course, fake_engine):
    exercise = make_exercise(max_attempts=2)
    first = submit(enrolled, exercise, course)
    check = submit(enrolled, exercise, course, kind="check")
    second = submit(enrolled, exercise, course)

    assert (first.attempt, check.attempt, second.attempt) == (1, None, 2)
    with pytest.raises(SubmissionRefused, match="You have used all 2 attempts"):
        submit(enrolled, exercise, course)
    assert submit(enrolled, exercise, course, kind="check").attempt is None  # checks stay open
    assert Submission.objects.filter(kind="submit").count() == 2


def test_cooldown_refuses_a_check_too_until_it_has_passed(enrolled, course, fake_engine):
    exercise = make_exercise(cooldown_seconds=60)
    first = submit(enrolled, exercise, course)

    with pytest.raises(SubmissionRefused, match=r"Please wait (59|60) more seconds"):
        submit(enrolled, exercise, course, kind="check")
    Submission.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    assert submit(enrolled, exercise, course, kind="check").kind == "check"


def test_after_the_due_date_nothing_is_accepted(enrolled, course):
    exercise = make_exercise(due_at=timezone.now() - timedelta(minutes=1))
    for kind in ("check", "submit"):
        with pytest.raises(SubmissionRefused, match="no longer accepts submissions or checks"):
            submit(enrolled, exercise, course, kind=kind)
    assert Submission.objects.count() == 0


def test_the_rate_limit_counts_every_exercise_of_the_learner(
    enrolled, exercise, course, fake_engine, settings
):
    settings.PMA_GRADING = {**settings.PMA_GRADING, "RATE_LIMIT_PER_MINUTE": 3}
    other = make_exercise(slug="ice", title="ICE scoring")
    submit(enrolled, exercise, course)
    submit(enrolled, other, course, kind="check")
    submit(enrolled, exercise, course, kind="check")

    with pytest.raises(SubmissionRefused, match="3 checks and submissions in the last minute"):
        submit(enrolled, other, course)
    Submission.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    assert submit(enrolled, other, course).attempt == 1


def test_an_exercise_that_has_not_validated_refuses_submissions(enrolled, course):
    exercise = make_exercise()
    exercise.current_revision = None
    exercise.save()
    with pytest.raises(SubmissionRefused, match="not open yet"):
        submit(enrolled, exercise, course)


def test_grading_twice_grades_once_and_sends_one_signal(
    enrolled, exercise, course, fake_engine, django_capture_on_commit_callbacks
):
    submission = submit(enrolled, exercise, course)
    received = []
    submission_graded.connect(
        lambda sender, submission, **kw: received.append(submission.pk),
        dispatch_uid="test-graded",
        weak=False,
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = submission_grade(submission_id=submission.pk, worker="w1")
            second = submission_grade(submission_id=submission.pk, worker="w2")
    finally:
        submission_graded.disconnect(dispatch_uid="test-graded")

    assert (first.status, second.status, second.worker_id) == ("graded", "graded", "w1")
    assert len(fake_engine.calls) == 1 and received == [submission.pk]


def test_an_unavailable_sandbox_fails_the_submission_with_a_reason(
    enrolled, exercise, course, fake_engine
):
    from grading.engine.sandbox import SandboxUnavailable

    fake_engine.raises = SandboxUnavailable("bubblewrap is missing")
    submission = submit(enrolled, exercise, course)
    graded = submission_grade(submission_id=submission.pk, worker="w1")

    assert graded.status == SubmissionStatus.FAILED and graded.score is None
    assert graded.failure_reason.startswith("The grading sandbox is not available right now")
    assert "bubblewrap" not in graded.failure_reason


INTERNAL_ERROR = (
    "The grader stopped with an internal error while running your notebook, so it was not graded. "
    "The team has been told; please submit again."
)


def test_an_internal_error_fails_the_submission_without_using_an_attempt(
    enrolled, course, fake_engine
):
    exercise = make_exercise(max_attempts=1)
    fake_engine.raises = RuntimeError("a bug in the grader")
    failed = submit(enrolled, exercise, course)
    failed = submission_grade(submission_id=failed.pk, worker="w1")
    check = submission_grade(
        submission_id=submit(enrolled, exercise, course, kind="check").pk, worker="w1"
    )

    assert (failed.status, failed.score, failed.attempt) == (SubmissionStatus.FAILED, None, 1)
    assert failed.failure_reason == f"{INTERNAL_ERROR} This did not use one of your attempts."
    assert check.failure_reason == INTERNAL_ERROR  # checks never use attempts
    assert "a bug in the grader" not in failed.failure_reason

    fake_engine.raises = None
    again = submit(enrolled, exercise, course)
    assert again.attempt == 2  # numbers are never reused: the failed one keeps 1
    assert submission_grade(submission_id=again.pk, worker="w1").status == SubmissionStatus.GRADED
    with pytest.raises(SubmissionRefused, match="You have used all 1 attempts"):
        submit(enrolled, exercise, course)
    panel = exercise_panel_context(learner=enrolled, exercise=exercise, course_page_id=course.pk)[
        "panel"
    ]
    assert (panel.attempts_used, panel.attempts_left, panel.can_submit) == (1, 0, False)


def test_a_failed_submission_counts_once_an_instructor_scores_it(
    enrolled, course, instructor, fake_engine
):
    exercise = make_exercise(max_attempts=1)
    fake_engine.raises = RuntimeError("a bug in the grader")
    failed = submission_grade(submission_id=submit(enrolled, exercise, course).pk, worker="w1")
    grade_override(
        submission=failed,
        new_score=4.0,
        reason="Graded by hand after the grader failed.",
        by=instructor,
    )

    with pytest.raises(SubmissionRefused, match="You have used all 1 attempts"):
        submit(enrolled, exercise, course)
    panel = exercise_panel_context(learner=enrolled, exercise=exercise, course_page_id=course.pk)[
        "panel"
    ]
    assert (panel.attempts_used, panel.counted.score) == (1, 4.0)


def test_a_learner_whose_attempt_failed_reads_why_and_submits_again_over_http(
    client, enrolled, course, fake_engine, django_capture_on_commit_callbacks
):
    exercise = make_course_exercise(course, slug="rice-once", max_attempts=1)
    client.force_login(enrolled)
    submit_url = reverse("exercise_submit", args=[course.pk, exercise.pk])
    fake_engine.raises = RuntimeError("a bug in the grader")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            submit_url, {"action": "submit", **{f"answer-{k}": v for k, v in CORRECT.items()}}
        )
    failed = Submission.objects.get()

    page = client.get(reverse("submission_detail", args=[failed.pk])).content.decode()
    assert (
        f"<strong>Not graded.</strong> {INTERNAL_ERROR} This did not use one of your attempts."
        in page
    )
    panel = client.get(reverse("exercise_page", args=[course.pk, exercise.pk])).content.decode()
    assert "0 of 1 attempts used" in panel and 'value="submit"' in panel

    fake_engine.raises = None
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            submit_url, {"action": "submit", **{f"answer-{k}": v for k, v in CORRECT.items()}}
        )
    graded = Submission.objects.order_by("-pk").first()
    assert (graded.attempt, graded.status, graded.score) == (2, SubmissionStatus.GRADED, 5.0)
    panel = client.get(reverse("exercise_page", args=[course.pk, exercise.pk])).content.decode()
    assert "1 of 1 attempts used" in panel and 'value="submit"' not in panel


def test_the_reaper_requeues_an_expired_lease_and_the_result_of_the_dead_worker_is_ignored(
    enrolled, exercise, course, fake_engine, django_capture_on_commit_callbacks
):
    submission = submit(enrolled, exercise, course)
    past = timezone.now() - timedelta(seconds=5)
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.RUNNING, worker_id="dead-worker", lease_expires_at=past, claims=1
    )
    fresh = submit(enrolled, exercise, course, kind="check")
    Submission.objects.filter(pk=fresh.pk).update(
        status=SubmissionStatus.RUNNING,
        worker_id="alive",
        lease_expires_at=timezone.now() + timedelta(minutes=5),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert submission_reap_expired() == 1

    submission.refresh_from_db()
    assert (submission.status, submission.claims, submission.score) == ("graded", 2, 5.0)
    fresh.refresh_from_db()
    assert fresh.status == "running" and fresh.worker_id == "alive"


def test_a_submission_that_keeps_killing_workers_fails_instead_of_looping(
    enrolled, exercise, course
):
    submission = submit(enrolled, exercise, course)
    Submission.objects.filter(pk=submission.pk).update(
        status=SubmissionStatus.RUNNING,
        lease_expires_at=timezone.now() - timedelta(seconds=1),
        claims=3,
    )
    submission_reap_expired()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.FAILED
    assert "stopped several times" in submission.failure_reason
    assert submission.failure_reason.endswith("This did not use one of your attempts.")
    assert submit(enrolled, exercise, course).attempt == 2


def test_best_and_last_policies_and_an_override_that_wins(
    enrolled, exercise, course, instructor, fake_engine
):
    first = submit(enrolled, exercise, course)
    submission_grade(submission_id=first.pk, worker="w")
    fake_engine.rank_points = 1.5
    second = submit(enrolled, exercise, course, answers=PARTIAL)
    submission_grade(submission_id=second.pk, worker="w")

    best = learner_exercise_score(learner=enrolled, exercise=exercise, course_page_id=course.pk)
    assert (best.score, best.max_score, best.submission) == (5.0, 6.0, first)
    exercise.score_policy = ScorePolicy.LAST
    exercise.save()
    last = learner_exercise_score(learner=enrolled, exercise=exercise, course_page_id=course.pk)
    assert (last.score, last.submission) == (3.5, second)

    override = grade_override(
        submission=second, new_score=4.0, reason="Ranking ties were allowed.", by=instructor
    )
    assert (override.old_score, override.new_score, override.by, override.reason) == (
        3.5,
        4.0,
        instructor,
        "Ranking ties were allowed.",
    )
    second.refresh_from_db()
    assert (second.score, second.override_score, second.counted_score) == (3.5, 4.0, 4.0)
    assert (
        learner_exercise_score(learner=enrolled, exercise=exercise, course_page_id=course.pk).score
        == 4.0
    )


@pytest.mark.parametrize(
    ("score", "reason", "message"),
    [
        (4.0, "  ", "Give a reason"),
        (7.0, "Generous", "between 0 and 6"),
        (-1.0, "Mean", "between 0 and 6"),
    ],
)
def test_an_override_needs_a_reason_and_a_score_in_range(
    enrolled, exercise, course, instructor, fake_engine, score, reason, message
):
    submission = submit(enrolled, exercise, course)
    submission_grade(submission_id=submission.pk, worker="w")
    with pytest.raises(SubmissionRefused, match=message):
        grade_override(submission=submission, new_score=score, reason=reason, by=instructor)
    assert GradeOverride.objects.count() == 0
    submission.refresh_from_db()
    assert submission.override_score is None


def test_regrading_an_exercise_records_a_diff_of_score_changes(
    enrolled, exercise, course, instructor, fake_engine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = submit(enrolled, exercise, course)
    fake_engine.rank_points = 1.5
    with django_capture_on_commit_callbacks(execute=True):
        second = submit(enrolled, exercise, course, answers=PARTIAL)
        submit(enrolled, exercise, course, kind="check")  # checks are never regraded
    fake_engine.rank_points = 3.0  # say the instructor fixed the ranking test

    with django_capture_on_commit_callbacks(execute=True):
        batch = exercise_regrade(exercise=exercise, by=instructor)
    batch.refresh_from_db()

    assert (batch.status, batch.total, batch.done, batch.percent) == (
        RegradeStatus.FINISHED,
        2,
        2,
        100,
    )
    changes = {c.submission_id: (c.old_score, c.new_score, c.changed) for c in batch.changes.all()}
    assert changes == {first.pk: (5.0, 5.0, False), second.pk: (3.5, 5.0, True)}
    second.refresh_from_db()
    assert second.score == 5.0 and second.status == "graded"
    assert (
        batch.changes.get(submission=second).old_report["score"] == 3.5
    )  # the earlier grade is kept


def test_instructors_see_only_their_courses_submissions(
    enrolled, exercise, course, other_course, instructor, fake_engine, django_user_model
):
    from courses.services import enrolment_create

    mine = submit(enrolled, exercise, course)
    enrolment_create(learner=enrolled, course=other_course)
    theirs = submit(enrolled, exercise, other_course)
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")

    assert list(submissions_visible_to(user=instructor)) == [mine]
    assert set(submissions_visible_to(user=admin)) == {mine, theirs}
    assert list(submissions_visible_to(user=enrolled)) == []
    assert Submission.objects.filter(kind=SubmissionKind.SUBMIT, attempt=1).count() == 2


def test_an_erased_learners_submission_is_never_regraded(
    enrolled, exercise, course, instructor, fake_engine, django_capture_on_commit_callbacks
):
    """privacy.erasure deletes the notebook and empties its hash; a regrade must not try to run
    it (a missing file left the submission queued for ever) and the kept score stays."""
    with django_capture_on_commit_callbacks(execute=True):
        kept = submit(enrolled, exercise, course)
        erased = submit(enrolled, exercise, course, answers=PARTIAL)
    Submission.objects.filter(pk=erased.pk).update(notebook_sha256="")
    erased.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        batch = exercise_regrade(exercise=exercise, by=instructor)
    batch.refresh_from_db()

    assert (batch.total, batch.done) == (1, 1)
    assert list(batch.changes.values_list("submission_id", flat=True)) == [kept.pk]
    with pytest.raises(SubmissionRefused, match="erased their account"):
        submission_regrade(submission=erased, by=instructor)
