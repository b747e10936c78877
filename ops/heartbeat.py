"""Worker heartbeats: how a background worker says "I am alive" and how /healthz reads it.

A worker process calls `worker_heartbeat_start(worker_id=...)` once at start-up; a daemon thread
then records a beat every PMA_WORKER_HEARTBEAT_SECONDS. The beat is a database row, not a cache
key, because the default cache is per process and the database is the one store every web and
worker process shares in every deployment. A thread (rather than the worker loop) beats so that a
worker busy on a long grading run is not reported as dead.
"""

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Max, TextChoices
from django.utils import timezone

from ops.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# Rows of workers that stopped long ago say nothing useful; keep the table small.
FORGET_AFTER = timedelta(days=2)


class WorkerState(TextChoices):
    OK = "ok", "A worker reported recently"
    STALE = "stale", "The last worker report is too old"
    MISSING = "missing", "No worker has ever reported"


def worker_heartbeat_record(*, worker_id: str, now: datetime | None = None) -> WorkerHeartbeat:
    """Record that the worker `worker_id` is alive now."""
    now = now or timezone.now()
    beat, _ = WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id[:128],
        defaults={"hostname": socket.gethostname()[:255], "pid": os.getpid(), "last_seen_at": now},
    )
    WorkerHeartbeat.objects.filter(last_seen_at__lt=now - FORGET_AFTER).delete()
    return beat


def worker_heartbeat_latest() -> datetime | None:
    """When any worker last reported, or None if none ever did (or all were forgotten)."""
    return WorkerHeartbeat.objects.aggregate(latest=Max("last_seen_at"))["latest"]


def worker_state(*, last_seen_at: datetime | None, now: datetime | None = None) -> WorkerState:
    """Classify a last-seen time against PMA_WORKER_HEARTBEAT_STALE_SECONDS."""
    if last_seen_at is None:
        return WorkerState.MISSING
    now = now or timezone.now()
    stale_after = timedelta(seconds=settings.PMA_WORKER_HEARTBEAT_STALE_SECONDS)
    return WorkerState.OK if now - last_seen_at <= stale_after else WorkerState.STALE


def worker_heartbeat_start(
    *, worker_id: str, interval_seconds: float | None = None
) -> threading.Event:
    """Beat now and then every `interval_seconds` from a daemon thread until the event is set."""
    interval = interval_seconds or settings.PMA_WORKER_HEARTBEAT_SECONDS
    stop = threading.Event()

    def beat_forever() -> None:
        while True:
            try:
                worker_heartbeat_record(worker_id=worker_id)
            except Exception:
                # A database blip must not kill the worker; /healthz shows the gap as "stale".
                logger.warning(
                    "Could not record the heartbeat of worker %s", worker_id, exc_info=True
                )
            finally:
                # This thread owns its own connection; do not hold it open between beats.
                connection.close()
            if stop.wait(interval):
                return

    threading.Thread(target=beat_forever, name=f"heartbeat-{worker_id}", daemon=True).start()
    return stop
