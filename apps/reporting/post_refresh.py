"""Post metrics refresh: each attached post's numbers once a day, through the provider
clients and the same quota budgets as the stats refresher (apps/creators/refresh.py).

Claiming. A due post (`next_refresh_at <= now`) is claimed by a conditional UPDATE that
pushes `next_refresh_at` a lease ahead (RETURNING the ids, SKIP LOCKED): two beats, or a
beat and an "attach" task, never take the same post; a worker that dies leaves it due
again when the lease ends. After the refresh the post is due again tomorrow.

Reaching a post.
- YouTube: the workspace's API key, `videos.list` for up to 50 ids per unit.
- Instagram: business discovery of the creator's account (one call per account) returns
  its recent 25 media; the post is matched by its shortcode. Older posts, personal
  accounts: not reachable.
- TikTok: only with the creator's own connection (`video/query`).
A post no API reaches keeps its imported or hand-entered numbers; `refresh_error` says why.

Idempotent: numbers are upserted per (post, day), so two refreshes on one day leave one row.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from django.db import connection as db
from django.db import transaction
from django.utils import timezone

from apps.creators.connections import (
    SecretUnreadable,
    client_for,
    connection_mark_broken,
    connection_mark_ok,
    connection_pause,
)
from apps.creators.models import Connection, SocialAccount, StatsSource
from apps.creators.providers import (
    AuthError,
    PostStats,
    ProviderError,
    QuotaExceeded,
    RateLimited,
    TransientError,
)
from apps.creators.quota import budget_for

from .models import DeliverablePost
from .post_urls import shortcode_of_permalink
from .services import post_disclosure_check, post_metrics_record

logger = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(hours=1)
DAILY = timedelta(days=1) - timedelta(hours=1)  # due again a little before the same hour
RETRY_LATER = timedelta(hours=2)
INSTAGRAM_RECENT_MEDIA = 25
YOUTUBE_IDS_PER_CALL = 50
MAX_PER_TICK = 2000
USABLE = [Connection.Status.OK, Connection.Status.UNTESTED]

CLAIM_SQL = """
UPDATE reporting_deliverablepost SET next_refresh_at = %(lease)s
WHERE id IN (
    SELECT post.id FROM reporting_deliverablepost AS post
    JOIN contracts_contract AS contract ON contract.id = post.contract_id
    WHERE post.next_refresh_at <= %(now)s
      AND contract.status IN ('accepted', 'active', 'completed')
      {only}
    ORDER BY post.next_refresh_at, post.id
    LIMIT %(limit)s
    FOR UPDATE OF post SKIP LOCKED
)
RETURNING id, workspace_id, platform
"""

NO_YOUTUBE = "YouTube: no working API key in this workspace; enter the numbers by hand."
NO_INSTAGRAM = "Instagram: no working business connection; enter the numbers by hand."
NO_IG_ACCOUNT = "Instagram: the creator has no Instagram account on file to look the post up."
NOT_RECENT = (
    "Instagram: post not among the account's recent 25 (or the account is not a "
    "Business/Creator account); enter the numbers by hand."
)
NO_TIKTOK = "TikTok needs the creator's connection; enter the numbers by hand or import them."
NOT_RETURNED = "{platform}: the post was not returned (deleted, private or not this account's)."


@dataclass
class RefreshSummary:
    posts: int = 0
    refreshed: int = 0
    unreachable: int = 0
    failed: int = 0
    calls: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def claim_due(
    *, now: datetime, limit: int = MAX_PER_TICK, post_ids: Sequence[int] | None = None
) -> list[tuple[int, int, str]]:
    """Claim due posts: [(id, workspace_id, platform)]."""
    only, params = "", {"now": now, "lease": now + CLAIM_LEASE, "limit": limit}
    if post_ids is not None:
        only, params["ids"] = "AND post.id = ANY(%(ids)s)", list(post_ids)
    with db.cursor() as cursor:
        cursor.execute(CLAIM_SQL.format(only=only), params)
        return [tuple(row) for row in cursor.fetchall()]


def schedule_due(*, now: datetime | None = None) -> dict:
    """Beat: claim the due posts and enqueue one task per workspace and platform."""
    from .tasks import refresh_posts

    now = now or timezone.now()
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    with transaction.atomic():
        for post_id, workspace_id, platform in claim_due(now=now):
            groups[(workspace_id, platform)].append(post_id)
        for ids in groups.values():
            for start in range(0, len(ids), 200):
                chunk = ids[start : start + 200]
                transaction.on_commit(lambda chunk=chunk: refresh_posts.delay(chunk))
    return {"posts": sum(len(ids) for ids in groups.values()), "tasks": len(groups)}


def posts_refresh(*, post_ids: Sequence[int], now: datetime | None = None) -> RefreshSummary:
    """Refresh these (claimed) posts, grouped by workspace and platform."""
    now = now or timezone.now()
    posts = list(
        DeliverablePost.objects.filter(pk__in=post_ids).select_related(
            "deliverable__version", "campaign_creator"
        )
    )
    summary = RefreshSummary(posts=len(posts))
    groups: dict[tuple[int, str], list[DeliverablePost]] = defaultdict(list)
    for post in posts:
        groups[(post.workspace_id, post.platform)].append(post)
    for (workspace_id, platform), group in groups.items():
        run = {"youtube": _youtube, "instagram": _instagram, "tiktok": _tiktok}[platform]
        try:
            run(workspace_id, group, now, summary)
        except Exception as exc:  # noqa: BLE001 - one platform's failure must not stop the rest
            logger.exception("post refresh failed for workspace %s %s", workspace_id, platform)
            _failed(group, f"Internal error ({type(exc).__name__}); retried later.", now, summary)
    return summary


def post_refresh_now(*, post_id: int, now: datetime | None = None) -> RefreshSummary:
    """Claim and refresh one post if it is due (the task sent when a post is attached)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = [row[0] for row in claim_due(now=now, post_ids=[post_id])]
    if not claimed:
        return RefreshSummary()
    return posts_refresh(post_ids=claimed, now=now)


# -- per platform ----------------------------------------------------------------------


def _shared_connection(workspace_id: int, platform: str) -> Connection | None:
    return (
        Connection.objects.for_workspace(workspace_id)
        .shared()
        .filter(platform=platform, status__in=USABLE)
        .exclude(kind=Connection.Kind.DEMO)
        .first()
    )


def _youtube(workspace_id, posts, now, summary) -> None:
    connection = _shared_connection(workspace_id, "youtube")
    if connection is None:
        _unreachable(posts, NO_YOUTUBE, now, summary)
        return
    by_id = {post.platform_post_id: post for post in posts}
    ids = list(by_id)
    for start in range(0, len(ids), YOUTUBE_IDS_PER_CALL):
        chunk = [by_id[i] for i in ids[start : start + YOUTUBE_IDS_PER_CALL]]
        found = _call(
            connection,
            chunk,
            now,
            summary,
            lambda c, ch: c.fetch_posts([p.platform_post_id for p in ch]),
        )
        if found is None:
            return
        _store_found(chunk, {s.external_id: s for s in found}, now, summary, "YouTube")


def _instagram(workspace_id, posts, now, summary) -> None:
    connection = _shared_connection(workspace_id, "instagram")
    if connection is None:
        _unreachable(posts, NO_INSTAGRAM, now, summary)
        return
    creator_ids = {post.campaign_creator.creator_id for post in posts}
    handles: dict[int, list[str]] = defaultdict(list)
    for creator_id, handle in (
        SocialAccount.objects.for_workspace(workspace_id)
        .filter(creator_id__in=creator_ids, platform="instagram")
        .exclude(handle="")
        .order_by("pk")
        .values_list("creator_id", "handle")
    ):
        handles[creator_id].append(handle)
    by_handle: dict[str, list[DeliverablePost]] = defaultdict(list)
    for post in posts:
        creator_handles = handles.get(post.campaign_creator.creator_id)
        if not creator_handles:
            _unreachable([post], NO_IG_ACCOUNT, now, summary)
        else:
            by_handle[creator_handles[0]].append(post)
    for handle, group in by_handle.items():
        found = _call(
            connection,
            group,
            now,
            summary,
            lambda c, ch, handle=handle: c.fetch_recent_posts(handle, INSTAGRAM_RECENT_MEDIA),
        )
        if found is None:
            return
        by_code = {shortcode_of_permalink(s.url): s for s in found}
        _store_found(group, by_code, now, summary, "Instagram", missing=NOT_RECENT)


def _tiktok(workspace_id, posts, now, summary) -> None:
    creator_ids = {post.campaign_creator.creator_id for post in posts}
    own = {
        c.account.creator_id: c
        for c in Connection.objects.for_workspace(workspace_id)
        .filter(
            platform="tiktok",
            kind=Connection.Kind.TIKTOK_OAUTH,
            account__creator_id__in=creator_ids,
            status__in=USABLE,
        )
        .select_related("account")
    }
    by_connection: dict[int, list[DeliverablePost]] = defaultdict(list)
    connections = {}
    for post in posts:
        connection = own.get(post.campaign_creator.creator_id)
        if connection is None:
            _unreachable([post], NO_TIKTOK, now, summary)
        else:
            connections[connection.pk] = connection
            by_connection[connection.pk].append(post)
    for pk, group in by_connection.items():
        found = _call(
            connections[pk],
            group,
            now,
            summary,
            lambda c, ch: c.fetch_posts([p.platform_post_id for p in ch]),
        )
        if found is None:
            continue  # one creator's broken token does not stop the others
        _store_found(group, {s.external_id: s for s in found}, now, summary, "TikTok")


# -- calls and writes ------------------------------------------------------------------


def _call(connection, posts, now, summary, fetch):
    """One budgeted call; None when it failed (the posts are marked accordingly)."""
    budget = budget_for(connection)
    spend = budget.try_spend(1)
    if not spend.allowed:
        later = spend.retry_at or now + RETRY_LATER
        _failed(
            posts, "The platform's quota budget is used up; retried later.", now, summary, later
        )
        return None
    units: list[int] = []

    def usage_callback(usage):
        units.append(usage.quota_units)
        budget.record(usage)

    try:
        client = client_for(connection, usage_callback=usage_callback)
        try:
            result = fetch(client, posts)
        finally:
            client.close()
    except QuotaExceeded as exc:
        budget.exhaust(exc.reset_at)
        connection_pause(connection=connection, until=exc.reset_at, message=exc.message)
        _failed(
            posts, f"Quota used up until {exc.reset_at:%d %b %H:%M}.", now, summary, exc.reset_at
        )
        return None
    except (AuthError, SecretUnreadable) as exc:
        message = getattr(exc, "message", str(exc))
        connection_mark_broken(connection=connection, message=message)
        _failed(posts, f"{connection} is broken: {message}", now, summary)
        return None
    except (RateLimited, TransientError) as exc:
        wait = getattr(exc, "retry_after_seconds", None)
        later = now + max(RETRY_LATER, timedelta(seconds=wait or 0))
        _failed(posts, f"{exc.message}; retried later.", now, summary, later)
        return None
    except ProviderError as exc:
        _failed(posts, exc.message, now, summary)
        return None
    finally:
        summary.calls += len(units)
        budget.settle(reserved=1, spent=sum(units))
    connection_mark_ok(connection=connection, now=now)
    return result


def _store_found(posts, found: dict, now, summary, label: str, missing: str = "") -> None:
    for post in posts:
        stats = found.get(post.platform_post_id)
        if stats is None:
            _unreachable([post], missing or NOT_RETURNED.format(platform=label), now, summary)
            continue
        _store(post, stats, now)
        summary.refreshed += 1


def _store(post: DeliverablePost, stats: PostStats, now: datetime) -> None:
    numbers = {
        "views": stats.views,
        "likes": None if stats.likes_hidden else stats.likes,
        "comments": stats.comments,
        "shares": stats.shares,
        "saves": stats.saves,
    }
    with transaction.atomic():
        if any(value is not None for value in numbers.values()):
            post_metrics_record(
                post=post,
                date=timezone.localdate(now),
                numbers=numbers,
                source=StatsSource.API,
                now=now,
            )
        # YouTube's client gives the title as the caption (the description, where the
        # disclosure goes, is not fetched): a title-only check would fail wrongly.
        if stats.caption and post.platform != "youtube":
            post_disclosure_check(post=post, caption=stats.caption)
        DeliverablePost.objects.filter(pk=post.pk).update(
            published_at=stats.published_at or post.published_at,
            refresh_error="",
            next_refresh_at=now + DAILY,
        )


def _unreachable(posts, reason: str, now, summary) -> None:
    """No API reaches these posts: they keep their imported or hand-entered numbers."""
    DeliverablePost.objects.filter(pk__in=[p.pk for p in posts]).update(
        refresh_error=reason[:300], next_refresh_at=now + DAILY
    )
    summary.unreachable += len(posts)


def _failed(posts, reason: str, now, summary, later: datetime | None = None) -> None:
    DeliverablePost.objects.filter(pk__in=[p.pk for p in posts]).update(
        refresh_error=reason[:300], next_refresh_at=later or now + RETRY_LATER
    )
    summary.failed += len(posts)
    summary.errors.append(reason)
