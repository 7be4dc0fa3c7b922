"""Tracked links, the pure parts: short codes, destination checks, UTM parameters, bots, visitors.

No ORM here: the services (conversions.py) and the redirect view call these.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# 6 random bytes → 8 url-safe characters: 2^48 codes, so collisions are rare (and retried).
CODE_BYTES = 6
CODE_LENGTH = 8
MAX_DESTINATION_LENGTH = 1000
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content")
DEFAULT_UTM_MEDIUM = "influencer"


def code_generate() -> str:
    """A fresh short code ([A-Za-z0-9_-], 8 characters). Uniqueness is checked on insert."""
    return secrets.token_urlsafe(CODE_BYTES)


# --- destinations -----------------------------------------------------------

_url_validator = URLValidator(schemes=["http", "https"])
_CONTROL = re.compile(r"[\x00-\x20\x7f\\]")  # controls, spaces and backslashes


def destination_clean(value: str) -> str:
    """The destination a member typed, checked: http(s), a host, no credentials.

    Raises ValidationError with a message for the user. Only members set destinations
    (the redirect never reads one from the request), so any public web address is fine.
    """
    url = (value or "").strip()
    if not url:
        raise ValidationError("Give the address the link should lead to.")
    if len(url) > MAX_DESTINATION_LENGTH:
        raise ValidationError(
            f"The address is too long (at most {MAX_DESTINATION_LENGTH:,} characters)."
        )
    # Browsers read "\" as "/" in web addresses while Python does not: refuse it (and
    # control characters) so the host we check is the host the browser goes to.
    if _CONTROL.search(url):
        raise ValidationError("The address contains spaces, control characters or backslashes.")
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValidationError("The address must start with https:// or http://.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise ValidationError("The address must not contain a user name or password.")
    if not parts.hostname:
        raise ValidationError("The address has no host name.")
    try:
        _url_validator(url)
    except ValidationError:
        raise ValidationError("This is not a valid web address.") from None
    return url


def destination_is_safe(url: str) -> bool:
    """Checked again at redirect time: a row edited in the admin must not become a trap."""
    try:
        destination_clean(url)
    except ValidationError:
        return False
    return True


# --- UTM parameters -----------------------------------------------------------


def utm_merge(destination: str, utm: dict[str, str]) -> str:
    """The destination with the UTM parameters added.

    A utm_* parameter already in the destination wins (the team put it there on
    purpose); other query parameters and the fragment are kept byte for byte.
    Empty values are left out.
    """
    parts = urlsplit(destination)
    present = {key.lower() for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    added = [
        (name, value)
        for name in UTM_FIELDS
        if (value := (utm.get(name) or "").strip()) and name not in present
    ]
    if not added:
        return destination
    query = parts.query + ("&" if parts.query else "") + urlencode(added)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def utm_defaults(*, platform: str, campaign_slug: str, creator_handle: str) -> dict[str, str]:
    """What a new link's UTM fields start as (the member may override each)."""
    return {
        "utm_source": platform,
        "utm_medium": DEFAULT_UTM_MEDIUM,
        "utm_campaign": campaign_slug,
        "utm_content": creator_handle,
    }


# --- bots and visitors --------------------------------------------------------

# Substrings of user agents that are not a person clicking: crawlers, link previews
# (chat apps and social networks fetch a link as soon as it is pasted), HTTP libraries
# and headless browsers.
BOT_PATTERNS = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "preview",
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "slack",
    "discord",
    "whatsapp",
    "telegram",
    "skypeuripreview",
    "embedly",
    "vkshare",
    "bitlybot",
    "curl",
    "wget",
    "python-requests",
    "python-urllib",
    "python-httpx",
    "aiohttp",
    "go-http-client",
    "java/",
    "okhttp",
    "libwww",
    "httpclient",
    "headlesschrome",
    "phantomjs",
    "lighthouse",
)
_BOT = re.compile("|".join(re.escape(p) for p in BOT_PATTERNS), re.IGNORECASE)


def is_bot(user_agent: str) -> bool:
    """True for crawlers, link previews, scripts; an empty user agent is not a browser either."""
    return not user_agent.strip() or _BOT.search(user_agent) is not None


def visitor_hash(*, ip: str, user_agent: str, day: dt.date) -> str:
    """sha256 of the IP and user agent under a salt that changes every day.

    Counts distinct visitors without storing the IP; the daily salt means a hash cannot
    be linked to the same visitor on another day (so a repeat window that spans
    midnight starts afresh, which is fine for a 30-minute window).
    """
    salt = hmac.new(
        settings.SECRET_KEY.encode(), f"tracked-link:{day.isoformat()}".encode(), hashlib.sha256
    ).digest()
    return hmac.new(salt, f"{ip}\n{user_agent}".encode(), hashlib.sha256).hexdigest()


def repeat_window() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "TRACKED_LINK_REPEAT_MINUTES", 30))


def referer_host(referer: str) -> str:
    """Only the host of the Referer header is kept (a full URL may carry personal data)."""
    try:
        host = urlsplit(referer or "").hostname or ""
    except ValueError:
        return ""
    return host[:200]
