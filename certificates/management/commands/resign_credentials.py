"""manage.py resign_credentials [--dry-run] [--code CODE] [--course SLUG]

Signs stored credentials again by today's rules (suites, key, base URL) and re-renders the PDFs
whose attached credential changed. Safe to stop and run again: a certificate already in today's
form is left alone, and each one changes in a single update. Codes, dates and status never change.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ...models import Certificate
from ...selectors import certificate_by_code
from ...services import ResignOutcome, certificate_resign
from ..progress import progress_write

BATCH = 200


class Command(BaseCommand):
    help = (
        "Re-sign issued credentials by the current rules; re-render PDFs whose credential changed."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would change; write nothing"
        )
        parser.add_argument("--code", help="only this certificate")
        parser.add_argument("--course", metavar="SLUG", help="only this course's certificates")

    def handle(self, *args: Any, dry_run: bool, code: str | None, course: str | None, **options):
        queryset = Certificate.objects.order_by("pk")
        if code:
            certificate = certificate_by_code(code=code)
            if certificate is None:
                raise CommandError(f"No certificate with the code {code!r}.")
            queryset = queryset.filter(pk=certificate.pk)
        if course:
            queryset = queryset.filter(course__slug=course)
        total = queryset.count()
        counts: Counter[ResignOutcome] = Counter()
        done = 0
        last_pk = 0
        # Batches by primary key: memory stays flat, and rows issued meanwhile are picked up.
        while batch := list(queryset.filter(pk__gt=last_pk)[:BATCH]):
            for certificate in batch:
                outcome = certificate_resign(certificate=certificate, dry_run=dry_run)
                counts[outcome] += 1
                if outcome == ResignOutcome.FAILED:
                    self.stderr.write(f"\n{certificate.code}: {outcome.label}")
                done += 1
                progress_write(self.stderr, done, max(total, done))
            last_pk = batch[-1].pk
        if total:
            self.stderr.write("\n")
        summary = "; ".join(
            f"{counts[outcome]} {outcome.label}" for outcome in ResignOutcome if counts[outcome]
        )
        prefix = "Dry run: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(f"{prefix}{done} certificate(s): {summary or 'nothing to do'}.")
        )
        if counts[ResignOutcome.FAILED]:
            raise CommandError(f"{counts[ResignOutcome.FAILED]} could not be re-signed; run again.")
