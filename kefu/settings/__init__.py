"""Kefu settings, read from the environment (see README.md, "Configuration").

A fresh clone runs with no environment at all: SQLite files and a SQLite job queue under ``var/``.
Setting ``KEFU_DATABASE_URL`` moves to PostgreSQL, ``KEFU_REDIS_URL`` moves the job queue, cache and
rate limits to Redis. ``kefu.settings.production`` adds the hardening a public deployment needs.
"""

import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from kefu.settings.env import env, envbool, envint, envlist

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PACKAGE_DIR = BASE_DIR / "kefu"
VAR_DIR = Path(env("KEFU_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _dev_secret_key() -> str:
    # A development key that survives restarts (sessions stay valid) without being committed.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


SECRET_KEY = env("KEFU_SECRET_KEY") or _dev_secret_key()
DEBUG = envbool("KEFU_DEBUG", False)
ALLOWED_HOSTS = envlist("KEFU_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("KEFU_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env("KEFU_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "huey.contrib.djhuey",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "auditlog",
    "ninja",
    "kefu.core",
    "kefu.accounts",
    "kefu.customers",
    "kefu.service",
    "kefu.channels",
    "kefu.knowledge",
    "kefu.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "kefu.accounts.middleware.TwoFactorRequiredMiddleware",
    "kefu.accounts.middleware.UserPreferencesMiddleware",
    "kefu.core.audit.AuditContextMiddleware",
    "kefu.core.configstamp.ReadOnlyRequestMiddleware",
    "kefu.apikit.idempotency.IdempotencyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kefu.urls"
WSGI_APPLICATION = "kefu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kefu.core.context_processors.kefu",
            ],
        },
    }
]
# Django's form renderer with plain inputs and textareas written in one pass (same markup).
FORM_RENDERER = "kefu.core.forms_renderer.FastWidgetRenderer"

# --- Database ---------------------------------------------------------------------------------
# Persistent connections are on by default: they triple insert throughput on this class of
# machine. SQLite runs in WAL mode with IMMEDIATE transactions so writers queue on the lock at
# BEGIN instead of failing with "database is locked" halfway through a transaction.
CONN_MAX_AGE = envint("KEFU_CONN_MAX_AGE", 600)
DATABASE_URL = env("KEFU_DATABASE_URL")


def _sqlite_database(path: str) -> dict:
    """Kefu's SQLite settings for the file ``path``, whether named by path or by URL."""
    return {
        # Django's backend, waiting for the write lock in short steps (see the module).
        "ENGINE": "kefu.core.db.sqlite3",
        "NAME": path,
        "CONN_MAX_AGE": CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA temp_store=MEMORY;"
                "PRAGMA mmap_size=268435456;"
                "PRAGMA cache_size=-65536;"
            ),
        },
    }


if DATABASE_URL:
    _parsed = dj_database_url.parse(
        DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
    )
    # A sqlite:/// URL gets the same engine and pragmas as the default file: Django's plain
    # backend would run it in rollback-journal mode with a full sync on every commit
    # (a contact create's commits took 1.7 ms each instead of 0.16).
    if _parsed["ENGINE"] == "django.db.backends.sqlite3":
        _parsed = _sqlite_database(_parsed["NAME"])
    DATABASES = {"default": _parsed}
else:
    DATABASES = {
        "default": _sqlite_database(env("KEFU_SQLITE_PATH", str(VAR_DIR / "kefu.sqlite3")))
    }
if env("KEFU_TEST_DATABASE_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": env("KEFU_TEST_DATABASE_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, jobs ------------------------------------------------------------------------------
REDIS_URL = env("KEFU_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Sessions read from Redis, written through to the database (they outlive a Redis
    # restart): one query less on every signed-in request.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # A database cache is shared by every process on the machine, which rate limits and the
    # "who is editing" presence need; a per-process memory cache would not be.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "kefu_cache",
        }
    }

_huey_consumer = {
    "workers": envint("KEFU_HUEY_WORKERS", 2),
    "worker_type": "thread",
    # An idle consumer backs off polling up to max_delay; the default 10 s makes mail and SLA
    # sweeps feel broken in development.
    "max_delay": 1.0,
    "periodic": envbool("KEFU_HUEY_PERIODIC", True),
}
if REDIS_URL:
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": env("KEFU_HUEY_NAME", "kefu"),
        "url": REDIS_URL,
        "immediate": False,
        "consumer": _huey_consumer,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "kefu",
        "filename": env("KEFU_HUEY_PATH", str(VAR_DIR / "huey.sqlite3")),
        "immediate": False,
        "consumer": _huey_consumer,
    }

# --- Auth and security ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

OTP_TOTP_ISSUER = "Kefu"
AXES_FAILURE_LIMIT = envint("KEFU_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
RATELIMIT_VIEW = "kefu.core.views.ratelimited"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }
}

# --- Internationalisation ---------------------------------------------------------------------
LANGUAGE_CODE = env("KEFU_LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env("KEFU_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "kefu_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Files ------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = []
_NODE_MODULES = BASE_DIR / "node_modules"
if (_NODE_MODULES / "echarts" / "dist").is_dir():
    STATICFILES_DIRS.append(("vendor/echarts", _NODE_MODULES / "echarts" / "dist"))
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("KEFU_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("KEFU_UPLOAD_MAX_MEMORY", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Mail -------------------------------------------------------------------------------------
EMAIL_HOST = env("KEFU_EMAIL_HOST", "")
EMAIL_PORT = envint("KEFU_EMAIL_PORT", 25)
EMAIL_HOST_USER = env("KEFU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env("KEFU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("KEFU_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("KEFU_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("KEFU_DEFAULT_FROM_EMAIL", "Kefu <support@kefu.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Kefu -------------------------------------------------------------------------------------
KEFU_DEFAULT_PHONE_REGION = env("KEFU_DEFAULT_PHONE_REGION", "CN")
KEFU_API_PAGE_SIZE_MAX = 200
NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("KEFU_LOG_LEVEL", "INFO")},
    "loggers": {
        "huey": {"level": "INFO"},
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}
