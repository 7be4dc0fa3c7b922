"""Reads for the pipeline board and table: cards grouped by stage, column totals, sorted rows.

Each page costs a fixed number of queries whatever the number of cards: the rows with
their creator and main account (one query) and, on the board, the column totals (one
aggregate).

At 500 cards the cost is per card, so the text each card or row shows is worked out
here in plain Python (URLs by string formatting from one reverse(), numbers and dates
formatted once) and the templates only print attributes: each template variable or
filter costs several microseconds, a Python f-string well under one (bench/board.py).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html_join
from django.utils.timezone import localtime

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
    cards: list["Card"] = field(default_factory=list)
    count: int = 0
    # The <option>s of next_options, built once per column rather than once per card:
    # at 500 cards the per-card loops were most of the board's render time (bench/board.py).
    options_html: str = ""
    # The user may move this column's cards (a member, and the stage is not final).
    movable: bool = False
    # (currency, planned spend) sorted by currency; rows without a fee are not in it.
    spend: list[tuple[str, Decimal]] = field(default_factory=list)


_PLATFORM_LABELS = dict(SocialAccount._meta.get_field("platform").flatchoices)


class MainAccount(NamedTuple):
    """What a card or row shows of the creator's biggest account."""

    platform: str
    handle: str
    followers: int | None

    @property
    def platform_label(self) -> str:
        return _PLATFORM_LABELS.get(self.platform, self.platform)

    @property
    def followers_text(self) -> str:
        return thousands(self.followers)


def thousands(number: int | None) -> str:
    """1234567 -> '1,234,567' (as the `thousands` filter)."""
    return "—" if number is None else f"{number:,}"


def url_format(name: str, *args) -> str:
    """reverse(name, args=[*args, pk]) as a str.format() pattern for the last argument.

    One reverse() per page instead of one per card: reverse() costs ~20 µs, .format() ~0.2.
    """
    marker = 987654321
    return reverse(name, args=[*args, marker]).replace(str(marker), "{}")


# The creator's biggest account as JSON, in the same order as CampaignCreator.main_account
# (SocialAccount's Meta ordering): one correlated subquery in the rows' own query instead
# of a prefetch, which built a QuerySet and ~1.3 SocialAccount models per card.
_MAIN_ACCOUNT = Subquery(
    SocialAccount.objects.filter(creator_id=OuterRef("creator_id"))
    .order_by("-followers", "-id")
    .values(data=JSONObject(platform="platform", handle="handle", followers="followers"))[:1],
    output_field=JSONField(),
)


def _main_account(data: dict | None) -> MainAccount | None:
    return MainAccount(data["platform"], data["handle"], data["followers"]) if data else None


@dataclass(slots=True)
class Card:
    """One card on the board: what its face and its "Move" menu show, nothing more.

    Plain values rather than CampaignCreator + Creator models: building 1,000 models per
    page (and their related-object caches) was a quarter of the board's time and most of
    the garbage the collector had to walk (bench/board.py).
    """

    pk: int
    stage: str
    version: int
    reason: str
    creator_id: int
    creator_name: str
    main_account: MainAccount | None
    creator_url: str
    move_url: str
    # The move form of the version shown: a card moved meanwhile is refused (409) on submit.
    move_form_url: str
    error: str = ""  # the message of a refused move of this card


def board_cards(campaign: Campaign, *, error: tuple[int, str] | None = None) -> list[Card]:
    """The campaign's cards in board order."""
    rows = (
        campaign.campaign_creators.shortlisted()
        .order_by("position", "added_at", "pk")
        .values_list("pk", "stage", "version", "reason", "creator_id", "creator__name")
        .annotate(main_account_data=_MAIN_ACCOUNT)
    )
    creator_url = url_format("creator_detail")
    move_url = url_format("campaign_creator_move", campaign.pk)
    cards = []
    for pk, stage, version, reason, creator_id, name, account in rows:
        url = move_url.format(pk)
        cards.append(
            Card(
                pk,
                stage,
                version,
                reason,
                creator_id,
                name,
                _main_account(account),
                creator_url.format(creator_id),
                url,
                f"{url}?version={version}",
                error[1] if error and error[0] == pk else "",
            )  # fmt: skip
        )
    return cards


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


def move_options_html(stage: str) -> str:
    """The <option>s of the stages a card in `stage` may move to."""
    return format_html_join(
        "",
        '<option value="{}">{}</option>',
        [(s, pipeline.LABELS[s]) for s in pipeline.next_stages(stage)],
    )


def board_columns(
    campaign: Campaign, *, can_move: bool = False, error: tuple[int, str] | None = None
) -> list[Column]:
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
        column.options_html = move_options_html(column.stage)
        column.movable = can_move and bool(column.next_options)
    for card in board_cards(campaign, error=error):
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


class CreatorRef(NamedTuple):
    pk: int
    name: str


@dataclass(slots=True)
class Row:
    """One row of the table, with the text of its cells (plain values, as Card)."""

    pk: int
    version: int
    stage: str
    stage_label: str
    reason: str
    creator: CreatorRef
    creator_url: str
    account_text: str  # "Instagram @handle", or "—"
    followers_text: str
    fee_text: str  # "500.00 USD", or "—"
    added_text: str


def table_rows(campaign: Campaign, *, stage: str = "", sort: str = DEFAULT_SORT) -> list[Row]:
    """The campaign's shortlist for the table, filtered by stage and sorted."""
    top_followers = (
        SocialAccount.objects.filter(creator_id=OuterRef("creator_id"))
        .order_by(F("followers").desc(nulls_last=True))
        .values("followers")[:1]
    )
    rows = campaign.campaign_creators.shortlisted().annotate(
        stage_order=_STAGE_ORDER,
        followers=Subquery(top_followers),
        main_account_data=_MAIN_ACCOUNT,
    )
    if stage:
        rows = rows.filter(stage=stage)
    sort = parse_sort(sort)
    descending = sort.startswith("-")
    keys = [
        F(key).desc(nulls_last=True) if descending else F(key).asc(nulls_last=True)
        for key in TABLE_SORTS[sort.removeprefix("-")]
    ]
    values = rows.order_by(*keys, "pk").values_list(
        "pk", "version", "stage", "reason", "creator_id", "creator__name", "followers",
        "planned_fee", "currency", "added_at", "main_account_data",
    )  # fmt: skip
    creator_url = url_format("creator_detail")
    stage_labels = dict(CampaignCreator._meta.get_field("stage").flatchoices)
    added_texts: dict[tuple, str] = {}  # many rows share a day: format each day once
    return [
        Row(
            pk,
            version,
            stage,
            stage_labels.get(stage, stage),
            reason,
            CreatorRef(creator_id, name),
            creator_url.format(creator_id),
            _account_text(_main_account(account)),
            thousands(followers),
            _fee_text(fee, currency or campaign.currency),
            _day_text(added_at, added_texts),
        )  # fmt: skip
        for (
            pk,
            version,
            stage,
            reason,
            creator_id,
            name,
            followers,
            fee,
            currency,
            added_at,
            account,
        ) in values  # fmt: skip
    ]


def _account_text(account: MainAccount | None) -> str:
    return f"{account.platform_label} @{account.handle}" if account else "—"


def _fee_text(fee: Decimal | None, currency: str) -> str:
    # As {{ row.planned_fee }} printed it inside {% localize off %}.
    return "—" if fee is None else f"{formats.localize(fee, use_l10n=False)} {currency}"


def _day_text(moment: datetime, memo: dict) -> str:
    """`moment|date:"j M Y"` in the current time zone, memoized per calendar day."""
    day = localtime(moment)
    key = (day.year, day.month, day.day)
    if key not in memo:
        memo[key] = formats.date_format(day, "j M Y")
    return memo[key]
