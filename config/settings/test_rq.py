"""Processes started by the integration tests: RQ workers, the reaper and gunicorn.

Everything of config.settings.test, but tasks go to RQ on the test session's throwaway Redis,
and the database, media and private directories are the test process's own, so that every
process sees the same submissions (tests/integration/processes.py sets the variables below).
"""

from .test import *  # noqa: F403

REDIS_URL = os.environ["PMA_TEST_REDIS_URL"]
TASK_QUEUES = ["default", "grading", "runs", "certificates", "notifications"]
TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 300} for name in TASK_QUEUES}
INSTALLED_APPS += ["django_rq", "django_tasks_rq"]

MEDIA_ROOT = Path(os.environ["PMA_TEST_MEDIA_ROOT"])
# The test process keeps answer keys beside its media directory (config.settings.test).
PMA_PRIVATE_ROOT = Path(os.environ.get("PMA_TEST_PRIVATE_ROOT", MEDIA_ROOT.parent / "private"))
# Lets a test find (and cut) one process's database connection in pg_stat_activity.
DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = os.environ.get(
    "PMA_PROCESS_NAME", "pma-test"
)
# The test database is named by pytest-django, not by DATABASE_URL.
DATABASES["default"]["NAME"] = os.environ["PMA_TEST_DATABASE_NAME"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
