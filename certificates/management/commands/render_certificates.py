"""manage.py render_certificates [--code CODE] [--once] [--interval S]: produce missing PDFs.

Renders certificates whose PDFs failed (a full disk, an unreachable bucket) once their retry is
due, and those whose render task was lost. Run it beside the workers like `grading_reaper`, or
from cron with --once; --code renders one certificate now, whatever its schedule.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from ops.loop import run_periodically

from ...models import PdfStatus
from ...selectors import certificate_by_code
from ...services import certificate_render, certificates_render_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Render certificate PDFs that failed or were never produced; loop until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--code", help="render this certificate now and exit")
        parser.add_argument("--once", action="store_true", help="sweep once and exit")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="seconds between sweeps (default 60)"
        )
        parser.add_argument(
            "--batch", type=int, default=20, help="certificates per sweep (default 20)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["code"]:
            self._render_one(options["code"])
            return

        def sweep() -> None:
            ready = certificates_render_due(limit=options["batch"])
            if ready or options["verbosity"] > 1:
                self.stdout.write(f"Rendered {ready} certificate(s).")

        # Only a database outage is waited out; a bug in rendering ends the command.
        run_periodically(
            sweep,
            interval=options["interval"],
            once=options["once"],
            logger=logger,
            label="Certificate render sweep",
            recoverable=(DatabaseError,),
        )

    def _render_one(self, code: str) -> None:
        certificate = certificate_by_code(code=code)
        if certificate is None:
            raise CommandError(f"No certificate with the code {code!r}.")
        certificate = certificate_render(certificate=certificate)
        if certificate.pdf_status != PdfStatus.READY:
            raise CommandError(f"{certificate.code}: {certificate.render_error}")
        self.stdout.write(self.style.SUCCESS(f"Rendered {certificate.code}."))
