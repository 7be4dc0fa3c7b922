"""Parse and normalise social profile handles and post URLs.

Pure functions: strings in, small frozen dataclasses out, no Django and no I/O.
Everything a user types or pastes (a bare handle, a profile URL copied from the
address bar, a post URL) goes through here before it reaches the database, so
that ``instagram.com/Jane.Doe/?hl=en`` and ``@jane.doe`` end up as the same
social account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, unquote, urlsplit


class Platform(StrEnum):
    INSTAGRAM = "instagram"
    TIKTOK = "tiktok"
    YOUTUBE = "youtube"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Platform.INSTAGRAM: "Instagram",
    Platform.TIKTOK: "TikTok",
    Platform.YOUTUBE: "YouTube",
}


class InvalidSocialInput(ValueError):
    """Base class: ``message`` is written for the person who typed the value."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidHandle(InvalidSocialInput):
    pass


class InvalidPostUrl(InvalidSocialInput):
    pass


@dataclass(frozen=True)
class ProfileRef:
    platform: Platform
    # Normalised (lowercase, no "@"). Empty for a YouTube /channel/ URL, which
    # only carries the channel id; for the legacy /c/<name> and /user/<name>
    # URLs it is that name, and profile_url keeps the legacy form because the
    # name is not necessarily the channel's @handle.
    handle: str
    profile_url: str
    external_id: str = ""

    @property
    def has_real_handle(self) -> bool:
        """False when the handle is a YouTube channel id standing in for the unknown @handle."""
        return bool(self.handle) and self.handle != self.external_id


@dataclass(frozen=True)
class PostRef:
    platform: Platform
    post_id: str
    url: str


NOT_A_PROFILE_URL = "Not an Instagram, TikTok or YouTube profile URL"
NOT_A_POST_URL = "Not an Instagram, TikTok or YouTube post URL"

_HOSTS = {
    "instagram.com": Platform.INSTAGRAM,
    "www.instagram.com": Platform.INSTAGRAM,
    "m.instagram.com": Platform.INSTAGRAM,
    "instagr.am": Platform.INSTAGRAM,
    "www.instagr.am": Platform.INSTAGRAM,
    "tiktok.com": Platform.TIKTOK,
    "www.tiktok.com": Platform.TIKTOK,
    "m.tiktok.com": Platform.TIKTOK,
    "vm.tiktok.com": Platform.TIKTOK,
    "vt.tiktok.com": Platform.TIKTOK,
    "youtube.com": Platform.YOUTUBE,
    "www.youtube.com": Platform.YOUTUBE,
    "m.youtube.com": Platform.YOUTUBE,
    "youtu.be": Platform.YOUTUBE,
    "www.youtu.be": Platform.YOUTUBE,
}
_TIKTOK_SHORT_HOSTS = {"vm.tiktok.com", "vt.tiktok.com"}
_YOUTUBE_SHORT_HOSTS = {"youtu.be", "www.youtu.be"}

_PLATFORM_ALIASES = {
    "instagram": Platform.INSTAGRAM,
    "ig": Platform.INSTAGRAM,
    "insta": Platform.INSTAGRAM,
    "tiktok": Platform.TIKTOK,
    "tik tok": Platform.TIKTOK,
    "tt": Platform.TIKTOK,
    "youtube": Platform.YOUTUBE,
    "you tube": Platform.YOUTUBE,
    "yt": Platform.YOUTUBE,
}


@dataclass(frozen=True)
class _HandleRule:
    pattern: re.Pattern[str]
    min_length: int
    max_length: int
    characters: str


_HANDLE_RULES = {
    Platform.INSTAGRAM: _HandleRule(
        re.compile(r"[a-z0-9._]+"), 1, 30, "letters, numbers, periods and underscores"
    ),
    Platform.TIKTOK: _HandleRule(
        re.compile(r"[a-z0-9_.]+"), 2, 24, "letters, numbers, underscores and periods"
    ),
    Platform.YOUTUBE: _HandleRule(
        re.compile(r"[a-z0-9_.-]+"),
        3,
        30,
        "letters, numbers, underscores, hyphens and periods",
    ),
}

# First path segments on instagram.com that are pages, not profiles.
_INSTAGRAM_RESERVED = {
    "about",
    "accounts",
    "api",
    "challenge",
    "developer",
    "direct",
    "emails",
    "explore",
    "legal",
    "session",
    "stories",
    "web",
}
_INSTAGRAM_POST_KINDS = {"p", "reel", "reels", "tv"}
_TIKTOK_POST_KINDS = {"video", "photo"}
_YOUTUBE_VIDEO_PATHS = {"watch", "shorts", "live", "embed", "v"}
_YOUTUBE_CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_YOUTUBE_LEGACY_NAME = re.compile(r"[a-z0-9_.-]{1,100}")
_YOUTUBE_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_INSTAGRAM_SHORTCODE = re.compile(r"[A-Za-z0-9_-]{5,64}")
_TIKTOK_POST_ID = re.compile(r"[0-9]{5,25}")


def parse_platform(value: Platform | str) -> Platform:
    """``"Instagram"``, ``" tiktok "``, ``"YT"`` … → Platform."""
    if isinstance(value, Platform):
        return value
    platform = _PLATFORM_ALIASES.get(" ".join(str(value).split()).lower())
    if platform is None:
        raise InvalidHandle(
            f"'{value}' is not a supported platform: use Instagram, TikTok or YouTube"
        )
    return platform


def normalise_handle(value: str, platform: Platform | str) -> str:
    """Strip "@" and surrounding spaces, lowercase, validate for the platform."""
    platform = parse_platform(platform)
    handle = value.strip().removeprefix("@").lower()
    _check_handle(handle, platform)
    return handle


def parse_profile(value: str, platform: Platform | str | None = None) -> ProfileRef:
    """A profile URL, or a bare handle when ``platform`` is given → ProfileRef.

    Raises InvalidHandle with a message fit to show next to the form field.
    """
    expected = parse_platform(platform) if platform not in (None, "") else None
    value = (value or "").strip()
    if not value:
        raise InvalidHandle("Enter a handle or a profile URL")
    if not _looks_like_url(value):
        if expected is None:
            raise InvalidHandle(
                "Choose the platform (Instagram, TikTok or YouTube) for a bare handle, "
                "or paste the full profile URL"
            )
        handle = normalise_handle(value, expected)
        return ProfileRef(expected, handle, _profile_url(expected, handle))

    url_platform, host, segments, _query = _split_url(value, NOT_A_PROFILE_URL, InvalidHandle)
    if expected is not None and url_platform != expected:
        raise InvalidHandle(
            f"This is a {url_platform.label} URL, but the platform is {expected.label}"
        )
    if url_platform is Platform.INSTAGRAM:
        return _instagram_profile(segments)
    if url_platform is Platform.TIKTOK:
        return _tiktok_profile(host, segments)
    return _youtube_profile(host, segments)


def parse_post_url(url: str) -> PostRef:
    """A post/reel/video URL → PostRef with the platform's post id.

    Raises InvalidPostUrl with a message fit to show next to the form field.
    """
    url = (url or "").strip()
    if not url:
        raise InvalidPostUrl("Enter the URL of a post")
    if not _looks_like_url(url):
        raise InvalidPostUrl(NOT_A_POST_URL)
    platform, host, segments, query = _split_url(url, NOT_A_POST_URL, InvalidPostUrl)
    if platform is Platform.INSTAGRAM:
        return _instagram_post(segments)
    if platform is Platform.TIKTOK:
        return _tiktok_post(host, segments)
    return _youtube_post(host, segments, query)


# --- profiles ---------------------------------------------------------------


def _instagram_profile(segments: list[str]) -> ProfileRef:
    if not segments:
        raise InvalidHandle("This Instagram URL has no handle in it")
    first = segments[0].lower()
    if first in _INSTAGRAM_POST_KINDS or (
        len(segments) > 1 and segments[1].lower() in {"p", "reel", "tv"}
    ):
        raise InvalidHandle(
            "This is a link to an Instagram post, not a profile: paste the profile URL, "
            "e.g. https://www.instagram.com/handle/"
        )
    if first in _INSTAGRAM_RESERVED:
        raise InvalidHandle(
            "Not an Instagram profile URL: profile URLs look like https://www.instagram.com/handle/"
        )
    handle = normalise_handle(segments[0], Platform.INSTAGRAM)
    return ProfileRef(Platform.INSTAGRAM, handle, _profile_url(Platform.INSTAGRAM, handle))


def _tiktok_profile(host: str, segments: list[str]) -> ProfileRef:
    if host in _TIKTOK_SHORT_HOSTS or (segments and segments[0] == "t"):
        raise InvalidHandle(
            "TikTok short links can't be read: open the link and paste the profile URL "
            "from the address bar (https://www.tiktok.com/@handle)"
        )
    if not segments:
        raise InvalidHandle("This TikTok URL has no handle in it")
    if not segments[0].startswith("@"):
        raise InvalidHandle(
            "Not a TikTok profile URL: profile URLs look like https://www.tiktok.com/@handle"
        )
    if len(segments) > 1 and segments[1].lower() in _TIKTOK_POST_KINDS:
        raise InvalidHandle(
            "This is a link to a TikTok video, not a profile: paste the profile URL, "
            "e.g. https://www.tiktok.com/@handle"
        )
    handle = normalise_handle(segments[0], Platform.TIKTOK)
    return ProfileRef(Platform.TIKTOK, handle, _profile_url(Platform.TIKTOK, handle))


def _youtube_profile(host: str, segments: list[str]) -> ProfileRef:
    if host in _YOUTUBE_SHORT_HOSTS or (segments and segments[0].lower() in _YOUTUBE_VIDEO_PATHS):
        raise InvalidHandle(
            "This is a link to a YouTube video, not a channel: paste the channel URL, "
            "e.g. https://www.youtube.com/@handle"
        )
    if not segments:
        raise InvalidHandle("This YouTube URL has no channel in it")
    first = segments[0]
    if first.startswith("@"):
        handle = normalise_handle(first, Platform.YOUTUBE)
        return ProfileRef(Platform.YOUTUBE, handle, _profile_url(Platform.YOUTUBE, handle))
    kind = first.lower()
    if kind == "channel":
        channel_id = segments[1] if len(segments) > 1 else ""
        if not _YOUTUBE_CHANNEL_ID.fullmatch(channel_id):
            raise InvalidHandle(
                "YouTube channel ids start with UC followed by 22 letters, numbers, "
                "hyphens or underscores"
            )
        # Until the refresher learns the @handle, the channel id stands in for it: accounts
        # are unique per (workspace, platform, handle), so an empty handle would allow one.
        return ProfileRef(
            Platform.YOUTUBE,
            channel_id,
            f"https://www.youtube.com/channel/{channel_id}",
            external_id=channel_id,
        )
    if kind in {"c", "user"}:
        name = segments[1].lower() if len(segments) > 1 else ""
        if not _YOUTUBE_LEGACY_NAME.fullmatch(name):
            raise InvalidHandle(
                f"This YouTube /{kind}/ URL has no valid channel name in it: channel names "
                "can only contain letters, numbers, underscores, hyphens and periods"
            )
        return ProfileRef(Platform.YOUTUBE, name, f"https://www.youtube.com/{kind}/{name}")
    if kind == "playlist":
        raise InvalidHandle("This is a link to a YouTube playlist, not a channel")
    raise InvalidHandle(
        "Not a YouTube channel URL: channel URLs look like https://www.youtube.com/@handle "
        "or https://www.youtube.com/channel/UC…"
    )


# --- posts ------------------------------------------------------------------


def _instagram_post(segments: list[str]) -> PostRef:
    # /p/<code>/, /reel/<code>/, /tv/<code>/, and the same after a /<user>/ prefix.
    if len(segments) >= 3 and segments[1].lower() in _INSTAGRAM_POST_KINDS:
        segments = segments[1:]
    kind = segments[0].lower() if segments else ""
    if kind not in _INSTAGRAM_POST_KINDS:
        raise InvalidPostUrl(
            "This Instagram URL is not a post: post URLs look like "
            "https://www.instagram.com/p/<code>/ or https://www.instagram.com/reel/<code>/"
        )
    code = segments[1] if len(segments) > 1 else ""
    if not _INSTAGRAM_SHORTCODE.fullmatch(code):
        raise InvalidPostUrl("This Instagram post URL has no valid post code in it")
    kind = "reel" if kind == "reels" else kind
    return PostRef(Platform.INSTAGRAM, code, f"https://www.instagram.com/{kind}/{code}/")


def _tiktok_post(host: str, segments: list[str]) -> PostRef:
    if host in _TIKTOK_SHORT_HOSTS or (segments and segments[0] == "t"):
        raise InvalidPostUrl(
            "TikTok short links can't be read: open the link and paste the video URL "
            "from the address bar (https://www.tiktok.com/@handle/video/…)"
        )
    if (
        len(segments) < 3
        or not segments[0].startswith("@")
        or segments[1].lower() not in _TIKTOK_POST_KINDS
    ):
        raise InvalidPostUrl(
            "This TikTok URL is not a video: video URLs look like "
            "https://www.tiktok.com/@handle/video/1234567890123456789"
        )
    if not _TIKTOK_POST_ID.fullmatch(segments[2]):
        raise InvalidPostUrl("This TikTok video URL has no valid video id in it")
    try:
        handle = normalise_handle(segments[0], Platform.TIKTOK)
    except InvalidHandle as exc:
        raise InvalidPostUrl(exc.message) from None
    kind = segments[1].lower()
    post_id = segments[2]
    return PostRef(Platform.TIKTOK, post_id, f"https://www.tiktok.com/@{handle}/{kind}/{post_id}")


def _youtube_post(host: str, segments: list[str], query: str) -> PostRef:
    shorts = False
    if host in _YOUTUBE_SHORT_HOSTS:
        video_id = segments[0] if segments else ""
    elif segments and segments[0].lower() == "watch":
        video_id = (parse_qs(query).get("v") or [""])[0]
    elif segments and segments[0].lower() in {"shorts", "live", "embed", "v"}:
        shorts = segments[0].lower() == "shorts"
        video_id = segments[1] if len(segments) > 1 else ""
    else:
        raise InvalidPostUrl(
            "This YouTube URL is not a video: video URLs look like "
            "https://www.youtube.com/watch?v=…, https://youtu.be/… or "
            "https://www.youtube.com/shorts/…"
        )
    if not _YOUTUBE_VIDEO_ID.fullmatch(video_id):
        raise InvalidPostUrl("This YouTube URL has no valid video id in it")
    if shorts:
        return PostRef(Platform.YOUTUBE, video_id, f"https://www.youtube.com/shorts/{video_id}")
    return PostRef(Platform.YOUTUBE, video_id, f"https://www.youtube.com/watch?v={video_id}")


# --- helpers ----------------------------------------------------------------


def _looks_like_url(value: str) -> bool:
    if "/" in value or "://" in value:
        return True
    host = value.lower().split("?", 1)[0].split("#", 1)[0]
    return host in _HOSTS


def _split_url(
    value: str, not_supported: str, error: type[InvalidSocialInput]
) -> tuple[Platform, str, list[str], str]:
    """→ (platform, host, decoded non-empty path segments, query string)."""
    if value.startswith("//"):
        value = "https:" + value
    elif "://" not in value:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        raise error(not_supported) from None
    platform = _HOSTS.get(host)
    if parts.scheme.lower() not in {"http", "https"} or platform is None:
        raise error(not_supported)
    segments = [unquote(s).strip() for s in parts.path.split("/")]
    return platform, host, [s for s in segments if s], parts.query


def _check_handle(handle: str, platform: Platform) -> None:
    rule = _HANDLE_RULES[platform]
    label = platform.label
    if not handle:
        raise InvalidHandle(f"The {label} handle is empty")
    if not rule.pattern.fullmatch(handle):
        raise InvalidHandle(f"{label} handles can only contain {rule.characters}")
    if not rule.min_length <= len(handle) <= rule.max_length:
        if rule.min_length == 1:
            raise InvalidHandle(f"{label} handles can be at most {rule.max_length} characters")
        raise InvalidHandle(
            f"{label} handles must be {rule.min_length}–{rule.max_length} characters long"
        )


def _profile_url(platform: Platform, handle: str) -> str:
    if platform is Platform.INSTAGRAM:
        return f"https://www.instagram.com/{handle}/"
    if platform is Platform.TIKTOK:
        return f"https://www.tiktok.com/@{handle}"
    return f"https://www.youtube.com/@{handle}"
