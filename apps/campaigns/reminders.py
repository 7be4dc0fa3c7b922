"""Follow-up reminders: contacted creators who have not replied within the campaign's window.

A row is due when it sits in "contacted", no reply is on its timeline, and its last sent
message (or, with none sent, the move to contacted) is at least `campaign.follow_up_days`
days old. The home page lists due rows; a daily digest emails each campaign's people once.
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import (
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone

from apps.accounts.attention import AttentionItem
from apps.accounts.models import Membership, Workspace

from . import pipeline
from .models import Campaign, CampaignCreator, OutreachMessage

logger = logging.getLogger(__name__)
Direction = OutreachMessage.Direction


def due_follow_ups(workspace: Workspace, today: datetime.date) -> QuerySet[CampaignCreator]:
    """The workspace's due rows, oldest contact first, in one query (creator and campaign joined).

    Each row carries `last_contact_at` (datetime) and `follow_up_due_on` (date).
    """
    messages = OutreachMessage.objects.filter(campaign_creator=OuterRef("pk")).order_by()
    last_sent = (
        messages.filter(direction=Direction.OUT, sent_at__isnull=False)
        .values("campaign_creator")
        .annotate(last=Max("sent_at"))
        .values("last")
    )
    return (
        CampaignCreator.objects.for_workspace(workspace)
        .shortlisted()
        .filter(stage=pipeline.CONTACTED)
        .exclude(campaign__status=Campaign.Status.ARCHIVED)
        # A snooze keeps the row quiet up to (not including) its date.
        .filter(Q(reminder_snoozed_until__isnull=True) | Q(reminder_snoozed_until__lte=today))
        .annotate(
            has_reply=Exists(messages.filter(direction=Direction.IN)),
            last_contact_at=Coalesce(Subquery(last_sent), F("stage_changed_at")),
        )
        .annotate(
            # Postgres: date + integer is a date, counted in the site's time zone.
            follow_up_due_on=ExpressionWrapper(
                TruncDate("last_contact_at") + F("campaign__follow_up_days"),
                output_field=DateField(),
            )
        )
        .filter(has_reply=False, follow_up_due_on__lte=today)
        .select_related("creator", "campaign")
        .order_by("last_contact_at", "id")
    )


def days_since_contact(row: CampaignCreator, today: datetime.date) -> int:
    return (today - timezone.localdate(row.last_contact_at)).days


def follow_up_text(row: CampaignCreator, today: datetime.date) -> tuple[str, str]:
    """(title, detail) for one due row, e.g. ("Follow up with Jane Doe — Spring launch", ...)."""
    days = days_since_contact(row, today)
    return (
        f"Follow up with {row.creator.name} — {row.campaign.name}",
        f"contacted {days} day{'' if days == 1 else 's'} ago",
    )


def attention_items(workspace: Workspace) -> list[AttentionItem]:
    """The home page's provider (registered in apps.py)."""
    today = timezone.localdate()
    items = []
    for row in due_follow_ups(workspace, today):
        title, detail = follow_up_text(row, today)
        url = reverse("outreach_timeline", args=[row.campaign_id, row.pk])
        items.append(AttentionItem(kind="Reminder", title=title, url=url, detail=detail))
    return items


def follow_up_snooze(*, campaign_creator: CampaignCreator, until: datetime.date, by) -> None:
    """Keep the row's reminder quiet until `until` (it comes back that day if still due)."""
    CampaignCreator.objects.filter(pk=campaign_creator.pk).update(reminder_snoozed_until=until)
    campaign_creator.reminder_snoozed_until = until
    logger.info("Follow-up %s snoozed until %s by user %s", campaign_creator.pk, until, by.pk)


def _claim(row_ids: list[int], today: datetime.date) -> set[int]:
    """Mark rows as named in today's digest; returns only the rows this call claimed.

    A conditional UPDATE … RETURNING: a second run the same day (or a concurrent one)
    finds every row already stamped with today and claims nothing, so nothing is re-sent.
    """
    if not row_ids:
        return set()
    table = CampaignCreator._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET reminder_digest_sent_on = %s "  # noqa: S608 (our table name)
            "WHERE id = ANY(%s) AND (reminder_digest_sent_on IS NULL "
            "OR reminder_digest_sent_on < %s) RETURNING id",
            [today, row_ids, today],
        )
        return {row_id for (row_id,) in cursor.fetchall()}


def _recipients(workspace: Workspace, rows: list[CampaignCreator]) -> dict:
    """user → their rows: each campaign's owner and team, if still members of the workspace."""
    campaign_ids = {row.campaign_id for row in rows}
    members = Membership.objects.filter(workspace=workspace, user__is_active=True)
    member_ids = set(members.values_list("user_id", flat=True))
    people: dict[int, set] = defaultdict(set)
    users = {}
    campaigns = Campaign.objects.filter(pk__in=campaign_ids).select_related("owner")
    for campaign in campaigns.prefetch_related("team"):
        for user in [campaign.owner, *campaign.team.all()]:
            if user.pk in member_ids:
                people[campaign.pk].add(user.pk)
                users[user.pk] = user
    by_user: dict = defaultdict(list)
    for row in rows:
        for user_id in sorted(people[row.campaign_id]):
            by_user[users[user_id]].append(row)
    return by_user


def _digest_body(user, workspace: Workspace, rows: list, today: datetime.date) -> str:
    lines = [f"Hi {user.get_short_name()},", "", f"Follow-ups due in {workspace.name}:", ""]
    for row in rows:
        title, detail = follow_up_text(row, today)
        url = settings.SITE_URL + reverse("outreach_timeline", args=[row.campaign_id, row.pk])
        lines.append(f"- {title}, {detail}\n  {url}")
    return "\n".join(lines) + "\n"


def digest_send(*, today: datetime.date) -> int:
    """Email each campaign owner/team member their due follow-ups, once a day; returns emails sent.

    Rows are claimed before sending (at most once: an SMTP failure after the claim loses
    that day's email rather than risking a second one; the home page still lists the row).
    """
    sent = 0
    workspace_ids = (
        CampaignCreator.objects.filter(stage=pipeline.CONTACTED, removed_at__isnull=True)
        .values("workspace_id")
        .distinct()
    )
    for workspace in Workspace.objects.filter(pk__in=workspace_ids).order_by("pk"):
        due = due_follow_ups(workspace, today).exclude(reminder_digest_sent_on=today)
        rows = list(due)
        with transaction.atomic():
            claimed = _claim([row.pk for row in rows], today)
        rows = [row for row in rows if row.pk in claimed]
        for user, user_rows in _recipients(workspace, rows).items():
            count = len(user_rows)
            send_mail(
                subject=f"{count} follow-up{'' if count == 1 else 's'} due in {workspace.name}",
                message=_digest_body(user, workspace, user_rows, today),
                from_email=None,
                recipient_list=[user.email],
            )
            sent += 1
    return sent
