"""Regrades: one submission or a whole exercise graded again against its current revision, in the
background, with a per-submission record of what changed."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from exercises.models import Exercise

from ..models import (
    RegradeBatch,
    RegradeChange,
    RegradeStatus,
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from .grade_run import submission_grade
from .refusals import SubmissionRefused

logger = logging.getLogger(__name__)


def _regrade_batch_create(
    *, exercise: Exercise, submissions: list[Submission], by: Any
) -> RegradeBatch:
    revision = exercise.current_revision
    if revision is None or not exercise.is_ready:
        raise SubmissionRefused(_("The exercise has no validated revision to regrade against."))
    if not submissions:
        raise SubmissionRefused(_("There is nothing to regrade: no submission has been made yet."))
    busy = [
        s for s in submissions if s.status in (SubmissionStatus.QUEUED, SubmissionStatus.RUNNING)
    ]
    if len(submissions) == 1 and busy:
        raise SubmissionRefused(
            _("This submission is still being graded; regrade it once it has finished.")
        )
    batch = RegradeBatch.objects.create(
        exercise=exercise,
        revision=revision,
        requested_by=by,
        total=len(submissions),
        created_at=timezone.now(),
    )
    RegradeChange.objects.bulk_create(
        RegradeChange(
            batch=batch,
            submission=s,
            old_revision_id=s.revision_id,
            old_status=s.status,
            old_score=s.score,
            old_report=s.report,
        )
        for s in submissions
    )
    from ..tasks import regrade_batch_task

    transaction.on_commit(lambda: regrade_batch_task.enqueue(batch_id=batch.pk))
    return batch


@transaction.atomic
def exercise_regrade(
    *, exercise: Exercise, by: Any, course_page_ids: list[int] | None = None
) -> RegradeBatch:
    """Regrade every submission (not checks) of the exercise against its current revision, in the background.

    `course_page_ids` limits it to submissions made in those courses (an instructor's own);
    None means all of them.
    """
    finished = (
        Submission.objects.filter(exercise=exercise, kind=SubmissionKind.SUBMIT)
        .exclude(status__in=[SubmissionStatus.QUEUED, SubmissionStatus.RUNNING])
        # An erased learner's notebook is gone (privacy.erasure empties its hash): nothing to
        # run again, and their score stays as it was.
        .exclude(notebook_sha256="")
    )
    if course_page_ids is not None:
        finished = finished.filter(course_page_id__in=course_page_ids)
    return _regrade_batch_create(
        exercise=exercise, submissions=list(finished.order_by("pk")), by=by
    )


@transaction.atomic
def submission_regrade(*, submission: Submission, by: Any) -> RegradeBatch:
    """Regrade one submission against its exercise's current revision, in the background."""
    if submission.kind != SubmissionKind.SUBMIT:
        raise SubmissionRefused(_("Checks are not regraded; only submissions count."))
    if not submission.notebook_sha256:
        raise SubmissionRefused(
            _(
                "This learner erased their account: their notebook is gone, so it cannot be regraded."
            )
        )
    return _regrade_batch_create(exercise=submission.exercise, submissions=[submission], by=by)


def regrade_batch_run(*, batch_id: int, worker: str) -> RegradeBatch:
    """Work through a batch's pending changes; running it again resumes where it stopped."""
    RegradeBatch.objects.filter(pk=batch_id, status=RegradeStatus.QUEUED).update(
        status=RegradeStatus.RUNNING, started_at=timezone.now()
    )
    batch = RegradeBatch.objects.select_related("revision").get(pk=batch_id)
    for change in batch.changes.filter(done=False).order_by("pk"):
        requeued = Submission.objects.filter(
            pk=change.submission_id, status__in=[SubmissionStatus.GRADED, SubmissionStatus.FAILED]
        ).update(
            revision=batch.revision,
            status=SubmissionStatus.QUEUED,
            queued_at=timezone.now(),
            max_score=batch.revision.max_score,
        )
        if requeued:
            submission = submission_grade(submission_id=change.submission_id, worker=worker)
        else:
            # Already in a grading run of its own (queued again by the reaper, say): that run
            # grades it against the revision it holds, and the diff records it unchanged.
            submission = Submission.objects.get(pk=change.submission_id)
        RegradeChange.objects.filter(pk=change.pk).update(
            new_score=submission.score, new_status=submission.status, done=True
        )
        RegradeBatch.objects.filter(pk=batch_id).update(done=F("done") + 1)
    remaining = batch.changes.filter(done=False).exists()
    if not remaining:
        RegradeBatch.objects.filter(pk=batch_id).exclude(status=RegradeStatus.FINISHED).update(
            status=RegradeStatus.FINISHED, finished_at=timezone.now()
        )
    batch.refresh_from_db()
    return batch


def regrade_diff(*, batch: RegradeBatch) -> list[RegradeChange]:
    """The finished changes of a batch whose score or status changed."""
    return [c for c in batch.changes.select_related("submission__learner") if c.changed]
