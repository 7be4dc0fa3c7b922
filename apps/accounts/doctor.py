"""`manage.py doctor`: what is down or misconfigured, one line each with the fix.

/healthz answers a load balancer (up or not); the doctor answers an operator: it also
looks at settings that only hurt later (emails that are never sent, a secret key that
was left at the example value, an encryption key tied to SECRET_KEY) and names the
environment variable to change. Every check reports; none stops the others.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks as django_checks
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http.request import validate_host

OK, WARN, FAIL = "OK", "WARN", "FAIL"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "testserver"}
NETWORK_TIMEOUT = 3  # seconds to reach Postgres/Redis before calling it down
WORKER_PING_TIMEOUT = 1.0
# Beat's heartbeat task runs every minute; three missed beats mean it is not running.
BEAT_STALE_SECONDS = 180
# The throwaway keys of a local run and of .env.example.
PLACEHOLDER_SECRET_MARKERS = ("do-not-use-in-production", "change-me", "django-insecure-")
GENERATE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"  # noqa: S105 - a command, not a key
GENERATE_FERNET = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)
# Checks /healthz runs that the doctor does itself (with fix hints).
HEALTH_CHECKS_COVERED = {"database", "redis", "worker"}
NOT_SENDING_BACKENDS = ("console", "filebased", "locmem", "dummy")


@dataclass(frozen=True)
class Finding:
    level: str
    name: str
    message: str
    hint: str = ""

    def line(self) -> str:
        text = f"{self.level:<4} {self.name}: {self.message}"
        if self.hint and self.level != OK:
            text += f" | fix: {self.hint}"
        return text


@dataclass(frozen=True)
class Mode:
    production: bool
    reason: str


def detect_mode(*, force_production: bool = False) -> Mode:
    """Production checks apply unless this is plainly a local run."""
    if force_production:
        return Mode(True, "production (--production)")
    if not getattr(settings, "LOCAL", settings.DEBUG):
        return Mode(True, "production (DEBUG off and MICROREACH_DEV unset)")
    host = urlsplit(settings.SITE_URL).hostname
    if host and host not in LOCAL_HOSTS:
        # DEBUG or MICROREACH_DEV on a server with a public address: judge it as production.
        return Mode(True, f"production (SITE_URL is {settings.SITE_URL})")
    return Mode(
        False,
        "local run (DEBUG or MICROREACH_DEV on): production-only checks relaxed, "
        "--production applies them",
    )


# -- services ----------------------------------------------------------------------------


def check_database(mode: Mode) -> list[Finding]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), current_setting('server_version')")
            name, version = cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the finding
        return [
            Finding(
                FAIL,
                "database",
                f"cannot connect ({_describe(exc)})",
                "check DATABASE_URL and that Postgres is running (docker compose ps postgres)",
            )
        ]
    findings = [Finding(OK, "database", f"reachable (PostgreSQL {version}, database {name})")]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = ", ".join(f"{m.app_label}.{m.name}" for m, _backwards in plan[:5])
        more = f" and {len(plan) - 5} more" if len(plan) > 5 else ""
        findings.append(
            Finding(
                FAIL,
                "migrations",
                f"{len(plan)} not applied: {names}{more}",
                "docker compose run --rm web python manage.py migrate "
                "(locally: python manage.py migrate)",
            )
        )
    else:
        findings.append(Finding(OK, "migrations", "all applied"))
    unknown = sorted(
        f"{app}.{name}"
        for app, name in executor.loader.applied_migrations
        if (app, name) not in executor.loader.disk_migrations
        and app in executor.loader.migrated_apps
    )
    if unknown:
        findings.append(
            Finding(
                WARN,
                "migrations",
                f"the database has migrations this code does not: {', '.join(unknown[:5])}",
                "a newer release migrated this database: deploy that release (or restore a backup)",
            )
        )
    return findings


def check_redis(mode: Mode) -> list[Finding]:
    import redis
    from kombu import Connection

    findings = []
    location = settings.CACHES["default"]["LOCATION"]
    location = location[0] if isinstance(location, (list, tuple)) else location.split(",")[0]
    try:
        client = redis.Redis.from_url(
            location, socket_connect_timeout=NETWORK_TIMEOUT, socket_timeout=NETWORK_TIMEOUT
        )
        client.ping()
        findings.append(Finding(OK, "redis cache", f"reachable ({_redacted(location)})"))
    except Exception as exc:  # noqa: BLE001
        findings.append(
            Finding(
                FAIL,
                "redis cache",
                f"cannot reach {_redacted(location)} ({_describe(exc)})",
                "check REDIS_URL and that Redis is running (docker compose ps redis)",
            )
        )
    broker_url = settings.CELERY_BROKER_URL
    try:
        with Connection(broker_url, connect_timeout=NETWORK_TIMEOUT) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=NETWORK_TIMEOUT)
        findings.append(Finding(OK, "celery broker", f"reachable ({_redacted(broker_url)})"))
    except Exception as exc:  # noqa: BLE001
        findings.append(
            Finding(
                FAIL,
                "celery broker",
                f"cannot reach {_redacted(broker_url)} ({_describe(exc)})",
                "check REDIS_URL (the broker is the same Redis)",
            )
        )
    return findings


def check_workers(mode: Mode) -> list[Finding]:
    from kombu import Connection

    from config.celery import app as celery_app

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=NETWORK_TIMEOUT) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=NETWORK_TIMEOUT)
        replies = celery_app.control.ping(timeout=WORKER_PING_TIMEOUT, connection=broker)
        if not replies:
            return [
                Finding(
                    WARN,
                    "celery worker",
                    f"no worker answered within {WORKER_PING_TIMEOUT:g}s: emails, imports and "
                    "refreshes wait in the queue",
                    "docker compose up -d worker (locally: python manage.py run)",
                )
            ]
        names = sorted(name for reply in replies for name in reply)
        queues = celery_app.control.inspect(
            timeout=WORKER_PING_TIMEOUT, connection=broker
        ).active_queues()
    consumed = {q["name"] for worker_queues in (queues or {}).values() for q in worker_queues}
    needed = {settings.CELERY_TASK_DEFAULT_QUEUE}
    if getattr(settings, "REFRESH_QUEUE", ""):
        needed.add(settings.REFRESH_QUEUE)
    findings = [Finding(OK, "celery worker", f"{len(names)} answered ({', '.join(names)})")]
    for queue in sorted(needed - consumed):
        findings.append(
            Finding(
                WARN,
                "celery queues",
                f"no worker consumes the queue {queue!r}: its tasks never run",
                f"start a worker with -Q {queue} (or without -Q for the default queue)",
            )
        )
    return findings


def check_beat(mode: Mode) -> list[Finding]:
    from django.core.cache import cache

    from apps.accounts.tasks import BEAT_HEARTBEAT_KEY

    scheduled = any(
        entry.get("task") == "accounts.beat_heartbeat"
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )
    if not scheduled:
        return [Finding(WARN, "celery beat", "cannot tell: the heartbeat is not in the schedule")]
    beat_hint = "docker compose up -d beat (exactly one beat process; a worker must run too)"
    last = cache.get(BEAT_HEARTBEAT_KEY)
    if last is None:
        return [
            Finding(
                WARN,
                "celery beat",
                "no heartbeat yet: beat is not running, no worker runs its tasks, "
                "or it started less than a minute ago",
                beat_hint,
            )
        ]
    age = time.time() - float(last)
    if age > BEAT_STALE_SECONDS:
        return [
            Finding(
                WARN,
                "celery beat",
                f"last heartbeat {_ago(age)} ago: scheduled refreshes, reminders and "
                "reports have stopped",
                beat_hint,
            )
        ]
    return [Finding(OK, "celery beat", f"heartbeat {_ago(age)} ago")]


# -- settings ----------------------------------------------------------------------------


def check_secret_key(mode: Mode) -> list[Finding]:
    key = settings.SECRET_KEY
    if not mode.production:
        return [Finding(OK, "SECRET_KEY", "local run: a throwaway key is fine")]
    if any(marker in key for marker in PLACEHOLDER_SECRET_MARKERS):
        return [
            Finding(
                FAIL,
                "SECRET_KEY",
                "is a placeholder (the local default or the .env.example value): anyone can "
                "forge sessions and password-reset links",
                f"set SECRET_KEY to the output of {GENERATE_SECRET}",
            )
        ]
    if len(key) < 50 or len(set(key)) < 5:
        return [
            Finding(
                WARN,
                "SECRET_KEY",
                f"is weak ({len(key)} characters, {len(set(key))} different)",
                f"set SECRET_KEY to the output of {GENERATE_SECRET}",
            )
        ]
    return [Finding(OK, "SECRET_KEY", f"set ({len(key)} characters)")]


def check_debug(mode: Mode) -> list[Finding]:
    if mode.production and settings.DEBUG:
        return [
            Finding(
                FAIL,
                "DEBUG",
                "is on in production: error pages show code and settings to anyone",
                "set DEBUG=false",
            )
        ]
    return [Finding(OK, "DEBUG", "on (local run)" if settings.DEBUG else "off")]


def check_hosts(mode: Mode) -> list[Finding]:
    site = urlsplit(settings.SITE_URL)
    if site.scheme not in {"http", "https"} or not site.hostname:
        return [
            Finding(
                FAIL,
                "SITE_URL",
                f"{settings.SITE_URL!r} is not an absolute http(s) URL: links in emails break",
                "set SITE_URL=https://your.host",
            )
        ]
    findings = []
    host = site.hostname
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # what Django allows then
    if not validate_host(host, allowed):
        findings.append(
            Finding(
                FAIL,
                "ALLOWED_HOSTS",
                f"does not include the SITE_URL host {host!r} (ALLOWED_HOSTS={allowed}): "
                "the site answers 400 Bad Request",
                f"add {host} to ALLOWED_HOSTS",
            )
        )
    if mode.production and "*" in allowed:
        findings.append(
            Finding(
                WARN,
                "ALLOWED_HOSTS",
                "is '*': any Host header is accepted",
                f"set ALLOWED_HOSTS={host}",
            )
        )
    secure = (
        settings.SESSION_COOKIE_SECURE
        or settings.SECURE_SSL_REDIRECT
        or settings.SECURE_HSTS_SECONDS
    )
    if site.scheme != "https" and secure:
        findings.append(
            Finding(
                FAIL,
                "SITE_URL",
                f"is {site.scheme}:// while cookies are HTTPS-only: sign-in cannot work "
                "and links in emails go to plain HTTP",
                f"set SITE_URL=https://{site.netloc}",
            )
        )
    elif mode.production and site.scheme != "https":
        findings.append(
            Finding(
                WARN,
                "SITE_URL",
                "is plain HTTP in production: passwords cross the network in clear",
                f"serve HTTPS and set SITE_URL=https://{site.netloc}",
            )
        )
    origin = f"{site.scheme}://{site.netloc}"
    trusted = list(settings.CSRF_TRUSTED_ORIGINS)
    if trusted and not any(_origin_matches(origin, entry) for entry in trusted):
        findings.append(
            Finding(
                WARN,
                "CSRF_TRUSTED_ORIGINS",
                f"does not include the SITE_URL origin {origin} ({trusted}): forms posted "
                "through a proxy that rewrites the Host fail with 403",
                f"add {origin} to CSRF_TRUSTED_ORIGINS",
            )
        )
    if (
        mode.production
        and settings.SECURE_SSL_REDIRECT
        and getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is None
    ):
        findings.append(
            Finding(
                WARN,
                "SECURE_SSL_REDIRECT",
                "is on but no proxy header is trusted: behind a TLS-terminating proxy every "
                "request redirects to itself",
                "set BEHIND_TLS_PROXY=true when TLS ends at nginx/Caddy/Traefik "
                "(gunicorn in docker-compose speaks plain HTTP)",
            )
        )
    if (
        mode.production
        and getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
        and not getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0)
    ):
        findings.append(
            Finding(
                WARN,
                "TRUSTED_PROXY_COUNT",
                "is 0 behind a TLS proxy: sign-in throttling sees every visitor as the proxy, "
                "so five wrong passwords lock an email out for everyone",
                "set TRUSTED_PROXY_COUNT=1 (the number of proxies that append to X-Forwarded-For)",
            )
        )
    if not findings:
        findings.append(
            Finding(OK, "hosts", f"SITE_URL {settings.SITE_URL} agrees with ALLOWED_HOSTS")
        )
    return findings


def check_email(mode: Mode) -> list[Finding]:
    backend = settings.EMAIL_BACKEND
    short = backend.rsplit(".", 2)[-2] if backend.count(".") >= 2 else backend
    if any(word in backend for word in NOT_SENDING_BACKENDS):
        if not mode.production:
            return [Finding(OK, "email", f"{short} backend (local run: emails go to the log)")]
        return [
            Finding(
                WARN,
                "email",
                f"EMAIL_BACKEND is the {short} backend: invitations, password resets and "
                "outreach emails are never sent",
                "set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST, "
                "EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS",
            )
        ]
    findings = []
    if mode.production and "smtp" in backend and settings.EMAIL_HOST in LOCAL_HOSTS:
        findings.append(
            Finding(
                WARN,
                "email",
                f"EMAIL_HOST is {settings.EMAIL_HOST}: inside a container nothing listens there",
                "set EMAIL_HOST to your SMTP server",
            )
        )
    if mode.production and settings.DEFAULT_FROM_EMAIL.rstrip(">").endswith(
        ("microreach.local", "example.com")
    ):
        findings.append(
            Finding(
                WARN,
                "email",
                f"DEFAULT_FROM_EMAIL is {settings.DEFAULT_FROM_EMAIL!r}: mail from it is "
                "likely rejected as spam",
                "set DEFAULT_FROM_EMAIL to an address of your domain",
            )
        )
    return findings or [Finding(OK, "email", f"{short} backend via {settings.EMAIL_HOST}")]


def check_encryption_key(mode: Mode) -> list[Finding]:
    from cryptography.fernet import Fernet

    keys = [key.strip() for key in (settings.FIELD_ENCRYPTION_KEY or "").split(",") if key.strip()]
    if not keys:
        if not mode.production:
            return [Finding(OK, "FIELD_ENCRYPTION_KEY", "derived from SECRET_KEY (local run)")]
        return [
            Finding(
                WARN,
                "FIELD_ENCRYPTION_KEY",
                "unset: stored platform keys and tokens are encrypted with a key derived "
                "from SECRET_KEY, so changing SECRET_KEY makes them unreadable",
                f"set FIELD_ENCRYPTION_KEY to the output of {GENERATE_FERNET}",
            )
        ]
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            return [
                Finding(
                    FAIL,
                    "FIELD_ENCRYPTION_KEY",
                    f"key {number} is not a Fernet key (32 url-safe base64 bytes): "
                    "saving a platform connection fails",
                    f"set FIELD_ENCRYPTION_KEY to the output of {GENERATE_FERNET}",
                )
            ]
    return [Finding(OK, "FIELD_ENCRYPTION_KEY", f"set ({len(keys)} key(s))")]


def check_static_files(mode: Mode) -> list[Finding]:
    from pathlib import Path

    backend = settings.STORAGES["staticfiles"]["BACKEND"]
    if "Manifest" not in backend:
        return []  # served from the apps' folders, nothing to collect
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return [
            Finding(
                FAIL,
                "static files",
                f"not collected ({manifest} is missing): every page fails with a 500",
                "python manage.py collectstatic --noinput (the Docker image does it at build)",
            )
        ]
    return [Finding(OK, "static files", f"collected in {settings.STATIC_ROOT}")]


def check_system(mode: Mode) -> list[Finding]:
    """Django's system checks; with `--deploy` ones in production, as `check --deploy` does."""
    name = "check --deploy" if mode.production else "check"
    messages = django_checks.run_checks(include_deployment_checks=mode.production)
    serious = [m for m in messages if m.level >= django_checks.WARNING and not m.is_silenced()]
    if not serious:
        return [Finding(OK, name, "no findings")]
    return [
        Finding(
            FAIL if message.level >= django_checks.ERROR else WARN,
            name,
            f"{message.id}: {message.msg}",
            message.hint or "",
        )
        for message in serious
    ]


def check_registered_health(mode: Mode) -> list[Finding]:
    """The checks other apps register for /healthz (e.g. broken platform connections)."""
    from apps.accounts import health

    findings = []
    for registry, level in ((health.CHECKS, FAIL), (health.ADVISORY_CHECKS, WARN)):
        for name, check in registry.items():
            if name in HEALTH_CHECKS_COVERED:
                continue
            try:
                result = check()
            except Exception as exc:  # noqa: BLE001
                result = f"error: {_describe(exc)}"
            findings.append(
                Finding(OK, f"health {name}", "ok")
                if result == "ok"
                else Finding(level, f"health {name}", result, "see the app's page for details")
            )
    return findings


CHECKS: list[Callable[[Mode], list[Finding]]] = [
    check_database,
    check_redis,
    check_workers,
    check_beat,
    check_secret_key,
    check_debug,
    check_hosts,
    check_email,
    check_encryption_key,
    check_static_files,
    check_system,
    check_registered_health,
]


def run(mode: Mode) -> list[Finding]:
    findings: list[Finding] = []
    failed: set[str] = set()
    for check in CHECKS:
        # Without a broker there is nobody to ping and no heartbeat to read.
        if check in (check_workers, check_beat) and failed & {"redis cache", "celery broker"}:
            continue
        if check is check_registered_health and "database" in failed:
            continue
        try:
            results = check(mode)
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            name = check.__name__.removeprefix("check_").replace("_", " ")
            results = [Finding(FAIL, name, f"the check itself failed ({_describe(exc)})")]
        findings.extend(results)
        failed |= {f.name for f in results if f.level == FAIL}
    return findings


def summary(findings: Iterable[Finding]) -> dict[str, int]:
    counts = {OK: 0, WARN: 0, FAIL: 0}
    for finding in findings:
        counts[finding.level] += 1
    return counts


# -- helpers -------------------------------------------------------------------------------


def _describe(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


def _redacted(url: str) -> str:
    """A URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def _origin_matches(origin: str, entry: str) -> bool:
    want, have = urlsplit(origin), urlsplit(entry)
    if want.scheme != have.scheme:
        return False
    if have.netloc.startswith("*."):
        return want.netloc.endswith(have.netloc[1:])
    return want.netloc == have.netloc


def _ago(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"
