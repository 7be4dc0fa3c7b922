"""/healthz: is the database, Redis and at least one Celery worker reachable?

Other apps register advisory checks (broken platform connections): they make the
status "degraded" but keep HTTP 200, since the app itself still serves.
"""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery import app as celery_app

WORKER_PING_TIMEOUT = 1.0  # seconds; a health probe must answer quickly even when workers are gone


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_redis() -> str:
    from django.core.cache import cache

    cache._cache.get_client(write=True).ping()  # the cache backend's own Redis connection
    return "ok"


def _check_workers() -> str:
    replies = celery_app.control.ping(timeout=WORKER_PING_TIMEOUT)
    return "ok" if replies else "no worker answered"


CHECKS = {"database": _check_database, "redis": _check_redis, "worker": _check_workers}
# Checks that report trouble without taking the app out of service (e.g. a broken platform
# connection): anything but "ok" makes the status "degraded", still with HTTP 200.
ADVISORY_CHECKS: dict = {}


def register_check(name: str, check, *, critical: bool = True) -> None:
    """Apps add their checks here at start-up (AppConfig.ready); a check returns "ok" or
    a short description of what is wrong."""
    (CHECKS if critical else ADVISORY_CHECKS)[name] = check


def _run(checks: dict) -> dict:
    results = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - a health check reports every failure, whatever it is
            results[name] = f"error: {exc.__class__.__name__}: {exc}"
    return results


@require_GET
@never_cache
def healthz(request):
    results = _run(CHECKS)
    advisories = _run(ADVISORY_CHECKS)
    healthy = all(value == "ok" for value in results.values())
    degraded = any(value != "ok" for value in advisories.values())
    status = "unhealthy" if not healthy else "degraded" if degraded else "ok"
    return JsonResponse(
        {"status": status, "checks": results, "advisories": advisories},
        status=200 if healthy else 503,
    )
