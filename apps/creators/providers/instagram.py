"""Instagram Graph API client: ``business_discovery`` through our own IG
business account (``ig_user_id`` + its access token).

Only Business/Creator accounts can be looked up, one username per call, so
``fetch_accounts`` takes usernames (Graph cannot look other accounts up by
id).  The profile call also returns recent media: ``AccountStats.recent_posts``
holds them, so a refresh needs one call per account.

Rate limits are reported through ``Usage.app_usage`` /
``Usage.business_use_case_usage`` (parsed from the ``X-App-Usage`` and
``X-Business-Use-Case-Usage`` headers of every reply).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable
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
    BusinessUseCaseUsage,
    InvalidHandle,
    InvalidRequest,
    NotFound,
    PostStats,
    RateLimited,
    TransientError,
    Usage,
)

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_API_VERSION = "v24.0"
PROFILE_FIELDS = "id,username,name,biography,followers_count,follows_count,media_count"
MEDIA_FIELDS = (
    "id,like_count,comments_count,timestamp,permalink,media_type,media_product_type,caption"
)

RATE_LIMIT_CODES = {4, 17, 32, 613} | set(range(80001, 80015))  # 8000x: BUC throttles
TOKEN_CODES = {190, 102, 463, 467}
NOT_FOUND_CODES = {110}
NOT_FOUND_SUBCODES = {2207013, 33}
TRANSIENT_CODES = {1, 2}
_NOT_FOUND_TEXT = re.compile(r"cannot be found|invalid user|does not exist|not found", re.I)

_USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")
_RESERVED_PATHS = {"p", "reel", "reels", "tv", "explore", "accounts", "direct", "about", "legal"}

FORMATS = {"CAROUSEL_ALBUM": "carousel", "IMAGE": "photo", "VIDEO": "video"}


def parse_instagram_handle(handle_or_url: str) -> str:
    """``@Name``, ``name`` or ``https://instagram.com/name/`` -> ``'name'``."""
    text = (handle_or_url or "").strip()
    if re.match(r"^(?:[a-z]+\.)?(?:instagram\.com|instagr\.am)/", text, re.I):
        text = "https://" + text
    if "://" in text:
        parts = urlsplit(text)
        host = (parts.hostname or "").lower()
        if host not in ("instagr.am",) and not (
            host == "instagram.com" or host.endswith(".instagram.com")
        ):
            raise InvalidHandle(f"not an instagram.com URL: {text!r}", platform="instagram")
        segments = [unquote(s) for s in parts.path.split("/") if s]
        if segments and segments[0] in ("stories", "_u") and len(segments) > 1:
            segments = segments[1:]
        if not segments or segments[0].lower() in _RESERVED_PATHS:
            raise InvalidHandle(f"no profile in Instagram URL: {text!r}", platform="instagram")
        text = segments[0]
    name = text[1:] if text.startswith("@") else text
    if not _USERNAME.match(name):
        raise InvalidHandle(f"not an Instagram username: {handle_or_url!r}", platform="instagram")
    return name.lower()


def parse_usage_headers(headers: httpx.Headers, platform: str = "instagram") -> Usage:
    """One request's ``Usage`` from Meta's ``X-App-Usage`` and
    ``X-Business-Use-Case-Usage`` headers (missing or malformed -> empty)."""
    app_usage: dict[str, float] = {}
    for key, value in as_dict(_json_header(headers, "x-app-usage")).items():
        number = to_float(value)
        if number is not None:
            app_usage[str(key)] = number
    entries = []
    for business_id, items in as_dict(_json_header(headers, "x-business-use-case-usage")).items():
        for item in as_list(items):
            item = as_dict(item)
            entries.append(
                BusinessUseCaseUsage(
                    business_id=str(business_id),
                    type=to_str(item.get("type")) or None,
                    call_count=to_float(item.get("call_count")),
                    total_cputime=to_float(item.get("total_cputime")),
                    total_time=to_float(item.get("total_time")),
                    estimated_time_to_regain_access=to_int(
                        item.get("estimated_time_to_regain_access")
                    ),
                )
            )
    percents = list(app_usage.values())
    for entry in entries:
        percents += [
            p for p in (entry.call_count, entry.total_cputime, entry.total_time) if p is not None
        ]
    waits = [
        e.estimated_time_to_regain_access
        for e in entries
        if e.estimated_time_to_regain_access is not None
    ]
    return Usage(
        platform=platform,
        requests=1,
        app_usage=app_usage,
        business_use_case_usage=tuple(entries),
        max_percent=max(percents) if percents else None,
        estimated_time_to_regain_access=max(waits) if waits else None,
    )


def _json_header(headers: httpx.Headers, name: str) -> Any:
    raw = headers.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


class InstagramClient(HttpProviderBase):
    """``ProviderClient`` for Instagram.  Lookup keys are usernames."""

    platform = "instagram"
    max_batch_size = 1

    def __init__(
        self,
        ig_user_id: str,
        access_token: str,
        *,
        api_version: str = DEFAULT_API_VERSION,
        base_url: str = DEFAULT_BASE_URL,
        app_secret: str | None = None,
        media_limit: int = 12,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        usage_callback: UsageCallback | None = None,
        clock: Clock | None = None,
    ) -> None:
        if not ig_user_id or not access_token:
            raise ValueError("InstagramClient needs our IG user id and an access token")
        super().__init__(
            base_url=base_url,
            timeout=timeout,
            http_client=http_client,
            transport=transport,
            usage_callback=usage_callback,
            clock=clock,
        )
        self.ig_user_id = str(ig_user_id)
        self.api_version = api_version if api_version.startswith("v") else f"v{api_version}"
        self.media_limit = media_limit
        self._access_token = access_token
        self._appsecret_proof = (
            hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()
            if app_secret
            else None
        )

    # -- ProviderClient ----------------------------------------------------
    @tracks_usage
    def resolve(self, handle_or_url: str) -> AccountRef:
        return self._discover(parse_instagram_handle(handle_or_url), media_limit=0).to_ref()

    @tracks_usage
    def fetch_accounts(self, external_ids: Iterable[AccountKey]) -> AccountBatch:
        """One call per username; each result carries its ``recent_posts``."""
        batch = AccountBatch()
        for key in unique(_lookup_key(k) for k in external_ids):
            try:
                batch.accounts[key] = self._discover(
                    parse_instagram_handle(key), media_limit=self.media_limit
                )
            except NotFound:
                batch.not_found.add(key)
        return batch

    @tracks_usage
    def fetch_recent_posts(self, account: AccountKey, limit: int = 12) -> list[PostStats]:
        if limit <= 0:
            return []
        username = parse_instagram_handle(_lookup_key(account))
        return list(self._discover(username, media_limit=limit).recent_posts[:limit])

    @tracks_usage
    def fetch_posts(self, post_ids: Iterable[str]) -> list[PostStats]:
        """``GET /{media-id}``, one call per id.  Only works for media the token
        may read (our own, or a creator's own token); others are left out."""
        posts = []
        for media_id in unique(str(p).strip() for p in post_ids if p):
            if not media_id.isdecimal():
                raise self._error(InvalidRequest, f"not an Instagram media id: {media_id!r}")
            try:
                body = self._get(f"/{media_id}", {"fields": MEDIA_FIELDS})
            except NotFound:
                continue
            post = self._media_stats(body)
            if post is not None:
                posts.append(post)
        return posts

    # -- parsing -----------------------------------------------------------
    def _discover(self, username: str, *, media_limit: int) -> AccountStats:
        subfields = PROFILE_FIELDS
        if media_limit > 0:
            subfields += f",media.limit({media_limit}){{{MEDIA_FIELDS}}}"
        fields = f"business_discovery.username({username}){{{subfields}}}"
        try:
            body = self._get(f"/{self.ig_user_id}", {"fields": fields})
        except NotFound as exc:
            raise self._error(
                NotFound,
                f"Instagram account @{username} not found or not a Business/Creator account",
                status_code=exc.status_code,
                code=exc.code,
                trace_id=exc.trace_id,
            ) from exc
        found = body.get("business_discovery")
        if not isinstance(found, dict) or not to_str(found.get("id")):
            raise self._error(TransientError, f"reply for @{username} has no business_discovery id")
        handle = to_str(found.get("username")) or username
        posts = [self._media_stats(m) for m in as_list(as_dict(found.get("media")).get("data"))]
        return AccountStats(
            platform=self.platform,
            external_id=to_str(found.get("id")),
            handle=handle,
            display_name=to_str(found.get("name")),
            followers=to_int(found.get("followers_count")),
            following=to_int(found.get("follows_count")),
            posts_count=to_int(found.get("media_count")),
            bio=to_str(found.get("biography")),
            profile_url=f"https://www.instagram.com/{handle}/",
            recent_posts=tuple(p for p in posts if p is not None),
        )

    def _media_stats(self, item: Any) -> PostStats | None:
        item = as_dict(item)
        media_id = to_str(item.get("id"))
        if not media_id:
            return None
        product = to_str(item.get("media_product_type")).upper()
        media_type = to_str(item.get("media_type")).upper()
        if product == "REELS":
            post_format = "reel"
        elif product == "STORY":
            post_format = "story"
        else:
            post_format = FORMATS.get(media_type, "photo")
        likes = to_int(item.get("like_count"))
        # Owners can hide like counts: Graph then reports 0, which means unknown.
        likes_hidden = likes == 0
        return PostStats(
            platform=self.platform,
            external_id=media_id,
            url=to_str(item.get("permalink")) or None,
            published_at=parse_datetime(item.get("timestamp")),
            caption=to_str(item.get("caption")),
            format=post_format,
            likes=None if likes_hidden else likes,
            comments=to_int(item.get("comments_count")),
            likes_hidden=likes_hidden,
        )

    # -- HTTP --------------------------------------------------------------
    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        params = {**params, "access_token": self._access_token}
        if self._appsecret_proof:
            params["appsecret_proof"] = self._appsecret_proof
        return self._request("GET", f"/{self.api_version}{path}", params=params)

    def _usage_for(self, response: httpx.Response) -> Usage:
        return parse_usage_headers(response.headers, self.platform)

    def _raise_for_error(self, response: httpx.Response, body: Any) -> None:
        error = as_dict(body).get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return
        code = to_int(error.get("code"))
        subcode = to_int(error.get("error_subcode"))
        message = to_str(error.get("message")) or f"HTTP {response.status_code}"
        user_message = to_str(error.get("error_user_msg"))
        if user_message and user_message not in message:
            message = f"{message} ({user_message})"
        if subcode is not None:
            message = f"{message} [subcode {subcode}]"
        details = {
            "status_code": response.status_code,
            "code": code,
            "trace_id": to_str(error.get("fbtrace_id")) or None,
        }

        if code in RATE_LIMIT_CODES:
            wait = parse_usage_headers(response.headers).estimated_time_to_regain_access
            raise RateLimited(
                wait * 60 if wait else retry_after_seconds(response.headers),
                message=f"Instagram rate limit: {message}",
                platform=self.platform,
                **details,
            )
        if code in TOKEN_CODES:
            raise self._error(
                AuthError, f"Instagram token expired or invalid, reconnect: {message}", **details
            )
        if code is not None and (code in (3, 10) or 200 <= code <= 299):
            raise self._error(AuthError, f"Instagram permission missing: {message}", **details)
        if code in NOT_FOUND_CODES or (
            code == 100 and (subcode in NOT_FOUND_SUBCODES or bool(_NOT_FOUND_TEXT.search(message)))
        ):
            raise self._error(NotFound, message, **details)
        if error.get("is_transient") is True or code in TRANSIENT_CODES:
            raise self._error(TransientError, f"Instagram transient error: {message}", **details)
        if response.status_code >= 500:
            raise self._error(TransientError, f"Instagram server error: {message}", **details)
        raise self._error(InvalidRequest, f"Instagram rejected the request: {message}", **details)


def _lookup_key(key: AccountKey) -> str:
    if isinstance(key, AccountRef | AccountStats):
        if not key.handle:
            raise InvalidHandle("Instagram lookups need a username", platform="instagram")
        return key.handle
    return str(key).strip()
