"""Time the discovery page (and, beside it, the admin changelist) on a big workspace.

    DATABASE_URL=... .venv/bin/python bench/discovery.py [--accounts 1000000] [--reuse]
        [--runs 10] [--explain] [--skip-admin]

Without DATABASE_URL the settings start the embedded Postgres. The workspace
"Bench" is topped up to --accounts with `seed_creators` (--reuse: use whatever it
holds, never seed), then each filter/sort/search combination is requested --runs
times through Django's test Client as a bench user who owns the workspace. For
each: p50/p95 of the server time, SQL queries per page and the time of the page's
SQL alone (the sum of the captured queries' times). Targets: p95 ≤ 100 ms, ≤ 8
queries, page time ≤ 2× its SQL time. --explain prints EXPLAIN ANALYZE of each
combination's slowest query. See bench/README.md.
"""

import argparse
import html
import logging
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MICROREACH_DEV", "true")

# Load the app as the server does (config/wsgi.py), start-up GC freeze included.
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from sqltime import timed_sql  # noqa: E402 (bench/sqltime.py, beside this script)

import config.wsgi  # noqa: E402, F401
from apps.accounts.models import Membership, Role, User, Workspace  # noqa: E402
from apps.creators.models import Niche, SocialAccount  # noqa: E402

WORKSPACE = "Bench"
BENCH_EMAIL = "bench@microreach.local"
TARGET_P95_MS, TARGET_QUERIES, TARGET_RATIO = 100, 8, 2.0
NEXT_LINK = re.compile(r'<a[^>]*rel="next"[^>]*href="([^"]+)"')
ADMIN_URL = "/admin/creators/socialaccount/"
FLOOR_URL = "/bench-floor-no-such-page/"
# list_display positions in SocialAccountAdmin, for the admin's ?o= sort parameter.
ADMIN_SORT = {"-followers": "-4", "followers": "4", "engagement": "-6", "authenticity": "-7"}


@dataclass
class Combo:
    name: str
    params: list[tuple[str, str]]
    deep: int = 0  # follow this many "Next" links first, then time the page reached


@dataclass
class Timing:
    p50: float
    p95: float
    queries: int
    sql_ms: float
    status: int
    slowest: str


def bench_workspace(name: str, accounts: int, reuse: bool) -> Workspace:
    workspace = Workspace.objects.filter(name=name).order_by("pk").first()
    have = SocialAccount.objects.for_workspace(workspace).count() if workspace else 0
    if reuse and not have:
        sys.exit(f"--reuse: the “{name}” workspace has no accounts yet.")
    if not reuse and have < accounts:
        print(f"“{name}” has {have:,} accounts; seeding {accounts - have:,} more…")
        target = {"workspace": workspace.pk} if workspace else {"workspace_name": name}
        call_command("seed_creators", accounts=accounts - have, **target)
        workspace = Workspace.objects.filter(name=name).order_by("pk").first()
        have = SocialAccount.objects.for_workspace(workspace).count()
    print(f"Benchmarking “{name}” (id {workspace.pk}) with {have:,} accounts.")
    return workspace


def bench_client(workspace: Workspace) -> Client:
    user, _ = User.objects.get_or_create(
        email=BENCH_EMAIL, defaults={"is_staff": True, "is_superuser": True}
    )
    Membership.objects.update_or_create(
        user=user, workspace=workspace, defaults={"role": Role.OWNER}
    )
    client = Client()
    client.force_login(user)
    return client


def combos(workspace: Workspace) -> list[Combo]:
    niches = dict(Niche.objects.for_workspace(workspace).values_list("name", "pk"))
    fitness, food, gaming = (str(niches.get(n, 0)) for n in ("Fitness", "Food", "Gaming"))
    accounts = SocialAccount.objects.for_workspace(workspace)
    top = accounts.order_by("-followers", "-id").values_list("handle", flat=True).first() or "x"
    typo = typo_of(top.rstrip("0123456789"))
    # A small account's exact handle: one match, far down every sort's index.
    small = accounts.order_by("followers", "id").values_list("handle", flat=True).first() or "x"
    return [
        Combo("default (most followers)", []),
        Combo("platform", [("platform", "instagram")]),
        Combo("platform + tier", [("platform", "tiktok"), ("tier", "micro")]),
        Combo("one niche", [("niche", fitness)]),
        Combo("two niches + platform", [("niche", food), ("niche", gaming), ("platform", "youtube")]),
        Combo("tier, by engagement", [("tier", "nano"), ("sort", "engagement")]),
        Combo("YouTube by engagement", [("platform", "youtube"), ("sort", "engagement")]),
        # Big accounts have the lowest rates: these sorts run against their filter.
        Combo("macro tier, by engagement", [("tier", "macro"), ("sort", "engagement")]),
        Combo("mid + macro, by engagement", [("tier", "mid"), ("tier", "macro"), ("sort", "engagement")]),
        Combo("followers 200k-3M, by ER", [("followers_min", "200000"), ("followers_max", "3000000"), ("sort", "engagement")]),
        Combo("macro tier, by growth", [("tier", "macro"), ("sort", "growth")]),
        # Ranges ending on a tier's first value graze that tier; the last one is thin in micro.
        Combo("followers 8k-10k, by ER", [("followers_min", "8000"), ("followers_max", "10000"), ("sort", "engagement")]),
        Combo("followers 50k-100k, by ER", [("followers_min", "50000"), ("followers_max", "100000"), ("sort", "engagement")]),
        Combo("followers 95k-100k, by ER", [("followers_min", "95000"), ("followers_max", "100000"), ("sort", "engagement")]),
        Combo("followers range", [("followers_min", "50000"), ("followers_max", "200000")]),
        Combo("ER range, by engagement", [("er_min", "2"), ("er_max", "8"), ("sort", "engagement")]),
        Combo("authenticity ≥ 80, by it", [("auth_min", "80"), ("sort", "authenticity")]),
        Combo("country", [("country", "DE")]),
        Combo("language + platform", [("language", "es"), ("platform", "instagram")]),
        Combo("growth ≥ 5%, by growth", [("growth_min", "5"), ("sort", "growth")]),
        Combo("sponsored", [("sponsored", "yes")]),
        Combo("not sponsored + tier + country", [("sponsored", "no"), ("tier", "micro"), ("country", "US")]),
        Combo("rare: mega in NL", [("tier", "mega"), ("country", "NL")]),
        Combo("fewest followers", [("sort", "followers")]),
        Combo("text search", [("q", "sourdough")]),
        Combo("text search by relevance", [("q", "silva"), ("sort", "relevance")]),
        Combo(f"typo search ({typo})", [("q", typo)]),
        Combo("one handle (a small account)", [("q", small)]),
        Combo("rare pair: NL + French, by ER", [("country", "NL"), ("language", "fr"), ("sort", "engagement")]),
        Combo("no match: India + German", [("country", "IN"), ("language", "de")]),
        Combo("deep page 21", [], deep=20),
        Combo("deep page 21, tiktok by ER", [("platform", "tiktok"), ("sort", "engagement")], deep=20),
    ]  # fmt: skip


def typo_of(handle: str) -> str:
    """Swap two letters in the middle: what a hurried person types."""
    if len(handle) < 5:
        return handle + handle[-1:]
    i = len(handle) // 2
    return handle[: i - 1] + handle[i] + handle[i - 1] + handle[i + 1 :]


def admin_params(combo: Combo, workspace: Workspace) -> list[tuple[str, str]] | None:
    """The combination in the admin's filters, or None when the admin has no such filter."""
    params = [("workspace__id__exact", str(workspace.pk))]
    for key, value in combo.params:
        if key == "country":
            params.append(("country", value))
        elif key in ("platform", "tier"):
            params.append((f"{key}__exact", value))
        elif key == "sponsored":
            params.append(("has_sponsored__exact", "1" if value == "yes" else "0"))
        elif key == "q":
            params.append(("q", value))
        elif key == "sort" and value in ADMIN_SORT:
            params.append(("o", ADMIN_SORT[value]))
        elif key != "sort" or value != "relevance":
            return None
    if combo.deep:
        params.append(("p", str(combo.deep)))  # the admin pages by OFFSET
    return params


def deep_url(client: Client, url: str, hops: int) -> str:
    for _ in range(hops):
        response = client.get(url)
        found = NEXT_LINK.search(response.content.decode())
        if not found:
            break
        url = html.unescape(found.group(1))
    return url


def measure(client: Client, url: str, runs: int) -> Timing:
    client.get(url)  # warm the caches and the connection
    times, sql_times, queries, status, slowest = [], [], 0, 0, (0.0, "")
    for _ in range(runs):
        with timed_sql() as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append(1000 * (time.perf_counter() - started))
        status, queries = response.status_code, len(captured)
        sql_times.append(captured.ms)
        slowest = max([slowest, *captured.queries], key=lambda item: item[0])
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return Timing(
        statistics.median(times), p95, queries, statistics.median(sql_times), status, slowest[1]
    )


def floor(client: Client, runs: int) -> Timing:
    """What any page costs before its own work: a URL with no view, answered with the 404
    page through the same middleware (session, user and workspace: 3 queries)."""
    logging.getLogger("django.request").setLevel(logging.ERROR)  # a "Not Found" per request
    return measure(client, FLOOR_URL, runs)


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


def cell(timing: Timing | None) -> str:
    if timing is None:
        return f"{'—':>8} {'':>8} {'':>4} {'':>8}"
    if timing.status != 200:
        return f"{'HTTP ' + str(timing.status):>8} {'':>8} {'':>4} {'':>8}"
    return f"{timing.p50:8.1f} {timing.p95:8.1f} {timing.queries:4d} {timing.sql_ms:8.1f}"


def verdict(timing: Timing | None) -> str:
    if timing is None or timing.status != 200:
        return ""
    misses = []
    if timing.p95 > TARGET_P95_MS:
        misses.append("p95")
    if timing.queries > TARGET_QUERIES:
        misses.append("queries")
    if timing.sql_ms and timing.p50 > TARGET_RATIO * timing.sql_ms:
        misses.append("render")
    return "ok" if not misses else "MISS " + ",".join(misses)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="Never seed; use what is there.")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--skip-admin", action="store_true")
    parser.add_argument("--workspace", default=WORKSPACE, help="Workspace name (default Bench).")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]

    workspace = bench_workspace(args.workspace, args.accounts, args.reuse)
    client = bench_client(workspace)
    page_ok = client.get("/creators/").status_code == 200
    if not page_ok:
        print("The discovery page does not answer 200 yet: timing the admin only.")
    header = f"{'p50 ms':>8} {'p95 ms':>8} {'SQLs':>4} {'SQL ms':>8}"
    print(
        f"\n{'combination':<34} | {'discovery page':^31} | {'verdict':<16}| {'admin changelist':^31}"
    )
    print(f"{'':<34} | {header} | {'':<16}| {header}")
    print("-" * 124)
    explained = []
    for combo in combos(workspace):
        page = admin = None
        if page_ok:
            url = "/creators/" + (f"?{urlencode(combo.params)}" if combo.params else "")
            page = measure(client, deep_url(client, url, combo.deep), args.runs)
        admin_query = None if args.skip_admin else admin_params(combo, workspace)
        if admin_query is not None:
            admin = measure(client, f"{ADMIN_URL}?{urlencode(admin_query)}", args.runs)
        print(
            f"{combo.name[:34]:<34} | {cell(page)} | {verdict(page):<16}| {cell(admin)}", flush=True
        )
        if args.explain:
            explained += [
                (combo.name, where, t.slowest)
                for where, t in (("page", page), ("admin", admin))
                if t
            ]
    base = floor(client, args.runs)
    print(
        f"\nFloor: a 404 through the same middleware takes p50 {base.p50:.1f} ms "
        f"({base.queries} queries, {base.sql_ms:.1f} ms of SQL). A page does at least that much, "
        f"so one whose SQL takes under {base.p50 / TARGET_RATIO:.1f} ms cannot be within "
        f"{TARGET_RATIO:g}× of it."
    )
    for name, where, sql in explained:
        print(f"\n=== {name} ({where}): slowest query\n{sql}\n{explain(sql)}")


if __name__ == "__main__":
    main()
