"""Connections: the credentials the refresher calls platforms with.

Secrets are encrypted with Fernet (settings.FIELD_ENCRYPTION_KEY, else a key derived from
SECRET_KEY) and never shown back: pages get `secret_hint`, the last four characters.
A connection's state moves OK → PAUSED (quota spent, until the reset) → OK again, or to
BROKEN (key rejected, token expired) until someone fixes and re-tests it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import httpx
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils import timezone

from apps.accounts.attention import AttentionItem

from .models import Connection, Platform, SocialAccount
from .providers import (
    AuthError,
    InvalidRequest,
    NotFound,
    ProviderError,
    QuotaExceeded,
    RateLimited,
    TransientError,
)
from .providers.demo import DemoClient
from .providers.instagram import InstagramClient
from .providers.tiktok import TikTokClient, TikTokOAuthClient
from .providers.youtube import YouTubeClient
from .quota import budget_for

logger = logging.getLogger(__name__)

# A public channel every key can read (Google for Developers): the credential test asks
# for it with channels.list, 1 unit.
TEST_CHANNEL_ID = "UC_x5XG1OV2P6uZZ5FSM9Ttw"
TOKEN_RENEW_MARGIN = timedelta(minutes=10)
PLATFORM_OF_KIND = {
    Connection.Kind.YOUTUBE_KEY: Platform.YOUTUBE,
    Connection.Kind.INSTAGRAM_GRAPH: Platform.INSTAGRAM,
    Connection.Kind.TIKTOK_OAUTH: Platform.TIKTOK,
}
HELP = {
    Connection.Kind.YOUTUBE_KEY: "Check the key under Google Cloud console → APIs & Services → "
    "Credentials, and that the YouTube Data API v3 is enabled for its project.",
    Connection.Kind.INSTAGRAM_GRAPH: "Create a new long-lived token for the Instagram business "
    "account (Meta developer dashboard) with instagram_basic and pages permissions.",
    Connection.Kind.TIKTOK_OAUTH: "Ask the creator to connect their TikTok account again.",
}


class SecretUnreadable(Exception):
    """A stored secret no configured key decrypts (FIELD_ENCRYPTION_KEY or SECRET_KEY changed)."""


# -- encryption ----------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _fernet(configured: str, secret_key: str) -> MultiFernet:
    keys = [key.strip() for key in configured.split(",") if key.strip()]
    if not keys:
        digest = hashlib.sha256(f"microreach-field-encryption:{secret_key}".encode()).digest()
        keys = [base64.urlsafe_b64encode(digest).decode()]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
            "(generate one with: python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())')"
        ) from exc


def fernet() -> MultiFernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY or "", settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "The stored secret cannot be decrypted (was FIELD_ENCRYPTION_KEY or SECRET_KEY "
            "changed?): enter it again."
        ) from exc


def fingerprint(secret: str) -> str:
    """Stable, non-reversible id of a credential: the key of its quota budget."""
    key = f"microreach-credential:{settings.SECRET_KEY}".encode()
    return hmac.new(key, secret.encode(), hashlib.sha256).hexdigest()[:32]


def hint(secret: str) -> str:
    return secret[-4:] if len(secret) >= 12 else ""


def secret_of(connection: Connection) -> str:
    return decrypt(connection.secret_encrypted)


def _set_secret(connection: Connection, secret: str) -> None:
    connection.secret_encrypted = encrypt(secret)
    connection.secret_hint = hint(secret)
    connection.credential_fingerprint = fingerprint(secret) if secret else ""


def scrub(message: str, connection: Connection) -> str:
    """Error text for pages and logs, never carrying the secret itself."""
    try:
        secret = secret_of(connection)
    except SecretUnreadable:
        secret = ""
    if secret:
        message = message.replace(secret, "••••")
    return message[:300]


# -- writes --------------------------------------------------------------------------------


@transaction.atomic
def connection_create(
    *,
    workspace,
    kind: str,
    name: str,
    platform: str = "",
    secret: str = "",
    refresh_token: str = "",
    ig_user_id: str = "",
    ig_username: str = "",
    account: SocialAccount | None = None,
    token_expires_at: datetime | None = None,
    refresh_expires_at: datetime | None = None,
    daily_quota: int | None = None,
    created_by=None,
) -> Connection:
    """A new connection; a real one takes the place of the platform's demo connection."""
    platform = PLATFORM_OF_KIND.get(kind, platform)
    if kind == Connection.Kind.DEMO and not settings.DEMO_PROVIDER:
        raise ValidationError("The simulated platform is only available in a local demo.")
    if account is not None and (
        account.workspace_id != workspace.pk or account.platform != platform
    ):
        raise ValidationError("That account is not one of this workspace's accounts here.")
    if kind != Connection.Kind.DEMO:
        Connection.objects.for_workspace(workspace).shared().filter(
            platform=platform, kind=Connection.Kind.DEMO
        ).delete()
    connection = Connection(
        workspace=workspace,
        kind=kind,
        platform=platform,
        name=name,
        ig_user_id=ig_user_id,
        ig_username=ig_username.lstrip("@"),
        account=account,
        token_expires_at=token_expires_at,
        refresh_expires_at=refresh_expires_at,
        daily_quota=daily_quota,
        created_by=created_by,
        status=Connection.Status.OK if kind == Connection.Kind.DEMO else Connection.Status.UNTESTED,
    )
    _set_secret(connection, secret)
    connection.refresh_token_encrypted = encrypt(refresh_token)
    connection.save()
    return connection


@transaction.atomic
def connection_update(
    *,
    connection: Connection,
    name: str,
    secret: str = "",
    refresh_token: str = "",
    ig_user_id: str | None = None,
    ig_username: str | None = None,
    daily_quota: int | None = None,
    token_expires_at: datetime | None = None,
) -> Connection:
    """Edit; a blank secret keeps the stored one. A new secret must be tested again."""
    connection.name = name
    connection.daily_quota = daily_quota
    changed = False
    if ig_user_id is not None and ig_user_id != connection.ig_user_id:
        connection.ig_user_id, changed = ig_user_id, True
    if ig_username is not None and ig_username.lstrip("@") != connection.ig_username:
        connection.ig_username, changed = ig_username.lstrip("@"), True
    if secret:
        _set_secret(connection, secret)
        connection.token_expires_at = token_expires_at
        changed = True
    if refresh_token:
        connection.refresh_token_encrypted = encrypt(refresh_token)
        changed = True
    if changed and not connection.is_demo:
        connection.status = Connection.Status.UNTESTED
        connection.status_message = ""
        connection.paused_until = None
    connection.save()
    return connection


def connection_delete(*, connection: Connection) -> None:
    connection.delete()


def connection_mark_ok(*, connection: Connection, now: datetime | None = None) -> None:
    """A call worked. A broken connection stays broken until it is edited or tested again:
    a call that was already in flight when the key was revoked proves nothing."""
    now = now or timezone.now()
    Connection.objects.filter(pk=connection.pk).exclude(status=Connection.Status.BROKEN).exclude(
        status=Connection.Status.PAUSED, paused_until__gt=now
    ).update(status=Connection.Status.OK, status_message="", paused_until=None, last_success_at=now)


def connection_mark_broken(*, connection: Connection, message: str) -> None:
    message = scrub(message, connection)
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.BROKEN, status_message=message, paused_until=None
    )
    connection.status, connection.status_message = Connection.Status.BROKEN, message
    logger.warning("connection %s broken: %s", connection.pk, message)


def connection_pause(
    *, connection: Connection, until: datetime, message: str, now: datetime | None = None
) -> None:
    """Quota spent (or a long throttle): no call on this credential until `until`."""
    budget_for(connection).exhaust(until, now=now)
    message = scrub(message, connection)
    Connection.objects.filter(pk=connection.pk).exclude(status=Connection.Status.BROKEN).update(
        status=Connection.Status.PAUSED,
        status_message=message,
        # GREATEST skips NULL: a longer pause already set is kept.
        paused_until=Greatest(F("paused_until"), until),
    )
    connection.status, connection.paused_until = Connection.Status.PAUSED, until


def connections_resume(*, now: datetime | None = None) -> int:
    """Paused connections whose reset has come are usable again."""
    now = now or timezone.now()
    return Connection.objects.filter(status=Connection.Status.PAUSED, paused_until__lte=now).update(
        status=Connection.Status.OK, status_message="", paused_until=None
    )


def demo_connections_ensure(*, workspace) -> list[Connection]:
    """The local demo: a simulated connection for each platform that has no real one."""
    if not settings.DEMO_PROVIDER:
        return []
    taken = set(Connection.objects.for_workspace(workspace).values_list("platform", flat=True))
    return [
        connection_create(
            workspace=workspace,
            kind=Connection.Kind.DEMO,
            platform=platform,
            name=f"Simulated {label} (demo)",
        )
        for platform, label in Platform.choices
        if platform not in taken
    ]


# -- clients -------------------------------------------------------------------------------


def client_for(
    connection: Connection,
    *,
    http_client: httpx.Client | None = None,
    usage_callback=None,
    baselines=None,
    clock=None,
):
    """The provider client for a connection, configured from settings."""
    common = {
        "timeout": settings.PROVIDER_TIMEOUT,
        "http_client": http_client,
        "usage_callback": usage_callback,
    }
    if connection.kind == Connection.Kind.DEMO:
        return DemoClient(connection.platform, baselines=baselines, clock=clock)
    if connection.kind == Connection.Kind.YOUTUBE_KEY:
        return YouTubeClient(secret_of(connection), base_url=settings.YOUTUBE_API_BASE, **common)
    if connection.kind == Connection.Kind.INSTAGRAM_GRAPH:
        return InstagramClient(
            connection.ig_user_id,
            secret_of(connection),
            api_version=settings.GRAPH_API_VERSION,
            base_url=settings.GRAPH_API_BASE,
            **common,
        )
    return TikTokClient(
        tiktok_access_token(connection), base_url=settings.TIKTOK_API_BASE, **common
    )


def tiktok_access_token(connection: Connection, *, now: datetime | None = None) -> str:
    """The creator's access token, renewed first when it expires within a few minutes.

    Two workers must not renew at once (the old refresh token may stop working), so the
    row is locked while renewing. A rejected refresh token raises AuthError: reconnect.
    """
    now = now or timezone.now()
    if (
        connection.token_expires_at is None
        or connection.token_expires_at - now > TOKEN_RENEW_MARGIN
    ):
        return secret_of(connection)
    with transaction.atomic():
        locked = Connection.objects.select_for_update().get(pk=connection.pk)
        if locked.token_expires_at and locked.token_expires_at - now > TOKEN_RENEW_MARGIN:
            connection.secret_encrypted = locked.secret_encrypted
            return secret_of(locked)
        refresh_token = decrypt(locked.refresh_token_encrypted)
        if not refresh_token or not settings.TIKTOK_CLIENT_KEY:
            raise AuthError(
                "the TikTok token has expired and cannot be renewed here", platform="tiktok"
            )
        with TikTokOAuthClient(
            base_url=settings.TIKTOK_API_BASE, timeout=settings.PROVIDER_TIMEOUT
        ) as oauth:
            grant = oauth.refresh_access_token(
                settings.TIKTOK_CLIENT_KEY, settings.TIKTOK_CLIENT_SECRET, refresh_token
            )
        _set_secret(locked, grant.access_token)
        locked.token_expires_at = grant.expires_at
        if grant.refresh_token:
            locked.refresh_token_encrypted = encrypt(grant.refresh_token)
            locked.refresh_expires_at = grant.refresh_expires_at
        locked.save(
            update_fields=[
                "secret_encrypted",
                "secret_hint",
                "credential_fingerprint",
                "token_expires_at",
                "refresh_token_encrypted",
                "refresh_expires_at",
                "updated_at",
            ]
        )
        connection.secret_encrypted = locked.secret_encrypted
        connection.token_expires_at = locked.token_expires_at
        return grant.access_token


# -- the credential test -------------------------------------------------------------------


@dataclass(frozen=True)
class TestResult:
    ok: bool
    message: str

    __test__ = False  # not a pytest class


def connection_test(*, connection: Connection, now: datetime | None = None) -> TestResult:
    """One cheap call with the credential; says plainly what is wrong, and records it."""
    now = now or timezone.now()
    Connection.objects.filter(pk=connection.pk).update(last_tested_at=now)
    if connection.is_demo:
        connection_mark_ok(connection=connection, now=now)
        return TestResult(True, "Simulated platform: nothing to call, always available.")
    budget = budget_for(connection)
    spend = budget.try_spend(1, now=now)
    if not spend.allowed:
        when = (
            timezone.localtime(spend.retry_at).strftime("%d %b %H:%M %Z")
            if spend.retry_at
            else "later"
        )
        return TestResult(False, f"No quota left to test with: try again after {when}.")
    try:
        message = _probe(connection)
    except SecretUnreadable as exc:
        connection_mark_broken(connection=connection, message=str(exc))
        return TestResult(False, str(exc))
    except QuotaExceeded as exc:
        connection_pause(connection=connection, until=exc.reset_at, message=exc.message, now=now)
        when = timezone.localtime(exc.reset_at).strftime("%d %b %H:%M %Z")
        return TestResult(
            False, f"The credential works, but today's quota is spent: calls resume after {when}."
        )
    except AuthError as exc:
        text = f"Rejected: {exc.message}. {HELP.get(connection.kind, '')}".strip()
        connection_mark_broken(connection=connection, message=text)
        return TestResult(False, scrub(text, connection))
    except (InvalidRequest, NotFound) as exc:
        text = (
            f"The platform refused the request: {exc.message}. Check the account id and username."
        )
        connection_mark_broken(connection=connection, message=text)
        return TestResult(False, scrub(text, connection))
    except RateLimited as exc:
        return TestResult(
            False,
            scrub(
                f"Rate limited right now ({exc.message}); try again in a few minutes.", connection
            ),
        )
    except (TransientError, ProviderError) as exc:
        return TestResult(
            False,
            scrub(f"Could not reach the platform: {exc.message}. Try again later.", connection),
        )
    Connection.objects.filter(pk=connection.pk).update(
        status=Connection.Status.OK, status_message="", paused_until=None, last_success_at=now
    )
    return TestResult(True, message)


def _probe(connection: Connection) -> str:
    budget = budget_for(connection)
    with client_for(connection, usage_callback=lambda usage: budget.record(usage)) as client:
        if connection.kind == Connection.Kind.YOUTUBE_KEY:
            client.fetch_accounts([TEST_CHANNEL_ID])
            return "The key works (1 quota unit spent on the test)."
        if connection.kind == Connection.Kind.INSTAGRAM_GRAPH:
            if not connection.ig_username:
                raise InvalidRequest("no business username to look up", platform="instagram")
            client.resolve(connection.ig_username)
            return f"The token works: @{connection.ig_username} found through business discovery."
        user = client.fetch_user()
        return f"The token works: connected to @{user.handle or user.external_id}."


# -- health and attention ------------------------------------------------------------------


def health_check() -> str:
    """For /healthz (non-critical): names the broken connections by id and platform only,
    since /healthz answers anyone who can reach it."""
    broken = list(Connection.objects.broken().order_by("pk").values_list("pk", "platform")[:20])
    if not broken:
        return "ok"
    names = ", ".join(f"{platform} connection #{pk}" for pk, platform in broken)
    return f"degraded: {len(broken)} broken connection(s): {names}"


def attention_items(workspace) -> list[AttentionItem]:
    url = reverse("connections")
    return [
        AttentionItem(
            kind="Broken connection",
            title=str(connection),
            url=url,
            detail=connection.status_message,
        )
        for connection in Connection.objects.for_workspace(workspace).filter(
            Q(status=Connection.Status.BROKEN)
        )
    ]
