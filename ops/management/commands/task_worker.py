"""manage.py task_worker: django-tasks-db's db_worker that also records a heartbeat for /healthz.

Takes exactly db_worker's options (`--queue-name '*'`, `--batch`, `--worker-id` …).
"""

from __future__ import annotations

import os
import socket
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from ops.heartbeat import worker_heartbeat_start


class Command(DbWorkerCommand):
    help = "Run the database task worker and record a heartbeat that /healthz reports."

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options.get("worker_id") or f"{socket.gethostname()}-{os.getpid()}"
        stop = worker_heartbeat_start(worker_id=f"db_worker:{worker_id}")
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
