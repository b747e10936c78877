"""Production: every secret and address comes from the environment.

Required: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS. Optional: DATABASE_URL (PostgreSQL),
REDIS_URL (RQ task queue and shared cache), PMA_STORAGE=s3 (uploads in an S3-compatible bucket,
answer keys in a private bucket or prefix: AWS_PRIVATE_STORAGE_BUCKET_NAME, AWS_PRIVATE_LOCATION),
PMA_BASE_URL, e-mail settings below. The full list is in docs/operations.md ("Configuration").
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _env_flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {
        "1",
        "true",
        "yes",
        "on",
    }


DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (50+ random characters).")
ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "Set DJANGO_ALLOWED_HOSTS (comma-separated host names the site answers to)."
    )
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

# HTTPS: the reverse proxy terminates TLS and says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = _env_flag("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_flag("DJANGO_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# Logs: JSON lines on stdout unless the operator asks for plain text.
PMA_LOG_FORMAT = os.environ.get("PMA_LOG_FORMAT", "json")
LOGGING["handlers"]["console"]["formatter"] = "json" if PMA_LOG_FORMAT == "json" else "plain"

EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_flag("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Static files: hashed, compressed names served by WhiteNoise with far-future caching
# (STORAGES["staticfiles"] in base.py); `collectstatic` runs at deploy time.
WHITENOISE_MAX_AGE = 60 * 60

# Uploads (notebooks, submissions, certificates, images): local disk by default, or a private
# S3-compatible bucket (AWS, MinIO, Ceph, ...) read through short-lived signed URLs.
PMA_STORAGE = os.environ.get("PMA_STORAGE", "local")
if PMA_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("PMA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            # Left empty, boto3 finds credentials itself (instance role, ~/.aws, AWS_* variables).
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            "addressing_style": os.environ.get("AWS_S3_ADDRESSING_STYLE") or None,
            # Submissions and certificates are personal: private objects, signed links.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": int(os.environ.get("AWS_QUERYSTRING_EXPIRE", "300")),
            # Never overwrite: two uploads with one name both survive.
            "file_overwrite": False,
        },
    }
    # Answer keys (exercise source and release notebooks, exercises/answer_keys_s3.py): a bucket of
    # their own or a prefix of the uploads bucket, never behind a CDN, with no URL, not even a
    # signed one. Learners and staff get them only through views that check enrolment or a permission.
    private_bucket = (
        os.environ.get("AWS_PRIVATE_STORAGE_BUCKET_NAME") or os.environ["AWS_STORAGE_BUCKET_NAME"]
    )
    private_location = os.environ.get("AWS_PRIVATE_LOCATION", "private").strip("/")
    if private_bucket == os.environ["AWS_STORAGE_BUCKET_NAME"]:
        if STORAGES["default"]["OPTIONS"]["custom_domain"]:
            raise ImproperlyConfigured(
                "AWS_S3_CUSTOM_DOMAIN serves the uploads bucket publicly: put exercise notebooks in a "
                "bucket of their own (AWS_PRIVATE_STORAGE_BUCKET_NAME)."
            )
        if not private_location or private_location == STORAGES["default"]["OPTIONS"][
            "location"
        ].strip("/"):
            raise ImproperlyConfigured(
                "AWS_PRIVATE_LOCATION must be a prefix of its own when exercise notebooks share the "
                "uploads bucket."
            )
    STORAGES["private"] = {
        "BACKEND": "exercises.answer_keys_s3.PrivateS3Storage",
        "OPTIONS": {
            **STORAGES["default"]["OPTIONS"],
            "bucket_name": private_bucket,
            "location": private_location,
            "custom_domain": None,
        },
    }
elif PMA_STORAGE != "local":
    raise ImproperlyConfigured(f"PMA_STORAGE must be 'local' or 's3', not {PMA_STORAGE!r}.")

# Scale-out: with REDIS_URL, tasks go to RQ (workers: `manage.py rqworker --worker-class
# rq.worker.SimpleWorker --job-class django_tasks_rq.Job default grading certificates notifications`; SimpleWorker
# keeps the warm kernel pool, RQ's default worker forks a fresh child per job) and the cache is shared through Redis.
# django-rq ignores client options when given a URL: put ?socket_connect_timeout=5 in REDIS_URL.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    TASK_QUEUES = ["default", "grading", "runs", "certificates", "notifications"]
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": TASK_QUEUES}}
    RQ_QUEUES = {
        name: {
            "URL": REDIS_URL,
            # A grading run is bounded by the sandbox; this only catches a stuck job.
            "DEFAULT_TIMEOUT": int(os.environ.get("PMA_RQ_JOB_TIMEOUT", "900")),
        }
        for name in TASK_QUEUES
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pma",
            "OPTIONS": {"socket_connect_timeout": 5},
        }
    }
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
else:
    # Each worker has its own LocMem cache: a session ended in one must not live on in another.
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# Staff reach the admins only with two-factor authentication (accounts.middleware); set
# PMA_REQUIRE_STAFF_MFA=0 to allow password-only staff log-ins.
PMA_REQUIRE_STAFF_MFA = _env_flag("PMA_REQUIRE_STAFF_MFA", True)

# allauth's per-IP rate limits must count clients, not the proxy: trust the last
# X-Forwarded-For entry, the one the proxy in front (nginx, a load balancer) appended.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("PMA_TRUSTED_PROXY_COUNT", "1"))
