"""Every campaign of a workspace with its to-date totals, in a fixed number of queries.

Each aggregate is grouped by campaign over the whole workspace (no per-campaign
loop). Numbers are to date: the posts' own newest numbers, the tracked links'
counted clicks, every conversion, and the spend of the contracts that count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce

from apps.campaigns.models import Campaign
from apps.contracts.models import Contract

from .dashboard import COUNTED_CONTRACTS, CreatorRow, Metric, performance_metrics
from .models import Conversion, DeliverablePost, ExchangeRate, TrackedLink
from .money import Money, add_amounts, money


@dataclass
class CampaignTotals:
    campaign: Campaign
    row: CreatorRow = field(default_factory=lambda: CreatorRow(None, "Total"))

    @property
    def metrics(self) -> dict[str, Metric]:
        return self.row.metrics

    @property
    def spend(self) -> Money | None:
        return self.row.spend

    @property
    def revenue(self) -> Money | None:
        return self.row.revenue


def _by_campaign(queryset, key: str, **annotations) -> dict[int, dict]:
    """{campaign id: its aggregates}: one GROUP BY over all the campaigns."""
    return {row[key]: row for row in queryset.values(key).annotate(**annotations).order_by()}


def workspace_overview(workspace, *, include_archived: bool = False) -> list[CampaignTotals]:
    campaigns = Campaign.objects.for_workspace(workspace).order_by("-created_at", "-id")
    if not include_archived:
        campaigns = campaigns.exclude(status=Campaign.Status.ARCHIVED)
    campaigns = list(campaigns)
    if not campaigns:
        return []
    # Each aggregate runs over the whole workspace and archived campaigns' rows are just
    # not looked up: a `campaign_id IN (…100 ids…)` filter made every row of a scan
    # compare against the whole list.
    engagement = (
        Coalesce("likes", 0)
        + Coalesce("comments", 0)
        + Coalesce("shares", 0)
        + Coalesce("saves", 0)
    )
    posts = _by_campaign(
        DeliverablePost.objects.for_workspace(workspace),
        "campaign_id",
        posts=Count("id"),
        views=Sum("views"),
        reach=Sum("reach"),
        engagements=Sum(engagement, filter=~Q(likes=None, comments=None, shares=None, saves=None)),
        likes_unknown=Count("id", filter=Q(likes=None)),
    )
    counted = Contract.objects.for_workspace(workspace).filter(
        status__in=COUNTED_CONTRACTS, accepted_version__isnull=False
    )
    planned = _by_campaign(
        counted, "campaign_id", planned=Sum("accepted_version__deliverables__quantity")
    )
    clicks = _by_campaign(
        TrackedLink.objects.for_workspace(workspace),
        "campaign_id",
        clicks=Sum("click_count"),
    )
    spend: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for row in (
        counted.values("campaign_id", currency=F("accepted_version__currency"))
        .annotate(
            amount=Sum(
                Coalesce("accepted_version__cash_amount", Value(Decimal(0)))
                + Coalesce("accepted_version__product_value", Value(Decimal(0)))
            )
        )
        .order_by()
    ):
        add_amounts(spend[row["campaign_id"]], row["currency"], row["amount"])
    revenue: dict[int, dict[str, Decimal]] = defaultdict(dict)
    uses: dict[int, int] = defaultdict(int)
    for row in (
        Conversion.objects.for_workspace(workspace)
        .values("campaign_id", "currency")
        .annotate(uses=Sum("uses"), revenue=Sum("revenue"))
        .order_by()
    ):
        add_amounts(revenue[row["campaign_id"]], row["currency"], row["revenue"])
        uses[row["campaign_id"]] += row["uses"]
    rates: dict[tuple[str, str], Decimal] = {
        (r.from_currency, r.to_currency): r.rate
        for r in ExchangeRate.objects.for_workspace(workspace)
    }

    result = []
    for campaign in campaigns:
        its_rates = {src: rate for (src, dst), rate in rates.items() if dst == campaign.currency}
        totals = CampaignTotals(campaign)
        row, post = totals.row, posts.get(campaign.pk, {})
        row.posts_live = post.get("posts", 0)
        row.views, row.reach = post.get("views"), post.get("reach")
        row.engagements = post.get("engagements")
        row.posts_likes_unknown = post.get("likes_unknown", 0)
        row.posts_planned = planned.get(campaign.pk, {}).get("planned") or 0
        row.clicks = clicks.get(campaign.pk, {}).get("clicks") or 0
        row.conversions = uses.get(campaign.pk, 0)
        row.spend = money(campaign.currency, spend.get(campaign.pk, {}), its_rates)
        row.revenue = money(campaign.currency, revenue.get(campaign.pk, {}), its_rates)
        row.metrics = performance_metrics(row, campaign.currency)
        result.append(totals)
    return result
