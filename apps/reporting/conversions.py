"""Conversions: tracked links and their clicks, promo codes, conversions, exchange rates.

Services in the house style: keyword-only, atomic, `noun_verb`. They raise Django's
ValidationError (with field keys where a form or the API can show them) and never
trust that an object handed in belongs to the workspace handed in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone
from django.utils.text import slugify

from apps.campaigns.models import CampaignCreator, validate_currency

from . import links
from .models import Conversion, ExchangeRate, LinkClick, PromoCode, TrackedLink

CODE_ATTEMPTS = 5
MAX_ORDER_ID_LENGTH = 200
MAX_REVENUE = Decimal("999999999999.99")  # max_digits=14, decimal_places=2
MAX_USES = 1_000_000


# --- tracked links ----------------------------------------------------------------


def tracked_link_defaults(campaign_creator: CampaignCreator) -> dict[str, str]:
    """UTM values a new link starts with: the creator's main platform and handle."""
    account = campaign_creator.main_account
    campaign = campaign_creator.campaign
    platform = account.platform if account else (campaign.platforms or ["social"])[0]
    handle = account.handle if account else slugify(campaign_creator.creator.name)
    return links.utm_defaults(
        platform=platform,
        campaign_slug=slugify(campaign.name)[:100],
        creator_handle=(handle or "")[:100],
    )


@transaction.atomic
def tracked_link_create(
    *,
    campaign_creator: CampaignCreator,
    destination_url: str,
    by,
    utm: dict[str, str] | None = None,
) -> TrackedLink:
    """A new short link for one campaign creator. `utm` overrides the defaults (blank = default)."""
    if campaign_creator.campaign.is_archived:
        raise ValidationError("The campaign is archived: no new links can be made.")
    try:
        destination = links.destination_clean(destination_url)
    except ValidationError as exc:
        raise ValidationError({"destination_url": exc.messages}) from None
    values = tracked_link_defaults(campaign_creator)
    for name, value in (utm or {}).items():
        if name in links.UTM_FIELDS and (value or "").strip():
            values[name] = value.strip()[:100]
    for _ in range(CODE_ATTEMPTS):
        link = TrackedLink(
            workspace_id=campaign_creator.workspace_id,
            campaign_id=campaign_creator.campaign_id,
            campaign_creator=campaign_creator,
            code=links.code_generate(),
            destination_url=destination,
            created_by=by,
            **values,
        )
        try:
            with transaction.atomic():  # a savepoint: a colliding code is retried
                link.save()
        except IntegrityError:
            continue
        return link
    raise RuntimeError("Could not find a free short code")  # 2^48 codes: not expected


@transaction.atomic
def tracked_link_archive(*, link: TrackedLink, by) -> bool:
    """Archived links answer 404 and stop counting. False if it already was archived."""
    return bool(
        TrackedLink.objects.filter(pk=link.pk, archived_at__isnull=True).update(
            archived_at=timezone.now()
        )
    )


def tracked_link_for_code(*, code: str, visitor: str, now: dt.datetime) -> TrackedLink | None:
    """The active link for a code, in one query that also answers "is this visitor a repeat?".

    The redirect must stay fast (≤ 3 queries): the repeat check rides on the lookup as
    `recent_visit`, which link_click_record() uses instead of asking again.
    """
    recent = LinkClick.objects.filter(
        link=OuterRef("pk"),
        visitor_hash=visitor,
        counted=True,
        at__gte=now - links.repeat_window(),
    )
    link = (
        TrackedLink.objects.active()
        .filter(code=code)
        .annotate(recent_visit=Exists(recent))
        .only("id", "workspace_id", "campaign_id", "code", "destination_url", *links.UTM_FIELDS)
        .first()
    )
    if link is not None:
        link._visitor_hash = visitor
    return link


def link_click_record(
    *,
    link: TrackedLink,
    ip: str,
    user_agent: str,
    method: str = "GET",
    referer: str = "",
    now: dt.datetime | None = None,
) -> LinkClick | None:
    """Record one request to a tracked link; count it unless it is a bot or a repeat.

    HEAD requests are not recorded (link checkers and previews). A repeat is the same
    visitor (hashed IP + user agent) on the same link within TRACKED_LINK_REPEAT_MINUTES
    of their last counted click. The click and the link's click_count change together.
    """
    if method.upper() == "HEAD":
        return None
    now = now or timezone.now()
    user_agent = user_agent[:1000]
    visitor = links.visitor_hash(ip=ip, user_agent=user_agent, day=now.date())
    ignored = LinkClick.Ignored.NO
    if links.is_bot(user_agent):
        ignored = LinkClick.Ignored.BOT
    else:
        if getattr(link, "_visitor_hash", None) == visitor and hasattr(link, "recent_visit"):
            seen = link.recent_visit
        else:
            seen = LinkClick.objects.filter(
                link=link, visitor_hash=visitor, counted=True, at__gte=now - links.repeat_window()
            ).exists()
        if seen:
            ignored = LinkClick.Ignored.REPEAT
    counted = ignored == LinkClick.Ignored.NO
    # No savepoint: inside a caller's transaction a failure rolls that back too, and
    # on its own (the redirect) this is the outermost block. It keeps the redirect at
    # three queries in tests, which wrap everything in a transaction.
    with transaction.atomic(savepoint=False):
        click = LinkClick.objects.create(
            link=link,
            campaign_id=link.campaign_id,
            visitor_hash=visitor,
            counted=counted,
            ignored=ignored,
            referer_host=links.referer_host(referer),
        )
        if counted:
            TrackedLink.objects.filter(pk=link.pk).update(click_count=F("click_count") + 1)
    return click


# --- promo codes ------------------------------------------------------------------

MAX_PROMO_CODE_LENGTH = 64


def promo_code_clean(value: str) -> str:
    code = (value or "").strip()
    if not code:
        raise ValidationError({"code": ["Give the promo code."]})
    if len(code) > MAX_PROMO_CODE_LENGTH:
        raise ValidationError(
            {"code": [f"The code is too long (at most {MAX_PROMO_CODE_LENGTH} characters)."]}
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in code):
        raise ValidationError({"code": ["A promo code has no spaces or control characters."]})
    return code


@transaction.atomic
def promo_code_create(
    *, campaign_creator: CampaignCreator, code: str, by, description: str = ""
) -> PromoCode:
    """A promo code for one campaign creator; unique in the workspace, whatever its case."""
    code = promo_code_clean(code)
    workspace_id = campaign_creator.workspace_id
    existing = PromoCode.objects.filter(workspace_id=workspace_id, code__iexact=code).first()
    if existing is not None:
        raise ValidationError(
            {"code": [f"The promo code “{existing.code}” is already in use in this workspace."]}
        )
    promo = PromoCode(
        workspace_id=workspace_id,
        campaign_id=campaign_creator.campaign_id,
        campaign_creator=campaign_creator,
        code=code,
        description=(description or "").strip()[:200],
        created_by=by,
    )
    try:
        with transaction.atomic():
            promo.save()
    except IntegrityError:  # someone else took it meanwhile
        raise ValidationError(
            {"code": [f"The promo code “{code}” is already in use in this workspace."]}
        ) from None
    return promo


# --- conversions ------------------------------------------------------------------

COMPARED_FIELDS = ("campaign_creator_id", "promo_code_id", "tracked_link_id", "occurred_on",
                   "uses", "revenue", "currency")  # fmt: skip


@dataclass(frozen=True)
class ConversionResult:
    conversion: Conversion
    created: bool
    # On a replay: the fields whose stored value differs from this request's.
    differences: tuple[str, ...] = ()


def _check_numbers(*, uses: int, revenue: Decimal, currency: str, external_order_id: str) -> None:
    errors: dict[str, list[str]] = {}
    if not isinstance(uses, int) or uses < 1:
        errors["uses"] = ["Uses must be a whole number of at least 1."]
    elif uses > MAX_USES:
        errors["uses"] = [f"Uses must be at most {MAX_USES:,}."]
    if not isinstance(revenue, Decimal) or not revenue.is_finite():
        errors["revenue"] = ["Revenue must be a number."]
    elif revenue < 0:
        errors["revenue"] = ["Revenue can't be negative."]
    elif revenue > MAX_REVENUE or revenue != revenue.quantize(Decimal("0.01")):
        errors["revenue"] = ["Revenue must have at most 12 digits and 2 decimals."]
    try:
        validate_currency(currency)
    except ValidationError as exc:
        errors["currency"] = exc.messages
    if len(external_order_id) > MAX_ORDER_ID_LENGTH:
        errors["external_order_id"] = [
            f"The order id is too long (at most {MAX_ORDER_ID_LENGTH} characters)."
        ]
    elif "\x00" in external_order_id:
        errors["external_order_id"] = ["The order id contains a NUL character."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def conversion_record(
    *,
    workspace,
    campaign_creator: CampaignCreator | None,
    promo_code: PromoCode | None = None,
    tracked_link: TrackedLink | None = None,
    occurred_on: dt.date,
    uses: int = 1,
    revenue: Decimal = Decimal("0"),
    currency: str = "",
    external_order_id: str = "",
    source: str = Conversion.Source.MANUAL,
    by=None,
) -> ConversionResult:
    """Record a conversion; with an external order id, at most once per workspace.

    The campaign creator may be left out when a promo code or tracked link says who it
    is. Replaying an order id returns the stored row (created=False) and lists the
    fields this request disagrees on; the stored row is never changed by a replay.
    """
    for thing, name in ((promo_code, "promo_code"), (tracked_link, "tracked_link")):
        if thing is not None and thing.workspace_id != workspace.pk:
            raise ValidationError({name: ["No such object in this workspace."]})
    owner = promo_code or tracked_link
    if campaign_creator is None:
        if owner is None:
            raise ValidationError(
                {"campaign_creator": ["Give the creator, a promo code or a tracked link."]}
            )
        campaign_creator = owner.campaign_creator
    if campaign_creator.workspace_id != workspace.pk:
        raise ValidationError({"campaign_creator": ["No such creator in this workspace."]})
    for thing, name in ((promo_code, "promo_code"), (tracked_link, "tracked_link")):
        if thing is not None and thing.campaign_creator_id != campaign_creator.pk:
            raise ValidationError({name: ["This belongs to another creator."]})
    currency = (currency or campaign_creator.campaign.currency or "").strip().upper()
    external_order_id = (external_order_id or "").strip()
    _check_numbers(
        uses=uses, revenue=revenue, currency=currency, external_order_id=external_order_id
    )

    conversion = Conversion(
        workspace=workspace,
        campaign_id=campaign_creator.campaign_id,
        campaign_creator=campaign_creator,
        promo_code=promo_code,
        tracked_link=tracked_link,
        occurred_on=occurred_on,
        uses=uses,
        revenue=revenue,
        currency=currency,
        external_order_id=external_order_id,
        source=source,
        created_by=by,
    )
    if not external_order_id:
        conversion.save()
        return ConversionResult(conversion, True)
    existing = Conversion.objects.filter(
        workspace=workspace, external_order_id=external_order_id
    ).first()
    if existing is None:
        try:
            with transaction.atomic():  # a savepoint: a concurrent insert of the same order
                conversion.save()
        except IntegrityError:
            existing = Conversion.objects.get(
                workspace=workspace, external_order_id=external_order_id
            )
        else:
            return ConversionResult(conversion, True)
    differences = tuple(
        name for name in COMPARED_FIELDS if getattr(existing, name) != getattr(conversion, name)
    )
    return ConversionResult(existing, False, differences)


# --- exchange rates ---------------------------------------------------------------


@transaction.atomic
def exchange_rate_set(*, workspace, from_currency: str, to_currency: str, rate: Decimal):
    """1 from_currency = rate to_currency, for this workspace's reports (replaces the old rate)."""
    from_currency, to_currency = from_currency.upper(), to_currency.upper()
    errors: dict[str, list[str]] = {}
    for name, value in (("from_currency", from_currency), ("to_currency", to_currency)):
        try:
            validate_currency(value)
        except ValidationError as exc:
            errors[name] = exc.messages
    if not errors and from_currency == to_currency:
        errors["to_currency"] = ["Pick two different currencies."]
    if not isinstance(rate, Decimal) or not rate.is_finite() or rate <= 0:
        errors["rate"] = ["The rate must be a number above zero."]
    if errors:
        raise ValidationError(errors)
    row, _ = ExchangeRate.objects.update_or_create(
        workspace=workspace,
        from_currency=from_currency,
        to_currency=to_currency,
        defaults={"rate": rate},
    )
    return row


# --- CSV import -------------------------------------------------------------------


def conversions_import_preview(*, campaign, data: bytes):
    """The preview of an uploaded file against this campaign's codes and recorded orders."""
    from . import conversions_csv

    codes = {
        code.upper(): (pk, code)
        for pk, code in PromoCode.objects.for_workspace(campaign.workspace_id)
        .filter(campaign=campaign)
        .values_list("id", "code")
    }
    recorded = set(
        Conversion.objects.for_workspace(campaign.workspace_id)
        .exclude(external_order_id="")
        .values_list("external_order_id", flat=True)
    )
    return conversions_csv.parse_conversions_csv(
        data, promo_codes=codes, recorded_order_ids=recorded, default_currency=campaign.currency
    )


@transaction.atomic
def conversions_import(*, campaign, rows, by) -> tuple[int, int]:
    """Write a valid preview's rows in one transaction → (created, skipped).

    Order ids recorded since the preview (another import, the API) are skipped, and
    ON CONFLICT DO NOTHING covers one recorded while this runs: never counted twice.
    """
    promos = {
        promo.pk: promo
        for promo in PromoCode.objects.for_workspace(campaign.workspace_id).filter(
            campaign=campaign, pk__in={row.promo_code_id for row in rows}
        )
    }
    order_ids = [row.order_id for row in rows]
    recorded = set(
        Conversion.objects.for_workspace(campaign.workspace_id)
        .filter(external_order_id__in=order_ids)
        .values_list("external_order_id", flat=True)
    )
    new = [
        Conversion(
            workspace_id=campaign.workspace_id,
            campaign_id=campaign.pk,
            campaign_creator_id=promos[row.promo_code_id].campaign_creator_id,
            promo_code_id=row.promo_code_id,
            occurred_on=row.occurred_on,
            uses=row.uses,
            revenue=row.revenue,
            currency=row.currency,
            external_order_id=row.order_id,
            source=Conversion.Source.IMPORT,
            created_by=by,
        )
        for row in rows
        if row.order_id not in recorded and row.promo_code_id in promos
    ]
    Conversion.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new), len(rows) - len(new)
