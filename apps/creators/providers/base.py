"""The interface every platform client implements, its value types and errors.

Pure Python on purpose (no Django): configuration (base URL, API version,
keys and tokens, timeout) is passed to each client's constructor, so Django
settings or per-workspace credentials can be wired in by the caller.

Usage reporting
---------------
Every HTTP request a client makes produces a :class:`Usage` record.  Two ways
to consume it:

* ``client.last_usage`` -- the usage summed over the *last public method call*
  (``resolve``, ``fetch_accounts``, ...), also when that call raised.  It is
  reset at the start of each public call.
* ``usage_callback`` (constructor argument) -- called with one :class:`Usage`
  per HTTP response received (also error responses), the moment it arrives.
  This is the hook for a quota budget: it is charged even when a later request
  of the same method fails.

Requests that never got a response (timeouts, connection errors) are counted
in ``Usage.requests`` but cost no ``quota_units``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import ClassVar, Protocol, runtime_checkable

# --------------------------------------------------------------------------
# Value types
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountRef:
    """Identifies one account on one platform.

    ``handle`` is stored without a leading ``@``.  ``uploads_playlist_id`` is
    only known for YouTube (it saves a ``channels.list`` call when fetching
    recent videos).
    """

    platform: str
    external_id: str
    handle: str | None
    profile_url: str
    uploads_playlist_id: str | None = None


@dataclass(frozen=True)
class PostStats:
    """Raw counts of one post.  ``None`` means unknown, never zero.

    ``format`` is one of ``'short'``, ``'video'``, ``'reel'``, ``'photo'``,
    ``'carousel'`` or ``'story'``.  ``likes_hidden`` marks posts whose owner
    hid their like count: leave them out of like-based rates.
    """

    platform: str
    external_id: str
    url: str | None
    published_at: datetime | None
    caption: str = ""
    format: str = "video"
    views: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    likes_hidden: bool = False
    duration_seconds: float | None = None


@dataclass(frozen=True)
class AccountStats:
    """Profile counters of one account.  ``None`` means unknown, never zero."""

    platform: str
    external_id: str
    handle: str | None
    display_name: str = ""
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    total_views: int | None = None
    total_likes: int | None = None
    bio: str = ""
    country: str | None = None
    followers_hidden: bool = False
    uploads_playlist_id: str | None = None
    profile_url: str | None = None
    # Instagram returns recent media in the same call as the profile; they are
    # kept here so callers need not spend a second call.  Empty elsewhere.
    recent_posts: tuple[PostStats, ...] = ()

    def to_ref(self) -> AccountRef:
        return AccountRef(
            platform=self.platform,
            external_id=self.external_id,
            handle=self.handle,
            profile_url=self.profile_url or "",
            uploads_playlist_id=self.uploads_playlist_id,
        )


@dataclass
class AccountBatch:
    """Result of ``fetch_accounts``.

    ``accounts`` is keyed by the lookup key the caller passed (channel id for
    YouTube, username for Instagram, open_id for TikTok).  Every requested key
    is either in ``accounts`` or in ``not_found`` -- a missing account is never
    reported with zeroed counts.
    """

    accounts: dict[str, AccountStats] = field(default_factory=dict)
    not_found: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class BusinessUseCaseUsage:
    """One entry of Meta's ``X-Business-Use-Case-Usage`` header (percentages)."""

    business_id: str
    type: str | None
    call_count: float | None
    total_cputime: float | None
    total_time: float | None
    estimated_time_to_regain_access: int | None  # minutes


@dataclass(frozen=True)
class Usage:
    """What one or more HTTP requests cost.

    * ``requests``: HTTP requests attempted.
    * ``quota_units``: YouTube quota units (1 per call that got a response,
      invalid requests included); 0 for other platforms.
    * ``app_usage``: Meta ``X-App-Usage`` percentages (``call_count``,
      ``total_cputime``, ``total_time``).
    * ``business_use_case_usage``: parsed ``X-Business-Use-Case-Usage``.
    * ``max_percent``: highest percentage seen in those headers (throttled at
      100; slow down from ~75, see :attr:`should_slow_down`).
    * ``estimated_time_to_regain_access``: minutes, from the headers.

    Header snapshots are "latest wins" when usages are added together.
    """

    platform: str
    requests: int = 0
    quota_units: int = 0
    app_usage: dict[str, float] = field(default_factory=dict)
    business_use_case_usage: tuple[BusinessUseCaseUsage, ...] = ()
    max_percent: float | None = None
    estimated_time_to_regain_access: int | None = None

    SLOW_DOWN_PERCENT: ClassVar[float] = 75.0

    @property
    def should_slow_down(self) -> bool:
        return self.max_percent is not None and self.max_percent >= self.SLOW_DOWN_PERCENT

    def __add__(self, other: Usage) -> Usage:
        has_headers = bool(other.app_usage or other.business_use_case_usage)
        latest = other if has_headers else self
        return replace(
            latest,
            platform=self.platform,
            requests=self.requests + other.requests,
            quota_units=self.quota_units + other.quota_units,
        )


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------


class ProviderError(Exception):
    """Base class of every error raised by a provider client.

    ``retryable`` tells a worker whether trying again later can help.
    """

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        platform: str | None = None,
        status_code: int | None = None,
        code: str | int | None = None,
        trace_id: str | None = None,
    ) -> None:
        self.message = message
        self.platform = platform
        self.status_code = status_code
        self.code = code
        self.trace_id = trace_id
        super().__init__(self._render())

    def _render(self) -> str:
        prefix = f"{self.platform}: " if self.platform else ""
        extra = []
        if self.status_code is not None:
            extra.append(f"HTTP {self.status_code}")
        if self.code is not None:
            extra.append(f"code={self.code}")
        if self.trace_id:
            extra.append(f"trace={self.trace_id}")
        suffix = f" ({', '.join(extra)})" if extra else ""
        return f"{prefix}{self.message}{suffix}"


class QuotaExceeded(ProviderError):
    """Daily quota spent: do not retry before ``reset_at`` (aware datetime)."""

    def __init__(self, reset_at: datetime, message: str = "quota exceeded", **kwargs) -> None:
        self.reset_at = reset_at
        super().__init__(f"{message}; resets at {reset_at.isoformat()}", **kwargs)


class RateLimited(ProviderError):
    """Short-term throttling: retry after ``retry_after_seconds`` (or back off)."""

    retryable = True

    def __init__(
        self, retry_after_seconds: float | None = None, message: str = "rate limited", **kwargs
    ) -> None:
        self.retry_after_seconds = retry_after_seconds
        if retry_after_seconds is not None:
            message = f"{message}; retry after {retry_after_seconds:g}s"
        super().__init__(message, **kwargs)


class AuthError(ProviderError):
    """Bad key, expired token, missing permission: the connection is broken."""


class TransientError(ProviderError):
    """5xx, timeouts, invalid JSON, HTML error pages: retry with backoff."""

    retryable = True

    def __init__(self, message: str, *, retry_after_seconds: float | None = None, **kwargs):
        self.retry_after_seconds = retry_after_seconds
        super().__init__(message, **kwargs)


class NotFound(ProviderError):
    """The account or post does not exist (or is not visible to us)."""


class InvalidRequest(ProviderError):
    """A 4xx reply that points at a bug on our side."""


class InvalidHandle(ProviderError, ValueError):
    """The handle or URL given by a user cannot be parsed for this platform."""


# --------------------------------------------------------------------------
# Interface
# --------------------------------------------------------------------------

AccountKey = str | AccountRef | AccountStats


@runtime_checkable
class ProviderClient(Protocol):
    """What the stats refresher relies on.  One implementation per platform."""

    platform: str
    max_batch_size: int  # accounts per fetch_accounts call worth sending

    @property
    def last_usage(self) -> Usage: ...

    def resolve(self, handle_or_url: str) -> AccountRef: ...

    def fetch_accounts(self, external_ids: Iterable[AccountKey]) -> AccountBatch: ...

    def fetch_recent_posts(self, account: AccountKey, limit: int = 12) -> list[PostStats]: ...

    def fetch_posts(self, post_ids: Iterable[str]) -> list[PostStats]: ...

    def close(self) -> None: ...
