"""CSV import of creators: a preview first (nothing written), then one transaction on confirm.

The uploaded file is parsed once (csv_import.parse_creators_csv) and only its
cleaned rows, errors and duplicates are kept, as JSON on a CreatorImport; the
file itself is never stored. Confirming queues a Celery task that writes every
row in ONE transaction, so a file is imported whole or not at all. Progress is
published in the cache while the transaction runs: the import's own row only
changes when the transaction commits, so it never shows half an import.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from apps.accounts.models import User, Workspace

from . import csv_import, services
from .models import AccountSnapshot, Creator, CreatorImport, SocialAccount, StatsSource
from .scoring import account_scores

logger = logging.getLogger(__name__)

BATCH_ROWS = 500  # rows written between two progress updates
PROGRESS_TIMEOUT = 6 * 3600


class ImportRejected(Exception):
    """The file as a whole can't be read (empty, not UTF-8, too many rows, no usable header)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass(frozen=True)
class ImportSummary:
    creators: int
    accounts: int
    duplicates: int


# --- matching existing accounts ---------------------------------------------


def _keys(platform: str, handle: str, external_id: str) -> list[tuple[str, str]]:
    """How an account is recognised: its handle, and its channel id where it has one."""
    keys = []
    if handle:
        keys.append((platform, handle))
    if external_id:
        keys.append((platform, "#" + external_id))
    return keys


def existing_accounts(
    *, workspace: Workspace, profiles: Iterable[tuple[str, str, str]]
) -> dict[tuple[str, str], SocialAccount]:
    """The workspace's accounts matching any of these (platform, handle, external_id), by key."""
    handles: dict[str, set[str]] = {}
    channel_ids: dict[str, set[str]] = {}
    for platform, handle, external_id in profiles:
        if handle:
            handles.setdefault(platform, set()).add(handle)
        if external_id:
            channel_ids.setdefault(platform, set()).add(external_id)
    query = Q(pk__in=[])
    for platform, values in handles.items():
        query |= Q(platform=platform, handle__in=values)
    for platform, values in channel_ids.items():
        query |= Q(platform=platform, external_id__in=values)
    found: dict[tuple[str, str], SocialAccount] = {}
    accounts = (
        SocialAccount.objects.for_workspace(workspace)
        .filter(query)
        .select_related("creator")
        .only("platform", "handle", "external_id", "creator__name")
    )
    for account in accounts:
        for key in _keys(account.platform, account.handle, account.external_id):
            found[key] = account
    return found


def match_existing(row: dict, found: dict[tuple[str, str], SocialAccount]) -> SocialAccount | None:
    for key in _keys(row["platform"], row["handle"], row["external_id"]):
        if key in found:
            return found[key]
    return None


# --- preview ----------------------------------------------------------------


def _row_json(row: csv_import.ImportRow) -> dict:
    data = asdict(row)
    data["platform"] = str(row.platform)
    data["niches"] = list(row.niches)
    return data


def _error_json(row_number: int, column: str, message: str) -> dict:
    return {"row_number": row_number, "column": column, "message": message}


def _duplicate_json(row: dict, account: SocialAccount) -> dict:
    return {
        "row_number": row["row_number"],
        "platform": row["platform"],
        "handle": row["handle"] or row["external_id"],
        "account_id": account.pk,
        "creator_id": account.creator_id,
        "creator_name": account.creator.name,
    }


def import_preview_create(
    *, workspace: Workspace, created_by: User | None, filename: str, data: bytes
) -> CreatorImport:
    """Parse an upload into a CreatorImport waiting for confirmation. Writes no creator.

    Raises ImportRejected when no row could be read at all (the upload form shows why).
    """
    preview = csv_import.parse_creators_csv(data)
    if preview.total_rows == 0 or any(e.row_number == csv_import.FILE_ROW for e in preview.errors):
        raise ImportRejected([e.message for e in preview.errors] or ["The file is empty"])

    errors = [_error_json(e.row_number, e.column, e.message) for e in preview.errors]
    rows = [_row_json(row) for row in preview.rows]
    found = existing_accounts(
        workspace=workspace, profiles=((r["platform"], r["handle"], r["external_id"]) for r in rows)
    )
    to_import, duplicates = [], []
    for row in rows:
        account = match_existing(row, found)
        if account is not None:
            duplicates.append(_duplicate_json(row, account))
        else:
            to_import.append(row)
    errors.sort(key=lambda e: e["row_number"])
    return CreatorImport.objects.create(
        workspace=workspace,
        created_by=created_by,
        filename=filename[:200],
        rows=to_import,
        errors=errors,
        duplicates=duplicates,
        total_rows=preview.total_rows,
    )


def creator_groups(rows: Sequence[dict]) -> list[list[dict]]:
    """Rows of one person: same name and same email (rows without an email stand alone)."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        key = (
            (row["name"].casefold(), row["email"].lower()) if row["email"] else (row["row_number"],)
        )
        groups.setdefault(key, []).append(row)
    return list(groups.values())


def import_summary(creator_import: CreatorImport) -> ImportSummary:
    """What the import writes (before confirming) or wrote (once done)."""
    skipped = {d["row_number"] for d in creator_import.duplicates}
    rows = [row for row in creator_import.rows if row["row_number"] not in skipped]
    return ImportSummary(
        creators=len(creator_groups(rows)),
        accounts=len(rows),
        duplicates=len(creator_import.duplicates),
    )


# --- confirm and run ----------------------------------------------------------


def progress_key(import_id: int) -> str:
    return f"creators:import:{import_id}:processed"


def import_progress(creator_import: CreatorImport) -> int:
    """Rows processed so far: the cache while running, the row itself once committed."""
    if creator_import.status == CreatorImport.Status.RUNNING:
        cached = cache.get(progress_key(creator_import.pk))
        if cached is not None:
            return int(cached)
    return creator_import.processed_rows


def import_confirm(*, creator_import: CreatorImport) -> bool:
    """Queue a valid preview for import. False when it was already confirmed (or can't be)."""
    from .tasks import run_import

    if creator_import.errors or not creator_import.rows:
        return False
    # The status claim makes a double click (or two tabs) queue the import once.
    queued = CreatorImport.objects.filter(
        pk=creator_import.pk, status=CreatorImport.Status.PREVIEW
    ).update(status=CreatorImport.Status.QUEUED)
    if queued != 1:
        return False
    creator_import.status = CreatorImport.Status.QUEUED
    pk = creator_import.pk
    transaction.on_commit(lambda: run_import.delay(pk))
    return True


def import_run(*, import_id: int) -> dict:
    """Write a queued import in one transaction. Runs at most once per import (status claim)."""
    claimed = CreatorImport.objects.filter(pk=import_id, status=CreatorImport.Status.QUEUED).update(
        status=CreatorImport.Status.RUNNING
    )
    if claimed != 1:
        return {"import": import_id, "status": "not claimed"}
    try:
        with transaction.atomic():
            creator_import = CreatorImport.objects.select_for_update().get(pk=import_id)
            summary = _write_rows(creator_import)
    except Exception as exc:
        logger.exception("Creator import %s failed", import_id)
        CreatorImport.objects.filter(pk=import_id).update(
            status=CreatorImport.Status.FAILED,
            failure=f"The import failed and nothing was written ({type(exc).__name__}).",
            finished_at=timezone.now(),
        )
        return {"import": import_id, "status": "failed"}
    finally:
        cache.delete(progress_key(import_id))
    return {"import": import_id, "status": "done", **asdict(summary)}


def _batches(groups: list[list[dict]], size: int) -> Iterator[list[list[dict]]]:
    batch: list[list[dict]] = []
    rows = 0
    for group in groups:
        batch.append(group)
        rows += len(group)
        if rows >= size:
            yield batch
            batch, rows = [], 0
    if batch:
        yield batch


def _write_rows(creator_import: CreatorImport) -> ImportSummary:
    workspace = creator_import.workspace
    now = timezone.now()
    # Re-checked inside the transaction: the add form or another import may have
    # added some of these accounts since the preview was made.
    found = existing_accounts(
        workspace=workspace,
        profiles=((r["platform"], r["handle"], r["external_id"]) for r in creator_import.rows),
    )
    duplicates = list(creator_import.duplicates)
    rows = []
    for row in creator_import.rows:
        account = match_existing(row, found)
        if account is not None:
            duplicates.append(_duplicate_json(row, account))
        else:
            rows.append(row)

    niche_names = sorted({niche for row in rows for niche in row["niches"]})
    niches_by_slug = {
        niche.slug: niche
        for niche in services.niches_get_or_create(workspace=workspace, names=niche_names)
    }
    bands = services.benchmark_bands()
    processed = len(duplicates)
    cache.set(progress_key(creator_import.pk), processed, PROGRESS_TIMEOUT)
    creators_written = accounts_written = 0
    for batch in _batches(creator_groups(rows), BATCH_ROWS):
        accounts = _write_batch(workspace, batch, niches_by_slug, bands, now)
        services.accounts_update_search(account_ids=[account.pk for account in accounts])
        creators_written += len(batch)
        accounts_written += len(accounts)
        processed += len(accounts)
        cache.set(progress_key(creator_import.pk), processed, PROGRESS_TIMEOUT)

    creator_import.status = CreatorImport.Status.DONE
    creator_import.duplicates = duplicates
    creator_import.processed_rows = creator_import.total_rows
    creator_import.created_accounts = accounts_written
    creator_import.finished_at = timezone.now()
    creator_import.save(
        update_fields=["status", "duplicates", "processed_rows", "created_accounts", "finished_at"]
    )
    return ImportSummary(creators_written, accounts_written, len(duplicates))


def _first(values: Iterable[str]) -> str:
    return next((value for value in values if value), "")


def _account(workspace: Workspace, creator: Creator, niche_ids: list[int], row: dict, now):
    has_counts = any(row[c] is not None for c in ("followers", "following", "posts"))
    return SocialAccount(
        workspace=workspace,
        creator=creator,
        platform=row["platform"],
        handle=row["handle"],
        external_id=row["external_id"],
        profile_url=row["profile_url"],
        followers=row["followers"],
        following=row["following"],
        posts_count=row["posts"],
        stats_source=StatsSource.IMPORT,
        # Counts from the file are as fresh as the file; without them the refresher goes first.
        stats_updated_at=now if has_counts else None,
        refresh_status=(
            SocialAccount.RefreshStatus.OK if has_counts else SocialAccount.RefreshStatus.PENDING
        ),
        country=creator.country,
        language=creator.language,
        niche_ids=niche_ids,
    )


def _write_batch(
    workspace: Workspace, groups: list[list[dict]], niches_by_slug: dict, bands, now
) -> list[SocialAccount]:
    creators, niche_ids = [], []
    for group in groups:
        creators.append(
            Creator(
                workspace=workspace,
                name=group[0]["name"],
                email=group[0]["email"],
                country=_first(row["country"] for row in group),
                language=_first(row["language"] for row in group),
                notes="\n".join(dict.fromkeys(row["notes"] for row in group if row["notes"])),
            )
        )
        slugs = {slugify(niche)[:50] for row in group for niche in row["niches"]}
        niche_ids.append(
            sorted(niches_by_slug[slug].pk for slug in slugs if slug in niches_by_slug)
        )
    Creator.objects.bulk_create(creators)

    Through = Creator.niches.through
    Through.objects.bulk_create(
        [
            Through(creator_id=creator.pk, niche_id=niche_id)
            for creator, ids in zip(creators, niche_ids, strict=True)
            for niche_id in ids
        ]
    )
    accounts, snapshots = [], []
    for creator, ids, group in zip(creators, niche_ids, groups, strict=True):
        for row in group:
            account = _account(workspace, creator, ids, row, now)
            snapshot = None
            if account.followers is not None:
                snapshot = AccountSnapshot(
                    date=now.date(),
                    followers=account.followers,
                    following=account.following,
                    posts=account.posts_count,
                    source=StatsSource.IMPORT,
                )
            # Scored here, before the insert: a new account has no posts and only
            # today's snapshot, exactly what services.accounts_recompute() would read,
            # and a second pass of UPDATEs would triple the import's time.
            scores = account_scores(
                platform=account.platform,
                followers=account.followers,
                following=account.following,
                posts_count=account.posts_count,
                posts=[],
                snapshots=services.snapshot_samples([snapshot] if snapshot else []),
                bands=bands,
                now=now,
            )
            for field, value in scores.items():
                setattr(account, field, value)
            account.scores_updated_at = now
            accounts.append(account)
            snapshots.append(snapshot)
    SocialAccount.objects.bulk_create(accounts)
    for account, snapshot in zip(accounts, snapshots, strict=True):
        if snapshot is not None:
            snapshot.account = account
    AccountSnapshot.objects.bulk_create([s for s in snapshots if s is not None])
    return accounts
