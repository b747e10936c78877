"""Reads behind the course analytics: score distributions, failure rates per graded test, the
completion funnel and activity per day.

Every selector here runs a fixed number of queries, whatever the number of learners, exercises
or submissions. Failure rates sum the per-test tallies that courses.services keeps
(exercise_test_tallies_record, on grading's submission_graded: courses.receivers). Builds on the
gradebook's reads (courses.gradebook), which never import this module.

Each selector takes `cohort_ids`: None for the whole course, else only learners enrolled in
those cohorts count (the cohort filter, and the scope of an instructor who teaches cohorts only).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from django.db.models import (
    Case,
    Count,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from grading.models import Submission, SubmissionKind

from .gradebook import _percent, _started, course_exercises
from .models import (
    CourseExercise,
    CourseExerciseScore,
    CoursePage,
    Enrolment,
    ExerciseTestTally,
    LessonCompletion,
    LessonPage,
)

HISTOGRAM_BUCKETS = 10
ACTIVITY_DAYS = 30


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
    # Exact shares: 0.3 of 3 is in 10–20%, and a full score equals its maximum (exercises.points).
    share = min(max(Fraction(points) / Fraction(max_points), Fraction(0)), Fraction(1))
    return min(int(share * HISTOGRAM_BUCKETS), HISTOGRAM_BUCKETS - 1)


def _in_cohorts(cohort_ids: Collection[int] | None, field: str = "cohort_id") -> Q:
    """A condition keeping the chosen cohorts' rows (all rows when cohort_ids is None)."""
    return Q() if cohort_ids is None else Q(**{f"{field}__in": list(cohort_ids)})


def _cohort_learners(course: CoursePage, cohort_ids: Collection[int] | None) -> Q:
    """A condition on learner_id keeping the learners enrolled in the chosen cohorts."""
    if cohort_ids is None:
        return Q()
    learners = Enrolment.objects.filter(course=course, cohort_id__in=list(cohort_ids))
    return Q(learner_id__in=learners.values("learner_id"))


def score_distributions(
    *,
    course: CoursePage,
    exercises: list[CourseExercise],
    enrolled: int,
    cohort_ids: Collection[int] | None = None,
) -> list[ScoreDistribution]:
    """For each course exercise, how many enrolled learners' counted scores fall in each 10%."""
    counts: dict[int, Counter] = defaultdict(Counter)
    # Scores repeat (points have two decimals, maxima are few), so the database sends one row
    # per distinct score rather than one per learner; bucketing stays exact Decimal arithmetic.
    # Undeclared exercises are left out here rather than in SQL: a condition on the exercise
    # leads SQLite to read that exercise's scores in every course instead of this course's.
    scores = (
        CourseExerciseScore.objects.filter(
            _in_cohorts(cohort_ids, "enrolment__cohort_id"),
            enrolment__course=course,
            max_points__gt=0,
        )
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


def failing_tests(
    *,
    course: CoursePage,
    exercises: list[CourseExercise],
    cohort_ids: Collection[int] | None = None,
) -> list[FailingTest]:
    """Per graded test (grade_id) of the course's exercises: how often graded submissions fail it.

    Only graded submit-kind submissions count (checks are practice); "not_run" counts as a
    failure (see courses.services.FAILING_STATUSES). Sums the stored per-learner tallies in one
    query, however many submissions the course has. Sorted worst first.
    """
    titles = {exercise.exercise_id: exercise.title for exercise in exercises}
    sums = (
        ExerciseTestTally.objects.filter(
            _cohort_learners(course, cohort_ids), course=course, exercise_id__in=list(titles)
        )
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


def completion_funnel(
    *, course: CoursePage, cohort_ids: Collection[int] | None = None
) -> list[FunnelStage]:
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
            Enrolment.objects.filter(_in_cohorts(cohort_ids), course=course)
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
    *,
    course: CoursePage,
    days: int = ACTIVITY_DAYS,
    today: date | None = None,
    cohort_ids: Collection[int] | None = None,
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
            _cohort_learners(course, cohort_ids),
            course_page_id=course.pk,
            created_at__gte=starts[0],
            created_at__lt=starts[-1],
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


def course_analytics(
    *, course: CoursePage, today: date | None = None, cohort_ids: Collection[int] | None = None
) -> CourseAnalytics:
    """The course's analytics; with `cohort_ids`, of those cohorts' learners alone."""
    exercises = course_exercises(course=course)
    funnel = completion_funnel(course=course, cohort_ids=cohort_ids)
    enrolled = funnel[0].count
    return CourseAnalytics(
        course=course,
        enrolled=enrolled,
        distributions=score_distributions(
            course=course, exercises=exercises, enrolled=enrolled, cohort_ids=cohort_ids
        ),
        failures=failing_tests(course=course, exercises=exercises, cohort_ids=cohort_ids),
        funnel=funnel,
        activity=submissions_per_day(course=course, today=today, cohort_ids=cohort_ids),
    )
