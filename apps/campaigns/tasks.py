"""Celery tasks of the campaigns app: thin interfaces to apps/campaigns/outreach.py."""

from smtplib import SMTPException

from celery import Task, shared_task
from django.utils import timezone

from . import outreach, reminders


class OutreachTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Called once, after the last retry: leave the message visibly failed.
        if args:
            outreach.message_mark_failed(message_id=args[0], error=f"{type(exc).__name__}: {exc}")


@shared_task(
    bind=True,
    base=OutreachTask,
    name="campaigns.send_outreach",
    autoretry_for=(SMTPException, OSError),
    retry_backoff=True,  # 1s, 2s, 4s, ... with jitter, so a mail server outage is not hammered
    retry_jitter=True,
    max_retries=5,
)
def send_outreach(self, message_id: int) -> str:
    """Send one queued outreach message (queued by outreach.outreach_send)."""
    return outreach.message_send(message_id=message_id)


@shared_task(name="campaigns.follow_up_digest")
def follow_up_digest() -> int:
    """Daily: email each campaign's people their due follow-ups (once per day, see reminders)."""
    return reminders.digest_send(today=timezone.localdate())


@shared_task(name="campaigns.outreach_unstick")
def outreach_unstick() -> dict:
    """Every few minutes: messages a stopped worker or a lost task left behind."""
    failed, requeued = outreach.messages_unstick()
    return {"failed": failed, "requeued": requeued}
