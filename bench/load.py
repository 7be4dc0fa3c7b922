"""Load test: many signed-in users at once against gunicorn with the production settings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/microreach_load \\
    REDIS_URL=redis://127.0.0.1:6379/2 .venv/bin/python bench/load.py \\
        [--users 50] [--duration 300] [--warmup 20] [--workspace Bench] [--accounts 1000000]
        [--reuse] [--workers N] [--base-url URL] [--plain-http] [--seed 1] [--think 1-5]

Data (in the database of DATABASE_URL, built once and reused): the workspace --workspace
topped up to --accounts social accounts with `seed_creators` (--reuse: never seed), five
campaigns of 500 shortlisted creators ("Load board 1..5", stages as bench/board.py spreads
them), three report campaigns built by bench/report.py's builder ("Report bench 1..3",
the first with 90 days of snapshots) and --users members "load-user-N@microreach.local".

Servers (unless --base-url): collectstatic into a temporary STATIC_ROOT, then gunicorn
(--workers, default 2 × cores + 1) and one Celery worker, both with the production
settings: DEBUG and MICROREACH_DEV unset, a random SECRET_KEY, ALLOWED_HOSTS=127.0.0.1,
SITE_URL=http://127.0.0.1:<port>, and TLS as behind a proxy (BEHIND_TLS_PROXY=true: every
request carries `X-Forwarded-Proto: https`, so SECURE_SSL_REDIRECT, secure cookies and
HSTS stay on as in production; --plain-http instead sets SECURE_SSL_REDIRECT=false and
SECURE_COOKIES=false).

Load: each simulated user signs in through the login page (CSRF token from the form, its
own session), then loops over a weighted mix, waiting --think seconds (default 1–5, as
Locust's own "realistic" example user: a marketer reads the page they asked for; 0-0.5
for a stress run) between actions: discovery with
random filters, sorts and "Next" pages; creator pages (random creators); the board of a
campaign, then often a move of one of its cards (POSTed like board.js does, with the
card's version read from the board; a 409 "someone moved this card" is a stale move,
counted apart, not as an error); report dashboards (a campaign report, the overview).
Requests during --warmup are not counted. Prints per kind and in total: requests,
throughput, p50/p95/p99 latency, errors by status, stale moves; the Celery queue length
at start and end and how long it took to drain; the load average. Before the run, each
kind is requested unloaded (one at a time) to show what each costs on its own.
Targets: p95 ≤ 300 ms, no errors, the queue drains. Exits non-zero on a miss.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import html
import http.cookiejar
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
# This process only prepares the data (local settings); the servers get production ones.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("MICROREACH_DEV", "true")

import warnings  # noqa: E402

import django  # noqa: E402

# This process loads the app for bench/board.py without collected static files: fine here.
warnings.filterwarnings("ignore", message="No directory at")
django.setup()

import board as board_bench  # noqa: E402  (bench/board.py: stage spread of the cards)
import httpx  # noqa: E402
import redis  # noqa: E402
import report as report_bench  # noqa: E402  (bench/report.py: the report campaigns' builder)
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.accounts.models import Membership, Role, User, Workspace  # noqa: E402
from apps.campaigns import pipeline  # noqa: E402
from apps.campaigns.models import Campaign, CampaignCreator, MessageTemplate  # noqa: E402
from apps.creators import discovery, metrics, synthetic  # noqa: E402
from apps.creators.models import Creator, Niche, SocialAccount  # noqa: E402

USER_EMAIL = "load-user-{}@microreach.local"
USER_PASSWORD = "load-bench-password-7"  # noqa: S105 -- a benchmark user's, not a secret
BOARD_CAMPAIGNS, BOARD_CARDS = 5, 500
REPORT_CAMPAIGNS = 3
TARGET_P95_MS = 300
SLOWEST_SHOWN = 8  # the slowest requests are listed by address, to tell outliers apart
# The mix: what a user does next (weights). A board visit is followed by a move 70% of the time.
MIX = {"discovery": 38, "creator": 25, "board": 20, "dashboard": 12, "outreach": 5}
MOVE_AFTER_BOARD = 0.7
NEXT_PAGE = 0.3  # chance of following "Next" after a discovery page (up to 3 times)
KINDS = ("discovery", "creator", "board", "move", "report", "overview", "outreach")
# Moves the load makes: any the rules allow, except into "content live" (its guard wants an
# accepted contract, which these campaigns do not have) and "completed" (final: every card
# would end up there).
MOVE_TARGETS = {
    stage: sorted(
        to
        for to, froms in pipeline.ALLOWED_FROM.items()
        if stage in froms and to not in (pipeline.CONTENT_LIVE, pipeline.COMPLETED)
    )
    for stage in pipeline.STAGES
}
STALE_TEXT = "Someone moved this card"
QUEUE_DRAIN_TIMEOUT = 600

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
NEXT_LINK = re.compile(r'<a[^>]*rel="next"[^>]*href="([^"]+)"')
CARD = re.compile(r'id="card-(\d+)" data-stage="(\w+)"')
MOVE_LINK = re.compile(r'/creators/(\d+)/move/\?version=(\d+)"')


# --- data -----------------------------------------------------------------------------------


@dataclass
class Plan:
    workspace: Workspace
    accounts: int
    creator_ids: list[int]
    niche_ids: list[int]
    search_terms: list[str]
    board_campaigns: list[int]
    report_campaigns: list[int]
    emails: list[str]
    template_id: int
    emailable: list[tuple[int, int]]  # (campaign pk, card pk) of board cards with an email


def prepare(args) -> Plan:
    started = time.perf_counter()
    workspace = Workspace.objects.filter(name=args.workspace).order_by("pk").first()
    have = SocialAccount.objects.for_workspace(workspace).count() if workspace else 0
    if args.reuse and not have:
        sys.exit(f"--reuse: the “{args.workspace}” workspace has no accounts yet.")
    if not args.reuse and have < args.accounts:
        print(f"“{args.workspace}” has {have:,} accounts; seeding {args.accounts - have:,} more…")
        target = {"workspace": workspace.pk} if workspace else {"workspace_name": args.workspace}
        call_command("seed_creators", accounts=args.accounts - have, **target)
        workspace = Workspace.objects.filter(name=args.workspace).order_by("pk").first()
        have = SocialAccount.objects.for_workspace(workspace).count()
    emails = load_users(workspace, args.users)
    owner = User.objects.get(email=emails[0])
    creators = Creator.objects.for_workspace(workspace)
    creator_ids = list(creators.order_by("pk").values_list("pk", flat=True))
    need = BOARD_CAMPAIGNS * BOARD_CARDS + report_bench.CREATORS
    if len(creator_ids) < need:
        sys.exit(f"The workspace has {len(creator_ids):,} creators; the campaigns need {need:,}.")
    board_campaigns = [
        board_campaign(workspace, owner, n, creator_ids[(n - 1) * BOARD_CARDS : n * BOARD_CARDS]).pk
        for n in range(1, BOARD_CAMPAIGNS + 1)
    ]
    report_campaigns = report_campaigns_for(
        workspace, owner, creator_ids[BOARD_CAMPAIGNS * BOARD_CARDS : need]
    )
    template, _ = MessageTemplate.objects.get_or_create(
        workspace=workspace, name="Load outreach",
        defaults={"subject": "A collaboration?", "created_by": owner,
                  "body": "Hello, we would love to work with you on our next campaign."},
    )  # fmt: skip
    emailable = list(
        CampaignCreator.objects.filter(campaign_id__in=board_campaigns)
        .exclude(creator__email="")
        .values_list("campaign_id", "pk")
    )
    niche_ids = list(Niche.objects.for_workspace(workspace).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT handle FROM creators_socialaccount TABLESAMPLE SYSTEM (1) "
            "WHERE workspace_id = %s LIMIT 300",
            [workspace.pk],
        )
        handles = [row[0] for row in cursor.fetchall()]
    words = [w for ws in synthetic.NICHE_WORDS.values() for w in ws] + ["sourdough", "silva"]
    # Searches: niche words, real handles, and handles with a typo (two letters swapped).
    terms = words + handles[:150] + [typo(h) for h in handles[150:]]
    print(
        f"Data: “{workspace.name}” (id {workspace.pk}): {have:,} accounts, "
        f"{len(creator_ids):,} creators; board campaigns {board_campaigns} "
        f"({BOARD_CARDS} cards each); report campaigns {report_campaigns}; "
        f"{len(emails)} users. Ready in {time.perf_counter() - started:.0f} s."
    )
    return Plan(
        workspace, have, creator_ids, niche_ids, terms, board_campaigns, report_campaigns, emails,
        template.pk, emailable,
    )  # fmt: skip


def typo(handle: str) -> str:
    handle = handle.rstrip("0123456789_.") or handle
    if len(handle) < 5:
        return handle
    i = len(handle) // 2
    return handle[: i - 1] + handle[i] + handle[i - 1] + handle[i + 1 :]


def load_users(workspace: Workspace, count: int) -> list[str]:
    """`count` members of the workspace with USER_PASSWORD (hashed once, shared)."""
    emails = [USER_EMAIL.format(n) for n in range(1, count + 1)]
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    password = make_password(USER_PASSWORD)
    User.objects.bulk_create(User(email=e, password=password) for e in emails if e not in existing)
    User.objects.filter(email__in=emails).update(password=password, is_active=True)
    for user in User.objects.filter(email__in=emails):
        Membership.objects.update_or_create(
            user=user, workspace=workspace, defaults={"role": Role.MEMBER}
        )
    return emails


@transaction.atomic
def board_campaign(workspace, owner, n: int, creator_ids: list[int]) -> Campaign:
    """A campaign of len(creator_ids) cards spread over the stages; built once, then reused
    as the load left it (moves change the stages, never the number of cards)."""
    name = f"Load board {n}"
    campaign = Campaign.objects.for_workspace(workspace).filter(name=name).first()
    if campaign and campaign.campaign_creators.count() == len(creator_ids):
        return campaign
    if campaign is None:
        campaign = Campaign.objects.create(
            workspace=workspace, name=name, brand="Load", owner=owner, currency="USD"
        )
    campaign.campaign_creators.all().delete()
    positions: dict[str, int] = {}
    rows = []
    plan = board_bench.stage_plan(len(creator_ids))
    for index, (creator_id, stage) in enumerate(zip(creator_ids, plan, strict=True)):
        positions[stage] = positions.get(stage, -1) + 1
        rows.append(
            CampaignCreator(
                workspace=workspace,
                campaign=campaign,
                creator_id=creator_id,
                stage=stage,
                position=positions[stage],
                currency="USD",
                added_by=owner,
                planned_fee=(100 + 50 * (index % 20)) if index % 3 else None,
                reason="Budget elsewhere" if stage in pipeline.REASON_REQUIRED else "",
            )  # fmt: skip
        )
    CampaignCreator.objects.bulk_create(rows, batch_size=1000)
    return campaign


def report_campaigns_for(workspace, owner, creator_ids: list[int]) -> list[int]:
    """ "Report bench 1..REPORT_CAMPAIGNS" built by bench/report.py's builder (the first with
    90 days of snapshots and 20,000 clicks), in this workspace."""
    names = [f"Report bench {n}" for n in range(1, REPORT_CAMPAIGNS + 1)]
    existing = dict(
        Campaign.objects.for_workspace(workspace).filter(name__in=names).values_list("name", "pk")
    )
    if len(existing) < REPORT_CAMPAIGNS:
        creators = list(Creator.objects.for_workspace(workspace).filter(pk__in=creator_ids))
        start = timezone.localdate() - dt.timedelta(days=report_bench.DAYS + 30)
        for n, name in enumerate(names, start=1):
            if name not in existing:
                print(f"Building “{name}” (bench/report.py's builder)…", flush=True)
                existing[name] = report_bench.build_campaign(
                    workspace, owner, creators, n, start
                ).pk
        with connection.cursor() as cursor:
            for table in ("reporting_postmetricsnapshot", "reporting_deliverablepost",
                          "reporting_linkclick", "reporting_conversion",
                          "campaigns_campaigncreator"):  # fmt: skip
                cursor.execute(f"ANALYZE {table}")
    return [existing[name] for name in names]


# --- servers --------------------------------------------------------------------------------


class Servers:
    """gunicorn + one Celery worker with production settings, stopped by pid on exit."""

    def __init__(self, workers: int, plain_http: bool):
        self.workers = workers
        self.plain_http = plain_http
        self.tmp = Path(tempfile.mkdtemp(prefix="microreach-load-"))
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.processes: list[subprocess.Popen] = []

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "MICROREACH_DEV")}
        # The production settings, with STATIC_ROOT in a temporary folder (the only change).
        (self.tmp / "load_settings.py").write_text(
            "from config.settings import *  # noqa: F403\n"
            f"STATIC_ROOT = {str(self.tmp / 'static')!r}\n"
        )
        env.update(
            DJANGO_SETTINGS_MODULE="load_settings",
            PYTHONPATH=os.pathsep.join([str(self.tmp), str(ROOT)]),
            PYTHONUNBUFFERED="1",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL=self.base_url,
            LOG_LEVEL="WARNING",
        )
        if self.plain_http:
            env.update(SECURE_SSL_REDIRECT="false", SECURE_COOKIES="false")
        else:
            env.update(BEHIND_TLS_PROXY="true")
        return env

    def start(self) -> None:
        env = self.env()
        python = sys.executable
        started = time.perf_counter()
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        print(f"collectstatic into {self.tmp / 'static'}: {time.perf_counter() - started:.0f} s")
        self._spawn(
            "gunicorn",
            [python, "-m", "gunicorn", "config.wsgi:application", "--bind",
             f"127.0.0.1:{self.port}", "--workers", str(self.workers), "--access-logfile", "-"],
            env,
        )  # fmt: skip
        self._spawn(
            "celery",
            [python, "-m", "celery", "-A", "config", "worker", "--loglevel=WARNING",
             "--concurrency=1", "--without-gossip", "--without-mingle"],
            env,
        )  # fmt: skip
        # Wait for the web server, then for /healthz to see the worker too (a ping).
        deadline, health = time.monotonic() + 180, None
        while True:
            try:
                health = httpx.get(f"{self.base_url}/healthz", timeout=10)
                if health.status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or any(p.poll() is not None for p in self.processes):
                if health is not None:
                    break  # up but not healthy: say so below and run anyway
                self.stop()
                sys.exit(f"The servers did not start: see the logs in {self.tmp}.")
            time.sleep(1)
        print(f"gunicorn ({self.workers} workers) on {self.base_url}: /healthz "
              f"{health.status_code} {health.text.strip()}")  # fmt: skip

    def cpu_ms(self) -> tuple[float, float]:
        """CPU time (user + system, ms) used so far by (the gunicorn workers, the Postgres
        backends serving them): what the app and its SQL cost. A backend is found by the
        client port in its process title ("postgres: … <db> 127.0.0.1(<port>) idle")."""
        master = str(self.processes[0].pid)
        stats, children = {}, []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                stats[entry.name] = int(fields[11]) + int(fields[12])
                if fields[1] == master:  # fields[1] is the parent pid
                    children.append(entry.name)
        ports = worker_db_ports(children)
        db = 0
        for pid in stats:
            if pid in children:
                continue
            try:
                title = (Path("/proc") / pid / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            found = BACKEND_PORT.search(title)
            if title.startswith("postgres:") and found and int(found.group(1)) in ports:
                db += stats[pid]
        tick_ms = 1000 / os.sysconf("SC_CLK_TCK")
        return sum(stats[pid] for pid in children) * tick_ms, db * tick_ms

    def _spawn(self, name: str, command: list[str], env: dict[str, str]) -> None:
        log = open(self.tmp / f"{name}.log", "w")  # noqa: SIM115 -- open while it runs
        self.processes.append(
            subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        )

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        print(f"Servers stopped; logs in {self.tmp}")

    def cleanup_static(self) -> None:
        shutil.rmtree(self.tmp / "static", ignore_errors=True)


BACKEND_PORT = re.compile(r"127\.0\.0\.1\((\d+)\)")


def worker_db_ports(pids: list[str]) -> set[int]:
    """Local ports of these processes' TCP connections to Postgres (port 5432 or the
    configured one), from their socket inodes and /proc/net/tcp."""
    inodes = set()
    for pid in pids:
        try:
            for fd in (Path("/proc") / pid / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    db_port = int(settings.DATABASES["default"].get("PORT") or 5432)
    ports = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        local, remote, inode = parts[1], parts[2], parts[9]
        if inode in inodes and int(remote.split(":")[1], 16) == db_port:
            ports.add(int(local.split(":")[1], 16))
    return ports


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the simulated users --------------------------------------------------------------------


class NoCookies(http.cookiejar.DefaultCookiePolicy):
    """httpx's shared jar stays empty: each user keeps its own cookies (Secure ones too,
    which a jar would not send over the loopback's plain HTTP)."""

    def set_ok(self, cookie, request):
        return False

    def return_ok(self, cookie, request):
        return False


@dataclass
class Stats:
    measuring: bool = False
    samples: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    stale: int = 0
    refused: int = 0
    moves_ok: int = 0
    examples: dict[str, str] = field(default_factory=dict)
    client_cpu: float = 0.0  # seconds of CPU this process (the load generator) used measuring
    machine: tuple[int, int] = (0, 0)  # /proc/stat jiffies while measuring: (busy, all)
    queue_max: int = 0  # the longest the Celery queue was (sampled every 5 s)
    slowest: list[tuple[float, str, str]] = field(default_factory=list)  # (ms, kind, path)

    def record(self, kind: str, ms: float, error: str | None = None, path: str = "") -> None:
        if not self.measuring:
            return
        self.samples[kind].append(ms)
        self.slowest.append((ms, kind, path))
        if len(self.slowest) > 4 * SLOWEST_SHOWN:
            self.slowest = sorted(self.slowest, reverse=True)[:SLOWEST_SHOWN]
        if error:
            self.errors[kind][error] += 1


class SimUser:
    def __init__(self, n: int, email: str, client: httpx.AsyncClient, plan: Plan, args, stats):
        self.n, self.email, self.client, self.plan, self.stats = n, email, client, plan, stats
        self.rng = random.Random(args.seed * 1000 + n)
        self.base_url = args.base_url
        self.tls = not args.plain_http
        self.think_seconds = args.think
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"User-Agent": "microreach-load"}
        if self.tls:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def origin(self) -> str:
        netloc = urlsplit(self.base_url).netloc
        return f"{'https' if self.tls else 'http'}://{netloc}"

    def keep_cookies(self, response: httpx.Response) -> None:
        for header in response.headers.get_list("set-cookie"):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    async def request(self, kind: str | None, method: str, path: str, ok=(200,), **kwargs):
        """One request; records its latency under `kind` (None: not counted). Returns the
        response, or None when it failed (then recorded as an error)."""
        started = time.perf_counter()
        try:
            response = await self.client.request(
                method, self.base_url + path, headers=self.headers(kwargs.pop("headers", None)),
                **kwargs,
            )  # fmt: skip
        except httpx.HTTPError as exc:
            ms = 1000 * (time.perf_counter() - started)
            if kind:
                self.stats.record(kind, ms, f"exception {type(exc).__name__}", path)
            return None
        ms = 1000 * (time.perf_counter() - started)
        self.keep_cookies(response)
        if kind:
            self.stats.record(kind, ms, self.error_of(kind, response, ok), path)
        return response

    def error_of(self, kind: str, response: httpx.Response, ok) -> str | None:
        status = response.status_code
        if kind == "move" and status == 409:
            if STALE_TEXT in response.text:
                self.stats.stale += self.stats.measuring
                return None
            self.stats.refused += self.stats.measuring
            return "409 refused"
        if status in ok:
            if kind == "move":
                self.stats.moves_ok += self.stats.measuring
            return None
        where = response.headers.get("location", "")
        label = f"{status}" + (f" → {where[:40]}" if where else "")
        self.stats.examples.setdefault(label, response.request.url.path)
        return label

    async def sign_in(self) -> None:
        page = await self.request(None, "GET", "/login/")
        if page is None or page.status_code != 200:
            raise RuntimeError(f"{self.email}: the login page answered {page and page.status_code}")
        token = CSRF_FIELD.search(page.text).group(1)
        response = await self.request(
            None, "POST", "/login/",
            data={"username": self.email, "password": USER_PASSWORD,
                  "csrfmiddlewaretoken": token},
            headers={"Origin": self.origin(), "Referer": self.origin() + "/login/"},
        )  # fmt: skip
        if response is None or response.status_code != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(
                f"{self.email}: sign-in failed ({response and response.status_code})"
            )

    async def think(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.think_seconds))

    async def run(self, stop_at: float) -> None:
        actions = list(MIX)
        weights = [MIX[a] for a in actions]
        while time.monotonic() < stop_at:
            action = self.rng.choices(actions, weights)[0]
            await getattr(self, action)(stop_at)
            await self.think()

    async def discovery(self, stop_at: float) -> None:
        response = await self.request("discovery", "GET", "/creators/?" + self.filters())
        hops = 0
        while response is not None and hops < 3 and self.rng.random() < NEXT_PAGE:
            found = NEXT_LINK.search(response.text)
            if not found or time.monotonic() >= stop_at:
                break
            await self.think()
            response = await self.request("discovery", "GET", html.unescape(found.group(1)))
            hops += 1

    def filters(self) -> str:
        """A random combination of the discovery form's filters (discovery.FILTER_PARAMS)."""
        rng, params = self.rng, []
        options = {
            "platform": lambda: [("platform", p) for p in
                                 rng.sample(("instagram", "tiktok", "youtube"), rng.choice((1, 1, 2)))],
            "niche": lambda: [("niche", str(n)) for n in
                              rng.sample(self.plan.niche_ids, min(len(self.plan.niche_ids), rng.choice((1, 2))))],
            "tier": lambda: [("tier", rng.choice([t for t, _ in metrics.TIER_CHOICES]))],
            "followers": lambda: [("followers_min", str(rng.choice((1000, 5000, 10000, 50000)))),
                                  ("followers_max", str(rng.choice((100000, 500000, 2000000))))],
            "er": lambda: [("er_min", str(rng.choice((1, 2, 3)))), ("er_max", str(rng.choice((5, 8, 12))))],
            "auth_min": lambda: [("auth_min", str(rng.choice((60, 70, 80, 90))))],
            "country": lambda: [("country", rng.choice(synthetic.COUNTRIES)[0])],
            "language": lambda: [("language", rng.choice(("en", "es", "pt", "de", "fr")))],
            "growth_min": lambda: [("growth_min", str(rng.choice((1, 2, 5))))],
            "sponsored": lambda: [("sponsored", rng.choice(("yes", "no")))],
            "q": lambda: [("q", rng.choice(self.plan.search_terms))],
        }  # fmt: skip
        for name in rng.sample(list(options), rng.choice((0, 1, 1, 2, 2, 3))):
            params += options[name]()
        sorts = [s for s in discovery.SORTS if s != "relevance" or any(k == "q" for k, _ in params)]
        if rng.random() < 0.5:
            params.append(("sort", rng.choice(sorts)))
        return urlencode(params)

    async def creator(self, stop_at: float) -> None:
        await self.request("creator", "GET", f"/creators/{self.rng.choice(self.plan.creator_ids)}/")

    async def board(self, stop_at: float) -> None:
        pk = self.rng.choice(self.plan.board_campaigns)
        response = await self.request("board", "GET", f"/campaigns/{pk}/board/")
        if response is not None and self.rng.random() < MOVE_AFTER_BOARD:
            await self.think()
            await self.move(pk, response)

    async def move(self, pk: int, board: httpx.Response) -> None:
        """Move a random card of the board shown to a stage the rules allow, as board.js
        posts it (htmx, the page's CSRF token, the version the board showed)."""
        if board.status_code != 200:
            return
        token = CSRF_HEADER.search(board.text)
        cards = dict(CARD.findall(board.text))  # card pk -> stage
        versions = dict(MOVE_LINK.findall(board.text))  # card pk -> version shown
        movable = [(card, cards[card], v) for card, v in versions.items() if card in cards]
        if not movable or not token:
            return
        card, stage, version = self.rng.choice(movable)
        to = self.rng.choice(MOVE_TARGETS[stage])
        reason = "Load test" if to in pipeline.REASON_REQUIRED else ""
        await self.request(
            "move", "POST", f"/campaigns/{pk}/creators/{card}/move/",
            data={"to": to, "expected_version": version, "reason": reason},
            headers={"X-CSRFToken": token.group(1), "HX-Request": "true", "HX-Target": "board",
                     "Origin": self.origin(),
                     "HX-Current-URL": f"{self.origin()}/campaigns/{pk}/board/"},
        )  # fmt: skip

    async def outreach(self, stop_at: float) -> None:
        """Email one creator of a board (queued for the Celery worker), then see the page."""
        pk, card = self.rng.choice(self.plan.emailable)
        path = f"/campaigns/{pk}/outreach/"
        response = await self.request(
            "outreach", "POST", path, ok=(302,),
            data={"template": self.plan.template_id, "cc": card, "offer_type": ""},
            headers={"X-CSRFToken": self.cookies.get("csrftoken", ""), "Origin": self.origin()},
        )  # fmt: skip
        if response is not None and response.status_code == 302:
            await self.request("outreach", "GET", response.headers["location"])

    async def dashboard(self, stop_at: float) -> None:
        if self.rng.random() < 0.7:
            pk = self.rng.choice(self.plan.report_campaigns)
            await self.request("report", "GET", f"/campaigns/{pk}/report/")
        else:
            await self.request("overview", "GET", "/reports/")


# --- measuring ------------------------------------------------------------------------------


def loadavg() -> tuple[float, float, float]:
    one, five, fifteen = Path("/proc/loadavg").read_text().split()[:3]
    return float(one), float(five), float(fifteen)


def cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


class Queue:
    def __init__(self):
        self.redis = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        self.name = settings.CELERY_TASK_DEFAULT_QUEUE

    def length(self) -> tuple[int, int]:
        """(waiting, taken but not yet acknowledged)."""
        return self.redis.llen(self.name), self.redis.hlen("unacked")

    def drain(self, timeout: float) -> float | None:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.length() == (0, 0):
                return time.monotonic() - started
            time.sleep(0.5)
        return None


async def calibrate(user: SimUser, runs: int, cpu_ms) -> dict[str, tuple]:
    """Each kind `runs` times, one request at a time: kind -> (median wall ms, mean CPU ms
    per request of the gunicorn workers and of Postgres; None when the server is not ours)."""
    stats, plan = user.stats, user.plan
    requests = {
        "discovery": lambda: user.request("discovery", "GET", "/creators/?" + user.filters()),
        "creator": lambda: user.creator(0),
        "board": lambda: user.request(
            "board", "GET", f"/campaigns/{user.rng.choice(plan.board_campaigns)}/board/"
        ),
        "report": lambda: user.request(
            "report", "GET", f"/campaigns/{user.rng.choice(plan.report_campaigns)}/report/"
        ),
        "overview": lambda: user.request("overview", "GET", "/reports/"),
        "outreach": lambda: user.outreach(0),
    }
    cpu: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    stats.measuring = True
    for kind in KINDS:
        for _ in range(runs):
            board = None
            if kind == "move":  # the board it is moved from is read first, not counted
                pk = user.rng.choice(plan.board_campaigns)
                board = await user.request(None, "GET", f"/campaigns/{pk}/board/")
                if board is None:
                    continue
            before = cpu_ms() if cpu_ms else (0.0, 0.0)
            await (user.move(pk, board) if kind == "move" else requests[kind]())
            after = cpu_ms() if cpu_ms else (0.0, 0.0)
            cpu[kind][0] += after[0] - before[0]
            cpu[kind][1] += after[1] - before[1]
    stats.measuring = False
    unloaded = {
        kind: (
            statistics.median(stats.samples[kind]),
            *(
                (cpu[kind][0] / len(stats.samples[kind]), cpu[kind][1] / len(stats.samples[kind]))
                if cpu_ms
                else (None, None)
            ),
        )
        for kind in KINDS
        if stats.samples[kind]
    }
    stats.samples.clear()
    stats.errors.clear()
    stats.stale = stats.refused = stats.moves_ok = 0
    return unloaded


async def run_load(
    plan: Plan, args, cpu_ms, queue: Queue
) -> tuple[Stats, dict, list[tuple[float, float]], float]:
    stats = Stats()
    limits = httpx.Limits(max_connections=args.users + 10, max_keepalive_connections=args.users)
    async with httpx.AsyncClient(limits=limits, timeout=60, follow_redirects=False) as client:
        client.cookies.jar.set_policy(NoCookies())
        users = [SimUser(n, e, client, plan, args, stats) for n, e in enumerate(plan.emails, 1)]
        started = time.perf_counter()
        gate = asyncio.Semaphore(4)  # sign-ins hash a password each: a few at a time

        async def sign_in(user: SimUser) -> None:
            async with gate:
                await user.sign_in()

        await asyncio.gather(*(sign_in(u) for u in users))
        print(f"{len(users)} users signed in ({time.perf_counter() - started:.1f} s).")
        unloaded = await calibrate(users[0], args.calibrate, cpu_ms) if args.calibrate else {}
        loads: list[tuple[float, float]] = []
        begin = time.monotonic()
        measure_from = begin + args.warmup
        stop_at = measure_from + args.duration

        async def sampler() -> None:
            while time.monotonic() < stop_at:
                await asyncio.sleep(5)
                loads.append((time.monotonic() - begin, loadavg()[0]))
                stats.queue_max = max(stats.queue_max, sum(queue.length()))

        async def switch() -> None:
            await asyncio.sleep(args.warmup)
            stats.measuring = True
            stats.client_cpu, stats.machine = time.process_time(), cpu_jiffies()
            print(f"Warm-up done ({args.warmup} s); measuring {args.duration} s…", flush=True)

        print(f"Running {len(users)} users for {args.warmup} + {args.duration} s…", flush=True)
        await asyncio.gather(sampler(), switch(), *(u.run(stop_at) for u in users))
        stats.measuring = False
        elapsed = time.monotonic() - measure_from
        busy, total = cpu_jiffies()
        stats.machine = (busy - stats.machine[0], total - stats.machine[1])
        stats.client_cpu = time.process_time() - stats.client_cpu
    return stats, unloaded, loads, elapsed


def report(stats: Stats, unloaded: dict, elapsed: float, users: int, think) -> bool:
    print(
        f"\n{'kind':<10} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'max ms':>7} {'errors':>6} | {'alone ms':>8} {'app CPU':>7} {'DB CPU':>6} | verdict"
    )
    print("-" * 108)
    rows = [(kind, stats.samples.get(kind, [])) for kind in KINDS]
    rows.append(("total", [ms for kind in KINDS for ms in stats.samples.get(kind, [])]))
    total_errors = sum(sum(c.values()) for c in stats.errors.values())
    for kind, values in rows:
        if not values:
            print(f"{kind:<10} {0:>8}")
            continue
        errors = total_errors if kind == "total" else sum(stats.errors[kind].values())
        p95 = pct(values, 95)
        wall, app, db = unloaded.get(kind, (None, None, None))
        alone = f"{wall:8.0f}" if wall is not None else f"{'':>8}"
        alone += f" {app:7.0f} {db:6.0f}" if app is not None else f" {'':>7} {'':>6}"
        misses = ["p95"] * (p95 > TARGET_P95_MS) + ["errors"] * bool(errors)
        print(
            f"{kind:<10} {len(values):>8} {len(values) / elapsed:6.1f} {pct(values, 50):7.0f} "
            f"{p95:7.0f} {pct(values, 99):7.0f} {max(values):7.0f} {errors:>6} | {alone} | "
            + ("MISS " + ",".join(misses) if misses else "ok")
        )
    print(
        f"\nMoves: {stats.moves_ok} made, {stats.stale} stale (409: moved by another user "
        f"meanwhile; not errors), {stats.refused} refused by the rules (errors)."
    )
    if total_errors:
        print("Errors by status:")
        for kind, counter in stats.errors.items():
            for label, count in counter.most_common():
                print(f"  {kind:<10} {label:<30} ×{count}")
        for label, path in stats.examples.items():
            print(f"  e.g. {label}: {path}")
    else:
        print("Errors: none.")
    print(f"Slowest {SLOWEST_SHOWN} requests:")
    for ms, kind, path in sorted(stats.slowest, reverse=True)[:SLOWEST_SHOWN]:
        print(f"  {ms:7.0f} ms  {kind:<10} {path}")
    if unloaded:
        # What each kind costs alone, times how often the mix asked for it.
        cpu_known = all(app is not None for _, app, _ in unloaded.values())
        cost = {k: (app + db if cpu_known else wall) for k, (wall, app, db) in unloaded.items()}
        demand = {k: cost[k] * len(stats.samples.get(k, [])) for k in cost}
        whole = sum(demand.values()) or 1
        what = "CPU of gunicorn + Postgres" if cpu_known else "unloaded wall time"
        print(f"\nWhere the server's work goes ({what} per request × requests made):")
        for kind, value in sorted(demand.items(), key=lambda kv: -kv[1]):
            split = ""
            if cpu_known:
                split = f": app {unloaded[kind][1]:.0f} + DB {unloaded[kind][2]:.0f}"
            print(f"  {kind:<10} {100 * value / whole:5.1f}%  ({cost[kind]:.0f} ms each{split})")
        if cpu_known:
            busy = sum(demand.values()) / 1000 / elapsed
            print(f"  ≈ {busy:.2f} cores of app + Postgres CPU at the measured throughput "
                  f"({os.cpu_count()} cores in the machine)")  # fmt: skip
            # Closed loop: each user sends a request every think + response time. Meeting the
            # target means responses of ~150 ms on average, so this many requests a second:
            count = sum(len(stats.samples.get(k, [])) for k in cost) or 1
            per_request = sum(demand.values()) / count  # ms of CPU, mix-weighted
            offered = users / (statistics.mean(think) + 0.15)
            print(f"  At the target, {users} users (mean think {statistics.mean(think):.2f} s, "
                  f"~150 ms responses) ask for ≈ {offered:.0f} req/s × {per_request:.0f} ms CPU "
                  f"≈ {offered * per_request / 1000:.1f} cores busy.")  # fmt: skip
    busy, total = stats.machine
    print(
        f"\nWhile measuring: the machine's CPUs were {100 * busy / max(total, 1):.0f}% busy; "
        f"the load generator itself used {stats.client_cpu / elapsed:.2f} cores."
    )
    values = rows[-1][1]
    return bool(values) and pct(values, 95) <= TARGET_P95_MS and not total_errors


def think_range(text: str) -> tuple[float, float]:
    try:
        low, high = (float(part) for part in text.split("-"))
    except ValueError:
        raise argparse.ArgumentTypeError("expected MIN-MAX in seconds, e.g. 1-5") from None
    if not 0 <= low <= high:
        raise argparse.ArgumentTypeError("expected 0 ≤ MIN ≤ MAX")
    return low, high


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=300, help="Measured seconds.")
    parser.add_argument("--warmup", type=int, default=20, help="Seconds run before measuring.")
    parser.add_argument("--workspace", default="Bench")
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="Never seed; use what is there.")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--base-url", help="Target a running server (its database must be ours).")
    parser.add_argument("--plain-http", action="store_true",
                        help="No X-Forwarded-Proto: SSL redirect and secure cookies off.")  # fmt: skip
    parser.add_argument("--calibrate", type=int, default=5,
                        help="Unloaded requests per kind before the run (0: none).")  # fmt: skip
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--think", type=think_range, default=(1.0, 5.0), metavar="MIN-MAX",
                        help="Seconds a user waits between actions (default 1-5).")  # fmt: skip
    args = parser.parse_args()

    plan = prepare(args)
    servers = None
    if not args.base_url:
        servers = Servers(args.workers, args.plain_http)
        servers.start()
        args.base_url = servers.base_url
    args.base_url = args.base_url.rstrip("/")
    queue = Queue()
    try:
        before, queue_start = loadavg(), queue.length()
        print(f"Load average before: {before[0]:.2f} {before[1]:.2f} {before[2]:.2f} "
              f"({os.cpu_count()} cores)")  # fmt: skip
        stats, unloaded, loads, elapsed = asyncio.run(
            run_load(plan, args, servers.cpu_ms if servers else None, queue)
        )
        queue_end, after = queue.length(), loadavg()
        print(f"\n{args.users} users (think {args.think[0]:g}–{args.think[1]:g} s), "
              f"{args.duration} s measured after {args.warmup} s warm-up, "
              f"against {args.base_url} ({plan.accounts:,} accounts in “{plan.workspace.name}”)")  # fmt: skip
        passed = report(stats, unloaded, elapsed, args.users, args.think)
        during = [value for at, value in loads if at >= args.warmup] or [after[0]]
        print(
            f"\nLoad average (1 min): before {before[0]:.2f}, during mean "
            f"{statistics.mean(during):.2f} / max {max(during):.2f}, after {after[0]:.2f}"
        )
        print(f"Celery queue “{queue.name}” (waiting, unacked): start {queue_start}, "
              f"end {queue_end}, longest seen {stats.queue_max}", flush=True)  # fmt: skip
        drained = queue.drain(QUEUE_DRAIN_TIMEOUT)
        if drained is None:
            print(f"Celery queue NOT drained after {QUEUE_DRAIN_TIMEOUT} s: {queue.length()}")
        else:
            print(f"Celery queue drained {drained:.1f} s after the run.")
        passed = passed and drained is not None
        print(f"\nTargets (p95 ≤ {TARGET_P95_MS} ms, 0 errors, queue drains): "
              f"{'met' if passed else 'MISSED'}")  # fmt: skip
    finally:
        if servers:
            servers.stop()
            servers.cleanup_static()
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
