"""The learner's exercise panel: latest submission, attempts used and the score that counts,
read in one query whatever the learner's history, with the same answers as the services."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from exercises.models import Exercise, ScorePolicy
from grading.models import Submission, SubmissionStatus
from grading.selectors import exercise_panel_context, learner_exercise_score
from grading.services import grade_override, submission_create, submission_grade

from .submissions_support import CORRECT, PARTIAL

pytestmark = pytest.mark.django_db


def graded(learner, exercise, course, *, kind="submit", answers=CORRECT):
    submission = submission_create(
        learner=learner, exercise=exercise, course_page=course, answers=answers, kind=kind
    )
    return submission_grade(submission_id=submission.pk, worker="w")


def panel_of(learner, exercise, course, django_assert_num_queries):
    # As the lesson block loads it: the exercise with its current revision.
    exercise = Exercise.objects.select_related("current_revision").get(pk=exercise.pk)
    # Two queries for a learner: their submissions (latest, counted, attempts used) and their
    # extension, if any (grading.late); none for a visitor.
    with django_assert_num_queries(2 if learner.is_authenticated else 0):
        return exercise_panel_context(learner=learner, exercise=exercise, course_page_id=course.pk)[
            "panel"
        ]


def test_a_learner_without_submissions_starts_from_the_release(
    enrolled, exercise, course, django_assert_num_queries
):
    exercise.max_attempts = 2
    exercise.save()

    panel = panel_of(enrolled, exercise, course, django_assert_num_queries)

    assert (panel.latest, panel.counted, panel.attempts_used, panel.attempts_left) == (
        None,
        None,
        0,
        2,
    )
    assert panel.cooldown_until is None and panel.can_submit
    answer = next(cell for cell in panel.cells if cell.grade_id == "rice_answer")
    assert answer.editable and answer.text.startswith("def rice_score(")
    assert "BEGIN SOLUTION" not in answer.text


def test_anonymous_visitors_cost_no_query(exercise, course, django_assert_num_queries):
    panel = panel_of(AnonymousUser(), exercise, course, django_assert_num_queries)

    assert (panel.latest, panel.counted, panel.attempts_used) == (None, None, 0)


def test_the_latest_check_shows_while_the_best_attempt_counts(
    enrolled, exercise, course, fake_engine, django_assert_num_queries
):
    first = graded(enrolled, exercise, course)
    fake_engine.rank_points = 1.5
    graded(enrolled, exercise, course, answers=PARTIAL)
    check = graded(enrolled, exercise, course, kind="check", answers=PARTIAL)
    # The tries were minutes apart, in this order, and the exercise has a policy.
    for minutes, submission in enumerate(Submission.objects.order_by("pk"), start=1):
        Submission.objects.filter(pk=submission.pk).update(
            created_at=timezone.now() - timedelta(minutes=10 - minutes)
        )
    exercise.max_attempts = 3
    exercise.cooldown_seconds = 30
    exercise.save()

    panel = panel_of(enrolled, exercise, course, django_assert_num_queries)

    assert panel.latest == check and panel.latest_result.score == 3.5
    assert panel.latest.created_at < timezone.now() - timedelta(minutes=2)
    assert (panel.counted.submission, panel.counted.score, panel.counted.max_score) == (
        first,
        5.0,
        6.0,
    )
    assert (panel.attempts_used, panel.attempts_left) == (2, 1)
    assert panel.cooldown_until is None
    answer = next(cell for cell in panel.cells if cell.grade_id == "rank_answer")
    assert answer.text == PARTIAL["rank_answer"]


def test_a_fresh_try_starts_the_cooldown(
    enrolled, exercise, course, fake_engine, django_assert_num_queries
):
    exercise.cooldown_seconds = 60
    exercise.save()
    latest = graded(enrolled, exercise, course, kind="check")

    panel = panel_of(enrolled, exercise, course, django_assert_num_queries)

    assert panel.cooldown_until == latest.created_at + timedelta(seconds=60)


def test_the_policy_and_overrides_choose_the_attempt_that_counts(
    enrolled, exercise, course, instructor, fake_engine, django_assert_num_queries
):
    first = graded(enrolled, exercise, course)
    fake_engine.rank_points = 1.5
    second = graded(enrolled, exercise, course, answers=PARTIAL)

    exercise.score_policy = ScorePolicy.LAST
    exercise.save()
    panel = panel_of(enrolled, exercise, course, django_assert_num_queries)
    assert (panel.counted.submission, panel.counted.score) == (second, 3.5)

    exercise.score_policy = ScorePolicy.BEST
    exercise.save()
    assert (
        panel_of(enrolled, exercise, course, django_assert_num_queries).counted.submission == first
    )

    grade_override(submission=second, new_score=6.0, reason="Ties were allowed.", by=instructor)
    panel = panel_of(enrolled, exercise, course, django_assert_num_queries)
    assert (panel.counted.submission, panel.counted.score) == (second, 6.0)
    assert panel.latest == second and panel.attempts_used == 2


def test_shares_not_points_decide_and_a_tie_goes_to_the_later_attempt(
    enrolled, exercise, course, fake_engine, django_assert_num_queries
):
    first = graded(enrolled, exercise, course)
    fake_engine.rank_points = 1.5
    second = graded(enrolled, exercise, course, answers=PARTIAL)
    # As after a regrade of the first attempt against a revision worth 10 points: 5/10 < 3.5/6.
    Submission.objects.filter(pk=first.pk).update(max_score=10.0)
    assert (
        panel_of(enrolled, exercise, course, django_assert_num_queries).counted.submission == second
    )

    Submission.objects.filter(pk=first.pk).update(score=3.5, max_score=6.0)
    assert (
        panel_of(enrolled, exercise, course, django_assert_num_queries).counted.submission == second
    )


def test_a_failed_attempt_counts_only_once_overridden(
    enrolled, exercise, course, instructor, fake_engine, django_assert_num_queries
):
    from grading.engine.sandbox import SandboxUnavailable

    fake_engine.raises = SandboxUnavailable("bubblewrap is missing")
    failed = graded(enrolled, exercise, course)
    assert failed.status == SubmissionStatus.FAILED

    panel = panel_of(enrolled, exercise, course, django_assert_num_queries)
    # The grader failed, not the learner: no score and no attempt used, until an instructor scores it.
    assert (panel.latest, panel.counted, panel.attempts_used) == (failed, None, 0)

    Submission.objects.filter(pk=failed.pk).update(max_score=6.0)
    grade_override(submission=failed, new_score=4.0, reason="Graded by hand.", by=instructor)
    panel = panel_of(enrolled, exercise, course, django_assert_num_queries)
    assert (panel.counted.submission, panel.counted.score, panel.attempts_used) == (failed, 4.0, 1)


@pytest.mark.parametrize("policy", [ScorePolicy.BEST, ScorePolicy.LAST])
def test_the_panel_and_course_progress_count_the_same_attempt(
    enrolled, exercise, course, fake_engine, policy, django_assert_num_queries
):
    exercise.score_policy = policy
    exercise.save()
    for points in (1.5, 3.0, 2.0):
        fake_engine.rank_points = points
        graded(enrolled, exercise, course, answers=PARTIAL if points < 3 else CORRECT)

    panel = panel_of(enrolled, exercise, course, django_assert_num_queries)
    counted = learner_exercise_score(learner=enrolled, exercise=exercise, course_page_id=course.pk)

    assert panel.counted == counted
    assert counted.submission.attempt == (2 if policy == ScorePolicy.BEST else 3)
