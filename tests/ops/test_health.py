"""/healthz: database, queue and worker states, the 503 when serving is impossible, no secrets."""

import json
import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import override_settings
from django.utils import timezone

from ops.heartbeat import worker_heartbeat_record
from tests.ops.queued_tasks import wait_in_line

DATABASE_QUEUE = {
    "default": {
        "BACKEND": "django_tasks_db.backend.DatabaseBackend",
        "QUEUES": ["default", "grading", "certificates"],
    }
}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.django_db
def test_healthz_is_ok_with_a_recent_worker_heartbeat(client):
    beat = worker_heartbeat_record(worker_id="grader-1")

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "queue": "ok",
        "queue_backend": "inline",
        "queued_tasks": None,
        "worker": "ok",
        "worker_last_seen": beat.last_seen_at.isoformat(),
    }


@pytest.mark.django_db
def test_healthz_reports_a_missing_and_then_a_stale_worker_without_failing(client):
    missing = client.get("/healthz")
    worker_heartbeat_record(worker_id="grader-1", now=timezone.now() - timedelta(minutes=10))
    stale = client.get("/healthz")

    assert missing.status_code == 200
    assert missing.json()["worker"] == "missing"
    assert missing.json()["worker_last_seen"] is None
    assert stale.status_code == 200
    assert stale.json()["worker"] == "stale"


@override_settings(TASKS=DATABASE_QUEUE)
@pytest.mark.django_db
def test_healthz_counts_tasks_waiting_in_the_database_queue(client):
    wait_in_line.enqueue()
    wait_in_line.enqueue()
    worker_heartbeat_record(worker_id="db-worker-1")

    body = client.get("/healthz").json()

    assert body["queue_backend"] == "database"
    assert body["queue"] == "ok"
    assert body["queued_tasks"] == 2
    assert body["worker"] == "ok"


@override_settings(
    TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "grading"]}},
    RQ_QUEUES={
        name: {"URL": f"redis://127.0.0.1:{closed_port()}/0"} for name in ("default", "grading")
    },
)
@pytest.mark.django_db
def test_healthz_answers_503_when_the_redis_queue_is_unreachable(client):
    worker_heartbeat_record(worker_id="rq-worker-1")

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "ok",
        "queue": "down",
        "queue_backend": "rq",
        "queued_tasks": None,
        "worker": "ok",
        "worker_last_seen": response.json()["worker_last_seen"],
    }


@override_settings(TASKS=DATABASE_QUEUE)
@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "down",
        "queue": "down",
        "queue_backend": "database",
        "queued_tasks": None,
        "worker": "missing",
        "worker_last_seen": None,
    }


@override_settings(SECURE_SSL_REDIRECT=True)
@pytest.mark.django_db
def test_probes_by_address_over_plain_http_get_the_answer_not_a_redirect(client):
    response = client.get("/healthz", HTTP_HOST="10.0.3.7:8000")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_healthz_only_answers_reads(client):
    response = client.post("/healthz")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.django_db
def test_healthz_reveals_no_configuration(client):
    body = client.get("/healthz").content.decode()

    assert set(json.loads(body)) == {
        "status",
        "database",
        "queue",
        "queue_backend",
        "queued_tasks",
        "worker",
        "worker_last_seen",
    }
    assert settings.SECRET_KEY not in body
    assert str(settings.DATABASES["default"]["NAME"]) not in body
