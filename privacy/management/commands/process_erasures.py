"""manage.py process_erasures [--interval S] [--once]: erase the accounts whose grace period has
ended, and delete the files of expired data exports.

Run it from cron or systemd (deploy/systemd/pm-academy-privacy.service, docs/privacy.md), or
once with --once. Safe on several hosts at once: each request is locked and processed once.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand

from ops.loop import run_periodically
from privacy.erasure import erasures_process_due
from privacy.services import exports_clean_up

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Erase accounts whose grace period has ended and delete expired exports; loop until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--interval", type=float, default=3600.0, help="seconds between scans (default 3600)"
        )
        parser.add_argument("--once", action="store_true", help="scan once and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        def sweep() -> None:
            result = erasures_process_due()
            deleted = exports_clean_up()
            if result["processed"] or result["failed"] or deleted or options["verbosity"] > 1:
                self.stdout.write(
                    f"Erased {result['processed']} account(s), {result['failed']} failed; "
                    f"deleted {deleted} expired export(s)."
                )

        run_periodically(
            sweep,
            interval=options["interval"],
            once=options["once"],
            logger=logger,
            label="Privacy scan",
        )
