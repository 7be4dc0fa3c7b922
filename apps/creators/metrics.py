"""Creator metrics for the Vet step: numbers in, numbers out.

Pure functions (no Django, no ORM, no I/O) so every formula can be checked by
hand in tests and reused by the stats refresher, the creator page and the
discovery filters. Formulas follow docs in providers.md ("Engagement rate",
"Authenticity signals"). Rates are fractions: 0.041 means 4.1%. Datetimes must
be timezone-aware.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

INSTAGRAM, TIKTOK, YOUTUBE = "instagram", "tiktok", "youtube"
VIDEO_PLATFORMS = frozenset({TIKTOK, YOUTUBE})
_FORMULAS = {
    INSTAGRAM: "(likes + comments) / followers",
    TIKTOK: "(likes + comments + shares) / views",
    YOUTUBE: "(likes + comments) / views",
}
DEFAULT_SAMPLE_SIZE = 12  # HypeAuditor's sample; providers.md uses it for all platforms
MIN_POST_AGE = timedelta(hours=24)  # younger posts are still collecting engagement
OUTLIER_SKEW_FACTOR = 1.5  # mean this many times off the median => viral outlier
GROWTH_WINDOWS = (7, 30, 90)


@dataclass(frozen=True)
class PostSample:
    """Raw counts for one post; counts are None when the platform did not send them."""

    post_id: str
    published_at: datetime
    format: str = ""
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    likes_hidden: bool = False
    caption: str = ""


@dataclass(frozen=True)
class Snapshot:
    """One daily account snapshot."""

    date: date
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    total_views: int | None = None


def _platform(platform: str) -> str:
    key = platform.strip().lower()
    if key not in _FORMULAS:
        raise ValueError(f"unknown platform {platform!r}")
    return key


def _newest_first(posts: Iterable[PostSample]) -> list[PostSample]:
    return sorted(posts, key=lambda p: p.published_at, reverse=True)


def format_percent(fraction: float, max_decimals: int = 2) -> str:
    """0.041 -> '4.1%', 0.0075 -> '0.75%', 0.12 -> '12%'."""
    text = f"{fraction * 100:.{max_decimals}f}"
    if max_decimals > 0:  # strip only the decimals' trailing zeros: "50" must stay "50"
        text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def _rate_text(rate: float) -> str:
    return format_percent(rate, 1 if rate >= 0.01 else 2)


def _compact(number: float) -> str:
    """1000 -> '1k', 500000 -> '500k', 1000000 -> '1M'."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if number >= size:
            return f"{number / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{number:g}"


# --- Tiers ------------------------------------------------------------------


class Tier(StrEnum):
    """Follower tiers (like a Django TextChoices: value, .label, TIER_CHOICES)."""

    NANO = "nano"
    MICRO = "micro"
    MID = "mid"
    MACRO = "macro"
    MEGA = "mega"

    @property
    def label(self) -> str:
        """'Nano (<10k)', 'Micro (10k–100k)', …, 'Mega (≥1M)'."""
        low, high = TIER_BOUNDS[self]
        if high is None:
            span = f"≥{_compact(low)}"
        else:
            span = f"{_compact(low)}–{_compact(high)}" if low else f"<{_compact(high)}"
        return f"{self.value.capitalize()} ({span})"


# Half-open [min, max) follower bounds; max None = no upper bound. For filters.
TIER_BOUNDS: dict[Tier, tuple[int, int | None]] = {
    Tier.NANO: (0, 10_000),
    Tier.MICRO: (10_000, 100_000),
    Tier.MID: (100_000, 500_000),
    Tier.MACRO: (500_000, 1_000_000),
    Tier.MEGA: (1_000_000, None),
}
TIER_CHOICES = [(tier.value, tier.label) for tier in Tier]


def tier_for(followers: int) -> Tier:
    for tier, (low, high) in TIER_BOUNDS.items():
        if followers < low:
            continue
        if high is None or followers < high:
            return tier
    return Tier.NANO  # negative counts: treat as an empty account


# --- Engagement rate --------------------------------------------------------

EXCLUDED_TOO_RECENT = "under 24 hours old"
EXCLUDED_NO_FOLLOWERS = "zero followers"
EXCLUDED_HIDDEN_LIKES = "hidden likes"
EXCLUDED_NO_VIEWS = "no views"


@dataclass(frozen=True)
class PostRate:
    post_id: str
    rate: float


@dataclass(frozen=True)
class ExcludedPost:
    post_id: str
    reason: str


@dataclass(frozen=True)
class EngagementRate:
    """Median/mean are None when no post was eligible (excluded says why)."""

    platform: str
    median: float | None
    mean: float | None
    sample_size: int
    formula: str
    posts: tuple[PostRate, ...]
    excluded: tuple[ExcludedPost, ...]
    outlier_skewed: bool


def _known_likes(platform: str, post: PostSample) -> int | None:
    """Instagram reports hidden likes as 0, so a 0 there is unknown, not zero."""
    if post.likes_hidden or post.likes is None:
        return None
    if platform == INSTAGRAM and post.likes == 0:
        return None
    return post.likes


def _exclusion(platform: str, post: PostSample, followers: int | None, now: datetime) -> str | None:
    if now - post.published_at < MIN_POST_AGE:
        return EXCLUDED_TOO_RECENT
    if platform == INSTAGRAM and not (followers and followers > 0):
        return EXCLUDED_NO_FOLLOWERS
    if _known_likes(platform, post) is None:
        return EXCLUDED_HIDDEN_LIKES
    if platform in VIDEO_PLATFORMS and not (post.views and post.views > 0):
        return EXCLUDED_NO_VIEWS
    return None


def _post_rate(platform: str, post: PostSample, followers: int | None) -> float:
    interactions = (post.likes or 0) + (post.comments or 0)  # missing comments: disabled
    if platform == TIKTOK:
        interactions += post.shares or 0
    denominator = followers if platform == INSTAGRAM else post.views
    return interactions / denominator  # type: ignore[operator]


def _is_skewed(median: float | None, mean: float | None) -> bool:
    if median is None or mean is None:
        return False
    return max(mean, median) > OUTLIER_SKEW_FACTOR * min(mean, median)


def engagement_rate(
    platform: str,
    posts: Iterable[PostSample],
    followers: int | None,
    now: datetime,
    sample_size: int | None = DEFAULT_SAMPLE_SIZE,
) -> EngagementRate:
    """Median per-post rate over the newest `sample_size` eligible posts (None = all).

    Posts are walked newest first; `excluded` lists the ineligible posts met
    before the sample filled, i.e. why the sample is not simply the last N posts.
    """
    key = _platform(platform)
    rates: list[PostRate] = []
    excluded: list[ExcludedPost] = []
    for post in _newest_first(posts):
        if sample_size is not None and len(rates) >= sample_size:
            break
        reason = _exclusion(key, post, followers, now)
        if reason:
            excluded.append(ExcludedPost(post.post_id, reason))
        else:
            rates.append(PostRate(post.post_id, _post_rate(key, post, followers)))
    values = [r.rate for r in rates]
    median = statistics.median(values) if values else None
    mean = statistics.fmean(values) if values else None
    sample = f"the last {sample_size}" if sample_size else "all"
    return EngagementRate(
        platform=key,
        median=median,
        mean=mean,
        sample_size=len(values),
        formula=f"{_FORMULAS[key]} per post, median over {sample} eligible posts",
        posts=tuple(rates),
        excluded=tuple(excluded),
        outlier_skewed=_is_skewed(median, mean),
    )


def average_views(
    posts: Iterable[PostSample], now: datetime, sample_size: int = DEFAULT_SAMPLE_SIZE
) -> float | None:
    """Mean views of the newest posts older than 24h (the TikTok/YouTube benchmark audience)."""
    views = [
        p.views for p in _newest_first(posts) if p.views and now - p.published_at >= MIN_POST_AGE
    ][:sample_size]
    return statistics.fmean(views) if views else None


def benchmark_audience(
    platform: str, followers: int | None, posts: Iterable[PostSample], now: datetime
) -> float | None:
    """Followers on Instagram, average views on video platforms (how bands are keyed)."""
    key = _platform(platform)
    return followers if key == INSTAGRAM else average_views(posts, now)


# --- Benchmarks (data, seeded into an operator-editable table) --------------


@dataclass(frozen=True)
class BenchmarkBand:
    """Median engagement band for audiences in [min_audience, max_audience)."""

    platform: str
    min_audience: int
    max_audience: int | None
    low: float
    high: float

    def contains(self, audience: float) -> bool:
        above_min = audience >= self.min_audience
        return above_min and (self.max_audience is None or audience < self.max_audience)

    @property
    def label(self) -> str:
        if self.platform.lower() == INSTAGRAM:
            return f"{tier_for(self.min_audience).value}-tier"
        if self.max_audience is None:
            return f"{_compact(self.min_audience)}+ views"
        return f"{_compact(self.min_audience)}–{_compact(self.max_audience)} views"


def _bands(
    platform: str, rows: Sequence[tuple[int, int | None, float, float]]
) -> list[BenchmarkBand]:
    return [BenchmarkBand(platform, lo, hi, low, high) for lo, hi, low, high in rows]


# Modash 2025 medians from providers.md: Instagram keyed by followers, TikTok
# by average views. providers.md has no YouTube numbers, so YouTube has no band
# and compare_to_band() says "no benchmark" rather than borrowing TikTok's.
# fmt: off
DEFAULT_BENCHMARKS: list[BenchmarkBand] = _bands(INSTAGRAM, [
    (1_000, 5_000, 0.034, 0.044), (5_000, 10_000, 0.013, 0.016),
    (10_000, 50_000, 0.008, 0.011), (50_000, 100_000, 0.0075, 0.010),
    (100_000, 500_000, 0.009, 0.011), (500_000, 1_000_000, 0.009, 0.011),
    (1_000_000, None, 0.010, 0.013),
]) + _bands(TIKTOK, [
    (1_000, 5_000, 0.12, 0.14), (5_000, 10_000, 0.105, 0.118),
    (10_000, 50_000, 0.084, 0.094), (50_000, 100_000, 0.072, 0.080),
    (100_000, 500_000, 0.067, 0.074), (500_000, 1_000_000, 0.062, 0.069),
    (1_000_000, None, 0.062, 0.068),
])
# fmt: on


def benchmark_band(
    platform: str, audience: float | None, bands: Iterable[BenchmarkBand]
) -> BenchmarkBand | None:
    if audience is None:
        return None
    key = platform.strip().lower()
    for band in bands:
        if band.platform.lower() == key and band.contains(audience):
            return band
    return None


@dataclass(frozen=True)
class BandComparison:
    verdict: str | None  # 'above' | 'within' | 'below'; None when there is no band
    text: str
    band: BenchmarkBand | None


def compare_to_band(rate: float, band: BenchmarkBand | None) -> BandComparison:
    """'4.1% — above the micro-tier median band (0.8–1.1%)'; bounds count as within."""
    if band is None:
        return BandComparison(None, f"{_rate_text(rate)} — no benchmark", None)
    verdict = "below" if rate < band.low else "above" if rate > band.high else "within"
    span = f"{format_percent(band.low)[:-1]}–{format_percent(band.high)}"
    text = f"{_rate_text(rate)} — {verdict} the {band.label} median band ({span})"
    return BandComparison(verdict, text, band)


# --- Follower growth and posting frequency ----------------------------------


@dataclass(frozen=True)
class Growth:
    days: int
    start_date: date
    end_date: date
    start_followers: int
    end_followers: int
    delta: int
    percent: float | None  # fraction of start_followers; None when it was 0


def follower_growth(
    snapshots: Iterable[Snapshot], today: date, windows: Sequence[int] = GROWTH_WINDOWS
) -> dict[int, Growth | None]:
    """Deltas from the nearest snapshot on or before `today - days` (gaps tolerated).

    None when no snapshot is that old, or when the latest snapshot does not reach
    past the window start (stale history would mislabel an old change as recent).
    """
    known = sorted(
        (s for s in snapshots if s.followers is not None and s.date <= today),
        key=lambda s: s.date,
    )
    result: dict[int, Growth | None] = {}
    for days in windows:
        target = today - timedelta(days=days)
        starts = [s for s in known if s.date <= target]
        if not starts or known[-1].date <= target:
            result[days] = None
            continue
        start, end = starts[-1], known[-1]
        delta = end.followers - start.followers  # type: ignore[operator]
        percent = delta / start.followers if start.followers else None
        result[days] = Growth(
            days, start.date, end.date, start.followers, end.followers, delta, percent
        )
    return result


@dataclass(frozen=True)
class PostingFrequency:
    days: int
    post_count: int
    posts_per_week: float
    format_counts: dict[str, int]  # most common first
    format_shares: dict[str, float]  # fractions summing to 1 (empty when no posts)


def posting_frequency(
    posts: Iterable[PostSample], now: datetime, days: int = 90
) -> PostingFrequency:
    start = now - timedelta(days=days)
    window = [p for p in posts if start <= p.published_at <= now]
    counts: dict[str, int] = {}
    for post in window:
        fmt = post.format.strip().lower() or "unknown"
        counts[fmt] = counts.get(fmt, 0) + 1
    counts = dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
    shares = {fmt: n / len(window) for fmt, n in counts.items()}
    return PostingFrequency(days, len(window), len(window) / (days / 7), counts, shares)


# --- Sponsorship disclosure and brand safety --------------------------------

# fmt: off
DISCLOSURE_HASHTAGS = (
    "ad", "ads", "advertisement", "sponsored", "sponsor", "spon", "partner",
    "paidpartnership", "paidpartner", "werbung", "anzeige", "gifted", "collab",
)
DISCLOSURE_PHRASES = (
    "paid partnership", "sponsored by", "in partnership with", "bezahlte partnerschaft",
)
# fmt: on


def _phrase_body(phrase: str) -> str:
    return r"\s+".join(re.escape(word) for word in phrase.split())


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Whole word/phrase, case-insensitive, any whitespace between words."""
    return re.compile(rf"(?<![\w#]){_phrase_body(phrase)}(?!\w)", re.IGNORECASE)


_DISCLOSURE_PATTERNS = [(f"#{tag}", _phrase_pattern(f"#{tag}")) for tag in DISCLOSURE_HASHTAGS]
_DISCLOSURE_PATTERNS += [(phrase, _phrase_pattern(phrase)) for phrase in DISCLOSURE_PHRASES]
# Most captions disclose nothing: one pass of this answers them in a tenth of the time of the
# per-marker search (seeding a million accounts scans 12 million captions); only the rest are
# searched marker by marker.
_ANY_DISCLOSURE = re.compile(
    r"(?<![\w#])(?:" + "|".join(_phrase_body(m) for m, _ in _DISCLOSURE_PATTERNS) + r")(?!\w)",
    re.IGNORECASE,
)


def find_disclosure_markers(caption: str) -> list[str]:
    """Canonical markers found, in order of appearance ('#adventure' is not '#ad')."""
    if not caption or not _ANY_DISCLOSURE.search(caption):
        return []
    found = []
    for marker, pattern in _DISCLOSURE_PATTERNS:
        match = pattern.search(caption)
        if match:
            found.append((match.start(), marker))
    return [marker for _, marker in sorted(found)]


@dataclass(frozen=True)
class SponsorshipSummary:
    sponsored_count: int
    sponsored_post_ids: tuple[str, ...]
    markers: dict[str, list[str]]  # post_id -> markers found
    sponsored: EngagementRate
    organic: EngagementRate
    overall: EngagementRate
    ratio: float | None  # sponsored median / organic median


def sponsorship_summary(
    platform: str,
    posts: Iterable[PostSample],
    followers: int | None,
    now: datetime,
    sample_size: int | None = None,
) -> SponsorshipSummary:
    """How disclosed sponsorships performed against the creator's other posts.

    Uses every post given (sample_size None) because sponsored posts are rare;
    the caller chooses the window.
    """
    posts = list(posts)
    markers = {p.post_id: m for p in posts if (m := find_disclosure_markers(p.caption))}
    sponsored = [p for p in posts if p.post_id in markers]
    organic = [p for p in posts if p.post_id not in markers]

    def rate(group: list[PostSample]) -> EngagementRate:
        return engagement_rate(platform, group, followers, now, sample_size)

    sponsored_rate, organic_rate = rate(sponsored), rate(organic)
    ratio = None
    if sponsored_rate.median is not None and organic_rate.median:
        ratio = sponsored_rate.median / organic_rate.median
    return SponsorshipSummary(
        sponsored_count=len(sponsored),
        sponsored_post_ids=tuple(p.post_id for p in _newest_first(sponsored)),
        markers=markers,
        sponsored=sponsored_rate,
        organic=organic_rate,
        overall=rate(posts),
        ratio=ratio,
    )


@dataclass(frozen=True)
class SafetyHit:
    post_id: str
    keyword: str
    excerpt: str


SAFETY_EXCERPT_CHARS = 40  # context shown either side of a blocklist hit


def _excerpt(text: str, start: int, end: int) -> str:
    lo, hi = max(0, start - SAFETY_EXCERPT_CHARS), min(len(text), end + SAFETY_EXCERPT_CHARS)
    body = " ".join(text[lo:hi].split())
    return ("…" if lo else "") + body + ("…" if hi < len(text) else "")


def brand_safety_hits(posts: Iterable[PostSample], blocklist: Iterable[str]) -> list[SafetyHit]:
    """First occurrence of each blocklisted word/phrase per caption, whole words only."""
    patterns = [(k.strip(), _phrase_pattern(k.strip())) for k in blocklist if k.strip()]
    hits = []
    for post in _newest_first(posts):
        for keyword, pattern in patterns:
            match = pattern.search(post.caption or "")
            if match:
                hits.append(SafetyHit(post.post_id, keyword, _excerpt(post.caption, *match.span())))
    return hits


# --- Niche relevance --------------------------------------------------------

RELEVANCE_WEIGHTS = {"tags": 1.0, "bio": 0.7, "captions": 0.4}


@dataclass(frozen=True)
class TermMatch:
    term: str
    found_in: str  # 'tags' | 'bio' | 'captions' (the best-weighted place)
    weight: float


@dataclass(frozen=True)
class Relevance:
    score: int  # 0..100
    matches: tuple[TermMatch, ...]

    @property
    def matched_words(self) -> tuple[str, ...]:
        return tuple(m.term for m in self.matches)


def _tokens(text: str) -> tuple[str, ...]:
    """Lowercase words; '#' dropped so hashtags count as words; a plural 's' trimmed."""
    words = re.findall(r"\w+", text.lower())
    return tuple(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words
    )


def _contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def niche_relevance(
    target_niches: Iterable[str],
    keywords: Iterable[str],
    creator_tags: Iterable[str],
    bio: str,
    captions: Iterable[str],
) -> Relevance:
    """Share of campaign terms (niches + keywords) the creator matches, weighted by where.

    Each term scores the weight of the best place it appears: the creator's
    tags 1.0 (curated, deliberate), bio 0.7 (self-description), captions 0.4
    (one-off mentions are weak evidence). score = 100 × sum / number of terms.
    Multi-word terms must appear as consecutive words. No terms: score 0.
    """
    terms: dict[tuple[str, ...], str] = {}
    for raw in [*target_niches, *keywords]:
        if tokens := _tokens(raw):
            terms.setdefault(tokens, " ".join(re.findall(r"\w+", raw.lower())))
    sources = {
        "tags": [_tokens(tag) for tag in creator_tags],
        "bio": [_tokens(bio or "")],
        "captions": [_tokens(c or "") for c in captions],
    }
    matches = []
    for tokens, term in terms.items():
        for source, texts in sources.items():  # ordered by weight, best first
            if any(_contains(text, tokens) for text in texts):
                matches.append(TermMatch(term, source, RELEVANCE_WEIGHTS[source]))
                break
    total = sum(m.weight for m in matches)
    score = round(100 * total / len(terms)) if terms else 0
    return Relevance(min(score, 100), tuple(matches))


# --- Authenticity -----------------------------------------------------------
# Each signal: verdict 'ok' inside its OK range, 'bad' outside its BAD range,
# 'warning' in between; 'unknown' when the data is missing. Ranges are (min, max).

OK, WARNING, BAD, UNKNOWN = "ok", "warning", "bad", "unknown"
VERDICT_PENALTY = {OK: 0.0, WARNING: 0.5, BAD: 1.0}
SIGNAL_WEIGHTS = {
    "engagement_rate": 25,
    "comments_to_likes": 15,
    "likes_to_views": 15,
    "follower_jumps": 20,
    "following_ratio": 10,
    "post_count": 10,
    "comment_quality": 15,
}
# ER vs its benchmark band: ok from 0.6×low to 3×high, bad under 0.3×low or over 6×high.
# (Instagram micro band 0.8–1.1%: warning under 0.48%, bad under 0.24%.)
ER_OK_FACTORS = (0.6, 3.0)
ER_BAD_FACTORS = (0.3, 6.0)
COMMENTS_PER_LIKE_OK = (0.003, 0.15)  # very low: bought likes; very high: comment pods
COMMENTS_PER_LIKE_BAD = (0.001, 0.30)
LIKES_PER_VIEW_OK = (0.01, 0.25)  # video platforms only
LIKES_PER_VIEW_BAD = (0.003, 0.40)
FOLLOWING_RATIO_OK = (0.0, 0.5)  # following / followers; mass-following above 1
FOLLOWING_RATIO_BAD = (0.0, 1.0)
FOLLOWERS_PER_POST_OK = (0.0, 20_000.0)  # big audience with almost no content
FOLLOWERS_PER_POST_BAD = (0.0, 100_000.0)
GENERIC_COMMENTS_OK = (0.0, 0.3)  # share of generic or repeated comments
GENERIC_COMMENTS_BAD = (0.0, 0.6)
UNEXPLAINED_JUMPS_OK = (0.0, 0.0)  # one jump: warning, two or more: bad
UNEXPLAINED_JUMPS_BAD = (0.0, 1.0)
JUMP_Z_THRESHOLD = 3.0  # daily change vs the account's other days (leave-one-out)
JUMP_MIN_SHARE = 0.01  # and at least 1% of followers in a day, to ignore noise
JUMP_MIN_HISTORY = 14  # daily changes needed before a z-score means anything
JUMP_VIRAL_FACTOR = 2.0  # a post with ≥2× the median reach explains a jump...
JUMP_VIRAL_LOOKBACK = timedelta(days=3)  # ...if published up to 3 days before it
MIN_POSTS_FOR_RATIO = 3
MIN_COMMENTS = 10
# fmt: off
GENERIC_COMMENTS = frozenset({
    "nice", "nice pic", "nice post", "nice one", "great", "great pic", "great post",
    "love it", "love this", "wow", "cool", "amazing", "awesome", "beautiful", "gorgeous",
    "cute", "so cute", "perfect", "super", "fire", "lit", "good", "first", "follow me",
    "follow back", "check my profile", "dm me", "dm us",
})  # lowercase, punctuation and emoji stripped; emoji-only comments count as generic too
# fmt: on


@dataclass(frozen=True)
class Signal:
    key: str
    label: str
    value: float | None
    normal_range: str
    weight: float
    verdict: str  # 'ok' | 'warning' | 'bad' | 'unknown'
    explanation: str

    @property
    def penalty(self) -> float:
        return self.weight * VERDICT_PENALTY.get(self.verdict, 0.0)


@dataclass(frozen=True)
class Authenticity:
    score: int | None  # None when every signal is unknown
    signals: tuple[Signal, ...]

    @property
    def flagged(self) -> tuple[Signal, ...]:
        return tuple(s for s in self.signals if s.verdict in (WARNING, BAD))


def _verdict(value: float, ok: tuple[float, float], bad: tuple[float, float]) -> str:
    if value < bad[0] or value > bad[1]:
        return BAD
    return WARNING if value < ok[0] or value > ok[1] else OK


def _judged(
    key: str,
    label: str,
    value: float | None,
    ranges: tuple[tuple[float, float], tuple[float, float]],
    why: str,
    fmt: Callable[[float], str] = format_percent,
) -> Signal:
    """A signal judged against its (ok, bad) ranges; value None means unknown."""
    ok, bad = ranges
    normal = f"≤ {fmt(ok[1])}" if ok[0] <= 0 else f"{fmt(ok[0])}–{fmt(ok[1])}"
    verdict = UNKNOWN if value is None else _verdict(value, ok, bad)
    return Signal(key, label, value, normal, SIGNAL_WEIGHTS[key], verdict, why)


def _recent_ratio(
    posts: list[PostSample],
    now: datetime,
    part: Callable[[PostSample], int | None],
    whole: Callable[[PostSample], int | None],
) -> tuple[float | None, str]:
    """Median part/whole over the newest eligible posts, with a sample note."""
    ratios = [
        part(p) / whole(p)  # type: ignore[operator]
        for p in _newest_first(posts)
        if now - p.published_at >= MIN_POST_AGE and part(p) is not None and whole(p)
    ][:DEFAULT_SAMPLE_SIZE]
    if len(ratios) < MIN_POSTS_FOR_RATIO:
        return None, f"needs {MIN_POSTS_FOR_RATIO} posts with these counts, {len(ratios)} found"
    return statistics.median(ratios), f"median over {len(ratios)} posts"


def _er_signal(
    platform: str,
    followers: int | None,
    posts: list[PostSample],
    now: datetime,
    bands: list[BenchmarkBand],
) -> Signal:
    er = engagement_rate(platform, posts, followers, now)
    band = benchmark_band(platform, benchmark_audience(platform, followers, posts, now), bands)
    key, label = "engagement_rate", "Engagement rate for the tier"
    if band is None or er.median is None or er.sample_size < MIN_POSTS_FOR_RATIO:
        why = "no benchmark band for this audience" if band is None else "too few eligible posts"
        weight = SIGNAL_WEIGHTS[key]
        return Signal(key, label, None, "depends on the tier band", weight, UNKNOWN, why)
    ok = (band.low * ER_OK_FACTORS[0], band.high * ER_OK_FACTORS[1])
    bad = (band.low * ER_BAD_FACTORS[0], band.high * ER_BAD_FACTORS[1])
    why = f"{compare_to_band(er.median, band).text}; far below suggests bought followers, "
    why += "far above bought engagement"
    return _judged(key, label, er.median, (ok, bad), why)


def _like_signals(platform: str, posts: list[PostSample], now: datetime) -> list[Signal]:
    def likes(post: PostSample) -> int | None:
        return _known_likes(platform, post)

    per_like, like_note = _recent_ratio(posts, now, lambda p: p.comments, likes)
    per_view, view_note = _recent_ratio(posts, now, likes, lambda p: p.views)
    if platform not in VIDEO_PLATFORMS:  # Instagram sends no public view counts
        per_view, view_note = None, "video platforms only"
    return [
        _judged(
            "comments_to_likes",
            "Comments per like",
            per_like,
            (COMMENTS_PER_LIKE_OK, COMMENTS_PER_LIKE_BAD),
            f"{like_note}; very low suggests bought likes, very high comment pods",
        ),
        _judged(
            "likes_to_views",
            "Likes per view",
            per_view,
            (LIKES_PER_VIEW_OK, LIKES_PER_VIEW_BAD),
            f"{view_note}; very low suggests bought views, very high bought likes",
        ),
    ]


def _post_reach(post: PostSample) -> int:
    return post.views or sum(n or 0 for n in (post.likes, post.comments, post.shares))


def _follower_jumps(
    snapshots: list[Snapshot], posts: list[PostSample]
) -> tuple[list[str], int] | None:
    """(unexplained jump descriptions, explained count); None when history is too short.

    A jump is a day-to-day change (averaged over gaps) with a leave-one-out
    z-score above JUMP_Z_THRESHOLD that also adds JUMP_MIN_SHARE of followers;
    it is explained when a post with JUMP_VIRAL_FACTOR × the median reach went
    out within JUMP_VIRAL_LOOKBACK before it.
    """
    known = sorted((s for s in snapshots if s.followers is not None), key=lambda s: s.date)
    changes = [
        (a, b, (b.followers - a.followers) / (b.date - a.date).days)  # type: ignore[operator]
        for a, b in zip(known, known[1:], strict=False)
        if b.date > a.date
    ]
    if len(changes) < JUMP_MIN_HISTORY:
        return None
    reaches = [r for p in posts if (r := _post_reach(p))]
    viral = JUMP_VIRAL_FACTOR * statistics.median(reaches) if len(reaches) >= 3 else math.inf
    unexplained, explained = [], 0
    # Leave-one-out mean and population deviation from running sums: O(n), where
    # recomputing them per day was O(n²) and dominated scoring a million accounts.
    others_count = len(changes) - 1
    total = math.fsum(c[2] for c in changes)
    squares = math.fsum(c[2] * c[2] for c in changes)
    for a, b, per_day in changes:
        if per_day < JUMP_MIN_SHARE * max(a.followers or 0, 1):
            continue
        mean = (total - per_day) / others_count
        variance = max((squares - per_day * per_day) / others_count - mean * mean, 0.0)
        z = (per_day - mean) / max(math.sqrt(variance), 1.0)
        if z <= JUMP_Z_THRESHOLD:
            continue
        since = a.date - JUMP_VIRAL_LOOKBACK
        if any(since <= p.published_at.date() <= b.date and _post_reach(p) >= viral for p in posts):
            explained += 1
        else:
            unexplained.append(f"{b.date.isoformat()} (+{per_day:,.0f}/day, z={z:.1f})")
    return unexplained, explained


def _jump_signal(snapshots: list[Snapshot], posts: list[PostSample]) -> Signal:
    jumps = _follower_jumps(snapshots, posts)
    value, why = None, f"needs {JUMP_MIN_HISTORY} daily changes of follower history"
    if jumps is not None:
        unexplained, explained = jumps
        value = float(len(unexplained))
        why = f"jumps without a viral post: {', '.join(unexplained) or 'none'}"
        why += f"; {explained} jump(s) matched by a viral post" if explained else ""
    ranges = (UNEXPLAINED_JUMPS_OK, UNEXPLAINED_JUMPS_BAD)
    return _judged(
        "follower_jumps", "Unexplained follower jumps", value, ranges, why, "{:g}".format
    )


def _comment_signal(comments: Sequence[str] | None) -> Signal:
    share, why = None, f"needs {MIN_COMMENTS} comment texts, {len(comments or [])} given"
    if comments is not None and len(comments) >= MIN_COMMENTS:
        texts = [" ".join(re.findall(r"\w+", c.lower())) for c in comments]
        counts = {t: texts.count(t) for t in set(texts)}
        suspect = sum(1 for t in texts if not t or t in GENERIC_COMMENTS or counts[t] > 1)
        share = suspect / len(texts)
        why = f"{suspect} of {len(texts)} comments are emoji-only, generic or repeated"
    ranges = (GENERIC_COMMENTS_OK, GENERIC_COMMENTS_BAD)
    return _judged("comment_quality", "Generic or repeated comments", share, ranges, why)


def _following_signal(followers: int | None, following: int | None) -> Signal:
    ratio, why = None, "following or follower count unavailable"
    if following is not None and followers:
        ratio = following / followers
        why = f"follows {following:,} for {followers:,} followers; high means mass-following"
    ranges = (FOLLOWING_RATIO_OK, FOLLOWING_RATIO_BAD)
    return _judged("following_ratio", "Following / followers", ratio, ranges, why, "{:g}".format)


def _post_count_signal(followers: int | None, posts_count: int | None) -> Signal:
    per_post, why = None, "follower or post count unavailable"
    if followers is not None and posts_count is not None:
        per_post = followers / max(posts_count, 1)
        why = f"{followers:,} followers for {posts_count:,} posts; little content is suspect"
    ranges = (FOLLOWERS_PER_POST_OK, FOLLOWERS_PER_POST_BAD)
    return _judged("post_count", "Followers per post", per_post, ranges, why, "{:,.0f}".format)


def authenticity(
    platform: str,
    followers: int | None,
    following: int | None,
    posts_count: int | None,
    posts: Iterable[PostSample],
    snapshots: Iterable[Snapshot],
    now: datetime,
    bands: Iterable[BenchmarkBand],
    comments: Sequence[str] | None = None,
) -> Authenticity:
    """Explainable score: 100 × (1 − Σ weight×penalty / Σ weight of known signals).

    Penalty is 0 for ok, 0.5 for warning, 1 for bad; unknown signals count neither
    way (they leave the weight total), so the score reflects only what was measured.
    """
    key = _platform(platform)
    posts = list(posts)
    signals = [
        _er_signal(key, followers, posts, now, list(bands)),
        *_like_signals(key, posts, now),
        _jump_signal(list(snapshots), posts),
        _following_signal(followers, following),
        _post_count_signal(followers, posts_count),
        _comment_signal(comments),
    ]
    measured = [s for s in signals if s.verdict != UNKNOWN]
    total = sum(s.weight for s in measured)
    score = round(100 * (1 - sum(s.penalty for s in measured) / total)) if total else None
    return Authenticity(score, tuple(signals))


# --- Campaign performance ---------------------------------------------------
# What a campaign's posts, links and codes brought against what its contracts cost.
# Money in and out is Decimal (amounts in ONE currency: the caller converts first);
# counts are ints. Every ratio is None when its denominator is 0 or unknown: the
# report shows "—" with `missing_reason()` instead of a misleading 0 or infinity.

ENGAGEMENTS_FORMULA = (
    "likes + comments + shares + saves (unknown counts, e.g. hidden likes, are left out)"
)
ENGAGEMENT_RATE_FORMULA = "engagements ÷ views"
CPM_FORMULA = "spend ÷ views × 1,000"
CPE_FORMULA = "spend ÷ engagements"
CPC_FORMULA = "spend ÷ clicks"
CPA_FORMULA = "spend ÷ conversions"
ROAS_FORMULA = "revenue ÷ spend"
ROI_FORMULA = "(revenue − spend) ÷ spend"

# Which denominator each ratio needs, for the "—" explanation.
RATIO_DENOMINATORS = {
    "engagement_rate": "views",
    "cpm": "views",
    "cpe": "engagements",
    "cpc": "clicks",
    "cpa": "conversions",
    "roas": "spend",
    "roi": "spend",
}


def _decimal(value: int | float | Decimal) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _money_ratio(
    numerator: int | Decimal | None, denominator: int | Decimal | None
) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return _decimal(numerator) / _decimal(denominator)


def engagements(
    likes: int | None, comments: int | None, shares: int | None, saves: int | None
) -> int | None:
    """The sum of the known counts; None when none is known (unknown is not zero)."""
    known = [count for count in (likes, comments, shares, saves) if count is not None]
    return sum(known) if known else None


def campaign_engagement_rate(engagements: int | None, views: int | None) -> float | None:
    """engagements ÷ views as a fraction (0.05 = 5%)."""
    if engagements is None or not views:
        return None
    return engagements / views


def cpm(spend: Decimal | None, views: int | None) -> Decimal | None:
    """Cost per thousand views."""
    ratio = _money_ratio(spend, views)
    return None if ratio is None else ratio * 1000


def cpe(spend: Decimal | None, engagements: int | None) -> Decimal | None:
    """Cost per engagement."""
    return _money_ratio(spend, engagements)


def cpc(spend: Decimal | None, clicks: int | None) -> Decimal | None:
    """Cost per counted click."""
    return _money_ratio(spend, clicks)


def cpa(spend: Decimal | None, conversions: int | None) -> Decimal | None:
    """Cost per conversion (per use of a code or attributed order)."""
    return _money_ratio(spend, conversions)


def roas(revenue: Decimal | None, spend: Decimal | None) -> Decimal | None:
    """Return on ad spend: revenue per unit of spend (2 = twice what it cost)."""
    return _money_ratio(revenue, spend)


def roi(revenue: Decimal | None, spend: Decimal | None) -> Decimal | None:
    """Return on investment as a fraction: 0.5 = half the spend earned back on top."""
    if revenue is None or spend is None or spend == 0:
        return None
    return (_decimal(revenue) - _decimal(spend)) / _decimal(spend)


def missing_reason(metric: str, denominator: int | Decimal | None) -> str:
    """Why a ratio shows "—": its denominator is zero or unknown."""
    name = RATIO_DENOMINATORS[metric]
    if denominator is None:
        return f"No {name} known yet"
    return f"No {name} yet (0)"
