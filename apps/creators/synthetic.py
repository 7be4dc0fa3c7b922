"""Realistic synthetic creators for demos, tests and the discovery benchmark.

`generate_creator(seed, index, ...)` is pure: the same seed and index always give
the same creator, accounts, posts and follower history, however the work is split
into chunks or processes. The follower history is not materialised row by row:
each account carries a few parameters (start, end, jumps, noise), the database
expands them into daily snapshots (SNAPSHOT_SQL) and `follower_series()` mirrors
that integer arithmetic exactly, so the scores computed here with
scoring.account_scores() equal what services.accounts_recompute() reads back.
"""

from __future__ import annotations

import base64
import functools
import itertools
import math
import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from . import metrics
from .scoring import account_scores

# fmt: off
NICHES = [
    "Beauty", "Fitness", "Gaming", "Food", "Travel", "Tech", "Fashion", "Parenting",
    "Finance", "Pets", "Music", "Home & DIY", "Outdoors", "Wellness",
]
NICHE_WORDS = {
    "Beauty": ("glow", "makeup", "skincare", "lashes", "beauty"),
    "Fitness": ("fit", "lifts", "gains", "runs", "yoga"),
    "Gaming": ("plays", "gamer", "pixel", "speedrun", "quest"),
    "Food": ("eats", "kitchen", "bakes", "vegan", "foodie"),
    "Travel": ("travels", "wander", "nomad", "roams", "trips"),
    "Tech": ("tech", "gadgets", "codes", "unboxed", "setup"),
    "Fashion": ("style", "fits", "closet", "thrift", "looks"),
    "Parenting": ("mama", "papa", "family", "littles", "momlife"),
    "Finance": ("money", "invests", "budget", "frugal", "wealth"),
    "Pets": ("pup", "paws", "kitty", "woof", "petlife"),
    "Music": ("beats", "sings", "guitar", "vinyl", "tunes"),
    "Home & DIY": ("home", "builds", "diy", "plants", "decor"),
    "Outdoors": ("hikes", "trails", "camps", "climbs", "wild"),
    "Wellness": ("calm", "mindful", "wellness", "sleep", "balance"),
}
TAGLINES = {
    "Beauty": ("Honest skincare reviews", "Everyday makeup for real life", "Glow tips weekly"),
    "Fitness": ("Home workouts, no excuses", "Strength coach", "Marathon in progress"),
    "Gaming": ("Streaming every night", "Cozy games and chaos", "Speedrunner, retro fan"),
    "Food": ("15-minute dinners", "Plant-based recipes", "Sourdough every Sunday"),
    "Travel": ("47 countries and counting", "Slow travel on a budget", "Van life stories"),
    "Tech": ("Gadget reviews without the hype", "Desk setups and code", "Phones, tested"),
    "Fashion": ("Thrifted outfits daily", "Capsule wardrobe", "Street style notes"),
    "Parenting": ("Twin mum, tired but happy", "Dad jokes and diapers", "Real family life"),
    "Finance": ("Paying off debt in public", "Index funds explained", "Budgeting for humans"),
    "Pets": ("Life with two rescue dogs", "A very dramatic cat", "Training tips for pups"),
    "Music": ("Covers and originals", "Bedroom producer", "Guitar lessons for beginners"),
    "Home & DIY": ("Renovating a 1920s house", "Small space, big plants", "Weekend DIY"),
    "Outdoors": ("Peak bagging on weekends", "Wild camping guides", "Trail runner"),
    "Wellness": ("Gentle routines", "Sleep better with me", "Mindful mornings"),
}
CAPTIONS = (
    "New {word} video is up", "Trying something different today", "Who else loves this?",
    "Part {n} of the series", "Q&A in the comments", "Honest thoughts on this one",
    "Saved the best for last", "Behind the scenes", "My {word} routine, step by step",
    "Throwback to last month", "Tell me your favourite", "Week {n} update",
)
DISCLOSURES = (
    "#ad", "#sponsored", "Paid partnership with {brand}", "#werbung", "#gifted",
    "In partnership with @{brand}", "#ad #{brand}", "sponsored by {brand}",
)
BRANDS = ("glowco", "fitfuel", "nimbus", "brewhaus", "packwise", "lumen", "trailhead", "zestly")
# (country, language, weight): mostly English-speaking markets, then Europe and LatAm.
COUNTRIES = [
    ("US", "en", 28), ("GB", "en", 9), ("CA", "en", 4), ("AU", "en", 3), ("IN", "en", 6),
    ("PH", "en", 3), ("IE", "en", 1), ("BR", "pt", 8), ("PT", "pt", 1), ("MX", "es", 6),
    ("ES", "es", 5), ("AR", "es", 2), ("CO", "es", 2), ("DE", "de", 6), ("AT", "de", 1),
    ("FR", "fr", 6), ("IT", "it", 4), ("NL", "nl", 2), ("ID", "id", 3),
]
FIRST_NAMES = {
    "en": ("Emma", "Olivia", "Ava", "Mia", "Chloe", "Grace", "Lily", "Zoe", "Jack", "Noah",
           "Liam", "Ethan", "Mason", "Leo", "Ryan", "Priya", "Arjun", "Maya", "Sam", "Jordan"),
    "es": ("Lucía", "Sofía", "Valentina", "Camila", "Mateo", "Diego", "Santiago", "Javier",
           "Carmen", "Pablo", "Elena", "Andrés"),
    "pt": ("Ana", "Beatriz", "Larissa", "Gabriel", "Lucas", "Rafael", "Juliana", "Thiago",
           "Mariana", "João"),
    "de": ("Lena", "Hannah", "Lea", "Jonas", "Felix", "Lukas", "Marie", "Paul", "Sophie",
           "Maximilian"),
    "fr": ("Léa", "Camille", "Manon", "Hugo", "Louis", "Chloé", "Jules", "Inès", "Théo",
           "Margaux"),
    "it": ("Giulia", "Chiara", "Francesca", "Marco", "Luca", "Alessandro", "Sara", "Matteo"),
    "nl": ("Sanne", "Fleur", "Daan", "Bram", "Lotte", "Sem", "Noor", "Thijs"),
    "id": ("Putri", "Ayu", "Dewi", "Rizky", "Budi", "Sari", "Agus", "Indah"),
}
LAST_NAMES = {
    "en": ("Smith", "Johnson", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Hughes",
           "Patel", "Sharma", "Reid", "Carter", "Bennett", "Murphy", "Kelly", "Nguyen"),
    "es": ("García", "Martínez", "López", "Sánchez", "Romero", "Torres", "Navarro", "Ruiz"),
    "pt": ("Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Lima"),
    "de": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker", "Koch"),
    "fr": ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Roux", "Fournier"),
    "it": ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Greco"),
    "nl": ("de Jong", "Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder"),
    "id": ("Santoso", "Wijaya", "Kusuma", "Pratama", "Saputra", "Hidayat", "Lestari"),
}
CITIES = {
    "US": ("NYC", "LA", "Austin", "Chicago", "Miami"), "GB": ("London", "Manchester", "Leeds"),
    "CA": ("Toronto", "Vancouver"), "AU": ("Sydney", "Melbourne"), "IN": ("Mumbai", "Delhi"),
    "PH": ("Manila", "Cebu"), "IE": ("Dublin",), "BR": ("São Paulo", "Rio"), "PT": ("Lisboa",),
    "MX": ("CDMX", "Guadalajara"), "ES": ("Madrid", "Barcelona"), "AR": ("Buenos Aires",),
    "CO": ("Bogotá", "Medellín"), "DE": ("Berlin", "München", "Hamburg"), "AT": ("Wien",),
    "FR": ("Paris", "Lyon"), "IT": ("Milano", "Roma"), "NL": ("Amsterdam", "Utrecht"),
    "ID": ("Jakarta", "Bali"),
}
# fmt: on
EMOJI = ("✨", "🌿", "💪", "🎮", "🍳", "✈️", "💻", "👗", "👶", "💸", "🐾", "🎧", "🏡", "⛰️", "🧘")
PLATFORM_WEIGHTS = ((metrics.INSTAGRAM, 50), (metrics.TIKTOK, 30), (metrics.YOUTUBE, 20))
SECOND_ACCOUNT_SHARE = 0.35
BOT_SHARE = 0.03
SPONSORING_SHARE = 0.25
VIRAL_POST_SHARE = 0.03
HIDDEN_LIKES_SHARE = 0.08  # Instagram accounts hiding likes on some posts
JUMP_SHARE = 0.05  # genuine accounts with one sudden follower jump
MAX_POST_AGE_DAYS = 170  # recompute reads 180 days of posts: keep every post inside it
NOISE_MODULUS = 2_147_483_647  # noise is integer arithmetic so SQL and Python agree


@dataclass(slots=True)
class SyntheticPost:
    post_id: str
    url: str
    published_at: datetime
    caption: str
    format: str
    views: int | None
    likes: int | None
    comments: int | None
    shares: int | None
    saves: int | None
    likes_hidden: bool
    markers: list[str]

    def sample(self) -> metrics.PostSample:
        return metrics.PostSample(
            post_id=self.post_id,
            published_at=self.published_at,
            format=self.format,
            views=self.views,
            likes=self.likes,
            comments=self.comments,
            shares=self.shares,
            saves=self.saves,
            likes_hidden=self.likes_hidden,
            caption=self.caption,
        )


@dataclass(slots=True)
class History:
    """Parameters SNAPSHOT_SQL expands into one snapshot per day (day 0 is the oldest)."""

    start_followers: int
    end_followers: int
    jumps: list[tuple[int, int]]  # (day, size); exactly two, size 0 when unused
    noise: int  # daily wobble amplitude, in followers
    noise_seed: int
    posts_count: int
    posts_per_week_x100: int
    following: int | None
    total_views: int | None
    views_per_day: int


@dataclass(slots=True)
class SyntheticAccount:
    platform: str
    handle: str
    external_id: str
    profile_url: str
    display_name: str
    bio: str
    verified: bool
    followers: int
    following: int | None
    posts_count: int
    total_views: int | None
    history: History
    posts: list[SyntheticPost]
    bot: bool
    scores: dict = field(default_factory=dict)


@dataclass(slots=True)
class SyntheticCreator:
    index: int
    name: str
    email: str
    country: str
    language: str
    niches: list[str]
    accounts: list[SyntheticAccount]
    bot: bool


def _mix(seed: int, index: int, salt: int) -> float:
    """A cheap deterministic uniform in [0, 1) (splitmix64), for planning without an RNG."""
    z = (seed * 0x9E3779B97F4A7C15 + index * 0xBF58476D1CE4E5B9 + salt) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return ((z ^ (z >> 31)) >> 11) / float(1 << 53)


def account_count(seed: int, index: int) -> int:
    """How many accounts creator `index` has (known before generating it, for chunk plans)."""
    return 2 if _mix(seed, index, 1) < SECOND_ACCOUNT_SHARE else 1


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalpha())


def _pick(rng: random.Random, weighted):
    return rng.choices([item for item, _ in weighted], [w for _, w in weighted])[0]


def _handle(rng: random.Random, first: str, last: str, word: str, index: int) -> str:
    """Letters (and . or _) then the creator's index: unique per workspace by construction."""
    first, last = _ascii(first), _ascii(last) or "x"
    base = rng.choice(
        (f"{first}{last}", f"{first}.{last}", f"{first}_{word}", f"the{first}{word}",
         f"{first}{last[0]}", f"{word}with{first}", f"{first}.{word}")
    )  # fmt: skip
    return f"{base[:15].rstrip('._')}{index}"


def _ids(rng: random.Random, platform: str) -> str:
    if platform == metrics.YOUTUBE:
        return (
            "UC" + base64.urlsafe_b64encode(rng.getrandbits(136).to_bytes(17, "big")).decode()[:22]
        )
    digits = 19 if platform == metrics.TIKTOK else 11
    return str(rng.randrange(10 ** (digits - 1), 10**digits))


PROFILE_URLS = {
    metrics.INSTAGRAM: "https://www.instagram.com/{}/",
    metrics.TIKTOK: "https://www.tiktok.com/@{}",
    metrics.YOUTUBE: "https://www.youtube.com/@{}",
}


def _band_rate(platform: str, audience: float, fallback: float) -> float:
    band = metrics.benchmark_band(platform, audience, metrics.DEFAULT_BENCHMARKS)
    return (band.low + band.high) / 2 if band else fallback


def _followers(rng: random.Random) -> int:
    # Log-normal: median ~5k, ~30% micro, ~3% above 100k, a long tail of megas.
    return max(50, min(int(rng.lognormvariate(8.55, 1.55)), 400_000_000))


def generate_creator(
    seed: int, index: int, *, now: datetime, days: int, posts: int, accounts: int | None = None
) -> SyntheticCreator:
    """Creator number `index` of this seed; `accounts` caps its account count (last of a run)."""
    rng = random.Random(seed * 1_000_003 + index)
    country, language, _ = rng.choices(COUNTRIES, [w for *_, w in COUNTRIES])[0]
    first, last = rng.choice(FIRST_NAMES[language]), rng.choice(LAST_NAMES[language])
    niches = rng.sample(NICHES, rng.choice((1, 1, 2, 2, 3)))
    bot = rng.random() < BOT_SHARE
    email = f"{_ascii(first)}.{_ascii(last)}{index}@example.com" if rng.random() < 0.6 else ""
    count = min(account_count(seed, index), accounts or 2)
    first_platform = _pick(rng, PLATFORM_WEIGHTS)
    platforms = [first_platform]
    if count == 2:
        platforms.append(_pick(rng, [pw for pw in PLATFORM_WEIGHTS if pw[0] != first_platform]))
    creator = SyntheticCreator(index, f"{first} {last}", email, country, language, niches, [], bot)
    for platform in platforms:
        creator.accounts.append(
            _account(rng, creator, platform, first, last, now=now, days=days, posts=posts)
        )
    return creator


def _account(rng, creator, platform, first, last, *, now, days, posts) -> SyntheticAccount:
    niche = creator.niches[0]
    word = rng.choice(NICHE_WORDS[niche])
    handle = _handle(rng, first, last, word, creator.index)
    followers = _followers(rng)
    bot = creator.bot
    if platform == metrics.YOUTUBE:
        following = None
    elif bot:
        following = int(followers * rng.uniform(0.8, 3.0))
    else:
        following = int(min(rng.lognormvariate(6.0, 0.9), 7_500, followers * 2 + 100))
    posts_count = rng.randint(12, 60) if bot else max(posts, int(rng.lognormvariate(5.6, 0.9)))
    tagline = rng.choice(TAGLINES[niche])
    city = rng.choice(CITIES[creator.country])
    bio = f"{EMOJI[NICHES.index(niche)]} {tagline} · {city}"
    if creator.email and rng.random() < 0.5:
        bio += f" · collabs: {creator.email}"
    display = creator.name if rng.random() < 0.7 else f"{first} {word.capitalize()}"
    post_rows, reach = _posts(rng, platform, handle, followers, bot, now=now, count=posts)
    history = _history(
        rng, platform, followers, following, posts_count, post_rows, reach, bot, now, days
    )
    total_views = history.total_views
    return SyntheticAccount(
        platform=platform,
        handle=handle,
        external_id=_ids(rng, platform),
        profile_url=PROFILE_URLS[platform].format(handle),
        display_name=display,
        bio=bio,
        verified=followers > 200_000 and rng.random() < 0.5,
        followers=followers,
        following=following,
        posts_count=posts_count,
        total_views=total_views,
        history=history,
        posts=post_rows,
        bot=bot,
    )


def _posts(rng, platform, handle, followers, bot, *, now, count) -> tuple[list, float]:
    """`count` posts, newest first, with counts consistent with the platform; and mean reach.

    The loop is the seeder's hot spot (12 million posts per million accounts), hence
    rng.random() arithmetic instead of the slower uniform()/choices() helpers.
    """
    per_week = min(
        max(rng.lognormvariate(1.0 if platform == metrics.YOUTUBE else 1.3, 0.6), 0.6), 14
    )
    gap_seconds = 86_400 * min(7 / per_week, (MAX_POST_AGE_DAYS - 3) / max(count, 1))
    hides_likes = platform == metrics.INSTAGRAM and rng.random() < HIDDEN_LIKES_SHARE
    sponsoring = rng.random() < SPONSORING_SHARE
    sponsored = (
        set(rng.sample(range(count), min(count, rng.randint(1, 3)))) if sponsoring else set()
    )
    # The account's typical numbers; bots have audiences that do not engage.
    audience = followers * (rng.uniform(0.03, 0.15) if bot else 1.0)
    if platform == metrics.INSTAGRAM:
        rate = _band_rate(platform, followers, 0.05) * rng.lognormvariate(0, 0.4)
        views_per_follower = rng.lognormvariate(math.log(0.8), 0.5)
    elif platform == metrics.TIKTOK:
        views_per_follower = rng.lognormvariate(math.log(0.5), 0.8)
        rate = _band_rate(platform, followers * views_per_follower, 0.15) * rng.lognormvariate(
            0, 0.3
        )
    else:
        views_per_follower = rng.lognormvariate(math.log(0.15), 0.7)
        rate = rng.lognormvariate(math.log(0.04), 0.35)
    comments_per_like = rng.lognormvariate(math.log(0.025), 0.5)
    if bot:
        comments_per_like = rng.choice((0.0004, 0.4))
        if platform != metrics.INSTAGRAM:
            rate = rng.uniform(0.0008, 0.0025)  # bought views: almost nobody likes them
    random, lognormal = rng.random, rng.lognormvariate
    result, reach_total = [], 0.0
    published = now.replace(microsecond=0) - timedelta(seconds=int(21_600 + 237_600 * random()))
    for k in range(count):
        noise = lognormal(0, 0.3) * (0.75 if k in sponsored else 1.0)
        if random() < VIRAL_POST_SHARE:
            noise *= 4 + 11 * random()
        fmt, views = _format_and_views(random, platform, followers * views_per_follower * noise)
        interactions = audience * rate * noise if platform == metrics.INSTAGRAM else views * rate
        likes = int(interactions / (1 + comments_per_like))
        comments = int(likes * comments_per_like * (0.8 + 0.4 * random()))
        shares = int(likes * (0.03 + 0.09 * random())) if platform == metrics.TIKTOK else None
        saves = int(likes * (0.02 + 0.06 * random())) if platform != metrics.YOUTUBE else None
        hidden = hides_likes and random() < 0.6
        caption = _caption(rng, k, k in sponsored)
        if platform == metrics.TIKTOK:
            post_id = str(7 * 10**18 + rng.getrandbits(59))
        else:
            post_id = base64.urlsafe_b64encode(rng.getrandbits(72).to_bytes(9, "big")).decode()[:11]
        result.append(
            SyntheticPost(
                post_id,
                _post_url(platform, handle, fmt, post_id),
                published,
                caption,
                fmt,
                views,
                0 if hidden else likes,
                comments,
                shares,
                saves,
                hidden,
                metrics.find_disclosure_markers(caption) if k in sponsored else [],
            )  # fmt: skip
        )
        reach_total += views or likes + comments
        published -= timedelta(seconds=int(gap_seconds * (0.6 + 0.8 * random())))
    return result, reach_total / max(count, 1)


def _format_and_views(random, platform, expected_views):
    if platform == metrics.INSTAGRAM:
        draw = random()
        if draw >= 0.45:  # photos and carousels: Instagram reports no views
            return ("photo" if draw < 0.75 else "carousel"), None
        return "reel", int(expected_views * 1.5)
    if platform == metrics.TIKTOK:
        return "video", max(1, int(expected_views))
    return ("short" if random() < 0.35 else "video"), max(1, int(expected_views))


TAG_PAIRS = [
    f"#{a} #{b}"
    for a in ("love", "daily", "fyp", "tips", "adventure", "new")
    for b in ("love", "daily", "fyp", "tips", "adventure", "new")
    if a != b
]
CAPTION_WORDS = ("morning", "weekly", "favourite", "go-to", "honest")


def _caption(rng, k, sponsored) -> str:
    random = rng.random
    text = CAPTIONS[int(random() * len(CAPTIONS))]
    if "{" in text:
        text = text.format(word=CAPTION_WORDS[int(random() * len(CAPTION_WORDS))], n=k + 1)
    if sponsored:
        text += " " + rng.choice(DISCLOSURES).format(brand=rng.choice(BRANDS))
    return f"{text} {TAG_PAIRS[int(random() * len(TAG_PAIRS))]}"


def _post_url(platform, handle, fmt, post_id) -> str:
    if platform == metrics.INSTAGRAM:
        return f"https://www.instagram.com/{'reel' if fmt == 'reel' else 'p'}/{post_id}/"
    if platform == metrics.YOUTUBE:
        path = f"shorts/{post_id}" if fmt == "short" else f"watch?v={post_id}"
        return f"https://www.youtube.com/{path}"
    return f"https://www.tiktok.com/@{handle}/video/{post_id}"


def _history(rng, platform, followers, following, posts_count, posts, reach, bot, now, days):
    last = days - 1
    growth = rng.gauss(0.02, 0.05) if bot else rng.gauss(0.06, 0.10)
    jumps = []
    if bot:  # bought followers arrive in one or two unexplained bursts
        for _ in range(rng.choice((1, 2))):
            jumps.append((rng.randint(5, last), int(followers * rng.uniform(0.08, 0.2))))
    elif rng.random() < JUMP_SHARE:
        size = int(followers * rng.uniform(0.03, 0.12))
        today = now.date()
        viral = [p for p in posts if 1 <= (today - p.published_at.date()).days < last - 3]
        if viral and rng.random() < 0.5:  # a post that went viral explains the jump
            post = rng.choice(viral)
            own = post.views or (post.likes or 0) + (post.comments or 0) or 1
            boost = max(4.0, 3 * reach / own)
            post.views = int(post.views * boost) if post.views else None
            post.likes = int(post.likes * boost) if post.likes else post.likes
            post.comments = int((post.comments or 0) * boost)
            jumps.append((last - (today - post.published_at.date()).days + 1, size))
        else:
            jumps.append((rng.randint(5, last), size))
    jumps = (jumps + [(days, 0), (days, 0)])[:2]
    jumped = sum(size for _, size in jumps)
    start = max(10, int((followers - jumped) / max(1 + growth, 0.5)))
    views_total, views_per_day = None, 0
    if platform != metrics.INSTAGRAM:  # Instagram reports no lifetime view count
        average = sum(p.views or 0 for p in posts) / max(len(posts), 1)
        views_total = int(average * posts_count * rng.uniform(0.8, 1.6))
    span = (posts[0].published_at - posts[-1].published_at).days if len(posts) > 1 else 0
    per_week_x100 = int(100 * 7 * (len(posts) - 1) / span) if span else 100
    if views_total:
        views_per_day = int(views_total / posts_count * per_week_x100 / 700)
    return History(
        start_followers=start,
        end_followers=followers,
        jumps=jumps,
        noise=max(1, int(min(start, followers - jumped) * rng.uniform(0.0002, 0.001))),
        noise_seed=rng.randrange(1, 1 << 30),
        posts_count=posts_count,
        posts_per_week_x100=per_week_x100,
        following=following,
        total_views=views_total,
        views_per_day=views_per_day,
    )


def follower_series(history: History, days: int) -> list[int]:
    """Followers on each day, oldest first: the exact mirror of SNAPSHOT_SQL's followers."""
    h, last = history, days - 1
    (day1, jump1), (day2, jump2) = h.jumps
    base = h.end_followers - jump1 - jump2 - h.start_followers
    start, width, seed, noise = h.start_followers * last, 2 * h.noise + 1, h.noise_seed, h.noise
    series = [
        max(
            0,
            (start + base * d) // last
            + (jump1 if d >= day1 else 0)
            + (jump2 if d >= day2 else 0)
            + (seed + d * 7919) * 48271 % NOISE_MODULUS % width
            - noise,
        )
        for d in range(last)
    ]
    series.append(h.end_followers)  # the last day is the account's current count, no noise
    return series


@functools.cache
def _dates(today: date, days: int) -> tuple[date, ...]:
    return tuple(today - timedelta(days=days - 1 - d) for d in range(days))


def snapshot_samples(history: History, days: int, today: date) -> list[metrics.Snapshot]:
    """The snapshots SNAPSHOT_SQL stores, as metrics.Snapshot (what recompute reads back)."""
    h, last = history, days - 1
    posts = [max(0, h.posts_count - (last - d) * h.posts_per_week_x100 // 700) for d in range(days)]
    if h.total_views is None:
        views = itertools.repeat(None)
    else:
        views = [max(0, h.total_views - (last - d) * h.views_per_day) for d in range(days)]
    return list(
        map(
            metrics.Snapshot,
            _dates(today, days),
            follower_series(h, days),
            itertools.repeat(h.following),
            posts,
            views,
        )
    )


def score_account(account: SyntheticAccount, *, bands, now: datetime, days: int) -> dict:
    return account_scores(
        platform=account.platform,
        followers=account.followers,
        following=account.following,
        posts_count=account.posts_count,
        posts=[post.sample() for post in account.posts],
        snapshots=snapshot_samples(account.history, days, now.date()),
        bands=bands,
        now=now,
    )


# One row per account per day, computed by the database from each account's History.
# follower_series() above is the same arithmetic in Python; keep the two in step.
SNAPSHOT_SQL = """
INSERT INTO creators_accountsnapshot
    (account_id, date, followers, following, posts, total_views, total_likes,
     avg_views, engagement_rate, source)
SELECT p.id,
       %(first_day)s::date + d,
       CASE WHEN d = %(last)s THEN p.end_followers
            ELSE GREATEST(0, (p.start_followers * %(last)s + p.base * d) / %(last)s
                + CASE WHEN d >= p.jump1_day THEN p.jump1 ELSE 0 END
                + CASE WHEN d >= p.jump2_day THEN p.jump2 ELSE 0 END
                + (p.noise_seed + d * 7919) * 48271 %% 2147483647 %% (2 * p.noise + 1) - p.noise)
       END,
       p.following,
       GREATEST(0, p.posts_count - (%(last)s - d) * p.ppw100 / 700),
       CASE WHEN p.total_views IS NOT NULL
            THEN GREATEST(0, p.total_views - (%(last)s - d) * p.views_per_day) END,
       NULL,
       CASE WHEN d = %(last)s THEN p.avg_views
            ELSE p.avg_views * (850 + (p.noise_seed + d * 104729) %% 301) / 1000 END,
       CASE WHEN d = %(last)s THEN p.er
            ELSE p.er * (0.85 + ((p.noise_seed + d * 104729) %% 301) / 1000.0) END,
       'demo'
-- generate_series in the select list expands each account's days in order, so the
-- (account, date) indexes are appended to rather than scattered into.
FROM (
    SELECT p.*, generate_series(0, %(last)s) AS d
    FROM unnest(%(id)s::bigint[], %(start_followers)s::bigint[], %(end_followers)s::bigint[],
                %(base)s::bigint[], %(jump1_day)s::int[], %(jump1)s::bigint[],
                %(jump2_day)s::int[], %(jump2)s::bigint[], %(noise)s::bigint[],
                %(noise_seed)s::bigint[], %(following)s::bigint[], %(posts_count)s::bigint[],
                %(ppw100)s::bigint[], %(total_views)s::bigint[], %(views_per_day)s::bigint[],
                %(avg_views)s::bigint[], %(er)s::float8[])
         AS p(id, start_followers, end_followers, base, jump1_day, jump1, jump2_day, jump2,
              noise, noise_seed, following, posts_count, ppw100, total_views, views_per_day,
              avg_views, er)
) AS p
"""


def snapshot_params(rows: list[tuple[int, SyntheticAccount]], *, days: int, today: date) -> dict:
    """SNAPSHOT_SQL's parameters for (account id, account) pairs: one array per column."""
    columns: dict[str, list] = {
        key: []
        for key in (
            "id", "start_followers", "end_followers", "base", "jump1_day", "jump1", "jump2_day", "jump2", "noise",
            "noise_seed", "following", "posts_count", "ppw100", "total_views", "views_per_day",
            "avg_views", "er",
        )
    }  # fmt: skip
    for account_id, account in rows:
        h = account.history
        (day1, jump1), (day2, jump2) = h.jumps
        values = (
            account_id, h.start_followers, h.end_followers,
            h.end_followers - jump1 - jump2 - h.start_followers,
            day1, jump1, day2, jump2, h.noise, h.noise_seed, h.following, h.posts_count,
            h.posts_per_week_x100, h.total_views, h.views_per_day,
            account.scores.get("avg_views"), account.scores.get("engagement_rate"),
        )  # fmt: skip
        for column, value in zip(columns.values(), values, strict=True):
            column.append(value)
    last = days - 1
    return {**columns, "last": last, "first_day": today - timedelta(days=last)}
