"""manage.py clean_up_exports: delete the files of data exports past their expiry (the rows stay,
marked expired, for the audit). process_erasures does this too on every scan."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from privacy.services import exports_clean_up


class Command(BaseCommand):
    help = "Delete the files of expired data exports."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = exports_clean_up()
        self.stdout.write(f"Deleted {deleted} expired export file(s).")
