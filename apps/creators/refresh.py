"""Stats refresh: which accounts are due, batches per credential, and refreshing one batch.

Scheduling. Each account carries `next_refresh_at` (null: as soon as possible). Beat runs
`schedule_due()` every few minutes: for every usable connection it claims the due
accounts it serves (`refresh_queued_at`, a conditional UPDATE … RETURNING, so a claim is
never taken twice), at most what the connection's budget can pay for, and enqueues one
task per batch (YouTube: 500 accounts = 10 calls of 50 ids). After a refresh the next one
is set from the priority registry (campaigns: live daily, shortlisted every 2 days) or
the weekly default. Storing the schedule (rather than deriving it from stats_updated_at)
keeps the due query an index range scan at a million accounts, lets not-found and failed
accounts wait their own delays, and lets a quota pause push accounts to the reset time.

Refreshing. `batch_refresh()` re-reads the accounts still claimed (a redelivered task
skips the finished ones), asks the budget before every call, fetches with a few threads,
and writes each call's results as they arrive (refresh_store: upserts, claim released in
the same transaction). A quota error pauses the connection until its reset; an auth
error breaks it; 429/5xx stop the batch and the task retries what is left with backoff.
"""

from __future__ import annotations

import logging
import random
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from functools import partial

import httpx
from django.conf import settings
from django.db import connection as db
from django.db import transaction
from django.utils import timezone

from . import refresh_priority
from .connections import (
    SecretUnreadable,
    client_for,
    connection_mark_broken,
    connection_mark_ok,
    connection_pause,
    connections_resume,
    tiktok_access_token,
)
from .models import AccountSnapshot, Connection, SocialAccount, StatsSource
from .providers import (
    AccountBatch,
    AccountRef,
    AuthError,
    NotFound,
    ProviderError,
    QuotaExceeded,
    RateLimited,
    TransientError,
)
from .providers.demo import Baseline
from .quota import Budget, Spend, budget_for, wait_for
from .refresh_store import (
    account_posts_store,
    accounts_mark,
    accounts_recompute_stale,
    accounts_release,
    accounts_store_stats,
)

logger = logging.getLogger(__name__)

Status = SocialAccount.RefreshStatus
YOUTUBE_IDS_PER_CALL = 50
INSTAGRAM_BATCH_SIZE = 25  # one call per account: small tasks keep throttling local
INSTAGRAM_CONCURRENCY = 2
RECENT_POSTS = 12
BACKOFF_BASE_SECONDS = 10
SCHEDULE_SLACK = timedelta(hours=1)  # "daily" means due again a little before the same hour
NO_SUCH_CHANNEL = AccountRef("youtube", "", None, "")  # what resolving an unknown handle gives

CLAIM_DUE_SQL = """
UPDATE creators_socialaccount SET refresh_queued_at = %(now)s
WHERE id IN (
    SELECT account.id FROM creators_socialaccount AS account
    WHERE account.workspace_id = %(workspace)s AND account.platform = %(platform)s
      AND (account.next_refresh_at IS NULL OR account.next_refresh_at <= %(now)s)
      AND (account.refresh_queued_at IS NULL OR account.refresh_queued_at < %(stale)s)
      {only}
    ORDER BY account.next_refresh_at NULLS FIRST, account.id
    LIMIT %(limit)s
    FOR UPDATE SKIP LOCKED
)
RETURNING id
"""
# A shared (demo) TikTok connection never reads an account that has its creator's own.
NOT_OWN_CONNECTION = (
    "AND NOT EXISTS (SELECT 1 FROM creators_connection AS c WHERE c.account_id = account.id)"
)
CLAIM_IDS_SQL = """
UPDATE creators_socialaccount SET refresh_queued_at = %(now)s
WHERE id = ANY(%(ids)s)
  AND (refresh_queued_at IS NULL OR refresh_queued_at < %(stale)s)
RETURNING id
"""


@dataclass
class BatchSummary:
    """What one task did; returned as its (small, JSON) result."""

    connection: int | None
    requested: int = 0
    refreshed: int = 0
    not_found: int = 0
    unreachable: int = 0
    failed: int = 0
    skipped: int = 0
    calls: int = 0
    posts: int = 0
    stopped: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def retry_countdown(retries: int, retry_after: float | None = None) -> float:
    """Exponential backoff with jitter (between half and all of 10 s × 2^retries, capped),
    never sooner than the platform's Retry-After."""
    ceiling = min(settings.REFRESH_RETRY_BACKOFF_MAX, BACKOFF_BASE_SECONDS * 2**retries)
    delay = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not security
    return round(max(delay, retry_after or 0), 1)


def next_refresh_for(account_id: int, intervals: dict[int, int], now: datetime) -> datetime:
    days = refresh_priority.interval_days(account_id, intervals)
    return now + timedelta(days=days) - SCHEDULE_SLACK


def stale_claim_before(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.REFRESH_CLAIM_TIMEOUT_MINUTES)


# -- which connection serves an account ------------------------------------------------


def unusable_reason(connection: Connection | None, platform_label: str, now: datetime) -> str:
    """Why this connection cannot refresh now ('' when it can)."""
    if connection is None:
        return (
            f"No {platform_label} connection: these numbers come from import, "
            "API push or manual entry."
        )
    if connection.is_demo and not settings.DEMO_PROVIDER:
        return "The simulated platform is switched off (DEMO_PROVIDER)."
    if connection.status == Connection.Status.BROKEN:
        return f"{connection} is broken: {connection.status_message}"
    if connection.status == Connection.Status.PAUSED and (
        connection.paused_until is None or connection.paused_until > now
    ):
        when = timezone.localtime(connection.paused_until).strftime("%d %b %H:%M")
        return f"{connection} is paused until {when} (quota)."
    return ""


def connections_for_accounts(workspace, accounts: Sequence[SocialAccount]) -> dict[int, Connection]:
    """{account id: the connection that serves it}: its creator's own, else the shared one."""
    shared = {c.platform: c for c in Connection.objects.for_workspace(workspace).shared()}
    own = {
        c.account_id: c
        for c in Connection.objects.for_workspace(workspace).filter(account__in=accounts)
    }
    found = {}
    for account in accounts:
        connection = own.get(account.pk) or shared.get(account.platform)
        if connection is not None:
            found[account.pk] = connection
    return found


# -- scheduling -------------------------------------------------------------------------


def batch_size(connection: Connection) -> int:
    if connection.account_id:
        return 1
    if connection.kind == Connection.Kind.INSTAGRAM_GRAPH:
        return INSTAGRAM_BATCH_SIZE
    return settings.REFRESH_BATCH_SIZE


def accounts_capacity(connection: Connection, budget: Budget, now: datetime) -> int:
    """How many accounts the budget can pay for right now."""
    calls = budget.capacity(now=now)
    if calls is None:
        return settings.REFRESH_MAX_PER_TICK
    if connection.kind == Connection.Kind.YOUTUBE_KEY:
        return calls * YOUTUBE_IDS_PER_CALL
    if connection.kind == Connection.Kind.TIKTOK_OAUTH:
        return calls // 2  # profile and recent videos
    return calls


def enqueue_batches(
    connection: Connection, account_ids: Sequence[int], *, claimed_at: datetime, with_posts=False
) -> int:
    """One task per batch, sent when the claims are committed. The task carries its claim's
    time: if the claim ever expires and a newer one is taken, the late task leaves those
    accounts to the newer task instead of spending quota on them twice."""
    from .refresh_tasks import refresh_batch  # the tasks module imports this one

    options = {"queue": settings.REFRESH_QUEUE} if settings.REFRESH_QUEUE else {}
    ids = sorted(account_ids)
    size = batch_size(connection)
    batches = [ids[start : start + size] for start in range(0, len(ids), size)]
    for batch in batches:
        transaction.on_commit(
            partial(
                refresh_batch.apply_async,
                args=[connection.pk, batch, with_posts, claimed_at.isoformat()],
                **options,
            )
        )
    return len(batches)


def claim_due(connection: Connection, *, now: datetime, limit: int) -> list[int]:
    only = ""
    params = {
        "now": now,
        "stale": stale_claim_before(now),
        "workspace": connection.workspace_id,
        "platform": connection.platform,
        "limit": limit,
    }
    if connection.account_id:
        only, params["account"] = "AND account.id = %(account)s", connection.account_id
    elif connection.platform == "tiktok":
        only = NOT_OWN_CONNECTION
    with db.cursor() as cursor:
        cursor.execute(CLAIM_DUE_SQL.format(only=only), params)
        return [row[0] for row in cursor.fetchall()]


def claim_accounts(account_ids: Sequence[int], *, now: datetime) -> list[int]:
    """Claim these accounts whatever their schedule ("Refresh now"); skips queued ones."""
    if not account_ids:
        return []
    with db.cursor() as cursor:
        cursor.execute(
            CLAIM_IDS_SQL, {"now": now, "stale": stale_claim_before(now), "ids": list(account_ids)}
        )
        return [row[0] for row in cursor.fetchall()]


def priorities_apply(intervals: dict[int, int], *, now: datetime) -> int:
    """An account that just gained a priority (added to a live campaign) is due now, not
    at the end of its weekly wait."""
    by_days: dict[int, list[int]] = defaultdict(list)
    for account_id, days in intervals.items():
        by_days[days].append(account_id)
    moved = 0
    for days, ids in by_days.items():
        moved += SocialAccount.objects.filter(
            pk__in=ids, next_refresh_at__gt=now + timedelta(days=days)
        ).update(next_refresh_at=now)
    return moved


def schedule_due(*, now: datetime | None = None, only: Sequence[int] | None = None) -> dict:
    """Beat: claim every connection's due accounts (within budget) and enqueue batches.
    `only` limits it to some connections (the benchmark)."""
    now = now or timezone.now()
    connections_resume(now=now)
    connections = Connection.objects.filter(
        status__in=[Connection.Status.OK, Connection.Status.UNTESTED]
    )
    if only is not None:
        connections = connections.filter(pk__in=only)
    if not settings.DEMO_PROVIDER:
        connections = connections.exclude(kind=Connection.Kind.DEMO)
    connections = list(connections)
    intervals = refresh_priority.intervals_for(c.workspace_id for c in connections)
    summary = {"connections": 0, "accounts": 0, "tasks": 0, "prioritised": 0}
    summary["prioritised"] = priorities_apply(intervals, now=now)
    for connection in connections:
        budget = budget_for(connection)
        capacity = min(accounts_capacity(connection, budget, now), settings.REFRESH_MAX_PER_TICK)
        if capacity <= 0:
            continue
        with transaction.atomic():
            ids = claim_due(connection, now=now, limit=capacity)
            summary["tasks"] += enqueue_batches(connection, ids, claimed_at=now)
        summary["connections"] += 1
        summary["accounts"] += len(ids)
    return summary


def posts_schedule(*, now: datetime | None = None) -> dict:
    """Beat (hourly): recent YouTube videos for accounts whose posts are oldest, priority
    accounts first, within the share of the day's units kept for posts (2 units each)."""
    from .refresh_tasks import refresh_posts

    now = now or timezone.now()
    options = {"queue": settings.REFRESH_QUEUE} if settings.REFRESH_QUEUE else {}
    summary = {"accounts": 0, "tasks": 0}
    share = settings.REFRESH_POSTS_BUDGET_PERCENT / 100
    for connection in Connection.objects.filter(
        kind=Connection.Kind.YOUTUBE_KEY, status__in=[Connection.Status.OK]
    ):
        budget = budget_for(connection)
        units = budget.capacity(now=now) - round(budget.limit * (1 - share))
        if units < 2:
            continue
        intervals = refresh_priority.intervals_for([connection.workspace_id])
        base = (
            SocialAccount.objects.for_workspace(connection.workspace_id)
            .filter(platform=connection.platform, refresh_status=Status.OK)
            .exclude(external_id="")
        )
        due_before = now - timedelta(days=settings.REFRESH_POSTS_DAYS)
        priority = list(
            base.filter(pk__in=list(intervals))
            .exclude(posts_refreshed_at__gt=now - timedelta(days=1))
            .values_list("pk", flat=True)[: units // 2]
        )
        rest = list(
            base.exclude(posts_refreshed_at__gt=due_before)
            .exclude(pk__in=priority)
            .order_by("posts_refreshed_at", "pk")
            .values_list("pk", flat=True)[: max(units // 2 - len(priority), 0)]
        )
        ids = priority + rest
        # Marked now, so the next hour does not pick them again while they wait in the queue.
        SocialAccount.objects.filter(pk__in=ids).update(posts_refreshed_at=now)
        for start in range(0, len(ids), 25):
            chunk = ids[start : start + 25]
            transaction.on_commit(
                partial(refresh_posts.apply_async, args=[connection.pk, chunk], **options)
            )
            summary["tasks"] += 1
        summary["accounts"] += len(ids)
    return summary


# -- refreshing one batch ----------------------------------------------------------------


def batch_refresh(
    *,
    connection_id: int,
    account_ids: Sequence[int],
    with_posts: bool = False,
    final_attempt: bool = False,
    claimed_at: datetime | None = None,
    now: datetime | None = None,
) -> BatchSummary:
    """Refresh the accounts of this batch still claimed (by this batch's claim, when
    `claimed_at` is given). Raises RateLimited/TransientError (after writing what it got)
    when the rest should be retried later."""
    now = now or timezone.now()
    summary = BatchSummary(connection=connection_id, requested=len(account_ids))
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        summary.skipped = accounts_release(account_ids=account_ids)
        summary.stopped = "connection deleted"
        return summary
    scoped = SocialAccount.objects.for_workspace(connection.workspace_id).filter(
        pk__in=account_ids, platform=connection.platform
    )
    if connection.account_id:
        scoped = scoped.filter(pk=connection.account_id)
    if claimed_at is not None:
        accounts = list(scoped.filter(refresh_queued_at=claimed_at))
    else:
        accounts = list(scoped.filter(refresh_queued_at__isnull=False))
    summary.skipped = len(account_ids) - len(accounts)
    try:
        reason = unusable_reason(connection, connection.get_platform_display(), now)
        if reason:
            accounts_release(account_ids=[a.pk for a in accounts])
            summary.stopped, summary.skipped = reason, len(account_ids)
        elif accounts:
            BatchRefresh(connection, accounts, now=now, summary=summary).run(
                with_posts=with_posts, final_attempt=final_attempt
            )
    finally:
        accounts_recompute_stale(account_ids=list(scoped.values_list("pk", flat=True)), now=now)
    return summary


def posts_refresh(*, connection_id: int, account_ids: Sequence[int], now=None) -> BatchSummary:
    """Recent posts only (the hourly YouTube posts task)."""
    now = now or timezone.now()
    summary = BatchSummary(connection=connection_id, requested=len(account_ids))
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None or unusable_reason(connection, "", now):
        summary.stopped = "connection unusable"
        return summary
    accounts = list(
        SocialAccount.objects.for_workspace(connection.workspace_id).filter(
            pk__in=account_ids, platform=connection.platform
        )
    )
    run = BatchRefresh(connection, accounts, now=now, summary=summary)
    try:
        run.posts([(a, AccountRef(a.platform, a.external_id, a.handle, "")) for a in accounts])
    finally:
        run.close()
    accounts_recompute_stale(account_ids=[a.pk for a in accounts], now=now)
    return summary


class BatchRefresh:
    """One batch on one connection: budgeted calls in a few threads, writes as they come."""

    def __init__(self, connection: Connection, accounts, *, now: datetime, summary: BatchSummary):
        self.connection = connection
        self.now = now
        self.summary = summary
        self.budget = budget_for(connection)
        self.accounts = {account.pk: account for account in accounts}
        self.pending = dict(self.accounts)  # claimed, not written yet
        self.by_key: dict[str, list[SocialAccount]] = {}
        self.intervals = refresh_priority.intervals_for([connection.workspace_id])
        self.stop = threading.Event()
        self.error: ProviderError | None = None  # the error that stopped the batch
        self.resume_at: datetime | None = None  # when stopped by a quota or pause
        self.fetched: dict[int, AccountRef] = {}  # for recent posts after the stats
        self.baselines: dict[str, Baseline] = {}
        self.answered = False  # some call worked: the connection is fine
        self.source = StatsSource.DEMO if connection.is_demo else StatsSource.API
        self.http = (
            None
            if connection.is_demo
            else httpx.Client(
                timeout=settings.PROVIDER_TIMEOUT,
                limits=httpx.Limits(max_connections=settings.REFRESH_HTTP_CONCURRENCY * 2),
            )
        )

    def close(self) -> None:
        if self.http is not None:
            self.http.close()
        if self.answered:
            connection_mark_ok(connection=self.connection, now=self.now)

    # -- the run ---------------------------------------------------------------------
    def run(self, *, with_posts: bool, final_attempt: bool) -> None:
        kind = self.connection.kind
        try:
            if kind == Connection.Kind.YOUTUBE_KEY:
                self._youtube(with_posts=with_posts)
            elif kind == Connection.Kind.INSTAGRAM_GRAPH:
                self._by_key(lambda a: a.handle, size=1, concurrency=INSTAGRAM_CONCURRENCY)
            elif kind == Connection.Kind.TIKTOK_OAUTH:
                tiktok_access_token(self.connection)  # renewed here: threads never touch the DB
                self._by_key(lambda a: a.external_id or a.handle, size=1, concurrency=1, cost=2)
            else:
                self.baselines = demo_baselines(list(self.pending.values()), self.now)
                self._by_key(_demo_key, size=len(self.pending), concurrency=1)
        except (SecretUnreadable, AuthError) as exc:  # before any call (token renewal)
            self._broken(str(exc))
        except (RateLimited, TransientError) as exc:
            self.error = exc
        except ProviderError as exc:
            self.summary.failed += accounts_mark(
                account_ids=list(self.pending),
                status=Status.FAILED,
                error=exc.message,
                next_refresh_at=self.now + timedelta(hours=settings.REFRESH_FAILED_RETRY_HOURS),
            )
            self.pending.clear()
        finally:
            self.close()
        self._finish(final_attempt)

    def _finish(self, final_attempt: bool) -> None:
        remaining = list(self.pending)
        if not remaining:
            return
        error = self.error
        if error is not None and error.retryable and self.resume_at is None:
            if not final_attempt:
                raise error  # claims kept: the retry picks up exactly these accounts
            self.summary.failed += accounts_mark(
                account_ids=remaining,
                status=Status.FAILED,
                error=f"Gave up after retries: {error.message}",
                next_refresh_at=self.now + timedelta(hours=settings.REFRESH_FAILED_RETRY_HOURS),
            )
            return
        self.summary.skipped += accounts_release(
            account_ids=remaining, next_refresh_at=self.resume_at
        )

    # -- per platform ------------------------------------------------------------------
    def _youtube(self, *, with_posts: bool) -> None:
        unresolved = [a for a in self.pending.values() if not a.external_id]
        if unresolved:  # added by handle: 1 unit each to learn the channel id
            self._parallel([[a.handle] for a in unresolved], _resolve, self._resolved)
        self._by_key(lambda a: a.external_id, size=YOUTUBE_IDS_PER_CALL)
        if with_posts and not self.stop.is_set():
            self.posts([(self.accounts[pk], ref) for pk, ref in self.fetched.items()])

    def _by_key(self, key_of, *, size: int, concurrency=None, cost: int = 1) -> None:
        self.by_key = defaultdict(list)
        for account in self.pending.values():
            if key_of(account):
                self.by_key[key_of(account)].append(account)
        keys = list(self.by_key)
        chunks = [keys[start : start + size] for start in range(0, len(keys), max(size, 1))]
        fetch = (
            _fetch_with_posts if self.connection.kind == Connection.Kind.TIKTOK_OAUTH else _fetch
        )
        self._parallel(chunks, fetch, self._store, concurrency=concurrency, cost=cost)

    def posts(self, pairs: list[tuple[SocialAccount, AccountRef]]) -> None:
        """Recent videos, 2 units a channel, only within the day's share kept for posts."""
        share = settings.REFRESH_POSTS_BUDGET_PERCENT / 100
        by_pk = {account.pk: (account, ref) for account, ref in pairs if ref.external_id}
        chunks = [[pk] for pk in by_pk]
        fetch = partial(_fetch_posts, by_pk)
        self._parallel(chunks, fetch, partial(self._posts_store, by_pk), cost=2, share=share)

    # -- calls -----------------------------------------------------------------------
    def _parallel(self, chunks, fetch, on_result, *, concurrency=None, cost=1, share=1.0):
        if not chunks:
            return
        workers = min(concurrency or settings.REFRESH_HTTP_CONCURRENCY, len(chunks))
        call = partial(self._call, fetch, cost=cost, share=share)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(call, chunk) for chunk in chunks]
            for future in as_completed(futures):
                chunk, outcome, calls = future.result()
                self.summary.calls += calls
                self._handle(chunk, outcome, on_result)

    def _call(self, fetch: Callable, chunk: list, *, cost: int, share: float):
        """In a thread: ask the budget, call, settle what the call really cost."""
        if self.stop.is_set():
            return chunk, None, 0
        spend = self.budget.try_spend(cost, share=share)
        if not spend.allowed and spend.reason == "window" and wait_for(spend, max_seconds=60):
            spend = self.budget.try_spend(cost, share=share)
        if not spend.allowed:
            return chunk, spend, 0
        units: list[int] = []

        def usage_callback(usage):
            units.append(usage.quota_units)
            self.budget.record(usage)

        try:
            client = client_for(
                self.connection,
                http_client=self.http,
                usage_callback=usage_callback,
                baselines=self.baselines,
                clock=lambda: self.now,
            )
            return chunk, fetch(client, chunk), len(units)
        except (ProviderError, SecretUnreadable) as exc:
            # Stop the other threads at once: no new call may start after a quota, auth or
            # throttling error (the main thread decides the rest when it reads the result).
            if isinstance(exc, QuotaExceeded):
                self.budget.exhaust(exc.reset_at)
            stopping = QuotaExceeded | AuthError | RateLimited | TransientError | SecretUnreadable
            if isinstance(exc, stopping):
                self.stop.set()
            return chunk, exc, len(units)
        except Exception as exc:  # noqa: BLE001 - one bad reply must not lose the batch
            logger.exception("refresh call failed on connection %s", self.connection.pk)
            return chunk, exc, len(units)
        finally:
            self.budget.settle(reserved=cost, spent=sum(units))

    def _handle(self, chunk, outcome, on_result) -> None:
        """Main thread: write a result, or decide what an error means for the batch."""
        if outcome is None:
            return
        if isinstance(outcome, Spend):
            self._budget_denied(outcome)
        elif isinstance(outcome, QuotaExceeded):
            self.error, self.resume_at = outcome, outcome.reset_at
            self.stop.set()
            connection_pause(
                connection=self.connection, until=outcome.reset_at, message=outcome.message
            )
        elif isinstance(outcome, AuthError):
            self.error = outcome
            self._broken(outcome.message)
        elif isinstance(outcome, SecretUnreadable):
            self._broken(str(outcome))
        elif isinstance(outcome, RateLimited | TransientError):
            self.error = outcome
            self.stop.set()
            wait = outcome.retry_after_seconds or 0
            if wait > settings.REFRESH_RETRY_BACKOFF_MAX:  # a long throttle: pause, not retry
                self.resume_at = self.now + timedelta(seconds=wait)
                connection_pause(
                    connection=self.connection, until=self.resume_at, message=outcome.message
                )
        elif isinstance(outcome, Exception):
            message = (
                getattr(outcome, "message", "") or f"internal error ({type(outcome).__name__})"
            )
            self._chunk_failed(chunk, message)
        else:
            self.answered = True
            on_result(chunk, outcome)

    def _budget_denied(self, spend: Spend) -> None:
        self.stop.set()
        self.resume_at = spend.retry_at
        if spend.reason in ("quota", "paused") and spend.retry_at:
            connection_pause(
                connection=self.connection,
                until=spend.retry_at,
                message="The day's quota budget is used up.",
            )

    def _broken(self, message: str) -> None:
        self.stop.set()
        self.resume_at = self.resume_at or self.now  # due again as soon as it is fixed
        connection_mark_broken(connection=self.connection, message=message)

    # -- writes ----------------------------------------------------------------------
    def _accounts_for(self, keys) -> list[SocialAccount]:
        return [a for key in keys for a in self.by_key.get(key, []) if a.pk in self.pending]

    def _store(self, chunk, batch: AccountBatch) -> None:
        found = [
            (account, stats)
            for key, stats in batch.accounts.items()
            for account in self.by_key.get(key, [])
            if account.pk in self.pending
        ]
        next_refresh = {a.pk: next_refresh_for(a.pk, self.intervals, self.now) for a, _ in found}
        self.summary.refreshed += accounts_store_stats(
            found=found, source=self.source, now=self.now, next_refresh=next_refresh
        )
        for account, stats in found:
            self.pending.pop(account.pk, None)
            self.fetched[account.pk] = stats.to_ref()
        self._not_found(self._accounts_for(batch.not_found))

    def _not_found(self, accounts: list[SocialAccount]) -> None:
        if not accounts:
            return
        ids = [a.pk for a in accounts]
        later = self.now + timedelta(days=settings.REFRESH_DEFAULT_DAYS)
        if self.connection.platform == "instagram":
            self.summary.unreachable += accounts_mark(
                account_ids=ids,
                status=Status.UNREACHABLE,
                error="Not found through Instagram business discovery (a personal account, "
                "renamed or deleted): update it by import or by hand.",
                next_refresh_at=later,
            )
        elif self.connection.platform == "tiktok":
            self.summary.failed += accounts_mark(
                account_ids=ids,
                status=Status.FAILED,
                error="The connected TikTok authorisation belongs to another account.",
                next_refresh_at=later,
            )
        else:
            self.summary.not_found += accounts_mark(
                account_ids=ids,
                status=Status.NOT_FOUND,
                error="YouTube has no channel with this id (deleted or terminated).",
                next_refresh_at=later,
            )
        for pk in ids:
            self.pending.pop(pk, None)

    def _chunk_failed(self, chunk, message: str) -> None:
        if (
            self.connection.kind == Connection.Kind.YOUTUBE_KEY
            and chunk
            and isinstance(chunk[0], int)
        ):
            return  # posts of one channel: the stats are written, nothing to mark
        accounts = self._accounts_for(chunk) or [
            a for a in self.pending.values() if a.handle in chunk
        ]
        ids = [a.pk for a in accounts]
        self.summary.failed += accounts_mark(
            account_ids=ids,
            status=Status.FAILED,
            error=message,
            next_refresh_at=self.now + timedelta(hours=settings.REFRESH_FAILED_RETRY_HOURS),
        )
        for pk in ids:
            self.pending.pop(pk, None)

    def _resolved(self, chunk, ref: AccountRef | None) -> None:
        handle = chunk[0]
        accounts = [a for a in self.pending.values() if a.handle == handle and not a.external_id]
        if ref is NO_SUCH_CHANNEL:
            self._not_found(accounts)
            return
        SocialAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(
            external_id=ref.external_id
        )
        for account in accounts:
            account.external_id = ref.external_id

    def _posts_store(self, by_pk, chunk, posts) -> None:
        account, _ = by_pk[chunk[0]]
        account_posts_store(account=account, posts=posts, source=self.source, now=self.now)
        self.summary.posts += len(posts)


# -- fetchers (run in threads; only the client and their arguments) ----------------------


def _fetch(client, keys: list[str]) -> AccountBatch:
    return client.fetch_accounts(keys)


def _fetch_with_posts(client, keys: list[str]) -> AccountBatch:
    """TikTok: the profile, then the owner's recent videos (the token decides whose)."""
    batch = client.fetch_accounts(keys)
    for key, stats in batch.accounts.items():
        posts = client.fetch_recent_posts(limit=RECENT_POSTS)
        batch.accounts[key] = replace(stats, recent_posts=tuple(posts))
    return batch


def _fetch_posts(by_pk, client, chunk: list[int]):
    _, ref = by_pk[chunk[0]]
    uploads = ref.uploads_playlist_id
    if not uploads and ref.external_id.startswith("UC"):
        uploads = "UU" + ref.external_id[2:]  # YouTube's uploads playlist naming
    return client.fetch_recent_posts(replace(ref, uploads_playlist_id=uploads), RECENT_POSTS)


def _resolve(client, chunk: list[str]):
    try:
        return client.resolve(chunk[0])
    except NotFound:
        return NO_SUCH_CHANNEL  # an answer, not an error: the handle names no channel


def _demo_key(account: SocialAccount) -> str:
    return account.handle


def demo_baselines(accounts: Sequence[SocialAccount], now: datetime) -> dict[str, Baseline]:
    """The last numbers before today: the simulation walks on from them (same result all day)."""
    today = now.date()
    latest = {
        s.account_id: s
        for s in AccountSnapshot.objects.filter(account__in=accounts, date__lt=today)
        .order_by("account_id", "-date")
        .distinct("account_id")
    }
    baselines = {}
    for account in accounts:
        snapshot = latest.get(account.pk)
        if snapshot is not None:
            baselines[_demo_key(account)] = Baseline(
                snapshot.followers,
                snapshot.following,
                snapshot.posts,
                snapshot.total_views,
                snapshot.date,
            )
        elif account.followers is not None:
            # No history: the account's own numbers are yesterday's, unless they were
            # written today (then they already are today's, and stay as they are).
            updated_today = account.stats_updated_at and account.stats_updated_at.date() == today
            baselines[_demo_key(account)] = Baseline(
                account.followers,
                account.following,
                account.posts_count,
                account.total_views,
                today if updated_today else today - timedelta(days=1),
            )
    return baselines
