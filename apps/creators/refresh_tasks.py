"""Celery tasks of the stats refresh: thin wrappers around apps/creators/refresh.py.

Imported by CreatorsConfig.ready() (autodiscovery only looks at `tasks` modules). Tasks
take ids, re-read the rows, call a service and return a small JSON summary. Only
short-term trouble (429, 5xx, timeouts) is retried, with exponential backoff and jitter
and an explicit limit; quota and auth errors are handled by the service (pause until the
reset, mark the connection broken) and never retried in a loop.
"""

from datetime import datetime

from celery import shared_task
from django.conf import settings

from . import refresh
from .providers import RateLimited, TransientError


@shared_task(name="creators.refresh_schedule")
def refresh_schedule() -> dict:
    return refresh.schedule_due()


@shared_task(name="creators.refresh_posts_schedule")
def refresh_posts_schedule() -> dict:
    return refresh.posts_schedule()


@shared_task(bind=True, name="creators.refresh_batch", max_retries=settings.REFRESH_MAX_RETRIES)
def refresh_batch(
    self,
    connection_id: int,
    account_ids: list[int],
    with_posts: bool = False,
    claimed_at: str | None = None,
):
    final_attempt = self.request.retries >= self.max_retries
    try:
        summary = refresh.batch_refresh(
            connection_id=connection_id,
            account_ids=account_ids,
            with_posts=with_posts,
            final_attempt=final_attempt,
            claimed_at=datetime.fromisoformat(claimed_at) if claimed_at else None,
        )
    except (RateLimited, TransientError) as exc:
        countdown = refresh.retry_countdown(self.request.retries, exc.retry_after_seconds)
        raise self.retry(exc=exc, countdown=countdown) from exc
    return summary.as_dict()


@shared_task(name="creators.refresh_posts")
def refresh_posts(connection_id: int, account_ids: list[int]) -> dict:
    """Best effort: a failed posts refresh waits for the next hourly pick."""
    return refresh.posts_refresh(connection_id=connection_id, account_ids=account_ids).as_dict()
