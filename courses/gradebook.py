"""Reads behind the instructor gradebook, its CSV export and the course analytics.

Every selector here runs a fixed number of queries, whatever the number of learners, exercises
or lessons. Scores come from CourseExerciseScore, which the grading integration keeps equal to
the counted score (best or last attempt per the exercise's policy, an override winning).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from wagtail.permission_policies.pages import PagePermissionPolicy

from grading.models import Submission, SubmissionKind

from .models import (
    CourseExercise,
    CourseExerciseScore,
    CoursePage,
    Enrolment,
    EnrolmentStatus,
    ExerciseTestTally,
    LessonCompletion,
    LessonPage,
)

GRADEBOOK_PAGE_SIZE = 50
HISTOGRAM_BUCKETS = 10
ACTIVITY_DAYS = 30
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
    courses = CoursePage.objects.all()
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
    courses = instructor_courses(user=user).annotate(
        active_count=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ACTIVE)),
        unenrolled_count=Count(
            "enrolments", filter=Q(enrolments__status=EnrolmentStatus.UNENROLLED)
        ),
        completed_count=Count(
            "enrolments", filter=Q(enrolments__progress__completed_at__isnull=False)
        ),
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

    @property
    def has_score(self) -> bool:
        return self.points is not None


@dataclass(frozen=True)
class GradebookRow:
    enrolment: Enrolment
    name: str
    email: str
    cells: list[GradebookCell]
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
    enrolments: QuerySet[Enrolment], *, search: str, state: str, enrolment_status: str
) -> QuerySet[Enrolment]:
    """The gradebook's filters; each joins only what it reads."""
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
            progress__completed_at__isnull=True, started=state == LearnerState.IN_PROGRESS  # type: ignore[misc]  # the alias above
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
        enrolments.select_related("learner", "progress")
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
) -> QuerySet[Enrolment]:
    """The course's enrolments as gradebook rows need them, filtered and ordered by name (all of
    them, for the CSV export; pages come from GradebookEnrolments).

    Lessons done are counted against `lesson_ids` (course_lesson_ids: the live lessons now), so
    a lesson added since the learner's progress was last recomputed shows as not done rather
    than being missed. The order is the stored sort name (courses.learner_names), which an index
    keeps per course, so the rows stream out in order without a sort.
    """
    enrolments = _with_row_fields(Enrolment.objects.filter(course=course), lesson_ids)
    filtered = _filtered(enrolments, search=search, state=state, enrolment_status=enrolment_status)
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
    ) -> None:
        self._matching = _filtered(
            Enrolment.objects.filter(course=course),
            search=search,
            state=state,
            enrolment_status=enrolment_status,
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


# Analytics ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    low: int
    high: int
    count: int

    @property
    def label(self) -> str:
        return f"{self.low}–{self.high}%"


@dataclass(frozen=True)
class ScoreDistribution:
    exercise: CourseExercise
    buckets: list[Bucket]
    scored: int
    unscored: int


def _bucket_index(points: Decimal, max_points: Decimal) -> int:
    # 10% wide buckets, lower bound included; a full score falls in the last one (90–100%).
    share = min(max(points / max_points, Decimal(0)), Decimal(1))
    return min(int(share * HISTOGRAM_BUCKETS), HISTOGRAM_BUCKETS - 1)


def score_distributions(
    *, course: CoursePage, exercises: list[CourseExercise], enrolled: int
) -> list[ScoreDistribution]:
    """For each course exercise, how many enrolled learners' counted scores fall in each 10%."""
    counts: dict[int, Counter] = defaultdict(Counter)
    # Scores repeat (points have two decimals, maxima are few), so the database sends one row
    # per distinct score rather than one per learner; bucketing stays exact Decimal arithmetic.
    # Undeclared exercises are left out here rather than in SQL: a condition on the exercise
    # leads SQLite to read that exercise's scores in every course instead of this course's.
    scores = (
        CourseExerciseScore.objects.filter(enrolment__course=course, max_points__gt=0)
        .order_by()
        .values("exercise_id", "points", "max_points")
        .annotate(n=Count("pk"))
        .values_list("exercise_id", "points", "max_points", "n")
    )
    declared = {exercise.exercise_id for exercise in exercises}
    for exercise_id, points, max_points, n in scores:
        if exercise_id in declared:
            counts[exercise_id][_bucket_index(points, max_points)] += n
    width = 100 // HISTOGRAM_BUCKETS
    distributions = []
    for exercise in exercises:
        tally = counts[exercise.exercise_id]
        scored = sum(tally.values())
        distributions.append(
            ScoreDistribution(
                exercise=exercise,
                buckets=[
                    Bucket(low=i * width, high=(i + 1) * width, count=tally[i])
                    for i in range(HISTOGRAM_BUCKETS)
                ],
                scored=scored,
                unscored=max(enrolled - scored, 0),
            )
        )
    return distributions


@dataclass(frozen=True)
class FailingTest:
    exercise_title: str
    grade_id: str
    runs: int
    failures: int
    learners_failing: int

    @property
    def rate(self) -> Decimal:
        return _percent(Decimal(self.failures), Decimal(self.runs)) or Decimal(0)


def failing_tests(*, course: CoursePage, exercises: list[CourseExercise]) -> list[FailingTest]:
    """Per graded test (grade_id) of the course's exercises: how often graded submissions fail it.

    Only graded submit-kind submissions count (checks are practice); "not_run" counts as a
    failure (see courses.analytics). Sums the stored per-learner tallies in one query, however
    many submissions the course has. Sorted worst first.
    """
    titles = {exercise.exercise_id: exercise.title for exercise in exercises}
    sums = (
        ExerciseTestTally.objects.filter(course=course, exercise_id__in=list(titles))
        .order_by()
        .values("exercise_id", "grade_id")
        .annotate(
            total_runs=Sum("runs"),
            total_failures=Sum("failures"),
            learners=Count("pk", filter=Q(failures__gt=0)),
        )
        .values_list("exercise_id", "grade_id", "total_runs", "total_failures", "learners")
    )
    rows = [
        FailingTest(
            exercise_title=titles[exercise_id],
            grade_id=grade_id,
            runs=runs,
            failures=failures,
            learners_failing=learners,
        )
        for exercise_id, grade_id, runs, failures, learners in sums
    ]
    return sorted(
        rows, key=lambda row: (-row.rate, -row.failures, row.exercise_title, row.grade_id)
    )


def _lessons_stage(lessons: list[tuple[int, bool]]) -> Coalesce | Value:
    """How far the enrolment's learner got through these (lesson id, required) lessons, as an
    expression over Enrolment: 3 when every required one is done, 2 when at least half of them
    all are, 1 when any is, else 0."""
    lesson_ids = [pk for pk, _required in lessons]
    if not lesson_ids:
        return Value(0)
    # As progress does: a course with no lesson marked required asks for all of them.
    required_ids = [pk for pk, required in lessons if required] or lesson_ids
    stage = (
        LessonCompletion.objects.filter(learner_id=OuterRef("learner_id"), lesson_id__in=lesson_ids)
        .order_by()
        .values("learner_id")
        .annotate(done=Count("pk"), required_done=Count("pk", filter=Q(lesson_id__in=required_ids)))
        .annotate(
            stage=Case(
                When(required_done__gte=len(required_ids), then=Value(3)),
                When(done__gte=(len(lesson_ids) + 1) // 2, then=Value(2)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .values("stage")
    )
    # No completion at all: the subquery has no row.
    return Coalesce(Subquery(stage, output_field=IntegerField()), 0)


@dataclass(frozen=True)
class FunnelStage:
    label: str
    count: int
    percent_of_enrolled: int


def completion_funnel(*, course: CoursePage) -> list[FunnelStage]:
    """Enrolled → started → half the lessons → all required lessons → completed.

    Each learner counts in every stage up to the furthest one they reached, so the funnel never
    widens: a learner who completed before a new required lesson was added still counts as
    having done all required lessons. Unenrolled learners count too; they enrolled once.
    """
    lessons = list(LessonPage.objects.live().descendant_of(course).values_list("pk", "required"))
    # The furthest stage of each learner is worked out by the database, which sends back one
    # count per stage rather than a row per learner. Each enrolment reads its learner's lesson
    # completions once (_lessons_stage), not once per stage it is tested against.
    started = Case(When(_started(), then=Value(1)), default=Value(0))
    furthest = Case(
        When(progress__completed_at__isnull=False, then=Value(4)),
        default=Greatest(_lessons_stage(lessons), started),
        output_field=IntegerField(),
    )
    reached = Counter(
        dict(
            Enrolment.objects.filter(course=course)
            .annotate(stage=furthest)
            .order_by()
            .values("stage")
            .annotate(n=Count("pk"))
            .values_list("stage", "n")
        )
    )
    labels = [
        _("Enrolled"),
        _("Started"),
        _("Half the lessons done"),
        _("All required lessons done"),
        _("Completed"),
    ]
    enrolled = sum(reached.values())
    stages = []
    for index, label in enumerate(labels):
        count = sum(n for stage, n in reached.items() if stage >= index)
        stages.append(
            FunnelStage(
                label=str(label),
                count=count,
                percent_of_enrolled=count * 100 // enrolled if enrolled else 0,
            )
        )
    return stages


class _DayIndex(Expression):
    """Which day a datetime falls in, given the consecutive `starts` of those days and the end
    of the last: 0 for the first day. The database compares the column against the boundaries
    as a binary tree of CASEs, a handful of comparisons per row; truncating to a date in the
    site's time zone instead costs a call into Python per row on SQLite."""

    output_field = IntegerField()

    def __init__(self, column: str, starts: list[datetime]) -> None:
        super().__init__()
        self.column = F(column)
        self.starts = starts

    def get_source_expressions(self) -> list:
        return [self.column]

    def set_source_expressions(self, expressions) -> None:
        (self.column,) = expressions

    def as_sql(self, compiler, connection):
        column_sql, column_params = compiler.compile(self.column)
        bounds = [connection.ops.adapt_datetimefield_value(start) for start in self.starts]
        params: list = []

        def day_between(low: int, high: int) -> str:
            if high - low == 1:
                return str(low)
            middle = (low + high) // 2
            params.extend([*column_params, bounds[middle]])
            # Parameters run in the order their placeholders appear: this one, then the
            # earlier half's, then the later half's.
            earlier = day_between(low, middle)
            later = day_between(middle, high)
            return f"CASE WHEN {column_sql} < %s THEN {earlier} ELSE {later} END"

        return day_between(0, len(bounds) - 1), params


@dataclass(frozen=True)
class DayActivity:
    day: date
    submissions: int
    checks: int


def submissions_per_day(
    *, course: CoursePage, days: int = ACTIVITY_DAYS, today: date | None = None
) -> list[DayActivity]:
    """Submissions and checks made in the course on each of the last `days` days, today included,
    by the calendar of the site's time zone."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    day_list = [first + timedelta(days=offset) for offset in range(days + 1)]
    # Local midnights, each worked out on its own so a change to or from summer time between
    # them moves the boundary with the clock.
    starts = [timezone.make_aware(datetime.combine(day, datetime.min.time())) for day in day_list]
    counts = {
        (index, kind): n
        for index, kind, n in Submission.objects.filter(
            course_page_id=course.pk, created_at__gte=starts[0], created_at__lt=starts[-1]
        )
        .annotate(index=_DayIndex("created_at", starts))
        .order_by()
        .values("index", "kind")
        .annotate(n=Count("pk"))
        .values_list("index", "kind", "n")
    }
    return [
        DayActivity(
            day=day,
            submissions=counts.get((index, SubmissionKind.SUBMIT.value), 0),
            checks=counts.get((index, SubmissionKind.CHECK.value), 0),
        )
        for index, day in enumerate(day_list[:-1])
    ]


@dataclass(frozen=True)
class CourseAnalytics:
    course: CoursePage
    enrolled: int
    distributions: list[ScoreDistribution]
    failures: list[FailingTest]
    funnel: list[FunnelStage]
    activity: list[DayActivity]

    def chart_data(self) -> dict:
        """Plain JSON for the charts script (passed with json_script, never inline code)."""
        return {
            "distributions": [
                {
                    "title": d.exercise.title,
                    "labels": [b.label for b in d.buckets],
                    "counts": [b.count for b in d.buckets],
                }
                for d in self.distributions
            ],
            "failures": {
                "labels": [f"{f.exercise_title}: {f.grade_id}" for f in self.failures],
                "rates": [float(f.rate) for f in self.failures],
            },
            "funnel": {
                "labels": [stage.label for stage in self.funnel],
                "counts": [stage.count for stage in self.funnel],
            },
            "activity": {
                "labels": [item.day.isoformat() for item in self.activity],
                "submissions": [item.submissions for item in self.activity],
                "checks": [item.checks for item in self.activity],
            },
        }


def course_analytics(*, course: CoursePage, today: date | None = None) -> CourseAnalytics:
    exercises = course_exercises(course=course)
    funnel = completion_funnel(course=course)
    enrolled = funnel[0].count
    return CourseAnalytics(
        course=course,
        enrolled=enrolled,
        distributions=score_distributions(course=course, exercises=exercises, enrolled=enrolled),
        failures=failing_tests(course=course, exercises=exercises),
        funnel=funnel,
        activity=submissions_per_day(course=course, today=today),
    )
