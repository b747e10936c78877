"""The German catalogues must be compiled for these tests; `make test` does it (make messages).
Run alone with pytest, compile any .mo that is missing or older than its .po first."""

from pathlib import Path

import pytest
from django.core.management import call_command

REPO = Path(__file__).resolve().parents[2]
SKIPPED = {".venv", ".venv-grading", "node_modules", "var", ".tools", ".git"}


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    stale = [
        po
        for po in REPO.glob("**/locale/*/LC_MESSAGES/*.po")
        if not SKIPPED.intersection(po.relative_to(REPO).parts)
        and (
            not po.with_suffix(".mo").exists()
            or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
        )
    ]
    if stale:
        call_command(
            "compilemessages",
            ignore_patterns=[".venv*", "node_modules", "var", ".tools", ".git"],
            verbosity=0,
        )
        from django.utils.translation import trans_real

        trans_real._translations = {}
        trans_real._active = trans_real.Local()
