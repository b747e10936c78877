"""manage.py notify_due_soon [--interval S] [--once]: remind learners of exercises due within
48 hours that they have not submitted, and retry e-mails that failed.

Runs beside the task workers (docs/operations.md, "Notifications and e-mail"). Safe to run on
several hosts at once and as often as you like: each learner is told once per exercise and due
date. The loop outlives an unreachable database or mail server: it logs and sweeps again later.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand

from announcements.due_soon import due_soon_notify
from notifications.services import emails_retry_due
from ops.loop import run_periodically

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Remind learners of exercises due within 48 hours; loop until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval", type=float, default=600.0, help="seconds between scans (default 600)"
        )
        parser.add_argument("--once", action="store_true", help="scan once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        def sweep() -> None:
            told = due_soon_notify()
            retried = emails_retry_due(limit=500)
            if told or retried or options["verbosity"] > 1:
                self.stdout.write(
                    f"Reminded {told} learner(s); retried {sum(retried.values())} e-mail(s)."
                )

        run_periodically(
            sweep,
            interval=options["interval"],
            once=options["once"],
            logger=logger,
            label="Due-date scan",
        )
