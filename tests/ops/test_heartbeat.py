"""Worker heartbeats: one row per worker, refreshed in place, read as ok/stale/missing."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from ops import heartbeat
from ops.heartbeat import (
    WorkerState,
    worker_heartbeat_latest,
    worker_heartbeat_record,
    worker_heartbeat_start,
    worker_state,
)
from ops.models import WorkerHeartbeat

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_worker_refreshes_its_own_row_and_the_latest_beat_wins():
    worker_heartbeat_record(worker_id="grader-a", now=NOON)
    worker_heartbeat_record(worker_id="grader-b", now=NOON + timedelta(seconds=5))
    worker_heartbeat_record(worker_id="grader-a", now=NOON + timedelta(seconds=30))

    rows = {beat.worker_id: beat.last_seen_at for beat in WorkerHeartbeat.objects.all()}
    assert rows == {
        "grader-a": NOON + timedelta(seconds=30),
        "grader-b": NOON + timedelta(seconds=5),
    }
    assert worker_heartbeat_latest() == NOON + timedelta(seconds=30)


@pytest.mark.django_db
def test_workers_silent_for_days_are_forgotten():
    worker_heartbeat_record(worker_id="retired", now=NOON - timedelta(days=3))
    worker_heartbeat_record(worker_id="current", now=NOON)

    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == ["current"]


@pytest.mark.django_db
def test_no_beat_at_all_means_missing():
    assert worker_heartbeat_latest() is None
    assert worker_state(last_seen_at=None) == WorkerState.MISSING


def test_a_beat_is_stale_after_the_configured_seconds(settings):
    settings.PMA_WORKER_HEARTBEAT_STALE_SECONDS = 120

    fresh = worker_state(last_seen_at=NOON, now=NOON + timedelta(seconds=120))
    stale = worker_state(last_seen_at=NOON, now=NOON + timedelta(seconds=121))

    assert fresh == WorkerState.OK
    assert stale == WorkerState.STALE


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_background_heartbeat_records_until_stopped(monkeypatch):
    real_record = heartbeat.worker_heartbeat_record
    beats: list[datetime] = []
    two_beats = threading.Event()

    def record_twice(*, worker_id: str):
        # Later beats skip the database so the test's reads never meet a write in progress.
        if len(beats) < 2:
            beats.append(real_record(worker_id=worker_id).last_seen_at)
            if len(beats) == 2:
                two_beats.set()

    monkeypatch.setattr(heartbeat, "worker_heartbeat_record", record_twice)

    stop = worker_heartbeat_start(worker_id="db-worker-7", interval_seconds=0.05)
    try:
        assert two_beats.wait(timeout=10)
    finally:
        stop.set()

    beat = WorkerHeartbeat.objects.get(worker_id="db-worker-7")
    assert beats[1] > beats[0]
    assert beat.last_seen_at == beats[1]
    assert beat.pid is not None
    assert beat.hostname != ""
