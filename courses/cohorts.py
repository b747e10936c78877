"""Cohorts: who on the staff may see and change which of a course's cohorts (StaffScope), the
writes to cohorts and their due dates, and the due date that holds for a learner.

Scope: a course's own instructors (those who can edit its page, and superusers) reach all its
cohorts and the learners in none; an instructor named only on cohorts reaches those cohorts'
learners and nothing else of the course. Everyone else reaches nothing: views answer 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from accounts.models import INSTRUCTORS_GROUP
from exercises.models import Exercise
from grading.late import exercise_schedule, late_rejudge
from grading.models import DueSource, Submission

from .gradebook import instructor_course, instructor_courses
from .models import Cohort, CohortDueDate, CourseExercise, CoursePage, Enrolment, originals


@dataclass(frozen=True)
class StaffScope:
    """What one member of staff reaches of one course: every cohort (cohort_ids None) or some."""

    course: CoursePage
    cohort_ids: frozenset[int] | None

    @property
    def whole_course(self) -> bool:
        return self.cohort_ids is None

    def cohorts(self) -> QuerySet[Cohort]:
        cohorts = Cohort.objects.filter(course=self.course)
        if self.cohort_ids is not None:
            cohorts = cohorts.filter(pk__in=self.cohort_ids)
        return cohorts.order_by("name", "pk")

    def enrolments(self, enrolments: QuerySet[Enrolment] | None = None) -> QuerySet[Enrolment]:
        enrolments = Enrolment.objects.all() if enrolments is None else enrolments
        enrolments = enrolments.filter(course=self.course)
        if self.cohort_ids is not None:
            enrolments = enrolments.filter(cohort_id__in=self.cohort_ids)
        return enrolments

    def reaches_cohort(self, cohort: Cohort | None) -> bool:
        """Whether they may put a learner into (or take one out of) this cohort; None: no cohort."""
        if cohort is not None and cohort.course_id != self.course.pk:
            return False
        if self.cohort_ids is None:
            return True
        return cohort is not None and cohort.pk in self.cohort_ids

    def cohort_filter(self, cohort_id: int | None) -> list[int] | None:
        """The cohort ids a gradebook or list shows when `cohort_id` is picked (None: all that
        they reach); a cohort outside the scope shows nothing rather than everything."""
        if cohort_id is None:
            return None if self.cohort_ids is None else sorted(self.cohort_ids)
        if self.cohort_ids is not None and cohort_id not in self.cohort_ids:
            return []
        return [cohort_id]


def staff_courses(*, user) -> QuerySet[CoursePage]:
    """The courses the user teaches, whole or through a cohort, by title."""
    if not user.is_authenticated or not user.is_active:
        return CoursePage.objects.none()
    return (
        originals(CoursePage.objects.all())
        .filter(Q(pk__in=instructor_courses(user=user).values("pk")) | Q(cohorts__instructors=user))
        .distinct()
        .order_by("title", "pk")
    )


def staff_scope(*, user, course_id: int) -> StaffScope | None:
    """The user's scope in the course, or None when they teach none of it (views answer 404)."""
    course = instructor_course(user=user, course_id=course_id)
    if course is not None:
        return StaffScope(course=course, cohort_ids=None)
    if not user.is_authenticated or not user.is_active:
        return None
    mine = frozenset(
        Cohort.objects.filter(course_id=course_id, instructors=user).values_list("pk", flat=True)
    )
    if not mine:
        return None
    return StaffScope(course=CoursePage.objects.get(pk=course_id), cohort_ids=mine)


# Writes ---------------------------------------------------------------------------------------


@transaction.atomic
def cohort_save(
    *,
    course: CoursePage,
    name: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    instructors: Iterable[Any] | None = None,
    cohort: Cohort | None = None,
) -> Cohort:
    """Create (cohort None) or change a cohort of the course. Its instructors join the
    Instructors group, which lets them into the admin; what they reach there is their cohorts.
    `instructors` None leaves them as they are."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the cohort a name.")})
    if starts_at and ends_at and ends_at < starts_at:
        raise ValidationError({"ends_at": _("A cohort cannot end before it starts.")})
    taken = Cohort.objects.filter(course=course, name__iexact=name)
    if cohort is not None:
        taken = taken.exclude(pk=cohort.pk)
    if taken.exists():
        raise ValidationError({"name": _("This course already has a cohort with that name.")})
    if cohort is None:
        cohort = Cohort.objects.create(
            course=course, name=name, starts_at=starts_at, ends_at=ends_at
        )
    else:
        cohort.name, cohort.starts_at, cohort.ends_at = name, starts_at, ends_at
        cohort.save(update_fields=["name", "starts_at", "ends_at"])
    if instructors is not None:
        people = list(instructors)
        cohort.instructors.set(people)
        if people:
            group = Group.objects.get(name=INSTRUCTORS_GROUP)
            group.user_set.add(*people)
    return cohort


@transaction.atomic
def cohort_due_dates_set(*, cohort: Cohort, due: dict[int, datetime | None]) -> None:
    """Set the cohort's due date per exercise id (None: fall back to the exercise's own). Only
    exercises the course counts may be given."""
    counted = set(
        CourseExercise.objects.filter(course_id=cohort.course_id).values_list(
            "exercise_id", flat=True
        )
    )
    if not set(due) <= counted:
        raise ValidationError(_("That exercise is not one of the course's exercises."))
    cleared = [exercise_id for exercise_id, when in due.items() if when is None]
    CohortDueDate.objects.filter(cohort=cohort, exercise_id__in=cleared).delete()
    chosen = {exercise_id: when for exercise_id, when in due.items() if when is not None}
    if chosen:
        CohortDueDate.objects.bulk_create(
            [
                CohortDueDate(cohort=cohort, exercise_id=exercise_id, due_at=when)
                for exercise_id, when in chosen.items()
            ],
            update_conflicts=True,
            unique_fields=["cohort", "exercise"],
            update_fields=["due_at"],
        )
    cohort_late_rejudge(cohort=cohort, exercise_ids=list(due))


def cohort_late_rejudge(*, cohort: Cohort, exercise_ids: list[int]) -> int:
    """Judge the cohort's learners' submissions of these exercises again by the cohort's dates
    as they are now (grading.late): moving a date later lifts a late penalty, earlier adds one."""
    if not exercise_ids:
        return 0
    dates = cohort_due_dates(cohort=cohort)

    def schedule_for(submission: Submission) -> tuple[datetime | None, str]:
        if submission.exercise_id in dates:
            return dates[submission.exercise_id], DueSource.SCHEDULE
        return exercise_schedule(submission)

    learners = Enrolment.objects.filter(cohort=cohort).values("learner_id")
    return late_rejudge(
        Submission.objects.filter(
            course_page_id=cohort.course_id,
            exercise_id__in=exercise_ids,
            learner_id__in=learners,
        ),
        schedule_for=schedule_for,
    )


# Reads ----------------------------------------------------------------------------------------


def cohort_due_dates(*, cohort: Cohort) -> dict[int, datetime]:
    return dict(CohortDueDate.objects.filter(cohort=cohort).values_list("exercise_id", "due_at"))


@dataclass(frozen=True)
class LearnerDueDates:
    """A learner's due dates in one course: their cohort's, falling back to each exercise's."""

    cohort_name: str
    by_exercise: dict[int, datetime]

    def due_at(self, exercise: Exercise) -> datetime | None:
        return self.by_exercise.get(exercise.pk, exercise.due_at)

    def is_cohort_date(self, exercise: Exercise) -> bool:
        return exercise.pk in self.by_exercise

    def source(self, exercise: Exercise) -> str:
        """Where `due_at` comes from, as grading records it (grading.models.DueSource)."""
        if self.is_cohort_date(exercise):
            return DueSource.SCHEDULE
        return DueSource.EXERCISE if exercise.due_at is not None else DueSource.NONE


NO_COHORT_DATES = LearnerDueDates(cohort_name="", by_exercise={})


@dataclass(frozen=True)
class ScheduleLine:
    title: str
    due_at: datetime | None
    # The cohort's own date (else the exercise's, or none).
    cohort_date: bool


@dataclass(frozen=True)
class CohortSchedule:
    cohort: Cohort
    lines: list[ScheduleLine]


def cohort_schedule(*, enrolment: Enrolment) -> CohortSchedule | None:
    """The learner's cohort, its dates and the due date of each of the course's exercises
    (the cohort's, falling back to the exercise's), for the course page; None without a
    cohort (and no query)."""
    if enrolment.cohort_id is None:
        return None
    cohort = Cohort.objects.get(pk=enrolment.cohort_id)
    own = CohortDueDate.objects.filter(cohort_id=cohort.pk, exercise_id=OuterRef("exercise_id"))
    lines = [
        ScheduleLine(
            title=row.title or row.exercise.title,
            due_at=row.cohort_due or row.exercise.due_at,
            cohort_date=row.cohort_due is not None,
        )
        for row in CourseExercise.objects.filter(course_id=enrolment.course_id)
        .select_related("exercise")
        .annotate(cohort_due=Subquery(own.values("due_at")[:1]))
        .order_by("sort_order", "pk")
    ]
    return CohortSchedule(cohort=cohort, lines=lines)


_REQUEST_CACHE = "_pma_learner_due_dates"


def learner_due_dates(
    *, learner, course_id: int | None, request=None, enrolment: Enrolment | None = None
) -> LearnerDueDates:
    """The learner's cohort due dates in the course, in one query (once per request when the
    request is given: a lesson with several exercises asks once). A caller holding the learner's
    enrolment passes it: without a cohort there is nothing to ask."""
    if course_id is None or not getattr(learner, "is_authenticated", False):
        return NO_COHORT_DATES
    if enrolment is not None and enrolment.course_id == course_id and enrolment.cohort_id is None:
        return NO_COHORT_DATES
    cache: dict[int, LearnerDueDates] | None = None
    if request is not None:
        cache = getattr(request, _REQUEST_CACHE, None)
        if cache is None:
            cache = {}
            setattr(request, _REQUEST_CACHE, cache)
        if course_id in cache:
            return cache[course_id]
    # The learner's enrolment with its cohort's name and due dates; no cohort: one row of Nones.
    rows = list(
        Enrolment.objects.filter(learner=learner, course_id=course_id).values_list(
            "cohort__name", "cohort__due_dates__exercise_id", "cohort__due_dates__due_at"
        )
    )
    dates = LearnerDueDates(
        cohort_name=(rows[0][0] or "") if rows else "",
        by_exercise={ex: when for _name, ex, when in rows if ex is not None},
    )
    if cache is not None:
        cache[course_id] = dates
    return dates
