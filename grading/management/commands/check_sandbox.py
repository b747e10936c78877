"""manage.py check_sandbox: which grading-sandbox primitives this host has, and how to add the rest.

Exit 0 when every required primitive is present, 1 otherwise (grading would fail closed).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from grading.engine.sandbox.hostcheck import check_host
from grading.kernels import kernel_launcher_setting


class Command(BaseCommand):
    help = (
        "Check that this host can run the grading sandbox and that the selected kernel launcher "
        "(fork server or bubblewrap) starts a kernel (run it as the worker's user)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        findings = check_host(launcher=kernel_launcher_setting())
        for finding in findings:
            mark = "ok " if finding.ok else ("MISSING" if finding.required else "absent (optional)")
            self.stdout.write(f"[{mark}] {finding.name}: {finding.detail}")
            if not finding.ok and finding.fix:
                self.stdout.write(f"        fix: {finding.fix}")
        missing = [f.name for f in findings if f.required and not f.ok]
        if missing:
            self.stderr.write(
                f"The grading sandbox cannot start here: missing {', '.join(missing)}. "
                "Grading fails closed until this is fixed (see docs/operations.md)."
            )
            sys.exit(1)
        self.stdout.write("The grading sandbox can run on this host.")
