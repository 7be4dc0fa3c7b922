"""Published-post URLs: which platform, which post, and the one canonical URL we store.

Pure (no Django, no network). Short links that only the platform can expand
(vm.tiktok.com, instagram share links) are refused with a message asking for the
full link, because resolving them would mean fetching a URL a user typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

MAX_LENGTH = 500

_IG_SHORTCODE = re.compile(r"^[A-Za-z0-9_-]{5,64}$")
_TIKTOK_ID = re.compile(r"^\d{8,25}$")
_TIKTOK_USER = re.compile(r"^@[\w.]{1,40}$")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")

INSTAGRAM_HOSTS = {"instagram.com", "www.instagram.com", "m.instagram.com", "instagr.am"}
TIKTOK_HOSTS = {"tiktok.com", "www.tiktok.com", "m.tiktok.com"}
TIKTOK_SHORT_HOSTS = {"vm.tiktok.com", "vt.tiktok.com"}
YOUTUBE_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}
YOUTUBE_SHORT_HOSTS = {"youtu.be", "www.youtu.be"}

PLATFORM_LABELS = {"instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube"}


class PostUrlError(ValueError):
    """The text is not a post URL we can read; the message says why, for the user."""


@dataclass(frozen=True)
class ParsedPost:
    platform: str
    platform_post_id: str
    url: str  # canonical


def parse_post_url(text: str) -> ParsedPost:
    """Parse a published post's URL into (platform, platform_post_id, canonical url)."""
    raw = (text or "").strip()
    if not raw:
        raise PostUrlError("Paste the post's link.")
    if len(raw) > MAX_LENGTH:
        raise PostUrlError(f"That link is longer than {MAX_LENGTH} characters.")
    if any(ch.isspace() for ch in raw):
        raise PostUrlError("A link cannot contain spaces.")
    if "://" not in raw:
        if re.match(r"^[a-z][a-z0-9+.-]*:", raw, re.I) and not re.match(r"^[\w.-]+\.\w+[:/]", raw):
            raise PostUrlError("Only http(s) links to Instagram, TikTok or YouTube are accepted.")
        raw = "https://" + raw
    try:
        parts = urlsplit(raw)
        host = (parts.hostname or "").lower().rstrip(".")
    except ValueError as exc:
        raise PostUrlError("That is not a valid link.") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise PostUrlError("Only http(s) links to Instagram, TikTok or YouTube are accepted.")
    if parts.username or parts.password:
        raise PostUrlError("That is not a valid link.")
    segments = [unquote(s) for s in parts.path.split("/") if s]

    if host in INSTAGRAM_HOSTS:
        return _instagram(segments)
    if host in TIKTOK_SHORT_HOSTS:
        raise PostUrlError(
            "TikTok short links (vm.tiktok.com) cannot be read without opening them: "
            "paste the full link (tiktok.com/@user/video/…) from the browser's address bar."
        )
    if host in TIKTOK_HOSTS:
        return _tiktok(segments)
    if host in YOUTUBE_HOSTS:
        return _youtube(segments, parse_qs(parts.query))
    if host in YOUTUBE_SHORT_HOSTS:
        if segments and _YOUTUBE_ID.match(segments[0]):
            return _youtube_post(segments[0])
        raise PostUrlError("No video in this youtu.be link.")
    raise PostUrlError("Only links to Instagram, TikTok or YouTube posts are accepted.")


def _instagram(segments: list[str]) -> ParsedPost:
    # /p/<code>/, /reel/<code>/, /reels/<code>/, /tv/<code>/, also /<user>/p/<code>/
    if segments and segments[0] == "share":
        raise PostUrlError(
            "Instagram share links cannot be read without opening them: "
            "paste the post's full link (instagram.com/p/… or /reel/…)."
        )
    if len(segments) >= 3 and segments[1] in ("p", "reel", "reels", "tv"):
        segments = segments[1:]
    if len(segments) >= 2 and segments[0] in ("p", "reel", "reels", "tv"):
        code = segments[1]
        if _IG_SHORTCODE.match(code):
            kind = "reel" if segments[0] in ("reel", "reels") else segments[0]
            return ParsedPost("instagram", code, f"https://www.instagram.com/{kind}/{code}/")
    if segments and segments[0] == "stories":
        raise PostUrlError("Instagram stories have no lasting link: enter their numbers by hand.")
    raise PostUrlError("This Instagram link does not point at a post (/p/…, /reel/… or /tv/…).")


def _tiktok(segments: list[str]) -> ParsedPost:
    # /@user/video/<id> (also /@user/photo/<id>)
    if (
        len(segments) >= 3
        and _TIKTOK_USER.match(segments[0])
        and segments[1] in ("video", "photo")
        and _TIKTOK_ID.match(segments[2])
    ):
        user, kind, video_id = segments[0], segments[1], segments[2]
        return ParsedPost("tiktok", video_id, f"https://www.tiktok.com/{user}/{kind}/{video_id}")
    if segments and segments[0] == "t":
        raise PostUrlError(
            "TikTok short links cannot be read without opening them: paste the full link "
            "(tiktok.com/@user/video/…)."
        )
    raise PostUrlError("This TikTok link does not point at a video (tiktok.com/@user/video/…).")


def _youtube(segments: list[str], query: dict[str, list[str]]) -> ParsedPost:
    if segments == ["watch"]:
        video_id = (query.get("v") or [""])[0]
        if _YOUTUBE_ID.match(video_id):
            return _youtube_post(video_id)
        raise PostUrlError("This YouTube link has no valid video id (watch?v=…).")
    if (
        len(segments) >= 2
        and segments[0] in ("shorts", "live", "embed", "v")
        and _YOUTUBE_ID.match(segments[1])
    ):
        return _youtube_post(segments[1], shorts=segments[0] == "shorts")
    raise PostUrlError(
        "This YouTube link does not point at a video (watch?v=…, youtu.be/…, /shorts/… or /live/…)."
    )


def _youtube_post(video_id: str, *, shorts: bool = False) -> ParsedPost:
    url = (
        f"https://www.youtube.com/shorts/{video_id}"
        if shorts
        else f"https://www.youtube.com/watch?v={video_id}"
    )
    return ParsedPost("youtube", video_id, url)


def shortcode_of_permalink(permalink: str | None) -> str | None:
    """The shortcode of an Instagram permalink (to match media from the API), or None."""
    try:
        return parse_post_url(permalink or "").platform_post_id
    except PostUrlError:
        return None
