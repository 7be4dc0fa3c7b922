import time

from celery import shared_task
from django.core.cache import cache


@shared_task(name="accounts.ping")
def ping(value: str = "pong") -> str:
    """Round-trip check for the broker and workers (used by tests and operators)."""
    return value


# Beat runs this every minute; `manage.py doctor` reads the time back to tell an operator
# whether beat (and a worker to run its tasks) is alive. The key outlives a few missed beats.
BEAT_HEARTBEAT_KEY = "beat-heartbeat"
BEAT_HEARTBEAT_SECONDS = 60


@shared_task(name="accounts.beat_heartbeat", ignore_result=True)
def beat_heartbeat() -> None:
    cache.set(BEAT_HEARTBEAT_KEY, time.time(), timeout=BEAT_HEARTBEAT_SECONDS * 60)
