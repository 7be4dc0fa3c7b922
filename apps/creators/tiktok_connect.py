"""A creator connects their own TikTok account by OAuth (Login Kit for Web).

A member makes a connect link for one TikTok social account and sends it to the creator,
who has no login here. The link is signed (django.core.signing, salted) and carries the
workspace and account ids, so nothing is stored until the creator says yes: the signature
is the credential, and it expires after LINK_MAX_AGE. The `state` sent to TikTok is
signed the same way under another salt and adds a nonce kept in the creator's session, so
a callback only counts in the browser that started it (login CSRF). The tokens TikTok
gives back are stored encrypted in the account's TIKTOK_OAUTH connection.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse

from . import connections as connection_services
from .models import Connection, Platform, SocialAccount
from .providers.tiktok import TikTokOAuthClient, TokenGrant

LINK_SALT = "creators.tiktok_connect.link"
STATE_SALT = "creators.tiktok_connect.state"
LINK_MAX_AGE = timedelta(days=7)
# The round trip through TikTok's consent screen takes minutes, not hours.
STATE_MAX_AGE = timedelta(hours=1)
SESSION_NONCE = "tiktok_connect_nonce"
# Read-only: the profile with its counters, and the creator's public videos with theirs.
SCOPES = ("user.info.basic", "user.info.profile", "user.info.stats", "video.list")


class LinkInvalid(Exception):
    """A connect link or state that is forged, expired, or names an account that is gone."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.expired = expired


@dataclass(frozen=True)
class ConnectTarget:
    """Whom a connect link or state is for."""

    workspace_id: int
    account_id: int


def is_configured() -> bool:
    return bool(settings.TIKTOK_CLIENT_KEY and settings.TIKTOK_CLIENT_SECRET)


def callback_url() -> str:
    """The redirect_uri: absolute, from SITE_URL, and registered as-is in the TikTok app."""
    return settings.SITE_URL + reverse("tiktok_connect_callback")


# -- the link a member sends ---------------------------------------------------------------


def link_make(*, account: SocialAccount) -> str:
    if account.platform != Platform.TIKTOK:
        raise ValueError("Only TikTok accounts connect by TikTok OAuth.")
    value = signing.dumps({"w": account.workspace_id, "a": account.pk}, salt=LINK_SALT)
    return settings.SITE_URL + reverse("tiktok_connect", args=[value])


def link_read(value: str) -> ConnectTarget:
    payload = _load(
        value,
        salt=LINK_SALT,
        max_age=LINK_MAX_AGE,
        expired="This connect link has expired (links last 7 days). Ask the brand for a new one.",
    )
    return ConnectTarget(workspace_id=payload["w"], account_id=payload["a"])


def account_for(target: ConnectTarget) -> SocialAccount:
    """The TikTok account a link or state names, if it still exists in that workspace."""
    account = (
        SocialAccount.objects.select_related("workspace")
        .filter(pk=target.account_id, workspace_id=target.workspace_id, platform=Platform.TIKTOK)
        .first()
    )
    if account is None:
        raise LinkInvalid("The TikTok account this link was made for is no longer listed.")
    return account


# -- the round trip through TikTok ----------------------------------------------------------


def authorize_url(*, target: ConnectTarget, session) -> str:
    """TikTok's consent page for this account; remembers a nonce in the creator's session."""
    nonce = secrets.token_urlsafe(16)
    session[SESSION_NONCE] = nonce
    state = signing.dumps(
        {"w": target.workspace_id, "a": target.account_id, "n": nonce}, salt=STATE_SALT
    )
    query = urlencode(
        {
            "client_key": settings.TIKTOK_CLIENT_KEY,
            "scope": ",".join(SCOPES),
            "response_type": "code",
            "redirect_uri": callback_url(),
            "state": state,
        }
    )
    return f"{settings.TIKTOK_AUTH_URL}?{query}"


def state_read(value: str, *, session) -> ConnectTarget:
    """The state TikTok hands back: our signature, recent, and started in this browser.

    The nonce is used up either way: a state is good for one callback."""
    payload = _load(
        value,
        salt=STATE_SALT,
        max_age=STATE_MAX_AGE,
        expired="This TikTok reply came too late. Open the connect link again.",
    )
    nonce = session.pop(SESSION_NONCE, None)
    if not nonce or not secrets.compare_digest(str(payload.get("n", "")), nonce):
        raise LinkInvalid(
            "This TikTok reply was started in another browser or was already used. "
            "Open the connect link again in this browser."
        )
    return ConnectTarget(workspace_id=payload["w"], account_id=payload["a"])


def code_exchange(*, code: str) -> TokenGrant:
    """The creator's tokens for the code; raises the provider's errors."""
    with TikTokOAuthClient(
        base_url=settings.TIKTOK_API_BASE, timeout=settings.PROVIDER_TIMEOUT
    ) as oauth:
        return oauth.exchange_code(
            settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET, code, callback_url()
        )


@transaction.atomic
def tiktok_connection_save(*, account: SocialAccount, grant: TokenGrant) -> Connection:
    """Stores the tokens (encrypted) in the account's TikTok connection, new or existing."""
    existing = (
        Connection.objects.select_for_update()
        .filter(account=account, workspace_id=account.workspace_id)
        .first()
    )
    if existing is not None and existing.kind != Connection.Kind.TIKTOK_OAUTH:
        existing.delete()
        existing = None
    if existing is None:
        return connection_services.connection_create(
            workspace=account.workspace,
            kind=Connection.Kind.TIKTOK_OAUTH,
            name=f"TikTok @{account.handle}",
            secret=grant.access_token,
            refresh_token=grant.refresh_token or "",
            account=account,
            token_expires_at=grant.expires_at,
            refresh_expires_at=grant.refresh_expires_at,
        )
    connection = connection_services.connection_update(
        connection=existing,
        name=existing.name,
        secret=grant.access_token,
        refresh_token=grant.refresh_token or "",
        daily_quota=existing.daily_quota,
        token_expires_at=grant.expires_at,
    )
    # connection_update has no refresh expiry argument; a new refresh token brings one.
    if grant.refresh_token:
        connection.refresh_expires_at = grant.refresh_expires_at
        connection.save(update_fields=["refresh_expires_at", "updated_at"])
    return connection


def missing_scopes(grant: TokenGrant) -> list[str]:
    """Scopes the creator unticked on TikTok's consent page (when TikTok says which)."""
    if not grant.scopes:
        return []
    return [scope for scope in SCOPES if scope not in grant.scopes]


def _load(value: str, *, salt: str, max_age: timedelta, expired: str) -> dict:
    invalid = (
        "This link is not valid: it may have been cut short or changed. Check it was copied whole."
    )
    try:
        payload = signing.loads(value, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkInvalid(expired, expired=True) from exc
    except signing.BadSignature as exc:
        raise LinkInvalid(invalid) from exc
    if not isinstance(payload, dict) or not all(isinstance(payload.get(k), int) for k in "wa"):
        raise LinkInvalid(invalid)
    return payload
