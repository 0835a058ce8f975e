"""Settings for the training-management system, read from the environment with safe defaults."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name, default):
    return os.environ.get(name, default).lower() in ("1", "true", "yes", "on")


def envint(name, default):
    return int(os.environ.get(name, default))


DEBUG = envbool("DEBUG", "1")
_INSECURE_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _INSECURE_KEY)
if not DEBUG and SECRET_KEY == _INSECURE_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
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
    "reports",
    "portal",
    "demo",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", "0"),
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

# Activation links go out before a class starts, so they live longer than Django's 3 days.
PASSWORD_RESET_TIMEOUT = envint("PASSWORD_LINK_DAYS", "14") * 24 * 3600

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:course-list"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = ["portal.backends.UsernameOrEmailBackend"]

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
# The counter lives in Django's cache: with several server processes, configure a shared cache.
VERIFY_RATE_LIMIT = envint("VERIFY_RATE_LIMIT", "60")
VERIFY_RATE_WINDOW = envint("VERIFY_RATE_WINDOW", "600")

# Compliance: a post holder is compliant with a valid certificate of a qualifying program issued within the
# current term of grassroots committees (COMPLIANCE_PERIOD=term, from the term's first year on) or within the
# calendar year (COMPLIANCE_PERIOD=year).
COMPLIANCE_PERIOD = os.environ.get("COMPLIANCE_PERIOD", "term")
COMPLIANCE_TERM = os.environ.get("COMPLIANCE_TERM", "2020–2025")

# Report files (yearly workbooks, lists) are kept this many hours, then deleted (by the next export, or by
# `manage.py expire_reports` from cron)
# and refused for download.
REPORT_FILE_HOURS = envint("REPORT_FILE_HOURS", "72")
