"""Due-date reminders: tell each enrolled learner who has not submitted an exercise that it is
due within the next 48 hours.

A learner's due date is their cohort's for the exercise where the cohort sets one, else the
exercise's own `due_at`. Each learner is told once per course, exercise and due date (the
dedupe key names all three), so running the scan again tells nobody twice, and moving a due date
later reminds again before the new one. Lives above courses: it reads enrolments, cohorts and
submissions. Run by `manage.py notify_due_soon`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from courses.models import CohortDueDate, CourseExercise, CoursePage, Enrolment, EnrolmentStatus
from exercises.models import Exercise
from grading.models import Submission, SubmissionKind
from notifications.models import NotificationKind
from notifications.services import notify_many

DUE_SOON_WINDOW = timedelta(hours=48)


def due_soon_notify(*, now: datetime | None = None, window: timedelta = DUE_SOON_WINDOW) -> int:
    """Remind everyone due a reminder now; returns how many learners were told in this run."""
    now = now or timezone.now()
    horizon = now + window
    told = 0
    # The exercise's own due date, for learners whose cohort does not set one.
    uses = (
        CourseExercise.objects.filter(
            exercise__due_at__gt=now, exercise__due_at__lte=horizon, course__live=True
        )
        .select_related("exercise", "course")
        .order_by("pk")
    )
    for use in uses:
        enrolments = Enrolment.objects.filter(
            course_id=use.course_id, status=EnrolmentStatus.ACTIVE
        ).exclude(cohort__due_dates__exercise_id=use.exercise_id)
        due_at = use.exercise.due_at
        if due_at is None:  # filtered out above; keeps the type checker sure
            continue
        told += _remind(
            course=use.course,
            exercise=use.exercise,
            title=use.title,
            due_at=due_at,
            enrolments=enrolments,
        )
    # Cohorts' own due dates.
    cohort_dates = (
        CohortDueDate.objects.filter(due_at__gt=now, due_at__lte=horizon, cohort__course__live=True)
        .select_related("cohort__course", "exercise")
        .order_by("pk")
    )
    for date in cohort_dates:
        course = date.cohort.course
        counted = CourseExercise.objects.filter(course=course, exercise_id=date.exercise_id).first()
        if counted is None:
            continue  # the course does not count this exercise
        enrolments = Enrolment.objects.filter(
            course_id=course.pk, status=EnrolmentStatus.ACTIVE, cohort_id=date.cohort_id
        )
        told += _remind(
            course=course,
            exercise=date.exercise,
            title=counted.title,
            due_at=date.due_at,
            enrolments=enrolments,
        )
    return told


def _remind(
    *,
    course: CoursePage,
    exercise: Exercise,
    title: str,
    due_at: datetime,
    enrolments: QuerySet[Enrolment],
) -> int:
    submitted = Submission.objects.filter(
        learner_id=OuterRef("pk"), exercise_id=exercise.pk, kind=SubmissionKind.SUBMIT
    )
    learners = (
        get_user_model()
        .objects.filter(pk__in=enrolments.values("learner_id"), is_active=True)
        .exclude(Exists(submitted))
    )
    name = title or exercise.title

    # Functions, so each learner reads the text and the date in their own language.
    def due_text() -> str:
        return date_format(timezone.localtime(due_at), "DATETIME_FORMAT") + timezone.localtime(
            due_at
        ).strftime(" %Z")

    return notify_many(
        recipients=learners,
        kind=NotificationKind.DUE_SOON,
        title=lambda: _("%(exercise)s is due %(when)s") % {"exercise": name, "when": due_text()},
        body=lambda: (
            _(
                "%(exercise)s in %(course)s is due on %(when)s, and we have no submission from you yet. "
                "Submit before then so it counts."
            )
            % {"exercise": name, "course": course.title, "when": due_text()}
        ),
        url=f"/courses/{course.pk}/exercises/{exercise.pk}/",
        dedupe_key=f"due_soon:{course.pk}:{exercise.pk}:{due_at.astimezone(UTC).isoformat()}",
        context={"course_title": course.title, "due_at": due_at.isoformat()},
    )
