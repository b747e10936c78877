"""Reads of the grading app, shaped for the learner's exercise panel and the instructor's admin."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext, gettext_lazy
from wagtail.permission_policies.pages import PagePermissionPolicy

from exercises.models import Exercise, ScorePolicy
from grading.engine.report import exact as exact_points

from .attempts import (
    EXERCISE_DUE,
    USES_AN_ATTEMPT,
    AttemptStanding,
    Due,
    attempt_standing,
    scheduled_due,
)
from .late import due_for, extension_for, penalty_reason, policy_sentence
from .models import (
    DueSource,
    ManualGrade,
    ManualStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from .services import answer_grade_ids, release_notebook_of
from .uploads import max_upload_bytes

TEST_STATUS_WORDS = {
    "passed": gettext_lazy("Passed"),
    "partial": gettext_lazy("Partly right"),
    "failed": gettext_lazy("Failed"),
    "not_run": gettext_lazy("Not run"),
    "needs_review": gettext_lazy("Graded by your instructor"),
}
#: A manual cell's line while the instructor has not finished the submission.
WAITING_WORDS = gettext_lazy("Waiting for your instructor")


@dataclass(frozen=True)
class CountedScore:
    """Points as stored (exercises.points): a full score equals max_score."""

    score: Decimal
    max_score: Decimal
    submission: Submission

    @property
    def percent(self) -> int:
        if not self.max_score:
            return 0
        return int(Fraction(self.score) * 100 / Fraction(self.max_score))


def _countable(submissions: QuerySet[Submission], *, exercise: Exercise) -> QuerySet[Submission]:
    """Of one learner's submissions for an exercise in a course, those that may count, the one that
    counts first: best or last attempt as the exercise's policy says, an instructor's override
    winning over the graded score.

    Failed submissions count only when an instructor has overridden them.
    """
    countable = submissions.filter(kind=SubmissionKind.SUBMIT).filter(
        Q(status=SubmissionStatus.GRADED) | Q(override_score__isnull=False)
    )
    if exercise.score_policy == ScorePolicy.LAST:
        return countable.order_by("-attempt")
    # Shares, not points: a regrade against a new revision may change the maximum. Divided as
    # floats: SQLite keeps a whole decimal (5.000000) as an integer and would divide 5 / 6 to 0.
    # The counted points (Submission.counted_score): an override as given, else the graded score
    # less its late penalty (grading.late).
    counted = Case(
        When(override_score__isnull=False, then=Cast("override_score", FloatField())),
        default=Cast(Coalesce("score", Value(Decimal(0))), FloatField())
        * (Value(100.0) - Cast("late_penalty_percent", FloatField()))
        / Value(100.0),
        output_field=FloatField(),
    )
    share = Case(
        When(max_score=0, then=Value(0.0)),
        default=counted / Cast("max_score", FloatField()),
        output_field=FloatField(),
    )
    return countable.annotate(share=share).order_by("-share", "-attempt")


def _counted(submission: Submission | None) -> CountedScore | None:
    if submission is None:
        return None
    return CountedScore(
        score=submission.counted_score or Decimal(0),
        max_score=submission.max_score,
        submission=submission,
    )


def _learners_submissions(
    *, learner: Any, exercise: Exercise, course_page_id: int | None
) -> QuerySet[Submission]:
    return Submission.objects.filter(
        learner=learner, exercise=exercise, course_page_id=course_page_id
    )


def learner_exercise_score(
    *, learner: Any, exercise: Exercise, course_page_id: int | None
) -> CountedScore | None:
    """The score that counts for a learner on an exercise in a course (see `_countable`)."""
    mine = _learners_submissions(learner=learner, exercise=exercise, course_page_id=course_page_id)
    return _counted(_countable(mine, exercise=exercise).first())


def learner_submission(*, learner: Any, submission_id: int) -> Submission | None:
    """The learner's own submission; None for anyone else's, so views answer 404."""
    if not learner.is_authenticated:
        return None
    return (
        Submission.objects.select_related("exercise", "revision")
        .filter(pk=submission_id, learner=learner)
        .first()
    )


@dataclass(frozen=True)
class TestLine:
    grade_id: str
    status: str
    status_label: str
    points: Fraction
    max_points: Fraction
    message: str
    sealed: bool
    kind: str = "test"
    #: An instructor's written feedback on a manually graded cell (plain text, shown escaped).
    feedback: str = ""
    #: The rubric levels the instructor chose: [{"criterion", "level", "points"}].
    levels: tuple[dict[str, str], ...] = ()
    #: A manually graded cell whose grade the learner does not see yet.
    waiting: bool = False


@dataclass(frozen=True)
class SubmissionResult:
    """What a learner may see of one submission: never hidden test source or expected values."""

    submission: Submission
    tests: list[TestLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    message: str = ""
    outputs: list[tuple[str, list[dict[str, str]]]] = field(default_factory=list)

    @property
    def score(self) -> Decimal | None:
        return self.submission.counted_score

    @property
    def late_reason(self) -> str:
        """Why the score was reduced for lateness (grading.late), "" when it was not late."""
        if self.submission.kind != SubmissionKind.SUBMIT:
            return ""
        return penalty_reason(self.submission)

    @property
    def overridden(self) -> bool:
        return self.submission.override_score is not None

    @property
    def provisional(self) -> bool:
        """The score is the auto-graded part only: manual cells wait for the instructor."""
        return self.submission.awaiting_review


def _test_line(test: dict[str, Any], *, grade: ManualGrade | None, waiting: bool) -> TestLine:
    status = str(test.get("status", ""))
    kind = str(test.get("kind", "test"))
    line = TestLine(
        grade_id=str(test.get("grade_id", "")),
        status=status,
        status_label=str(TEST_STATUS_WORDS.get(status, status)),
        points=exact_points(test.get("points", 0)),
        max_points=exact_points(test.get("max_points", 0)),
        message=str(test.get("message", "")),
        sealed=bool(test.get("sealed", False)),
        kind=kind,
    )
    if status != "needs_review" or kind != "manual":
        return line
    if grade is None or waiting:
        return replace(line, status_label=str(WAITING_WORDS), waiting=True)
    return replace(
        line,
        status="reviewed",
        status_label=str(TEST_STATUS_WORDS["needs_review"]),
        points=exact_points(grade.points),
        message="",
        feedback=grade.feedback,
        levels=tuple(grade.rubric_levels or ()),
    )


def submission_result(*, submission: Submission) -> SubmissionResult:
    """What the learner reads of a submission. A manually graded cell's points and feedback show
    once the instructor has graded every such cell of it (the learner is told then, too); until
    then the cell reads "waiting for your instructor" and the score is provisional."""
    report = submission.report or {}
    waiting = submission.manual_status != ManualStatus.GRADED
    grades = (
        {g.grade_id: g for g in submission.manual_grades.all()}
        if submission.manual_status == ManualStatus.GRADED
        else {}
    )
    tests = [
        _test_line(t, grade=grades.get(str(t.get("grade_id", ""))), waiting=waiting)
        for t in report.get("tests", [])
    ]
    # Flags are written for the learner too ("cells you added were not run"); review flags are
    # for instructors, so learners only learn that a person will look.
    notes = [str(f.get("message", "")) for f in report.get("flags", []) if not f.get("review")]
    if submission.awaiting_review:
        notes.append(
            gettext(
                "Part of this submission is graded by your instructor. Until then your score "
                "counts only the automatically graded tests, so it may still go up."
            )
        )
    elif report.get("needs_review") and submission.manual_status == ManualStatus.NONE:
        notes.append(
            "Part of this submission is graded by your instructor; your score may still change."
        )
    return SubmissionResult(
        submission=submission,
        tests=tests,
        notes=notes,
        message=str(report.get("message", "")),
        outputs=list((submission.outputs or {}).items()),
    )


@dataclass(frozen=True)
class EditorCell:
    """One cell of the release notebook as the in-browser editor shows it."""

    cell_type: str
    text: str
    grade_id: str = ""
    editable: bool = False
    # A markdown cell's pasted images (nbformat `attachments`), shown from the page itself.
    attachments: dict[str, Any] = field(default_factory=dict, compare=False)
    # An answer cell's text in the release notebook, for "reset this cell to the original".
    original: str = ""
    # The cell's 0-based position in the release notebook: what "Run to here" runs up to.
    index: int = 0

    @property
    def field_name(self) -> str:
        return f"answer-{self.grade_id}"


@dataclass(frozen=True)
class ExercisePanel:
    exercise: Exercise
    course_page_id: int | None
    ready: bool
    cells: list[EditorCell]
    latest: Submission | None
    latest_result: SubmissionResult | None
    counted: CountedScore | None
    standing: AttemptStanding
    max_upload_mb: float

    @property
    def attempts_used(self) -> int:
        return self.standing.attempts_used

    @property
    def attempts_left(self) -> int | None:
        return self.standing.attempts_left

    @property
    def due_at(self) -> datetime | None:
        # The learner's: their cohort's due date when it has one (the caller's to give).
        return self.standing.due_at

    @property
    def past_due(self) -> bool:
        return self.standing.past_due

    @property
    def closed(self) -> bool:
        """Past the due date of an exercise that accepts nothing late."""
        return self.standing.closed

    @property
    def extended(self) -> bool:
        return self.standing.due_source == DueSource.EXTENSION

    @property
    def late_policy_text(self) -> str:
        return policy_sentence(self.exercise)

    @property
    def late_percent_now(self) -> int:
        """What a submission made now loses to the late policy (0 on time)."""
        return self.standing.lateness_now.percent

    @property
    def cooldown_until(self) -> datetime | None:
        return self.standing.cooldown_until

    @property
    def can_submit(self) -> bool:
        return self.standing.can_submit

    @property
    def can_check(self) -> bool:
        return self.standing.can_check


def _editor_cells(*, exercise: Exercise, prefill: dict[str, str]) -> list[EditorCell]:
    revision = exercise.current_revision
    if revision is None:
        return []
    # The answer cells are named by the revision's parsed structure, so the release is read once.
    answer_ids = set(answer_grade_ids(revision=revision))
    cells = []
    for index, cell in enumerate(release_notebook_of(revision=revision).get("cells", [])):
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        grade_id = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id") or ""
        if grade_id in answer_ids:
            cells.append(
                EditorCell(
                    cell_type=cell.get("cell_type", "code"),
                    text=prefill.get(grade_id, text),
                    grade_id=grade_id,
                    editable=True,
                    original=text,
                    index=index,
                )
            )
        elif text.strip():
            cells.append(
                EditorCell(
                    cell_type=cell.get("cell_type", "code"),
                    text=text,
                    grade_id=grade_id,
                    index=index,
                    attachments=cell.get("attachments") or {},
                )
            )
    return cells


def _last_answers(*, submission: Submission | None) -> dict[str, str]:
    """Answers are stored for uploads and the editor alike, so either prefills the editor."""
    return dict(submission.answers) if submission is not None else {}


def _panel_submissions(
    *, learner: Any, exercise: Exercise, course_page_id: int | None
) -> tuple[Submission | None, Submission | None, int]:
    """The learner's latest submission (check or attempt), the attempt that counts and the number
    of attempts used (`USES_AN_ATTEMPT`: one the grader failed on is not), in one query: at most
    two rows, whatever the learner's history.
    """
    if not learner.is_authenticated:
        return None, None, 0
    mine = _learners_submissions(learner=learner, exercise=exercise, course_page_id=course_page_id)
    attempts = (
        mine.filter(USES_AN_ATTEMPT)
        .order_by()
        .values("learner")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = list(
        mine.annotate(
            latest_pk=Subquery(mine.order_by("-created_at", "-pk").values("pk")[:1]),
            counted_pk=Subquery(_countable(mine, exercise=exercise).values("pk")[:1]),
            attempts_used=Coalesce(Subquery(attempts), 0),
        ).filter(Q(pk=F("latest_pk")) | Q(pk=F("counted_pk")))
    )
    if not rows:
        return None, None, 0
    latest = next(row for row in rows if row.pk == row.latest_pk)
    counted = next((row for row in rows if row.pk == row.counted_pk), None)
    return latest, counted, rows[0].attempts_used


def exercise_panel_context(
    *,
    learner: Any,
    exercise: Exercise,
    course_page_id: int | None,
    draft: dict[str, str] | None = None,
    draft_saved_at: datetime | None = None,
    due_at: datetime | None | Due = EXERCISE_DUE,
    due_source: str = DueSource.SCHEDULE,
) -> dict[str, Any]:
    """Everything the exercise panel template needs, as {"panel": ExercisePanel}.

    `draft` holds answers the learner typed but did not submit (saved as they type, or sent in a
    request that was refused), so nothing they wrote is lost. The editor starts from the newer of
    the draft (saved at `draft_saved_at`; None: newer than anything) and the last submission,
    cell by cell falling back to the other, then to the release stubs. `due_at` is the due date
    that holds for the learner (courses gives their cohort's); the default is the exercise's.
    """
    latest, counted, attempts_used = _panel_submissions(
        learner=learner, exercise=exercise, course_page_id=course_page_id
    )
    # The learner's extension, when they have one, replaces the scheduled date (grading.late).
    scheduled, scheduled_source = scheduled_due(exercise=exercise, due_at=due_at, source=due_source)
    due, source = due_for(
        exercise=exercise,
        extension=extension_for(learner=learner, exercise=exercise, course_page_id=course_page_id),
        scheduled=scheduled,
        scheduled_source=scheduled_source,
    )
    # The panel does not need the next attempt's number, so the highest one is not fetched.
    standing = attempt_standing(
        exercise=exercise,
        attempts_used=attempts_used,
        last_attempt=None,
        last_sent_at=latest.created_at if latest is not None else None,
        due_at=due,
        due_source=source,
    )
    last = _last_answers(submission=latest)
    if draft and (latest is None or draft_saved_at is None or draft_saved_at >= latest.created_at):
        prefill = {**last, **draft}
    else:
        prefill = {**(draft or {}), **last}
    panel = ExercisePanel(
        exercise=exercise,
        course_page_id=course_page_id,
        ready=exercise.is_ready,
        cells=_editor_cells(exercise=exercise, prefill=prefill) if exercise.is_ready else [],
        latest=latest,
        latest_result=submission_result(submission=latest)
        if latest is not None and latest.is_done
        else None,
        counted=_counted(counted),
        standing=standing,
        max_upload_mb=max_upload_bytes() / 2**20,
    )
    return {"panel": panel}


def submissions_visible_to(*, user: Any) -> QuerySet[Submission]:
    """Submissions an instructor may see: those made in courses whose pages they can edit."""
    submissions = Submission.objects.select_related(
        "learner", "exercise", "revision", "course_page"
    )
    if not user.is_authenticated or not user.is_active:
        return submissions.none()
    if user.is_superuser:
        return submissions
    pages = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return submissions.filter(course_page__in=pages.values("pk"))
