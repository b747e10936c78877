"""Settings shared by every environment.

Environment-specific modules (dev, test, production) import everything from here
and override what differs. Values an operator sets come from the environment.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PMA_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    # Operations (health, heartbeats, security headers, logs): imports none of the apps below.
    "ops",
    # Our apps, lowest layer first (see DESIGN.md: exercises <- grading <- courses <- certificates).
    "accounts",
    # Notifications (in-site list, e-mail preferences, outgoing mail): beside accounts and ops.
    "notifications",
    "exercises",
    "grading",
    "courses",
    "certificates",
    # Course announcements and due-date reminders: above courses, imported by none.
    "announcements",
    # The token-authenticated JSON API (/api/): above every app, imported by none.
    "api",
    # The LTI 1.3 tool (launch, deep linking, grades, roster): above courses, imported by none.
    "lti",
    # Data export and account erasure (privacy): above every app, imported by none.
    "privacy",
    "demo",
    # Translatable course content (docs/translation.md): the translation editor and the
    # Locales screen with tree synchronisation (instead of wagtail.locales).
    "wagtail_localize",
    "wagtail_localize.locales",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.typed_table_block",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # django-ninja: listed so its Swagger UI files are served from our static files (no CDN).
    "ninja",
    # Background work
    "django_tasks",
    "django_tasks_db",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # LTI framing (lti.framing): first, so it sees the CSP and X-Frame-Options set below and the
    # session cookie; frame-ancestors widened only to registered LMS origins.
    "lti.framing.LtiFramingMiddleware",
    # Outermost, so /healthz and WhiteNoise's static files get the security headers too.
    "ops.middleware.SecurityHeadersMiddleware",
    "ops.middleware.RequestIdMiddleware",
    # Before SecurityMiddleware: probes reach /healthz over plain HTTP by address (see ops.middleware).
    "ops.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The interface language: the switch's cookie, else Accept-Language (no URL prefixes, so
    # certificate verification links never change). A signed-in user's saved choice wins below.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # After CommonMiddleware has refused hosts outside ALLOWED_HOSTS: the site per host, remembered.
    "courses.sites.SiteMiddleware",
    # process_view runs in this order: refuse an oversized body before the CSRF check parses it.
    # (Sessions, users and messages are already set up: every __call__ runs before any process_view.)
    "ops.middleware.RequestBodyLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the user is known: their saved language preference beats cookie and browser.
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "accounts.middleware.LearnersStayOutOfAdminMiddleware",
    "accounts.middleware.StaffMfaRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A dead server must fail a request (and /healthz) in seconds, not hang a worker.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the task worker writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
    # The connection is kept between requests, as on PostgreSQL: opening the file and setting
    # WAL up again cost ~4 ms of CPU per request. SQLite has no server that could drop it.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en"
# The interface languages (docs/i18n.md). An unknown code falls back to English.
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
# The project catalogue (templates/, config/, static/js); each app keeps its own in <app>/locale.
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Answer keys: exercise source notebooks (solutions, hidden tests, sealed-check generators) and
# the release notebooks learners download after an enrolment check. Outside MEDIA_ROOT, because
# a proxy serves MEDIA_ROOT at /media/; nothing may ever serve this directory
# (docs/operations.md "Files, and what a proxy may serve"; check exercises.E002 keeps it apart).
PMA_PRIVATE_ROOT = Path(os.environ.get("PMA_PRIVATE_ROOT", VAR_DIR / "private"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Files with no URL, read only through views that check permission (exercises/answer_keys.py).
    "private": {"BACKEND": "exercises.answer_keys.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploads (docs/operations.md "Security"). Form fields other than files: Django refuses more
# than this with a 400 before a view runs.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Larger files are streamed to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Wagtail's page editor posts several fields per StreamField block; a long lesson needs hundreds.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000
# Any request body, checked on Content-Length before parsing (ops.request_limits); views with an
# upload declare a smaller limit of their own. Keep the proxy's client_max_body_size equal.
PMA_MAX_REQUEST_BYTES = int(os.environ.get("PMA_MAX_REQUEST_BYTES", str(20 * 1024 * 1024)))

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "/"

# django-allauth
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_USER_DISPLAY = "accounts.selectors.user_display_name"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PM Academy] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"
# allauth merges these over its defaults. Failed log-ins: the form refuses the sixth try for one
# address; any log-in POST past 30 a minute from one address gets the 429 page.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PM Academy"
# Staff without two-factor authentication are sent to set it up before they reach an admin
# (accounts.middleware.StaffMfaRequiredMiddleware). Production turns it on.
PMA_REQUIRE_STAFF_MFA = os.environ.get("PMA_REQUIRE_STAFF_MFA", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "PM Academy <no-reply@pm-academy.local>")

# Wagtail
WAGTAIL_SITE_NAME = "PM Academy"
# Course content in more than one language (docs/translation.md). Each page keeps one URL and its
# identity on the original, English page; a German translation is what German visitors read.
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = [("en", "English"), ("de", "Deutsch")]
WAGTAILADMIN_BASE_URL = os.environ.get("PMA_BASE_URL", "http://127.0.0.1:8000")
# Data Integrity suites new credentials are signed with, in this order (docs/certificates.md).
# eddsa-rdfc-2022 is what 1EdTech's OB 3.0 conformance checks; eddsa-jcs-2022 needs only JSON.
PMA_CREDENTIAL_CRYPTOSUITES = [
    suite.strip()
    for suite in os.environ.get(
        "PMA_CREDENTIAL_CRYPTOSUITES", "eddsa-rdfc-2022,eddsa-jcs-2022"
    ).split(",")
    if suite.strip()
]
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Avatars from gravatar.com would leak editors' e-mail hashes and break the admin's CSP.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILEMBEDS_RESPONSIVE_HTML = True
WAGTAILDOCS_EXTENSIONS = ["pdf", "ipynb", "csv", "xlsx", "txt", "md"]
WAGTAIL_WORKFLOW_ENABLED = True
WAGTAIL_MODERATION_ENABLED = True

# Background work: the database queue by default, RQ when REDIS_URL is set (production).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.backend.DatabaseBackend",
        "QUEUES": ["default", "grading", "runs", "certificates", "notifications"],
    }
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pma-default",
    }
}
# Sessions are read from the cache and written through to the database. Safe where every process
# sees the same cache: one process (runserver, tests) or Redis (production.py with REDIS_URL, which
# falls back to database sessions without it, since a logout must reach every worker).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Cache the public parts of course pages (courses/caching.py); PMA_PAGE_CACHE=0 turns it off.
PMA_PAGE_CACHE = os.environ.get("PMA_PAGE_CACHE", "1") != "0"

# Logs go to stdout. PMA_LOG_FORMAT=json writes one JSON object per line (production's default).
PMA_LOG_FORMAT = os.environ.get("PMA_LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {"()": "ops.logs.JsonLineFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if PMA_LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("PMA_LOG_LEVEL", "INFO").upper()},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "ERROR"},
        "fontTools": {"level": "ERROR"},
    },
}

# The JSON API (api/, docs/api.md): requests per token per window of seconds, then 429.
PMA_API_RATE = (
    int(os.environ.get("PMA_API_RATE_REQUESTS", "120")),
    int(os.environ.get("PMA_API_RATE_SECONDS", "60")),
)

# Health and worker heartbeats (ops/): see docs/operations.md "Health and logs".
PMA_HEALTH_PATH = "/healthz"
PMA_WORKER_HEARTBEAT_SECONDS = int(os.environ.get("PMA_WORKER_HEARTBEAT_SECONDS", "30"))
PMA_WORKER_HEARTBEAT_STALE_SECONDS = int(
    os.environ.get("PMA_WORKER_HEARTBEAT_STALE_SECONDS", "120")
)

# Content-Security-Policy (ops.middleware.SecurityHeadersMiddleware); see docs/operations.md "Security".
# Lesson videos are YouTube or Vimeo embeds, hence their players in frame-src.
PMA_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "style-src": ["'self'"],
    "script-src": ["'self'"],
    "frame-src": [
        "'self'",
        "https://www.youtube.com",
        "https://www.youtube-nocookie.com",
        "https://player.vimeo.com",
    ],
    "object-src": ["'none'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
}
# The Wagtail admin renders inline <script> blocks and style attributes, previews pages in a
# same-origin iframe, and shows uploads as blob: images before they are saved.
PMA_CSP_RELAXED_PATHS = ["/admin/", "/django-admin/"]
PMA_CSP_RELAXED = {
    "img-src": ["'self'", "data:", "blob:"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "frame-ancestors": ["'self'"],
}
PMA_PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "browsing-topics",
    )
}
# Video players ask for fullscreen; allow it for this origin and the embedded players only.
PMA_PERMISSIONS_POLICY["fullscreen"] = [
    "self",
    '"https://www.youtube.com"',
    '"https://www.youtube-nocookie.com"',
    '"https://player.vimeo.com"',
]
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Grading (filled in by the grading app; documented in docs/operations.md).
PMA_GRADING = {
    "SANDBOX": os.environ.get("PMA_SANDBOX", "bwrap"),
    "UNSAFE_LOCAL_MODE": os.environ.get("PMA_UNSAFE_LOCAL_MODE", "") == "1",
    "POOL_SIZE": int(os.environ.get("PMA_KERNEL_POOL_SIZE", "2")),
    "MAX_UPLOAD_BYTES": int(os.environ.get("PMA_MAX_NOTEBOOK_BYTES", str(2 * 1024 * 1024))),
    # Submissions (checks included) one learner may make per minute, across exercises.
    "RATE_LIMIT_PER_MINUTE": int(os.environ.get("PMA_SUBMISSIONS_PER_MINUTE", "6")),
    # A running submission whose worker has not finished within this many seconds is re-queued
    # by the reaper; after MAX_CLAIMS tries it is marked failed with a reason.
    "LEASE_SECONDS": int(os.environ.get("PMA_GRADING_LEASE_SECONDS", "600")),
    "MAX_CLAIMS": int(os.environ.get("PMA_GRADING_MAX_CLAIMS", "3")),
}
