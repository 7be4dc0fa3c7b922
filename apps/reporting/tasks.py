"""Celery tasks of the reporting app: thin interfaces to the services and refreshers."""

from celery import shared_task

from . import post_refresh


# --- posts
@shared_task(name="reporting.refresh_due_posts")
def refresh_due_posts() -> dict:
    """Beat (hourly): claim the posts due for their daily numbers and enqueue them."""
    return post_refresh.schedule_due()


@shared_task(name="reporting.refresh_posts")
def refresh_posts(post_ids: list[int]) -> dict:
    """Refresh claimed posts (one workspace and platform); posts gone since are skipped."""
    return post_refresh.posts_refresh(post_ids=post_ids).as_dict()


@shared_task(name="reporting.refresh_post")
def refresh_post(post_id: int) -> dict:
    """A post just attached: fetch its numbers now rather than at the next beat."""
    return post_refresh.post_refresh_now(post_id=post_id).as_dict()


# --- report (scheduled report emails)
@shared_task(name="reporting.send_due_reports")
def send_due_reports() -> dict:
    """Beat (every 15 minutes): claim the due report schedules and send their emails."""
    from . import schedules

    return schedules.send_due()
