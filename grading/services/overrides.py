"""An instructor's override of a submission's score."""

from __future__ import annotations

import logging
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.utils import timezone

from exercises.format import format_points
from exercises.points import stored_points

from ..models import (
    GradeOverride,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from .grade_run import send_graded_on_commit
from .refusals import SubmissionRefused

logger = logging.getLogger(__name__)


@transaction.atomic
def grade_override(
    *, submission: Submission, new_score: Decimal | Fraction | float | str, reason: str, by: Any
) -> GradeOverride:
    """Set the score that counts for a graded submission, with the reason on the audit trail.

    The score is stored as every score is (exercises.points), so full marks equal the maximum.
    """
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    reason = (reason or "").strip()
    if submission.kind != SubmissionKind.SUBMIT:
        raise SubmissionRefused("Checks do not count, so their grade cannot be overridden.")
    if submission.status not in (SubmissionStatus.GRADED, SubmissionStatus.FAILED):
        raise SubmissionRefused(
            "Wait until the submission has been graded before overriding its grade."
        )
    if not reason:
        raise SubmissionRefused("Give a reason for the override; the learner's record keeps it.")
    try:
        score = stored_points(new_score)
    except ValueError:
        score = None
    if score is None or not 0 <= score <= submission.max_score:
        raise SubmissionRefused(
            f"The score must be between 0 and {format_points(submission.max_score)}."
        )
    override = GradeOverride.objects.create(
        submission=submission,
        old_score=submission.counted_score,
        new_score=score,
        reason=reason,
        by=by,
        at=timezone.now(),
    )
    submission.override_score = score
    submission.save(update_fields=["override_score"])
    send_graded_on_commit(submission)
    return override
