"""`manage.py check --deploy` is clean with the production settings and the documented variables,
and the settings refuse to start, with the reason, when a required variable is missing."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

VARIANTS = {
    "one host: SQLite, database queue, local files": {},
    "scaled out: PostgreSQL, Redis queue and cache, S3 storage": {
        "DATABASE_URL": "postgres://pma:secret@db.internal:5432/pma",
        "REDIS_URL": "redis://queue.internal:6379/0?socket_connect_timeout=5",
        "PMA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "pma-uploads",
        "AWS_S3_ENDPOINT_URL": "https://minio.internal:9000",
        "AWS_S3_REGION_NAME": "eu-west-1",
        "DJANGO_CSRF_TRUSTED_ORIGINS": "https://academy.example.org",
        "PMA_BASE_URL": "https://academy.example.org",
    },
}


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "academy.example.org",
        # Keep the check away from the developer's own database, Redis and files.
        "PMA_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "REDIS_URL": "",
        "PMA_STORAGE": "local",
        **overrides,
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_production_settings_pass_the_deploy_check(tmp_path: Path, variant: str):
    result = manage(
        production_env(tmp_path, **VARIANTS[variant]),
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "Set DJANGO_SECRET_KEY (50+ random characters)."),
        (
            "DJANGO_ALLOWED_HOSTS",
            "Set DJANGO_ALLOWED_HOSTS (comma-separated host names the site answers to).",
        ),
    ],
)
def test_production_settings_refuse_to_start_without_a_required_variable(
    tmp_path: Path, missing, message
):
    result = manage(production_env(tmp_path, **{missing: ""}), "check")

    assert result.returncode != 0
    assert f"django.core.exceptions.ImproperlyConfigured: {message}" in result.stderr


def test_a_short_secret_key_fails_the_deploy_check(tmp_path: Path):
    result = manage(
        production_env(tmp_path, DJANGO_SECRET_KEY="too-short"),
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
