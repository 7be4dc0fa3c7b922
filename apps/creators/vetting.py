"""What the creator page shows, with every number explained.

A selector: `creator_page()` loads a creator's accounts, snapshots, posts, flags,
notes, the workspace blocklist and the benchmark bands in a fixed number of
queries (whatever the number of accounts, posts or snapshots), runs the pure
formulas in metrics.py on them and returns plain dataclasses the templates read.
Nothing here computes a metric itself: formulas live in metrics.py.

The posts and snapshots fed to the formulas are the ones accounts_recompute()
reads, so the scores on this page and in the discovery list agree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.timesince import timesince

from apps.accounts.models import Workspace

from . import charts, metrics, services
from .models import (
    AccountSnapshot,
    BlockedKeyword,
    Creator,
    CreatorFlag,
    CreatorNote,
    Niche,
    Post,
    SocialAccount,
)

CHART_DAYS = 90
SCORED_POST_DAYS = 180  # the window accounts_recompute() reads posts from
FREQUENCY_DAYS = 90
RECENT_POSTS_SHOWN = 12
STALE_AFTER = timedelta(days=7)
STATUS_MESSAGES = {
    SocialAccount.RefreshStatus.PENDING: (
        "Waiting for the first refresh: numbers appear after it runs, or enter them by hand"
    ),
    SocialAccount.RefreshStatus.NOT_FOUND: (
        "Not found on the platform: the handle may have changed or the account was removed"
    ),
    SocialAccount.RefreshStatus.UNREACHABLE: (
        "No API can reach this account: numbers come from import or manual entry"
    ),
    SocialAccount.RefreshStatus.FAILED: "Last refresh failed",
}
VERDICT_CLASSES = {metrics.OK: "ok", metrics.WARNING: "warn", metrics.BAD: "bad"}
SCORE_RECIPE = (
    "Score = 100 × (1 − Σ weight × penalty ÷ Σ weight of the measured signals); "
    "penalty is 0 for ok, ½ for warning and 1 for bad; unknown signals count neither way."
)
_PERCENT_SIGNALS = {"engagement_rate", "comments_to_likes", "likes_to_views", "comment_quality"}
_FORMAT_LABELS = dict(Post.Format.choices)


def _rate(fraction: float) -> str:
    return metrics.format_percent(fraction, 1 if abs(fraction) >= 0.01 else 2)


def _signed(number: float, text: str) -> str:
    return f"+{text}" if number > 0 else f"-{text}" if number < 0 else text


# --- What the page reads ------------------------------------------------------


@dataclass(frozen=True)
class StatsAge:
    text: str  # 'updated 3 days ago' | 'never refreshed'
    stale: bool
    never: bool


@dataclass(frozen=True)
class GrowthDelta:
    days: int
    growth: metrics.Growth | None

    @property
    def text(self) -> str:
        """'+1,234 (+2.1%)'; 'not enough history' when no snapshot is old enough."""
        if self.growth is None:
            return "not enough history"
        delta = self.growth.delta
        text = _signed(delta, f"{abs(delta):,}")
        if self.growth.percent is not None:
            text += f" ({_signed(delta, metrics.format_percent(abs(self.growth.percent), 1))})"
        return text


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: str
    point_count: int


@dataclass(frozen=True)
class ExcludedRow:
    post: Post | None
    post_id: str
    reason: str


@dataclass(frozen=True)
class Engagement:
    rate: metrics.EngagementRate
    comparison: metrics.BandComparison | None
    audience_text: str
    excluded: list[ExcludedRow]

    @property
    def headline(self) -> str:
        if self.comparison is None:
            return "No engagement rate yet: no post is eligible"
        return self.comparison.text

    @property
    def median_text(self) -> str:
        return metrics.format_percent(self.rate.median) if self.rate.median is not None else "—"

    @property
    def mean_text(self) -> str:
        return metrics.format_percent(self.rate.mean) if self.rate.mean is not None else "—"


@dataclass(frozen=True)
class FormatShare:
    label: str
    count: int
    share_text: str


@dataclass(frozen=True)
class Frequency:
    frequency: metrics.PostingFrequency
    formats: list[FormatShare]

    @property
    def text(self) -> str:
        f = self.frequency
        return (
            f"{f.posts_per_week:.1f} posts/week over the last {f.days} days ({f.post_count} posts)"
        )


@dataclass(frozen=True)
class SignalRow:
    signal: metrics.Signal
    value_text: str
    verdict_class: str


@dataclass(frozen=True)
class AuthenticityBreakdown:
    score: int | None
    rows: list[SignalRow]
    recipe: str
    calculation: str  # the recipe with this account's numbers, '' when nothing was measured


@dataclass(frozen=True)
class PostRow:
    post: Post
    markers: list[str]
    rate_text: str  # this post's engagement rate, or why it is not in the sample


@dataclass(frozen=True)
class Sponsorship:
    summary: metrics.SponsorshipSummary
    post_count: int

    @property
    def text(self) -> str:
        """'Sponsored posts: 3, median ER 2.1% vs 3.4% organic (0.6×)'."""
        s = self.summary
        if not s.sponsored_count:
            return f"No disclosed sponsorships in the last {self.post_count} posts."
        text = f"Sponsored posts: {s.sponsored_count}"
        if s.sponsored.median is None or s.organic.median is None:
            return text + ", too few eligible posts to compare their engagement"
        text += f", median ER {_rate(s.sponsored.median)} vs {_rate(s.organic.median)} organic"
        return text + (f" ({s.ratio:.1f}×)" if s.ratio is not None else "")


@dataclass(frozen=True)
class SafetyHitRow:
    keyword: str
    excerpt: str
    post: Post | None


@dataclass(frozen=True)
class AccountVetting:
    account: SocialAccount
    age: StatsAge
    status_message: str  # '' when the last refresh went fine
    growth: list[GrowthDelta]
    charts: list[Chart]
    engagement: Engagement
    frequency: Frequency
    authenticity: AuthenticityBreakdown
    recent_posts: list[PostRow]
    sponsorship: Sponsorship
    safety_hits: list[SafetyHitRow]


@dataclass(frozen=True)
class CreatorPage:
    creator: Creator
    niche_names: list[str]
    blocked_keywords: list[str]
    flags: list[CreatorFlag]
    notes: list[CreatorNote]
    accounts: list[AccountVetting] = field(default_factory=list)

    @property
    def safety_hit_count(self) -> int:
        return sum(len(a.safety_hits) for a in self.accounts)


# --- Queries -----------------------------------------------------------------


def creators_for_page(workspace: Workspace) -> QuerySet[Creator]:
    """The workspace's creators with their niche names and the blocklist, in one query."""
    return Creator.objects.for_workspace(workspace).annotate(
        niche_names=ArraySubquery(
            Niche.objects.filter(creators=OuterRef("pk")).order_by("name").values("name")
        ),
        blocked_keywords=ArraySubquery(
            BlockedKeyword.objects.filter(workspace=OuterRef("workspace"))
            .order_by("keyword")
            .values("keyword")
        ),
    )


def creator_flags(creator: Creator) -> list[CreatorFlag]:
    return list(
        CreatorFlag.objects.filter(creator=creator).select_related("created_by").order_by("kind")
    )


def _posts_by_account(account_ids: list[int], now: datetime) -> dict[int, list[Post]]:
    """Newest first: the posts the scores use (newest N) plus every post of the frequency window.

    One query: a row number per account picks the scored posts; an account that
    posted more than N times in the frequency window still gets them all counted.
    """
    rank = Window(RowNumber(), partition_by=F("account_id"), order_by=F("published_at").desc())
    rows = (
        Post.objects.filter(
            account_id__in=account_ids,
            published_at__gte=now - timedelta(days=SCORED_POST_DAYS),
        )
        .annotate(rank=rank)
        .filter(
            Q(rank__lte=services.RECENT_POSTS)
            | Q(published_at__gte=now - timedelta(days=FREQUENCY_DAYS))
        )
        .order_by("-published_at")
    )
    grouped: dict[int, list[Post]] = defaultdict(list)
    for post in rows:
        grouped[post.account_id].append(post)
    return grouped


def _snapshots_by_account(account_ids: list[int], today: date) -> dict[int, list[AccountSnapshot]]:
    rows = AccountSnapshot.objects.filter(
        account_id__in=account_ids, date__gte=today - timedelta(days=services.HISTORY_DAYS)
    ).order_by("account_id", "date")
    grouped: dict[int, list[AccountSnapshot]] = defaultdict(list)
    for snapshot in rows:
        grouped[snapshot.account_id].append(snapshot)
    return grouped


def creator_page(*, creator: Creator, now: datetime | None = None) -> CreatorPage:
    """Everything the creator page shows. `creator` comes from creators_for_page()."""
    now = now or timezone.now()
    accounts = list(creator.accounts.all())
    account_ids = [account.pk for account in accounts]
    posts = _posts_by_account(account_ids, now) if accounts else {}
    snapshots = _snapshots_by_account(account_ids, now.date()) if accounts else {}
    blocklist = list(getattr(creator, "blocked_keywords", None) or [])
    bands = services.benchmark_bands() if accounts else []
    return CreatorPage(
        creator=creator,
        niche_names=list(getattr(creator, "niche_names", None) or []),
        blocked_keywords=blocklist,
        flags=creator_flags(creator),
        notes=list(CreatorNote.objects.filter(creator=creator).select_related("author")),
        accounts=[
            account_vetting(
                account=account,
                posts=posts.get(account.pk, []),
                snapshots=snapshots.get(account.pk, []),
                bands=bands,
                blocklist=blocklist,
                now=now,
            )
            for account in accounts
        ],
    )


# --- From rows to explained numbers ---------------------------------------------


def stats_age(updated_at: datetime | None, now: datetime) -> StatsAge:
    if updated_at is None:
        return StatsAge("never refreshed", stale=True, never=True)
    age = now - updated_at
    if age < timedelta(minutes=1):
        return StatsAge("updated just now", stale=False, never=False)
    since = timesince(updated_at, now, depth=1).replace("\xa0", " ")
    return StatsAge(f"updated {since} ago", stale=age > STALE_AFTER, never=False)


def status_message(account: SocialAccount) -> str:
    message = STATUS_MESSAGES.get(account.refresh_status, "")
    if account.refresh_status == SocialAccount.RefreshStatus.FAILED and account.refresh_error:
        message += f": {account.refresh_error}"
    return message


def growth_charts(
    account: SocialAccount, snapshots: list[AccountSnapshot], today: date
) -> list[Chart]:
    recent = [s for s in snapshots if s.date > today - timedelta(days=CHART_DAYS)]
    series = [
        ("followers", "Followers", lambda s: s.followers, lambda v: f"{v:,.0f}"),
        ("avg_views", "Average views", lambda s: s.avg_views, lambda v: f"{v:,.0f}"),
        ("engagement", "Engagement rate", lambda s: s.engagement_rate, _rate),
    ]
    result = []
    for key, label, value_of, value_format in series:
        points = [(s.date, value_of(s)) for s in recent if value_of(s) is not None]
        title = f"{label}, last {CHART_DAYS} days (@{account.handle})"
        svg = charts.line_chart(
            points, title=title, chart_id=f"chart-{account.pk}-{key}", value_format=value_format
        )
        result.append(Chart(key, label, svg, len(points)))
    return result


def engagement(
    account: SocialAccount,
    rate: metrics.EngagementRate,
    samples: list[metrics.PostSample],
    bands: list[metrics.BenchmarkBand],
    posts_by_id: dict[str, Post],
    now: datetime,
) -> Engagement:
    audience = metrics.benchmark_audience(account.platform, account.followers, samples, now)
    band = metrics.benchmark_band(account.platform, audience, bands)
    comparison = metrics.compare_to_band(rate.median, band) if rate.median is not None else None
    keyed_by = "followers" if account.platform == metrics.INSTAGRAM else "average views"
    audience_text = (
        f"Band chosen by {keyed_by}: {audience:,.0f}"
        if audience is not None
        else f"No band: {keyed_by} unknown"
    )
    excluded = [ExcludedRow(posts_by_id.get(e.post_id), e.post_id, e.reason) for e in rate.excluded]
    return Engagement(rate, comparison, audience_text, excluded)


def frequency(samples: list[metrics.PostSample], now: datetime) -> Frequency:
    result = metrics.posting_frequency(samples, now, FREQUENCY_DAYS)
    formats = [
        FormatShare(
            _FORMAT_LABELS.get(fmt, fmt.capitalize()),
            count,
            metrics.format_percent(result.format_shares[fmt], 1),
        )
        for fmt, count in result.format_counts.items()
    ]
    return Frequency(result, formats)


def _signal_value(signal: metrics.Signal) -> str:
    if signal.value is None:
        return "—"
    if signal.key in _PERCENT_SIGNALS:
        return metrics.format_percent(signal.value)
    if signal.key == "post_count":
        return f"{signal.value:,.0f}"
    return f"{signal.value:.3g}"


def authenticity_breakdown(result: metrics.Authenticity) -> AuthenticityBreakdown:
    rows = [
        SignalRow(signal, _signal_value(signal), VERDICT_CLASSES.get(signal.verdict, "unknown"))
        for signal in result.signals
    ]
    measured = [s for s in result.signals if s.verdict != metrics.UNKNOWN]
    calculation = ""
    if result.score is not None:
        penalties = sum(s.penalty for s in measured)
        weights = sum(s.weight for s in measured)
        calculation = f"= 100 × (1 − {penalties:g} ÷ {weights:g}) = {result.score}"
    return AuthenticityBreakdown(result.score, rows, SCORE_RECIPE, calculation)


def _post_rows(
    posts: list[Post], rate: metrics.EngagementRate, summary: metrics.SponsorshipSummary
) -> list[PostRow]:
    rates = {r.post_id: r.rate for r in rate.posts}
    reasons = {e.post_id: e.reason for e in rate.excluded}
    rows = []
    for post in posts[:RECENT_POSTS_SHOWN]:
        pid = post.platform_post_id
        if pid in rates:
            rate_text = metrics.format_percent(rates[pid])
        else:
            rate_text = f"left out: {reasons[pid]}" if pid in reasons else "outside the sample"
        markers = summary.markers.get(pid) or list(post.sponsored_markers)
        rows.append(PostRow(post, markers, rate_text))
    return rows


def account_vetting(
    *,
    account: SocialAccount,
    posts: list[Post],
    snapshots: list[AccountSnapshot],
    bands: list[metrics.BenchmarkBand],
    blocklist: list[str],
    now: datetime,
) -> AccountVetting:
    """One account's explained numbers. `posts` newest first, `snapshots` oldest first."""
    scored = [p for p in posts if getattr(p, "rank", 0) <= services.RECENT_POSTS]
    samples = services.post_samples(scored)
    history = services.snapshot_samples(snapshots)
    posts_by_id = {post.platform_post_id: post for post in posts}
    platform, followers = account.platform, account.followers

    rate = metrics.engagement_rate(platform, samples, followers, now)
    summary = metrics.sponsorship_summary(platform, samples, followers, now)
    result = metrics.authenticity(
        platform, followers, account.following, account.posts_count, samples, history, now, bands
    )
    growth = metrics.follower_growth(history, now.date())
    hits = metrics.brand_safety_hits(samples, blocklist)
    return AccountVetting(
        account=account,
        age=stats_age(account.stats_updated_at, now),
        status_message=status_message(account),
        growth=[GrowthDelta(days, growth.get(days)) for days in metrics.GROWTH_WINDOWS],
        charts=growth_charts(account, snapshots, now.date()),
        engagement=engagement(account, rate, samples, bands, posts_by_id, now),
        frequency=frequency(services.post_samples(posts), now),
        authenticity=authenticity_breakdown(result),
        recent_posts=_post_rows(posts, rate, summary),
        sponsorship=Sponsorship(summary, len(samples)),
        safety_hits=[SafetyHitRow(h.keyword, h.excerpt, posts_by_id.get(h.post_id)) for h in hits],
    )
