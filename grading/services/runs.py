"""Running a notebook up to a cell without using an attempt: the request checked (exercise open,
answers, the per-learner rate), stored, queued on the ``runs`` queue, then run in a sandboxed
single-use kernel by a runs worker, and the outputs stored.

A run is scratch work: no score, no verdict, never a Submission, never an attempt. Runs never delay grading:
they have their own queue (``runs``) served by their own worker at a lower CPU priority
(scripts/run.sh, docs/operations.md), their own kernel provider and limits (a tenth of a graded
kernel's CPU weight), and a run waits while submissions wait for a grader (``yield_to_grading``).
Only the last ``KEPT`` runs of each learner's exercise are kept.

Enrolment is checked one level up, in courses.run_views (grading cannot see enrolments).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import fields
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from exercises.format import NotebookRejected, SourceInvalid, load_notebook_bytes, parse_source
from exercises.format.loading import MAX_CELL_SOURCE_CHARS
from exercises.models import Exercise, ExerciseRevision
from exercises.translated import translated_message
from grading.engine.execute import Verdict
from grading.engine.limits import Limits
from grading.engine.notebook_run import SubmitOnlyTests, run_notebook, submit_only_tests
from grading.engine.sandbox import SandboxUnavailable
from grading.engine.sandbox.files import with_files
from grading.engine.sandbox.pool import ColdKernels, KernelPool, KernelProvider

from ..answer_outputs import cell_outputs_for_learner
from ..attempts import not_open_yet
from ..kernels import grading_settings, kernel_launcher_setting, unsafe_local_mode
from ..models import RUN_ACTIVE_STATUSES, NotebookRun, RunStatus, Submission, SubmissionStatus
from .exercises import revision_kernel_files
from .notebooks import answer_grade_ids, release_notebook_of

logger = logging.getLogger(__name__)

#: settings.PMA_GRADING["RUNS"] keys and their defaults.
DEFAULTS: dict[str, Any] = {
    # Runs one learner may start per minute, over all exercises.
    "PER_MINUTE": 6,
    # Runs kept per learner and exercise; older ones are deleted.
    "KEPT": 10,
    # A run still queued or running after this many seconds was lost (its worker stopped).
    "STALE_SECONDS": 300,
    # While submissions wait for a grader, a run waits too, for at most this many seconds.
    "YIELD_SECONDS": 10.0,
    # Pre-started kernels per runs worker process.
    "POOL_SIZE": 1,
    # Limits fields over grading's own: a run is shorter, takes at most half a core, and weighs
    # a tenth of a graded submission when the CPUs are contended.
    "LIMITS": {"wall_timeout_s": 30.0, "cpu_quota": 0.5, "cpu_weight": 10},
}

YIELD_POLL_S = 0.25

_lock = threading.Lock()
_provider: KernelProvider | None = None


class RunRefused(Exception):
    """A run turned down before anything was stored; str() is the sentence the learner reads.

    ``too_many`` marks the rate limit (HTTP 429)."""

    def __init__(self, message: str, *, too_many: bool = False) -> None:
        super().__init__(translated_message(message))
        self.too_many = too_many


def run_settings() -> dict[str, Any]:
    configured = grading_settings().get("RUNS") or {}
    return {**DEFAULTS, **configured}


def run_limits() -> Limits:
    """Grading's limits (PMA_GRADING["LIMITS"]) with the runs' own overrides on top."""
    known = {f.name for f in fields(Limits)}
    overrides = {
        **(grading_settings().get("LIMITS") or {}),
        **(run_settings().get("LIMITS") or {}),
    }
    unknown = set(overrides) - known
    if unknown:
        raise ValueError(f"Unknown limits in PMA_GRADING: {', '.join(sorted(unknown))}")
    return Limits(**overrides)


def run_kernel_provider() -> KernelProvider:
    """The process's kernel provider for runs (apart from grading's, with the runs' limits)."""
    global _provider
    with _lock:
        if _provider is None:
            size = int(run_settings().get("POOL_SIZE", 0))
            limits = run_limits()
            unsafe, launcher = unsafe_local_mode(), kernel_launcher_setting()
            _provider = (
                KernelPool(limits, size=size, unsafe_local=unsafe, launcher=launcher)
                if size > 0
                else ColdKernels(limits, unsafe_local=unsafe, launcher=launcher)
            )
        return _provider


def run_kernel_provider_close() -> None:
    global _provider
    with _lock:
        if _provider is not None:
            _provider.close()
            _provider = None


atexit.register(run_kernel_provider_close)


# --- Requesting a run -----------------------------------------------------------------------------


def _clean_answers(*, answers: Any, revision: ExerciseRevision) -> dict[str, str]:
    """The learner's answers for the revision's answer cells only, each bounded."""
    if not isinstance(answers, dict) or not all(isinstance(v, str) for v in answers.values()):
        raise RunRefused(_("The answers could not be read; reload the page and try again."))
    wanted = answer_grade_ids(revision=revision)
    for grade_id, text in answers.items():
        if len(text) > MAX_CELL_SOURCE_CHARS:
            raise RunRefused(
                _("The answer '%(cell)s' is %(n)s characters long; at most %(max)s are accepted.")
                % {"cell": grade_id, "n": len(text), "max": MAX_CELL_SOURCE_CHARS}
            )
    return {gid: answers[gid].replace("\r\n", "\n") for gid in wanted if gid in answers}


def _cell_count(revision: ExerciseRevision) -> int:
    return len(revision.structure or [])


def _rate_check(*, learner: Any, now: Any) -> None:
    """One run at a time per learner, and at most PER_MINUTE a minute."""
    settings = run_settings()
    mine = NotebookRun.objects.filter(learner=learner)
    stale_before = now - timedelta(seconds=int(settings["STALE_SECONDS"]))
    # A run whose worker stopped would hold the learner back for ever: mark it lost first.
    mine.filter(status__in=RUN_ACTIVE_STATUSES, created_at__lt=stale_before).update(
        status=RunStatus.FAILED,
        finished_at=now,
        message=gettext_noop("This run was lost before it finished; please run again."),
    )
    if mine.filter(status__in=RUN_ACTIVE_STATUSES).exists():
        raise RunRefused(
            _("Your previous run is still going; wait for it to finish, then run again."),
            too_many=True,
        )
    limit = int(settings["PER_MINUTE"])
    recent = list(
        mine.filter(created_at__gt=now - timedelta(minutes=1))
        .order_by("created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if limit and len(recent) >= limit:
        wait = int((recent[0] + timedelta(minutes=1) - now).total_seconds()) + 1
        raise RunRefused(
            _(
                "You have started %(limit)s runs in the last minute, the most the runners accept "
                "from one person. Please run again in %(wait)s seconds."
            )
            % {"limit": limit, "wait": wait},
            too_many=True,
        )


def _prune(*, learner: Any, exercise: Exercise) -> None:
    """Keep the learner's last KEPT runs of the exercise (those still going are never deleted)."""
    kept = int(run_settings()["KEPT"])
    mine = NotebookRun.objects.filter(learner=learner, exercise=exercise)
    keep = list(mine.order_by("-created_at", "-pk").values_list("pk", flat=True)[:kept])
    mine.exclude(pk__in=keep).exclude(status__in=RUN_ACTIVE_STATUSES).delete()


def notebook_run_create(
    *, learner: Any, exercise: Exercise, course_page: Any | None, answers: Any, up_to: Any
) -> NotebookRun:
    """Check the request, store the run and queue it on the ``runs`` queue on commit.

    Raises RunRefused (nothing stored). Never creates a Submission, never uses an attempt.
    """
    revision = exercise.current_revision
    if revision is None or not exercise.is_ready:
        raise RunRefused(not_open_yet())
    try:
        position = int(up_to)
    except (TypeError, ValueError):
        position = -1
    if not 0 <= position < _cell_count(revision):
        raise RunRefused(
            _("Choose a cell of this exercise to run to; reload the page and try again.")
        )
    final_answers = _clean_answers(answers=answers, revision=revision)
    with transaction.atomic():
        # Serialise one learner's requests, so two at once cannot both pass the rate check.
        get_user_model().objects.select_for_update().filter(pk=learner.pk).first()
        now = timezone.now()
        _rate_check(learner=learner, now=now)
        run = NotebookRun.objects.create(
            learner=learner,
            exercise=exercise,
            revision=revision,
            course_page_id=course_page.pk if course_page is not None else None,
            up_to=position,
            answers=final_answers,
            status=RunStatus.QUEUED,
            created_at=now,
        )
        _prune(learner=learner, exercise=exercise)
        enqueue_run(run.pk)
    return run


def enqueue_run(run_id: int) -> None:
    """Queue the run on the runs queue once the current transaction commits."""
    from ..tasks import notebook_run_task

    transaction.on_commit(lambda: notebook_run_task.enqueue(run_id=run_id))


# --- Running it -----------------------------------------------------------------------------------


def _claim(*, run_id: int, worker: str) -> bool:
    """queued → running, for exactly one worker: a conditional UPDATE, not a read-then-write."""
    return (
        NotebookRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
            status=RunStatus.RUNNING, started_at=timezone.now(), worker_id=worker[:200]
        )
        == 1
    )


def _execute(run: NotebookRun) -> dict[str, Any]:
    """The fields a finished run sets. Its message is stored in English (gettext_noop) and shown in
    the reader's language (the ``translated`` template filter), whoever ran it in which language."""
    revision = run.revision
    try:
        report = run_notebook(
            release_notebook_of(revision=revision),
            dict(run.answers or {}),
            answer_ids=set(answer_grade_ids(revision=revision)),
            up_to=run.up_to,
            kernels=with_files(run_kernel_provider(), revision_kernel_files(revision=revision)),
            limits=run_limits(),
        )
    except SandboxUnavailable as exc:
        logger.error("Sandbox unavailable for notebook run %s: %s", run.pk, exc)
        return {
            "status": RunStatus.FAILED,
            "message": gettext_noop(
                "The sandbox is not available right now; please run again later."
            ),
        }
    except Exception:  # the learner gets a sentence; the traceback goes to the operator's log
        logger.exception("Notebook run %s failed", run.pk)
        return {
            "status": RunStatus.FAILED,
            "message": gettext_noop("The runner stopped with an internal error; please run again."),
        }
    outputs = [
        {
            "cell": cell.index,
            "status": cell.status,
            "items": cell_outputs_for_learner(cell.outputs, hidden=[]),
        }
        for cell in report.cells
    ]
    status = RunStatus.TIMED_OUT if report.verdict is Verdict.TIMEOUT else RunStatus.DONE
    return {"status": status, "outputs": outputs, "message": report.message}


def grading_backlog() -> bool:
    """Submissions are waiting for a grader: every grading worker is busy."""
    return Submission.objects.filter(status=SubmissionStatus.QUEUED).exists()


def yield_to_grading(
    *,
    backlog: Callable[[], bool] = grading_backlog,
    sleep: Callable[[float], None] = time.sleep,
) -> float:
    """Wait while submissions wait for a grader, at most YIELD_SECONDS; the seconds waited.

    Grading comes first: a run starts only when no submission is waiting (or after the longest
    wait, so a run is late, never lost, when grading stays saturated)."""
    longest = float(run_settings()["YIELD_SECONDS"])
    waited = 0.0
    while waited < longest and backlog():
        sleep(YIELD_POLL_S)
        waited += YIELD_POLL_S
    return waited


def notebook_run_execute(*, run_id: int, worker: str) -> NotebookRun:
    """Run one queued run: queued → running → done, timed out or failed; idempotent.

    It first gives way to grading (``yield_to_grading``) while it is still queued."""
    if not NotebookRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).exists():
        return NotebookRun.objects.get(pk=run_id)
    yield_to_grading()
    if not _claim(run_id=run_id, worker=worker):
        return NotebookRun.objects.get(pk=run_id)
    run = NotebookRun.objects.select_related("revision").get(pk=run_id)
    fields_ = _execute(run)
    fields_["finished_at"] = timezone.now()
    NotebookRun.objects.filter(pk=run_id, status=RunStatus.RUNNING, worker_id=run.worker_id).update(
        **fields_
    )
    return NotebookRun.objects.get(pk=run_id)


# --- What the page shows --------------------------------------------------------------------------


def learner_run(*, learner: Any, run_id: int) -> NotebookRun | None:
    """The learner's own run, or None (someone else's run is as good as missing)."""
    if not learner.is_authenticated:
        return None
    return NotebookRun.objects.filter(pk=run_id, learner=learner).first()


def run_is_stale(run: NotebookRun) -> bool:
    """Still queued or running long after it should have finished: its worker stopped."""
    if run.is_done:
        return False
    stale = timedelta(seconds=int(run_settings()["STALE_SECONDS"]))
    return run.created_at < timezone.now() - stale


def revision_submit_only_tests(*, revision: ExerciseRevision) -> SubmitOnlyTests | None:
    """How many tests (and points) run only on Submit, read once per revision from its source."""
    key = f"pma-submit-only-tests-{revision.pk}-{revision.source_sha256}"
    cached = cache.get(key)
    if cached is not None:
        return cached if isinstance(cached, SubmitOnlyTests) else None
    try:
        with revision.source.open("rb") as fh:
            data = fh.read()
        summary = submit_only_tests(
            parse_source(load_notebook_bytes(data, max_bytes=len(data) + 1))
        )
    except (OSError, NotebookRejected, SourceInvalid):
        logger.warning("Could not count the hidden tests of %s", revision)
        return None
    cache.set(key, summary, None)
    return summary
