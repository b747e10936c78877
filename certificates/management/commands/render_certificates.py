"""manage.py render_certificates [--code CODE] [--once] [--interval S]: produce missing PDFs.

Renders certificates whose PDFs failed (a full disk, an unreachable bucket) once their retry is
due, and those whose render task was lost. Run it beside the workers like `grading_reaper`, or
from cron with --once; --code renders one certificate now, whatever its schedule.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from ...models import PdfStatus
from ...selectors import certificate_by_code
from ...services import certificate_render, certificates_render_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Render certificate PDFs that failed or were never produced; loop until stopped."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--code", help="render this certificate now and exit")
        parser.add_argument("--once", action="store_true", help="sweep once and exit")
        parser.add_argument("--interval", type=float, default=60.0, help="seconds between sweeps (default 60)")
        parser.add_argument("--batch", type=int, default=20, help="certificates per sweep (default 20)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["code"]:
            self._render_one(options["code"])
            return
        while True:
            try:
                ready = certificates_render_due(limit=options["batch"])
            except DatabaseError as exc:
                if options["once"]:
                    raise
                # An outage must not end the loop that recovers from it.
                logger.error("Certificate render sweep failed; trying again in %ss: %s", options["interval"], exc)
                connection.close()
            else:
                if ready or options["verbosity"] > 1:
                    self.stdout.write(f"Rendered {ready} certificate(s).")
            if options["once"]:
                return
            try:
                time.sleep(options["interval"])
            except KeyboardInterrupt:
                return

    def _render_one(self, code: str) -> None:
        certificate = certificate_by_code(code=code)
        if certificate is None:
            raise CommandError(f"No certificate with the code {code!r}.")
        certificate = certificate_render(certificate=certificate)
        if certificate.pdf_status != PdfStatus.READY:
            raise CommandError(f"{certificate.code}: {certificate.render_error}")
        self.stdout.write(self.style.SUCCESS(f"Rendered {certificate.code}."))
