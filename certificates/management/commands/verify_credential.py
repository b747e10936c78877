"""Check a credential file (JSON, or a certificate PDF carrying it): signature, expiry, revocation."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ...verification import MAX_UPLOAD_BYTES, CheckOutcome, credential_check


class Command(BaseCommand):
    help = (
        "Verify a signed certificate credential (.json) or a certificate PDF. Exit 1 if not valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            size = file.stat().st_size
            if size > MAX_UPLOAD_BYTES:
                raise CommandError(
                    f"{file} is {size} bytes; credentials and certificates are smaller."
                )
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}") from exc
        check = credential_check(data=data)
        self.stdout.write(f"Outcome: {check.outcome.label}")
        for reason in check.reasons:
            self.stdout.write(f"  - {reason}")
        if check.signature_ok:
            self.stdout.write(f"Awarded to: {check.learner_name}")
            self.stdout.write(f"Course:     {check.course_title}")
            self.stdout.write(f"Issued:     {check.issued_at:%Y-%m-%d}")
            if check.expires_at:
                self.stdout.write(f"Valid until: {check.expires_at:%Y-%m-%d}")
        if check.outcome != CheckOutcome.VALID:
            raise SystemExit(1)
