"""Microreach settings: one file, driven by environment variables (see .env.example)."""

from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config import embedded
from config.env import env_bool, env_int, env_list, env_str, env_url

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("MICROREACH_DATA_DIR", str(BASE_DIR / ".data")))

DEBUG = env_bool("DEBUG", False)
# A local run or the test suite: plain HTTP on localhost, a throwaway secret key.
LOCAL = DEBUG or env_bool("MICROREACH_DEV", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not LOCAL:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in production (or set MICROREACH_DEV=true for a local run)."
        )
    SECRET_KEY = "dev-only-insecure-key-microreach-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# With no DATABASE_URL / REDIS_URL, run real embedded servers under DATA_DIR.
embedded.ensure_services(DATA_DIR)
DATABASE_URL = env_url("DATABASE_URL", None, schemes={"postgres", "postgresql"})
REDIS_URL = env_url("REDIS_URL", None, schemes={"redis", "rediss", "unix"})

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "template_partials",
    "csp",
    "axes",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "apps.accounts",
    "apps.creators",
    "apps.campaigns",
    "apps.contracts",
    "apps.reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "apps.accounts.middleware.WorkspaceMiddleware",
    "apps.accounts.middleware.HtmxMessagesMiddleware",
    # Tags every tracked write of a request with its user and URL (contract history).
    "pghistory.middleware.HistoryMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

# Reads write no tracked rows worth a who/where (a creator opening their contract link has no
# user), and on a GET the middleware would prefix every SELECT with two set_config() calls.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "apps.accounts.context_processors.workspace",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0)
    )
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "mr"),
    },
    # Rendered fragments that are a pure function of their cache key (the discovery filter
    # form). In process memory: no network hop, and a restart (a deploy, a template edit
    # under runserver) starts it empty, so no fragment outlives the template that made it.
    "fragments": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "fragments",
        "OPTIONS": {"MAX_ENTRIES": 500},
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 7, minimum=1)

# Login throttling: lock an email+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)


# Without django-ipware, axes (and key="ip" rate limits) read only REMOTE_ADDR: behind a
# proxy every visitor would share the proxy's address and its lockouts.
AXES_CLIENT_IP_CALLABLE = "apps.accounts.client_ip.client_ip"
RATELIMIT_IP_META_KEY = "apps.accounts.client_ip.client_ip"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not LOCAL
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Locally, serve static files straight from the apps' folders (no collectstatic needed).
WHITENOISE_USE_FINDERS = LOCAL
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# Email: console locally, SMTP (or any backend) in production.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
EMAIL_FILE_PATH = str(DATA_DIR / "emails")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Microreach <noreply@microreach.local>")

# Security. Safe for local use by default; production turns these on (see .env.example).
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not LOCAL)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not LOCAL)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if LOCAL else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /healthz is probed over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy, enforced. Our scripts carry a nonce; htmx runs without eval.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "apps.accounts.api.exception_handler",
    # Bodies are checked for text Postgres cannot store (NUL, huge strings) as they are
    # parsed: a 400 naming the field instead of a 500 (apps.accounts.api_input).
    "DEFAULT_PARSER_CLASSES": [
        "apps.accounts.api_input.JSONParser",
        "apps.accounts.api_input.FormParser",
        "apps.accounts.api_input.MultiPartParser",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Microreach API",
    "DESCRIPTION": "Workspace-scoped API. Authenticate with `Authorization: Token <key>`; "
    "choose a workspace with the `X-Workspace` header (its id), otherwise your first workspace is used.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that share a field name ("status", "source", "format") across apps,
    # named once so the schema has one component each and no naming warnings.
    "ENUM_NAME_OVERRIDES": {
        "StatsSourceEnum": "apps.creators.models.StatsSource",
        "ContractStatusEnum": "apps.contracts.models.Contract.Status",
        "DeliverableFormatEnum": "apps.contracts.models.DeliverableFormat",
        "ConversionSourceEnum": "apps.reporting.models.Conversion.Source",
    },
    # Every operation lists the shared error answers (400/401/403/404/415); the enum hook
    # is drf-spectacular's default.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "apps.accounts.api.document_error_responses",
    ],
    # The API is JSON: the schema documents JSON request bodies only (forms still parse).
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
}

# Celery: JSON only, late acks so a killed worker's task is redelivered, bounded run time.
CELERY_BROKER_URL = embedded.celery_url(REDIS_URL)
CELERY_RESULT_BACKEND = embedded.celery_url(REDIS_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 15 * 60, minimum=10)
CELERY_TASK_SOFT_TIME_LIMIT = (
    CELERY_TASK_TIME_LIMIT - 60 if CELERY_TASK_TIME_LIMIT > 120 else CELERY_TASK_TIME_LIMIT
)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Task processes per worker (unset: one per CPU); more workers: `docker compose up --scale worker=N`.
CELERY_WORKER_CONCURRENCY = env_int("WORKER_CONCURRENCY", 0, minimum=0) or None
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "microreach")
# Redis redelivers an unacknowledged task after the visibility timeout: keep it well
# above the longest task, or a slow task would run twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_TASK_TIME_LIMIT * 4}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Stats refresh (apps/creators: connections, quota budgets, refresh workers) -----------
# Provider endpoints and API versions: settings, so tests, benchmarks and operators behind
# a proxy can point the clients at another host. Per-workspace credentials (YouTube key,
# Instagram token, creators' TikTok tokens) live encrypted in the database, not here.
YOUTUBE_API_BASE = env_str("YOUTUBE_API_BASE", "https://www.googleapis.com/youtube/v3")
GRAPH_API_BASE = env_str("GRAPH_API_BASE", "https://graph.facebook.com")
GRAPH_API_VERSION = env_str("GRAPH_API_VERSION", "v24.0")
TIKTOK_API_BASE = env_str("TIKTOK_API_BASE", "https://open.tiktokapis.com")
# Our TikTok app: needed to renew the tokens creators granted us.
TIKTOK_CLIENT_KEY = env_str("TIKTOK_CLIENT_KEY", "")
TIKTOK_CLIENT_SECRET = env_str("TIKTOK_CLIENT_SECRET", "")
PROVIDER_TIMEOUT = env_int("PROVIDER_TIMEOUT", 15, minimum=1)  # seconds per HTTP request
# Fernet key(s) for stored secrets: comma-separated, the first encrypts, all decrypt (rotation).
# Unset, a key is derived from SECRET_KEY, so changing SECRET_KEY makes stored secrets unreadable.
FIELD_ENCRYPTION_KEY = env_str("FIELD_ENCRYPTION_KEY", "")
# Quotas: YouTube units per Pacific day per key (a raised quota is set per connection too),
# our own cap of Instagram calls per hour per token, TikTok requests per minute for our app.
YOUTUBE_DAILY_QUOTA = env_int("YOUTUBE_DAILY_QUOTA", 10_000, minimum=1)
INSTAGRAM_CALLS_PER_HOUR = env_int("INSTAGRAM_CALLS_PER_HOUR", 200, minimum=1)
TIKTOK_CALLS_PER_MINUTE = env_int("TIKTOK_CALLS_PER_MINUTE", 600, minimum=1)
# How often accounts are refreshed: a priority registered by campaigns (live: 1 day,
# shortlisted: 2) or this default; beat looks for due accounts every few minutes.
REFRESH_DEFAULT_DAYS = env_int("REFRESH_DEFAULT_DAYS", 7, minimum=1)
REFRESH_LIVE_CAMPAIGN_DAYS = env_int("REFRESH_LIVE_CAMPAIGN_DAYS", 1, minimum=1)
REFRESH_SHORTLIST_DAYS = env_int("REFRESH_SHORTLIST_DAYS", 2, minimum=1)
REFRESH_SCHEDULE_MINUTES = env_int("REFRESH_SCHEDULE_MINUTES", 15, minimum=1)
REFRESH_STALE_DAYS = env_int("REFRESH_STALE_DAYS", 14, minimum=1)  # numbers older are marked
# YouTube videos cost 2 units per channel (50 channels cost 1): recent posts are fetched
# every REFRESH_POSTS_DAYS and never with more than this share (%) of a key's daily units.
REFRESH_POSTS_DAYS = env_int("REFRESH_POSTS_DAYS", 30, minimum=1)
REFRESH_POSTS_BUDGET_PERCENT = env_int("REFRESH_POSTS_BUDGET_PERCENT", 50, minimum=0)
REFRESH_BATCH_SIZE = env_int("REFRESH_BATCH_SIZE", 500, minimum=1)  # accounts per task
REFRESH_HTTP_CONCURRENCY = env_int("REFRESH_HTTP_CONCURRENCY", 8, minimum=1)  # calls per task
REFRESH_MAX_PER_TICK = env_int("REFRESH_MAX_PER_TICK", 200_000, minimum=1)
REFRESH_MAX_RETRIES = env_int("REFRESH_MAX_RETRIES", 5, minimum=0)
REFRESH_RETRY_BACKOFF_MAX = env_int("REFRESH_RETRY_BACKOFF_MAX", 600, minimum=1)  # seconds
REFRESH_FAILED_RETRY_HOURS = env_int("REFRESH_FAILED_RETRY_HOURS", 24, minimum=1)
# A claim older than this is taken to belong to a lost task (longer than all retries).
REFRESH_CLAIM_TIMEOUT_MINUTES = env_int("REFRESH_CLAIM_TIMEOUT_MINUTES", 120, minimum=1)
# Queue for refresh tasks ('' = the default queue); dedicated refresh workers can take it alone.
REFRESH_QUEUE = env_str("REFRESH_QUEUE", "")
# The simulated platform of the local demo: on by default only for a local run without
# our TikTok app credentials. It is used only by "demo" connections, which cannot exist
# next to a real connection for the same platform, and never replaces a failed real call.
DEMO_PROVIDER = env_bool("DEMO_PROVIDER", LOCAL and not TIKTOK_CLIENT_KEY)
# httpx logs every request URL at INFO, and YouTube's carries the API key: keep it quiet.
LOGGING["loggers"]["httpx"] = {"level": "WARNING"}
# Tests and benchmarks start workers with a short visibility timeout to see redelivery quickly.
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env_int(
    "CELERY_VISIBILITY_TIMEOUT", CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"], minimum=1
)
# TikTok Login Kit: where a creator's browser goes to authorise us (the connect flow).
TIKTOK_AUTH_URL = env_str("TIKTOK_AUTH_URL", "https://www.tiktok.com/v2/auth/authorize/")

# --- Reporting --------------------------------------------------------------------------
# Tracked links (/r/<code>): the same visitor clicking one link again within
# this many minutes is recorded as a repeat, not counted; each IP may follow at most
# TRACKED_LINK_REQUESTS_PER_MINUTE links a minute (then a 429 page, no redirect).
TRACKED_LINK_REPEAT_MINUTES = env_int("TRACKED_LINK_REPEAT_MINUTES", 30, minimum=1)
TRACKED_LINK_RATE_LIMIT = f"{env_int('TRACKED_LINK_REQUESTS_PER_MINUTE', 120, minimum=1)}/m"

# --- Beat: every periodic task in one place (run exactly one beat process) -----------------
# How often beat looks for outreach a stopped worker or a lost task left behind.
OUTREACH_UNSTICK_MINUTES = 10

CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # Beat's heartbeat (read by `manage.py doctor`); expires so a backlog never replays it.
    "accounts-beat-heartbeat": {
        "task": "accounts.beat_heartbeat",
        "schedule": 60,
        "options": {"expires": 55},
    },
    # Stats refresh: claim due accounts every few minutes; recent posts hourly.
    "creators-refresh-schedule": {
        "task": "creators.refresh_schedule",
        "schedule": REFRESH_SCHEDULE_MINUTES * 60,
    },
    "creators-refresh-posts-schedule": {
        "task": "creators.refresh_posts_schedule",
        "schedule": 3600,
    },
    # Follow-up reminders: one digest email a day (the task itself never sends twice a day).
    "campaigns-follow-up-digest": {
        "task": "campaigns.follow_up_digest",
        "schedule": 24 * 3600,
    },
    # Outreach a stopped worker left "sending" (marked failed) or a lost task left "queued".
    "campaigns-outreach-unstick": {
        "task": "campaigns.outreach_unstick",
        "schedule": OUTREACH_UNSTICK_MINUTES * 60,
        "options": {"expires": OUTREACH_UNSTICK_MINUTES * 60 - 30},
    },
    # Sent contracts whose private links have all run out become "expired".
    "contracts-expire-due": {
        "task": "contracts.expire_due",
        "schedule": 3600,
    },
    # Attached posts' numbers, daily per post; beat looks for due posts hourly.
    "reporting-refresh-due-posts": {
        "task": "reporting.refresh_due_posts",
        "schedule": 3600,
        "options": {"expires": 3000},
    },
    # Scheduled report emails: due schedules every 15 minutes.
    "reporting-send-due-reports": {
        "task": "reporting.send_due_reports",
        "schedule": 15 * 60,
    },
}
