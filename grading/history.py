"""A learner's grade history: every attempt they submitted for a course's exercises, with what
they may read of each (score, whether it counts, manual grades and written feedback).

Read by the learner's grades page in courses; never shows hidden tests, answers or notebooks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from .late import penalty_reason
from .models import ManualGrade, ManualStatus, Submission, SubmissionKind


@dataclass(frozen=True)
class CellFeedback:
    """An instructor's grade and written feedback on one manually graded cell."""

    grade_id: str
    points: Decimal
    max_points: Decimal
    feedback: str
    levels: tuple[dict[str, str], ...] = ()


@dataclass(frozen=True)
class AttemptRecord:
    submission: Submission
    #: Manual grades and feedback, once the instructor has graded every manual cell.
    feedback: list[CellFeedback] = field(default_factory=list)

    @property
    def score(self) -> Decimal | None:
        return self.submission.counted_score

    @property
    def overridden(self) -> bool:
        return self.submission.override_score is not None

    @property
    def provisional(self) -> bool:
        return self.submission.awaiting_review

    @property
    def raw_score(self) -> Decimal | None:
        """Before a late penalty (grading.late); the same as `score` when none applies."""
        return self.submission.raw_score

    @property
    def late_penalty_percent(self) -> int:
        return self.submission.late_penalty_percent if self.submission.late_penalty_applies else 0

    @property
    def late_reason(self) -> str:
        return penalty_reason(self.submission)


def learner_course_attempts(
    *, learner: Any, course_page_id: int, exercise_ids: Iterable[int]
) -> dict[int, list[AttemptRecord]]:
    """Attempts (never checks) per exercise id, newest first, in two queries whatever their number."""
    graded_manually = Prefetch(
        "manual_grades", queryset=ManualGrade.objects.order_by("pk"), to_attr="grades_for_learner"
    )
    submissions = (
        Submission.objects.filter(
            learner=learner,
            course_page_id=course_page_id,
            exercise_id__in=list(exercise_ids),
            kind=SubmissionKind.SUBMIT,
        )
        .defer("report", "outputs", "answers")
        .prefetch_related(graded_manually)
        .order_by("exercise_id", "-attempt")
    )
    attempts: dict[int, list[AttemptRecord]] = defaultdict(list)
    for submission in submissions:
        feedback = []
        if submission.manual_status == ManualStatus.GRADED:
            feedback = [
                CellFeedback(
                    grade_id=grade.grade_id,
                    points=grade.points,
                    max_points=grade.max_points,
                    feedback=grade.feedback,
                    levels=tuple(grade.rubric_levels or ()),
                )
                for grade in submission.grades_for_learner
            ]
        attempts[submission.exercise_id].append(AttemptRecord(submission, feedback))
    return dict(attempts)
