"""manage.py task_worker: the database worker, plus the heartbeat /healthz reads."""

import threading

from django.core.management import call_command
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from ops.management.commands import task_worker


def test_the_worker_beats_while_it_runs_and_stops_beating_when_it_ends(monkeypatch, settings):
    # db_worker accepts only a database backend, as `make run` configures it.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend", "QUEUES": ["grading"]}
    }
    started: list[str] = []
    stop = threading.Event()
    seen_while_running: list[bool] = []

    def fake_start(*, worker_id):
        started.append(worker_id)
        return stop

    def fake_db_worker(self, *args, **options):
        seen_while_running.append(stop.is_set())
        assert options["queue_name"] == "grading"

    monkeypatch.setattr(task_worker, "worker_heartbeat_start", fake_start)
    monkeypatch.setattr(DbWorkerCommand, "handle", fake_db_worker)

    call_command("task_worker", "--queue-name", "grading", "--worker-id", "w1")

    assert started == ["db_worker:w1"]
    assert seen_while_running == [False]
    assert stop.is_set()
