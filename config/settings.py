"""Settings for the training-management system, read from the environment with safe defaults."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from config.logs import logging_config
from config.secret_key import GENERATE, secret_key_problems

BASE_DIR = Path(__file__).resolve().parent.parent


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off", "")


def envbool(name: str, default: str) -> bool:
    """A yes/no setting; a value it does not know (HTTPS=enabled) stops the start rather than reading as no."""
    value = os.environ.get(name, default)
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} is not a yes/no value: use one of {', '.join(_TRUE)} (yes) or "
        f"{', '.join(v for v in _FALSE if v)} (no)."
    )


def envfloat(name: str, default: str) -> float:
    """A decimal setting (0.8); anything else stops the start with the variable's name."""
    value = os.environ.get(name, default)
    try:
        return float(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a number.") from None


def envint(name: str, default: str) -> int:
    """A whole-number setting; anything else stops the start with the variable's name."""
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from None


DEBUG = envbool("DEBUG", "1")
_INSECURE_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _INSECURE_KEY)
# The same rules as the deploy check (ops/checks.py): long, random, and found in none of the project's files.
if not DEBUG and (_key_problems := secret_key_problems(SECRET_KEY, project_folder=BASE_DIR)):
    raise ImproperlyConfigured(
        f"SECRET_KEY must be set to a long random string made for this installation when DEBUG is off, e.g. the "
        f"output of {GENERATE}. This one will not do: {'; '.join(_key_problems)}."
    )

ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "backoffice.apps.TrainingAdminConfig",  # django.contrib.admin with the role home pages
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "treebeard",
    "simple_history",
    "crispy_forms",
    "crispy_bootstrap5",
    "organizations",
    "courses",
    "enrollments",
    "certificates",
    "oversight",
    "reports",
    "portal",
    "backoffice",  # composes the admin pages several apps contribute to; nothing imports it
    "demo",
    "ops",
    "django_tasks",
    "config.apps.TasksDatabaseConfig",  # django_tasks_db, named in Vietnamese
    "csp",
    "axes",
]

MIDDLEWARE = [
    "config.middleware.ClientAddressMiddleware",
    "config.middleware.RequestLogMiddleware",
    "config.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware without Accept-Language: Vietnamese until the switch stores another language.
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # A database that does not answer gives the 503 page "Hệ thống tạm thời gián đoạn", not a server error.
    "ops.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            "libraries": {"numbers": "common.numbers"},
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", "0"),
        # A kept connection is checked before each request reuses it, so a restarted database is picked up.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# In production, `collectstatic` writes content-hashed, gzip- and brotli-compressed copies that WhiteNoise serves
# with a one-year "immutable" cache header. It needs a collectstatic first, so development and tests (DEBUG on)
# serve the files as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("STATIC_MANIFEST", "0" if DEBUG else "1")
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# The certificate fonts are read by WeasyPrint from disk, never downloaded by a browser: compressing 2.4 MB of
# them would add half a minute to every deployment for nothing.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "ttf"]

# Activation links go out before a class starts, so they live longer than Django's 3 days.
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_LINK_DAYS", "14") * 24 * 3600

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:course-list"
LOGOUT_REDIRECT_URL = "login"
# django-axes' backend first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "portal.backends.UsernameOrEmailBackend"]

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "0")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Trung tâm Bồi dưỡng chính trị <noreply@localhost>")

# Background work (batch printing): in-process by default; in production set
# TASKS_BACKEND=django_tasks_db.DatabaseBackend and run `manage.py db_worker` on any number of machines.
TASKS = {
    "default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")},
}

# The public verification page answers this many look-ups per client address in each window (seconds).
# The counter lives in Django's cache: with several server processes, set REDIS_URL (below) to share it.
VERIFY_RATE_LIMIT = envint("VERIFY_RATE_LIMIT", "60")
VERIFY_RATE_WINDOW = envint("VERIFY_RATE_WINDOW", "600")
# The password-reset form sends at most this many links to one address, and takes this many requests from one
# client address, in each window (seconds); what it answers over the limit is the same for any address.
PASSWORD_RESET_ADDRESS_LIMIT = envint("PASSWORD_RESET_ADDRESS_LIMIT", "3")
PASSWORD_RESET_CLIENT_LIMIT = envint("PASSWORD_RESET_CLIENT_LIMIT", "10")
PASSWORD_RESET_RATE_WINDOW = envint("PASSWORD_RESET_RATE_WINDOW", "3600")

# -- Production: cache, HTTPS, headers, login lockout, uploads, logs (deploy/README.md) --------------------------

# Each server process has its own memory cache unless REDIS_URL names a shared Redis (redis://host:6379/0):
# production runs several processes, and the verification rate limit must count across them.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}}
    # Sessions are read from Redis and written through to the database, which stays the one that counts.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Verification pages are kept whole in the cache for this many seconds, or until a certificate or an issuer changes
# (certificates/page_cache.py). Only a cache all server processes share will do, so 0 (off) without REDIS_URL.
VERIFY_PAGE_SECONDS = envint("VERIFY_PAGE_SECONDS", "86400" if REDIS_URL else "0")
# A trainee's own pages are kept whole for their login session for this many seconds, until anything they show
# changes, the session ends or the day does (portal/page_cache.py); 0 (off) without REDIS_URL, as above.
PORTAL_PAGE_SECONDS = envint("PORTAL_PAGE_SECONDS", "3600" if REDIS_URL else "0")

# HTTPS=1 (the default with DEBUG off): the site is reached over HTTPS only, directly or through a proxy.
HTTPS = envbool("HTTPS", "0" if DEBUG else "1")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
# A load balancer's probe may come over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/(ready/)?$"]
# HSTS tells browsers to use HTTPS only for this host for HSTS_SECONDS (0 turns it off).
SECURE_HSTS_SECONDS = envint("HSTS_SECONDS", "31536000" if HTTPS else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("HSTS_INCLUDE_SUBDOMAINS", "1")
SECURE_HSTS_PRELOAD = envbool("HSTS_PRELOAD", "1")
# Django's defaults already send X-Content-Type-Options: nosniff, Referrer-Policy: same-origin and
# X-Frame-Options: DENY (tests/production/test_security_settings.py holds them to it).

# The number of reverse proxies in front of the application, each adding the address it saw to X-Forwarded-For
# and setting X-Forwarded-Proto (0: clients connect to gunicorn directly and both headers are ignored).
PROXY_COUNT = envint("PROXY_COUNT", "0")
if PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No inline script or style element anywhere: scripts and styles come from our own static files. Bootstrap's
# stylesheet draws some icons as data: images; style attributes are allowed for the admin's widgets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Login lockout (django-axes): 5 failed logins for one username from one client address lock that pair out for
# 30 minutes; another username, or the same one from another address, is not affected. The center unlocks early
# in the admin (organizations.LockedOutLogin, written to the access log); django-axes' own admin stays off, and
# its `manage.py axes_reset_username USERNAME` still works from the shell, unrecorded.
AXES_FAILURE_LIMIT = envint("LOGIN_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = timedelta(minutes=envint("LOGIN_LOCKOUT_MINUTES", "30"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "config.views.locked_out"
AXES_USERNAME_CALLABLE = "portal.backends.login_name"
# The client address is REMOTE_ADDR, which ClientAddressMiddleware corrects behind PROXY_COUNT proxies.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_ENABLE_ADMIN = False

# Upload limits. The Excel imports refuse a file over IMPORT_MAX_UPLOAD_BYTES; any request whose body is larger
# than that plus a margin for the form is refused with 413 before it is read. Django's defaults do the rest:
# uploaded files over 2.5 MiB are spooled to a temporary file rather than held in memory, and a form's fields
# (everything but its files) may take 2.5 MiB. A web server in front needs a body limit of at least
# MAX_REQUEST_BYTES (deploy/README.md).
MIB = 1024 * 1024
IMPORT_MAX_UPLOAD_BYTES = envint("IMPORT_MAX_UPLOAD_MB", "20") * MIB
MAX_REQUEST_BYTES = IMPORT_MAX_UPLOAD_BYTES + MIB
# Uploaded workbooks hold people's personal data: each is kept this many days after it was last uploaded (for the
# preview, the import and the error report), then deleted by the next upload or `manage.py prune`.
IMPORT_FILE_DAYS = envint("IMPORT_FILE_DAYS", "30")

# The access log of reads of personal data (organizations.AccessLog) keeps each row this many days, then the
# scheduled prune deletes it. Five years by default: one party term, so an inspection of a term can still see who
# read whose data during it.
ACCESS_LOG_RETENTION_DAYS = envint("ACCESS_LOG_RETENTION_DAYS", str(5 * 365 + 1))

# One JSON line per event on stdout, with the request id (config/logs.py); errors carry their stack trace.
LOGGING = logging_config(os.environ.get("LOG_LEVEL", "INFO"))

# /health/ reports the task worker as stale once a ready task has waited this long (seconds).
HEALTH_TASK_WAIT_SECONDS = envint("HEALTH_TASK_WAIT_SECONDS", "300")
# A running job (a batch print, a workbook) whose task has shown no sign of life for this long (seconds) is taken
# for stopped (its worker was killed): /health/ answers 503 until `manage.py prune` fails it, with a message to run
# it again (ops/jobs.py). A job writes its heartbeat with each progress step.
JOB_STALE_SECONDS = envint("JOB_STALE_SECONDS", "900")
# Finished task rows (django-tasks-db) are kept this many days: each holds its arguments and any traceback.
TASK_RESULT_DAYS = envint("TASK_RESULT_DAYS", "14")
# The periodic housekeeping, in order: `manage.py prune` calls each with the current time; each returns how many
# things it failed, deleted or expired. A new step is a function taking `now`, added to this list.
HOUSEKEEPING = [
    "ops.jobs.fail_stale_jobs",
    "ops.jobs.prune_finished_tasks",
    "reports.jobs.expire_reports",
    "certificates.printing.expire_print_jobs",
    "organizations.uploads.expire_uploads",
    "organizations.access_log.prune_access_log",
]

# Compliance: a post holder is compliant with a valid certificate of a qualifying program issued within the
# current term (COMPLIANCE_PERIOD=term; the terms are data, organizations.Term, kept by the center in the admin;
# the current one follows today's date) or within the calendar year (COMPLIANCE_PERIOD=year).
COMPLIANCE_PERIOD = os.environ.get("COMPLIANCE_PERIOD", "term")

# Evaluations are anonymous: an average, and a course's list of forms and comments, are shown only from this many
# forms on, so that no trainee's answers can be read off them.
EVALUATION_MIN_FORMS = envint("EVALUATION_MIN_FORMS", "3")

# Report files (yearly workbooks, lists) are kept this many hours, then deleted (by the next export, or by
# `manage.py prune` from its timer) and refused for download.
REPORT_FILE_HOURS = envint("REPORT_FILE_HOURS", "72")
# A batch print's file (the course's certificates, with their holders' personal data) is kept this many hours.
PRINT_FILE_HOURS = envint("PRINT_FILE_HOURS", "72")

# Due dates: a current post holder who must be trained is due by the later of the current term's start and their
# appointment's start, plus this many months (oversight/compliance.py).
COMPLIANCE_GRACE_MONTHS = envint("COMPLIANCE_GRACE_MONTHS", "12")

# Classes run by the committees (oversight/indicators.py): a class delivering fewer hours than this share of its
# program's hours is "chưa đạt yêu cầu"; a session is a half-day of up to SESSION_HOURS periods (tiết: a morning
# holds five).
SELF_RUN_MIN_HOURS_SHARE = envfloat("SELF_RUN_MIN_HOURS_SHARE", "0.8")
SESSION_HOURS = envfloat("SESSION_HOURS", "5")
