"""Celery tasks of the contracts app: the creator's link email, the team's notice, expiry.

Tasks take ids, re-fetch, and exit quietly when there is nothing (left) to do. Emails are
plain text rendered from templates/contracts/email/*.txt (autoescape off there: plain
text is not HTML).
"""

from smtplib import SMTPException

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.accounts.models import Membership

from . import services
from .models import ContractDecision, ContractLink

RETRY = {
    "autoretry_for": (SMTPException, OSError),  # smtplib errors are OSErrors too
    "retry_backoff": True,
    "retry_jitter": True,
    "max_retries": 5,
}


def public_url(token: str) -> str:
    """The creator's page for a raw token (absolute, for the email)."""
    try:
        path = reverse("contract_public", args=[token])
    except NoReverseMatch:  # the creator pages are not installed (e.g. a trimmed test setup)
        path = f"/c/{token}/"
    return settings.SITE_URL + path


def team_url(contract) -> str:
    try:
        path = reverse("contract_detail", args=[contract.pk])
    except NoReverseMatch:
        path = f"/contracts/{contract.pk}/"
    return settings.SITE_URL + path


@shared_task(name="contracts.send_link", **RETRY)
def send_contract_link(link_id: int, token: str) -> str:
    """Email the creator their private link (queued by acceptance.contract_send)."""
    link = (
        ContractLink.objects.select_related(
            "version__contract__campaign__workspace",
            "version__contract__campaign_creator__creator",
            "created_by",
        )
        .filter(pk=link_id, revoked_at__isnull=True)
        .first()
    )
    if link is None or link.is_expired():
        return "skipped"
    contract = link.version.contract
    campaign = contract.campaign
    sender = link.created_by
    context = {
        "creator": contract.campaign_creator.creator,
        "campaign": campaign,
        "brand": campaign.brand or campaign.workspace.name,
        "contract": contract,
        "version": link.version,
        "url": public_url(token),
        "expires_at": link.expires_at,
        "sender": sender,
    }
    send_mail(
        subject=f"Your contract with {context['brand']}: {campaign.name}",
        message=render_to_string("contracts/email/link.txt", context),
        from_email=None,
        recipient_list=[link.sent_to],
    )
    return "sent"


def _team_emails(contract) -> list[str]:
    """The contract's author, the campaign's owner and team, if still in the workspace."""
    campaign = contract.campaign
    people = [contract.created_by, campaign.owner, *campaign.team.all()]
    members = set(
        Membership.objects.filter(
            workspace_id=contract.workspace_id, user__is_active=True
        ).values_list("user_id", flat=True)
    )
    return sorted({u.email for u in people if u is not None and u.pk in members and u.email})


@shared_task(name="contracts.notify_decision", **RETRY)
def notify_team_of_decision(decision_id: int) -> int:
    """Tell the contract's people that the creator accepted or declined; emails sent."""
    decision = (
        ContractDecision.objects.select_related(
            "version__contract__campaign__owner",
            "version__contract__campaign_creator__creator",
            "version__contract__created_by",
        )
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        return 0
    contract = decision.version.contract
    recipients = _team_emails(contract)
    if not recipients:
        return 0
    creator = contract.campaign_creator.creator
    context = {
        "decision": decision,
        "contract": contract,
        "creator": creator,
        "campaign": contract.campaign,
        "url": team_url(contract),
    }
    verb = "accepted" if decision.decision == ContractDecision.Decision.ACCEPTED else "declined"
    send_mail(
        subject=f"{creator.name} {verb} the contract for {contract.campaign.name}",
        message=render_to_string("contracts/email/decision.txt", context),
        from_email=None,
        recipient_list=recipients,
    )
    return len(recipients)


@shared_task(name="contracts.expire_due")
def expire_due_contracts() -> int:
    """Beat: sent contracts whose links have all run out become expired."""
    return services.contracts_expire_due(now=timezone.now())
