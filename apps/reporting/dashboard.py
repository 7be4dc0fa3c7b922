"""A campaign's report: what its posts, links and codes brought and what its contracts cost.

`campaign_report()` builds the whole report with a fixed handful of SQL aggregates
(the count does not grow with creators, posts or days) and hands the numbers to the
pure formulas in apps.creators.metrics.

Which numbers, and why:
- Views, reach, engagements "to date" are each post's newest numbers up to the end
  of the date range. When the range reaches today (open-ended) they are the numbers
  kept on the post itself (newest snapshot or manual entry); for a range that ends
  in the past they are the post's newest snapshot on or before the end date.
- "In range" is to-date minus the post's newest snapshot before the range starts
  (0 when there is none: the post was published, or first measured, in the range).
- Engagements = likes + comments + shares + saves of the known counts. A hidden like
  count is unknown, not zero: it is left out and the page says how many posts hid it.
- Cost metrics (CPM, CPE, ...) divide the WHOLE spend by the to-date numbers: the
  contracts pay for the posts' lifetime, not for a slice of days.
- Planned posts: the deliverable quantities of the accepted versions of the contracts
  that count (accepted, active, completed). Spend: cash + product value of those
  versions, in each version's currency, dated by the contract's decision.
- Clicks (counted ones only) and conversions are those inside the date range.
- Money in other currencies is converted only through the workspace's exchange rates.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from apps.campaigns.models import Campaign, CampaignCreator
from apps.contracts.models import Contract
from apps.creators import metrics

from .models import LinkClick
from .money import Money, add_amounts, missing_rate_text, money, rates_to

COUNTED_CONTRACTS = (
    Contract.Status.ACCEPTED,
    Contract.Status.ACTIVE,
    Contract.Status.COMPLETED,
)
DEFAULT_DAYS = 90
LEADERBOARD_SORTS = {
    "roas": "ROAS",
    "views": "Views",
    "conversions": "Conversions",
}
LEADERBOARD_SIZE = 10


@dataclass(frozen=True)
class ReportFilters:
    start: dt.date
    end: dt.date
    platform: str = ""
    campaign_creator_id: int | None = None

    @property
    def open_ended(self) -> bool:
        """The range reaches today: the posts' own (newest) numbers are the to-date ones."""
        return self.end >= timezone.localdate()


def default_range(campaign: Campaign, today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The campaign's dates (up to today while it runs), else the last 90 days."""
    today = today or timezone.localdate()
    if campaign.start_date and campaign.start_date <= today:
        end = min(campaign.end_date, today) if campaign.end_date else today
        return campaign.start_date, max(end, campaign.start_date)
    return today - dt.timedelta(days=DEFAULT_DAYS - 1), today


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    value: Decimal | float | None
    formula: str
    reason: str = ""  # why value is None ("No views yet (0)", "Add a EUR→USD rate …")
    kind: str = "money"  # money | percent | ratio

    @property
    def available(self) -> bool:
        return self.value is not None


@dataclass
class CreatorRow:
    campaign_creator_id: int | None  # None for the totals row
    name: str
    posts_live: int = 0
    posts_planned: int = 0
    views: int | None = None
    views_in_range: int | None = None
    reach: int | None = None
    engagements: int | None = None
    engagements_in_range: int | None = None
    posts_likes_unknown: int = 0
    clicks: int = 0
    conversions: int = 0
    spend: Money | None = None
    revenue: Money | None = None
    metrics: dict[str, Metric] = field(default_factory=dict)

    @property
    def posts_missing(self) -> int:
        return max(self.posts_planned - self.posts_live, 0)

    @property
    def engagement_rate(self) -> Metric:
        return self.metrics["engagement_rate"]


@dataclass
class CampaignReport:
    campaign: Campaign
    filters: ReportFilters
    currency: str
    rows: list[CreatorRow]
    totals: CreatorRow
    views_per_day: list[tuple[dt.date, int]]
    engagements_per_day: list[tuple[dt.date, int]]
    cumulative_spend: list[tuple[dt.date, Decimal]] | None
    cumulative_revenue: list[tuple[dt.date, Decimal]] | None
    money_refusal: str = ""  # why money charts/totals are not converted
    creators: list[tuple[int, str]] = field(default_factory=list)  # the creator filter's options

    def leaderboard(self, sort: str = "roas") -> list[CreatorRow]:
        return leaderboard(self.rows, sort)


def _sum_known(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    return a if b is None else a + b


# --- the SQL ---------------------------------------------------------------

_POST_COLUMNS = ("views", "reach", "likes", "comments", "shares", "saves")


def _engagement_sql(alias: str) -> str:
    cols = [f"{alias}.{c}" for c in ("likes", "comments", "shares", "saves")]
    return (
        f"CASE WHEN COALESCE({', '.join(cols)}) IS NULL THEN NULL "
        f"ELSE {' + '.join(f'COALESCE({c}, 0)' for c in cols)} END"
    )


def _post_filters(filters: ReportFilters, alias: str = "p") -> tuple[str, list]:
    sql, params = "", []
    if filters.platform:
        sql += f" AND {alias}.platform = %s"
        params.append(filters.platform)
    if filters.campaign_creator_id:
        sql += f" AND {alias}.campaign_creator_id = %s"
        params.append(filters.campaign_creator_id)
    return sql, params


def _post_totals(campaign: Campaign, filters: ReportFilters) -> dict[int, dict]:
    """Per campaign creator: live posts, to-date and in-range views/engagements (1 query).

    One index probe per post and side (psnap unique (post, date)), so it stays
    fast with months of daily snapshots.
    """
    lateral = "SELECT {cols} FROM reporting_postmetricsnapshot s WHERE s.post_id = p.id AND {cond} ORDER BY s.date DESC LIMIT 1"
    cols = ", ".join(f"s.{c}" for c in _POST_COLUMNS)
    src = "p" if filters.open_ended else "e"
    joins = ""
    params: list = []
    if not filters.open_ended:
        joins += f" LEFT JOIN LATERAL ({lateral.format(cols=cols, cond='s.date <= %s')}) e ON TRUE"
        params.append(filters.end)
    joins += f" LEFT JOIN LATERAL ({lateral.format(cols=cols, cond='s.date < %s')}) b ON TRUE"
    params.append(filters.start)
    end_moment = timezone.make_aware(dt.datetime.combine(_day_after(filters.end), dt.time.min))
    where, where_params = _post_filters(filters)
    sql = f"""
        SELECT p.campaign_creator_id,
               COUNT(*) FILTER (WHERE p.published_at IS NULL OR p.published_at < %s),
               SUM({src}.views),
               SUM(GREATEST({src}.views - COALESCE(b.views, 0), 0)),
               SUM({src}.reach),
               SUM({_engagement_sql(src)}),
               SUM(GREATEST(({_engagement_sql(src)}) - COALESCE(({_engagement_sql("b")}), 0), 0)),
               COUNT(*) FILTER (WHERE {src}.likes IS NULL)
          FROM reporting_deliverablepost p {joins}
         WHERE p.campaign_id = %s AND p.workspace_id = %s {where}
         GROUP BY p.campaign_creator_id
    """  # noqa: S608 -- only our own column names are formatted in; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [end_moment, *params, campaign.pk, campaign.workspace_id, *where_params]
        )
        rows = cursor.fetchall()
    keys = ("posts_live", "views", "views_in_range", "reach", "engagements", "engagements_in_range", "posts_likes_unknown")  # fmt: skip
    return {
        cc_id: {k: (int(v) if v is not None else None) for k, v in zip(keys, values, strict=True)}
        for cc_id, *values in rows
    }


def _daily_series(
    campaign: Campaign, filters: ReportFilters
) -> tuple[list[tuple[dt.date, int]], list[tuple[dt.date, int]]]:
    """Views and engagements gained per day (1 query over psnap_campaign_date).

    Each snapshot carries what its post gained since the post's earlier snapshots
    (services.post_gains_refresh), so posts measured on different days add up right;
    a post's first snapshot adds all its views so far.
    """
    where, params = _post_filters(filters)
    join = " JOIN reporting_deliverablepost p ON p.id = s.post_id" if where else ""
    sql = f"""
        SELECT s.date, SUM(s.views_gain), SUM(s.engagements_gain)
          FROM reporting_postmetricsnapshot s {join}
         WHERE s.campaign_id = %s AND s.date BETWEEN %s AND %s {where}
         GROUP BY s.date ORDER BY s.date
    """  # noqa: S608 -- only our own column names are formatted in; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, [campaign.pk, filters.start, filters.end, *params])
        rows = cursor.fetchall()
    views = [(day, int(day_views or 0)) for day, day_views, _ in rows]
    gains = [(day, int(day_engagements or 0)) for day, _, day_engagements in rows]
    return views, gains


def _spend(campaign: Campaign):
    """Spend per (campaign creator, currency, day of the decision) (1 query)."""
    contracts = Contract.objects.filter(
        campaign=campaign,
        workspace_id=campaign.workspace_id,
        status__in=COUNTED_CONTRACTS,
        accepted_version__isnull=False,
    )
    # Not narrowed to the creator filter: its rows also list the creators the filter offers.
    return (
        contracts.annotate(
            day=TruncDate(Coalesce("decided_at", "activated_at", "created_at")),
            currency=F("accepted_version__currency"),
        )
        .values("campaign_creator_id", "currency", "day")
        .annotate(
            amount=Sum(
                Coalesce("accepted_version__cash_amount", Value(Decimal(0)))
                + Coalesce("accepted_version__product_value", Value(Decimal(0)))
            )
        )
        .order_by()
    )


def _planned(campaign: Campaign, filters: ReportFilters) -> dict[int, int]:
    """Deliverable quantities of the counted contracts' accepted versions (1 query)."""
    contracts = Contract.objects.filter(
        campaign=campaign,
        workspace_id=campaign.workspace_id,
        status__in=COUNTED_CONTRACTS,
        accepted_version__isnull=False,
    )
    if filters.platform:
        # Filtering before annotating keeps the Sum on the same (filtered) join.
        contracts = contracts.filter(accepted_version__deliverables__platform=filters.platform)
    if filters.campaign_creator_id:
        contracts = contracts.filter(campaign_creator_id=filters.campaign_creator_id)
    rows = (
        contracts.values("campaign_creator_id")
        .annotate(planned=Sum("accepted_version__deliverables__quantity"))
        .order_by()
    )
    return {row["campaign_creator_id"]: row["planned"] or 0 for row in rows}


def _clicks(campaign: Campaign, filters: ReportFilters, start, end) -> dict[int, int]:
    clicks = LinkClick.objects.filter(
        campaign=campaign, link__workspace_id=campaign.workspace_id, counted=True
    ).filter(at__gte=start, at__lt=end)
    if filters.campaign_creator_id:
        clicks = clicks.filter(link__campaign_creator_id=filters.campaign_creator_id)
    rows = clicks.values("link__campaign_creator_id").annotate(n=Count("id")).order_by()
    return {row["link__campaign_creator_id"]: row["n"] for row in rows}


def _conversions(campaign: Campaign, filters: ReportFilters) -> list[tuple]:
    """Uses and revenue inside the range, per (campaign creator, currency) and per
    (day, currency), in one query (GROUPING SETS). Rows: (kind, key, currency, uses,
    revenue) with kind "creator" or "day"."""
    where, params = "", []
    if filters.campaign_creator_id:
        where, params = " AND campaign_creator_id = %s", [filters.campaign_creator_id]
    sql = f"""
        SELECT GROUPING(campaign_creator_id), campaign_creator_id, occurred_on, currency,
               SUM(uses), SUM(revenue)
          FROM reporting_conversion
         WHERE campaign_id = %s AND workspace_id = %s AND occurred_on BETWEEN %s AND %s {where}
         GROUP BY GROUPING SETS ((campaign_creator_id, currency), (occurred_on, currency))
    """  # noqa: S608 -- a fixed filter is formatted in; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [campaign.pk, campaign.workspace_id, filters.start, filters.end, *params]
        )
        return [
            ("day", day, currency, int(uses), revenue)
            if by_day
            else ("creator", cc_id, currency, int(uses), revenue)
            for by_day, cc_id, day, currency, uses, revenue in cursor.fetchall()
        ]


# --- putting it together ---------------------------------------------------


def performance_metrics(row: CreatorRow, currency: str) -> dict[str, Metric]:
    """The ratios of one row, each with its formula and, when missing, the reason."""
    result = {}
    er = metrics.campaign_engagement_rate(row.engagements, row.views)
    result["engagement_rate"] = Metric(
        "engagement_rate",
        "Engagement rate",
        er,
        metrics.ENGAGEMENT_RATE_FORMULA,
        "" if er is not None else metrics.missing_reason("engagement_rate", row.views),
        "percent",
    )
    spend = row.spend.total if row.spend else None
    revenue = row.revenue.total if row.revenue else None
    spend_refusal = row.spend.refusal if row.spend and spend is None else ""
    revenue_refusal = row.revenue.refusal if row.revenue and revenue is None else ""
    costs = (
        ("cpm", "CPM", metrics.cpm, row.views, metrics.CPM_FORMULA),
        ("cpe", "CPE", metrics.cpe, row.engagements, metrics.CPE_FORMULA),
        ("cpc", "CPC", metrics.cpc, row.clicks, metrics.CPC_FORMULA),
        ("cpa", "CPA", metrics.cpa, row.conversions, metrics.CPA_FORMULA),
    )
    for key, label, formula, denominator, text in costs:
        if spend_refusal:
            value, reason = None, spend_refusal
        else:
            value = formula(spend, denominator)
            reason = "" if value is not None else metrics.missing_reason(key, denominator)
        result[key] = Metric(key, label, value, text, reason, "money")
    for key, label, formula, text, kind in (
        ("roas", "ROAS", metrics.roas, metrics.ROAS_FORMULA, "ratio"),
        ("roi", "ROI", metrics.roi, metrics.ROI_FORMULA, "percent"),
    ):
        refusal = spend_refusal or revenue_refusal
        value = None if refusal else formula(revenue, spend)
        reason = refusal or ("" if value is not None else metrics.missing_reason(key, spend))
        result[key] = Metric(key, label, value, text, reason, kind)
    return result


def leaderboard(rows: list[CreatorRow], sort: str = "roas") -> list[CreatorRow]:
    """The best creators by ROAS, views or conversions; rows without the number go last."""
    if sort not in LEADERBOARD_SORTS:
        sort = "roas"

    def key(row: CreatorRow):
        value = row.metrics["roas"].value if sort == "roas" else getattr(row, sort)
        return (value is None, -(value or 0), row.name.lower())

    return sorted(rows, key=key)[:LEADERBOARD_SIZE]


def _bounds(filters: ReportFilters) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(filters.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(_day_after(filters.end), dt.time.min))
    return start, end


def _cumulative(
    start: dt.date, end: dt.date, per_day: dict[dt.date, Decimal], carried: Decimal
) -> list[tuple[dt.date, Decimal]]:
    series, running, day = [], carried, start
    while day <= end:
        running += per_day.get(day, Decimal(0))
        series.append((day, running))
        if day == dt.date.max:
            break
        day += dt.timedelta(days=1)
    return series


def campaign_report(campaign: Campaign, filters: ReportFilters) -> CampaignReport:
    """The report of `campaign` (already fetched for the request's workspace)."""
    currency = campaign.currency
    start_at, end_at = _bounds(filters)
    posts = _post_totals(campaign, filters)
    views_per_day, engagements_per_day = _daily_series(campaign, filters)
    planned = _planned(campaign, filters)
    clicks = _clicks(campaign, filters, start_at, end_at)
    spend_rows = list(_spend(campaign))
    contracted = {row["campaign_creator_id"] for row in spend_rows}
    if filters.campaign_creator_id:
        spend_rows = [
            row for row in spend_rows if row["campaign_creator_id"] == filters.campaign_creator_id
        ]
    conversion_rows = _conversions(campaign, filters)

    spend_by_cc: dict[int, dict[str, Decimal]] = defaultdict(dict)
    spend_by_day: dict[str, dict[dt.date, Decimal]] = defaultdict(dict)
    for row in spend_rows:
        add_amounts(spend_by_cc[row["campaign_creator_id"]], row["currency"], row["amount"])
        add_amounts(spend_by_day[row["currency"]], row["day"], row["amount"])
    revenue_by_cc: dict[int, dict[str, Decimal]] = defaultdict(dict)
    revenue_by_day: dict[str, dict[dt.date, Decimal]] = defaultdict(dict)
    uses_by_cc: dict[int, int] = defaultdict(int)
    for kind, key, code, uses, revenue in conversion_rows:
        if kind == "day":
            add_amounts(revenue_by_day[code], key, revenue)
        else:
            add_amounts(revenue_by_cc[key], code, revenue)
            uses_by_cc[key] += uses
    currencies = set(spend_by_day) | set(revenue_by_day)
    rates = rates_to(campaign.workspace_id, currency, currencies)

    ids = set(posts) | set(planned) | set(clicks) | set(spend_by_cc) | set(revenue_by_cc)
    # Every contracted creator (for the creator filter), and any other with numbers.
    names = dict(
        CampaignCreator.objects.filter(campaign=campaign, pk__in=ids | contracted).values_list(
            "pk", "creator__name"
        )
    )
    rows = []
    for cc_id in ids:
        row = CreatorRow(cc_id, names.get(cc_id, "—"), **posts.get(cc_id, {}))
        row.posts_planned = planned.get(cc_id, 0)
        row.clicks = clicks.get(cc_id, 0)
        row.conversions = uses_by_cc.get(cc_id, 0)
        row.spend = money(currency, spend_by_cc.get(cc_id, {}), rates)
        row.revenue = money(currency, revenue_by_cc.get(cc_id, {}), rates)
        row.metrics = performance_metrics(row, currency)
        rows.append(row)
    rows.sort(key=lambda r: r.name.lower())

    totals = CreatorRow(None, "Total")
    all_spend: dict[str, Decimal] = {}
    all_revenue: dict[str, Decimal] = {}
    for row in rows:
        totals.posts_live += row.posts_live
        totals.posts_planned += row.posts_planned
        totals.posts_likes_unknown += row.posts_likes_unknown
        totals.clicks += row.clicks
        totals.conversions += row.conversions
        for name in ("views", "views_in_range", "reach", "engagements", "engagements_in_range"):
            setattr(totals, name, _sum_known(getattr(totals, name), getattr(row, name)))
        for code, amount in row.spend.amounts.items():
            add_amounts(all_spend, code, amount)
        for code, amount in row.revenue.amounts.items():
            add_amounts(all_revenue, code, amount)
    totals.spend = money(currency, all_spend, rates)
    totals.revenue = money(currency, all_revenue, rates)
    totals.metrics = performance_metrics(totals, currency)

    refusal = missing_rate_text(set(totals.spend.missing) | set(totals.revenue.missing), currency)
    cumulative_spend = cumulative_revenue = None
    if not refusal:
        spend_days: dict[dt.date, Decimal] = defaultdict(Decimal)
        carried = Decimal(0)
        for code, days in spend_by_day.items():
            rate = Decimal(1) if code == currency else rates[code]
            for day, amount in days.items():
                if day < filters.start:
                    carried += amount * rate
                else:
                    spend_days[day] += amount * rate
        revenue_days: dict[dt.date, Decimal] = defaultdict(Decimal)
        for code, days in revenue_by_day.items():
            rate = Decimal(1) if code == currency else rates[code]
            for day, amount in days.items():
                revenue_days[day] += amount * rate
        cumulative_spend = _cumulative(filters.start, filters.end, spend_days, carried)
        cumulative_revenue = _cumulative(filters.start, filters.end, revenue_days, Decimal(0))
    return CampaignReport(
        campaign=campaign,
        filters=filters,
        currency=currency,
        rows=rows,
        totals=totals,
        views_per_day=views_per_day,
        engagements_per_day=engagements_per_day,
        cumulative_spend=cumulative_spend,
        cumulative_revenue=cumulative_revenue,
        money_refusal=refusal,
        creators=sorted(names.items(), key=lambda item: item[1].lower()),
    )


def _day_after(day: dt.date) -> dt.date:
    """The day after `day`, or `day` itself on 31 December 9999 (the last date there is)."""
    return day + dt.timedelta(days=1) if day < dt.date.max else day
