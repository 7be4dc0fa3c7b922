"""Outreach: render a template for each creator, queue the emails, send them, record replies.

Views and the Celery task are thin interfaces to these functions. The rendered subject and
body are stored on the message, so the timeline shows exactly what the creator received.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.creators.models import CreatorFlag

from . import pipeline, services, templating
from .models import CampaignCreator, MessageTemplate, OutreachMessage

Status = OutreachMessage.Status


@dataclass
class Draft:
    """One creator's rendered message, or why nothing will be sent to them."""

    campaign_creator: CampaignCreator
    subject: str = ""
    body: str = ""
    refusal: str = ""
    values: dict[str, str] = field(default_factory=dict)

    @property
    def sendable(self) -> bool:
        return not self.refusal


def merge_values(
    *, campaign_creator: CampaignCreator, sender, offer_type: str = "", offer_value: str = ""
) -> dict[str, str]:
    """The flat merge mapping for one creator (templating never looks anything up itself)."""
    creator, campaign = campaign_creator.creator, campaign_creator.campaign
    account = campaign_creator.main_account
    values = {
        "creator.first_name": creator.first_name,
        "creator.name": creator.name,
        "creator.handle": f"@{account.handle}" if account else "",
        "creator.platform": account.get_platform_display() if account else "",
        "campaign.name": campaign.name,
        "campaign.brand": campaign.brand,
        "campaign.product": campaign.product,
        "sender.name": (sender.full_name or sender.get_short_name()) if sender else "",
        "sender.email": sender.email if sender else "",
        "workspace.name": campaign.workspace.name,
    }
    if offer_type and offer_value:
        values.update(templating.offer_values(offer_type, offer_value, campaign.currency))
    return values


def _refusal(campaign_creator: CampaignCreator, do_not_contact: set[int]) -> str:
    creator = campaign_creator.creator
    if creator.pk in do_not_contact:
        return f"{creator.name} is flagged “do not contact”"
    if not creator.email:
        return f"No email address for {creator.name}"
    return ""


def outreach_drafts(
    *,
    campaign_creators: Iterable[CampaignCreator],
    template: MessageTemplate,
    sender,
    offer_type: str = "",
    offer_value: str = "",
) -> list[Draft]:
    """Render the template for each campaign creator; refusals say why, per creator."""
    rows = list(campaign_creators)
    do_not_contact = set(
        CreatorFlag.objects.filter(
            creator_id__in=[row.creator_id for row in rows],
            kind=CreatorFlag.Kind.DO_NOT_CONTACT,
        ).values_list("creator_id", flat=True)
    )
    subject_template = templating.parse(template.subject)
    body_template = templating.parse(template.body)
    drafts = []
    for row in rows:
        draft = Draft(row, refusal=_refusal(row, do_not_contact))
        if not draft.refusal:
            draft.values = merge_values(
                campaign_creator=row, sender=sender, offer_type=offer_type, offer_value=offer_value
            )
            try:
                # Plain-text email: values go in as typed, no HTML escaping.
                draft.subject = subject_template.render(draft.values, html=False)
                draft.body = body_template.render(draft.values, html=False)
            except templating.MissingValue as missing:
                names = ", ".join(f"{{{{ {name} }}}}" for name in missing.fields)
                draft.refusal = f"Missing {names} for {row.creator.name}"
            except templating.InvalidTemplate as invalid:
                draft.refusal = f"The template has errors: {invalid}"
        drafts.append(draft)
    return drafts


@transaction.atomic
def outreach_send(
    *,
    campaign_creators: Iterable[CampaignCreator],
    template: MessageTemplate,
    by,
    offer_type: str = "",
    offer_value: str = "",
) -> tuple[list[OutreachMessage], list[Draft]]:
    """Queue one message per sendable creator and move prospects to contacted.

    Returns (queued messages, refused drafts). Nothing is queued for a refused creator.
    Each message's task is enqueued after commit, so the worker always finds the row.
    """
    from .tasks import send_outreach  # tasks import this module

    drafts = outreach_drafts(
        campaign_creators=campaign_creators,
        template=template,
        sender=by,
        offer_type=offer_type,
        offer_value=offer_value,
    )
    queued: list[OutreachMessage] = []
    for draft in drafts:
        if not draft.sendable:
            continue
        row = draft.campaign_creator
        message = OutreachMessage.objects.create(
            workspace_id=row.workspace_id,
            campaign_creator=row,
            template=template,
            to_email=row.creator.email,
            subject=draft.subject,
            body=draft.body,
            offer_type=offer_type,
            offer_value=offer_value,
            sent_by=by,
        )
        queued.append(message)
        if row.stage == pipeline.PROSPECT:
            stage_advance(campaign_creator=row, to_stage=pipeline.CONTACTED, by=by)
        transaction.on_commit(lambda pk=message.pk: send_outreach.delay(pk))
    return queued, [draft for draft in drafts if not draft.sendable]


def stage_advance(*, campaign_creator: CampaignCreator, to_stage: str, by) -> bool:
    """Move the card through the board's own move service, if the pipeline allows it.

    Sending or a reply never fails because the card could not move (it was already
    further along, closed, or a teammate moved it meanwhile): False says it stayed.
    """
    try:
        services.campaign_creator_move(
            campaign_creator=campaign_creator,
            to_stage=to_stage,
            by=by,
            expected_version=campaign_creator.version,
        )
    except (pipeline.MoveRefused, services.StaleMove):
        return False
    return True


def message_send(*, message_id: int) -> str:
    """Send one queued message; the outcome as a word for the task result.

    The conditional UPDATE claims the row, so a redelivered or doubled task sends nothing
    twice. On an SMTP/network error the claim is released (back to queued) and the error
    re-raised, for the task to retry.
    """
    claimed = OutreachMessage.objects.filter(
        pk=message_id, direction=OutreachMessage.Direction.OUT, status=Status.QUEUED
    ).update(status=Status.SENDING, attempts=F("attempts") + 1, claimed_at=timezone.now())
    if not claimed:
        return "skipped"
    message = OutreachMessage.objects.select_related("sent_by").get(pk=message_id)
    reply_to = [message.sent_by.email] if message.sent_by and message.sent_by.email else []
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        reply_to=reply_to,
    )
    try:
        email.send(fail_silently=False)
    except OSError as exc:  # smtplib.SMTPException is an OSError
        OutreachMessage.objects.filter(pk=message_id, status=Status.SENDING).update(
            status=Status.QUEUED, error=f"{type(exc).__name__}: {exc}"
        )
        raise
    OutreachMessage.objects.filter(pk=message_id).update(
        status=Status.SENT, sent_at=timezone.now(), error=""
    )
    return "sent"


# Past the task time limit a claim belongs to a worker that was stopped; a message queued
# this long ago has lost its task (a broker restart, a worker killed before it acknowledged).
def _stuck_after():
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + timedelta(minutes=5)


UNSURE_IF_SENT = (
    "The worker stopped while sending this message, so it may or may not have reached the "
    "creator. Check your mail server's sent log before writing again."
)


def messages_unstick(*, now=None) -> tuple[int, int]:
    """What stopped workers and lost tasks left behind; (marked failed, queued again).

    A message still "sending" long after its claim is marked failed, not sent again: the
    mail server may have taken it before the worker died, and a creator should not get the
    same pitch twice. A message still "queued" gets a new task; the claim in message_send()
    keeps the old one, should it turn up, from sending it a second time.
    """
    now = now or timezone.now()
    stuck_before = now - _stuck_after()
    # Messages claimed before claims were dated have only their creation time to go by.
    claimed_long_ago = Q(claimed_at__lt=stuck_before) | Q(
        claimed_at__isnull=True, created_at__lt=stuck_before
    )
    failed = (
        OutreachMessage.objects.filter(status=Status.SENDING)
        .filter(claimed_long_ago)
        .update(status=Status.FAILED, error=UNSURE_IF_SENT)
    )
    lost = list(
        OutreachMessage.objects.filter(
            direction=OutreachMessage.Direction.OUT,
            status=Status.QUEUED,
            created_at__lt=stuck_before,
        ).values_list("pk", flat=True)
    )
    from .tasks import send_outreach  # tasks import this module

    for pk in lost:
        # Expires before the next sweep: a worker that is down does not pile up copies.
        send_outreach.apply_async(args=[pk], expires=settings.OUTREACH_UNSTICK_MINUTES * 60)
    return failed, len(lost)


def message_mark_failed(*, message_id: int, error: str) -> None:
    """After the last retry: the campaign page shows the message failed, and why."""
    OutreachMessage.objects.filter(
        pk=message_id, status__in=[Status.QUEUED, Status.SENDING]
    ).update(status=Status.FAILED, error=error[:2000])


@transaction.atomic
def reply_record(*, campaign_creator: CampaignCreator, body: str, by) -> OutreachMessage:
    """Store a pasted reply on the timeline and move a contacted card to replied."""
    message = OutreachMessage.objects.create(
        workspace_id=campaign_creator.workspace_id,
        campaign_creator=campaign_creator,
        direction=OutreachMessage.Direction.IN,
        to_email="",
        body=body,
        status=Status.RECEIVED,
        sent_by=by,
        sent_at=timezone.now(),
    )
    if campaign_creator.stage == pipeline.CONTACTED:
        stage_advance(campaign_creator=campaign_creator, to_stage=pipeline.REPLIED, by=by)
    return message
