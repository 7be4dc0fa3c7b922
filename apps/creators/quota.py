"""Quota and rate-limit budgets, one per credential, shared by every worker through Redis.

A worker asks the budget before each API call (`try_spend`) and only calls when it says
yes; the check and the charge are one Lua script, so two workers can never both take the
last unit. Three shapes, one per platform:

* YouTube: units per Pacific day (10,000 by default), reset at midnight America/Los_Angeles.
* Instagram: Meta reports its own usage as percentages in every reply's headers; we keep
  the latest figure and slow down from 75% (a quarter of our hourly cap), stop at 100%,
  and also cap our calls per hour per token.
* TikTok: requests per minute for our app (a sliding window).

`exhaust(until)` is the quota-error switch: nobody spends on that credential until then.
"""

from __future__ import annotations

import math
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import redis
from django.conf import settings
from django.utils import timezone

from .models import Connection
from .providers.base import Usage
from .providers.youtube import PACIFIC, next_pacific_midnight

PREFIX = "mr:quota"
SLOW_DOWN_PERCENT = 75.0
STOP_PERCENT = 100.0
META_USAGE_TTL = 600  # seconds a reported Meta usage figure is trusted without a newer one

# KEYS: counter, pause flag. ARGV: cost, ceiling, counter expiry (unix seconds).
# Returns {1, used} when spent, {0, used} when the ceiling would be passed,
# {-1, ms left} while paused.
_SPEND_COUNTER = """
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 or paused == -1 then return {-1, paused} end
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
if used + cost > tonumber(ARGV[2]) then return {0, used} end
used = redis.call('INCRBY', KEYS[1], cost)
redis.call('EXPIREAT', KEYS[1], ARGV[3])
return {1, used}
"""

# KEYS: counter. ARGV: amount. Never below zero.
_REFUND_COUNTER = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = math.min(used, tonumber(ARGV[1]))
if amount > 0 then redis.call('DECRBY', KEYS[1], amount) end
return used - amount
"""

# KEYS: sorted set of request times, pause flag. ARGV: now ms, window ms, limit, cost, id.
# Returns {1, count} when spent, {0, ms until the oldest request leaves the window}, {-1, ms}.
_SPEND_WINDOW = """
local paused = redis.call('PTTL', KEYS[2])
if paused > 0 or paused == -1 then return {-1, paused} end
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local cost = tonumber(ARGV[4])
if count + cost > tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  local wait = window
  if oldest[2] then wait = tonumber(oldest[2]) + window - now end
  return {0, wait}
end
for i = 1, cost do redis.call('ZADD', KEYS[1], now, ARGV[5] .. ':' .. i) end
redis.call('PEXPIRE', KEYS[1], window)
return {1, count + cost}
"""

_clients: dict[tuple[str, int], redis.Redis] = {}


def redis_client() -> redis.Redis:
    """One client per process (a forked worker child must not share its parent's sockets)."""
    key = (settings.REDIS_URL, os.getpid())
    if key not in _clients:
        _clients[key] = redis.Redis.from_url(settings.REDIS_URL)
    return _clients[key]


@dataclass(frozen=True)
class Spend:
    allowed: bool
    retry_at: datetime | None = None  # when asking again can succeed
    reason: str = ""


@dataclass(frozen=True)
class BudgetState:
    """What the status and connections pages show for one credential."""

    unit: str
    used: float | None
    limit: float | None
    resets_at: datetime | None
    paused_until: datetime | None = None
    note: str = ""

    @property
    def left(self) -> float | None:
        if self.used is None or self.limit is None:
            return None
        return max(self.limit - self.used, 0)

    @property
    def percent_used(self) -> int | None:
        if self.used is None or not self.limit:
            return None
        return min(100, round(100 * self.used / self.limit))


class Budget:
    """Base: a pause flag every budget shape shares."""

    platform = ""

    def __init__(self, fingerprint: str, *, client: redis.Redis | None = None) -> None:
        self.fingerprint = fingerprint or "none"
        self.redis = client or redis_client()

    def key(self, *parts: object) -> str:
        return ":".join([PREFIX, self.platform, self.fingerprint, *map(str, parts)])

    @property
    def pause_key(self) -> str:
        return self.key("paused")

    def exhaust(self, until: datetime, now: datetime | None = None) -> None:
        """A quota or long throttle error: stop every worker on this credential until `until`."""
        now = now or timezone.now()
        milliseconds = max(int((until - now).total_seconds() * 1000), 1)
        self.redis.set(self.pause_key, until.isoformat(), px=milliseconds)

    def resume(self) -> None:
        self.redis.delete(self.pause_key)

    def paused_until(self, now: datetime | None = None) -> datetime | None:
        milliseconds = self.redis.pttl(self.pause_key)
        if milliseconds is None or milliseconds < 0:
            return None
        return (now or timezone.now()) + timedelta(milliseconds=milliseconds)

    def try_spend(self, cost: int = 1, *, now: datetime | None = None, share: float = 1.0):
        raise NotImplementedError

    def refund(self, cost: int, *, now: datetime | None = None) -> None:
        """Give back units reserved for a call that never got a reply."""

    def record(self, usage: Usage, *, now: datetime | None = None) -> None:
        """Take note of what the platform said about our usage (Meta's headers)."""

    def settle(self, *, reserved: int, spent: int, now: datetime | None = None) -> None:
        """After a call: what it really cost against what was reserved for it."""

    def capacity(self, *, now: datetime | None = None) -> int | None:
        """Calls that could be made now (None: no fixed number)."""
        return None

    def state(self, *, now: datetime | None = None) -> BudgetState:
        raise NotImplementedError

    def _paused(self, milliseconds: int, now: datetime) -> Spend:
        until = now + timedelta(milliseconds=max(milliseconds, 0))
        return Spend(False, until, "paused")


class DailyUnitsBudget(Budget):
    """YouTube: quota units per Pacific day, the counter expiring after the reset."""

    platform = "youtube"

    def __init__(self, fingerprint: str, *, limit: int, client: redis.Redis | None = None):
        super().__init__(fingerprint, client=client)
        self.limit = limit

    def counter_key(self, now: datetime) -> str:
        return self.key("units", now.astimezone(PACIFIC).date())

    def try_spend(self, cost: int = 1, *, now: datetime | None = None, share: float = 1.0):
        """Spend `cost` units if the day's total stays within `share` of the limit."""
        now = now or timezone.now()
        reset = next_pacific_midnight(now)
        ceiling = math.floor(self.limit * share)
        status, value = self.redis.eval(
            _SPEND_COUNTER,
            2,
            self.counter_key(now),
            self.pause_key,
            cost,
            ceiling,
            int(reset.timestamp()) + 3600,
        )
        if status == 1:
            return Spend(True)
        if status == -1:
            return self._paused(value, now)
        if share < 1.0 and value + cost <= self.limit:
            return Spend(False, reset, "share")  # the rest of the day is kept for stats
        return Spend(False, reset, "quota")

    def refund(self, cost: int, *, now: datetime | None = None) -> None:
        if cost > 0:
            self.redis.eval(_REFUND_COUNTER, 1, self.counter_key(now or timezone.now()), cost)

    def settle(self, *, reserved: int, spent: int, now: datetime | None = None) -> None:
        """A call without a reply cost nothing: give it back; a call that cost more (an
        uploads playlist looked up on the way) is charged, even past the limit."""
        if spent < reserved:
            self.refund(reserved - spent, now=now)
        elif spent > reserved:
            self.redis.incrby(self.counter_key(now or timezone.now()), spent - reserved)

    def used(self, *, now: datetime | None = None) -> int:
        return int(self.redis.get(self.counter_key(now or timezone.now())) or 0)

    def capacity(self, *, now: datetime | None = None) -> int:
        now = now or timezone.now()
        if self.paused_until(now):
            return 0
        return max(self.limit - self.used(now=now), 0)

    def state(self, *, now: datetime | None = None) -> BudgetState:
        now = now or timezone.now()
        return BudgetState(
            unit="units",
            used=self.used(now=now),
            limit=self.limit,
            resets_at=next_pacific_midnight(now),
            paused_until=self.paused_until(now),
            note="YouTube quota units per Pacific day",
        )


class SlidingWindowBudget(Budget):
    """TikTok: at most `limit` requests in any `window` (per app, shared by all tokens)."""

    platform = "tiktok"

    def __init__(
        self,
        fingerprint: str,
        *,
        limit: int,
        window: timedelta = timedelta(minutes=1),
        client: redis.Redis | None = None,
    ):
        super().__init__(fingerprint, client=client)
        self.limit = limit
        self.window = window

    @property
    def window_key(self) -> str:
        return self.key("window")

    def try_spend(self, cost: int = 1, *, now: datetime | None = None, share: float = 1.0):
        now = now or timezone.now()
        status, value = self.redis.eval(
            _SPEND_WINDOW,
            2,
            self.window_key,
            self.pause_key,
            int(now.timestamp() * 1000),
            int(self.window.total_seconds() * 1000),
            math.floor(self.limit * share),
            cost,
            uuid.uuid4().hex,
        )
        if status == 1:
            return Spend(True)
        if status == -1:
            return self._paused(value, now)
        return Spend(False, now + timedelta(milliseconds=value), "window")

    def used(self, *, now: datetime | None = None) -> int:
        now = now or timezone.now()
        start = (now - self.window).timestamp() * 1000
        return int(self.redis.zcount(self.window_key, start, "+inf"))

    def capacity(self, *, now: datetime | None = None) -> int:
        now = now or timezone.now()
        if self.paused_until(now):
            return 0
        return max(self.limit - self.used(now=now), 0)

    def state(self, *, now: datetime | None = None) -> BudgetState:
        now = now or timezone.now()
        return BudgetState(
            unit="requests this minute",
            used=self.used(now=now),
            limit=self.limit,
            resets_at=None,
            paused_until=self.paused_until(now),
            note="TikTok requests per minute (sliding window, shared by our app)",
        )


class MetaUsageBudget(Budget):
    """Instagram: Meta's reported usage percentage gates an hourly cap of our own."""

    platform = "instagram"

    def __init__(self, fingerprint: str, *, calls_per_hour: int, client=None):
        super().__init__(fingerprint, client=client)
        self.calls_per_hour = calls_per_hour

    @property
    def usage_key(self) -> str:
        return self.key("usage")

    def hour_key(self, now: datetime) -> str:
        return self.key("calls", now.astimezone(UTC).strftime("%Y%m%d%H"))

    def reported_percent(self) -> float | None:
        value = self.redis.get(self.usage_key)
        return float(value) if value is not None else None

    def try_spend(self, cost: int = 1, *, now: datetime | None = None, share: float = 1.0):
        now = now or timezone.now()
        next_hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(
            hours=1
        )
        percent = self.reported_percent()
        if percent is not None and percent >= STOP_PERCENT:
            return Spend(False, now + timedelta(seconds=META_USAGE_TTL), "meta usage at 100%")
        ceiling = self.calls_per_hour * share
        if percent is not None and percent >= SLOW_DOWN_PERCENT:
            ceiling = ceiling / 4  # Meta says we are close: slow down well before the wall
        status, value = self.redis.eval(
            _SPEND_COUNTER,
            2,
            self.hour_key(now),
            self.pause_key,
            cost,
            math.floor(ceiling),
            int(next_hour.timestamp()) + 60,
        )
        if status == 1:
            return Spend(True)
        if status == -1:
            return self._paused(value, now)
        return Spend(False, next_hour, "hourly cap")

    def record(self, usage: Usage, *, now: datetime | None = None) -> None:
        now = now or timezone.now()
        if usage.max_percent is not None:
            self.redis.set(self.usage_key, usage.max_percent, ex=META_USAGE_TTL)
        wait = usage.estimated_time_to_regain_access
        if wait and usage.max_percent is not None and usage.max_percent >= STOP_PERCENT:
            self.exhaust(now + timedelta(minutes=wait), now=now)

    def capacity(self, *, now: datetime | None = None) -> int:
        now = now or timezone.now()
        if self.paused_until(now):
            return 0
        used = int(self.redis.get(self.hour_key(now)) or 0)
        return max(self.calls_per_hour - used, 0)

    def state(self, *, now: datetime | None = None) -> BudgetState:
        now = now or timezone.now()
        percent = self.reported_percent()
        calls = int(self.redis.get(self.hour_key(now)) or 0)
        return BudgetState(
            unit="% of Meta's limit",
            used=percent,
            limit=100,
            resets_at=None,
            paused_until=self.paused_until(now),
            note=f"{calls} of {self.calls_per_hour} calls this hour (our own cap)",
        )


class UnlimitedBudget(Budget):
    """The simulated demo platform: no quota to spend."""

    platform = "demo"

    def try_spend(self, cost: int = 1, *, now: datetime | None = None, share: float = 1.0):
        return Spend(True)

    def state(self, *, now: datetime | None = None) -> BudgetState:
        return BudgetState("calls", None, None, None, note="Simulated: no quota")


def budget_for(connection) -> Budget:
    """The budget a connection's calls are charged to."""
    if connection.kind == Connection.Kind.DEMO:
        return UnlimitedBudget(f"demo-{connection.pk}")
    if connection.kind == Connection.Kind.YOUTUBE_KEY:
        limit = connection.daily_quota or settings.YOUTUBE_DAILY_QUOTA
        return DailyUnitsBudget(connection.credential_fingerprint, limit=limit)
    if connection.kind == Connection.Kind.INSTAGRAM_GRAPH:
        return MetaUsageBudget(
            connection.credential_fingerprint, calls_per_hour=settings.INSTAGRAM_CALLS_PER_HOUR
        )
    # TikTok's limit is per app and endpoint, whichever creator's token is used.
    return SlidingWindowBudget(
        f"app-{settings.TIKTOK_CLIENT_KEY or 'default'}", limit=settings.TIKTOK_CALLS_PER_MINUTE
    )


def wait_for(spend: Spend, *, max_seconds: float) -> bool:
    """Sleep until a short denial lifts (a per-minute window); False if it is too long."""
    if spend.retry_at is None:
        return False
    seconds = (spend.retry_at - timezone.now()).total_seconds()
    if seconds > max_seconds:
        return False
    time.sleep(max(seconds, 0.05))
    return True
