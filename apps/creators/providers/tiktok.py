"""TikTok Display API client (a creator's own OAuth user access token).

The token decides whose data comes back: ``user/info`` always describes the
token's owner, and ``video/list`` lists the owner's videos.  So
``max_batch_size`` is 1 and ``fetch_accounts`` reports every key that is not
the token owner's open_id (or username) as not found.  The Research API is not
used.  ``exchange_code`` turns the creator's authorisation code into tokens and
``refresh_access_token`` renews an expired token.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

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
    retry_after_seconds,
    to_float,
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
    RateLimited,
    TransientError,
)

DEFAULT_BASE_URL = "https://open.tiktokapis.com"
USER_FIELDS = (
    "open_id,display_name,username,follower_count,following_count,likes_count,video_count,"
    "bio_description,profile_deep_link"
)
VIDEO_FIELDS = (
    "id,create_time,share_url,view_count,like_count,comment_count,share_count,"
    "video_description,title,duration"
)
MAX_VIDEOS_PER_PAGE = 20
MAX_IDS_PER_QUERY = 20

AUTH_CODES = {
    "access_token_invalid",
    "scope_not_authorized",
    "scope_permission_missed",
    "invalid_grant",
    "invalid_client",
    "unauthorized_client",
    "access_denied",
}
INVALID_CODES = {"invalid_params", "invalid_request", "unsupported_grant_type"}

_USERNAME = re.compile(r"^[A-Za-z0-9._]{2,24}$")


def parse_tiktok_handle(handle_or_url: str) -> str:
    """``@Name``, ``name`` or ``https://www.tiktok.com/@name`` -> ``'name'``."""
    text = (handle_or_url or "").strip()
    if re.match(r"^(?:[a-z]+\.)?tiktok\.com/", text, re.I):
        text = "https://" + text
    if "://" in text:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        if not (host == "tiktok.com" or host.endswith(".tiktok.com")):
            raise InvalidHandle(f"not a tiktok.com URL: {text!r}", platform="tiktok")
        if host.startswith(("vm.", "vt.")):
            raise InvalidHandle(
                f"TikTok short link {text!r}: open it and paste the profile URL", platform="tiktok"
            )
        segments = [unquote(s) for s in parts.path.split("/") if s]
        if not segments or not segments[0].startswith("@"):
            raise InvalidHandle(f"no @handle in TikTok URL: {text!r}", platform="tiktok")
        text = segments[0]
    name = text[1:] if text.startswith("@") else text
    if not _USERNAME.match(name):
        raise InvalidHandle(f"not a TikTok username: {handle_or_url!r}", platform="tiktok")
    return name.lower()


@dataclass(frozen=True)
class TokenGrant:
    """Tokens returned by ``POST /v2/oauth/token/``; expiries are aware UTC."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime | None
    refresh_expires_at: datetime | None
    open_id: str | None
    scopes: tuple[str, ...]
    token_type: str


class _TikTokBase(HttpProviderBase):
    platform = "tiktok"

    def _raise_for_error(self, response: httpx.Response, body: Any) -> None:
        body = as_dict(body)
        error = body.get("error")
        status = response.status_code
        if isinstance(error, str):  # OAuth endpoints: {"error": "...", "error_description"}
            code, message = error, to_str(body.get("error_description"))
            log_id = to_str(body.get("log_id")) or None
        else:
            error = as_dict(error)
            code, message = to_str(error.get("code")), to_str(error.get("message"))
            log_id = to_str(error.get("log_id")) or None
        if (not code or code == "ok") and response.is_success:
            return
        message = message or code or f"HTTP {status}"
        details = {"status_code": status, "code": code or None, "trace_id": log_id}

        if code == "rate_limit_exceeded" or status == 429:
            raise RateLimited(
                retry_after_seconds(response.headers),
                message=f"TikTok rate limit: {message}",
                platform=self.platform,
                **details,
            )
        if code in AUTH_CODES or status == 401:
            raise self._error(AuthError, f"TikTok authorisation failed: {message}", **details)
        if code in INVALID_CODES:
            raise self._error(InvalidRequest, f"TikTok rejected the request: {message}", **details)
        if code == "internal_error" or status >= 500:
            raise self._error(TransientError, f"TikTok server error: {message}", **details)
        if status == 404:
            raise self._error(NotFound, message, **details)
        raise self._error(InvalidRequest, f"TikTok error: {message}", **details)


class TikTokClient(_TikTokBase):
    """``ProviderClient`` for TikTok, bound to one creator's access token."""

    max_batch_size = 1

    def __init__(
        self,
        access_token: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        usage_callback: UsageCallback | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not access_token:
            raise ValueError("TikTokClient needs the creator's access token")
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            http_client=http_client,
            transport=transport,
            usage_callback=usage_callback,
            clock=clock,
        )
        self._access_token = access_token

    # -- ProviderClient ----------------------------------------------------
    @tracks_usage
    def resolve(self, handle_or_url: str) -> AccountRef:
        """Checks that the token belongs to that handle (TikTok has no public lookup)."""
        handle = parse_tiktok_handle(handle_or_url)
        user = self.fetch_user()
        if user.handle and user.handle.lower() != handle:
            raise self._error(
                NotFound, f"the connected TikTok account is @{user.handle}, not @{handle}"
            )
        return user.to_ref()

    @tracks_usage
    def fetch_accounts(self, external_ids: Iterable[AccountKey]) -> AccountBatch:
        keys = unique(_lookup_key(key) for key in external_ids)
        batch = AccountBatch()
        if not keys:
            return batch
        user = self.fetch_user()
        for key in keys:
            handle = (user.handle or "").lower()
            if key == user.external_id or (handle and key.lstrip("@").lower() == handle):
                batch.accounts[key] = user
            else:
                batch.not_found.add(key)
        return batch

    @tracks_usage
    def fetch_user(self) -> AccountStats:
        """``GET /v2/user/info/``: the token owner's profile and counters."""
        data = self._call("GET", "/v2/user/info/", params={"fields": USER_FIELDS})
        user = as_dict(data.get("user"))
        open_id = to_str(user.get("open_id"))
        if not open_id:
            raise self._error(TransientError, "TikTok user/info reply has no open_id")
        handle = to_str(user.get("username")) or None
        return AccountStats(
            platform=self.platform,
            external_id=open_id,
            handle=handle,
            display_name=to_str(user.get("display_name")),
            followers=to_int(user.get("follower_count")),
            following=to_int(user.get("following_count")),
            posts_count=to_int(user.get("video_count")),
            total_likes=to_int(user.get("likes_count")),
            bio=to_str(user.get("bio_description")),
            profile_url=(
                f"https://www.tiktok.com/@{handle}"
                if handle
                else to_str(user.get("profile_deep_link")) or None
            ),
        )

    @tracks_usage
    def fetch_recent_posts(
        self, account: AccountKey | None = None, limit: int = 12
    ) -> list[PostStats]:
        """Newest videos of the token's owner (``account`` is not sent: the token
        decides), paging ``POST /v2/video/list/`` 20 at a time."""
        posts: list[PostStats] = []
        cursor: Any = None
        while len(posts) < limit:
            payload: dict[str, Any] = {"max_count": min(MAX_VIDEOS_PER_PAGE, limit - len(posts))}
            if cursor is not None:
                payload["cursor"] = cursor
            data = self._call(
                "POST", "/v2/video/list/", params={"fields": VIDEO_FIELDS}, json=payload
            )
            page = [self._video_stats(v) for v in as_list(data.get("videos"))]
            posts.extend(p for p in page if p is not None)
            next_cursor = data.get("cursor")
            if data.get("has_more") is not True or not page or next_cursor in (None, cursor):
                break
            cursor = next_cursor
        return posts[:limit]

    @tracks_usage
    def fetch_posts(self, post_ids: Iterable[str]) -> list[PostStats]:
        """``POST /v2/video/query/`` (20 ids a call); unknown ids are left out."""
        ids = unique(str(p).strip() for p in post_ids if p)
        found: dict[str, PostStats] = {}
        for chunk in chunked(ids, MAX_IDS_PER_QUERY):
            data = self._call(
                "POST",
                "/v2/video/query/",
                params={"fields": VIDEO_FIELDS},
                json={"filters": {"video_ids": list(chunk)}},
            )
            for video in as_list(data.get("videos")):
                post = self._video_stats(video)
                if post is not None:
                    found[post.external_id] = post
        return [found[i] for i in ids if i in found]

    # -- parsing / HTTP ----------------------------------------------------
    def _video_stats(self, item: Any) -> PostStats | None:
        item = as_dict(item)
        video_id = to_str(item.get("id"))
        if not video_id:
            return None
        created = to_int(item.get("create_time"))
        return PostStats(
            platform=self.platform,
            external_id=video_id,
            url=to_str(item.get("share_url")) or None,
            published_at=parse_datetime(created) if created is not None else None,
            caption=to_str(item.get("video_description")) or to_str(item.get("title")),
            format="video",
            views=to_int(item.get("view_count")),
            likes=to_int(item.get("like_count")),
            comments=to_int(item.get("comment_count")),
            shares=to_int(item.get("share_count")),
            duration_seconds=to_float(item.get("duration")),
        )

    def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._access_token}"}
        body = self._request(method, path, headers=headers, **kwargs)
        return as_dict(body.get("data"))


class TikTokOAuthClient(_TikTokBase):
    """Token endpoint client (needs the app's client key/secret, no user token)."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        usage_callback: UsageCallback | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            http_client=http_client,
            transport=transport,
            usage_callback=usage_callback,
            clock=clock,
        )

    @tracks_usage
    def refresh_access_token(
        self, client_key: str, client_secret: str, refresh_token: str
    ) -> TokenGrant:
        """``POST /v2/oauth/token/`` with ``grant_type=refresh_token``.

        A revoked or expired refresh token raises ``AuthError`` (reconnect)."""
        now = self.now()
        body = self._request(
            "POST",
            "/v2/oauth/token/",
            data={
                "client_key": client_key,
                "client_secret": client_secret,
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
            },
            headers={"Cache-Control": "no-cache"},
        )
        return self._grant(body, now)

    @tracks_usage
    def exchange_code(
        self, client_key: str, client_secret: str, code: str, redirect_uri: str
    ) -> TokenGrant:
        """``POST /v2/oauth/token/`` with ``grant_type=authorization_code``: the code the
        creator's browser brought back from TikTok's authorize page, for their tokens.

        A used, expired or foreign code raises ``AuthError`` or ``InvalidRequest``."""
        now = self.now()
        body = self._request(
            "POST",
            "/v2/oauth/token/",
            data={
                "client_key": client_key,
                "client_secret": client_secret,
                "code": code,
                "grant_type": "authorization_code",
                "redirect_uri": redirect_uri,
            },
            headers={"Cache-Control": "no-cache"},
        )
        return self._grant(body, now)

    def _grant(self, body: Any, now: datetime) -> TokenGrant:
        body = as_dict(body)
        body = as_dict(body.get("data")) if "access_token" not in body else body
        access_token = to_str(body.get("access_token"))
        if not access_token:
            raise self._error(TransientError, "TikTok token reply has no access_token")
        expires_in = to_int(body.get("expires_in"))
        refresh_expires_in = to_int(body.get("refresh_expires_in"))
        return TokenGrant(
            access_token=access_token,
            refresh_token=to_str(body.get("refresh_token")) or None,
            expires_at=now + timedelta(seconds=expires_in) if expires_in is not None else None,
            refresh_expires_at=(
                now + timedelta(seconds=refresh_expires_in)
                if refresh_expires_in is not None
                else None
            ),
            open_id=to_str(body.get("open_id")) or None,
            scopes=tuple(s for s in to_str(body.get("scope")).replace(" ", "").split(",") if s),
            token_type=to_str(body.get("token_type")) or "Bearer",
        )


def refresh_access_token(
    client_key: str, client_secret: str, refresh_token: str, **client_kwargs: Any
) -> TokenGrant:
    """One-shot helper; ``client_kwargs`` go to :class:`TikTokOAuthClient`."""
    with TikTokOAuthClient(**client_kwargs) as oauth:
        return oauth.refresh_access_token(client_key, client_secret, refresh_token)


def _lookup_key(key: AccountKey) -> str:
    if isinstance(key, AccountRef | AccountStats):
        return key.external_id
    return str(key).strip()
