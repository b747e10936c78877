"""manage.py grading_reaper [--interval S] [--once]: give back grading work whose worker died.

Runs beside the task workers (see docs/operations.md, "Background work and grading"): a
submission whose lease expired is queued and enqueued again, one whose enqueue was lost is
enqueued again. Safe to run on several hosts at once; grading itself is idempotent. The loop
outlives an unreachable database or queue: it logs the error and sweeps again next time.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand

from grading.services import submission_reap_expired
from ops.loop import run_periodically

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Re-queue submissions whose grading worker died (expired lease); loop until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval", type=float, default=30.0, help="seconds between sweeps (default 30)"
        )
        parser.add_argument("--once", action="store_true", help="sweep once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        def sweep() -> None:
            count = submission_reap_expired()
            if count or options["verbosity"] > 1:
                self.stdout.write(f"Re-queued {count} submission(s).")

        # Any error, a database or a Redis outage alike, is logged and the loop goes on.
        run_periodically(
            sweep,
            interval=options["interval"],
            once=options["once"],
            logger=logger,
            label="Reaper sweep",
        )
