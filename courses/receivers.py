"""Courses listening to grading (DESIGN.md: events travel up through documented signals).

Connected by importing this module from CoursesConfig.ready().
"""

from decimal import ROUND_HALF_UP, Decimal

from django.dispatch import receiver

from grading.models import Submission, SubmissionKind
from grading.selectors import learner_exercise_score
from grading.signals import submission_graded

from .models import CoursePage, Enrolment
from .services import exercise_score_record

CENT = Decimal("0.01")


def _points(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


@receiver(submission_graded, sender=Submission, dispatch_uid="courses.record_exercise_score")
def record_exercise_score(sender, submission: Submission, **kwargs) -> None:
    """Store the learner's counted score (best or last, overrides winning) for course progress."""
    if submission.kind != SubmissionKind.SUBMIT or submission.course_page_id is None:
        return
    course = CoursePage.objects.filter(pk=submission.course_page_id).first()
    if (
        course is None
        or not Enrolment.objects.filter(learner_id=submission.learner_id, course=course).exists()
    ):
        return
    counted = learner_exercise_score(
        learner=submission.learner, exercise=submission.exercise, course_page_id=course.pk
    )
    if counted is None or counted.max_score <= 0:
        return
    exercise_score_record(
        learner=submission.learner,
        course=course,
        exercise_key=submission.exercise.slug,
        points=min(_points(counted.score), _points(counted.max_score)),
        max_points=_points(counted.max_score),
    )
