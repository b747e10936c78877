"""Fixtures for operations tests: an editor for the admin, production values read from a subprocess."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import User


@pytest.fixture
def editor(db, password) -> User:
    return User.objects.create_superuser(
        username="grace",
        email="grace@example.org",
        password=password,
        certificate_name="Grace Hopper",
    )


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The documented production variables, pointed away from the developer's own data."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "academy.example.org",
        "PMA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "PMA_STORAGE": "local",
        **extra,
    }


def production_settings(tmp_path: Path, names: list[str], **extra: str) -> dict[str, object]:
    """Values of `names` as config.settings.production computes them, read in a fresh interpreter."""
    script = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])
