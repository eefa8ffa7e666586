"""Settings for the evidence portfolio, read from the environment.

Local development needs no environment at all: SQLite in var/, DEBUG on, files on local disk,
email printed to the console. With DEBUG off the site refuses to start unless SECRET_KEY,
ALLOWED_HOSTS and DATABASE_URL are set. Every variable is listed in the README.
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from config.env import env_bool, env_cache, env_int, env_list, env_str, require

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
DATABASE_URL = env_str("DATABASE_URL")

if not DEBUG:
    require("SECRET_KEY", SECRET_KEY, "when DEBUG is off (a long random string)")
    require("ALLOWED_HOSTS", ALLOWED_HOSTS, "when DEBUG is off (comma-separated host names)")
    require("DATABASE_URL", DATABASE_URL, "when DEBUG is off (postgres://user:pass@host/db)")
else:
    # A fixed key is acceptable only for local development, never with DEBUG off.
    SECRET_KEY = SECRET_KEY or "django-insecure-local-development-only"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "bootstrap",
    "accounts",
    "qualifications",
    "cohorts",
    "portfolio",
    "assessment",
    "enrolment",
    "exports",
    "dashboards",
    "demo",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An external quality assurer reads only their sample, only while their grant lasts.
    "portfolio.middleware.ExternalAccessMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.PermissionsPolicyMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page.
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite in var/ unless DATABASE_URL says otherwise.
if DATABASE_URL:
    try:
        DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {error}") from None
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # WAL and IMMEDIATE transactions let the web process and the task worker share
            # the file without "database is locked" errors on concurrent writes.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# The lockout check first, so a locked-out sign-in never reaches the password check.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.SignInLockoutBackend",
    "accounts.backends.EmailBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Sessions last SESSION_COOKIE_DAYS from sign-in, whether or not the browser is closed
# (learners upload from a phone over days); "Sign out everywhere" ends them all sooner.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_DAYS", 14, minimum=1) * 24 * 60 * 60

# Caches: one store every process shares, for the sign-in lockout and /verify/'s count.
# Redis through Django's own backend when CACHE_URL says so (redis://127.0.0.1:6379/0),
# otherwise a database table, made by `migrate`.
CACHES = {"default": env_cache("CACHE_URL", table="cache_entries")}
# The address throttles count by. Empty: the connection's own (REMOTE_ADDR). Behind a reverse
# proxy, the request.META name of the header it sets (HTTP_X_FORWARDED_FOR); only the
# right-most address in it, the one the proxy appended, is trusted.
CLIENT_IP_HEADER = env_str("CLIENT_IP_HEADER", "")

# Sign-in lockout (django-axes, counting in the shared cache): after SIGN_IN_FAILURE_LIMIT
# wrong passwords for one email from one address, that pair is refused for the cool-off.
# Keyed by both, so learners sharing a college's address do not lock each other out.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 10, minimum=1)
SIGN_IN_COOL_OFF_MINUTES = env_int("SIGN_IN_COOL_OFF_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=SIGN_IN_COOL_OFF_MINUTES)
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_CACHE = "default"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "accounts.client_address.client_address"
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field, which holds the email
AXES_USERNAME_CALLABLE = "accounts.backends.sign_in_email"
AXES_LOCKOUT_CALLABLE = "accounts.views.sign_in_locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ADMIN = False  # the cache handler keeps no rows to show
AXES_VERBOSE = False  # no banner at every start; failures are still logged as warnings

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Evidence uploads. Files stream to a temporary file on disk (never wholly into memory) through
# a handler that stops writing once a file passes the limit, then are checked by content.
EVIDENCE_MAX_FILE_MB = env_int("EVIDENCE_MAX_FILE_MB", 25, minimum=1)
EVIDENCE_MAX_FILE_BYTES = EVIDENCE_MAX_FILE_MB * 1024 * 1024
EVIDENCE_MAX_FILES = env_int("EVIDENCE_MAX_FILES", 20, minimum=1)
EVIDENCE_MAX_IMAGE_PIXELS = env_int("EVIDENCE_MAX_IMAGE_PIXELS", 60_000_000, minimum=1_000_000)
# Bounds on what one upload may cost to check and to print: pages in a PDF, and how far an
# office document (a ZIP archive) may unpack, in all and per part relative to its packed size.
EVIDENCE_MAX_PDF_PAGES = env_int("EVIDENCE_MAX_PDF_PAGES", 500, minimum=1)
EVIDENCE_MAX_UNPACKED_MB = env_int("EVIDENCE_MAX_UNPACKED_MB", 200, minimum=1)
EVIDENCE_MAX_ZIP_RATIO = env_int("EVIDENCE_MAX_ZIP_RATIO", 100, minimum=10)
EVIDENCE_THUMBNAIL_PX = 480
EVIDENCE_PRINT_PX = 2000
FILE_UPLOAD_HANDLERS = ["portfolio.uploads.handler.LimitedTemporaryFileUploadHandler"]
DATA_UPLOAD_MAX_NUMBER_FILES = 100

# Background tasks (image renditions, notification digests, PDF exports) are stored in the
# database and run by `manage.py worker`; `make run` starts one for renditions and the default
# queue and one for exports, so a thumbnail never waits behind a long PDF.
TASK_QUEUES = ["default", "renditions", "exports"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": TASK_QUEUES}}
# Each export runs in a child process of the worker, stopped and marked failed after
# EXPORT_MAX_SECONDS or once it needs EXPORT_MAX_MEMORY_MB more memory than the worker holds.
# Each portfolio, and each person, may have only so many PDFs queued or being made at once.
EXPORT_IN_CHILD_PROCESS = env_bool("EXPORT_IN_CHILD_PROCESS", default=True)
EXPORT_MAX_SECONDS = env_int("EXPORT_MAX_SECONDS", 900, minimum=10)
EXPORT_MAX_MEMORY_MB = env_int("EXPORT_MAX_MEMORY_MB", 1536, minimum=64)
# Sections not yet cached are laid out in this many processes at once (WeasyPrint uses one core
# each); 1 renders them in the export's own process. Each is bounded like the export.
EXPORT_RENDER_PROCESSES = env_int("EXPORT_RENDER_PROCESSES", min(2, os.cpu_count() or 1), minimum=1)
EXPORT_MAX_UNFINISHED_PER_PORTFOLIO = env_int("EXPORT_MAX_UNFINISHED_PER_PORTFOLIO", 1, minimum=1)
EXPORT_MAX_UNFINISHED_PER_PERSON = env_int("EXPORT_MAX_UNFINISHED_PER_PERSON", 3, minimum=1)
# Every exported PDF is signed (PAdES) with this key and certificate, PEM files readable by the
# worker; the key may be encrypted with PDF_SIGNING_KEY_PASSPHRASE. Unset, a self-signed
# development certificate is made under VAR_DIR/signing. See README, "Signing PDF portfolios".
PDF_SIGNING_KEY = env_str("PDF_SIGNING_KEY")
PDF_SIGNING_CERTIFICATE = env_str("PDF_SIGNING_CERTIFICATE")
PDF_SIGNING_KEY_PASSPHRASE = env_str("PDF_SIGNING_KEY_PASSPHRASE")
# The largest file /verify/ accepts to check (browsers that can hash the file send only that).
VERIFY_MAX_FILE_MB = env_int("VERIFY_MAX_FILE_MB", 200, minimum=1)
NOTIFICATION_DIGEST_MINUTES = env_int("NOTIFICATION_DIGEST_MINUTES", 10, minimum=0)
# How long a witness's emailed link to give testimony works before it must be sent again.
WITNESS_LINK_DAYS = env_int("WITNESS_LINK_DAYS", 14, minimum=1)
# RAG status on tutors' dashboards: a learner is "behind" when the share of criteria met trails
# the share of their planned time elapsed by more than the first margin (percentage points),
# and "at risk" when by more than the second, or when the planned end has passed.
RAG_BEHIND_MARGIN = env_int("RAG_BEHIND_MARGIN", 10, minimum=0)
RAG_AT_RISK_MARGIN = env_int("RAG_AT_RISK_MARGIN", 25, minimum=0)
if RAG_AT_RISK_MARGIN < RAG_BEHIND_MARGIN:
    raise ImproperlyConfigured("RAG_AT_RISK_MARGIN must be at least RAG_BEHIND_MARGIN.")
# The address people reach the site at, for links in email and the PDF; `make run` sets it from
# HOST and PORT.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: printed to the console locally unless EMAIL_HOST is set; with DEBUG off always SMTP,
# by default to a mail server on this host.
EMAIL_HOST = env_str("EMAIL_HOST", None if DEBUG else "localhost")
if EMAIL_HOST:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": EMAIL_HOST,
                "port": env_int("EMAIL_PORT", 25, minimum=1),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=False),
            },
        }
    }
else:
    # Printed as it reads: headers and the plain-text part decoded, links whole.
    MAILERS = {"default": {"BACKEND": "accounts.mail.ReadableConsoleBackend"}}
del EMAIL_HOST  # superseded by MAILERS; keeping it would raise a deprecation warning
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Evidence portfolio <portfolio@localhost>")

# Security. Every page gets a strict Content-Security-Policy: no inline script or style.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features no page uses. The upload page's camera button is a file input with
# `capture`, which opens the phone's own camera app and is not governed by this header.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Each task's start and finish is routine; failures still show as errors.
    "loggers": {
        "django.tasks": {"level": "WARNING"},
        # WeasyPrint narrates every rendering step at INFO.
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        # Font subsetting falls back to fontTools when HarfBuzz's subsetter is missing, and
        # fontTools narrates each table at INFO; pikepdf bridges qpdf's notes at INFO.
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
        # pyHanko notes each signature's certificate checks.
        "pyhanko": {"level": "WARNING"},
        "pyhanko_certvalidator": {"level": "WARNING"},
    },
}
