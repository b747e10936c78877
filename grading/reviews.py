"""Reads of manual grading: the review queue, one submission's manually graded cells as the
grader sees them, and the exercises whose counted score waits for review (courses.progress)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet

from exercises.models import ScorePolicy

from .models import ManualGrade, ManualStatus, Submission, SubmissionKind, SubmissionStatus
from .selectors import submissions_visible_to
from .services import manual_cells, release_notebook_of


def review_queue(
    *, user: Any, exercise_id: int | None = None, learner_ids: Any = None
) -> QuerySet[Submission]:
    """Submissions the user may grade that wait for review, oldest first.

    ``learner_ids`` (a list or a values() queryset) narrows the queue to some learners, such as a
    cohort's: grading does not know cohorts, courses hands them in (``grading_queue_filters``).
    """
    waiting = submissions_visible_to(user=user).filter(
        kind=SubmissionKind.SUBMIT,
        status=SubmissionStatus.GRADED,
        manual_status=ManualStatus.PENDING,
    )
    if exercise_id is not None:
        waiting = waiting.filter(exercise_id=exercise_id)
    if learner_ids is not None:
        waiting = waiting.filter(learner_id__in=learner_ids)
    return waiting.order_by("created_at", "pk")


@dataclass(frozen=True)
class QueueExercise:
    exercise_id: int
    title: str
    waiting: int
    oldest: datetime


def review_queue_exercises(*, user: Any) -> list[QueueExercise]:
    """Exercises with submissions waiting for the user's review: how many, since when; one query."""
    rows = (
        review_queue(user=user)
        .order_by()
        .values("exercise_id", "exercise__title")
        .annotate(waiting=Count("pk"), oldest=Min("created_at"))
        .order_by("oldest")
    )
    return [
        QueueExercise(
            exercise_id=row["exercise_id"],
            title=row["exercise__title"],
            waiting=row["waiting"],
            oldest=row["oldest"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class ReviewCell:
    """One manually graded cell of a submission, as the grader sees it."""

    grade_id: str
    max_points: Fraction
    number: int
    kind: str  # "manual_answer" | "task"
    cell_type: str  # "markdown" | "code": how the answer is rendered
    prompt: str  # the instructor's text just above the cell (markdown), for context
    answer: str  # the learner's answer (an answer cell) or the task's text (a task)
    rubric: list[dict[str, Any]]
    grade: ManualGrade | None
    chosen: tuple[int | None, ...]  # the chosen level per criterion, by index


def _chosen_indexes(rubric: list[dict[str, Any]], grade: ManualGrade | None) -> tuple:
    if grade is None:
        return tuple(None for _ in rubric)
    picked = {(lv.get("criterion"), lv.get("level")) for lv in grade.rubric_levels or []}
    return tuple(
        next(
            (
                i
                for i, level in enumerate(criterion["levels"])
                if (criterion["title"], level["label"]) in picked
            ),
            None,
        )
        for criterion in rubric
    )


def submission_review_cells(*, submission: Submission) -> list[ReviewCell]:
    """The submission's manually graded cells with the learner's answer, the rubric and the grade.

    The answer comes from the answers stored with the submission (uploads and the editor alike);
    the prompt and the cell type from the revision's release notebook, never from the learner.
    """

    cells = manual_cells(submission.report)
    if not cells:
        return []
    release = release_notebook_of(revision=submission.revision).get("cells", [])
    structure = {c.get("grade_id"): c for c in submission.revision.structure}
    by_id: dict[str, tuple[int, dict[str, Any]]] = {}
    for index, cell in enumerate(release):
        grade_id = ((cell.get("metadata") or {}).get("nbgrader") or {}).get("grade_id")
        if isinstance(grade_id, str) and grade_id:
            by_id[grade_id] = (index, cell)
    grades = {
        g.grade_id: g
        for g in submission.manual_grades.select_related("graded_by").prefetch_related(
            "changes__by"
        )
    }
    answers = submission.answers or {}
    review = []
    for cell in cells:
        index, released = by_id.get(cell.grade_id, (-1, {}))
        prompt = ""
        for previous in reversed(release[:index] if index > 0 else []):
            if previous.get("cell_type") == "markdown":
                prompt = _text(previous)
                break
            if _text(previous).strip():
                break
        kind = str(structure.get(cell.grade_id, {}).get("kind", "manual_answer"))
        answer = _text(released) if kind == "task" else str(answers.get(cell.grade_id, ""))
        rubric = submission.exercise.rubric_for(cell.grade_id)
        grade = grades.get(cell.grade_id)
        review.append(
            ReviewCell(
                grade_id=cell.grade_id,
                max_points=cell.max_points,
                number=cell.cell,
                kind=kind,
                cell_type=str(released.get("cell_type", "code")),
                prompt=prompt,
                answer=answer,
                rubric=rubric,
                grade=grade,
                chosen=_chosen_indexes(rubric, grade),
            )
        )
    return review


def _text(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def exercises_awaiting_review(
    *, learner_id: int, course_page_id: int, exercise_ids: list[int]
) -> set[int]:
    """Of these exercises, those whose counted score for the learner in the course may still rise
    with an instructor's manual grades: the course must wait for them before it completes.

    Best attempt: any attempt that waits for review (without an override) may become the best.
    Last attempt: only when the attempt that counts is the one waiting. Two queries.
    """
    if not exercise_ids:
        return set()
    mine = Submission.objects.filter(
        learner_id=learner_id,
        course_page_id=course_page_id,
        exercise_id__in=exercise_ids,
        kind=SubmissionKind.SUBMIT,
    )
    waiting = list(
        mine.filter(
            status=SubmissionStatus.GRADED,
            manual_status=ManualStatus.PENDING,
            override_score__isnull=True,
        ).values_list("exercise_id", "attempt", "exercise__score_policy")
    )
    if not waiting:
        return set()
    last_counted = dict(
        mine.filter(Q(status=SubmissionStatus.GRADED) | Q(override_score__isnull=False))
        .order_by()
        .values("exercise_id")
        .annotate(last=Max("attempt"))
        .values_list("exercise_id", "last")
    )
    return {
        exercise_id
        for exercise_id, attempt, policy in waiting
        if policy != ScorePolicy.LAST or last_counted.get(exercise_id) == attempt
    }
