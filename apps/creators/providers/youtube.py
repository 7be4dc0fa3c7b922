"""YouTube Data API v3 client (API key; public data of any channel).

Quota: every call that gets a reply costs 1 unit (invalid ones too), reported
as ``Usage.quota_units``.  ``channels.list`` and ``videos.list`` take up to
50 ids per call, so always send full batches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

import httpx

from ._http import (
    DEFAULT_TIMEOUT,
    Clock,
    HttpProviderBase,
    UsageCallback,
    as_dict,
    as_list,
    chunked,
    parse_datetime,
    parse_iso_duration,
    retry_after_seconds,
    to_int,
    to_str,
    tracks_usage,
    unique,
)
from .base import (
    AccountBatch,
    AccountKey,
    AccountRef,
    AccountStats,
    AuthError,
    InvalidHandle,
    InvalidRequest,
    NotFound,
    PostStats,
    QuotaExceeded,
    RateLimited,
    TransientError,
    Usage,
)

DEFAULT_BASE_URL = "https://www.googleapis.com/youtube/v3"
PACIFIC = ZoneInfo("America/Los_Angeles")
MAX_IDS_PER_CALL = 50
CHANNEL_PARTS = "snippet,statistics,contentDetails"
VIDEO_PARTS = "snippet,statistics,contentDetails"

QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded"}
RATE_LIMIT_REASONS = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
AUTH_REASONS = {
    "keyInvalid",
    "keyExpired",
    "API_KEY_INVALID",
    "API_KEY_EXPIRED",
    "accessNotConfigured",
    "SERVICE_DISABLED",
    "forbidden",
    "ipRefererBlocked",
    "API_KEY_SERVICE_BLOCKED",
    "API_KEY_HTTP_REFERRER_BLOCKED",
    "API_KEY_IP_ADDRESS_BLOCKED",
}
NOT_FOUND_REASONS = {"channelNotFound", "playlistNotFound", "videoNotFound"}
TRANSIENT_REASONS = {"backendError", "internalError", "serviceUnavailable"}

_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
_HANDLE = re.compile(r"^[\w.\-·]{3,100}$")
_RESERVED_PATHS = {"watch", "shorts", "playlist", "results", "feed", "embed", "live", "hashtag"}


def next_pacific_midnight(now: datetime) -> datetime:
    """When YouTube quotas reset: the next midnight in America/Los_Angeles."""
    local = now.astimezone(PACIFIC)
    return datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=PACIFIC)


def parse_channel_reference(handle_or_url: str) -> tuple[str, str]:
    """Return ``(kind, value)``: ``('id', 'UC…')``, ``('handle', '@name')``
    or ``('username', 'name')`` for a channel id, handle or YouTube URL."""
    text = (handle_or_url or "").strip()
    if not text:
        raise InvalidHandle("empty YouTube handle or URL", platform="youtube")
    if re.match(r"^(?:[a-z]+\.)?(?:youtube\.com|youtu\.be)/", text, re.IGNORECASE):
        text = "https://" + text
    if "://" in text:
        return _parse_channel_url(text)
    if _CHANNEL_ID.match(text):
        return "id", text
    name = text[1:] if text.startswith("@") else text
    if _HANDLE.match(name):
        return "handle", "@" + name
    raise InvalidHandle(f"not a YouTube handle, channel id or URL: {text!r}", platform="youtube")


def _parse_channel_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not (host == "youtube.com" or host.endswith(".youtube.com")):
        raise InvalidHandle(f"not a youtube.com URL: {url!r}", platform="youtube")
    segments = [unquote(s) for s in parts.path.split("/") if s]
    if segments:
        first = segments[0]
        second = segments[1] if len(segments) > 1 else ""
        if first.startswith("@") and _HANDLE.match(first[1:]):
            return "handle", first
        if first == "channel" and _CHANNEL_ID.match(second):
            return "id", second
        if first == "c" and _HANDLE.match(second):
            return "handle", "@" + second
        if first == "user" and _HANDLE.match(second):
            return "username", second
        if len(segments) == 1 and first not in _RESERVED_PATHS and _HANDLE.match(first):
            return "handle", "@" + first
    raise InvalidHandle(f"no channel in YouTube URL: {url!r}", platform="youtube")


class YouTubeClient(HttpProviderBase):
    """``ProviderClient`` for YouTube.  ``fetch_accounts`` takes channel ids."""

    platform = "youtube"
    max_batch_size = MAX_IDS_PER_CALL

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        usage_callback: UsageCallback | None = None,
        clock: Clock | None = None,
        shorts_max_seconds: float = 60,
    ) -> None:
        if not api_key:
            raise ValueError("YouTubeClient needs an API key")
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            http_client=http_client,
            transport=transport,
            usage_callback=usage_callback,
            clock=clock,
        )
        self._api_key = api_key
        self.shorts_max_seconds = shorts_max_seconds

    # -- ProviderClient ----------------------------------------------------
    @tracks_usage
    def resolve(self, handle_or_url: str) -> AccountRef:
        kind, value = parse_channel_reference(handle_or_url)
        param = {"id": "id", "handle": "forHandle", "username": "forUsername"}[kind]
        body = self._get("/channels", {"part": CHANNEL_PARTS, param: value})
        for item in as_list(body.get("items")):
            stats = self._channel_stats(item)
            if stats is not None:
                return stats.to_ref()
        raise self._error(NotFound, f"no YouTube channel for {value!r}")

    @tracks_usage
    def fetch_accounts(self, external_ids: Iterable[AccountKey]) -> AccountBatch:
        keys = unique(k for k in (_channel_id(key) for key in external_ids) if k)
        batch = AccountBatch()
        for chunk in chunked(keys, MAX_IDS_PER_CALL):
            body = self._get("/channels", {"part": CHANNEL_PARTS, "id": ",".join(chunk)})
            found: dict[str, AccountStats] = {}
            for item in as_list(body.get("items")):
                stats = self._channel_stats(item)
                if stats is not None:
                    found[stats.external_id] = stats
            for key in chunk:
                if key in found:
                    batch.accounts[key] = found[key]
                else:
                    batch.not_found.add(key)
        return batch

    @tracks_usage
    def fetch_recent_posts(self, account: AccountKey, limit: int = 12) -> list[PostStats]:
        """Newest uploads first.  Costs 1 unit per 50 playlist items and per 50
        videos, plus 1 unit when the uploads playlist id is not already known
        (pass an ``AccountRef``/``AccountStats`` carrying it to save that)."""
        if limit <= 0:
            return []
        playlist_id = self._uploads_playlist_id(account)
        video_ids: list[str] = []
        page_token: str | None = None
        while len(video_ids) < limit:
            params = {
                "part": "contentDetails",
                "playlistId": playlist_id,
                "maxResults": min(MAX_IDS_PER_CALL, limit - len(video_ids)),
            }
            if page_token:
                params["pageToken"] = page_token
            body = self._get("/playlistItems", params)
            for item in as_list(body.get("items")):
                video_id = to_str(as_dict(as_dict(item).get("contentDetails")).get("videoId"))
                if video_id and video_id not in video_ids:
                    video_ids.append(video_id)
            next_token = body.get("nextPageToken")
            if not isinstance(next_token, str) or not next_token or next_token == page_token:
                break
            page_token = next_token
        return self.fetch_posts(video_ids[:limit])

    @tracks_usage
    def fetch_posts(self, post_ids: Iterable[str]) -> list[PostStats]:
        """Video stats in the order asked; unknown ids are simply left out."""
        ids = unique(str(post_id) for post_id in post_ids if post_id)
        found: dict[str, PostStats] = {}
        for chunk in chunked(ids, MAX_IDS_PER_CALL):
            body = self._get("/videos", {"part": VIDEO_PARTS, "id": ",".join(chunk)})
            for item in as_list(body.get("items")):
                post = self._video_stats(item)
                if post is not None:
                    found[post.external_id] = post
        return [found[video_id] for video_id in ids if video_id in found]

    # -- parsing -----------------------------------------------------------
    def _uploads_playlist_id(self, account: AccountKey) -> str:
        if isinstance(account, AccountRef | AccountStats) and account.uploads_playlist_id:
            return account.uploads_playlist_id
        channel_id = _channel_id(account)
        stats = self.fetch_accounts([channel_id]).accounts.get(channel_id)
        if stats is None:
            raise self._error(NotFound, f"YouTube channel {channel_id!r} not found")
        if not stats.uploads_playlist_id:
            raise self._error(NotFound, f"YouTube channel {channel_id!r} has no uploads playlist")
        return stats.uploads_playlist_id

    def _channel_stats(self, item: Any) -> AccountStats | None:
        item = as_dict(item)
        channel_id = to_str(item.get("id"))
        if not channel_id:
            return None
        snippet = as_dict(item.get("snippet"))
        statistics = as_dict(item.get("statistics"))
        uploads = as_dict(as_dict(item.get("contentDetails")).get("relatedPlaylists"))
        hidden = statistics.get("hiddenSubscriberCount") in (True, "true", "True")
        handle = to_str(snippet.get("customUrl")).lstrip("@") or None
        profile_url = (
            f"https://www.youtube.com/@{handle}"
            if handle
            else f"https://www.youtube.com/channel/{channel_id}"
        )
        return AccountStats(
            platform=self.platform,
            external_id=channel_id,
            handle=handle,
            display_name=to_str(snippet.get("title")),
            followers=None if hidden else to_int(statistics.get("subscriberCount")),
            posts_count=to_int(statistics.get("videoCount")),
            total_views=to_int(statistics.get("viewCount")),
            bio=to_str(snippet.get("description")),
            country=to_str(snippet.get("country")) or None,
            followers_hidden=hidden,
            uploads_playlist_id=to_str(uploads.get("uploads")) or None,
            profile_url=profile_url,
        )

    def _video_stats(self, item: Any) -> PostStats | None:
        item = as_dict(item)
        video_id = to_str(item.get("id"))
        if not video_id:
            return None
        snippet = as_dict(item.get("snippet"))
        statistics = as_dict(item.get("statistics"))
        duration = parse_iso_duration(as_dict(item.get("contentDetails")).get("duration"))
        # P0D (live or upcoming streams) and unknown durations are not Shorts.
        is_short = duration is not None and 0 < duration <= self.shorts_max_seconds
        likes = to_int(statistics.get("likeCount"))
        return PostStats(
            platform=self.platform,
            external_id=video_id,
            url=(
                f"https://www.youtube.com/shorts/{video_id}"
                if is_short
                else f"https://www.youtube.com/watch?v={video_id}"
            ),
            published_at=parse_datetime(snippet.get("publishedAt")),
            caption=to_str(snippet.get("title")),
            format="short" if is_short else "video",
            views=to_int(statistics.get("viewCount")),
            likes=likes,
            comments=to_int(statistics.get("commentCount")),
            likes_hidden=likes is None and "likeCount" not in statistics,
            duration_seconds=duration,
        )

    # -- HTTP --------------------------------------------------------------
    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        return self._request("GET", path, params={**params, "key": self._api_key})

    def _usage_for(self, response: httpx.Response) -> Usage:
        return Usage(platform=self.platform, requests=1, quota_units=1)

    def _raise_for_error(self, response: httpx.Response, body: Any) -> None:
        if response.is_success:
            return
        error = as_dict(as_dict(body).get("error"))
        status = response.status_code
        reasons = [to_str(as_dict(e).get("reason")) for e in as_list(error.get("errors"))]
        reasons += [to_str(as_dict(d).get("reason")) for d in as_list(error.get("details"))]
        reasons = [reason for reason in reasons if reason]
        message = to_str(error.get("message")) or f"HTTP {status}"
        code = next((r for r in reasons if r not in ("badRequest", "global")), None)
        code = code or (reasons[0] if reasons else to_str(error.get("status")) or None)
        details = {"status_code": status, "code": code}
        found = set(reasons)

        if found & QUOTA_REASONS:
            raise QuotaExceeded(
                next_pacific_midnight(self.now()),
                message=f"YouTube quota exceeded: {message}",
                platform=self.platform,
                **details,
            )
        if found & RATE_LIMIT_REASONS or status == 429:
            raise RateLimited(
                retry_after_seconds(response.headers),
                message=f"YouTube rate limit: {message}",
                platform=self.platform,
                **details,
            )
        if found & AUTH_REASONS or status == 401:
            raise self._error(AuthError, f"YouTube API key rejected: {message}", **details)
        if found & NOT_FOUND_REASONS or status == 404:
            raise self._error(NotFound, message, **details)
        if found & TRANSIENT_REASONS or status >= 500:
            raise self._error(
                TransientError,
                f"YouTube server error: {message}",
                retry_after_seconds=retry_after_seconds(response.headers),
                **details,
            )
        raise self._error(InvalidRequest, f"YouTube rejected the request: {message}", **details)


def _channel_id(key: AccountKey) -> str:
    if isinstance(key, AccountRef | AccountStats):
        return key.external_id
    return str(key).strip()
