"""seed_creators: bulk-load realistic synthetic creators (apps.creators.synthetic).

Rows go in with COPY in chunks of a few thousand accounts, one transaction per
chunk; daily snapshots are expanded by the database from per-account parameters
(synthetic.SNAPSHOT_SQL) so a million accounts do not mean 90 million rows
formatted in Python. Scores are computed here with scoring.account_scores() on
exactly the posts and snapshots that get stored. Large runs fan the chunks out
to worker processes, each with its own connection.
"""

import io
import multiprocessing
import os
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from django.utils import timezone

from apps.accounts.models import Workspace
from apps.creators import synthetic
from apps.creators.models import Creator, SocialAccount, StatsSource
from apps.creators.services import SEARCH_VECTOR, benchmark_bands, niches_get_or_create

CHUNK_ACCOUNTS = 5_000
INLINE_LIMIT = 20_000  # below this, worker processes cost more than they save
# VACUUM the accounts (discovery reads them: it sets the visibility map), ANALYZE the rest.
AFTER_LOAD = (
    "VACUUM (ANALYZE) creators_socialaccount",
    "ANALYZE creators_creator",
    "ANALYZE creators_creator_niches",
    "ANALYZE creators_accountsnapshot",
    "ANALYZE creators_post",
)


@dataclass
class Job:
    """One chunk: creators first..first+count-1; the last one may be capped to fit N accounts."""

    first: int
    count: int
    last_cap: int | None
    workspace_id: int
    seed: int
    days: int
    posts: int
    now: datetime
    niche_ids: dict[str, int]
    bands: list


@dataclass
class ChunkResult:
    creators: int = 0
    accounts: int = 0
    posts: int = 0
    snapshots: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def plan_jobs(*, seed: int, start: int, accounts: int, chunk: int, **common) -> list[Job]:
    jobs, first, index, in_chunk, total = [], start, start, 0, 0
    while total < accounts:
        n = min(synthetic.account_count(seed, index), accounts - total)
        total, in_chunk, index = total + n, in_chunk + n, index + 1
        if in_chunk >= chunk or total == accounts:
            cap = n if n < synthetic.account_count(seed, index - 1) else None
            jobs.append(Job(first, index - first, cap, seed=seed, **common))
            first, in_chunk = index, 0
    return jobs


def _text(value) -> str:
    """One field in COPY's text format."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        items = ('"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value)
        value = "{" + ",".join(items) + "}"
    text = str(value) if not isinstance(value, datetime) else value.isoformat()
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
        text = text.replace("\r", "\\r")
    return text


def _copy(cursor, table: str, columns: tuple[str, ...], rows) -> None:
    buffer = io.StringIO()
    buffer.writelines("\t".join(map(_text, row)) + "\n" for row in rows)
    buffer.seek(0)
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    cursor.cursor.copy_expert(sql, buffer, size=1 << 20)


POST_COLUMNS = (
    "account_id", "platform_post_id", "url", "published_at", "caption", "format", "views",
    "likes", "comments", "shares", "saves", "likes_hidden", "sponsored_markers", "source",
    "updated_at",
)  # fmt: skip


def _copy_posts(cursor, accounts, now: datetime) -> None:
    """Posts are most of the COPY volume: format them with one f-string each, not _text()."""

    def number(value) -> str:
        return r"\N" if value is None else str(value)

    buffer = io.StringIO()
    tail = f"\t{StatsSource.DEMO.value}\t{now.isoformat()}\n"
    for account_id, account in accounts:
        for p in account.posts:
            buffer.write(
                f"{account_id}\t{p.post_id}\t{_text(p.url)}\t{p.published_at.isoformat()}\t"
                f"{_text(p.caption)}\t{p.format}\t{number(p.views)}\t{number(p.likes)}\t"
                f"{number(p.comments)}\t{number(p.shares)}\t{number(p.saves)}\t"
                f"{'t' if p.likes_hidden else 'f'}\t{_text(p.markers)}{tail}"
            )
    buffer.seek(0)
    sql = f"COPY creators_post ({', '.join(POST_COLUMNS)}) FROM STDIN"
    cursor.cursor.copy_expert(sql, buffer, size=1 << 20)


ACCOUNT_COLUMNS = (
    "id", "workspace_id", "creator_id", "platform", "handle", "external_id", "profile_url",
    "display_name", "bio", "verified", "followers", "following", "posts_count", "total_views",
    "stats_source", "stats_updated_at", "refresh_status", "refresh_error", "created_at",
    "country", "language", "niche_ids", "tier", "engagement_rate", "engagement_sample",
    "avg_views", "authenticity_score", "growth_30d", "posts_per_week", "has_sponsored",
    "scores_updated_at",
)  # fmt: skip


def _copy_accounts(cursor, rows) -> None:
    """Accounts pass through a temporary table so that their search document is computed as
    they go in: updating it afterwards wrote each row and all its index entries twice."""
    cursor.execute(
        "CREATE TEMPORARY TABLE seed_accounts (LIKE creators_socialaccount INCLUDING DEFAULTS)"
    )
    _copy(cursor, "seed_accounts", ACCOUNT_COLUMNS, rows)
    cursor.execute(
        f"INSERT INTO {SocialAccount._meta.db_table} ({', '.join(ACCOUNT_COLUMNS)}, search_vector) "  # noqa: S608 -- constants only
        f"SELECT {', '.join(f'account.{column}' for column in ACCOUNT_COLUMNS)}, {SEARCH_VECTOR} "
        "FROM seed_accounts AS account JOIN creators_creator AS creator "
        "ON creator.id = account.creator_id"
    )
    cursor.execute("DROP TABLE seed_accounts")


def _next_ids(cursor, table: str, n: int) -> list[int]:
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
    )
    return [row[0] for row in cursor.fetchall()]


def _bulk_session(cursor) -> None:
    """Settings for this chunk's transaction only (SET LOCAL ends with it).

    A superuser skips the foreign-key triggers (replica role): every id the rows
    point at was inserted moments earlier in this same transaction, and the
    deferred checks would otherwise cost as much as the inserts themselves.
    """
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SHOW is_superuser")
    if cursor.fetchone()[0] == "on":
        cursor.execute("SET LOCAL session_replication_role = replica")


def write_chunk(job: Job) -> ChunkResult:
    """Generate, score and store one chunk in its own transaction (or savepoint)."""
    result, clock = ChunkResult(), time.perf_counter()
    creators = [
        synthetic.generate_creator(
            job.seed,
            index,
            now=job.now,
            days=job.days,
            posts=job.posts,
            accounts=job.last_cap if index == job.first + job.count - 1 else None,
        )
        for index in range(job.first, job.first + job.count)
    ]
    result.seconds["generate"] = time.perf_counter() - clock
    clock = time.perf_counter()
    for creator in creators:
        for account in creator.accounts:
            account.scores = synthetic.score_account(
                account, bands=job.bands, now=job.now, days=job.days
            )
    result.seconds["score"] = time.perf_counter() - clock
    clock = time.perf_counter()
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if own_transaction:
            _bulk_session(cursor)
        pairs = _store_rows(cursor, job, creators, result)
        result.seconds["copy"] = time.perf_counter() - clock
        clock = time.perf_counter()
        cursor.execute(
            synthetic.SNAPSHOT_SQL,
            synthetic.snapshot_params(pairs, days=job.days, today=job.now.date()),
        )
        result.snapshots = cursor.rowcount
    result.seconds["snapshots"] = time.perf_counter() - clock
    return result


def _store_rows(cursor, job: Job, creators, result: ChunkResult) -> list:
    now = job.now
    accounts = [(c, a) for c in creators for a in c.accounts]
    creator_ids = _next_ids(cursor, Creator._meta.db_table, len(creators))
    account_ids = _next_ids(cursor, SocialAccount._meta.db_table, len(accounts))
    id_of = {c.index: pk for c, pk in zip(creators, creator_ids, strict=True)}
    niche_ids = {c.index: sorted(job.niche_ids[n] for n in c.niches) for c in creators}
    _copy(
        cursor,
        Creator._meta.db_table,
        ("id", "workspace_id", "name", "email", "country", "language", "notes", "created_at", "updated_at"),
        ((id_of[c.index], job.workspace_id, c.name, c.email, c.country, c.language, "", now, now) for c in creators),
    )  # fmt: skip
    _copy(
        cursor,
        Creator.niches.through._meta.db_table,
        ("creator_id", "niche_id"),
        ((id_of[c.index], niche) for c in creators for niche in niche_ids[c.index]),
    )
    _copy_accounts(
        cursor,
        (
            (pk, job.workspace_id, id_of[c.index], a.platform, a.handle, a.external_id,
             a.profile_url, a.display_name, a.bio, a.verified, a.followers, a.following,
             a.posts_count, a.total_views, StatsSource.DEMO, now, SocialAccount.RefreshStatus.OK,
             "", now, c.country, c.language, niche_ids[c.index], a.scores["tier"],
             a.scores["engagement_rate"], a.scores["engagement_sample"], a.scores["avg_views"],
             a.scores["authenticity_score"], a.scores["growth_30d"], a.scores["posts_per_week"],
             a.scores["has_sponsored"], now)
            for pk, (c, a) in zip(account_ids, accounts, strict=True)
        ),
    )  # fmt: skip
    _copy_posts(cursor, zip(account_ids, (a for _, a in accounts), strict=True), now)
    result.creators, result.accounts = len(creators), len(accounts)
    result.posts = sum(len(a.posts) for _, a in accounts)
    return [(pk, a) for pk, (_, a) in zip(account_ids, accounts, strict=True)]


def _next_creator_index(workspace: Workspace) -> int:
    """Past every synthetic creator already there, so another run only adds (handles end in it).

    The highest index rather than a count: an interrupted parallel run leaves gaps.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT max(substring(handle from '[0-9]+$')::bigint) FROM creators_socialaccount "
            "WHERE workspace_id = %s AND stats_source = %s",
            [workspace.pk, StatsSource.DEMO.value],
        )
        last = cursor.fetchone()[0]
    return 0 if last is None else last + 1


class Command(BaseCommand):
    help = "Add N synthetic creators' accounts (history, posts, scores) to a workspace."

    def add_arguments(self, parser):
        parser.add_argument("--accounts", type=int, required=True, help="Social accounts to add.")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--workspace", type=int, help="Workspace id.")
        target.add_argument("--workspace-name", help="Workspace name (created if missing).")
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--days", type=int, default=90, help="Daily snapshots per account.")
        parser.add_argument("--posts", type=int, default=12, help="Posts per account.")
        parser.add_argument("--workers", type=int, default=0, help="Processes (0: automatic).")
        parser.add_argument("--chunk", type=int, default=CHUNK_ACCOUNTS)

    def handle(self, *args, accounts, workspace, workspace_name, seed, days, posts, workers, chunk, **options):  # fmt: skip
        if accounts < 1 or days < 31 or posts < 1 or chunk < 1:
            raise CommandError("Need --accounts ≥ 1, --days ≥ 31, --posts ≥ 1 and --chunk ≥ 1.")
        workspace = self._workspace(workspace, workspace_name)
        niches = niches_get_or_create(workspace=workspace, names=synthetic.NICHES)
        start = _next_creator_index(workspace)
        now = timezone.now().replace(microsecond=0)
        jobs = plan_jobs(
            seed=seed,
            start=start,
            accounts=accounts,
            chunk=chunk,
            workspace_id=workspace.pk,
            days=days,
            posts=posts,
            now=now,
            niche_ids={niche.name: niche.pk for niche in niches},
            bands=benchmark_bands(),
        )
        if workers <= 0:
            # One more than the cores: while a worker generates and scores in Python, its
            # Postgres backend is idle; a third worker on 2 cores took 1M from 585-605 s to 549 s.
            workers = 1 if accounts <= INLINE_LIMIT else (os.cpu_count() or 1) + 1
        if connection.in_atomic_block:
            workers = 1  # other processes could not see the caller's transaction
        self.stdout.write(
            f"Seeding {accounts:,} accounts into “{workspace.name}” (id {workspace.pk}) "
            f"in {len(jobs)} chunk(s), {workers} worker(s)…"
        )
        started = time.perf_counter()
        total = self._run(jobs, workers, started)
        elapsed = time.perf_counter() - started
        if not connection.in_atomic_block:  # VACUUM cannot run in a transaction
            with connection.cursor() as cursor:
                for statement in AFTER_LOAD:
                    cursor.execute(statement)
        rows = total.creators + total.accounts + total.posts + total.snapshots
        analyzed = time.perf_counter() - started
        self.stdout.write(
            f"Done: {total.creators:,} creators, {total.accounts:,} accounts, "
            f"{total.posts:,} posts, {total.snapshots:,} snapshots in {elapsed:.1f}s "
            f"({rows / elapsed:,.0f} rows/s, {total.accounts / elapsed:,.0f} accounts/s; "
            f"{analyzed:.1f}s with VACUUM/ANALYZE)."
        )
        spent = ", ".join(f"{k} {v:.0f}s" for k, v in total.seconds.items())
        self.stdout.write(f"Time spent in chunks (summed over workers): {spent}.")

    def _workspace(self, workspace_id, name) -> Workspace:
        if workspace_id is not None:
            try:
                return Workspace.objects.get(pk=workspace_id)
            except Workspace.DoesNotExist:
                raise CommandError(f"No workspace with id {workspace_id}.") from None
        workspace = Workspace.objects.filter(name=name).order_by("pk").first()
        return workspace or Workspace.objects.create(name=name)

    def _run(self, jobs: list[Job], workers: int, started: float) -> ChunkResult:
        total = ChunkResult()
        if workers == 1:
            results = map(write_chunk, jobs)
        else:
            connections.close_all()  # each forked worker must open its own connection
            pool = multiprocessing.get_context("fork").Pool(workers)
            results = pool.imap_unordered(write_chunk, jobs)
        try:
            for done, result in enumerate(results, start=1):
                total.creators += result.creators
                total.accounts += result.accounts
                total.posts += result.posts
                total.snapshots += result.snapshots
                for key, seconds in result.seconds.items():
                    total.seconds[key] = total.seconds.get(key, 0.0) + seconds
                elapsed = time.perf_counter() - started
                if done == len(jobs) or done % max(1, len(jobs) // 20) == 0:
                    self.stdout.write(
                        f"  {done}/{len(jobs)} chunks: {total.accounts:,} accounts, "
                        f"{total.snapshots:,} snapshots, {total.posts:,} posts "
                        f"({elapsed:.0f}s, {total.accounts / elapsed:,.0f} accounts/s)"
                    )
                    self.stdout.flush()
        finally:
            if workers > 1:
                pool.close()
                pool.join()
        return total
