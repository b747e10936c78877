"""Courses listening to grading (DESIGN.md: events travel up through documented signals), and
to Wagtail publishing lessons.

Connected by importing this module from CoursesConfig.ready().
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.dispatch import receiver
from wagtail.models import ReferenceIndex
from wagtail.signals import page_published

from grading.models import Submission, SubmissionKind
from grading.selectors import learner_exercise_score
from grading.signals import submission_graded

from .models import CoursePage, Enrolment, LessonPage
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
        exercise=submission.exercise,
        points=min(_points(counted.score), _points(counted.max_score)),
        max_points=_points(counted.max_score),
    )


@receiver(page_published, sender=LessonPage, dispatch_uid="courses.index_lesson_references")
def index_lesson_references(sender, instance: LessonPage, **kwargs) -> None:
    """Record the exercises a lesson embeds in Wagtail's reference index as it goes live.

    exercise_views.course_uses_exercise reads the index to let learners reach an embedded
    exercise. Wagtail updates it in a task after each save, which a task worker may run later
    (or not at all while it is down); done here, it is part of publishing the lesson.
    """
    if ReferenceIndex.is_indexed(LessonPage):
        with transaction.atomic():
            ReferenceIndex.create_or_update_for_object(instance)
