"""The contracts part of the demo workspace: three deals in the demo's active campaign.

One contract accepted by the creator and active, one sent and waiting for the creator,
one still a draft. Everything goes through the services (create, edit, send, accept,
activate) so the demo holds exactly what real use would: frozen versions, hashes, links,
a decision record, the card moved to "contracted" by the acceptance.

Not a signal receiver of its own: the reporting demo (apps.reporting.demo) calls
`demo_contracts_seed` first and then adds the published posts and numbers to the active
contract, so the order is explicit rather than depending on which receiver runs first.

Emails. `contract_send` and `contract_accept` queue the creator's link and the team's
notice for after the commit. The services have no "don't email" switch, so the seed makes
them harmless instead: links go only to addresses at example.com (reserved, RFC 2606, never
delivered), the team notice goes to the demo user at microreach.local, and locally the
email backend prints to the worker's console.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from apps.accounts.models import Membership, Role
from apps.campaigns import pipeline
from apps.campaigns import services as campaign_services
from apps.campaigns.models import Campaign, CampaignCreator
from apps.creators.models import Platform, SocialAccount

from . import acceptance, library, services
from .models import Contract, DeliverableFormat, PaymentSchedule

DEMO_CAMPAIGN = "Spring glow launch"
CAMPAIGN_DAYS_SO_FAR = 35  # the demo campaign started five weeks ago
CAMPAIGN_DAYS_LEFT = 25
# Documentation addresses (RFC 5737) for the creator's acceptance record.
DEMO_IP = "203.0.113.24"
DEMO_USER_AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Microreach demo"
SAFE_EMAIL_DOMAIN = "@example.com"
MICRO_FOLLOWERS = (20_000, 150_000)  # the deals go to micro creators when the demo has some
# Shortlisted alongside the three deals, so the board is not empty around them.
OTHER_CARDS = (pipeline.PROSPECT, pipeline.PROSPECT, pipeline.CONTACTED, pipeline.REPLIED)
# The path forward to negotiating (the pipeline does not skip contacted or replied here).
FORWARD = (pipeline.CONTACTED, pipeline.REPLIED, pipeline.NEGOTIATING)

# What each deal's creator publishes on their main platform: the format and when it is
# due (days after the campaign starts). The active deal has all three (two published, one
# still to do, so the Deliverables page has something); the others the first two.
DELIVERABLES = {
    Platform.INSTAGRAM: (DeliverableFormat.REEL, DeliverableFormat.POST, DeliverableFormat.STORY),
    Platform.YOUTUBE: (DeliverableFormat.VIDEO, DeliverableFormat.SHORT, DeliverableFormat.SHORT),
    Platform.TIKTOK: (DeliverableFormat.SHORT, DeliverableFormat.SHORT, DeliverableFormat.SHORT),
}
PLAN = (
    (7, "Launch post: first impressions of the serum."),
    (19, "Follow-up after two weeks of use, with the promo code."),
    (45, "A last reminder with the link before the campaign ends."),
)
# kind, the creator's platform, cash, product value, number of deliverables.
DEALS = (
    ("active", Platform.INSTAGRAM, Decimal("1200"), Decimal("150"), 3),
    ("sent", Platform.YOUTUBE, Decimal("1800"), Decimal("150"), 2),
    ("draft", Platform.TIKTOK, Decimal("900"), Decimal("150"), 2),
)


@dataclass(frozen=True)
class DemoContracts:
    campaign: Campaign
    by: object  # the demo workspace's owner
    active: Contract
    sent: Contract
    draft: Contract


def demo_contracts_seed(*, workspace, seed: int) -> DemoContracts | None:
    """Seed the three demo deals; None (and nothing written) when the workspace already
    has contracts (a second run, or a marketer who made their own) or no usable creators."""
    if Contract.objects.for_workspace(workspace).exists():
        return None
    membership = (
        Membership.objects.filter(workspace=workspace, role=Role.OWNER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    by = membership.user
    rng = random.Random(seed)
    picks = _pick_creators(workspace, rng)
    if picks is None:
        return None
    campaign = _demo_campaign(workspace, by)
    template = library.contract_library_seed(workspace=workspace)  # idempotent

    others = _other_creators(workspace, rng, exclude={a.creator_id for a in picks.values()})
    campaign_services.shortlist_add(
        campaign=campaign, creators=[a.creator for a in [*picks.values(), *others]], by=by
    )
    cards = {
        card.creator_id: card
        for card in CampaignCreator.objects.filter(campaign=campaign).select_related("creator")
    }
    for account, stage in zip(others, OTHER_CARDS, strict=False):
        _advance(cards[account.creator_id], stage, by)

    contracts = {}
    for kind, platform, cash, product_value, count in DEALS:
        account = picks[platform]
        card = cards[account.creator_id]
        _advance(card, pipeline.NEGOTIATING, by)
        contracts[kind] = _draft(
            card,
            account,
            by=by,
            template=template,
            cash=cash,
            product_value=product_value,
            count=count,
        )
    _send(contracts["sent"], by)
    _send(contracts["active"], by, accept=True)
    services.contract_activate(contract=contracts["active"], by=by)
    return DemoContracts(campaign, by, contracts["active"], contracts["sent"], contracts["draft"])


def _pick_creators(workspace, rng: random.Random) -> dict[str, SocialAccount] | None:
    """One creator per platform with a safe email; a micro-sized main account if there is one."""
    accounts = list(
        SocialAccount.objects.for_workspace(workspace)
        .filter(creator__email__iendswith=SAFE_EMAIL_DOMAIN, followers__isnull=False)
        .select_related("creator")
        .order_by("pk")
    )
    picks = {}
    for platform in (Platform.INSTAGRAM, Platform.YOUTUBE, Platform.TIKTOK):
        candidates = [
            a for a in accounts if a.platform == platform and a.creator_id not in _creators(picks)
        ]
        micro = [a for a in candidates if MICRO_FOLLOWERS[0] <= a.followers <= MICRO_FOLLOWERS[1]]
        if not candidates:
            return None
        picks[platform] = rng.choice(micro or candidates)
    return picks


def _creators(picks: dict[str, SocialAccount]) -> set[int]:
    return {account.creator_id for account in picks.values()}


def _other_creators(workspace, rng: random.Random, *, exclude: set[int]) -> list[SocialAccount]:
    accounts = list(
        SocialAccount.objects.for_workspace(workspace)
        .exclude(creator_id__in=exclude)
        .select_related("creator")
        .order_by("pk")[:200]
    )
    unique = list({a.creator_id: a for a in accounts}.values())
    return rng.sample(unique, min(len(OTHER_CARDS), len(unique)))


def _demo_campaign(workspace, by) -> Campaign:
    """The demo's active campaign: one that exists already, else ours (through the service)."""
    campaign = (
        Campaign.objects.for_workspace(workspace).active().order_by("created_at", "pk").first()
    )
    if campaign is not None:
        return campaign
    today = timezone.localdate()
    return campaign_services.campaign_create(
        workspace=workspace,
        by=by,
        name=DEMO_CAMPAIGN,
        brand="Lumen Skincare",
        product="Glow serum",
        goal=Campaign.Goal.CONVERSIONS,
        budget=Decimal("8000"),
        currency="USD",
        start_date=today - dt.timedelta(days=CAMPAIGN_DAYS_SO_FAR),
        end_date=today + dt.timedelta(days=CAMPAIGN_DAYS_LEFT),
        platforms=[Platform.INSTAGRAM, Platform.YOUTUBE, Platform.TIKTOK],
        keywords=["skincare", "serum", "glow"],
        status=Campaign.Status.ACTIVE,
    )


def _advance(card: CampaignCreator, to_stage: str, by) -> None:
    """Walk a card forward along the pipeline to `to_stage` (no-op if it is there or past)."""
    path = (pipeline.PROSPECT, *FORWARD)
    if card.stage not in path or to_stage not in path:
        return
    for stage in path[path.index(card.stage) + 1 : path.index(to_stage) + 1]:
        campaign_services.campaign_creator_move(
            campaign_creator=card, to_stage=stage, by=by, expected_version=card.version
        )


def _draft(
    card, account, *, by, template, cash: Decimal, product_value: Decimal, count: int
) -> Contract:
    contract = services.contract_create(campaign_creator=card, by=by, template=template)
    campaign = card.campaign
    start = campaign.start_date or timezone.localdate()
    end = campaign.end_date
    services.contract_update_draft(
        contract=contract,
        by=by,
        terms={
            "objectives": f"Introduce {campaign.product or campaign.name} to "
            f"{account.creator.name}'s audience and drive first orders.",
            "currency": campaign.currency,
            "cash_amount": cash,
            "product_description": f"{campaign.product or 'Product'} gift box",
            "product_value": product_value,
            "payment_schedule": PaymentSchedule.ON_DELIVERY,
            "usage_channels": ["organic_social"],
            "usage_duration_days": 90,
            "report_metrics": ["views", "likes", "comments", "clicks", "conversions"],
            "tracking_methods": ["tracked_link", "promo_code"],
        },
        deliverables=[
            {
                "platform": account.platform,
                "format": fmt,
                "quantity": 1,
                "due_date": min(start + dt.timedelta(days=days), end) if end else None,
                "description": description,
                "required_hashtags": ["#ad"],
                "required_mentions": [],
            }
            for fmt, (days, description) in zip(
                DELIVERABLES[account.platform][:count], PLAN, strict=False
            )
        ],
    )
    contract.refresh_from_db()
    return contract


def _send(contract: Contract, by, *, accept: bool = False) -> None:
    if services.contract_needs_approval(contract):
        services.contract_approve(contract=contract, by=by)
    creator = contract.campaign_creator.creator
    # Only reserved example.com addresses, whatever the creator row says (see the docstring).
    email = creator.email if creator.email.lower().endswith(SAFE_EMAIL_DOMAIN) else ""
    _link, token = acceptance.contract_send(
        contract=contract, by=by, to_email=email or f"creator-{creator.pk}{SAFE_EMAIL_DOMAIN}"
    )
    if accept:
        acceptance.contract_accept(
            token=token,
            full_name=creator.name,
            acknowledged_disclosure=True,
            acknowledged_usage_rights=True,
            ip=DEMO_IP,
            user_agent=DEMO_USER_AGENT,
        )
    contract.refresh_from_db()
