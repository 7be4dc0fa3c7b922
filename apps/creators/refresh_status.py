"""What the refresh pages read: "Refresh now" requests, their progress, a workspace's status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from .models import Connection, Platform, SocialAccount, StatsSource
from .quota import BudgetState, budget_for
from .refresh import (
    claim_accounts,
    connections_for_accounts,
    enqueue_batches,
    stale_claim_before,
    unusable_reason,
)

Status = SocialAccount.RefreshStatus
FRESH_SOURCES = [StatsSource.API, StatsSource.DEMO]


@dataclass
class RefreshRequest:
    account_ids: list[int]  # every account asked for, in the workspace
    queued: list[int] = field(default_factory=list)
    already_queued: list[int] = field(default_factory=list)
    unreachable: list[tuple[SocialAccount, str]] = field(default_factory=list)


def refresh_request(
    *, workspace, account_ids: Sequence[int], now: datetime | None = None
) -> RefreshRequest:
    """Claim these accounts ("Refresh now") whatever their schedule and enqueue them, with
    recent posts (the user asked for this creator, so the extra YouTube units are worth it)."""
    now = now or timezone.now()
    accounts = list(
        SocialAccount.objects.for_workspace(workspace).filter(pk__in=list(account_ids)[:500])
    )
    request = RefreshRequest(account_ids=[a.pk for a in accounts])
    served = connections_for_accounts(workspace, accounts)
    by_connection: dict[int, tuple[Connection, list[int]]] = {}
    for account in accounts:
        connection = served.get(account.pk)
        reason = unusable_reason(connection, account.get_platform_display(), now)
        if reason:
            request.unreachable.append((account, reason))
        else:
            by_connection.setdefault(connection.pk, (connection, []))[1].append(account.pk)
    with transaction.atomic():
        for connection, ids in by_connection.values():
            claimed = claim_accounts(ids, now=now)
            request.queued += claimed
            request.already_queued += [pk for pk in ids if pk not in claimed]
            enqueue_batches(connection, claimed, claimed_at=now, with_posts=True)
    return request


@dataclass(frozen=True)
class Progress:
    total: int
    queued: int
    refreshed: int
    problems: list[tuple[str, str]]  # (account, why it was not refreshed)

    @property
    def finished(self) -> bool:
        return self.queued == 0

    @property
    def percent(self) -> int:
        return round(100 * (self.total - self.queued) / self.total) if self.total else 100


def progress(*, workspace, account_ids: Sequence[int], since: datetime) -> Progress:
    """How far the accounts of a "Refresh now" have come (polled by the page)."""
    accounts = list(
        SocialAccount.objects.for_workspace(workspace)
        .filter(pk__in=list(account_ids)[:500])
        .only(
            "pk",
            "platform",
            "handle",
            "refresh_queued_at",
            "refresh_status",
            "refresh_error",
            "stats_updated_at",
        )
    )
    done = [a for a in accounts if a.refresh_queued_at is None]
    refreshed = {a.pk for a in done if a.stats_updated_at and a.stats_updated_at >= since}
    problems = [
        (str(a), a.refresh_error or a.get_refresh_status_display())
        for a in done
        if a.pk not in refreshed
    ]
    return Progress(len(accounts), len(accounts) - len(done), len(refreshed), problems)


@dataclass(frozen=True)
class ConnectionRow:
    connection: Connection
    budget: BudgetState


@dataclass(frozen=True)
class WorkspaceStatus:
    connections: list[ConnectionRow]
    counts: dict
    failures: list[dict]
    unreached_platforms: list[tuple[str, int]]  # (platform label, accounts) with no API
    stale_days: int


def workspace_status(*, workspace, now: datetime | None = None) -> WorkspaceStatus:
    now = now or timezone.now()
    connections = list(Connection.objects.for_workspace(workspace).select_related("account"))
    budgets: dict[str, BudgetState] = {}
    rows = []
    for connection in connections:
        budget = budget_for(connection)
        key = f"{type(budget).__name__}:{budget.fingerprint}"
        if key not in budgets:
            budgets[key] = budget.state(now=now)
        rows.append(ConnectionRow(connection, budgets[key]))
    usable_shared = [
        c.platform
        for c in connections
        if c.account_id is None and not unusable_reason(c, c.platform, now)
    ]
    accounts = SocialAccount.objects.for_workspace(workspace)
    served = Q(platform__in=usable_shared) | Q(connection__isnull=False)
    today = datetime.combine(now.astimezone(UTC).date(), time(), UTC)
    counts = accounts.aggregate(
        total=Count("pk"),
        queued=Count("pk", filter=Q(refresh_queued_at__gte=stale_claim_before(now))),
        done_today=Count(
            "pk", filter=Q(stats_updated_at__gte=today, stats_source__in=FRESH_SOURCES)
        ),
        due=Count(
            "pk",
            filter=served
            & Q(refresh_queued_at__isnull=True)
            & (Q(next_refresh_at__isnull=True) | Q(next_refresh_at__lte=now)),
        ),
        due_24h=Count(
            "pk",
            filter=served
            & Q(next_refresh_at__gt=now, next_refresh_at__lte=now + timedelta(days=1)),
        ),
        failed=Count("pk", filter=Q(refresh_status=Status.FAILED)),
        not_found=Count("pk", filter=Q(refresh_status=Status.NOT_FOUND)),
        unreachable=Count("pk", filter=Q(refresh_status=Status.UNREACHABLE)),
        stale=Count(
            "pk",
            filter=Q(stats_updated_at__lt=now - timedelta(days=settings.REFRESH_STALE_DAYS))
            | Q(stats_updated_at__isnull=True),
        ),
    )
    failures = list(
        accounts.filter(refresh_status=Status.FAILED)
        .values("refresh_error")
        .annotate(accounts=Count("pk"))
        .order_by("-accounts", "refresh_error")[:10]
    )
    unreached = dict(
        accounts.exclude(served).values_list("platform").annotate(n=Count("pk")).order_by()
    )
    return WorkspaceStatus(
        connections=rows,
        counts=counts,
        failures=failures,
        unreached_platforms=[
            (label, unreached[value]) for value, label in Platform.choices if unreached.get(value)
        ],
        stale_days=settings.REFRESH_STALE_DAYS,
    )
