"""Tests: the immediate task backend, fast hashing, in-memory e-mail."""

import tempfile

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "grading", "runs", "certificates", "notifications"],
    }
}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Media and private files side by side, as in var/: config.settings.test_rq finds both from MEDIA_ROOT.
_TEST_VAR_DIR = Path(tempfile.mkdtemp(prefix="pma-test-var-"))
MEDIA_ROOT = _TEST_VAR_DIR / "media"
PMA_PRIVATE_ROOT = _TEST_VAR_DIR / "private"
ACCOUNT_RATE_LIMITS = False  # type: ignore[assignment]  # allauth reads False as "no limits"
WAGTAILADMIN_BASE_URL = "http://testserver"
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="pma-test-static-"))
WHITENOISE_AUTOREFRESH = True
