"""AtlasChart settings, driven by environment variables (documented in README.md).

Defaults suit one machine: SQLite under ``var/``, DEBUG off unless ``DEBUG=1``
(``make run`` sets it). Production: ``DATABASE_URL=postgres://...``, ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``ATLASCHART_VAR_DIR`` or ``MEDIA_ROOT``, ``REDIS_URL`` (cache and Celery
broker); served by gunicorn.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import django_stubs_ext
from django.utils.translation import gettext_lazy as _

from atlaschart.web.env import database_from_url, env_bool, env_list, env_str

# Django's generic classes (forms.ModelForm[User]) subscriptable at run time, as typed code
# writes them (django-stubs).
django_stubs_ext.monkeypatch()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ATLASCHART_VAR_DIR", str(Path.cwd() / "var"))).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", default=False)


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/ (mode 600)."""
    from_env = env_str("SECRET_KEY")
    if from_env:
        return from_env
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "atlaschart.web",
    "atlaschart.lib",
    "atlaschart.clinics",
    "atlaschart.accounts",
    "atlaschart.audit",
    "atlaschart.patients",
    "atlaschart.exams",
    "atlaschart.visits",
    "atlaschart.posture",
    "atlaschart.imaging_studies",
    "atlaschart.dicom_inbox",
    "atlaschart.intake",
    "atlaschart.safety",
    "atlaschart.reports",
    "atlaschart.outcomes",
    "atlaschart.progress",
    "atlaschart.jobs",
    "atlaschart.calendarfeed",
    "atlaschart.fhir",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "atlaschart.accounts.middleware.UserLanguageMiddleware",
    "atlaschart.web.security.IdleTimeoutMiddleware",
    "atlaschart.web.security.SecurityHeadersMiddleware",
    "atlaschart.accounts.middleware.TwoFactorMiddleware",
    "atlaschart.accounts.middleware.RecentAuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "atlaschart.audit.middleware.DeniedAccessLogMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "atlaschart.web.urls"
WSGI_APPLICATION = "atlaschart.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "atlaschart.lib.policy.can_context",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'atlaschart.sqlite3'}"), Path.cwd()
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers go on while a write is in flight; the busy timeout avoids
    # "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {
            "user_attributes": ("username", "display_name", "first_name", "last_name", "email")
        },
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # A file cache is shared by every gunicorn worker on the machine, unlike locmem; the login
    # rate limit relies on that.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# Celery: Redis when CELERY_BROKER_URL/REDIS_URL is set; the filesystem transport under var/ when
# ATLASCHART_TASKS=worker (`atlaschart serve` starts that worker); else eager, in-process (tests,
# CLI). See atlaschart/jobs/conf.py and docs/background.md.
from atlaschart.jobs.conf import celery_settings  # noqa: E402

# Set by the update below; declared so the type checker (django-stubs reads names) knows it.
CELERY_TASK_ALWAYS_EAGER: bool

globals().update(
    celery_settings(
        VAR_DIR, env_str("CELERY_BROKER_URL", REDIS_URL), env_str("CELERY_RESULT_BACKEND", "")
    )
)
# `celery -A atlaschart.web.celery beat` runs these; without a broker, `atlaschart imaging
# sweep-uploads` from a timer does the sweep (docs/imaging.md).
CELERY_BEAT_SCHEDULE = {
    "sweep-staged-imaging-uploads": {
        "task": "atlaschart.imaging.sweep_staged_uploads",
        "schedule": 600.0,
    },
    # Follow-up links for care-plan re-assessment points that have come (visits/tasks.py).
    "remind-due-reassessments": {
        "task": "atlaschart.intake.remind_due_reassessments",
        "schedule": 86400.0,
    },
}

# Follow-up links by e-mail (intake/sending.py). The console backend prints mail to the log,
# so a demo or a fresh install sends nothing out; set EMAIL_BACKEND (and EMAIL_HOST, ...) for
# real mail. ATLASCHART_PUBLIC_URL is the site's address as patients reach it (links in mail).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_str("EMAIL_USE_TLS", "") == "1"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "AtlasChart <noreply@localhost>")
ATLASCHART_PUBLIC_URL = env_str("ATLASCHART_PUBLIC_URL", "http://localhost:8000")
# Dotted path of a text-message sender (intake.sending.SmsSender); none is shipped.
ATLASCHART_SMS_SENDER = env_str("ATLASCHART_SMS_SENDER", "")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LANGUAGE_COOKIE_NAME = "atlaschart_language"
LOCALE_PATHS: list[str] = []
TIME_ZONE = env_str("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = str(VAR_DIR / "static")
(VAR_DIR / "static").mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = env_str("MEDIA_ROOT", str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
HTTPS = env_bool("HTTPS", default=False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
if HTTPS:
    SECURE_SSL_REDIRECT = True
    # The load balancer's health probe speaks plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading commits the domain and all its subdomains to HTTPS in browsers for months: a
    # decision for the clinic, made with HSTS_PRELOAD=1; until then Django's reminder is silenced.
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365

# Login rate limit: failures per client IP and per username in a fixed window, counted in the
# database before the password is checked (accounts/ratelimit.py, docs/security.md).
LOGIN_FAILURE_LIMIT = 5
# Per address the allowance is larger: a clinic's staff usually share one public address.
LOGIN_FAILURE_LIMIT_PER_IP = int(env_str("LOGIN_FAILURE_LIMIT_PER_IP", "20") or "20")
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
# How many reverse proxies stand in front of the app: the client address is the entry the
# outermost of them appended to X-Forwarded-For (atlaschart.lib.client). 0: REMOTE_ADDR. The old
# TRUST_X_FORWARDED_FOR=1 still means one proxy.
_proxies = env_str("TRUSTED_PROXY_COUNT") or ("1" if env_bool("TRUST_X_FORWARDED_FOR") else "0")
if not _proxies.strip().isdigit():
    raise ValueError(f"TRUSTED_PROXY_COUNT must be a number of proxies (0, 1, 2...): {_proxies!r}")
TRUSTED_PROXY_COUNT = int(_proxies)
# Requests per API token (the partners' FHIR API, docs/api.md): "<count>/<s|m|h|d>".
FHIR_API_RATE = env_str("FHIR_API_RATE", "300/m") or "300/m"
if not re.fullmatch(r"\d+/\d*[smhd]", FHIR_API_RATE):
    raise ValueError(f"FHIR_API_RATE must read like 300/m (per s, m, h or d): {FHIR_API_RATE!r}")

# --- hardening: sessions, second factor, browser policies (docs/security.md) ---
# A signed-in session ends after this many minutes without a request (and when the browser closes).
SESSION_IDLE_MINUTES = int(env_str("SESSION_IDLE_MINUTES", "30") or "30")
# Roles that must sign in with a second factor when their clinic has no policy of its own.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", "admin,clinician")
OTP_TOTP_ISSUER = "AtlasChart"
# Content-Security-Policy: scripts only from this site or with the per-response nonce; styles only
# from the site's style sheets (no style= attribute or <style> element in any template).
from csp.constants import NONCE  # noqa: E402  (the per-response nonce sentinel)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Signing a record or exporting data asks for the password (and second factor) again when it was
# last given more than this many minutes ago (accounts/middleware.py).
REAUTH_MINUTES = int(env_str("REAUTH_MINUTES", "15") or "15")
REAUTH_VIEWS = [
    "visits:sign",
    "visits:treatment_sign",
    "safety:acknowledge",
    "audit:export",
    "imaging_studies:export_study",
    "imaging_studies:export_download",
    "imaging_studies:export_png",
    "fhir_export:download",
    "fhir_export:made",
]
# Pages (URL names) that may use the camera; every other page denies it (Permissions-Policy).
CAMERA_VIEWS = ["posture:session"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
CSRF_FAILURE_VIEW = "atlaschart.web.views.csrf_failure"

# Media on local disk or S3-compatible object storage, sessions shared through Redis: last, as it
# adjusts STORAGES and CONTENT_SECURITY_POLICY above (web/settings_storage.py, docs/deployment.md).
from atlaschart.web.settings_storage import configure_storage  # noqa: E402

# Set by configure_storage; declared here so the type checker knows the setting.
MEDIA_SIGNED_URL_SECONDS: int
configure_storage(globals())
