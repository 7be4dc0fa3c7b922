"""Writes of the contracts app: drafting, versions, approval, the lifecycle after acceptance.

Sending and the creator's answer live in acceptance.py, the history reader in history.py,
the starting clause library in library.py.

Every status change goes through `Contract.change_status` (a conditional UPDATE with a
row-count check) after the contract row has been locked (`lock_contract`), so two racing
requests (two teammates, twenty "accept" clicks) cannot both win. Views, the API and tasks
call these functions; none of them writes a contract directly.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef
from django.utils import timezone
from django.utils.dateparse import parse_date

from apps.accounts.models import Membership, Role
from apps.campaigns.models import CampaignCreator, validate_currency
from apps.creators.models import Platform

from . import terms as terms_module
from .models import (
    Contract,
    ContractLink,
    ContractSettings,
    ContractTemplate,
    ContractVersion,
    Deliverable,
    DeliverableFormat,
    PaymentSchedule,
)
from .terms import DELIVERABLE_FIELDS, TERM_FIELDS

__all__ = [
    "ApprovalRequired",
    "ContractError",
    "LinkUnusable",
    "TransitionRefused",
    "contract_activate",
    "contract_approve",
    "contract_cancel",
    "contract_complete",
    "contract_create",
    "contract_needs_approval",
    "contract_update_draft",
    "contracts_expire_due",
    "deliverable_mark_done",
    "deliverable_reopen",
    "lock_contract",
    "version_needs_approval",
]

Status = Contract.Status

# The format a new contract proposes for each of the campaign's platforms.
DEFAULT_FORMAT = {
    Platform.INSTAGRAM: DeliverableFormat.REEL,
    Platform.TIKTOK: DeliverableFormat.SHORT,
    Platform.YOUTUBE: DeliverableFormat.VIDEO,
}


class ContractError(Exception):
    """A refused contract operation; `message` is safe to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TransitionRefused(ContractError):
    pass


class ApprovalRequired(ContractError):
    pass


class LinkUnusable(ContractError):
    """The creator's link cannot be used; `reason` says why, `link` is the row (if known)."""

    MESSAGES = {
        "unknown": "This link is not valid. Check that you copied the whole address.",
        "expired": "This link has expired. Ask the team to send you a new one.",
        "revoked": "This link was withdrawn by the team.",
        "superseded": "The team has changed this contract since; a new link will be sent.",
        "decided": "This contract has already been answered.",
    }

    def __init__(self, reason: str, link: ContractLink | None = None) -> None:
        super().__init__(self.MESSAGES[reason])
        self.reason = reason
        self.link = link


# --------------------------------------------------------------------------- terms


def _decimal(value: Any, name: str, errors: dict) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        errors[name] = "Enter a number."
        return None
    if not amount.is_finite():
        errors[name] = "Enter a number."
        return None
    if amount < 0:
        errors[name] = "This cannot be negative."
    return amount


def _date(value: Any, name: str, errors: dict) -> datetime.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        parsed = parse_date(str(value))
    except ValueError:
        parsed = None
    if parsed is None:
        errors[name] = "Enter a date as YYYY-MM-DD."
    return parsed


def _clean_splits(splits: Any, errors: dict) -> list[dict[str, str]]:
    cleaned = []
    total = Decimal(0)
    for split in splits or []:
        percent = _decimal(split.get("percent"), "payment_splits", errors)
        if percent is None or percent <= 0:
            errors["payment_splits"] = "Each payment needs a percentage above 0."
            continue
        total += percent
        cleaned.append(
            {"percent": f"{percent.normalize():f}", "when": str(split.get("when", "")).strip()}
        )
    if "payment_splits" not in errors and total != 100:
        errors["payment_splits"] = (
            f"The split payments must add up to 100% (they add up to {total}%)."
        )
    return cleaned


def _apply_terms(version: ContractVersion, terms: dict, errors: dict) -> None:
    """Copy the given term fields onto `version`, converting and checking as we go."""
    for name, value in terms.items():
        if name not in TERM_FIELDS:
            continue
        if name in terms_module.MONEY_FIELDS:
            value = _decimal(value, name, errors)
        elif name in terms_module.DATE_FIELDS:
            value = _date(value, name, errors)
        elif name in (
            "usage_channels",
            "exclusivity_competitors",
            "report_metrics",
            "tracking_methods",
        ):
            value = [str(item).strip() for item in (value or []) if str(item).strip()]
        setattr(version, name, value)
    if isinstance(version.currency, str):
        version.currency = version.currency.strip().upper()
    if version.payment_schedule == PaymentSchedule.SPLIT:
        version.payment_splits = _clean_splits(version.payment_splits, errors)
    else:
        version.payment_splits = []


def _validate_version(version: ContractVersion, errors: dict) -> None:
    try:
        validate_currency(version.currency)
    except ValidationError as exc:
        errors.setdefault("currency", exc.messages[0])
    if version.start_date and version.end_date and version.end_date < version.start_date:
        errors.setdefault("end_date", "The contract cannot end before it starts.")
    try:
        version.full_clean(
            exclude=["contract", "number", "body", *errors.keys()], validate_constraints=False
        )
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, messages[0])


def _build_deliverables(
    version: ContractVersion, rows: list[dict], errors: dict
) -> list[Deliverable]:
    deliverables = []
    for position, row in enumerate(rows):
        deliverable = Deliverable(version=version, position=position)
        for name in DELIVERABLE_FIELDS:
            if name not in row:
                continue
            value = row[name]
            if name == "due_date":
                value = _date(value, f"deliverables.{position}.due_date", errors)
            elif name in ("required_hashtags", "required_mentions", "required_links"):
                value = [str(item).strip() for item in (value or []) if str(item).strip()]
            elif name in ("reach_goal", "engagement_goal") and value == "":
                value = None
            setattr(deliverable, name, value)
        try:
            deliverable.full_clean(exclude=["version"])
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                errors.setdefault(f"deliverables.{position}.{name}", messages[0])
        if version.end_date and deliverable.due_date and deliverable.due_date > version.end_date:
            errors.setdefault(
                f"deliverables.{position}.due_date", "This is due after the contract ends."
            )
        deliverables.append(deliverable)
    return deliverables


def _clauses_for(contract: Contract):
    if contract.template_id:
        links = contract.template.template_clauses.select_related("clause").order_by(
            "position", "id"
        )
        clauses = [link.clause for link in links]
        if clauses:
            return clauses
    return terms_module.STANDARD_CLAUSES


def _render_body(version: ContractVersion, deliverables=None) -> None:
    try:
        version.body = terms_module.render_body(
            version, clauses=_clauses_for(version.contract), deliverables=deliverables
        )
    except terms_module.templating.InvalidTemplate as invalid:
        raise ValidationError({"body": f"A clause of the template has errors: {invalid}"}) from None


def _template_defaults(template: ContractTemplate | None) -> dict:
    if template is None:
        return {}
    return {k: v for k, v in (template.default_terms or {}).items() if k in TERM_FIELDS}


# --------------------------------------------------------------------------- drafting


def lock_contract(contract: Contract) -> Contract:
    """Lock the contract's row until the transaction ends and reload `contract` from it.

    Every write that checks a contract's status first takes this lock, so two racing
    requests see each other's result instead of both passing the check.
    """
    locked = Contract.objects.select_for_update().get(pk=contract.pk)
    for f in Contract._meta.concrete_fields:
        setattr(contract, f.attname, getattr(locked, f.attname))
    return contract


@transaction.atomic
def contract_create(
    *,
    campaign_creator: CampaignCreator,
    by,
    template: ContractTemplate | None = None,
    title: str = "",
) -> Contract:
    """A new draft contract (v1) from the template's default terms and the campaign's facts."""
    campaign = campaign_creator.campaign
    creator = campaign_creator.creator
    if template is not None and template.workspace_id != campaign_creator.workspace_id:
        raise ContractError("That template belongs to another workspace.")
    if Contract.objects.open().filter(campaign_creator=campaign_creator).exists():
        raise ContractError("This creator already has a contract in this campaign.")
    contract = Contract(
        workspace_id=campaign_creator.workspace_id,
        campaign=campaign,
        campaign_creator=campaign_creator,
        title=(title.strip() or f"{creator.name} × {campaign.name}")[:200],
        template=template,
        created_by=by,
    )
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError:
        raise ContractError("This creator already has a contract in this campaign.") from None

    version = ContractVersion(contract=contract, number=1, created_by=by)
    defaults = _template_defaults(template)
    # The campaign's own facts win over a template's generic defaults.
    defaults["currency"] = campaign_creator.currency or campaign.currency
    if campaign_creator.planned_fee is not None:
        defaults["cash_amount"] = campaign_creator.planned_fee
    if campaign.start_date:
        defaults["start_date"] = campaign.start_date
    if campaign.end_date:
        defaults["end_date"] = campaign.end_date
    errors: dict = {}
    _apply_terms(version, defaults, errors)
    _validate_version(version, errors)
    # A template with a broken default (a split not adding up, an unknown channel) must
    # not block starting a contract: such a term starts from the model's default instead,
    # and the form asks for it.
    for name in errors:
        if name in TERM_FIELDS:
            setattr(version, name, ContractVersion._meta.get_field(name).get_default())
    if "payment_splits" in errors:
        version.payment_schedule = PaymentSchedule.ON_DELIVERY
    label = version.disclosure_label.strip()
    deliverables = [
        Deliverable(
            position=position,
            platform=platform,
            format=DEFAULT_FORMAT.get(platform, DeliverableFormat.POST),
            due_date=campaign.end_date,
            required_hashtags=[label] if label.startswith("#") else [],
        )
        for position, platform in enumerate(campaign.platforms)
    ]
    _render_body(version, deliverables)
    version.save()
    for deliverable in deliverables:
        deliverable.version = version
    Deliverable.objects.bulk_create(deliverables)
    contract.current_version = version
    contract.save(update_fields=["current_version", "updated_at"])
    return contract


@transaction.atomic
def contract_update_draft(
    *, contract: Contract, by, terms: dict, deliverables: list[dict] | None = None
) -> ContractVersion:
    """Save edited terms (and the full list of deliverables; None keeps them).

    A draft version is edited in place (and loses any approval). A frozen (sent) version
    is never touched: the edit becomes version n+1, a draft, and the contract goes back
    to draft, which makes the old version's links unusable ("superseded").
    Raises ValidationError keyed by field ("deliverables.0.due_date" for deliverables).
    """
    lock_contract(contract)
    if not contract.is_editable:
        raise TransitionRefused(
            f"A {contract.get_status_display().lower()} contract cannot be edited"
            + (
                "; cancel it and start a new one."
                if contract.status in (Status.ACCEPTED, Status.ACTIVE)
                else "."
            )
        )
    current = ContractVersion.objects.get(pk=contract.current_version_id)
    new_version = current.is_frozen
    if new_version:
        version = ContractVersion.objects.get(pk=current.pk)
        version.pk = None
        version._state.adding = True
        number = contract.versions.aggregate(n=Max("number"))["n"] or 0
        version.number = number + 1
        version.created_by = by
        version.created_at = None
        version.frozen_at = None
        version.content_hash = ""
        version.approved_by = None
        version.approved_at = None
    else:
        version = current
        version.approved_by = None
        version.approved_at = None

    errors: dict = {}
    _apply_terms(version, terms, errors)
    _validate_version(version, errors)
    if deliverables is None:
        deliverables = [terms_module.deliverable_terms(d) for d in current.deliverables.all()]
    rows = _build_deliverables(version, deliverables, errors)
    if errors:
        raise ValidationError(errors)

    _render_body(version, rows)
    version.save()
    # Deliverables are a list (their order is part of the terms). On a draft the rows are
    # updated in place, position by position, so the history shows what changed.
    existing = [] if new_version else list(version.deliverables.order_by("position", "id"))
    for row, old in zip(rows, existing, strict=False):
        row.pk, row.completed_at = old.pk, old.completed_at
    for row in rows:
        row.version = version
        row.save()
    Deliverable.objects.filter(pk__in=[old.pk for old in existing[len(rows) :]]).delete()

    if new_version:
        if contract.status == Status.DRAFT:
            # A draft whose version is frozen cannot happen; keep the invariant loudly.
            raise TransitionRefused("This draft is frozen; reload the contract.")
        try:
            with transaction.atomic():
                moved = contract.change_status(Status.DRAFT, current_version=version)
        except IntegrityError:
            raise ContractError(
                "This creator already has another open contract in this campaign."
            ) from None
        if not moved:
            raise TransitionRefused(
                "Someone changed this contract a moment ago. Reload and try again."
            )
    else:
        Contract.objects.filter(pk=contract.pk).update(updated_at=timezone.now())
        contract.current_version = version
    return version


# --------------------------------------------------------------------------- approval


def version_needs_approval(version: ContractVersion, settings_row: ContractSettings) -> bool:
    return settings_row.requires_approval(version) and version.approved_at is None


def contract_needs_approval(contract: Contract) -> bool:
    """True while the current version needs a manager's approval it has not got yet."""
    version = contract.current_version
    if version is None:
        return False
    return version_needs_approval(version, ContractSettings.for_workspace(contract.workspace))


def _is_manager(user, workspace_id: int) -> bool:
    membership = Membership.objects.filter(user=user, workspace_id=workspace_id).first()
    return membership is not None and membership.has_role(Role.MANAGER)


@transaction.atomic
def contract_approve(*, contract: Contract, by, seen_hash: str | None = None) -> ContractVersion:
    """A manager approves the current (draft) version; a new version needs a new approval.

    `seen_hash` is the version_hash of the draft the manager read: a draft edited since
    (same number, new terms) is refused rather than approved unseen.
    """
    if by is None or not _is_manager(by, contract.workspace_id):
        raise ContractError("Only a manager or owner can approve a contract.")
    lock_contract(contract)
    if contract.status != Status.DRAFT:
        raise TransitionRefused("Only a draft can be approved.")
    version = ContractVersion.objects.get(pk=contract.current_version_id)
    if seen_hash is not None and seen_hash != terms_module.version_hash(version):
        raise TransitionRefused(
            "The draft changed since you opened it: read it again before approving."
        )
    if version.approved_at is None:
        now = timezone.now()
        ContractVersion.objects.filter(pk=version.pk, frozen_at__isnull=True).update(
            approved_by=by, approved_at=now
        )
        version.approved_by, version.approved_at = by, now
    contract.current_version = version
    return version


# --------------------------------------------------------------------------- after acceptance


def _simple_transition(contract: Contract, to_status: str, refusal: str, **fields) -> Contract:
    lock_contract(contract)
    if not contract.change_status(to_status, **fields):
        raise TransitionRefused(refusal)
    return contract


@transaction.atomic
def contract_activate(*, contract: Contract, by) -> Contract:
    return _simple_transition(
        contract, Status.ACTIVE, "Only an accepted contract can be activated.",
        activated_at=timezone.now(),
    )  # fmt: skip


@transaction.atomic
def contract_complete(*, contract: Contract, by) -> Contract:
    return _simple_transition(
        contract, Status.COMPLETED, "Only an active contract can be completed.",
        closed_at=timezone.now(),
    )  # fmt: skip


@transaction.atomic
def contract_cancel(*, contract: Contract, by, reason: str) -> Contract:
    """Cancel an open contract; its links stop working."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the contract is cancelled."})
    now = timezone.now()
    _simple_transition(
        contract, Status.CANCELLED, "Only an open contract can be cancelled.",
        closed_at=now, close_reason=reason,
    )  # fmt: skip
    ContractLink.objects.filter(version__contract=contract, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=by
    )
    return contract


def contracts_expire_due(*, now: datetime.datetime | None = None) -> int:
    """Sent contracts whose every link to the current version has run out -> expired.

    Revoked links do not expire a contract (the team withdrew them and may send another).
    One UPDATE: the status condition is re-checked by Postgres on each row it locks, so a
    contract accepted at the same moment is not expired.
    """
    now = now or timezone.now()
    links = ContractLink.objects.filter(
        version=OuterRef("current_version"), revoked_at__isnull=True
    )
    return (
        Contract.objects.filter(status=Status.SENT)
        .filter(Exists(links.filter(expires_at__lte=now)))
        .exclude(Exists(links.filter(expires_at__gt=now)))
        .update(
            status=Status.EXPIRED,
            decided_at=now,
            updated_at=now,
            lock_version=F("lock_version") + 1,
        )
    )


# --------------------------------------------------------------------------- deliverables


def deliverable_mark_done(*, deliverable: Deliverable, by) -> Deliverable:
    contract = deliverable.version.contract
    if contract.status not in (Status.ACCEPTED, Status.ACTIVE) or (
        contract.accepted_version_id != deliverable.version_id
    ):
        raise ContractError("Only deliverables of an accepted contract can be marked done.")
    now = timezone.now()
    Deliverable.objects.filter(pk=deliverable.pk, completed_at__isnull=True).update(
        completed_at=now
    )
    deliverable.refresh_from_db(fields=["completed_at"])
    return deliverable


def deliverable_reopen(*, deliverable: Deliverable, by) -> Deliverable:
    Deliverable.objects.filter(pk=deliverable.pk).update(completed_at=None)
    deliverable.completed_at = None
    return deliverable
