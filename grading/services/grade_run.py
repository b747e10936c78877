"""A grading run: a worker claims a queued submission, the engine grades it, the verdict is stored;
expired leases are requeued or failed by the reaper. Every state change is one conditional UPDATE."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop

from exercises.format import NotebookRejected, SourceInvalid, load_notebook_bytes, parse_source
from exercises.format.autotest import apply_autotests
from exercises.models import ExerciseRevision
from exercises.points import stored_points
from grading.engine.assemble import hidden_lines
from grading.engine.pipeline import grade_submission
from grading.engine.sandbox import SandboxUnavailable
from grading.engine.sandbox.files import with_files

from ..answer_outputs import answer_outputs_for_learner
from ..attempts import not_an_attempt
from ..kernels import grading_limits, grading_settings, kernel_provider
from ..models import (
    Submission,
    SubmissionKind,
    SubmissionStatus,
)
from ..signals import submission_graded
from .exercises import revision_kernel_files
from .manual_scores import submission_manual_refresh

logger = logging.getLogger(__name__)


DEFAULT_LEASE_SECONDS = 600
DEFAULT_MAX_CLAIMS = 3
# Seconds between tries when the database connection drops mid-grading: about 15 s in all,
# enough for a failover or a restarted PostgreSQL, short against the lease.
DEFAULT_DB_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)


T = TypeVar("T")


def lease_seconds() -> int:
    return int(grading_settings().get("LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def max_claims() -> int:
    return int(grading_settings().get("MAX_CLAIMS", DEFAULT_MAX_CLAIMS))


def db_retry_delays() -> tuple[float, ...]:
    return tuple(
        float(d) for d in grading_settings().get("DB_RETRY_DELAYS", DEFAULT_DB_RETRY_DELAYS)
    )


def _with_database_retry(step: Callable[[int], T], *, what: str) -> T:
    """Run `step(try_number)`; when the database connection drops, reconnect and run it again.

    Only outside a transaction: inside one, the work before the failure is gone with the
    connection, so the caller's transaction must fail as a whole. When every try fails the
    error propagates and the submission stays queued or running in the database, where the
    reaper finds it.
    """
    delays = db_retry_delays()
    for number, delay in enumerate((*delays, None), start=1):
        try:
            return step(number)
        except (OperationalError, InterfaceError) as exc:
            if delay is None or connection.in_atomic_block:
                raise
            logger.warning(
                "Database error while %s (try %d of %d); reconnecting in %.1f s: %s",
                what,
                number,
                len(delays) + 1,
                delay,
                exc,
            )
            connection.close()
            time.sleep(delay)
    raise AssertionError("unreachable: the last try returns or raises")


def _claim(*, submission_id: int, worker: str) -> bool:
    """queued → running, for exactly one worker: a conditional UPDATE, not a read-then-write."""
    now = timezone.now()
    claimed = Submission.objects.filter(pk=submission_id, status=SubmissionStatus.QUEUED).update(
        status=SubmissionStatus.RUNNING,
        started_at=now,
        finished_at=None,
        lease_expires_at=now + timedelta(seconds=lease_seconds()),
        worker_id=worker[:200],
        claims=F("claims") + 1,
    )
    return claimed == 1


def _claim_retrying(*, submission_id: int, worker: str) -> bool:
    def claim(number: int) -> bool:
        if _claim(submission_id=submission_id, worker=worker):
            return True
        # The UPDATE of a dropped try may have committed before its reply was lost.
        return (
            number > 1
            and Submission.objects.filter(
                pk=submission_id, status=SubmissionStatus.RUNNING, worker_id=worker[:200]
            ).exists()
        )

    return _with_database_retry(claim, what=f"claiming submission {submission_id}")


def _failed(submission: Submission, reason: str) -> dict[str, Any]:
    """Fields of a run that reached no verdict; the reason is for the learner."""
    if submission.kind == SubmissionKind.SUBMIT:
        reason = f"{reason} {not_an_attempt()}"
    return {"status": SubmissionStatus.FAILED, "failure_reason": reason}


def in_kernel_tests(revision: ExerciseRevision) -> frozenset[str]:
    """The test cells validation found the judge cannot run; every other test runs in the judge."""
    return frozenset((revision.validation_report or {}).get("in_kernel_tests", []))


def autotests_of(revision: ExerciseRevision) -> dict[int, str]:
    """The revision's nbgrader AUTOTEST cells as validation instantiated them from the reference
    (0-based cell index -> text): what the revision grades with, never re-derived from a learner."""
    entries = (revision.validation_report or {}).get("autotests") or []
    return {int(entry["cell"]) - 1: str(entry["source"]) for entry in entries}


def _run_engine(submission: Submission) -> dict[str, Any]:
    """The fields a finished grading run sets: graded with a report, or failed with a reason.

    Failed means the grader reached no verdict, so the submission does not use an attempt
    (`USES_AN_ATTEMPT`). Whatever the learner's code does is a graded verdict instead: a
    timeout, the memory limit, a crash or a value that cannot be compared.
    """
    with submission.revision.source.open("rb") as fh:
        source_bytes = fh.read()
    try:
        source = parse_source(load_notebook_bytes(source_bytes, max_bytes=len(source_bytes) + 1))
        source = apply_autotests(source, autotests_of(submission.revision))
    except (NotebookRejected, SourceInvalid) as exc:
        logger.error("The source of %s cannot be parsed: %s", submission.revision, exc)
        return _failed(
            submission,
            gettext_noop(
                "The exercise's source notebook could not be read; an instructor has to fix it."
            ),
        )
    with submission.notebook.open("rb") as fh:
        data = fh.read()
    try:
        notebook = load_notebook_bytes(data, max_bytes=len(data) + 1)
    except NotebookRejected as exc:
        return _failed(submission, str(exc))
    try:
        report = grade_submission(
            source,
            notebook,
            kernels=with_files(
                kernel_provider(), revision_kernel_files(revision=submission.revision)
            ),
            limits=grading_limits(),
            seed=submission.seed,
            mode="check" if submission.kind == SubmissionKind.CHECK else "submit",
            in_kernel=in_kernel_tests(submission.revision),
        )
    except SandboxUnavailable as exc:
        logger.error("Grading sandbox unavailable for submission %s: %s", submission.pk, exc)
        return _failed(
            submission,
            gettext_noop(
                "The grading sandbox is not available right now, so your notebook could not "
                "be run. Nothing is wrong with your work; please submit again later."
            ),
        )
    except Exception:  # the learner gets a sentence; the traceback goes to the operator's log
        logger.exception("Grading submission %s failed", submission.pk)
        return _failed(
            submission,
            gettext_noop(
                "The grader stopped with an internal error while running your notebook, so "
                "it was not graded. The team has been told; please submit again."
            ),
        )
    result = report.to_dict()
    return {
        "status": SubmissionStatus.GRADED,
        "report": result,
        # Rounded one way for the columns (exercises.points); the report keeps the exact values.
        "score": stored_points(max(report.score, 0)),
        "max_score": stored_points(report.max_score),
        "needs_review": bool(result["needs_review"]),
        # The engine kept at most Limits.output_bytes of the run's output; what is stored is
        # smaller still (TEXT_CHARS_PER_CELL a cell).
        "outputs": answer_outputs_for_learner(report.answer_outputs, hidden=hidden_lines(source)),
        "failure_reason": "",
    }


def send_graded_on_commit(submission: Submission) -> None:
    transaction.on_commit(lambda: submission_graded.send(sender=Submission, submission=submission))


def _store_result(
    *, submission_id: int, worker: str, fields: dict[str, Any], number: int
) -> Submission:
    """Store a finished run if this worker's claim still stands; send the signal on commit."""
    with transaction.atomic():
        stored = Submission.objects.filter(
            pk=submission_id, status=SubmissionStatus.RUNNING, worker_id=worker
        ).update(**fields)
        submission = Submission.objects.select_related("revision", "exercise").get(pk=submission_id)
        # A dropped try may have committed before its reply was lost: the row then holds
        # exactly this run's result, and its signal has not been sent yet.
        landed_earlier = (
            number > 1
            and submission.worker_id == worker
            and submission.status == fields["status"]
            and submission.finished_at == fields["finished_at"]
        )
        if stored:
            # A regrade keeps the manual grades whose cells are unchanged; a first grading
            # marks the submission waiting for review when a cell needs a person.
            submission_manual_refresh(submission=submission)
        if stored or landed_earlier:
            send_graded_on_commit(submission)
    return submission


def submission_grade(*, submission_id: int, worker: str) -> Submission:
    """Grade one submission: queued → running → graded or failed; idempotent.

    Only the worker that claimed the submission stores the result, and only while its claim
    still stands (a reaped submission may already be with another worker). Claiming and
    storing survive a dropped database connection (reconnect, back off, try again); the
    notebook is run once either way.
    """
    if not _claim_retrying(submission_id=submission_id, worker=worker):
        return Submission.objects.get(pk=submission_id)
    submission = _with_database_retry(
        lambda _number: Submission.objects.select_related("revision", "exercise").get(
            pk=submission_id
        ),
        what=f"loading submission {submission_id}",
    )
    fields = _run_engine(submission)
    fields["finished_at"] = timezone.now()
    fields["lease_expires_at"] = None
    return _with_database_retry(
        lambda number: _store_result(
            submission_id=submission_id, worker=submission.worker_id, fields=fields, number=number
        ),
        what=f"storing the grade of submission {submission_id}",
    )


def submission_reap_expired() -> int:
    """Give back submissions whose worker died: re-queue (or fail after too many tries) and enqueue.

    Also re-enqueues submissions left queued for longer than a lease (their enqueue was lost, e.g.
    the queue was down or flushed); grading is idempotent, so a duplicate task does nothing.
    Survives a dropped database connection like grading does.
    """
    return _with_database_retry(lambda _number: _reap_expired_once(), what="reaping expired leases")


def _reap_expired_once() -> int:
    now = timezone.now()
    requeued: list[int] = []
    with transaction.atomic():
        expired = list(
            Submission.objects.select_for_update()
            .filter(status=SubmissionStatus.RUNNING, lease_expires_at__lt=now)
            .values_list("pk", "claims", "kind")
        )
        for pk, claims, kind in expired:
            base = Submission.objects.filter(
                pk=pk, status=SubmissionStatus.RUNNING, lease_expires_at__lt=now
            )
            if claims >= max_claims():
                if base.update(
                    status=SubmissionStatus.FAILED,
                    finished_at=now,
                    lease_expires_at=None,
                    # Stored in English, shown in the reader's language (the |translated filter).
                    failure_reason=gettext_noop(
                        "Grading stopped several times before it could finish (the notebook may "
                        "exhaust the grader). Please check your code for endless loops or huge "
                        "outputs and submit again."
                    )
                    + (f" {not_an_attempt()}" if kind == SubmissionKind.SUBMIT else ""),
                ):
                    send_graded_on_commit(Submission.objects.get(pk=pk))
            elif base.update(
                status=SubmissionStatus.QUEUED, queued_at=now, worker_id="", lease_expires_at=None
            ):
                requeued.append(pk)
        stale = Submission.objects.filter(
            status=SubmissionStatus.QUEUED, queued_at__lt=now - timedelta(seconds=lease_seconds())
        )
        for pk in stale.values_list("pk", flat=True):
            stale.filter(pk=pk).update(queued_at=now)
            requeued.append(pk)
        for pk in requeued:
            enqueue_grading(pk)
    if requeued:
        logger.warning(
            "Re-queued %d submission(s) whose grading was lost: %s", len(requeued), requeued
        )
    return (
        len(expired) + len(requeued) - len(set(requeued) & {pk for pk, _claims, _kind in expired})
    )


def enqueue_grading(submission_id: int) -> None:
    """Queue the submission for a grading run once the current transaction commits."""
    from ..tasks import submission_grade_task

    transaction.on_commit(lambda: submission_grade_task.enqueue(submission_id=submission_id))
