"""Reads for the pipeline board and table: cards grouped by stage, column totals, sorted rows.

Each page costs a fixed number of queries whatever the number of cards: the rows with
their creator (one query), the creators' accounts (one prefetch) and, on the board,
the column totals (one aggregate).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.utils.html import format_html_join

from apps.creators.models import SocialAccount

from . import pipeline
from .models import Campaign, CampaignCreator

# Columns shown folded at the end of the board: the ways out of the pipeline.
COLLAPSED_STAGES = (pipeline.DECLINED, pipeline.NOT_A_FIT)


@dataclass
class Column:
    stage: str
    label: str
    collapsed: bool
    reason_required: bool
    # (stage, label) the cards of this column may move to (the keyboard menu).
    next_options: list[tuple[str, str]]
    cards: list[CampaignCreator] = field(default_factory=list)
    count: int = 0
    # The <option>s of next_options, built once per column rather than once per card:
    # at 500 cards the per-card loops were most of the board's render time (bench/board.py).
    options_html: str = ""
    # (currency, planned spend) sorted by currency; rows without a fee are not in it.
    spend: list[tuple[str, Decimal]] = field(default_factory=list)


def board_cards(campaign: Campaign):
    """The campaign's cards in board order, with creator and accounts for the card face."""
    return (
        campaign.campaign_creators.shortlisted()
        .select_related("creator")
        .prefetch_related("creator__accounts")
        .order_by("position", "added_at", "pk")
    )


def column_totals(campaign: Campaign) -> dict[str, tuple[int, list[tuple[str, Decimal]]]]:
    """stage -> (card count, planned spend per currency), in one GROUP BY query."""
    rows = (
        campaign.campaign_creators.shortlisted()
        .order_by()
        .values("stage", "currency")
        .annotate(cards=Count("pk"), spend=Sum("planned_fee"))
    )
    totals: dict[str, tuple[int, list[tuple[str, Decimal]]]] = {}
    for row in rows:
        count, spend = totals.get(row["stage"], (0, []))
        if row["spend"] is not None:
            spend = [*spend, (row["currency"] or campaign.currency, row["spend"])]
        totals[row["stage"]] = (count + row["cards"], spend)
    return {stage: (count, _merge(spend)) for stage, (count, spend) in totals.items()}


def _merge(spend: list[tuple[str, Decimal]]) -> list[tuple[str, Decimal]]:
    # A blank currency falls back to the campaign's, which may repeat a real one.
    merged: dict[str, Decimal] = defaultdict(Decimal)
    for currency, amount in spend:
        merged[currency] += amount
    return sorted(merged.items())


def board_columns(campaign: Campaign) -> list[Column]:
    """Every pipeline stage as a column, in pipeline order, with its cards and totals."""
    columns = {
        stage: Column(
            stage=stage,
            label=pipeline.LABELS[stage],
            collapsed=stage in COLLAPSED_STAGES,
            reason_required=stage in pipeline.REASON_REQUIRED,
            next_options=[(s, pipeline.LABELS[s]) for s in pipeline.next_stages(stage)],
        )
        for stage in pipeline.STAGES
    }
    for column in columns.values():
        column.options_html = format_html_join(
            "", '<option value="{}">{}</option>', column.next_options
        )
    for card in board_cards(campaign):
        columns[card.stage].cards.append(card)
    for stage, (count, spend) in column_totals(campaign).items():
        columns[stage].count, columns[stage].spend = count, spend
    return list(columns.values())


# --- Table -------------------------------------------------------------------------

_STAGE_ORDER = Case(
    *(When(stage=stage, then=Value(i)) for i, stage in enumerate(pipeline.STAGES)),
    output_field=IntegerField(),
)
# The sort keys the table offers; "-key" sorts the other way.
TABLE_SORTS = {
    "name": ("creator__name",),
    "stage": ("stage_order",),
    "followers": ("followers",),
    "added": ("added_at",),
}
DEFAULT_SORT = "name"


def parse_sort(value: str) -> str:
    """A known sort key (optionally "-" for descending), else the default."""
    return value if value.removeprefix("-") in TABLE_SORTS else DEFAULT_SORT


def table_rows(campaign: Campaign, *, stage: str = "", sort: str = DEFAULT_SORT):
    """The campaign's shortlist for the table, filtered by stage and sorted."""
    top_followers = (
        SocialAccount.objects.filter(creator_id=OuterRef("creator_id"))
        .order_by(F("followers").desc(nulls_last=True))
        .values("followers")[:1]
    )
    rows = (
        campaign.campaign_creators.shortlisted()
        .select_related("creator")
        .prefetch_related("creator__accounts")
        .annotate(stage_order=_STAGE_ORDER, followers=Subquery(top_followers))
    )
    if stage:
        rows = rows.filter(stage=stage)
    sort = parse_sort(sort)
    descending = sort.startswith("-")
    keys = [
        F(key).desc(nulls_last=True) if descending else F(key).asc(nulls_last=True)
        for key in TABLE_SORTS[sort.removeprefix("-")]
    ]
    return rows.order_by(*keys, "pk")
