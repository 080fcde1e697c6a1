"""Settings for Một cửa, read from the environment (one file, safe laptop defaults).

Without DATABASE_URL the portal uses a SQLite file; without CELERY_BROKER_URL (or REDIS_URL)
Celery runs tasks eagerly in the web process. See .env.example for every variable.
"""

from __future__ import annotations

import os
import warnings
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from motcua.databases import database_settings
from motcua.filestorage import default_storage
from motcua.lib.env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent.parent
# Where the portal writes its SQLite file, generated reports and uploads on a laptop.
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", BASE_DIR / "var"))

DEBUG = env_bool("DEBUG", False)


# --- Secret key (signs sessions, CSRF tokens, survey links) ----------------------------------
# SECRET_KEY from the environment, else the file named by SECRET_KEY_FILE (./run keeps one in
# var/secret_key), else — with DEBUG on only — a fixed development key. With DEBUG off and no
# key the start stops here: a guessable key would let anyone forge a staff session.
def _read_secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    key_file = os.environ.get("SECRET_KEY_FILE", "").strip()
    if not key and key_file:
        try:
            key = Path(key_file).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"Không đọc được SECRET_KEY_FILE={key_file} ({error.strerror}) / "
                f"cannot read SECRET_KEY_FILE={key_file}."
            ) from error
    if key:
        return key
    if DEBUG:
        return "django-insecure-motcua-development-key-change-me"
    raise ImproperlyConfigured(
        "Chưa đặt SECRET_KEY (hoặc SECRET_KEY_FILE) khi DEBUG tắt / SECRET_KEY is not set with DEBUG off: "
        "export SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')\""
    )


SECRET_KEY = _read_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "motcua",
    "thutuc",
    "hoso",
    "baocao",
    "congdan",
    "vanhanh",
    "phananh",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_htmx",
]

MIDDLEWARE = [
    "motcua.requestid.request_id_middleware",  # first: every later line of the request logs its id
    "vanhanh.metrics.metrics_middleware",  # Prometheus: count and time every answer (vanhanh/metrics.py)
    "django.middleware.security.SecurityMiddleware",
    "motcua.middleware.reject_null_characters",
    "motcua.middleware.hold_versions",  # calendars' and catalogue's version tokens: one read per request
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

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
                "motcua.context_processors.navigation",
                "congdan.context_processors.citizen",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    # DB_POOL=1: a psycopg connection pool in each process (DB_POOL_MIN/DB_POOL_MAX connections)
    # instead of one persistent connection per thread; PgBouncer in front works with either.
    DATABASES = {"default": database_settings(DATABASE_URL, os.environ)}
    # A PostgreSQL read replica for reports and exports (off by default): see motcua/databases.py.
    if os.environ.get("REPLICA_DATABASE_URL"):
        DATABASES["replica"] = database_settings(os.environ["REPLICA_DATABASE_URL"], os.environ)
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(VAR_DIR / "motcua.sqlite3")),
            "OPTIONS": {"timeout": 20},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASE_ROUTERS = ["motcua.databases.ReplicaRouter"]
MOTCUA_READ_REPLICA = "replica" in DATABASES
# Vietnamese alphabetical order. PostgreSQL ships this ICU collation; on SQLite the same name
# is registered as a Python collation (motcua.apps), so queries are written once.
VI_COLLATION = "vi-VN-x-icu"

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_URL = os.environ.get("CACHE_URL", REDIS_URL)
if CACHE_URL:
    CACHES = {
        "default": {
            # Redis down: reads miss, writes are dropped, nothing raises (see motcua.lib.cache and
            # docs/operations.md); each request waits at most the short timeouts below, and only
            # once per CACHE_CIRCUIT_SECONDS per process.
            "BACKEND": "motcua.lib.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "motcua"),
            "OPTIONS": {
                "socket_connect_timeout": float(os.environ.get("CACHE_CONNECT_TIMEOUT", "0.25")),
                "socket_timeout": float(os.environ.get("CACHE_SOCKET_TIMEOUT", "0.5")),
                "CIRCUIT_SECONDS": float(os.environ.get("CACHE_CIRCUIT_SECONDS", "30")),
            },
        }
    }
else:
    # Per process; big enough for the public lookups and rate-limit counters of a busy ward.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 20_000)},
        }
    }

# --- Auth -----------------------------------------------------------------------------------
AUTH_USER_MODEL = "motcua.User"
# axes first: it refuses a locked-out username or address before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "motcua.backends.StaffBackend"]
# Sessions live in the database only: the desk keeps working when Redis is down, and a sign-out
# made during an outage cannot be undone by a session copy that survived in Redis (cached_db).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Language, time -------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt")]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# --- Vietnamese input formats and admin strings (dates typed day first; names Django lacks) ---
# Django's "vi" locale has no input formats: dates typed in the admin were read month first.
FORMAT_MODULE_PATH = ["motcua.formats"]
# The admin strings Django's Vietnamese catalogue leaves in English ("Show counts", "Error:"…).
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    # Uploaded files: under MEDIA_ROOT, or in an S3-compatible bucket when MOTCUA_S3_BUCKET is set
    # (motcua/filestorage.py). Never served at MEDIA_URL: the portal's views check access first.
    "default": default_storage(os.environ),
    "staticfiles": {
        # Production (after collectstatic) sets STATIC_MANIFEST=1 for cache-busting file names.
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", False)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Serve files straight from the apps' static folders when collectstatic has not run (tests,
# the laptop run command); production runs collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Celery ---------------------------------------------------------------------------------
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", CELERY_BROKER_URL or None)
# No broker configured: run tasks in-process so a laptop needs nothing else.
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# With a broker, beat's relay plans applicants' notifications every few seconds from the committed
# events (hoso.notifications, flow §1): a request does not publish them. 0: each action publishes
# its own after commit, as in eager mode.
MOTCUA_NOTIFY_RELAY = env_bool("MOTCUA_NOTIFY_RELAY", True)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Celery: reliability when a worker, Redis or the broker fails (docs/operations.md) -------
# A message is acknowledged after its task ran (CELERY_TASK_ACKS_LATE above) and put back when
# the worker process running it dies (SIGKILL, out of memory): every task is safe to run twice.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# The portal never reads a task's result (outcomes are rows): none is stored, and sending a task
# does not first subscribe to a result channel — that subscription waited 19 s for a dead Redis.
# (The worker test's ping task opts back in, see motcua.celery.)
CELERY_TASK_IGNORE_RESULT = True
# Sending a task from a request waits at most about a second for a broker that refuses or hangs,
# and is not retried: the caller logs the failure and its row waits for the sweepers.
CELERY_BROKER_CONNECTION_TIMEOUT = float(os.environ.get("CELERY_BROKER_CONNECTION_TIMEOUT", "1"))
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": float(os.environ.get("CELERY_BROKER_SOCKET_TIMEOUT", "1")),
    "max_retries": 0,  # connecting to publish: one attempt (the worker has its own reconnect loop)
    # Redis only: a message taken by a worker that vanished is delivered again after this long.
    # It must exceed the longest countdown (notification retries wait up to 30 min) and run (15 min).
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 0.5
CELERY_REDIS_SOCKET_TIMEOUT = 1.0
# A compilation's claim on a report lasts this long without renewal (renewed at each step), longer
# than the task's hard time limit (6 min): then a retry or the sweeper takes a dead run's report over.
MOTCUA_REPORT_LEASE_SECONDS = env_int("MOTCUA_REPORT_LEASE_SECONDS", 7 * 60)
# Fault drills only (tests/drills): seconds a compilation sleeps after its claim, so a drill can kill
# the worker mid-way. Always 0 in production.
MOTCUA_REPORT_COMPILE_DELAY = float(os.environ.get("MOTCUA_REPORT_COMPILE_DELAY", "0"))
# Periodic jobs (celery -A motcua worker -B). The report job runs daily and decides itself
# whether today follows a Nghị định 09 cut-off (15/06, 15/12), so a missed day is testable.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE = {
    "baocao-draft-periodic-reports": {
        "task": "baocao.tasks.draft_periodic_reports",
        "schedule": crontab(hour=6, minute=0),  # 06:00 in CELERY_TIMEZONE (Asia/Ho_Chi_Minh)
    },
    # The notifications of the events committed since the last run (hoso.notifications, flow §1).
    "hoso-relay-notifications": {
        "task": "hoso.tasks.relay_notifications",
        "schedule": float(os.environ.get("MOTCUA_NOTIFY_RELAY_SECONDS", "5")),
    },
    "hoso-sweep-notifications": {
        "task": "hoso.tasks.sweep_notifications",
        "schedule": crontab(minute="*/10"),
    },
    # Reports left queued (broker down) or running under an expired lease (worker killed).
    "baocao-sweep-reports": {
        "task": "baocao.tasks.sweep_reports",
        "schedule": crontab(minute="*/5"),
    },
    # Beat's and the workers' pulse, read by /healthz?full=1.
    "motcua-heartbeat": {
        "task": "motcua.heartbeat",
        "schedule": crontab(minute="*"),
    },
}
# /healthz?full=1 (docs/operations.md): for staff signed in, or with "Authorization: Bearer <token>".
MOTCUA_HEALTH_TOKEN = os.environ.get("MOTCUA_HEALTH_TOKEN", "")
MOTCUA_HEALTH_WORKER_TIMEOUT = float(os.environ.get("MOTCUA_HEALTH_WORKER_TIMEOUT", "1"))  # seconds for a reply
MOTCUA_HEALTH_BEAT_STALE = env_int("MOTCUA_HEALTH_BEAT_STALE", 180)  # seconds since the last heartbeat
MOTCUA_HEALTH_BACKLOG_STALE = env_int("MOTCUA_HEALTH_BACKLOG_STALE", 900)  # seconds the oldest waiting row may wait
# The read replica is "late" on /healthz?full=1 past this many seconds behind the primary.
MOTCUA_HEALTH_REPLICA_LAG = env_int("MOTCUA_HEALTH_REPLICA_LAG", 60)

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Một cửa <motcua@localhost>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# --- Security (HTTPS deployments set SECURE_SSL_REDIRECT=1) ---------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", SECURE_SSL_REDIRECT)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if SECURE_SSL_REDIRECT else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_SSL_REDIRECT)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_SSL_REDIRECT)
if env_bool("USE_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# --- Login throttling (django-axes; staff login and the admin's /quan-tri/login/) ----------
# Failures are counted in the database (AccessAttempt), never in the cache, so the lockout holds
# when Redis is down. 10 failures for one username lock that username from every address; 30 from
# one address (a ward's staff often share one) lock that address for every username. Either lock
# lasts 15 minutes after the last counted failure; attempts during the lockout neither count nor
# extend it. A superuser unlocks at once: `manage.py axes_reset_username USERNAME`,
# `axes_reset_ip ADDRESS`, or deleting the row under "Bảo vệ đăng nhập" in the admin.
INSTALLED_APPS += ["motcua.apps.LoginGuardConfig"]
AXES_HANDLER = "motcua.lockout.StaffLockoutHandler"  # axes' database handler, a limit per parameter
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each one on its own, not the pair
AXES_FAILURE_LIMIT = env_int("MOTCUA_LOGIN_FAILURES_PER_USER", 10)
MOTCUA_LOGIN_FAILURES_PER_ADDRESS = env_int("MOTCUA_LOGIN_FAILURES_PER_ADDRESS", 30)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("MOTCUA_LOGIN_LOCKOUT_MINUTES", 15))
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "motcua.lockout.client_ip"  # honours MOTCUA_TRUST_X_FORWARDED_FOR
AXES_LOCKOUT_CALLABLE = "motcua.lockout.locked_out"  # the login page, in Vietnamese, with the time
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # every failure kept (AccessFailureLog), beside AccessLog
AXES_SENSITIVE_PARAMETERS = []  # log lines name the username and address (never the password)
AXES_VERBOSE = False  # no banner on every manage.py command
AXES_ENABLE_ADMIN = False  # motcua.admin registers read-only views with Vietnamese labels
# Vietnamese names for axes' models and fields come from locale/ (LOCALE_PATHS above).

# --- Content-Security-Policy (django-csp; every response, the admin included) ----------------
# Scripts and styles only from our own static files: no inline script, no style="" attribute, no
# <style> block except the report preview's, admitted by a per-request nonce. data: images are
# Bootstrap's SVG icons (select arrows, close buttons) in its stylesheet. PDFs are not affected.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

INSTALLED_APPS += ["csp"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- CSRF -------------------------------------------------------------------------------------
CSRF_FAILURE_VIEW = "motcua.views.csrf_failure"  # "Biểu mẫu đã hết hạn", not Django's English 403

# --- Staff sessions ---------------------------------------------------------------------------
# A session ends when the browser closes, after the ward's idle time (Agency.idle_timeout_minutes,
# 5–480, default 30; motcua.middleware.idle_timeout) and at the latest SESSION_COOKIE_AGE after
# sign-in. Every answer to a signed-in user is `Cache-Control: private, no-store`.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 12 * 3600)
MIDDLEWARE += [
    "motcua.middleware.idle_timeout",
    "motcua.middleware.private_pages",
    "csp.middleware.CSPMiddleware",
    # Inside CSPMiddleware: it adds the identity provider to form-action for a citizen's pages.
    "congdan.middleware.citizen_pages",
    "axes.middleware.AxesMiddleware",  # last, as axes asks: turns a lockout into the lockout page
]

# LOG_FORMAT=json (production, deploy/): one JSON object a line with the request id, for the log
# collector; "plain" (default) for a terminal. Workers log the same way (the id of the request that
# sent the task), since Celery is told to leave the root logger alone.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "motcua.requestid.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(request_id)s %(process)d %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "pyhanko": {"level": "CRITICAL"},  # logs every refused signature with a traceback
        "fontTools": {"level": "WARNING"},
    },
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# /metrics for Prometheus answers only a scraper sending "Authorization: Bearer <this>"; off when empty.
MOTCUA_METRICS_TOKEN = os.environ.get("MOTCUA_METRICS_TOKEN", "")

# --- Project --------------------------------------------------------------------------------
MOTCUA_DATA_DIR = BASE_DIR / "data"
# Public URL of the portal, used in links printed on slips and sent to citizens.
MOTCUA_PUBLIC_URL = os.environ.get("MOTCUA_PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
MOTCUA_SMS_BACKEND = os.environ.get("MOTCUA_SMS_BACKEND", "hoso.notifications.LoggingSmsBackend")
# Public satisfaction page (/danh-gia/<token>/): requests per client address, "<count>/<n><s|m|h|d>".
MOTCUA_SURVEY_RATE_LIMIT = os.environ.get("MOTCUA_SURVEY_RATE_LIMIT", "30/10m")
# Public status lookup: requests per client address (e.g. "30/10m", "60/h").
MOTCUA_LOOKUP_RATE_LIMIT = os.environ.get("MOTCUA_LOOKUP_RATE_LIMIT", "60/10m")
# Behind a reverse proxy that sets X-Forwarded-For, rate limits key on the forwarded address.
MOTCUA_TRUST_X_FORWARDED_FOR = env_bool("MOTCUA_TRUST_X_FORWARDED_FOR", False)

# --- Bounded imports (issue 10.8) -------------------------------------------------------------
# Every CSV/XLSX an import reads (admin upload or command) is checked before parsing: the file's
# size, an XLSX's declared uncompressed size (and at most 1,000 zip entries), then reading stops
# past the row limit (data rows after the header, blank ones included) and at a cell longer than
# MOTCUA_IMPORT_MAX_CELL_CHARS. Each limit: MOTCUA_IMPORT_<KIND>_MAX_MB, _MAX_UNCOMPRESSED_MB,
# _MAX_ROWS (KIND = DOSSIERS, PROCEDURES, HOLIDAYS). A dossier XLSX takes ≈ 1 KB a row inflated.
_MB = 1024 * 1024
MOTCUA_IMPORT_LIMITS = {
    kind: {
        "max_bytes": env_int(f"MOTCUA_IMPORT_{kind.upper()}_MAX_MB", mb) * _MB,
        "max_uncompressed_bytes": env_int(f"MOTCUA_IMPORT_{kind.upper()}_MAX_UNCOMPRESSED_MB", inflated) * _MB,
        "max_rows": env_int(f"MOTCUA_IMPORT_{kind.upper()}_MAX_ROWS", rows),
    }
    for kind, mb, inflated, rows in (
        ("dossiers", 100, 300, 200_000),
        ("procedures", 10, 100, 5_000),
        ("holidays", 1, 20, 2_000),
    )
}
MOTCUA_IMPORT_MAX_CELL_CHARS = env_int("MOTCUA_IMPORT_MAX_CELL_CHARS", 10_000)

# --- Citizen sign-in with the national digital identity (OpenID Connect; congdan/oidc.py) ------
# Without an issuer the citizen sign-in is off: no link is shown, /cong-dan/dang-nhap/ says so.
# ./run points these at the development identity provider (devidp/) unless MOTCUA_DEVIDP=0.
MOTCUA_OIDC_ISSUER = os.environ.get("MOTCUA_OIDC_ISSUER", "").strip().rstrip("/")
MOTCUA_OIDC_CLIENT_ID = os.environ.get("MOTCUA_OIDC_CLIENT_ID", "").strip()
MOTCUA_OIDC_CLIENT_SECRET = os.environ.get("MOTCUA_OIDC_CLIENT_SECRET", "").strip()
MOTCUA_OIDC_SCOPES = os.environ.get("MOTCUA_OIDC_SCOPES", "openid profile").strip() or "openid profile"
MOTCUA_OIDC_ACR_VALUES = os.environ.get("MOTCUA_OIDC_ACR_VALUES", "").strip()

# --- Online dossiers (tructuyen) --------------------------------------------------------------
# Files are checked by content (PDF, JPEG, PNG only) and stored through the default storage.
INSTALLED_APPS += ["tructuyen"]
TRUCTUYEN_MAX_FILE_BYTES = env_int("TRUCTUYEN_MAX_FILE_BYTES", 10 * 1024 * 1024)
TRUCTUYEN_MAX_DOSSIER_BYTES = env_int("TRUCTUYEN_MAX_DOSSIER_BYTES", 50 * 1024 * 1024)
# The API's X-Timestamp may differ from the server clock by this many seconds either way.
TRUCTUYEN_API_CLOCK_SKEW_SECONDS = env_int("TRUCTUYEN_API_CLOCK_SKEW_SECONDS", 300)

# --- The national link (lienthong) --------------------------------------------------------------
# Off while no address is set: nothing is queued then (``national_sync --resend`` queues the current
# records at the first connection). TLS certificates are always verified.
INSTALLED_APPS += ["lienthong"]
MOTCUA_NATIONAL_PORTAL_URL = os.environ.get("MOTCUA_NATIONAL_PORTAL_URL", "").strip()
MOTCUA_NATIONAL_PORTAL_USER = os.environ.get("MOTCUA_NATIONAL_PORTAL_USER", "").strip()
MOTCUA_NATIONAL_PORTAL_PASSWORD = os.environ.get("MOTCUA_NATIONAL_PORTAL_PASSWORD", "")
MOTCUA_NATIONAL_PORTAL_TIMEOUT = env_int("MOTCUA_NATIONAL_PORTAL_TIMEOUT", 15)  # seconds per request
CELERY_BEAT_SCHEDULE["lienthong-drain-outbox"] = {
    "task": "lienthong.tasks.drain_outbox",
    "schedule": crontab(minute="*"),  # catches rows whose after-commit drain was lost (broker down)
}
CELERY_BEAT_SCHEDULE["lienthong-reconcile-week"] = {
    "task": "lienthong.tasks.reconcile_week",
    "schedule": crontab(hour=2, minute=30, day_of_week="mon"),  # the past week, Monday 02:30
}

# --- Fees and online payment (thanhtoan; docs/payments.md) ---------------------------------------
# Online payment is off while MOTCUA_PAYMENT_URL or MOTCUA_PAYMENT_SECRET is empty (counter payments
# still work). ./run points them at payment_gateway_simulator on loopback for the demo.
INSTALLED_APPS += ["thanhtoan"]
MOTCUA_PAYMENT_URL = os.environ.get("MOTCUA_PAYMENT_URL", "").strip()
MOTCUA_PAYMENT_PARTNER = os.environ.get("MOTCUA_PAYMENT_PARTNER", "MOTCUA").strip()
MOTCUA_PAYMENT_SECRET = os.environ.get("MOTCUA_PAYMENT_SECRET", "")
MOTCUA_PAYMENT_TIMEOUT = env_int("MOTCUA_PAYMENT_TIMEOUT", 15)  # seconds per request
CELERY_BEAT_SCHEDULE["thanhtoan-reconcile"] = {
    "task": "thanhtoan.tasks.reconcile_open_payments",
    "schedule": crontab(minute="*/10"),  # transactions started 30 minutes to 3 days ago, no callback
}

# --- Digital signatures (kyso; docs/signatures.md) ----------------------------------------------
# The organisation's PKCS#12 for every ward without its own key in the admin; without it nothing is
# signed on the server. Trust roots (PEM) validate every signature; a time-stamping service (RFC 3161)
# adds a timestamp to each server signature when set.
INSTALLED_APPS += ["kyso"]
# pyHanko still imports cryptography's DSA types (never used here: signatures are RSA/ECDSA); the
# warning would print on every manage.py command.
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")
MOTCUA_SIGNING_P12 = os.environ.get("MOTCUA_SIGNING_P12", "").strip()
MOTCUA_SIGNING_P12_PASSWORD = os.environ.get("MOTCUA_SIGNING_P12_PASSWORD", "")
MOTCUA_SIGNING_NAME = os.environ.get("MOTCUA_SIGNING_NAME", "").strip()  # empty: the certificate's name
MOTCUA_TRUST_ROOTS = os.environ.get("MOTCUA_TRUST_ROOTS", "").strip()
MOTCUA_TSA_URL = os.environ.get("MOTCUA_TSA_URL", "").strip()
MOTCUA_VERIFY_MAX_BYTES = env_int("MOTCUA_VERIFY_MAX_BYTES", 20 * 1024 * 1024)
