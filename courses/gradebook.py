"""Reads behind the instructor gradebook and its CSV export (the analytics: courses.analytics).

Every selector here runs a fixed number of queries, whatever the number of learners, exercises
or lessons. Scores come from CourseExerciseScore, which the grading integration keeps equal to
the counted score (best or last attempt per the exercise's policy, an override winning).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import (
    Cohort,
    CourseExercise,
    CourseExerciseScore,
    CoursePage,
    Enrolment,
    EnrolmentStatus,
    LessonCompletion,
    LessonPage,
    originals,
)

GRADEBOOK_PAGE_SIZE = 50
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


class LearnerState:
    """Where a learner stands in a course, as the gradebook filters on it."""

    COMPLETED = "completed"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"

    choices = [
        (COMPLETED, _("Completed")),
        (IN_PROGRESS, _("In progress")),
        (NOT_STARTED, _("Not started")),
    ]


# Courses an instructor may read ---------------------------------------------------------------


def instructor_courses(*, user) -> QuerySet[CoursePage]:
    """Courses whose gradebook the user may read: those whose page they can edit; all for
    superusers. The same rule as grading.selectors.submissions_visible_to."""
    courses = originals(CoursePage.objects.all())
    if not user.is_authenticated or not user.is_active:
        return courses.none()
    if not user.is_superuser:
        pages = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
        courses = courses.filter(pk__in=pages.values("pk"))
    return courses.order_by("title", "pk")


def instructor_course(*, user, course_id: int) -> CoursePage | None:
    """The course, or None when it does not exist or the user may not read it (views answer 404)."""
    return instructor_courses(user=user).filter(pk=course_id).first()


@dataclass(frozen=True)
class CourseSummary:
    course: CoursePage
    active: int
    unenrolled: int
    completed: int


def instructor_course_summaries(*, user) -> list[CourseSummary]:
    """The courses the user reads the gradebook of, with counts of the learners they reach: all
    of a course they teach, their cohorts' alone of one where they teach cohorts only."""
    whole = instructor_courses(user=user)
    if not user.is_authenticated or not user.is_active:
        return []
    taught_cohorts = Cohort.objects.filter(instructors=user)
    courses = CoursePage.objects.filter(
        Q(pk__in=whole.values("pk")) | Q(pk__in=taught_cohorts.values("course_id"))
    ).order_by("title", "pk")
    reached = Q(pk__in=whole.values("pk")) | Q(
        enrolments__cohort_id__in=taught_cohorts.values("pk")
    )

    def count(condition: Q) -> Count:
        return Count("enrolments", filter=condition & reached, distinct=True)

    courses = courses.annotate(
        active_count=count(Q(enrolments__status=EnrolmentStatus.ACTIVE)),
        unenrolled_count=count(Q(enrolments__status=EnrolmentStatus.UNENROLLED)),
        completed_count=count(Q(enrolments__progress__completed_at__isnull=False)),
    )
    return [
        CourseSummary(
            course=course,
            active=course.active_count,
            unenrolled=course.unenrolled_count,
            completed=course.completed_count,
        )
        for course in courses
    ]


# The gradebook ------------------------------------------------------------------------------


def _percent(points: Decimal, max_points: Decimal) -> Decimal | None:
    if not max_points:
        return None
    return (points * HUNDRED / max_points).quantize(TENTH, rounding=ROUND_HALF_UP)


class _Shown:
    """What the gradebook shows for numbers and labels, each distinct one worked out once.

    A page repeats the same few scores and labels hundreds of times; the template filter or the
    translation behind each is asked once per value, so the text is exactly what `floatformat`
    gives in the reader's language, without paying for it in every cell.
    """

    def __init__(self) -> None:
        self._numbers: dict[tuple[Decimal, str], str] = {}
        self._days: dict[date, str] = {}
        self.states = {value: str(label) for value, label in LearnerState.choices}
        self.statuses = {value: str(label) for value, label in EnrolmentStatus.choices}

    def number(self, value: Decimal, places: str) -> str:
        # Equal Decimals (4.5, 4.50) print alike under floatformat, so they may share a key.
        key = (value, places)
        text = self._numbers.get(key)
        if text is None:
            text = self._numbers[key] = floatformat(value, places)
        return text

    def moment(self, value: datetime) -> tuple[str, str]:
        """(ISO 8601, "j M Y") of a moment in the reader's time zone, as the `date` filter
        gives them with "c" and "j M Y"."""
        local = timezone.localtime(value)
        text = self._days.get(local.date())
        if text is None:
            text = self._days[local.date()] = date_format(local, "j M Y")
        return local.isoformat(), text


@dataclass(frozen=True)
class GradebookCell:
    exercise: CourseExercise
    points: Decimal | None
    max_points: Decimal | None
    percent: Decimal | None
    # As shown: "4.50 / 6" and "75" (floatformat -2 and -1); empty without a score.
    score_text: str = ""
    percent_text: str = ""
    # The counted attempt's late penalty (grading.late): the percent taken off and the score
    # before it ("6 / 6"); 0 and "" when none applied.
    late_penalty_percent: int = 0
    raw_points: Decimal | None = None
    raw_text: str = ""

    @property
    def has_score(self) -> bool:
        return self.points is not None


@dataclass(frozen=True)
class GradebookRow:
    enrolment: Enrolment
    name: str
    email: str
    cells: list[GradebookCell]
    cohort_name: str
    percent: int
    lessons_done: int
    lessons_total: int
    completed_at: datetime | None
    started: bool
    status_label: str
    state_label: str
    # As shown: <time datetime="{completed_iso}">{completed_text}</time>; empty if not completed.
    completed_iso: str = ""
    completed_text: str = ""

    @property
    def state(self) -> str:
        return _learner_state(completed_at=self.completed_at, started=self.started)


def _learner_state(*, completed_at: datetime | None, started: bool) -> str:
    if completed_at is not None:
        return LearnerState.COMPLETED
    return LearnerState.IN_PROGRESS if started else LearnerState.NOT_STARTED


def course_exercises(*, course: CoursePage) -> list[CourseExercise]:
    """The exercises the course counts, in order, each with its Exercise (the cells show its slug)."""
    return list(
        CourseExercise.objects.filter(course=course)
        .select_related("exercise")
        .order_by("sort_order", "pk")
    )


def course_lesson_ids(*, course: CoursePage) -> list[int]:
    """The course's live lessons, which lessons done are counted against."""
    return list(LessonPage.objects.live().descendant_of(course).values_list("pk", flat=True))


def _started():
    """Viewing a lesson, answering a check or scoring on an exercise: anything the learner did
    in the course after enrolling (an expression over Enrolment)."""
    has_score = CourseExerciseScore.objects.filter(enrolment_id=OuterRef("pk"))
    return Q(last_activity_at__isnull=False) | Q(progress__lessons_done__gt=0) | Exists(has_score)


def _completions(lesson_ids: list[int]) -> Coalesce:
    """How many of these lessons the enrolment's learner completed (an expression over Enrolment)."""
    done = (
        LessonCompletion.objects.filter(learner_id=OuterRef("learner_id"), lesson_id__in=lesson_ids)
        .order_by()
        .values("learner_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(done, output_field=IntegerField()), 0)


GRADEBOOK_ORDER = ("sort_name", "pk")


def _filtered(
    enrolments: QuerySet[Enrolment],
    *,
    search: str,
    state: str,
    enrolment_status: str,
    cohort_ids: Collection[int] | None = None,
) -> QuerySet[Enrolment]:
    """The gradebook's filters; each joins only what it reads. `cohort_ids` None: every
    cohort (and none); else only those cohorts' learners."""
    if cohort_ids is not None:
        enrolments = enrolments.filter(cohort_id__in=list(cohort_ids))
    search = search.strip()
    if search:
        enrolments = enrolments.filter(
            Q(learner__email__icontains=search)
            | Q(learner__certificate_name__icontains=search)
            | Q(learner__first_name__icontains=search)
            | Q(learner__last_name__icontains=search)
            | Q(learner__username__icontains=search)
        )
    if state in (LearnerState.IN_PROGRESS, LearnerState.NOT_STARTED):
        if "started" not in enrolments.query.annotations:
            enrolments = enrolments.alias(started=_started())
        enrolments = enrolments.filter(
            progress__completed_at__isnull=True,
            started=state == LearnerState.IN_PROGRESS,  # type: ignore[misc]  # the alias above
        )
    elif state == LearnerState.COMPLETED:
        enrolments = enrolments.filter(progress__completed_at__isnull=False)
    if enrolment_status in EnrolmentStatus.values:
        enrolments = enrolments.filter(status=enrolment_status)
    return enrolments


def _with_row_fields(enrolments: QuerySet[Enrolment], lesson_ids: list[int]) -> QuerySet[Enrolment]:
    """What a gradebook row reads besides the enrolment: learner, progress, lessons done now,
    whether they started, and their counted scores."""
    return (
        enrolments.select_related("learner", "progress", "cohort")
        .annotate(lessons_done_now=_completions(lesson_ids), started=_started())
        .prefetch_related(
            Prefetch("exercise_scores", queryset=CourseExerciseScore.objects.order_by())
        )
    )


def gradebook_enrolments(
    *,
    course: CoursePage,
    lesson_ids: list[int],
    search: str = "",
    state: str = "",
    enrolment_status: str = "",
    cohort_ids: Collection[int] | None = None,
) -> QuerySet[Enrolment]:
    """The course's enrolments as gradebook rows need them, filtered and ordered by name (all of
    them, for the CSV export; pages come from GradebookEnrolments).

    Lessons done are counted against `lesson_ids` (course_lesson_ids: the live lessons now), so
    a lesson added since the learner's progress was last recomputed shows as not done rather
    than being missed. The order is the stored sort name (courses.learner_names), which an index
    keeps per course, so the rows stream out in order without a sort.
    """
    enrolments = _with_row_fields(Enrolment.objects.filter(course=course), lesson_ids)
    filtered = _filtered(
        enrolments,
        search=search,
        state=state,
        enrolment_status=enrolment_status,
        cohort_ids=cohort_ids,
    )
    return filtered.order_by(*GRADEBOOK_ORDER)


class GradebookEnrolments:
    """The course's enrolments that pass the filters, in gradebook order, as a Paginator wants
    them (count, and a slice per page).

    Counting and choosing a page's enrolments read the (course, sort name) index and only what
    the filters need; the joins and subqueries of a row then run for that page's fifty alone,
    however deep into a big course the page is.
    """

    def __init__(
        self,
        *,
        course: CoursePage,
        lesson_ids: list[int],
        search: str = "",
        state: str = "",
        enrolment_status: str = "",
        cohort_ids: Collection[int] | None = None,
    ) -> None:
        self._matching = _filtered(
            Enrolment.objects.filter(course=course),
            search=search,
            state=state,
            enrolment_status=enrolment_status,
            cohort_ids=cohort_ids,
        )
        self._lesson_ids = lesson_ids

    def count(self) -> int:
        return self._matching.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, page: slice) -> QuerySet[Enrolment]:
        chosen = self._matching.order_by(*GRADEBOOK_ORDER).values("pk")[page]
        # The chosen ids alone bound the rows: with the course as a condition too, the database
        # could walk the course's whole index to find them.
        rows = _with_row_fields(Enrolment.objects.filter(pk__in=chosen), self._lesson_ids)
        return rows.order_by(*GRADEBOOK_ORDER)


def gradebook_rows(
    *, enrolments: Iterable[Enrolment], exercises: list[CourseExercise], lessons_total: int
) -> Iterator[GradebookRow]:
    """One row per enrolment from gradebook_enrolments, one cell per course exercise in order,
    with the text each shows."""
    shown = _Shown()
    for enrolment in enrolments:
        scores = {score.exercise_id: score for score in enrolment.exercise_scores.all()}
        progress = getattr(enrolment, "progress", None)
        cells = []
        for exercise in exercises:
            score = scores.get(exercise.exercise_id)
            if score is None:
                cells.append(
                    GradebookCell(exercise=exercise, points=None, max_points=None, percent=None)
                )
                continue
            percent = _percent(score.points, score.max_points)
            cells.append(
                GradebookCell(
                    exercise=exercise,
                    points=score.points,
                    max_points=score.max_points,
                    percent=percent,
                    score_text=(
                        f"{shown.number(score.points, '-2')} / {shown.number(score.max_points, '-2')}"
                    ),
                    percent_text="" if percent is None else shown.number(percent, "-1"),
                    late_penalty_percent=score.late_penalty_percent,
                    raw_points=score.raw_points,
                    raw_text=(
                        f"{shown.number(score.raw_points, '-2')} / "
                        f"{shown.number(score.max_points, '-2')}"
                        if score.raw_points is not None
                        else ""
                    ),
                )
            )
        learner = enrolment.learner
        completed_at = progress.completed_at if progress else None
        completed_iso, completed_text = shown.moment(completed_at) if completed_at else ("", "")
        yield GradebookRow(
            enrolment=enrolment,
            name=learner.display_name,
            email=learner.email,
            cells=cells,
            cohort_name=enrolment.cohort.name if enrolment.cohort_id else "",  # type: ignore[union-attr]
            percent=progress.percent if progress else 0,
            lessons_done=enrolment.lessons_done_now,  # type: ignore[attr-defined]  # annotated by the query
            lessons_total=lessons_total,
            completed_at=completed_at,
            started=enrolment.started,  # type: ignore[attr-defined]  # annotated by the query
            status_label=shown.statuses.get(enrolment.status, enrolment.status),
            state_label=shown.states[
                _learner_state(completed_at=completed_at, started=enrolment.started)  # type: ignore[attr-defined]
            ],
            completed_iso=completed_iso,
            completed_text=completed_text,
        )
