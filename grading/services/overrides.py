"""An instructor's override of a submission's score."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

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
    *, submission: Submission, new_score: float, reason: str, by: Any
) -> GradeOverride:
    """Set the score that counts for a graded submission, with the reason on the audit trail."""
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
    if new_score is None or not 0 <= float(new_score) <= submission.max_score:
        raise SubmissionRefused(f"The score must be between 0 and {submission.max_score:g}.")
    override = GradeOverride.objects.create(
        submission=submission,
        old_score=submission.counted_score,
        new_score=float(new_score),
        reason=reason,
        by=by,
        at=timezone.now(),
    )
    submission.override_score = float(new_score)
    submission.save(update_fields=["override_score"])
    send_graded_on_commit(submission)
    return override
