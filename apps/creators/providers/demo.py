"""A simulated platform for the local demo: no keys, no internet, numbers that move.

Only "demo" connections use it (see apps/creators/connections.py): they exist only while
settings.DEMO_PROVIDER is on, cannot sit next to a real connection for the same platform,
and everything they write is labelled StatsSource.DEMO. A failed real call is never
answered from here.

Every number is a pure function of the account key and the day, so a second refresh on
the same day returns the same figures (idempotent), and each new day brings a small,
plausible change: steady growth or slow decline, daily noise, a rare jump after a
"viral" post, a new post every few days.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ._http import Clock, unique, utcnow
from .base import AccountBatch, AccountKey, AccountRef, AccountStats, PostStats, Usage

MAX_SIMULATED_DAYS = 120  # longest gap walked day by day from a baseline
POST_HISTORY_DAYS = 60
CAPTIONS = (
    "Morning routine, the honest version",
    "Three things I wish I knew sooner",
    "Trying the viral recipe so you don't have to",
    "Weekend reset and a small haul",
    "Q&A: your questions answered",
    "New favourite spot in town",
    "Partnered with a brand I actually use #ad",
    "Behind the scenes of this week's shoot",
)
FORMATS = {
    "youtube": ("video", "video", "short"),
    "instagram": ("photo", "reel", "carousel", "reel"),
    "tiktok": ("video",),
}


@dataclass(frozen=True)
class Baseline:
    """The account's last known numbers before today, from which the simulation walks on."""

    followers: int | None
    following: int | None
    posts_count: int | None
    total_views: int | None
    as_of: date


class DemoClient:
    """``ProviderClient`` of the simulated platform, for one real platform's accounts."""

    max_batch_size = 500

    def __init__(
        self,
        platform: str,
        *,
        baselines: Mapping[str, Baseline] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.platform = platform
        self.baselines = dict(baselines or {})
        self._clock = clock or utcnow
        self._usage = Usage(platform=platform)

    @property
    def last_usage(self) -> Usage:
        return self._usage

    def close(self) -> None:
        """Nothing to release: no network."""

    def resolve(self, handle_or_url: str) -> AccountRef:
        key = handle_or_url.strip().lstrip("@")
        return AccountRef(self.platform, f"demo-{key}", key, "")

    def fetch_accounts(self, external_ids: Iterable[AccountKey]) -> AccountBatch:
        batch = AccountBatch()
        for key in unique(_key(k) for k in external_ids):
            batch.accounts[key] = self._account(key)
        self._usage = Usage(platform=self.platform)
        return batch

    def fetch_recent_posts(self, account: AccountKey, limit: int = 12) -> list[PostStats]:
        return list(self._account(_key(account)).recent_posts[:limit])

    def fetch_posts(self, post_ids: Iterable[str]) -> list[PostStats]:
        return []  # simulated posts are only ever read with their account

    # -- the simulation ----------------------------------------------------
    def _account(self, key: str) -> AccountStats:
        today = self._clock().astimezone(UTC).date()
        persona = random.Random(f"demo:{self.platform}:{key}")  # noqa: S311 - not security
        trend = persona.uniform(-0.0015, 0.006)  # daily follower change, as a fraction
        baseline = self.baselines.get(key)
        if baseline is None or baseline.followers is None:
            start_followers = round(math.exp(persona.uniform(math.log(2_000), math.log(900_000))))
            baseline = Baseline(
                start_followers,
                persona.randint(80, 1_500),
                persona.randint(40, 900),
                start_followers * persona.randint(20, 120) if self.platform == "youtube" else None,
                today - timedelta(days=30),
            )
        followers = float(baseline.followers or 0)
        posts_count = baseline.posts_count or 0
        views = float(baseline.total_views or 0)
        rate = persona_rate(random.Random(f"demo:{self.platform}:{key}"))  # noqa: S311
        day = max(baseline.as_of + timedelta(days=1), today - timedelta(days=MAX_SIMULATED_DAYS))
        while day <= today:
            rng = random.Random(f"demo:{self.platform}:{key}:{day.isoformat()}")  # noqa: S311
            change = trend + rng.gauss(0, 0.002)
            if rng.random() < 1 / 60:
                change += rng.uniform(0.03, 0.08)  # a post took off
            followers = max(followers * (1 + change), 0)
            if self._posts_on(key, day, rate):
                posts_count += 1
            views += followers * rng.uniform(0.05, 0.4)
            day += timedelta(days=1)
        return AccountStats(
            platform=self.platform,
            external_id=key,
            handle=key,
            followers=round(followers),
            following=baseline.following,
            posts_count=posts_count,
            total_views=round(views) if self.platform == "youtube" else None,
            recent_posts=tuple(self._recent_posts(key, round(followers), today)),
        )

    def _posts_on(self, key: str, day: date, rate: float) -> bool:
        rng = random.Random(f"demo:{self.platform}:{key}:post:{day.isoformat()}")  # noqa: S311
        return rng.random() < rate

    def _recent_posts(self, key: str, followers: int, today: date) -> list[PostStats]:
        rate = persona_rate(random.Random(f"demo:{self.platform}:{key}"))  # noqa: S311
        posts = []
        for age in range(POST_HISTORY_DAYS):
            day = today - timedelta(days=age)
            if self._posts_on(key, day, rate):
                posts.append(self._post(key, day, age, followers))
            if len(posts) >= 24:
                break
        return posts

    def _post(self, key: str, day: date, age: int, followers: int) -> PostStats:
        rng = random.Random(f"demo:{self.platform}:{key}:content:{day.isoformat()}")  # noqa: S311
        matured = 1 - math.exp(-(age + 0.5) / 2)  # a post's numbers grow for a few days
        reach = followers * rng.uniform(0.08, 0.6) * matured
        if self.platform == "instagram":
            likes = round(followers * rng.uniform(0.008, 0.045) * matured)
            views = None
        else:
            views = round(reach)
            likes = round(reach * rng.uniform(0.02, 0.09))
        comments = round(likes * rng.uniform(0.01, 0.06))
        post_id = f"demo-{key}-{day:%Y%m%d}"
        return PostStats(
            platform=self.platform,
            external_id=post_id,
            url=None,
            published_at=datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59)), UTC),
            caption=rng.choice(CAPTIONS),
            format=rng.choice(FORMATS.get(self.platform, ("video",))),
            views=views,
            likes=likes,
            comments=comments,
            shares=round(likes * rng.uniform(0.02, 0.1)) if self.platform == "tiktok" else None,
        )


def persona_rate(persona: random.Random) -> float:
    """Chance of a post on any day: every 2 to 6 days."""
    return 1 / persona.uniform(2, 6)


def _key(key: AccountKey) -> str:
    if isinstance(key, AccountRef | AccountStats):
        return key.external_id or key.handle or ""
    return str(key).strip()
