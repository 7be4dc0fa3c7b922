"""Discovery: filter, search, sort and page a workspace's social accounts.

The discovery page, its CSV export and the benchmark script all go through
here: DiscoveryForm turns GET parameters into Filters (dropping, with a message,
any value it cannot use), and discover() turns Filters into one page of rows.

Pagination is keyset, never OFFSET: a page asks for the rows after the last one
shown, by (sort key, id), so page 4,000 costs what page 1 costs. Each sort walks
one of the (workspace, -key, -id) indexes declared on SocialAccount.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.core.validators import RegexValidator
from django.db import connections
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Exact
from django.http import QueryDict

from . import metrics
from .models import Niche, Platform, SavedSearch, SocialAccount, follower_tier

DEFAULT_PER_PAGE, MAX_PER_PAGE = 25, 100
# Beyond this the page says "1,000+" instead of counting: at a million accounts a broad
# filter costs ~10 ms per 1,000 rows counted (bench/discovery.py), and nobody pages that far.
COUNT_LIMIT = 1_000
# A tier the followers filter only grazes ("up to 10,000" reaches micro at exactly 10,000) is
# read by that slice and sorted, not walked: walking micro by engagement for accounts of
# exactly 10,000 followers read 285,000 rows (660 ms). Graze = under this share of the
# tier's width on a log scale.
GRAZED_TIER_SHARE = 0.01
MEGA_CEILING = 1_000_000_000  # the open-ended top tier's width, for that share
EXPORT_LIMIT = 50_000
# Typo-tolerant handle matching with pg_trgm, used when a search finds nothing as typed (a
# typo is the likely reason then). Both kinds of match run on the trigram index:
#  - `q <% handle`, word similarity at pg_trgm's default bar (0.6): most typos in a longer
#    handle, even with digits after it. Plain `handle % q` would need its bar lowered to 0.25
#    for "jonh" to find "john", and at 1M accounts that bar makes the index hand back a third
#    of the table for a query starting "the" (1.3 s instead of 25 ms);
#  - the commonest typo, two neighbouring letters swapped, undone directly: one prefix match
#    per swap ("jonh" -> "john%"), each a narrow index scan.
TRIGRAM_MIN_LENGTH = 3  # shorter text has too few trigrams to say anything
MAX_SWAPPED_LENGTH = 12  # longer handles keep enough trigrams for word similarity alone
MAX_SEARCH_WORDS = 8

# The GET parameters discovery understands; anything else in a URL is ignored.
FILTER_PARAMS = (
    "q", "platform", "niche", "tier", "followers_min", "followers_max", "er_min", "er_max",
    "auth_min", "country", "language", "growth_min", "sponsored", "sort", "per_page",
)  # fmt: skip


@dataclass(frozen=True)
class Sort:
    key: str  # the value of ?sort=
    field: str  # model field (or the "relevance" annotation) it orders by
    descending: bool
    label: str
    nullable: bool = True


SORTS = {
    sort.key: sort
    for sort in (
        Sort("-followers", "followers", True, "Most followers"),
        Sort("followers", "followers", False, "Fewest followers"),
        Sort("engagement", "engagement_rate", True, "Highest engagement rate"),
        Sort("authenticity", "authenticity_score", True, "Most authentic"),
        Sort("growth", "growth_30d", True, "Fastest growth (30 days)"),
        Sort("relevance", "relevance", True, "Best match (needs a search)", nullable=False),
    )
}
DEFAULT_SORT = "-followers"


class InvalidCursor(ValueError):
    pass


@dataclass(frozen=True)
class Cursor:
    """The last row of a page: its sort value (None once in the NULL tail) and id."""

    sort: str
    value: int | float | None
    id: int

    def encode(self) -> str:
        raw = json.dumps([self.sort, self.value, self.id], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            sort, value, pk = json.loads(raw)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise InvalidCursor(text) from exc
        if sort not in SORTS or not isinstance(pk, int) or not _number(pk):
            raise InvalidCursor(text)
        if not (value is None or _number(value)):
            raise InvalidCursor(text)
        return cls(sort, value, pk)


def _number(value) -> bool:
    """A number a bigint or double column can be compared with (JSON also allows NaN, 1e999)."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and abs(value) < 2**63
    )


@dataclass(frozen=True)
class Filters:
    """What the user asked for, already validated. Percentages are as typed (2.5 means 2.5%)."""

    q: str = ""
    platforms: tuple[str, ...] = ()
    niche_ids: tuple[int, ...] = ()
    tiers: tuple[str, ...] = ()
    followers_min: int | None = None
    followers_max: int | None = None
    er_min: Decimal | None = None
    er_max: Decimal | None = None
    auth_min: int | None = None
    country: str = ""
    language: str = ""
    growth_min: Decimal | None = None
    sponsored: bool | None = None
    sort: str = DEFAULT_SORT
    after: Cursor | None = None
    per_page: int = DEFAULT_PER_PAGE

    @property
    def narrowed(self) -> bool:
        """Whether anything but sorting and paging was chosen."""
        unfiltered = Filters(sort=self.sort, after=self.after, per_page=self.per_page)
        return self != unfiltered


class DiscoveryForm(forms.Form):
    """Reads the discovery GET parameters; an invalid value gets a message and is left out."""

    q = forms.CharField(
        label="Search",
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": "Name, @handle or bio"}),
    )
    platform = forms.MultipleChoiceField(
        choices=Platform.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    niche = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    tier = forms.MultipleChoiceField(
        choices=metrics.TIER_CHOICES, required=False, widget=forms.CheckboxSelectMultiple
    )
    followers_min = forms.IntegerField(label="Followers from", required=False, min_value=0)
    followers_max = forms.IntegerField(label="Followers up to", required=False, min_value=0)
    er_min = forms.DecimalField(
        label="Engagement from (%)", required=False, min_value=0, max_value=100, decimal_places=2
    )
    er_max = forms.DecimalField(
        label="Engagement up to (%)", required=False, min_value=0, max_value=100, decimal_places=2
    )
    auth_min = forms.IntegerField(
        label="Authenticity at least", required=False, min_value=0, max_value=100
    )
    country = forms.CharField(
        required=False,
        max_length=2,
        validators=[RegexValidator(r"^[A-Za-z]{2}$", "Use a two-letter country code, e.g. GB.")],
    )
    language = forms.CharField(
        required=False,
        max_length=2,
        validators=[RegexValidator(r"^[A-Za-z]{2}$", "Use a two-letter language code, e.g. en.")],
    )
    growth_min = forms.DecimalField(
        label="30-day growth at least (%)", required=False, min_value=-100, decimal_places=2
    )
    sponsored = forms.ChoiceField(
        label="Sponsored before",
        required=False,
        choices=[("", "Any"), ("yes", "Yes"), ("no", "No")],
    )
    sort = forms.ChoiceField(
        label="Sort by", required=False, choices=[(s.key, s.label) for s in SORTS.values()]
    )
    per_page = forms.IntegerField(
        label="Per page",
        required=False,
        min_value=1,
        max_value=MAX_PER_PAGE,
        widget=forms.Select(choices=[(n, n) for n in (25, 50, 100)]),
    )
    after = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Mapping, *, niches: Mapping[int, str]):
        super().__init__(data, label_suffix="")
        self.fields["niche"].choices = list(niches.items())
        for name, field in self.fields.items():
            field.widget.attrs.setdefault("aria-describedby", f"errors-{name}")

    def clean_country(self) -> str:
        return self.cleaned_data["country"].upper()

    def clean_language(self) -> str:
        return self.cleaned_data["language"].lower()

    def clean(self):
        data = super().clean()
        for low, high in (("followers_min", "followers_max"), ("er_min", "er_max")):
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                self.add_error(high, "Must not be below the lower bound.")
        sort = data.get("sort") or DEFAULT_SORT
        if sort == "relevance" and not data.get("q"):
            self.add_error("sort", "Best match needs a search; sorted by most followers.")
            sort = DEFAULT_SORT
        data["sort"] = sort
        if data.get("after"):
            try:
                cursor = Cursor.decode(data["after"])
            except InvalidCursor:
                cursor = None
            if cursor is None or cursor.sort != sort:
                self.add_error("after", "That page link no longer fits; showing the first page.")
            else:
                data["after"] = cursor
        return data

    def filters(self) -> Filters:
        self.is_valid()  # fills cleaned_data with the valid fields only
        data = self.cleaned_data
        sponsored = {"yes": True, "no": False}.get(data.get("sponsored") or "")
        after = data.get("after")
        return Filters(
            q=data.get("q") or "",
            platforms=tuple(data.get("platform") or ()),
            niche_ids=tuple(data.get("niche") or ()),
            tiers=tuple(data.get("tier") or ()),
            followers_min=data.get("followers_min"),
            followers_max=data.get("followers_max"),
            er_min=data.get("er_min"),
            er_max=data.get("er_max"),
            auth_min=data.get("auth_min"),
            country=data.get("country") or "",
            language=data.get("language") or "",
            growth_min=data.get("growth_min"),
            sponsored=sponsored,
            sort=data.get("sort") or DEFAULT_SORT,
            after=after if isinstance(after, Cursor) else None,
            per_page=data.get("per_page") or DEFAULT_PER_PAGE,
        )


class SavedSearchForm(forms.ModelForm):
    class Meta:
        model = SavedSearch
        fields = ["name", "query_string"]
        widgets = {"query_string": forms.HiddenInput}
        labels = {"name": "Name this search"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, label_suffix="", **kwargs)

    def clean_query_string(self) -> str:
        return shareable_query(QueryDict(self.cleaned_data["query_string"]))


_DEFAULTS = {"sort": DEFAULT_SORT, "per_page": str(DEFAULT_PER_PAGE)}


def shareable_query(params, **changes: str | None) -> str:
    """The filter part of a query string, without empty or default values; `changes` set or
    drop parameters (after=...)."""
    pairs = [
        (name, value)
        for name in FILTER_PARAMS
        if name not in changes
        for value in params.getlist(name)
        if value.strip() and value != _DEFAULTS.get(name)
    ]
    pairs += [(name, value) for name, value in changes.items() if value]
    return urlencode(pairs)


# --- Querying ------------------------------------------------------------------

_trigram_installed: dict[str, bool] = {}


def trigram_available(using: str = "default") -> bool:
    """Whether pg_trgm is installed; asked once per process (the embedded Postgres lacks it)."""
    if using not in _trigram_installed:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            _trigram_installed[using] = cursor.fetchone() is not None
    return _trigram_installed[using]


def _text_query(q: str) -> SearchQuery:
    """websearch syntax ("quoted", -not, or), or the words with the last one as a prefix, so
    typing narrows live."""
    query = SearchQuery(q, config="simple", search_type="websearch")
    words = re.findall(r"[^\W_]+", q.lower())[:MAX_SEARCH_WORDS]
    if words:
        # Only the last word is still being typed (Algolia's default, "prefixLast"). A prefix
        # on every word made the GIN index merge each word's every completion: "the" of
        # "the.opaws" alone took 35 ms at 1M accounts, against 0.5 ms as a whole word.
        # Letters and digits only, so nothing in a word can break out of the quotes.
        *whole, typing = words
        terms = " & ".join([*(f"'{word}'" for word in whole), f"'{typing}':*"])
        query |= SearchQuery(terms, config="simple", search_type="raw")
    return query


def _swaps(text: str) -> set[str]:
    """`text` with each pair of neighbouring characters swapped."""
    return {
        text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        for i in range(len(text) - 1)
        if text[i] != text[i + 1]
    }


def _handle_text(q: str) -> str:
    return q.strip().lstrip("@").lower()


def search(accounts: QuerySet, q: str, *, trigram: bool, rank: bool = False) -> QuerySet:
    """Full-text over name, handle and bio, plus handles starting with what was typed."""
    handle = _handle_text(q)
    text_query = _text_query(q)
    match = Q(search_vector=text_query)
    if handle:
        match |= Q(handle__startswith=handle)  # on the trigram index when pg_trgm is there
    accounts = accounts.filter(match)
    if rank:
        # In double precision: ts_rank() and similarity() are real, and a real read into Python
        # and sent back in a cursor would no longer equal itself, losing rows at page breaks.
        score = Cast(SearchRank(F("search_vector"), text_query), FloatField())
        if trigram:
            # similarity() costs ~1.7 µs a row and a common surname matches 11,000 accounts at
            # 1M (19 of the page's 50 ms of SQL). A handle without the typed text in it scores
            # at most 0.1 there, so it counts only for handles that contain it.
            similar = Cast(TrigramSimilarity("handle", handle), FloatField())
            score = score + Case(When(handle__contains=handle, then=similar), default=0.0)
        accounts = accounts.annotate(relevance=Coalesce(score, Value(0.0)))
    return accounts


def lookalike_handles(accounts: QuerySet, q: str) -> QuerySet | None:
    """Accounts whose handle looks like `q` (needs pg_trgm), most similar first; None when `q`
    is not something a handle could be."""
    handle = _handle_text(q)
    if len(handle) < TRIGRAM_MIN_LENGTH or any(char.isspace() for char in handle):
        return None
    match = Q(handle__trigram_word_similar=handle)
    if len(handle) <= MAX_SWAPPED_LENGTH:
        for swapped in sorted(_swaps(handle)):
            match |= Q(handle__startswith=swapped)
    return (
        accounts.filter(match)
        .annotate(similarity=TrigramSimilarity("handle", handle))
        .order_by(F("similarity").desc(), F("followers").desc(nulls_last=True), "-pk")
    )


def _follower_ranges(tiers: Iterable[str]) -> Q:
    """Tier buttons as follower ranges (adjacent tiers merge into one range)."""
    bounds = sorted(metrics.TIER_BOUNDS[metrics.Tier(tier)] for tier in set(tiers))
    merged: list[list[int | None]] = []
    for low, high in bounds:
        if merged and merged[-1][1] == low:
            merged[-1][1] = high
        else:
            merged.append([low, high])
    condition = Q()
    for low, high in merged:
        span = Q(followers__gte=low) if high is None else Q(followers__gte=low, followers__lt=high)
        condition |= span
    return condition


def filter_accounts(
    accounts: QuerySet, filters: Filters, *, trigram: bool | None = None
) -> QuerySet:
    """Every filter but paging; `trigram` None asks the database whether pg_trgm is there."""
    if filters.platforms:
        accounts = accounts.filter(platform__in=filters.platforms)
    if filters.niche_ids:
        accounts = accounts.filter(niche_ids__overlap=list(filters.niche_ids))
    if filters.tiers:
        # As follower ranges: the (…, followers, id) indexes read them, and Postgres sees
        # when they contradict a followers filter. Sorted by engagement or growth, page_accounts
        # adds the tier expression of the per-tier indexes (_index_parts).
        accounts = accounts.filter(_follower_ranges(filters.tiers))
    if filters.followers_min is not None:
        accounts = accounts.filter(followers__gte=filters.followers_min)
    if filters.followers_max is not None:
        accounts = accounts.filter(followers__lte=filters.followers_max)
    if filters.er_min is not None:
        accounts = accounts.filter(engagement_rate__gte=float(filters.er_min) / 100)
    if filters.er_max is not None:
        accounts = accounts.filter(engagement_rate__lte=float(filters.er_max) / 100)
    if filters.auth_min is not None:
        accounts = accounts.filter(authenticity_score__gte=filters.auth_min)
    if filters.country:
        accounts = accounts.filter(country=filters.country)
    if filters.language:
        accounts = accounts.filter(language=filters.language)
    if filters.growth_min is not None:
        accounts = accounts.filter(growth_30d__gte=float(filters.growth_min) / 100)
    if filters.sponsored is not None:
        accounts = accounts.filter(has_sponsored=filters.sponsored)
    if filters.q.strip():
        if trigram is None:
            trigram = trigram_available(accounts.db)
        accounts = search(accounts, filters.q, trigram=trigram, rank=filters.sort == "relevance")
    return accounts


def _after(accounts: QuerySet, sort: Sort, cursor: Cursor) -> QuerySet:
    """Rows past the cursor among rows with a value. The redundant `key <= value` bound is what
    lets Postgres start the index scan at the cursor instead of filtering from the top."""
    key, value = sort.field, cursor.value
    if sort.descending:
        return accounts.filter(
            Q(**{f"{key}__lte": value}), Q(**{f"{key}__lt": value}) | Q(pk__lt=cursor.id)
        )
    return accounts.filter(
        Q(**{f"{key}__gte": value}), Q(**{f"{key}__gt": value}) | Q(pk__gt=cursor.id)
    )


def _row_order(sort: Sort):
    """The same order as the SQL, for merging the two halves of a page in Python."""
    sign = -1 if sort.descending else 1

    def key(account):
        value = getattr(account, sort.field)
        return (value is None, 0 if value is None else sign * value, sign * account.pk)

    return key


def _unindexed(field: str) -> CombinedExpression:
    """The column plus zero: the same order, but no index hands it over, so Postgres reads
    every match through the filters' best index and sorts them."""
    return F(field) + Value(0, output_field=SocialAccount._meta.get_field(field))


def page_accounts(
    accounts: QuerySet,
    sort: Sort,
    after: Cursor | None,
    per_page: int,
    *,
    nulls: bool = True,
    parts: Sequence[Part] = (),
) -> list:
    """per_page + 1 rows in sort order from the cursor on (the extra row says there is a next page).

    NULL values sort last and paginate in two phases: first the rows with a value, by (key, id)
    exactly as the index is ordered; then the rows without one, by id (ordered by (key, id)
    too, so Postgres reads them from the same index, where key IS NULL is one range). A cursor
    with value None is in the second phase. A page that spans both fetches both halves in one
    UNION ALL query: each half is a short index scan, which ORDER BY COALESCE(key, ...) would
    not be (the indexes are on the bare columns). `nulls` False skips the second phase when a
    filter on the key already rules NULLs out. `parts` split the rows with a value further
    into disjoint conditions that each read as one range of an index (one per tier), fetched
    side by side in the same query; a part marked `sort` is read whole and sorted instead.
    """
    size = per_page + 1
    id_order = "-pk" if sort.descending else "pk"

    def order(key):
        return key.desc() if sort.descending else key.asc()

    by_key = order(F(sort.field))
    if not sort.nullable:
        valued = accounts if after is None else _after(accounts, sort, after)
        return list(valued.order_by(by_key, id_order)[:size])
    no_value = accounts.filter(**{f"{sort.field}__isnull": True}).order_by(by_key, id_order)
    if after is not None and after.value is None:
        past = {"pk__lt" if sort.descending else "pk__gt": after.id}
        return list(no_value.filter(**past)[:size])
    valued = accounts.filter(**{f"{sort.field}__isnull": False})
    if after is not None:
        valued = _after(valued, sort, after)
    valued = valued.order_by(by_key, id_order)
    halves = [
        valued.filter(part.condition).order_by(order(_unindexed(sort.field)), id_order)[:size]
        if part.sort
        else valued.filter(part.condition)[:size]
        for part in parts
    ] or [valued[:size]]
    if nulls:
        halves.append(no_value[:size])
    if len(halves) == 1:
        return list(halves[0])
    merged = halves[0].union(*halves[1:], all=True)
    return sorted(merged, key=_row_order(sort))[:size]


# Sorts with a (workspace, tier, key, id) index on SocialAccount.
TIER_INDEXED = {"engagement_rate", "growth_30d"}


@dataclass(frozen=True)
class Part:
    condition: Exact | Q
    sort: bool = False  # read its rows through the followers index and sort them; don't walk


def _index_parts(filters: Filters, sort: Sort) -> list[Part]:
    """Followers filtered, sorted by engagement or growth: one part per tier the filter reaches,
    each a range of the (workspace, tier, key) index. Otherwise Postgres walks the sort's index
    from the top, past the small accounts that have the highest rates (followers 200k–3M by
    engagement: 218 ms at 1M accounts; mid + macro tiers: 120 ms). A tier the filter only
    grazes is sorted instead (GRAZED_TIER_SHARE)."""
    if sort.field not in TIER_INDEXED:
        return []
    low, high = filters.followers_min, filters.followers_max
    if not filters.tiers and low is None and high is None:
        return []
    parts = []
    for tier, (tier_low, tier_high) in metrics.TIER_BOUNDS.items():
        if filters.tiers and tier.value not in filters.tiers:
            continue
        if (low is not None and tier_high is not None and low >= tier_high) or (
            high is not None and high < tier_low
        ):
            continue
        top = tier_high or MEGA_CEILING
        width = math.log(top / max(tier_low, 1))
        slice_low = max(tier_low, low or 0, 1)
        slice_high = top if high is None else min(top, high + 1)
        if math.log(slice_high / slice_low) < GRAZED_TIER_SHARE * width:
            # As a followers range, so that Postgres reads just the slice from the
            # (…, followers) index: it cannot narrow the tier expression by the filter.
            parts.append(Part(_follower_ranges([tier.value]), sort=True))
        else:
            parts.append(Part(Exact(follower_tier(), tier.value)))
    return parts


def _rules_out_nulls(filters: Filters, field: str) -> bool:
    """Whether a filter on the sort key already leaves only rows with a value."""
    return {
        "followers": bool(filters.tiers)
        or filters.followers_min is not None
        or filters.followers_max is not None,
        "engagement_rate": filters.er_min is not None or filters.er_max is not None,
        "authenticity_score": filters.auth_min is not None,
        "growth_30d": filters.growth_min is not None,
    }.get(field, False)


def niche_names(workspace) -> dict[int, str]:
    return dict(Niche.objects.for_workspace(workspace).values_list("pk", "name"))


@dataclass(frozen=True)
class DiscoveryPage:
    accounts: list[SocialAccount]  # with their creator
    next_cursor: Cursor | None
    count: int
    lookalike: bool = False  # nothing matched as typed; these handles look like the search

    @property
    def count_text(self) -> str:
        return f"{COUNT_LIMIT:,}+" if self.count > COUNT_LIMIT else f"{self.count:,}"


def matching_ids(accounts: QuerySet) -> list[int]:
    """Up to COUNT_LIMIT + 1 ids of the matching accounts, in no particular order, as one
    array: building a thousand rows into Python cost three times what finding them did."""
    found = accounts.order_by().values("pk")[: COUNT_LIMIT + 1].aggregate(ids=ArrayAgg("pk"))
    return found["ids"] or []


def discover(accounts: QuerySet, filters: Filters, *, trigram: bool | None = None) -> DiscoveryPage:
    """One page of discoverable accounts: 1 query for the count (the matching ids, up to
    COUNT_LIMIT + 1), 1 for the rows and, when a search found nothing, 1 for handles that
    look like it."""
    if trigram is None:
        trigram = bool(filters.q.strip()) and trigram_available(accounts.db)
    visible = accounts.discoverable()
    matching = filter_accounts(visible, filters, trigram=trigram)
    ids = matching_ids(matching)
    if len(ids) <= COUNT_LIMIT:
        # Few matches: read them by id. Postgres can't tell a search for one handle (or
        # country + language of a rare pair) from a common one, and for ORDER BY … LIMIT it
        # would walk the sort's index through all million rows looking for them (3 s).
        matching = matching.filter(pk__in=ids)
    sort = SORTS[filters.sort]
    fetched = []
    if ids:
        fetched = page_accounts(
            matching.with_creator(),
            sort,
            filters.after,
            filters.per_page,
            nulls=not _rules_out_nulls(filters, sort.field),
            parts=_index_parts(filters, sort),
        )
    page, more = fetched[: filters.per_page], len(fetched) > filters.per_page
    if not page and filters.after is None and filters.q.strip() and trigram:
        unsearched = filter_accounts(visible, replace(filters, q=""))
        lookalikes = lookalike_handles(unsearched.with_creator(), filters.q)
        if lookalikes is not None:
            # One page of best guesses, not a list to walk through.
            guesses = list(lookalikes[: filters.per_page])
            return DiscoveryPage(guesses, None, len(guesses), lookalike=bool(guesses))
    next_cursor = None
    if more:
        last = page[-1]
        next_cursor = Cursor(sort.key, getattr(last, sort.field), last.pk)
    return DiscoveryPage(page, next_cursor, len(ids))


# --- CSV export ----------------------------------------------------------------


def export_accounts(accounts: QuerySet, filters: Filters) -> QuerySet:
    """The filtered accounts in the list's order (NULLs last), capped one past EXPORT_LIMIT."""
    sort = SORTS[filters.sort]
    matching = filter_accounts(accounts.discoverable(), filters).with_creator()
    if sort.descending:
        order = [F(sort.field).desc(nulls_last=True), "-pk"]
    else:
        order = [F(sort.field).asc(nulls_last=True), "pk"]
    return matching.order_by(*order)[: EXPORT_LIMIT + 1]


def selected_accounts(accounts: QuerySet, ids: Iterable[str]) -> QuerySet:
    """The ticked accounts (ids that are not numbers are skipped), biggest first."""
    pks = [int(pk) for pk in ids if pk.isdecimal()][:EXPORT_LIMIT]
    ordered = accounts.discoverable().filter(pk__in=pks).with_creator()
    return ordered.order_by(F("followers").desc(nulls_last=True), "-pk")
