"""gunicorn settings for production: `gunicorn -c config/gunicorn.conf.py`.

Every value can be changed from the environment; see docs/operations.md ("Configuration").
"""

import gc
import multiprocessing
import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


wsgi_app = "config.wsgi:application"
chdir = str(Path(__file__).resolve().parent.parent)
bind = os.environ.get("PMA_BIND", "127.0.0.1:8000").split(",")

# Requests are mostly database-bound page renders; grading runs in the task workers, not here.
workers = _int("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 8))
threads = _int("PMA_GUNICORN_THREADS", 1)
# Slow uploads or PDF renders get 30 s; a worker stuck longer is killed and replaced.
timeout = _int("PMA_GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("PMA_GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("PMA_GUNICORN_KEEPALIVE", 5)
# Recycling workers bounds any slow leak; the jitter stops them all restarting at once.
max_requests = _int("PMA_GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("PMA_GUNICORN_MAX_REQUESTS_JITTER", 200)
# Load Django once in the master: workers fork with the code already imported (less memory,
# faster restarts) and a broken configuration fails at start-up instead of in every worker.
preload_app = True
# Heartbeat files on tmpfs: a disk stall must not look like a hung worker.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # noqa: S108


def pre_fork(server, worker) -> None:
    """Move everything loaded so far (Django, Wagtail, the URL map, templates) out of the garbage
    collector's reach before each worker forks: a full collection in a worker then walks only what
    requests created. Without it, one request in ~20 paid a 50-100 ms full collection (bench/scale),
    and the collector's writes un-shared the pages the workers inherit from the master."""
    gc.freeze()


# Headers such as X-Forwarded-Proto are trusted only from the reverse proxy's address.
forwarded_allow_ips = os.environ.get("PMA_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
limit_request_line = 8190
limit_request_fields = 100

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("PMA_LOG_LEVEL", "info").lower()
logger_class = "ops.access_log.JsonAccessLogger"
# Used only if logger_class is changed back to gunicorn's own; kept as a readable fallback.
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s" %({x-request-id}o)s'
