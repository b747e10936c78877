"""What /healthz reports: can this process reach its database, its task queue, and is a worker alive?

Every check catches its own failure and turns it into a state, so the health endpoint answers
even when everything behind it is down. Failure details go to the log, never into the response.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import connections
from django.db.models import TextChoices
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.backends.base import BaseTaskBackend

from ops.heartbeat import WorkerState, worker_heartbeat_latest, worker_state

logger = logging.getLogger(__name__)


class CheckState(TextChoices):
    OK = "ok", "Reachable"
    DOWN = "down", "Unreachable"


class QueueKind(TextChoices):
    DATABASE = "database", "Database queue (django-tasks-db)"
    RQ = "rq", "Redis queue (django-tasks-rq)"
    INLINE = "inline", "Tasks run inside the request (tests, development)"
    OTHER = "other", "A backend /healthz does not know how to check"


@dataclass(frozen=True)
class HealthReport:
    database: CheckState
    queue: CheckState
    queue_kind: QueueKind
    queued_tasks: int | None
    worker: WorkerState
    worker_last_seen_at: datetime | None

    @property
    def serving(self) -> bool:
        """The site can serve learners: its database and its queue answer."""
        return self.database == CheckState.OK and self.queue == CheckState.OK

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.serving else "unavailable",
            "database": self.database.value,
            "queue": self.queue.value,
            "queue_backend": self.queue_kind.value,
            "queued_tasks": self.queued_tasks,
            "worker": self.worker.value,
            "worker_last_seen": self.worker_last_seen_at.isoformat()
            if self.worker_last_seen_at
            else None,
        }


def database_check() -> CheckState:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        logger.warning("Health check: the database did not answer", exc_info=True)
        return CheckState.DOWN
    return CheckState.OK


def _backend() -> BaseTaskBackend:
    return task_backends[DEFAULT_TASK_BACKEND_ALIAS]


def queue_kind() -> QueueKind:
    backend_path = f"{type(_backend()).__module__}.{type(_backend()).__name__}"
    if backend_path.startswith("django_tasks_db."):
        return QueueKind.DATABASE
    if backend_path.startswith("django_tasks_rq."):
        return QueueKind.RQ
    if backend_path.startswith(
        ("django_tasks.backends.immediate.", "django_tasks.backends.dummy.")
    ):
        return QueueKind.INLINE
    return QueueKind.OTHER


def queue_check(*, kind: QueueKind) -> tuple[CheckState, int | None]:
    """Whether the queue answers, and how many tasks wait in it."""
    try:
        if kind == QueueKind.DATABASE:
            return CheckState.OK, _database_queue_depth()
        if kind == QueueKind.RQ:
            return CheckState.OK, _redis_queue_depth()
    except Exception:
        logger.warning(
            "Health check: the task queue (%s) did not answer", kind.value, exc_info=True
        )
        return CheckState.DOWN, None
    return CheckState.OK, None


def _database_queue_depth() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(backend_name=_backend().alias).count()


def _redis_queue_depth() -> int:
    import django_rq

    depth = 0
    for name in sorted(_backend().queues):
        queue = django_rq.get_queue(name)
        queue.connection.ping()
        depth += queue.count
    return depth


def _redis_worker_last_seen() -> datetime | None:
    """RQ workers keep their own heartbeat in Redis; use it so RQ needs no extra wiring."""
    import django_rq
    from rq import Worker

    seen = [
        worker.last_heartbeat
        for name in sorted(_backend().queues)
        for worker in Worker.all(queue=django_rq.get_queue(name))
        if worker.last_heartbeat is not None
    ]
    return max(seen, default=None)


def worker_last_seen(
    *, kind: QueueKind, database: CheckState, queue: CheckState
) -> datetime | None:
    candidates: list[datetime] = []
    if database == CheckState.OK:
        try:
            latest = worker_heartbeat_latest()
        except Exception:
            # The table may be missing before `migrate`; the database itself answered.
            logger.warning("Health check: could not read worker heartbeats", exc_info=True)
        else:
            if latest is not None:
                candidates.append(latest)
    if kind == QueueKind.RQ and queue == CheckState.OK:
        try:
            latest = _redis_worker_last_seen()
        except Exception:
            logger.warning("Health check: could not read RQ worker heartbeats", exc_info=True)
        else:
            if latest is not None:
                candidates.append(latest)
    return max(candidates, default=None)


def health_report(*, now: datetime | None = None) -> HealthReport:
    now = now or timezone.now()
    database = database_check()
    kind = queue_kind()
    if kind == QueueKind.DATABASE and database == CheckState.DOWN:
        # The database queue lives in the database: no need to time out twice.
        queue, queued = CheckState.DOWN, None
    else:
        queue, queued = queue_check(kind=kind)
    last_seen = worker_last_seen(kind=kind, database=database, queue=queue)
    return HealthReport(
        database=database,
        queue=queue,
        queue_kind=kind,
        queued_tasks=queued,
        worker=worker_state(last_seen_at=last_seen, now=now),
        worker_last_seen_at=last_seen,
    )
