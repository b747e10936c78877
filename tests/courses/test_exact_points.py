"""Exact points in course progress: what grading computed decides completion and certificates,
stored so that full marks equal the maximum, shown rounded to people."""

from decimal import Decimal
from fractions import Fraction

import pytest
from django.urls import reverse

from certificates.selectors import course_completed_learner_ids
from courses.models import CourseExercise, CourseExerciseScore, CourseProgress
from courses.services import enrolment_create, lesson_complete
from grading.engine.report import GradeReport, ReportStatus, TestResult, TestStatus
from grading.models import Submission
from grading.services import submission_create
from tests.factories import UserFactory, lessons_of
from tests.grading.submissions_support import CORRECT, make_exercise

pytestmark = pytest.mark.django_db

THIRD = Fraction(1, 3)


class ThirdsEngine:
    """Stands in for grade_submission: a question worth 1 in three tests, `passed` of them passing."""

    def __init__(self) -> None:
        self.passed = 3

    def __call__(self, source, submission, *, kernels, limits, seed, mode, in_kernel=frozenset()):
        tests = [
            TestResult(
                f"third_{n}",
                THIRD if n < self.passed else Fraction(0),
                THIRD,
                TestStatus.PASSED if n < self.passed else TestStatus.FAILED,
                cell=n + 3,
            )
            for n in range(3)
        ]
        return GradeReport(
            score=sum((t.points for t in tests), Fraction(0)),
            max_score=Fraction(1),
            status=ReportStatus.GRADED,
            tests=tests,
            seed=seed,
            mode=mode,
        )


@pytest.fixture
def engine(monkeypatch):
    engine = ThirdsEngine()
    monkeypatch.setattr("grading.services.grade_run.grade_submission", engine)
    monkeypatch.setattr("grading.services.grade_run.kernel_provider", lambda: None)
    return engine


@pytest.fixture
def capstone(course):
    """An exercise the course counts, worth 1, that learners must pass with `pass_percent`."""
    course.pass_exercise_percent = 100
    course.save_revision().publish()
    exercise = make_exercise(slug="reach", title="Reach")
    CourseExercise.objects.create(
        course=course, exercise=exercise, title="Reach", max_points=1, pass_percent=100
    )
    return exercise


def _learner_submits(course, exercise, capture):
    learner = UserFactory()
    enrolment_create(learner=learner, course=course)
    for lesson in lessons_of(course):
        lesson_complete(learner=learner, lesson=lesson)
    with capture(execute=True):
        submission_create(
            learner=learner, exercise=exercise, course_page=course, answers=CORRECT, kind="submit"
        )
    return learner


def test_full_marks_in_thirds_complete_a_course_that_needs_every_point(
    course, capstone, engine, django_capture_on_commit_callbacks
):
    learner = _learner_submits(course, capstone, django_capture_on_commit_callbacks)

    submission = Submission.objects.get(learner=learner)
    assert (submission.score, submission.max_score) == (Decimal(1), Decimal(1))
    assert [t["points"] for t in submission.report["tests"]] == ["1/3", "1/3", "1/3"]
    score = CourseExerciseScore.objects.get(enrolment__learner=learner)
    assert score.points == score.max_points == Decimal(1)
    progress = CourseProgress.objects.get(enrolment__learner=learner)
    assert (progress.exercise_points, progress.exercise_max_points) == (Decimal(1), Decimal(1))
    assert progress.is_complete
    assert course_completed_learner_ids(course=course) == [learner.pk]


def test_two_thirds_is_short_of_the_67_percent_an_exercise_needs(
    course, capstone, engine, django_capture_on_commit_callbacks
):
    CourseExercise.objects.filter(exercise=capstone).update(pass_percent=67)
    engine.passed = 2
    learner = _learner_submits(course, capstone, django_capture_on_commit_callbacks)

    submission = Submission.objects.get(learner=learner)
    assert (submission.score, submission.max_score) == (Decimal("0.666667"), Decimal(1))
    # 66.67%, not the 67% that two decimals (0.67) would have made of it.
    progress = CourseProgress.objects.get(enrolment__learner=learner)
    assert progress.exercise_points == Decimal("0.666667")
    assert not progress.is_complete
    assert course_completed_learner_ids(course=course) == []


def test_scores_show_rounded_to_the_learner_and_in_the_gradebook(
    client, course, capstone, engine, instructor, django_capture_on_commit_callbacks
):
    engine.passed = 1
    learner = _learner_submits(course, capstone, django_capture_on_commit_callbacks)

    client.force_login(learner)
    page = client.get(reverse("exercise_page", args=[course.pk, capstone.pk])).content.decode()
    assert "Your score: 0.33 / 1" in page
    submission = Submission.objects.get(learner=learner)
    result = client.get(reverse("submission_detail", args=[submission.pk])).content.decode()
    assert "0.33 / 1 points" in result and "0.33 / 0.33" in result and "0 / 0.33" in result

    client.force_login(instructor)
    gradebook = client.get(reverse("gradebook:course", args=[course.pk])).content.decode()
    assert "0.33 / 1" in gradebook
