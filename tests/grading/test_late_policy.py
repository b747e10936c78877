"""The late policy and extensions (grading.late): what a submission after the learner's due date
costs, which date holds (extension, cohort, exercise), and that every counted score follows a
changed date or policy at once, with the raw score kept and every extension audited."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.cohorts import cohort_due_dates_set, cohort_save
from courses.models import CourseExerciseScore, Enrolment
from courses.services import course_exercise_submit, enrolment_create
from exercises.models import LatePolicy, ScorePolicy
from grading.late import (
    ExtensionRefused,
    days_late,
    extension_set,
    penalty_percent,
    penalty_reason,
)
from grading.models import DueSource, ExtensionAction, ExtensionChange, Submission
from grading.selectors import learner_exercise_score
from grading.services import (
    SubmissionRefused,
    exercise_attempt_policy_set,
    grade_override,
    submission_grade,
)
from tests.factories import UserFactory

from .submissions_support import CORRECT, make_course_exercise

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


@pytest.fixture
def late_exercise(course):
    """10% a day, at most 30%; due two and a half days ago."""
    return make_course_exercise(
        course,
        late_policy=LatePolicy.PENALTY,
        late_penalty_per_day=10,
        late_penalty_cap=30,
        due_at=timezone.now() - 2.5 * DAY,
    )


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Call a service and run what it leaves for commit (submission_graded: course scores), as
    a request's commit would."""

    def call(action, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(**kwargs)

    return call


@pytest.fixture
def submit(django_capture_on_commit_callbacks, committed):
    """Submit through courses, then grade by hand (not through the queue) and commit."""

    def call(learner, course, exercise, kind="submit"):
        with django_capture_on_commit_callbacks(execute=False):
            submission = course_exercise_submit(
                learner=learner, course=course, exercise=exercise, kind=kind, answers=CORRECT
            )
        return committed(submission_grade, submission_id=submission.pk, worker="w")

    return call


def stored_score(learner, course, exercise):
    return CourseExerciseScore.objects.get(
        enrolment__learner=learner, enrolment__course=course, exercise=exercise
    )


def test_days_late_count_started_days():
    due = timezone.now()
    assert days_late(due_at=due, at=due) == 0
    assert days_late(due_at=due, at=due + timedelta(seconds=1)) == 1
    assert days_late(due_at=due, at=due + DAY) == 1
    assert days_late(due_at=due, at=due + DAY + timedelta(seconds=1)) == 2
    assert days_late(due_at=None, at=due + 10 * DAY) == 0


def test_the_penalty_grows_per_day_up_to_the_cap(late_exercise):
    assert [penalty_percent(exercise=late_exercise, days=d) for d in range(5)] == [
        0,
        10,
        20,
        30,
        30,
    ]
    late_exercise.late_policy = LatePolicy.CLOSED
    assert penalty_percent(exercise=late_exercise, days=3) == 0


def test_a_closed_exercise_refuses_work_after_the_due_date(course, enrolled, fake_engine, submit):
    exercise = make_course_exercise(course, due_at=timezone.now() - DAY)
    with pytest.raises(SubmissionRefused, match="no longer accepts"):
        submit(enrolled, course, exercise)
    assert not Submission.objects.exists()


def test_a_late_submission_counts_less_and_keeps_its_raw_score(
    course, enrolled, late_exercise, fake_engine, submit
):
    submission = submit(enrolled, course, late_exercise)

    assert (submission.late_days, submission.late_penalty_percent) == (3, 30)
    assert submission.due_at == late_exercise.due_at
    assert submission.due_source == DueSource.EXERCISE
    assert submission.raw_score == Decimal(5)
    assert submission.counted_score == Decimal("3.5")
    counted = learner_exercise_score(
        learner=enrolled, exercise=late_exercise, course_page_id=course.pk
    )
    assert counted.score == Decimal("3.5")
    score = stored_score(enrolled, course, late_exercise)
    assert (score.points, score.raw_points, score.late_penalty_percent) == (
        Decimal("3.5"),
        Decimal(5),
        30,
    )
    assert "3 days after the due date" in penalty_reason(submission)
    assert "30%" in penalty_reason(submission)


def test_a_check_after_the_due_date_is_allowed_and_never_judged(
    course, enrolled, late_exercise, fake_engine, submit
):
    check = submit(enrolled, course, late_exercise, kind="check")
    assert (check.late_days, check.late_penalty_percent) == (0, 0)


def test_the_best_attempt_is_chosen_after_the_penalty(course, enrolled, fake_engine, submit):
    exercise = make_course_exercise(
        course,
        late_policy=LatePolicy.PENALTY,
        late_penalty_per_day=50,
        late_penalty_cap=50,
        due_at=timezone.now() + DAY,
        score_policy=ScorePolicy.BEST,
    )
    fake_engine.rank_points = 1.0
    on_time = submit(enrolled, course, exercise)  # 3 points, on time
    exercise.due_at = timezone.now() - DAY
    exercise.save(update_fields=["due_at"])
    fake_engine.rank_points = 3.0
    late = submit(enrolled, course, exercise)  # 5 points less 50% = 2.5

    counted = learner_exercise_score(learner=enrolled, exercise=exercise, course_page_id=course.pk)
    assert counted.submission == on_time
    assert late.counted_score == Decimal("2.5")
    assert stored_score(enrolled, course, exercise).points == Decimal(3)


def test_an_override_is_never_penalised(
    course, enrolled, late_exercise, fake_engine, instructor, submit, committed
):
    submission = submit(enrolled, course, late_exercise)
    committed(
        grade_override,
        submission=submission,
        new_score=Decimal(6),
        reason="Graded by hand",
        by=instructor,
    )
    submission.refresh_from_db()
    assert submission.counted_score == Decimal(6)
    assert "no late penalty applies" in penalty_reason(submission)
    assert stored_score(enrolled, course, late_exercise).late_penalty_percent == 0


def test_an_extension_granted_before_lets_the_learner_submit_on_time(
    course, enrolled, instructor, fake_engine, submit, committed
):
    exercise = make_course_exercise(course, due_at=timezone.now() - DAY)  # closed
    committed(
        extension_set,
        learner=enrolled,
        exercise=exercise,
        course_page=course,
        due_at=timezone.now() + DAY,
        reason="Illness",
        by=instructor,
    )
    submission = submit(enrolled, course, exercise)
    assert submission.due_source == DueSource.EXTENSION
    assert (submission.late_days, submission.late_penalty_percent) == (0, 0)
    assert submission.counted_score == Decimal(5)


def test_an_extension_granted_after_lifts_the_penalty_and_is_audited(
    course, enrolled, instructor, late_exercise, fake_engine, submit, committed
):
    submission = submit(enrolled, course, late_exercise)
    assert stored_score(enrolled, course, late_exercise).points == Decimal("3.5")

    change = committed(
        extension_set,
        learner=enrolled,
        exercise=late_exercise,
        course_page=course,
        due_at=timezone.now() + DAY,
        reason="Family emergency",
        by=instructor,
    )

    submission.refresh_from_db()
    assert (submission.late_days, submission.late_penalty_percent) == (0, 0)
    assert submission.due_source == DueSource.EXTENSION
    assert stored_score(enrolled, course, late_exercise).points == Decimal(5)
    assert (change.action, change.penalties_changed, change.by) == (
        ExtensionAction.GRANTED,
        1,
        instructor,
    )
    assert change.old_due_at is None

    revoked = committed(
        extension_set,
        learner=enrolled,
        exercise=late_exercise,
        course_page=course,
        due_at=None,
        reason="Granted to the wrong learner",
        by=instructor,
    )
    submission.refresh_from_db()
    assert submission.late_penalty_percent == 30
    assert stored_score(enrolled, course, late_exercise).points == Decimal("3.5")
    assert revoked.action == ExtensionAction.REVOKED
    assert ExtensionChange.objects.count() == 2
    with pytest.raises(ValueError, match="audit"):
        revoked.delete()


def test_an_extension_needs_a_reason_and_the_same_one_twice_changes_nothing(
    course, enrolled, instructor, late_exercise, committed
):
    with pytest.raises(ExtensionRefused):
        committed(
            extension_set,
            learner=enrolled,
            exercise=late_exercise,
            course_page=course,
            due_at=timezone.now(),
            reason="  ",
            by=instructor,
        )
    when = timezone.now() + DAY
    for _ in range(2):
        committed(
            extension_set,
            learner=enrolled,
            exercise=late_exercise,
            course_page=course,
            due_at=when,
            reason="Illness",
            by=instructor,
        )
    assert ExtensionChange.objects.count() == 1


def test_moving_a_cohort_date_judges_its_learners_again(
    course, enrolled, late_exercise, fake_engine, submit, committed
):
    cohort = cohort_save(course=course, name="Spring", starts_at=None, ends_at=None)
    Enrolment.objects.filter(learner=enrolled, course=course).update(cohort=cohort)
    outsider = UserFactory()
    enrolment_create(learner=outsider, course=course)
    mine, theirs = submit(enrolled, course, late_exercise), submit(outsider, course, late_exercise)
    assert mine.late_penalty_percent == theirs.late_penalty_percent == 30

    committed(cohort_due_dates_set, cohort=cohort, due={late_exercise.pk: timezone.now() + DAY})

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.late_penalty_percent, mine.due_source) == (0, DueSource.SCHEDULE)
    assert theirs.late_penalty_percent == 30
    assert stored_score(enrolled, course, late_exercise).points == Decimal(5)


def test_a_new_policy_applies_to_work_already_handed_in(
    course, enrolled, late_exercise, fake_engine, submit, committed
):
    submission = submit(enrolled, course, late_exercise)
    committed(
        exercise_attempt_policy_set,
        exercise=late_exercise,
        max_attempts=None,
        cooldown_seconds=0,
        score_policy=ScorePolicy.BEST,
        due_at=late_exercise.due_at,
        late_policy=LatePolicy.PENALTY,
        late_penalty_per_day=5,
        late_penalty_cap=100,
    )
    submission.refresh_from_db()
    assert submission.late_penalty_percent == 15
    assert stored_score(enrolled, course, late_exercise).points == Decimal("4.25")


def test_the_late_policy_is_set_in_the_exercise_admin_and_rejudges(
    client, instructor, course, enrolled, late_exercise, submit
):
    submission = submit(enrolled, course, late_exercise)
    client.force_login(instructor)
    url = reverse("exercises:edit", args=[late_exercise.pk])
    page = client.get(url).content.decode()
    assert 'name="late_policy"' in page and 'name="late_penalty_cap"' in page
    response = client.post(
        url,
        {
            "title": late_exercise.title,
            "slug": late_exercise.slug,
            "instructions": "",
            "due_at": timezone.localtime(late_exercise.due_at).strftime("%Y-%m-%d %H:%M"),
            "late_policy": "penalty",
            "late_penalty_per_day": "5",
            "late_penalty_cap": "10",
        },
        follow=True,
    )
    assert response.status_code == 200
    submission.refresh_from_db()
    assert submission.late_penalty_percent == 10
    assert "changed the late penalty of 1 submission" in response.content.decode()
    response = client.post(
        url,
        {
            "title": late_exercise.title,
            "slug": late_exercise.slug,
            "instructions": "",
            "late_policy": "penalty",
            "late_penalty_per_day": "101",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    late_exercise.refresh_from_db()
    assert late_exercise.late_penalty_per_day == 5
