"""Sending a contract to the creator, their private links, and their answer.

The creator answers through a link whose token only they have (we store its hash). Every
status change locks the contract row first (`services.lock_contract`) and then moves it with
`Contract.change_status` (a conditional UPDATE with a row-count check), so of twenty racing
"accept" clicks exactly one wins. Emails go out from Celery tasks enqueued on commit.
"""

from __future__ import annotations

import datetime
import logging
import secrets

import pghistory
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from apps.campaigns import pipeline
from apps.campaigns import services as campaign_services
from apps.campaigns.models import CampaignCreator

from . import terms as terms_module
from .models import Contract, ContractDecision, ContractLink, ContractSettings, ContractVersion
from .services import (
    ApprovalRequired,
    ContractError,
    LinkUnusable,
    TransitionRefused,
    lock_contract,
    version_needs_approval,
)
from .tasks import notify_team_of_decision, send_contract_link

__all__ = [
    "contract_accept",
    "contract_decline",
    "contract_link_for_token",
    "contract_link_mark_opened",
    "contract_link_revoke",
    "contract_send",
]

logger = logging.getLogger(__name__)
Status = Contract.Status


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, ContractLink.hash_token(token)


@transaction.atomic
def contract_send(
    *, contract: Contract, by, to_email: str | None = None
) -> tuple[ContractLink, str]:
    """Freeze the current version, mark the contract sent and email the creator a link.

    Sending a contract that is already sent makes a fresh link to the same frozen version
    (e.g. after revoking a link). Returns (link, raw token); only the token's hash is stored.
    Raises ValidationError({"deliverables": ...}) for a version without deliverables,
    ApprovalRequired / TransitionRefused / ContractError for the other refusals.
    """
    lock_contract(contract)
    if contract.status not in (Status.DRAFT, Status.SENT):
        raise TransitionRefused("Only a draft can be sent.")
    version = ContractVersion.objects.get(pk=contract.current_version_id)
    if not version.deliverables.exists():
        # No deliverables, no deal: the creator would be signing up to nothing.
        raise ValidationError({"deliverables": "Add at least one deliverable before sending."})
    settings_row = ContractSettings.for_workspace(contract.workspace)
    if contract.status == Status.DRAFT and version_needs_approval(version, settings_row):
        threshold = settings_row.approval_threshold
        raise ApprovalRequired(
            "A manager must approve this contract before it is sent (contracts over "
            f"{terms_module.format_money(threshold, settings_row.approval_currency)} "
            "or in another currency need approval)."
        )
    creator = contract.campaign_creator.creator
    to_email = (to_email or creator.email or "").strip()
    if not to_email:
        raise ContractError(f"No email address for {creator.name}.")

    now = timezone.now()
    if contract.status == Status.DRAFT:
        content_hash = terms_module.version_hash(version)
        frozen = ContractVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(
            frozen_at=now, content_hash=content_hash
        )
        if not frozen or not contract.change_status(Status.SENT, sent_at=now):
            raise TransitionRefused(
                "Someone changed this contract a moment ago. Reload and try again."
            )
        version.frozen_at, version.content_hash = now, content_hash

    token, token_hash = _new_token()
    link = ContractLink.objects.create(
        version=version,
        token_hash=token_hash,
        sent_to=to_email,
        created_by=by,
        expires_at=now + datetime.timedelta(days=settings_row.link_valid_days),
    )
    contract.current_version = version
    # The raw token travels to the worker in the task message: it exists nowhere else.
    transaction.on_commit(lambda: send_contract_link.delay(link.pk, token))
    return link, token


@transaction.atomic
def contract_link_revoke(*, link: ContractLink, by) -> ContractLink:
    """Withdraw a link (idempotent). Locks the contract so it cannot race an acceptance."""
    Contract.objects.select_for_update().filter(pk=link.version.contract_id).first()
    ContractLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    link.refresh_from_db(fields=["revoked_at", "revoked_by"])
    return link


def _check_link(link: ContractLink, contract: Contract, now) -> None:
    if link.is_revoked:
        raise LinkUnusable("revoked", link)
    if contract.current_version_id != link.version_id:
        raise LinkUnusable("superseded", link)
    if ContractDecision.objects.filter(
        version_id=link.version_id
    ).exists() or contract.status not in (
        Status.SENT,
        Status.EXPIRED,
    ):
        if contract.status == Status.CANCELLED:
            raise LinkUnusable("revoked", link)
        raise LinkUnusable("decided", link)
    if link.is_expired(now) or contract.status == Status.EXPIRED:
        raise LinkUnusable("expired", link)


def contract_link_for_token(token: str) -> ContractLink:
    """The usable link for a raw token (version and contract joined); else LinkUnusable."""
    if not token or len(token) > 200:
        raise LinkUnusable("unknown")
    link = (
        ContractLink.objects.select_related(
            "version__contract__campaign",
            "version__contract__campaign_creator__creator",
            "version__contract__workspace",
        )
        .filter(token_hash=ContractLink.hash_token(token))
        .first()
    )
    if link is None:
        raise LinkUnusable("unknown")
    _check_link(link, link.version.contract, timezone.now())
    return link


def contract_link_mark_opened(*, link: ContractLink) -> None:
    """Note when the creator last opened the link (shown to the team)."""
    now = timezone.now()
    ContractLink.objects.filter(pk=link.pk).update(last_opened_at=now)
    link.last_opened_at = now


# --------------------------------------------------------------------------- the answer


def _decide(
    *, token: str, decision: str, to_status: str, ip: str | None, user_agent: str, **record
) -> ContractDecision:
    link = contract_link_for_token(token)
    contract = Contract.objects.select_for_update().get(pk=link.version.contract_id)
    # Re-checked under the lock: the first of N racing requests wins, the rest see its result.
    link.refresh_from_db(fields=["revoked_at", "expires_at"])
    now = timezone.now()
    _check_link(link, contract, now)
    version = ContractVersion.objects.get(pk=link.version_id)
    if not version.is_frozen or terms_module.version_hash(version) != version.content_hash:
        logger.error("Contract version %s does not match its hash", version.pk)
        raise ContractError("This contract cannot be answered right now; the team has been told.")
    fields = {"decided_at": now}
    if to_status == Status.ACCEPTED:
        fields["accepted_version"] = version
    if not contract.change_status(to_status, extra_where={"current_version": version.pk}, **fields):
        raise TransitionRefused("This contract has already been answered.")
    try:
        with transaction.atomic():
            answer = ContractDecision.objects.create(
                version=version,
                link=link,
                decision=decision,
                ip_address=ip or None,
                user_agent=(user_agent or "")[:400],
                version_hash=version.content_hash,
                **record,
            )
    except IntegrityError:
        raise TransitionRefused("This contract has already been answered.") from None
    transaction.on_commit(lambda: notify_team_of_decision.delay(answer.pk))
    return answer


@transaction.atomic
def contract_accept(
    *,
    token: str,
    full_name: str,
    acknowledged_disclosure: bool,
    acknowledged_usage_rights: bool,
    ip: str | None,
    user_agent: str,
) -> ContractDecision:
    """The creator accepts the exact version their link shows, by typing their name.

    Race-safe: of N concurrent accepts exactly one records a ContractDecision; the others
    get TransitionRefused or LinkUnusable("decided"). The card moves to "contracted" when
    the pipeline allows it (never failing the acceptance because of the board).
    """
    full_name = " ".join((full_name or "").split())
    errors = {}
    if not full_name:
        errors["full_name"] = "Type your full name to sign."
    if not acknowledged_disclosure:
        errors["acknowledged_disclosure"] = "Please confirm the disclosure requirement."
    if not acknowledged_usage_rights:
        errors["acknowledged_usage_rights"] = "Please confirm the usage rights."
    if errors:
        raise ValidationError(errors)
    with pghistory.context(creator=full_name):
        answer = _decide(
            token=token,
            decision=ContractDecision.Decision.ACCEPTED,
            to_status=Status.ACCEPTED,
            ip=ip,
            user_agent=user_agent,
            full_name=full_name[:200],
            acknowledged_disclosure=True,
            acknowledged_usage_rights=True,
        )
        _move_card_to_contracted(answer.version.contract)
    return answer


@transaction.atomic
def contract_decline(
    *, token: str, comment: str, ip: str | None, user_agent: str
) -> ContractDecision:
    with pghistory.context(creator="the creator"):
        return _decide(
            token=token,
            decision=ContractDecision.Decision.DECLINED,
            to_status=Status.DECLINED,
            ip=ip,
            user_agent=user_agent,
            comment=(comment or "").strip(),
        )


_BEFORE_CONTRACTED = (pipeline.PROSPECT, pipeline.CONTACTED, pipeline.REPLIED, pipeline.NEGOTIATING)


def _move_card_to_contracted(contract: Contract) -> bool:
    card = CampaignCreator.objects.filter(pk=contract.campaign_creator_id).first()
    if card is None or card.removed_at is not None or card.stage not in _BEFORE_CONTRACTED:
        return False  # already contracted or beyond, closed, or off the shortlist
    try:
        campaign_services.campaign_creator_move(
            campaign_creator=card,
            to_stage=pipeline.CONTRACTED,
            by=None,
            reason="Contract accepted",
            expected_version=card.version,
        )
    except (pipeline.MoveRefused, campaign_services.StaleMove):
        return False
    except DatabaseError:  # the move ran in its own savepoint: the acceptance stands
        logger.exception("Could not move card %s after contract %s", card.pk, contract.pk)
        return False
    return True
