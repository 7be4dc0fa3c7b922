"""/healthz: is the database, Redis and at least one Celery worker reachable?"""

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


@require_GET
@never_cache
def healthz(request):
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # noqa: BLE001 - a health check reports every failure, whatever it is
            results[name] = f"error: {exc.__class__.__name__}: {exc}"
    healthy = all(value == "ok" for value in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unhealthy", "checks": results},
        status=200 if healthy else 503,
    )
