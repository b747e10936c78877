"""Manual grading: an instructor's points, rubric levels and written feedback per manually graded cell.

The engine marks nbgrader's manual answers and tasks (and Otter's manual questions, imported as
the same kinds) ``needs_review`` with 0 points. Until every such cell of a submission has a
ManualGrade, the submission's score is the auto-graded part and is provisional
(``manual_status`` pending). The grade of the last cell completes it: the score then adds the
manual points, ``needs_review`` drops (unless a review flag still asks a person to look), and
``submission_graded`` is sent on commit so courses records the final score. An override still
wins over all of it (``Submission.counted_score``).

Every change of a cell's grade is written to ManualGradeChange (append-only) in the same
transaction as the grade.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exercises.format import format_points, parse_points
from exercises.points import stored_points
from notifications.services import notify

from ..models import (
    ManualGrade,
    ManualGradeChange,
    ManualStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from .grade_run import send_graded_on_commit
from .manual_scores import manual_cells, submission_manual_refresh
from .refusals import SubmissionRefused

logger = logging.getLogger(__name__)

#: Longest feedback kept for one cell.
FEEDBACK_CHARS = 10_000


def _chosen_levels(
    *, rubric: list[dict[str, Any]], levels: list[int | None], max_points: Fraction, grade_id: str
) -> tuple[list[dict[str, Any]], Fraction]:
    """The rubric levels a grader picked (one index, or None, per criterion) and their points."""
    chosen: list[dict[str, Any]] = []
    total = Fraction(0)
    if len(levels) > len(rubric):
        raise SubmissionRefused(_("The rubric has changed; reload the page and grade again."))
    for criterion, index in zip(rubric, levels, strict=False):
        if index is None:
            continue
        if not 0 <= index < len(criterion["levels"]):
            raise SubmissionRefused(_("The rubric has changed; reload the page and grade again."))
        level = criterion["levels"][index]
        value = parse_points(level["points"]) or Fraction(0)
        total += value
        chosen.append(
            {
                "criterion": str(criterion["title"]),
                "level": str(level["label"]),
                "points": format_points(value, 6),
            }
        )
    if total > max_points:
        raise SubmissionRefused(
            _(
                "The rubric levels chosen for “%(id)s” add up to %(total)s points, more than the "
                "cell's %(max)s."
            )
            % {"id": grade_id, "total": format_points(total), "max": format_points(max_points)}
        )
    return chosen, total


@transaction.atomic
def manual_grade_set(
    *,
    submission: Submission,
    grade_id: str,
    points: Any,
    feedback: str,
    by: Any,
    levels: list[int | None] | None = None,
) -> ManualGrade:
    """Grade one manually graded cell of a submission; audited; completes the submission with its
    last cell.

    ``points`` None takes the sum of the chosen rubric ``levels`` (one level index, or None, per
    criterion of the exercise's rubric for the cell). Points outside [0, the cell's max] are
    refused with a sentence the grader reads; nothing is stored then.
    """
    submission = (
        Submission.objects.select_for_update().select_related("exercise").get(pk=submission.pk)
    )
    if submission.kind != SubmissionKind.SUBMIT:
        raise SubmissionRefused(_("Checks are not graded by hand."))
    if submission.status != SubmissionStatus.GRADED:
        raise SubmissionRefused(
            _("Only a graded submission can be graded by hand; this one has not been graded.")
        )
    cell = next((c for c in manual_cells(submission.report) if c.grade_id == grade_id), None)
    if cell is None:
        raise SubmissionRefused(
            _("“%(id)s” is not a manually graded cell of this submission.") % {"id": grade_id}
        )
    chosen, rubric_total = _chosen_levels(
        rubric=submission.exercise.rubric_for(grade_id),
        levels=list(levels or []),
        max_points=cell.max_points,
        grade_id=grade_id,
    )
    exact: Fraction | None
    if points is None or (isinstance(points, str) and not points.strip()):
        if not chosen:
            raise SubmissionRefused(
                _("Give the points for “%(id)s”, or choose rubric levels.") % {"id": grade_id}
            )
        exact = rubric_total
    else:
        exact = parse_points(points.strip() if isinstance(points, str) else points)
    if exact is None or not 0 <= exact <= cell.max_points:
        raise SubmissionRefused(
            _("The points for “%(id)s” must be between 0 and %(max)s.")
            % {"id": grade_id, "max": format_points(cell.max_points)}
        )
    feedback = (feedback or "").strip().replace("\r\n", "\n")
    if len(feedback) > FEEDBACK_CHARS:
        raise SubmissionRefused(
            _("Feedback is limited to %(n)d characters; this is %(len)d.")
            % {"n": FEEDBACK_CHARS, "len": len(feedback)}
        )
    new_points = stored_points(exact)
    now = timezone.now()
    grade = (
        ManualGrade.objects.select_for_update()
        .filter(submission=submission, grade_id=grade_id)
        .first()
    )
    if grade is not None and (
        grade.points == new_points
        and grade.feedback == feedback
        and grade.rubric_levels == chosen
        and grade.max_points == stored_points(cell.max_points)
    ):
        return grade  # nothing changed: nothing to audit
    old = (
        (grade.points, grade.feedback, grade.rubric_levels) if grade is not None else (None, "", [])
    )
    if grade is None:
        grade = ManualGrade(submission=submission, grade_id=grade_id)
    grade.max_points = stored_points(cell.max_points)
    grade.points = new_points
    grade.feedback = feedback
    grade.rubric_levels = chosen
    grade.graded_by = by
    grade.graded_at = now
    grade.save()
    ManualGradeChange.objects.create(
        grade=grade,
        old_points=old[0],
        new_points=new_points,
        old_feedback=old[1],
        new_feedback=feedback,
        old_levels=old[2],
        new_levels=chosen,
        by=by,
        at=now,
    )
    was = submission.manual_status
    old_score = submission.score
    submission_manual_refresh(submission=submission)
    if was == ManualStatus.PENDING and submission.manual_status == ManualStatus.GRADED:
        send_graded_on_commit(submission)
        review_graded_notify(submission=submission)
    elif submission.score != old_score:
        # A grade changed after completion: the final score moved, so progress is recounted.
        send_graded_on_commit(submission)
    return grade


def review_graded_notify(*, submission: Submission) -> None:
    """Tell the learner their reviewed submission is graded: in the site and by e-mail
    (notifications, kind review_graded; once per submission, whatever retries)."""
    exercise = submission.exercise
    score, max_score = (
        format_points(submission.counted_score or 0),
        format_points(submission.max_score),
    )
    # The learner reads it, not the instructor whose request this is: in the learner's language.
    with translation.override(_learner_language(submission.learner)):
        _review_graded_notify(submission, exercise, score, max_score)


def _learner_language(learner: Any) -> str:
    """The learner's saved interface language when we offer it, else the site's default."""
    try:
        return translation.get_supported_language_variant(getattr(learner, "language", "") or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def _review_graded_notify(
    submission: Submission, exercise: Any, score: str, max_score: str
) -> None:
    notify(
        recipient=submission.learner,
        kind="review_graded",
        title=_("Your instructor graded “%(exercise)s”") % {"exercise": exercise.title},
        body=_(
            "Your attempt %(attempt)s of “%(exercise)s” is graded: %(score)s of %(max)s points. "
            "Your instructor's feedback is on the submission page."
        )
        % {
            "attempt": submission.attempt,
            "exercise": exercise.title,
            "score": score,
            "max": max_score,
        },
        url=reverse("submission_detail", args=[submission.pk]),
        dedupe_key=f"review_graded:{submission.pk}",
        context={"submission_id": submission.pk, "exercise": exercise.title},
    )
