"""Refresh 100,000 YouTube accounts through a real Celery worker against a fake YouTube.

    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/refresh.py [--accounts 100000]
        [--latency 0.1] [--concurrency N]

Starts a loopback fake of channels.list (tests/creators/fake_youtube.py: 50 ids per
call, --latency seconds per call, realistic bodies), tops the "Refresh bench" workspace
up to --accounts bare YouTube accounts with channel ids (bulk_create), gives it a fresh
API key, and starts `celery worker` (default concurrency unless --concurrency) on its own
queue. Then:

  run 1: beat's schedule_due() claims every due account and enqueues the batches; the
         worker refreshes them. Targets: exactly ceil(N/50) channel calls, ≤ 120 s.
  run 2: the same day. First beat again (nothing is due: 0 calls), then "Refresh now"
         of every account (all claimed again, all fetched again): 0 new snapshots.

Prints, per run: channel calls, wall time, snapshots written (new rows) and updated.
"""

import argparse
import math
import os
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MICROREACH_DEV", "true")

from tests.creators.fake_youtube import FakeYouTube  # noqa: E402 - the server first

WORKSPACE = "Refresh bench"
TARGET_SECONDS = 120


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, default=None)
    return parser.parse_args()


args = parse_args()
fake = FakeYouTube(latency=args.latency).start()
queue = f"bench-refresh-{uuid.uuid4().hex[:8]}"
# The settings read these: the clients call the fake, the tasks go to our worker's queue.
os.environ["YOUTUBE_API_BASE"] = fake.base_url
os.environ["REFRESH_QUEUE"] = queue

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Workspace  # noqa: E402
from apps.creators import connections, refresh  # noqa: E402
from apps.creators.models import AccountSnapshot, Connection, Creator, SocialAccount  # noqa: E402
from apps.creators.quota import budget_for  # noqa: E402
from config.celery import app as celery_app  # noqa: E402


def seed(count: int) -> Workspace:
    workspace, _ = Workspace.objects.get_or_create(name=WORKSPACE)
    have = SocialAccount.objects.for_workspace(workspace).count()
    if have < count:
        started = time.monotonic()
        missing = range(have, count)
        creators = Creator.objects.bulk_create(
            (Creator(workspace=workspace, name=f"Bench creator {n}") for n in missing),
            batch_size=5000,
        )
        SocialAccount.objects.bulk_create(
            (
                SocialAccount(
                    workspace=workspace,
                    creator=creator,
                    platform="youtube",
                    handle=f"bench{n}",
                    external_id=f"UCbench{n:017d}",
                )
                for n, creator in zip(missing, creators, strict=True)
            ),
            batch_size=5000,
        )
        print(f"seeded {count - have:,} accounts in {time.monotonic() - started:.1f} s")
    # Every run starts from accounts never refreshed today.
    accounts = SocialAccount.objects.for_workspace(workspace)
    AccountSnapshot.objects.filter(account__workspace=workspace).delete()
    accounts.update(next_refresh_at=None, refresh_queued_at=None, refresh_status="pending")
    return workspace


def start_worker() -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-Q",
        queue,
        "--without-gossip",
        "--without-mingle",
        "--loglevel=WARNING",
        "-n",
        f"{queue}@%h",
    ]
    if args.concurrency:
        command.append(f"--concurrency={args.concurrency}")
    worker = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if celery_app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=1):
            return worker
    worker.kill()
    sys.exit("the worker did not start")


def wait_until_done(workspace: Workspace) -> None:
    claimed = SocialAccount.objects.for_workspace(workspace).filter(refresh_queued_at__isnull=False)
    while claimed.exists():
        time.sleep(0.25)


def measure(label: str, workspace: Workspace, enqueue) -> dict:
    snapshots = AccountSnapshot.objects.filter(
        account__workspace=workspace, date=timezone.now().date()
    )
    before_rows, before_calls = snapshots.count(), fake.calls
    started, started_at = time.monotonic(), timezone.now()
    enqueued = enqueue()
    wait_until_done(workspace)
    wall = time.monotonic() - started
    rows = snapshots.count()
    # The tasks stamp stats_updated_at with the time they started, after `started_at`.
    refreshed = (
        SocialAccount.objects.for_workspace(workspace)
        .filter(refresh_status="ok", stats_updated_at__gte=started_at)
        .count()
    )
    figures = {
        "accounts enqueued": enqueued,
        "channel calls": fake.calls - before_calls,
        "wall time (s)": round(wall, 1),
        "snapshots written (new rows)": rows - before_rows,
        "snapshots for today (total)": rows,
        "accounts refreshed in this run": refreshed,
    }
    print(f"\n{label}")
    for name, value in figures.items():
        print(f"  {name:32} {value:>10,}" if isinstance(value, int) else f"  {name:32} {value:>10}")
    return figures


def main() -> None:
    workspace = seed(args.accounts)
    Connection.objects.for_workspace(workspace).delete()
    youtube = connections.connection_create(
        workspace=workspace,
        kind="youtube_key",
        name="Bench key",
        secret=f"AIzaSy-bench-{secrets.token_hex(12)}",  # a fresh budget every run
    )
    worker = start_worker()
    try:
        n = args.accounts
        first = measure(
            f"run 1: beat schedule, {n:,} due accounts",
            workspace,
            lambda: refresh.schedule_due(only=[youtube.pk])["accounts"],
        )
        beat_again = measure(
            "run 2a: beat again the same day (nothing is due)",
            workspace,
            lambda: refresh.schedule_due(only=[youtube.pk])["accounts"],
        )

        def refresh_all():
            ids = list(SocialAccount.objects.for_workspace(workspace).values_list("pk", flat=True))
            with transaction.atomic():
                now = timezone.now()
                claimed = refresh.claim_accounts(ids, now=now)
                refresh.enqueue_batches(youtube, claimed, claimed_at=now)
            return len(claimed)

        second = measure(
            "run 2b: “Refresh now” of every account the same day", workspace, refresh_all
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        fake.stop()

    target_calls = math.ceil(n / 50)
    print(
        f"\ntargets: run 1 calls == {target_calls:,} -> "
        f"{'ok' if first['channel calls'] == target_calls else 'MISSED'}; "
        f"run 1 wall ≤ {TARGET_SECONDS} s -> "
        f"{'ok' if first['wall time (s)'] <= TARGET_SECONDS else 'MISSED'}; "
        f"same-day runs add 0 snapshots -> "
        f"{'ok' if beat_again['snapshots written (new rows)'] == 0 == second['snapshots written (new rows)'] else 'MISSED'}"
    )
    used = budget_for(youtube).state()
    print(f"quota units charged to the key today: {used.used:,} of {used.limit:,}")


if __name__ == "__main__":
    main()
