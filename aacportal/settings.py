"""Settings for AAC Portal, read from the environment with django-environ.

With no environment at all the portal runs as a self-contained demo: SQLite, an
embedded Celery broker on the file system, console e-mail, DEBUG on. Production
switches by environment only (see `.env.example`): DATABASE_URL (PostgreSQL),
CELERY_BROKER_URL (Redis), SECRET_KEY, ALLOWED_HOSTS, DEBUG=false and
FIELD_ENCRYPTION_KEYS. Nothing here talks to the network or the database, and
importing this module creates and writes nothing: the embedded mode's folders
and key are made by `aacportal.embedded.prepare` (the demo and the test suite
call it before they start anything).
"""

import json
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.urls import reverse

from aacportal import embedded

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

# Runtime state of the embedded mode (SQLite file, broker folders, local key,
# beat schedule). Git-ignored; see aacportal/embedded.py.
VAR_DIR = embedded.var_dir()

# ---------------------------------------------------------------------------
# Core
# https://docs.djangoproject.com/en/5.2/ref/settings/#core-settings
# ---------------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=True)

# A fixed development key keeps demo sessions valid across restarts; outside
# DEBUG a real key is required and its absence stops the process.
SECRET_KEY = env.str("SECRET_KEY", default="") or (
    "django-insecure-aacportal-development-only" if DEBUG else None
)
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY is required when DEBUG is false")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "aacportal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "health",
    "activity",
    "workspaces",
    "schedules",
    "attention",
    "accounts",
    "actions",
    "pages",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "aacportal.middleware.NoStore",
    "aacportal.middleware.RejectNullCharacters",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After authentication: shows every time in the viewer's timezone.
    "accounts.middleware.UserTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it reads the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aacportal.urls"
# A workspace's page belongs to the pages app; naming it here gives the admin's
# "View on site" (and `Workspace.get_absolute_url`) its URL without the
# workspaces app knowing about the apps above it.
# https://docs.djangoproject.com/en/5.2/ref/settings/#absolute-url-overrides
ABSOLUTE_URL_OVERRIDES = {
    "workspaces.workspace": lambda workspace: reverse(
        "pages:workspace", args=[workspace.pk]
    ),
}
WSGI_APPLICATION = "aacportal.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
                "csp.context_processors.nonce",
                "accounts.context_processors.first_visit",
            ],
        },
    },
]

# The guided first visit (accounts/tour.py): a panel walking a new user
# through the portal until they dismiss it. The demo switches it on; a
# production portal shows it only when this is set.
AAC_FIRST_VISIT_TOUR = env.bool("AAC_FIRST_VISIT_TOUR", default=False)

# ---------------------------------------------------------------------------
# Database
# https://docs.djangoproject.com/en/5.2/ref/databases/
# ---------------------------------------------------------------------------

DATABASES = {
    "default": env.db(
        "DATABASE_URL", default=f"sqlite:///{embedded.database_file(VAR_DIR)}"
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; IMMEDIATE takes
    # the write lock at BEGIN so two writers queue on the busy timeout instead
    # of failing with "database is locked" half-way through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests share their database with a real worker process and a live
    # server, so it must be a file, not memory.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# ---------------------------------------------------------------------------
# Authentication and security
# https://docs.djangoproject.com/en/5.2/topics/auth/
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# https://django-csp.readthedocs.io/en/latest/configuration.html
# ---------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "pages:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (accounts/throttling.py; the README's "Login protection"):
# AXES_FAILURE_LIMIT failures lock a username from one address, and
# AAC_LOGIN_ADDRESS_FAILURE_LIMIT failures across usernames lock the address,
# for AXES_COOLOFF_MINUTES. The address is REMOTE_ADDR unless
# AAC_TRUSTED_PROXY_HEADER names the header a trusted reverse proxy sets
# (X-Forwarded-For, X-Real-IP); AAC_TRUSTED_PROXY_COUNT proxies append to it.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# An attempt while locked out is answered with the lockout (429) and neither
# counted nor extending it; the address limit is kept by the handler's check.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HANDLER = "accounts.throttling.AddressLimitHandler"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_address"
AAC_LOGIN_ADDRESS_FAILURE_LIMIT = env.int("AAC_LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AAC_TRUSTED_PROXY_HEADER = env.str("AAC_TRUSTED_PROXY_HEADER", default="")
AAC_TRUSTED_PROXY_COUNT = env.int("AAC_TRUSTED_PROXY_COUNT", default=1)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # read by the buttons' fetch calls
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A load balancer probes the liveness URL over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/live/$"]
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Scripts come from this site only: Chart.js and htmx are served from our
# static files and chart data travels through json_script, never inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Secrets at rest: MultiFernet keys, comma-separated, first one encrypts, all
# decrypt (see workspaces/crypto.py). Never derived from SECRET_KEY. In DEBUG
# with none configured, the key the demo generated into the git-ignored var
# folder is read (if it is there; settings never write it); outside DEBUG the
# `workspaces.E001` check stops the process.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
if not FIELD_ENCRYPTION_KEYS and DEBUG and (local_key := embedded.read_key(VAR_DIR)):
    FIELD_ENCRYPTION_KEYS = [local_key]

# ---------------------------------------------------------------------------
# The JSON API (api/; docs/api.md)
# https://www.django-rest-framework.org/api-guide/settings/
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
# https://docs.djangoproject.com/en/5.2/topics/cache/
# ---------------------------------------------------------------------------

# The API's rate limit per token (per user for a browser session):
# AAC_API_RATE requests a minute, counted in the cache. With several web
# processes, point CACHE_URL at Redis (redis://host:6379/2) so they count
# together; the default local-memory cache counts per process.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
AAC_API_RATE = env.str("AAC_API_RATE", default="600/min")
# Replayed answers to requests with an Idempotency-Key are kept this long.
AAC_API_IDEMPOTENCY_HOURS = env.int("AAC_API_IDEMPOTENCY_HOURS", default=24)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: its "Bearer" challenge makes an anonymous answer a 401.
        "api.authentication.TokenAuthentication",
        # The portal's own session, with its CSRF check on every write.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api.permissions.TokenMayWrite",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AAC Portal API",
    "DESCRIPTION": (
        "Read what the portal caches of your AAC workspaces and act on them, "
        "with exactly your access. Conventions: docs/api.md."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Swagger UI from the project's static files (drf-spectacular-sidecar),
    # never a CDN, so the docs page stays within the Content-Security-Policy.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RunStatusEnum": "schedules.assets.models.RunStatus",
        "SyncStatusEnum": "schedules.models.SyncStatus",
        "ChangeEnum": "actions.models.Change",
        "ActivityActionEnum": "activity.models.Action",
    },
}

# ---------------------------------------------------------------------------
# Internationalisation
# https://docs.djangoproject.com/en/5.2/topics/i18n/
# ---------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------
# Static files (WhiteNoise serves them in production)
# https://whitenoise.readthedocs.io/en/stable/django.html
# ---------------------------------------------------------------------------

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where `collectstatic` puts them, and WhiteNoise reads them from.
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
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

# ---------------------------------------------------------------------------
# E-mail
# https://docs.djangoproject.com/en/5.2/topics/email/
# ---------------------------------------------------------------------------

EMAIL_CONFIG = env.email(
    "EMAIL_URL", default="consolemail://" if DEBUG else "smtp://localhost:25"
)
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="aac-portal@localhost")
# "Forgot your password?" e-mails a reset link: only when EMAIL_URL is set,
# and AAC_PASSWORD_RESET_LIMIT requests an hour per address and per e-mail.
AAC_PASSWORD_RESET_ENABLED = bool(env.str("EMAIL_URL", default=""))
AAC_PASSWORD_RESET_LIMIT = env.int("AAC_PASSWORD_RESET_LIMIT", default=5)

# ---------------------------------------------------------------------------
# Celery
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# ---------------------------------------------------------------------------

# The embedded broker is kombu's filesystem transport: no server, no extra
# dependency, safe across processes on one machine (file locks), and it
# survives restarts. It has no visibility timeout, so a killed worker's
# message is not redelivered; production uses Redis, which does.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = embedded.broker_transport_options(VAR_DIR)
else:
    # A message not acknowledged within this time goes back to the queue;
    # no countdown and no task may be longer (docs/reliability.md rule 8; see
    # CELERY_* below).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A button press must answer quickly when the broker is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Several portals may share one Redis, each with a queue of its own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
# Task state lives in models (SyncRun, Workspace), not in a result store.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Prefork, safe against a pool process killed while idle (aacportal/workerpool.py).
CELERY_WORKER_POOL = "aacportal.workerpool:TaskPool"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TIMEZONE = "UTC"

# ---------------------------------------------------------------------------
# AAC
# The API and token URLs of every region come from here, never from an admin
# or a token (docs/reliability.md rule 6). AAC_REGIONS (JSON) adds or overrides
# regions; AAC_SIMULATOR_URL adds the region "sim" served by `python -m aacsim`.
# ---------------------------------------------------------------------------

AAC_REGIONS = {
    "us1": {
        "label": "US (us1)",
        "api_url": "https://us1.alteryxcloud.com",
        "gateway_url": "https://api.us1.alteryxcloud.com",
        "issuer": "https://pingauth.alteryxcloud.com/as",
    },
    "eu1": {
        "label": "Europe (eu1)",
        "api_url": "https://eu1.alteryxcloud.com",
        "gateway_url": "https://api.eu1.alteryxcloud.com",
        "issuer": "https://pingauth-eu1.alteryxcloud.com/as",
    },
    "au1": {
        "label": "Australia (au1)",
        "api_url": "https://au1.alteryxcloud.com",
        "gateway_url": "https://api.au1.alteryxcloud.com",
        # Not published; by analogy with eu1. Override with AAC_REGIONS.
        "issuer": "https://pingauth-au1.alteryxcloud.com/as",
    },
}
AAC_REGIONS.update(json.loads(env.str("AAC_REGIONS", default="{}")))
_simulator_url = env.str("AAC_SIMULATOR_URL", default="").rstrip("/")
if _simulator_url:
    AAC_REGIONS["sim"] = {
        "label": "AAC simulator",
        "api_url": _simulator_url,
        "gateway_url": env.str("AAC_SIMULATOR_GATEWAY_URL", default=_simulator_url),
        "issuer": f"{_simulator_url}/as",
    }
for _region in AAC_REGIONS.values():
    _region.setdefault("token_url", f"{_region['issuer']}/token")
# Where AAC's web UI shows a schedule, an asset or a run, under the region's
# `ui_url` (its `api_url` unless AAC_REGIONS sets one): not published, so a
# guess that AAC_UI_PATHS (JSON) can correct (docs/aac-api.md, Hosts).
AAC_UI_PATHS = {
    "schedule": "/schedules/{id}",
    "plan": "/plans/{id}",
    "flow": "/flows/{id}",
    "workflow": "/workflows/{id}",
    "run": "/jobs/{id}",
}
AAC_UI_PATHS.update(json.loads(env.str("AAC_UI_PATHS", default="{}")))

# Seconds: (connect, read) for every AAC request; attempts for idempotent GETs.
AAC_CONNECT_TIMEOUT = env.float("AAC_CONNECT_TIMEOUT", default=5)
AAC_READ_TIMEOUT = env.float("AAC_READ_TIMEOUT", default=30)
AAC_GET_ATTEMPTS = env.int("AAC_GET_ATTEMPTS", default=3)
AAC_PAGE_SIZE = env.int("AAC_PAGE_SIZE", default=1000)
# A refresh lease outlives the task that holds it (docs/reliability.md rule 4;
# checked by workspaces.E004-E006).
AAC_REFRESH_LEASE_SECONDS = env.int("AAC_REFRESH_LEASE_SECONDS", default=360)
# Refresh an access token when less than this is left.
AAC_ACCESS_TOKEN_MIN_VALIDITY = env.int("AAC_ACCESS_TOKEN_MIN_VALIDITY", default=120)
# Pages and the admin warn this long before a refresh token's lifetime ends.
AAC_REFRESH_TOKEN_WARNING_DAYS = env.int("AAC_REFRESH_TOKEN_WARNING_DAYS", default=14)
AAC_SYNC_INTERVAL_MINUTES = env.int("AAC_SYNC_INTERVAL_MINUTES", default=15)
AAC_TOKEN_REFRESH_INTERVAL_MINUTES = env.int(
    "AAC_TOKEN_REFRESH_INTERVAL_MINUTES", default=5
)
# A running SyncRun whose heartbeat is older than this (seconds) lost its
# worker and is expired; a queued one not started this many minutes after it
# was due lost its message (docs/reliability.md rule 16).
AAC_SYNC_HEARTBEAT_TIMEOUT = env.int("AAC_SYNC_HEARTBEAT_TIMEOUT", default=120)
AAC_SYNC_STALE_MINUTES = env.int("AAC_SYNC_STALE_MINUTES", default=15)
# Runs are kept this many days (pruned hourly); a first sync reads as far back.
AAC_RUN_RETENTION_DAYS = env.int("AAC_RUN_RETENTION_DAYS", default=90)

# ---------------------------------------------------------------------------
# Attention: rules, the daily digest, metrics (docs/attention.md)
# ---------------------------------------------------------------------------

# Per rule, JSON: {"<rule>": {"enabled": false}} or a threshold, e.g.
# {"failing_schedule": {"runs": 3}, "frequent_schedule": {"minutes": 1}}.
AAC_ATTENTION_RULES = json.loads(env.str("AAC_ATTENTION_RULES", default="{}"))
# The portal's address as people reach it: the digest's links.
AAC_PORTAL_URL = env.str("AAC_PORTAL_URL", default="http://localhost:8000")
# Send a digest even when it has nothing to say.
AAC_DIGEST_SEND_EMPTY = env.bool("AAC_DIGEST_SEND_EMPTY", default=False)
# The bearer token Prometheus sends to /metrics; empty: /metrics answers 404.
AAC_METRICS_TOKEN = env.str("AAC_METRICS_TOKEN", default="")
AAC_ATTENTION_INTERVAL_MINUTES = env.int(
    "AAC_ATTENTION_INTERVAL_MINUTES", default=AAC_SYNC_INTERVAL_MINUTES
)

# Each periodic task expires shortly before its next tick, so a backed-up
# queue never piles up duplicates (docs/reliability.md rule 8).
CELERY_BEAT_SCHEDULE = {
    "sync-all-workspaces": {
        "task": "schedules.tasks.sync_all_workspaces",
        "schedule": timedelta(minutes=AAC_SYNC_INTERVAL_MINUTES),
        "options": {"expires": AAC_SYNC_INTERVAL_MINUTES * 60 - 30},
    },
    "refresh-expiring-tokens": {
        "task": "workspaces.tasks.refresh_expiring_tokens",
        "schedule": timedelta(minutes=AAC_TOKEN_REFRESH_INTERVAL_MINUTES),
        "options": {"expires": AAC_TOKEN_REFRESH_INTERVAL_MINUTES * 60 - 15},
    },
    "expire-stale-sync-runs": {
        "task": "schedules.tasks.expire_stale_sync_runs",
        "schedule": timedelta(seconds=AAC_SYNC_HEARTBEAT_TIMEOUT / 4),
        "options": {"expires": AAC_SYNC_HEARTBEAT_TIMEOUT / 5},
    },
    "prune-old-runs": {
        "task": "schedules.tasks.prune_old_runs",
        "schedule": timedelta(hours=1),
        "options": {"expires": 55 * 60},
    },
    "evaluate-attention-rules": {
        "task": "attention.tasks.evaluate_all_workspaces",
        "schedule": timedelta(minutes=AAC_ATTENTION_INTERVAL_MINUTES),
        "options": {"expires": AAC_ATTENTION_INTERVAL_MINUTES * 60 - 30},
    },
    # Hourly would do for whole hours; a quarter hour sends within 15 minutes
    # of the hour chosen, and a missed tick is made up by the next.
    "send-digests": {
        "task": "attention.tasks.send_digests",
        "schedule": timedelta(minutes=15),
        "options": {"expires": 14 * 60},
    },
    # Maintenance windows start and end here, never by countdown tasks.
    "advance-maintenance-windows": {
        "task": "actions.tasks.advance_windows",
        "schedule": timedelta(seconds=15),
        "options": {"expires": 12},
    },
    "resume-actions": {
        "task": "actions.tasks.resume_actions",
        "schedule": timedelta(minutes=1),
        "options": {"expires": 50},
    },
    "worker-heartbeat": {
        "task": "health.tasks.heartbeat",
        "schedule": timedelta(seconds=30),
        "options": {"expires": 25},
    },
}

# ---------------------------------------------------------------------------
# Logging: every handler redacts secrets (docs/reliability.md rule 11)
# https://docs.djangoproject.com/en/5.2/topics/logging/
# ---------------------------------------------------------------------------

# Error pages and reports hide the locals of functions that hold a token, in
# DEBUG too.
# https://docs.djangoproject.com/en/5.2/ref/settings/#default-exception-reporter-filter
DEFAULT_EXCEPTION_REPORTER_FILTER = "aacportal.logredact.TokensHiddenInDebug"

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "aacportal.logredact.RedactSecrets"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact"],
        },
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"level": "INFO"},
        "celery": {"level": "INFO"},
        "urllib3": {"level": "WARNING"},
    },
}
