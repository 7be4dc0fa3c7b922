"""Read-only share links to a campaign's report.

The token is shown once, when the link is made; only its sha256 is stored, so a
database dump does not hand out working links. Revoking is a conditional UPDATE:
a second revoke (or a racing one) changes nothing.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from .models import ShareLink


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def share_link_create(
    *, campaign, by, label: str = "", hide_spend: bool = False, expires_at=None
) -> tuple[ShareLink, str]:
    """The new link and its token (the only time the token exists in clear)."""
    token = secrets.token_urlsafe(32)
    link = ShareLink.objects.create(
        workspace_id=campaign.workspace_id,
        campaign=campaign,
        token_hash=token_hash(token),
        label=label,
        hide_spend=hide_spend,
        expires_at=expires_at,
        created_by=by,
    )
    return link, token


def share_link_revoke(*, link: ShareLink) -> bool:
    """True if this call revoked it; False if it was already revoked."""
    now = timezone.now()
    revoked = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=now)
    if revoked:
        link.revoked_at = now
    return bool(revoked)


def share_link_for_token(token: str) -> ShareLink | None:
    """The link with this token, usable or not (the page tells a dead link from a wrong one)."""
    if not token or len(token) > 100:
        return None
    return (
        ShareLink.objects.select_related("campaign", "campaign__workspace")
        .filter(token_hash=token_hash(token))
        .first()
    )


def is_usable(link: ShareLink, now=None) -> bool:
    now = now or timezone.now()
    return link.revoked_at is None and (link.expires_at is None or link.expires_at > now)
