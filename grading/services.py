"""Writes of the grading app: validating exercise revisions, submissions, grading, overrides, regrades.

Every state change of a submission happens here. Views, tasks, admin hooks and commands call
these functions; `SubmissionRefused` carries the one sentence a learner reads when a request is
turned down, and a refused request stores nothing.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import secrets
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, F, Max, Q
from django.utils import formats, timezone

from exercises.format import NotebookRejected, SourceInvalid, load_notebook_bytes, parse_source
from exercises.format.loading import MAX_CELL_SOURCE_CHARS
from exercises.models import Exercise, ExerciseRevision, ScorePolicy, ValidationStatus
from exercises.services import exercise_revision_record_validation
from grading.engine.assemble import hidden_lines
from grading.engine.pipeline import grade_submission
from grading.engine.sandbox import SandboxUnavailable
from grading.engine.validate import validate_exercise

from .answer_outputs import answer_outputs_for_learner
from .kernels import grading_limits, grading_settings, kernel_provider
from .models import (
    GradeOverride,
    RegradeBatch,
    RegradeChange,
    RegradeStatus,
    Submission,
    SubmissionKind,
    SubmissionOrigin,
    SubmissionStatus,
)
from .signals import submission_graded

logger = logging.getLogger(__name__)

DEFAULT_MAX_UPLOAD_BYTES = 2 * 2**20
DEFAULT_RATE_LIMIT_PER_MINUTE = 6
DEFAULT_LEASE_SECONDS = 600
DEFAULT_MAX_CLAIMS = 3
# Seconds between tries when the database connection drops mid-grading: about 15 s in all,
# enough for a failover or a restarted PostgreSQL, short against the lease.
DEFAULT_DB_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
ANSWER_KINDS = ("answer", "manual_answer")

T = TypeVar("T")


class SubmissionRefused(Exception):
    """A submission or check turned down before anything was stored; str() is for the learner."""


#: The submissions that use up one of a learner's attempts: every submission (never a check)
#: except those the grader failed to grade (an internal error, the sandbox down, workers lost
#: again and again). Learner-caused outcomes (timeouts, memory, crashes, wrong values) are
#: graded verdicts and do count. A failed one counts again once an instructor scores it.
USES_AN_ATTEMPT = Q(kind=SubmissionKind.SUBMIT) & (~Q(status=SubmissionStatus.FAILED) | Q(override_score__isnull=False))
NOT_AN_ATTEMPT = "This did not use one of your attempts."


# Settings ---------------------------------------------------------------------------------


def max_upload_bytes() -> int:
    return int(grading_settings().get("MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def rate_limit_per_minute() -> int:
    return int(grading_settings().get("RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT_PER_MINUTE))


def lease_seconds() -> int:
    return int(grading_settings().get("LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def max_claims() -> int:
    return int(grading_settings().get("MAX_CLAIMS", DEFAULT_MAX_CLAIMS))


def db_retry_delays() -> tuple[float, ...]:
    return tuple(float(d) for d in grading_settings().get("DB_RETRY_DELAYS", DEFAULT_DB_RETRY_DELAYS))


def _megabytes(n: int) -> str:
    return f"{n / 2**20:.1f} MB"


# Exercise validation ------------------------------------------------------------------------


def exercise_revision_validate(*, revision: ExerciseRevision) -> ExerciseRevision:
    """Run the reference solution and the release notebook in the sandbox and store the verdict."""
    with revision.source.open("rb") as fh:
        data = fh.read()
    notebook = load_notebook_bytes(data, max_bytes=len(data) + 1)
    try:
        report = validate_exercise(notebook, kernels=kernel_provider(), limits=grading_limits())
    except SandboxUnavailable as exc:
        logger.error("Cannot validate %s: %s", revision, exc)
        return exercise_revision_record_validation(
            revision=revision, report=None, error=f"The grading sandbox is not available: {exc}"
        )
    return exercise_revision_record_validation(revision=revision, report=report.to_dict())


def exercise_revision_validate_later(*, revision: ExerciseRevision) -> None:
    """Enqueue validation once the revision is committed."""
    from .tasks import exercise_validate_task

    transaction.on_commit(lambda: exercise_validate_task.enqueue(revision_id=revision.pk))


def exercise_revision_revalidate(*, revision: ExerciseRevision) -> None:
    """An instructor asks again (e.g. after the sandbox was repaired): back to pending, then validate."""
    revision.validation_status = ValidationStatus.PENDING
    revision.save(update_fields=["validation_status"])
    exercise_revision_validate_later(revision=revision)


def exercise_attempt_policy_set(
    *,
    exercise: Exercise,
    max_attempts: int | None,
    cooldown_seconds: int,
    score_policy: str,
    due_at: Any | None,
) -> Exercise:
    """Set how often and until when learners may submit, and which attempt counts."""
    exercise.max_attempts = max_attempts
    exercise.cooldown_seconds = cooldown_seconds or 0
    exercise.score_policy = score_policy or ScorePolicy.BEST
    exercise.due_at = due_at
    exercise.save(update_fields=["max_attempts", "cooldown_seconds", "score_policy", "due_at", "updated_at"])
    return exercise


# Reading the exercise's notebooks -----------------------------------------------------------


def answer_grade_ids(*, revision: ExerciseRevision) -> list[str]:
    return [c["grade_id"] for c in revision.structure if c.get("kind") in ANSWER_KINDS and c.get("grade_id")]


def release_notebook_of(*, revision: ExerciseRevision) -> dict[str, Any]:
    with revision.release.open("rb") as fh:
        return json.loads(fh.read().decode("utf-8"))


def _cell_text(cell: Any) -> str:
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    return "".join(source) if isinstance(source, list) else str(source)


def _cell_grade_id(cell: Any) -> str:
    nbgrader = (cell.get("metadata") or {}).get("nbgrader") if isinstance(cell, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else ""


def release_answer_stubs(*, revision: ExerciseRevision) -> dict[str, str]:
    """The release notebook's text of each answer cell: what a learner starts from."""
    wanted = set(answer_grade_ids(revision=revision))
    return {
        _cell_grade_id(cell): _cell_text(cell)
        for cell in release_notebook_of(revision=revision).get("cells", [])
        if _cell_grade_id(cell) in wanted
    }


def notebook_answers(*, notebook: Any, revision: ExerciseRevision) -> dict[str, str]:
    """The answer cells of a learner's notebook (the first copy of each, as the grader takes it)."""
    wanted = set(answer_grade_ids(revision=revision))
    answers: dict[str, str] = {}
    for cell in notebook.get("cells", []):
        grade_id = _cell_grade_id(cell)
        if grade_id in wanted and grade_id not in answers:
            answers[grade_id] = _cell_text(cell)
    return answers


def _normalise(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


# Submitting -------------------------------------------------------------------------------


def _policy_check(*, learner: Any, exercise: Exercise, course_page_id: int | None, kind: str) -> int | None:
    """Refuse what the attempt policy forbids; the attempt number a submission would get."""
    now = timezone.now()
    if not exercise.is_ready:
        raise SubmissionRefused(
            "This exercise is not open yet: its notebook has not passed validation. Please try again later."
        )
    if exercise.due_at is not None and now > exercise.due_at:
        due = formats.date_format(timezone.localtime(exercise.due_at), "DATETIME_FORMAT")
        raise SubmissionRefused(
            f"This exercise was due on {due}; it no longer accepts submissions or checks."
        )
    mine = Submission.objects.filter(learner=learner, exercise=exercise, course_page_id=course_page_id)
    attempt = None
    if kind == SubmissionKind.SUBMIT:
        submits = mine.filter(kind=SubmissionKind.SUBMIT).aggregate(
            last=Max("attempt"), used=Count("pk", filter=USES_AN_ATTEMPT)
        )
        used = submits["used"]
        if exercise.max_attempts is not None and used >= exercise.max_attempts:
            counted = "best" if exercise.score_policy == ScorePolicy.BEST else "last"
            raise SubmissionRefused(
                f"You have used all {exercise.max_attempts} attempts at this exercise; your {counted} "
                "score is the one that counts. You can still check your answers."
            )
        # Numbers are never reused: a failed submission keeps its own, and the next one follows it.
        attempt = (submits["last"] or 0) + 1
    if exercise.cooldown_seconds:
        last = mine.order_by("-created_at").values_list("created_at", flat=True).first()
        if last is not None:
            wait = (last + timedelta(seconds=exercise.cooldown_seconds) - now).total_seconds()
            if wait > 0:
                raise SubmissionRefused(
                    f"Please wait {int(wait) + 1} more seconds before you check or submit this exercise again."
                )
    limit = rate_limit_per_minute()
    recent = list(
        Submission.objects.filter(learner=learner, created_at__gt=now - timedelta(minutes=1))
        .order_by("created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if limit and len(recent) >= limit:
        wait = int((recent[0] + timedelta(minutes=1) - now).total_seconds()) + 1
        raise SubmissionRefused(
            f"You have sent {limit} checks and submissions in the last minute, the most the graders "
            f"accept from one person. Please try again in {wait} seconds."
        )
    return attempt


def _notebook_from_upload(*, data: bytes, revision: ExerciseRevision, exercise: Exercise) -> tuple[Any, dict[str, str]]:
    limit = max_upload_bytes()
    if len(data) > limit:
        raise SubmissionRefused(
            f"The notebook is {_megabytes(len(data))}; uploads may be at most {_megabytes(limit)}. "
            "Clear its outputs (Kernel > Restart & Clear Output), save, and upload it again."
        )
    try:
        notebook = load_notebook_bytes(data, max_bytes=limit)
    except NotebookRejected as exc:
        raise SubmissionRefused(str(exc)) from None
    answers = notebook_answers(notebook=notebook, revision=revision)
    if not answers:
        raise SubmissionRefused(
            f"This notebook is not the one for the exercise '{exercise.title}': none of its answer "
            f"cells ({', '.join(answer_grade_ids(revision=revision))}) is in it. Download the exercise "
            "notebook from this page, work in that copy, and upload it."
        )
    return notebook, answers


def _notebook_from_answers(*, answers: Any, revision: ExerciseRevision) -> tuple[dict[str, Any], dict[str, str]]:
    wanted = answer_grade_ids(revision=revision)
    if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
        raise SubmissionRefused("The answers could not be read; reload the page and try again.")
    unknown = sorted(set(answers) - set(wanted))
    if unknown:
        raise SubmissionRefused(
            "The answers name cells this exercise does not have; reload the page and try again."
        )
    for grade_id, text in answers.items():
        if len(text) > MAX_CELL_SOURCE_CHARS:
            raise SubmissionRefused(
                f"The answer '{grade_id}' is {len(text)} characters long; at most "
                f"{MAX_CELL_SOURCE_CHARS} are accepted."
            )
    notebook = release_notebook_of(revision=revision)
    notebook = copy.deepcopy(notebook)
    for cell in notebook.get("cells", []):
        grade_id = _cell_grade_id(cell)
        if grade_id in answers:
            # The browser sends CRLF line endings; notebooks use LF.
            cell["source"] = answers[grade_id].replace("\r\n", "\n")
    final = {gid: answers[gid].replace("\r\n", "\n") for gid in wanted if gid in answers}
    return notebook, final


def submission_create(
    *,
    learner: Any,
    exercise: Exercise,
    course_page: Any | None,
    data: bytes | None = None,
    answers: dict[str, str] | None = None,
    kind: str,
) -> Submission:
    """Check the policy and the notebook, store the submission, and enqueue grading on commit.

    `data` is an uploaded .ipynb; `answers` (grade_id → text) comes from the in-browser
    editor. Exactly one of them is given. Raises SubmissionRefused (nothing stored).
    """
    if kind not in SubmissionKind.values:
        raise SubmissionRefused("Choose Check or Submit.")
    if (data is None) == (answers is None):
        raise SubmissionRefused("Upload your notebook or write your answers in the editor, not both.")
    revision = exercise.current_revision
    if revision is None or not exercise.is_ready:
        raise SubmissionRefused(
            "This exercise is not open yet: its notebook has not passed validation. Please try again later."
        )
    if data is not None:
        notebook, final_answers = _notebook_from_upload(data=data, revision=revision, exercise=exercise)
        origin = SubmissionOrigin.UPLOAD
    else:
        notebook, final_answers = _notebook_from_answers(answers=answers, revision=revision)
        origin = SubmissionOrigin.EDITOR
    stubs = release_answer_stubs(revision=revision)
    if all(_normalise(final_answers.get(gid, stubs[gid])) == _normalise(stubs[gid]) for gid in stubs):
        raise SubmissionRefused(
            "None of the answer cells has been changed from the exercise notebook yet; write your "
            "answers first."
        )
    stored = data if data is not None else (json.dumps(notebook, indent=1, ensure_ascii=False) + "\n").encode()
    course_page_id = course_page.pk if course_page is not None else None

    try:
        with transaction.atomic():
            # Serialise one learner's requests, so two at once cannot both pass the policy.
            get_user_model().objects.select_for_update().filter(pk=learner.pk).first()
            attempt = _policy_check(learner=learner, exercise=exercise, course_page_id=course_page_id, kind=kind)
            now = timezone.now()
            submission = Submission(
                learner=learner,
                exercise=exercise,
                revision=revision,
                course_page_id=course_page_id,
                kind=kind,
                origin=origin,
                status=SubmissionStatus.QUEUED,
                notebook_sha256=hashlib.sha256(stored).hexdigest(),
                answers=final_answers,
                seed=secrets.randbelow(2**31),
                attempt=attempt,
                created_at=now,
                queued_at=now,
                max_score=revision.max_score,
            )
            submission.notebook.save("submission.ipynb", ContentFile(stored), save=False)
            submission.save()
            _enqueue_on_commit(submission.pk)
    except IntegrityError:
        # A concurrent request took the same attempt number.
        raise SubmissionRefused("Another submission was being saved at the same moment; please try again.") from None
    return submission


def _enqueue_on_commit(submission_id: int) -> None:
    from .tasks import submission_grade_task

    transaction.on_commit(lambda: submission_grade_task.enqueue(submission_id=submission_id))


# Grading ----------------------------------------------------------------------------------


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
                what, number, len(delays) + 1, delay, exc,
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
        return number > 1 and Submission.objects.filter(
            pk=submission_id, status=SubmissionStatus.RUNNING, worker_id=worker[:200]
        ).exists()

    return _with_database_retry(claim, what=f"claiming submission {submission_id}")


def _failed(submission: Submission, reason: str) -> dict[str, Any]:
    """Fields of a run that reached no verdict; the reason is for the learner."""
    if submission.kind == SubmissionKind.SUBMIT:
        reason = f"{reason} {NOT_AN_ATTEMPT}"
    return {"status": SubmissionStatus.FAILED, "failure_reason": reason}


def in_kernel_tests(revision: ExerciseRevision) -> frozenset[str]:
    """The test cells validation found the judge cannot run; every other test runs in the judge."""
    return frozenset((revision.validation_report or {}).get("in_kernel_tests", []))


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
    except (NotebookRejected, SourceInvalid) as exc:
        logger.error("The source of %s cannot be parsed: %s", submission.revision, exc)
        return _failed(submission, "The exercise's source notebook could not be read; an instructor has to fix it.")
    with submission.notebook.open("rb") as fh:
        data = fh.read()
    try:
        notebook = load_notebook_bytes(data, max_bytes=len(data) + 1)
    except NotebookRejected as exc:
        return _failed(submission, str(exc))
    try:
        report = grade_submission(source, notebook, kernels=kernel_provider(), limits=grading_limits(),
                                  seed=submission.seed,
                                  mode="check" if submission.kind == SubmissionKind.CHECK else "submit",
                                  in_kernel=in_kernel_tests(submission.revision))
    except SandboxUnavailable as exc:
        logger.error("Grading sandbox unavailable for submission %s: %s", submission.pk, exc)
        return _failed(submission, "The grading sandbox is not available right now, so your notebook could not "
                                   "be run. Nothing is wrong with your work; please submit again later.")
    except Exception:  # the learner gets a sentence; the traceback goes to the operator's log
        logger.exception("Grading submission %s failed", submission.pk)
        return _failed(submission, "The grader stopped with an internal error while running your notebook, so "
                                   "it was not graded. The team has been told; please submit again.")
    result = report.to_dict()
    return {
        "status": SubmissionStatus.GRADED,
        "report": result,
        "score": max(float(report.score), 0.0),
        "max_score": float(report.max_score),
        "needs_review": bool(result["needs_review"]),
        # The engine kept at most Limits.output_bytes of the run's output; what is stored is
        # smaller still (TEXT_CHARS_PER_CELL a cell).
        "outputs": answer_outputs_for_learner(report.answer_outputs, hidden=hidden_lines(source)),
        "failure_reason": "",
    }


def _send_graded_on_commit(submission: Submission) -> None:
    transaction.on_commit(lambda: submission_graded.send(sender=Submission, submission=submission))


def _store_result(*, submission_id: int, worker: str, fields: dict[str, Any], number: int) -> Submission:
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
        if stored or landed_earlier:
            _send_graded_on_commit(submission)
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
        lambda _number: Submission.objects.select_related("revision", "exercise").get(pk=submission_id),
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
            base = Submission.objects.filter(pk=pk, status=SubmissionStatus.RUNNING, lease_expires_at__lt=now)
            if claims >= max_claims():
                if base.update(
                    status=SubmissionStatus.FAILED,
                    finished_at=now,
                    lease_expires_at=None,
                    failure_reason="Grading stopped several times before it could finish (the notebook may "
                    "exhaust the grader). Please check your code for endless loops or huge outputs and "
                    "submit again." + (f" {NOT_AN_ATTEMPT}" if kind == SubmissionKind.SUBMIT else ""),
                ):
                    _send_graded_on_commit(Submission.objects.get(pk=pk))
            elif base.update(status=SubmissionStatus.QUEUED, queued_at=now, worker_id="", lease_expires_at=None):
                requeued.append(pk)
        stale = Submission.objects.filter(
            status=SubmissionStatus.QUEUED, queued_at__lt=now - timedelta(seconds=lease_seconds())
        )
        for pk in stale.values_list("pk", flat=True):
            stale.filter(pk=pk).update(queued_at=now)
            requeued.append(pk)
        for pk in requeued:
            _enqueue_on_commit(pk)
    if requeued:
        logger.warning("Re-queued %d submission(s) whose grading was lost: %s", len(requeued), requeued)
    return len(expired) + len(requeued) - len(set(requeued) & {pk for pk, _claims, _kind in expired})


# Overrides and regrades ---------------------------------------------------------------------


@transaction.atomic
def grade_override(*, submission: Submission, new_score: float, reason: str, by: Any) -> GradeOverride:
    """Set the score that counts for a graded submission, with the reason on the audit trail."""
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    reason = (reason or "").strip()
    if submission.kind != SubmissionKind.SUBMIT:
        raise SubmissionRefused("Checks do not count, so their grade cannot be overridden.")
    if submission.status not in (SubmissionStatus.GRADED, SubmissionStatus.FAILED):
        raise SubmissionRefused("Wait until the submission has been graded before overriding its grade.")
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
    _send_graded_on_commit(submission)
    return override


def _regrade_batch_create(*, exercise: Exercise, submissions: list[Submission], by: Any) -> RegradeBatch:
    revision = exercise.current_revision
    if revision is None or not exercise.is_ready:
        raise SubmissionRefused("The exercise has no validated revision to regrade against.")
    if not submissions:
        raise SubmissionRefused("There is nothing to regrade: no submission has been made yet.")
    busy = [s for s in submissions if s.status in (SubmissionStatus.QUEUED, SubmissionStatus.RUNNING)]
    if len(submissions) == 1 and busy:
        raise SubmissionRefused("This submission is still being graded; regrade it once it has finished.")
    batch = RegradeBatch.objects.create(
        exercise=exercise,
        revision=revision,
        requested_by=by,
        total=len(submissions),
        created_at=timezone.now(),
    )
    RegradeChange.objects.bulk_create(
        RegradeChange(batch=batch, submission=s, old_revision_id=s.revision_id, old_status=s.status,
                      old_score=s.score, old_report=s.report)
        for s in submissions
    )
    from .tasks import regrade_batch_task

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
    finished = Submission.objects.filter(exercise=exercise, kind=SubmissionKind.SUBMIT).exclude(
        status__in=[SubmissionStatus.QUEUED, SubmissionStatus.RUNNING]
    )
    if course_page_ids is not None:
        finished = finished.filter(course_page_id__in=course_page_ids)
    return _regrade_batch_create(exercise=exercise, submissions=list(finished.order_by("pk")), by=by)


@transaction.atomic
def submission_regrade(*, submission: Submission, by: Any) -> RegradeBatch:
    """Regrade one submission against its exercise's current revision, in the background."""
    if submission.kind != SubmissionKind.SUBMIT:
        raise SubmissionRefused("Checks are not regraded; only submissions count.")
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
        ).update(revision=batch.revision, status=SubmissionStatus.QUEUED, queued_at=timezone.now(),
                 max_score=batch.revision.max_score)
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


__all__ = [
    "NOT_AN_ATTEMPT",
    "USES_AN_ATTEMPT",
    "SubmissionRefused",
    "exercise_regrade",
    "exercise_revision_revalidate",
    "exercise_revision_validate",
    "exercise_revision_validate_later",
    "grade_override",
    "max_upload_bytes",
    "regrade_batch_run",
    "db_retry_delays",
    "submission_create",
    "submission_grade",
    "submission_reap_expired",
    "submission_regrade",
]
