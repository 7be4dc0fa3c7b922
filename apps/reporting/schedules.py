"""Scheduled report emails: when the next one is due, claiming due ones, sending them.

Two frequencies:
- weekly: every Monday at 08:00 (the workspace's time zone is the server's).
- contract: follows the accepted contracts' reporting schedule. If any contract of
  the campaign asks for weekly reports, it is weekly. Otherwise the schedule is
  checked every morning and an email goes out only when there is news the
  contracts ask for: a post attached since the last email ("after each post"), or
  the campaign has ended since the last email ("end of campaign"). Days without
  news are skipped without an email.

A due schedule is claimed with a conditional UPDATE (its next_send_at moves an hour
ahead as a lease) so two beat ticks or workers never send the same email twice; a
crash mid-send retries after the lease.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.contracts.models import Contract, ReportingSchedule

from .dashboard import COUNTED_CONTRACTS, ReportFilters, campaign_report, default_range
from .models import DeliverablePost, ReportSchedule

logger = logging.getLogger(__name__)

SEND_HOUR = 8
CLAIM_LEASE = dt.timedelta(hours=1)
MAX_PER_RUN = 200


def _at_send_hour(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(SEND_HOUR)))


def next_monday(now: dt.datetime) -> dt.datetime:
    """The next Monday 08:00 strictly after `now`."""
    local = timezone.localtime(now)
    days = (7 - local.weekday()) % 7
    candidate = _at_send_hour(local.date() + dt.timedelta(days=days))
    return candidate if candidate > now else candidate + dt.timedelta(days=7)


def next_morning(now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    candidate = _at_send_hour(local.date())
    return candidate if candidate > now else _at_send_hour(local.date() + dt.timedelta(days=1))


def contract_schedules(campaign) -> set[str]:
    """The reporting schedules the campaign's counted contracts ask for."""
    return set(
        Contract.objects.filter(
            campaign=campaign, status__in=COUNTED_CONTRACTS, accepted_version__isnull=False
        ).values_list("accepted_version__reporting_schedule", flat=True)
    )


def effective_frequency(schedule: ReportSchedule) -> str:
    """weekly, or "news" (daily check, email only on news) for a contract-driven schedule."""
    if schedule.frequency == ReportSchedule.Frequency.WEEKLY:
        return "weekly"
    asked = contract_schedules(schedule.campaign)
    return "weekly" if not asked or ReportingSchedule.WEEKLY in asked else "news"


def next_send_at(schedule: ReportSchedule, now: dt.datetime) -> dt.datetime:
    return next_monday(now) if effective_frequency(schedule) == "weekly" else next_morning(now)


def has_news(schedule: ReportSchedule, now: dt.datetime) -> bool:
    """For a contract-driven schedule without weekly contracts: anything to report?"""
    asked = contract_schedules(schedule.campaign)
    since = schedule.last_sent_at or schedule.created_at
    if ReportingSchedule.AFTER_EACH_POST in asked and (
        DeliverablePost.objects.filter(campaign=schedule.campaign, attached_at__gt=since).exists()
    ):
        return True
    end = schedule.campaign.end_date
    if ReportingSchedule.END_OF_CAMPAIGN in asked and end:
        ended_at = _at_send_hour(end + dt.timedelta(days=1))
        return since < ended_at <= now
    return False


@transaction.atomic
def report_schedule_create(*, campaign, by, frequency, recipients, hide_spend) -> ReportSchedule:
    schedule = ReportSchedule(
        workspace_id=campaign.workspace_id,
        campaign=campaign,
        frequency=frequency,
        recipients=recipients,
        hide_spend=hide_spend,
        created_by=by,
        created_at=timezone.now(),
    )
    schedule.next_send_at = next_send_at(schedule, timezone.now())
    schedule.save()
    return schedule


def report_schedule_pause(*, schedule: ReportSchedule, paused: bool) -> bool:
    """Pause or resume (resuming picks the next send time from now)."""
    now = timezone.now()
    if paused:
        return bool(
            ReportSchedule.objects.filter(pk=schedule.pk, paused_at__isnull=True).update(
                paused_at=now
            )
        )
    return bool(
        ReportSchedule.objects.filter(pk=schedule.pk, paused_at__isnull=False).update(
            paused_at=None, next_send_at=next_send_at(schedule, now)
        )
    )


def claim_due(now: dt.datetime) -> list[int]:
    """Ids of the due schedules this caller won (a conditional UPDATE per schedule)."""
    due = list(
        ReportSchedule.objects.filter(next_send_at__lte=now, paused_at__isnull=True)
        .order_by("next_send_at")
        .values_list("pk", "next_send_at")[:MAX_PER_RUN]
    )
    won = []
    for pk, when in due:
        claimed = ReportSchedule.objects.filter(
            pk=pk, next_send_at=when, paused_at__isnull=True
        ).update(next_send_at=now + CLAIM_LEASE)
        if claimed:
            won.append(pk)
    return won


def _email(schedule: ReportSchedule, now: dt.datetime) -> EmailMultiAlternatives:
    campaign = schedule.campaign
    start, end = default_range(campaign, timezone.localdate(now))
    report = campaign_report(campaign, ReportFilters(start, end))
    context = {
        "campaign": campaign,
        "report": report,
        "hide_spend": schedule.hide_spend,
        "url": settings.SITE_URL + reverse("campaign_report", args=[campaign.pk]),
        "cost_keys": ("cpm", "cpe", "cpc", "cpa"),
    }
    subject = f"Report: {campaign.name} ({start:%-d %b} – {end:%-d %b %Y})"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("reporting/report/email.txt", context),
        to=list(schedule.recipients),
    )
    message.attach_alternative(
        render_to_string("reporting/report/email.html", context), "text/html"
    )
    return message


def report_schedule_send(*, schedule_id: int, now: dt.datetime | None = None) -> str:
    """Send one claimed schedule's email (if there is news) and set its next time."""
    now = now or timezone.now()
    schedule = ReportSchedule.objects.select_related("campaign").filter(pk=schedule_id).first()
    if schedule is None or schedule.paused_at is not None:
        return "skipped"
    frequency = effective_frequency(schedule)
    sent = frequency == "weekly" or has_news(schedule, now)
    if sent:
        _email(schedule, now).send()
    updates = {"next_send_at": next_send_at(schedule, now)}
    if sent:
        updates["last_sent_at"] = now
    ReportSchedule.objects.filter(pk=schedule.pk).update(**updates)
    return "sent" if sent else "no news"


def send_due(now: dt.datetime | None = None) -> dict:
    now = now or timezone.now()
    results: dict[str, int] = {}
    for pk in claim_due(now):
        try:
            outcome = report_schedule_send(schedule_id=pk, now=now)
        except Exception:  # one broken schedule must not stop the others; the lease retries it
            logger.exception("Report schedule %s failed", pk)
            outcome = "failed"
        results[outcome] = results.get(outcome, 0) + 1
    return results
