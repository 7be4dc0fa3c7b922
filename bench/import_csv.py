"""Time a 10,000-row creators CSV import: parse + preview, then the one-transaction write.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/import_csv.py [rows]

Runs against the configured database inside a transaction that is rolled back at
the end, so it leaves nothing behind. Prints rows per second for each phase.
"""

import csv
import io
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from apps.accounts.models import Workspace  # noqa: E402
from apps.creators import importing  # noqa: E402
from apps.creators.models import AccountSnapshot, CreatorImport, SocialAccount  # noqa: E402

NICHES = [
    "beauty",
    "fitness",
    "gaming",
    "food",
    "travel",
    "tech",
    "fashion",
    "parenting",
    "music",
    "comedy",
]
PLATFORMS = ["instagram", "tiktok", "youtube"]
COUNTRIES = ["GB", "FR", "DE", "US", "ES", "IT"]


def make_csv(rows: int) -> bytes:
    rng = random.Random(7)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "name",
            "email",
            "country",
            "language",
            "niches",
            "platform",
            "handle",
            "followers",
            "following",
            "posts",
            "notes",
        ]
    )
    for n in range(rows):
        writer.writerow(
            [
                f"Creator {n}",
                f"creator{n}@example.com",
                rng.choice(COUNTRIES),
                rng.choice(["en", "fr", "de", "es"]),
                "|".join(rng.sample(NICHES, 2)),
                rng.choice(PLATFORMS),
                f"creator_{n}",
                f"{rng.randint(1, 900)}.{rng.randint(0, 9)}k",
                rng.randint(50, 2000),
                rng.randint(10, 3000),
                "Imported for the benchmark",
            ]
        )
    return buffer.getvalue().encode("utf-8")


def main(rows: int) -> None:
    data = make_csv(rows)
    print(f"file: {rows:,} rows, {len(data) / 1024 / 1024:.1f} MB")
    with transaction.atomic():
        workspace = Workspace.objects.create(name="Import benchmark")
        started = time.perf_counter()
        creator_import = importing.import_preview_create(
            workspace=workspace, created_by=None, filename="bench.csv", data=data
        )
        preview_seconds = time.perf_counter() - started
        assert not creator_import.errors, creator_import.errors[:3]
        CreatorImport.objects.filter(pk=creator_import.pk).update(
            status=CreatorImport.Status.QUEUED
        )
        started = time.perf_counter()
        result = importing.import_run(import_id=creator_import.pk)
        import_seconds = time.perf_counter() - started
        assert result["status"] == "done", result
        accounts = SocialAccount.objects.for_workspace(workspace).count()
        snapshots = AccountSnapshot.objects.for_workspace(workspace).count()
        transaction.set_rollback(True)  # leave the database as it was
    print(
        f"preview (parse + duplicate check + store): {preview_seconds:.2f} s, "
        f"{rows / preview_seconds:,.0f} rows/s"
    )
    print(
        f"import (one transaction, scores and search): {import_seconds:.2f} s, "
        f"{rows / import_seconds:,.0f} rows/s"
    )
    print(
        f"total: {preview_seconds + import_seconds:.2f} s; wrote {accounts:,} accounts, "
        f"{snapshots:,} snapshots (rolled back)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
