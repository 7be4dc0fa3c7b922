"""The refresher's writes: idempotent by construction.

* today's snapshot is an upsert on (account, date): INSERT … ON CONFLICT DO UPDATE;
* posts are upserted on (account, platform_post_id);
* an account's claim (`refresh_queued_at`) is cleared in the same transaction as its
  numbers, so a redelivered task skips every account that is already done;
* scores are recomputed for the accounts whose stats are newer than their scores, so a
  task killed between the writes and the recompute catches up when it runs again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import connection as db
from django.db import transaction
from django.db.models import F, Q

from . import metrics
from .models import AccountSnapshot, Post, SocialAccount, StatsSource
from .providers.base import AccountStats, PostStats
from .services import accounts_recompute, accounts_set_columns, accounts_update_search

# (column, SQL type) written for each refreshed account; the claim is cleared with them.
ACCOUNT_COLUMNS = [
    ("followers", "bigint"),
    ("following", "bigint"),
    ("posts_count", "bigint"),
    ("total_views", "bigint"),
    ("display_name", "varchar"),
    ("bio", "text"),
    ("profile_url", "varchar"),
    ("external_id", "varchar"),
    ("stats_source", "varchar"),
    ("stats_updated_at", "timestamptz"),
    ("refresh_status", "varchar"),
    ("refresh_error", "varchar"),
    ("next_refresh_at", "timestamptz"),
    ("posts_refreshed_at", "timestamptz"),
]
SNAPSHOT_FIELDS = ["followers", "following", "posts", "total_views", "total_likes", "source"]
POST_FIELDS = [
    "url",
    "published_at",
    "caption",
    "format",
    "views",
    "likes",
    "comments",
    "shares",
    "saves",
    "likes_hidden",
    "sponsored_markers",
    "source",
    "updated_at",
]
COPY_SCORES_SQL = """
UPDATE creators_accountsnapshot AS snapshot
SET avg_views = account.avg_views, engagement_rate = account.engagement_rate
FROM creators_socialaccount AS account
WHERE snapshot.account_id = account.id AND snapshot.date = %s AND account.id = ANY(%s)
"""


def _known(new, old):
    """Unknown (None) never overwrites a known number: hidden is not zero."""
    return new if new is not None else old


def accounts_store_stats(
    *,
    found: Sequence[tuple[SocialAccount, AccountStats]],
    source: str,
    now: datetime,
    next_refresh: dict[int, datetime],
    posts_fetched: bool = False,
) -> int:
    """Fresh numbers for these accounts: counters, today's snapshot, recent posts; claim off."""
    if not found:
        return 0
    accounts, snapshots, posts, renamed = [], [], [], []
    for account, stats in found:
        if (stats.display_name and stats.display_name != account.display_name) or (
            stats.bio and stats.bio != account.bio
        ):
            renamed.append(account.pk)
        account.followers = _known(stats.followers, account.followers)
        account.following = _known(stats.following, account.following)
        account.posts_count = _known(stats.posts_count, account.posts_count)
        account.total_views = _known(stats.total_views, account.total_views)
        account.display_name = (stats.display_name or account.display_name)[:200]
        account.bio = stats.bio or account.bio
        account.profile_url = (stats.profile_url or account.profile_url)[:300]
        if source != StatsSource.DEMO:  # a simulated id must never look like a real one
            account.external_id = account.external_id or stats.external_id[:100]
        account.stats_source, account.stats_updated_at = source, now
        account.refresh_status = SocialAccount.RefreshStatus.OK
        account.refresh_error = (
            "The channel hides its subscriber count." if stats.followers_hidden else ""
        )
        account.next_refresh_at = next_refresh[account.pk]
        account.refresh_queued_at = None
        if posts_fetched or stats.recent_posts:
            account.posts_refreshed_at = now
        accounts.append(account)
        snapshots.append(
            AccountSnapshot(
                account=account,
                date=now.date(),
                followers=stats.followers,
                following=stats.following,
                posts=stats.posts_count,
                total_views=stats.total_views,
                total_likes=stats.total_likes,
                source=source,
            )
        )
        posts.extend(_post_rows(account, stats.recent_posts, source))
    with transaction.atomic():
        accounts_write(accounts)
        AccountSnapshot.objects.bulk_create(
            snapshots,
            update_conflicts=True,
            unique_fields=["account", "date"],
            update_fields=SNAPSHOT_FIELDS,
        )
        posts_upsert(posts)
        accounts_update_search(account_ids=renamed)
    return len(accounts)


def accounts_write(accounts: Sequence[SocialAccount]) -> None:
    # The claim is cleared in the same statement as the numbers it was taken for.
    accounts_set_columns(accounts, ACCOUNT_COLUMNS, also="refresh_queued_at = NULL")


def _post_rows(account: SocialAccount, stats: Iterable[PostStats], source: str) -> list[Post]:
    rows = []
    for post in stats:
        if post.published_at is None or not post.external_id:
            continue  # a post without a date cannot be placed in any window
        rows.append(
            Post(
                account=account,
                platform_post_id=post.external_id[:100],
                url=(post.url or "")[:300],
                published_at=post.published_at,
                caption=post.caption,
                format=post.format if post.format in Post.Format.values else Post.Format.POST,
                views=post.views,
                likes=post.likes,
                comments=post.comments,
                shares=post.shares,
                saves=post.saves,
                likes_hidden=post.likes_hidden,
                sponsored_markers=metrics.find_disclosure_markers(post.caption),
                source=source,
            )
        )
    return rows


def posts_upsert(posts: Sequence[Post]) -> None:
    # A post listed twice (pages that overlap) would make ON CONFLICT hit one row twice.
    posts = list({(post.account_id, post.platform_post_id): post for post in posts}.values())
    if posts:
        Post.objects.bulk_create(
            posts,
            update_conflicts=True,
            unique_fields=["account", "platform_post_id"],
            update_fields=POST_FIELDS,
        )


@transaction.atomic
def account_posts_store(
    *, account: SocialAccount, posts: Sequence[PostStats], source: str, now: datetime
) -> None:
    posts_upsert(_post_rows(account, posts, source))
    SocialAccount.objects.filter(pk=account.pk).update(posts_refreshed_at=now)


def accounts_mark(
    *,
    account_ids: Sequence[int],
    status: str,
    error: str,
    next_refresh_at: datetime | None,
) -> int:
    """Not found, unreachable or failed: numbers stay as they were (never zeroed); claim off."""
    if not account_ids:
        return 0
    return SocialAccount.objects.filter(pk__in=account_ids).update(
        refresh_status=status,
        refresh_error=error[:300],
        next_refresh_at=next_refresh_at,
        refresh_queued_at=None,
    )


def accounts_release(*, account_ids: Sequence[int], next_refresh_at: datetime | None = None):
    """Give the claim back untouched (the connection stopped); due again at `next_refresh_at`."""
    if not account_ids:
        return 0
    values = {"refresh_queued_at": None}
    if next_refresh_at is not None:
        values["next_refresh_at"] = next_refresh_at
    return SocialAccount.objects.filter(pk__in=account_ids).update(**values)


def accounts_recompute_stale(*, account_ids: Sequence[int], now: datetime) -> int:
    """Rescore the accounts whose stats are newer than their scores (once per batch)."""
    stale = list(
        SocialAccount.objects.filter(pk__in=account_ids, stats_updated_at__isnull=False)
        .filter(Q(scores_updated_at__isnull=True) | Q(scores_updated_at__lt=F("stats_updated_at")))
        .values_list("pk", flat=True)
    )
    if not stale:
        return 0
    accounts_recompute(account_ids=stale, now=now)
    # The growth charts keep what the recent posts showed that day.
    with db.cursor() as cursor:
        cursor.execute(COPY_SCORES_SQL, [now.date(), stale])
    return len(stale)
