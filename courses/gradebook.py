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
    CharField,
    Count,
    Exists,
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
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim, TruncDate
from django.utils import timezone
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


@dataclass(frozen=True)
class GradebookCell:
    exercise: CourseExercise
    points: Decimal | None
    max_points: Decimal | None

    @property
    def has_score(self) -> bool:
        return self.points is not None

    @property
    def percent(self) -> Decimal | None:
        if self.points is None or self.max_points is None:
            return None
        return _percent(self.points, self.max_points)


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

    @property
    def state(self) -> str:
        if self.completed_at is not None:
            return LearnerState.COMPLETED
        return LearnerState.IN_PROGRESS if self.started else LearnerState.NOT_STARTED

    @property
    def state_label(self) -> str:
        return str(dict(LearnerState.choices)[self.state])


def course_exercises(*, course: CoursePage) -> list[CourseExercise]:
    return list(CourseExercise.objects.filter(course=course).order_by("sort_order", "pk"))


def _live_lesson_ids(course: CoursePage) -> QuerySet:
    return LessonPage.objects.live().descendant_of(course).values("pk")


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


def gradebook_enrolments(
    *, course: CoursePage, search: str = "", state: str = "", enrolment_status: str = ""
) -> QuerySet[Enrolment]:
    """The course's enrolments as gradebook rows need them, filtered and ordered by name.

    Lessons done are counted against the course's live lessons now, so a lesson added since the
    learner's progress was last recomputed shows as not done rather than being missed.
    """
    lessons_done = (
        LessonCompletion.objects.filter(
            learner_id=OuterRef("learner_id"), lesson_id__in=_live_lesson_ids(course)
        )
        .order_by()
        .values("learner_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    enrolments = (
        Enrolment.objects.filter(course=course)
        .select_related("learner", "progress")
        .annotate(
            lessons_done_now=Coalesce(Subquery(lessons_done, output_field=IntegerField()), 0),
            started=_started(),
            sort_name=Lower(
                Coalesce(
                    NullIf("learner__certificate_name", Value("")),
                    NullIf(
                        Trim(Concat("learner__first_name", Value(" "), "learner__last_name")),
                        Value(""),
                    ),
                    "learner__email",
                    output_field=CharField(),
                )
            ),
        )
        .prefetch_related(
            Prefetch("exercise_scores", queryset=CourseExerciseScore.objects.order_by())
        )
    )
    search = search.strip()
    if search:
        enrolments = enrolments.filter(
            Q(learner__email__icontains=search)
            | Q(learner__certificate_name__icontains=search)
            | Q(learner__first_name__icontains=search)
            | Q(learner__last_name__icontains=search)
            | Q(learner__username__icontains=search)
        )
    if state == LearnerState.COMPLETED:
        enrolments = enrolments.filter(progress__completed_at__isnull=False)
    elif state == LearnerState.IN_PROGRESS:
        enrolments = enrolments.filter(progress__completed_at__isnull=True, started=True)
    elif state == LearnerState.NOT_STARTED:
        enrolments = enrolments.filter(progress__completed_at__isnull=True, started=False)
    if enrolment_status in EnrolmentStatus.values:
        enrolments = enrolments.filter(status=enrolment_status)
    return enrolments.order_by("sort_name", "pk")


def gradebook_lessons_total(*, course: CoursePage) -> int:
    return LessonPage.objects.live().descendant_of(course).count()


def gradebook_rows(
    *, enrolments: Iterable[Enrolment], exercises: list[CourseExercise], lessons_total: int
) -> Iterator[GradebookRow]:
    """One row per enrolment from gradebook_enrolments, one cell per course exercise in order."""
    for enrolment in enrolments:
        scores = {score.exercise_key: score for score in enrolment.exercise_scores.all()}
        progress = getattr(enrolment, "progress", None)
        cells = []
        for exercise in exercises:
            score = scores.get(exercise.key)
            cells.append(
                GradebookCell(
                    exercise=exercise,
                    points=score.points if score else None,
                    max_points=score.max_points if score else None,
                )
            )
        learner = enrolment.learner
        yield GradebookRow(
            enrolment=enrolment,
            name=learner.display_name,
            email=learner.email,
            cells=cells,
            percent=progress.percent if progress else 0,
            lessons_done=enrolment.lessons_done_now,
            lessons_total=lessons_total,
            completed_at=progress.completed_at if progress else None,
            started=enrolment.started,
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
    counts: dict[str, Counter] = defaultdict(Counter)
    # Scores repeat (points have two decimals, maxima are few), so the database sends one row
    # per distinct score rather than one per learner; bucketing stays exact Decimal arithmetic.
    scores = (
        CourseExerciseScore.objects.filter(
            enrolment__course=course, exercise_key__in=[e.key for e in exercises], max_points__gt=0
        )
        .order_by()
        .values("exercise_key", "points", "max_points")
        .annotate(n=Count("pk"))
        .values_list("exercise_key", "points", "max_points", "n")
    )
    for key, points, max_points, n in scores:
        counts[key][_bucket_index(points, max_points)] += n
    width = 100 // HISTOGRAM_BUCKETS
    distributions = []
    for exercise in exercises:
        tally = counts[exercise.key]
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
    titles = {exercise.key: exercise.title for exercise in exercises}
    sums = (
        ExerciseTestTally.objects.filter(course=course, exercise_key__in=list(titles))
        .order_by()
        .values("exercise_key", "grade_id")
        .annotate(
            total_runs=Sum("runs"),
            total_failures=Sum("failures"),
            learners=Count("pk", filter=Q(failures__gt=0)),
        )
        .values_list("exercise_key", "grade_id", "total_runs", "total_failures", "learners")
    )
    rows = [
        FailingTest(
            exercise_title=titles[key],
            grade_id=grade_id,
            runs=runs,
            failures=failures,
            learners_failing=learners,
        )
        for key, grade_id, runs, failures, learners in sums
    ]
    return sorted(
        rows, key=lambda row: (-row.rate, -row.failures, row.exercise_title, row.grade_id)
    )


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
    lesson_ids = [pk for pk, _required in lessons]
    # As progress does: a course with no lesson marked required asks for all of them.
    required_ids = [pk for pk, required in lessons if required] or lesson_ids
    # The furthest stage of each learner is worked out by the database, which sends back one
    # count per stage rather than a row per learner.
    furthest = [When(progress__completed_at__isnull=False, then=Value(4))]
    if required_ids:
        furthest.append(When(required_done__gte=len(required_ids), then=Value(3)))
    if lesson_ids:
        furthest.append(When(lessons_done_now__gte=(len(lesson_ids) + 1) // 2, then=Value(2)))
    furthest.append(When(Q(started=True) | Q(lessons_done_now__gt=0), then=Value(1)))
    reached = Counter(
        dict(
            Enrolment.objects.filter(course=course)
            .annotate(
                started=_started(),
                lessons_done_now=_completions(lesson_ids),
                required_done=_completions(required_ids),
            )
            .annotate(stage=Case(*furthest, default=Value(0), output_field=IntegerField()))
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
    start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
    counts = {
        (day, kind): n
        for day, kind, n in Submission.objects.filter(
            course_page_id=course.pk, created_at__gte=start
        )
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day", "kind")
        .annotate(n=Count("pk"))
        .values_list("day", "kind", "n")
    }
    return [
        DayActivity(
            day=day,
            submissions=counts.get((day, SubmissionKind.SUBMIT.value), 0),
            checks=counts.get((day, SubmissionKind.CHECK.value), 0),
        )
        for day in (first + timedelta(days=offset) for offset in range(days))
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
