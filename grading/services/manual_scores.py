"""The score of a submission with manually graded cells: the auto-graded part plus the manual
grades, once every cell has one (grading.services.manual writes the grades).

Used by the grading run as it stores a verdict, so a regrade keeps the manual grades that still
apply, and by manual_grade_set; imports neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from exercises.points import exact_points, stored_points
from grading.engine.report import exact as report_points

from ..models import ManualStatus, Submission, SubmissionKind, SubmissionStatus


@dataclass(frozen=True)
class ManualCell:
    """A cell of a submission's report that a person grades."""

    grade_id: str
    max_points: Fraction
    cell: int  # 1-based cell number in the source notebook


def manual_cells(report: dict[str, Any] | None) -> list[ManualCell]:
    """The cells of a stored report waiting for a person, in notebook order.

    An unanswered manual cell is failed by the engine ("No answer given.") and needs nobody.
    """
    return [
        ManualCell(
            grade_id=str(t.get("grade_id", "")),
            max_points=report_points(t.get("max_points", 0)),
            cell=int(t.get("cell") or 0),
        )
        for t in (report or {}).get("tests", [])
        if t.get("kind") == "manual" and t.get("status") == "needs_review"
    ]


def _has_review_flags(report: dict[str, Any] | None) -> bool:
    return any(f.get("review") for f in (report or {}).get("flags", []))


def manual_state(
    *, report: dict[str, Any] | None, grades: dict[str, tuple[Fraction, Fraction]]
) -> dict[str, Any]:
    """The score fields of a graded submission given its manual grades (grade_id → (points, max)).

    A grade counts only while the report still names its cell with the same maximum: a regrade
    against a revision that changed the cell's worth sends the cell back to the queue.
    """
    cells = manual_cells(report)
    auto = max(report_points((report or {}).get("score", 0)), Fraction(0))
    if not cells:
        return {
            "manual_status": ManualStatus.NONE,
            "score": stored_points(auto),
            "needs_review": _has_review_flags(report),
        }
    graded = {
        cell.grade_id: grades[cell.grade_id][0]
        for cell in cells
        if cell.grade_id in grades and grades[cell.grade_id][1] == cell.max_points
    }
    if len(graded) < len(cells):
        return {
            "manual_status": ManualStatus.PENDING,
            "score": stored_points(auto),
            "needs_review": True,
        }
    return {
        "manual_status": ManualStatus.GRADED,
        "score": stored_points(auto + sum(graded.values(), Fraction(0))),
        "needs_review": _has_review_flags(report),
    }


def _grades_of(submission: Submission) -> dict[str, tuple[Fraction, Fraction]]:
    return {
        grade_id: (exact_points(points), exact_points(maximum))
        for grade_id, points, maximum in submission.manual_grades.values_list(
            "grade_id", "points", "max_points"
        )
    }


def submission_manual_refresh(*, submission: Submission) -> Submission:
    """Store the score fields `manual_state` gives for a graded submission's report and grades.

    Called by the grading run as it stores a verdict (so a regrade keeps the manual grades that
    still apply) and by `manual_grade_set`. The caller holds the transaction.
    """
    if submission.kind != SubmissionKind.SUBMIT or submission.status != SubmissionStatus.GRADED:
        return submission
    fields = manual_state(report=submission.report, grades=_grades_of(submission))
    changed = [name for name, value in fields.items() if getattr(submission, name) != value]
    for name in changed:
        setattr(submission, name, fields[name])
    if changed:
        submission.save(update_fields=changed)
    return submission
