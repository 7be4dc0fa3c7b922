"""Time a campaign's pipeline board and table with 500 shortlisted creators.

    DATABASE_URL=... .venv/bin/python bench/board.py [--cards 500] [--runs 20]

Without DATABASE_URL the settings start the embedded Postgres. The workspace
"Board bench" is created if missing and topped up with `seed_creators` until it has
--cards creators; the campaign "Board bench (N cards)" gets N of them spread over the
pipeline stages (a smaller "(50 cards)" campaign is built beside it, to show the
query count does not grow with the cards). Then /campaigns/<pk>/board/ and
/campaigns/<pk>/table/ are requested --runs times through Django's test Client as a
bench user who owns the workspace: p50/p95 server time (wall clock, and this process's
CPU time, the fairer figure on a busy machine), SQL queries per page and the page's SQL
time. The app is loaded through config/wsgi.py, as gunicorn loads it (its start-up
`gc.freeze()` included; --no-freeze undoes it). Targets: p95 ≤ 100 ms, the same number
of queries for 50 and for N cards. See bench/README.md.
"""

import argparse
import gc
import os
import statistics
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MICROREACH_DEV", "true")

# Load the app as the server does (config/wsgi.py), start-up GC freeze included.
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test import Client  # noqa: E402
from sqltime import timed_sql  # noqa: E402 (bench/sqltime.py, beside this script)

import config.wsgi  # noqa: E402, F401
from apps.accounts.models import Membership, Role, User, Workspace  # noqa: E402
from apps.accounts.scoping import SESSION_KEY  # noqa: E402
from apps.campaigns import pipeline  # noqa: E402
from apps.campaigns.models import Campaign, CampaignCreator  # noqa: E402
from apps.creators.models import Creator  # noqa: E402

WORKSPACE = "Board bench"
BENCH_EMAIL = "bench@microreach.local"
TARGET_P95_MS = 100
SMALL_CARDS = 50
# Share of the cards per stage: most sit early in the pipeline, as in a real campaign.
STAGE_WEIGHTS = {
    pipeline.PROSPECT: 30,
    pipeline.CONTACTED: 20,
    pipeline.REPLIED: 10,
    pipeline.NEGOTIATING: 10,
    pipeline.CONTRACTED: 8,
    pipeline.CONTENT_LIVE: 7,
    pipeline.COMPLETED: 5,
    pipeline.DECLINED: 6,
    pipeline.NOT_A_FIT: 4,
}


@dataclass
class Timing:
    p50: float
    p95: float
    cpu_p50: float
    cpu_p95: float
    queries: int
    sql_ms: float
    status: int
    size_kb: float


def bench_workspace(cards: int) -> Workspace:
    workspace = Workspace.objects.filter(name=WORKSPACE).order_by("pk").first()
    have = Creator.objects.for_workspace(workspace).count() if workspace else 0
    if have < cards:
        # seed_creators gives 1–2 accounts per creator: ask for enough accounts.
        accounts = 2 * (cards - have)
        print(f"“{WORKSPACE}” has {have:,} creators; seeding {accounts:,} accounts…")
        target = {"workspace": workspace.pk} if workspace else {"workspace_name": WORKSPACE}
        call_command("seed_creators", accounts=accounts, days=31, posts=4, **target)
        workspace = Workspace.objects.filter(name=WORKSPACE).order_by("pk").first()
    return workspace


def bench_user(workspace: Workspace) -> User:
    user, _ = User.objects.get_or_create(
        email=BENCH_EMAIL, defaults={"is_staff": True, "is_superuser": True}
    )
    Membership.objects.update_or_create(
        user=user, workspace=workspace, defaults={"role": Role.OWNER}
    )
    return user


def stage_plan(cards: int) -> list[str]:
    """`cards` stages in the STAGE_WEIGHTS proportions (rounding leftovers go to prospect)."""
    total = sum(STAGE_WEIGHTS.values())
    plan = [stage for stage, w in STAGE_WEIGHTS.items() for _ in range(cards * w // total)]
    return [pipeline.PROSPECT] * (cards - len(plan)) + plan


@transaction.atomic
def bench_campaign(workspace: Workspace, user: User, cards: int) -> Campaign:
    """The campaign with `cards` shortlisted creators, built once and then reused."""
    name = f"Board bench ({cards} cards)"
    campaign = Campaign.objects.for_workspace(workspace).filter(name=name).first()
    if campaign and campaign.campaign_creators.count() == cards:
        return campaign
    if campaign is None:
        campaign = Campaign.objects.create(
            workspace=workspace, name=name, brand="Bench", owner=user, currency="USD"
        )
    campaign.campaign_creators.all().delete()
    creator_ids = list(
        Creator.objects.for_workspace(workspace).order_by("pk").values_list("pk", flat=True)[:cards]
    )
    positions: dict[str, int] = {}
    rows = []
    for index, (creator_id, stage) in enumerate(zip(creator_ids, stage_plan(cards), strict=True)):
        positions[stage] = positions.get(stage, -1) + 1
        rows.append(
            CampaignCreator(
                workspace=workspace,
                campaign=campaign,
                creator_id=creator_id,
                stage=stage,
                position=positions[stage],
                # Two thirds have a planned fee, so the column totals have sums to add.
                planned_fee=Decimal(100 + 50 * (index % 20)) if index % 3 else None,
                currency="USD",
                reason="Budget elsewhere" if stage in pipeline.REASON_REQUIRED else "",
                added_by=user,
            )
        )
    CampaignCreator.objects.bulk_create(rows, batch_size=1000)
    return campaign


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


def measure(client: Client, url: str, runs: int) -> Timing:
    """Wall time and this process's CPU time per request.

    On a busy machine (tests running beside the bench) wall time includes waiting for a
    core; CPU time is what the render itself costs, so both are printed.
    """
    client.get(url)  # warm the caches and the connection
    times, cpu_times, sql_times, queries, status, size = [], [], [], 0, 0, 0
    for _ in range(runs):
        with timed_sql() as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            cpu_times.append(1000 * (time.process_time() - cpu_started))
            times.append(1000 * (time.perf_counter() - started))
        status, queries, size = response.status_code, len(captured), len(response.content)
        sql_times.append(captured.ms)
    return Timing(
        statistics.median(times), _p95(times), statistics.median(cpu_times), _p95(cpu_times),
        queries, statistics.median(sql_times), status, size / 1024,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=500)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--no-freeze", action="store_true", help="undo config/wsgi.py's gc.freeze() to compare"
    )
    args = parser.parse_args()
    if args.no_freeze:
        gc.unfreeze()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    workspace = bench_workspace(args.cards)
    user = bench_user(workspace)
    big = bench_campaign(workspace, user, args.cards)
    small = bench_campaign(workspace, user, SMALL_CARDS)
    client = Client()
    client.force_login(user)
    session = client.session  # the bench user may own other workspaces: act in this one
    session[SESSION_KEY] = workspace.pk
    session.save()
    print(f"Benchmarking “{WORKSPACE}” (id {workspace.pk}), {args.runs} runs per page.\n")
    print(f"{'page':<6} {'cards':>5} | {'p50 ms':>7} {'p95 ms':>7} | {'CPU p50':>7} {'CPU p95':>7} "
          f"| {'SQLs':>4} {'SQL ms':>6} {'KB':>5} | verdict")  # fmt: skip
    print("-" * 86)
    failed = False
    for page in ("board", "table"):
        timings = {}
        for campaign, cards in ((small, SMALL_CARDS), (big, args.cards)):
            t = measure(client, f"/campaigns/{campaign.pk}/{page}/", args.runs)
            timings[cards] = t
            misses = []
            if t.status != 200:
                misses.append(f"HTTP {t.status}")
            if t.p95 > TARGET_P95_MS:
                misses.append("p95")
            if cards == args.cards and t.queries != timings[SMALL_CARDS].queries:
                misses.append(f"queries grow ({timings[SMALL_CARDS].queries} → {t.queries})")
            failed = failed or bool(misses)
            print(
                f"{page:<6} {cards:>5} | {t.p50:7.1f} {t.p95:7.1f} | {t.cpu_p50:7.1f} {t.cpu_p95:7.1f} "
                f"| {t.queries:4d} {t.sql_ms:6.1f} {t.size_kb:5.0f} "
                f"| {'ok' if not misses else 'MISS ' + ', '.join(misses)}"
            )  # fmt: skip
    print(f"\nTargets: p95 ≤ {TARGET_P95_MS} ms; as many queries for {args.cards} cards as for "
          f"{SMALL_CARDS}.")  # fmt: skip
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
