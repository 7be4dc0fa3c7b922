"""The reporting part of the demo workspace: what the demo's active contract brought.

A `demo_workspace_ready` receiver (connected in apps.py). It first asks the contracts demo
for its three deals (apps.contracts.demo.demo_contracts_seed: accepted + active, sent,
draft) — called from here, not from a receiver of its own, so the contracts exist before
the numbers that need them whatever order receivers run in. Then, for the active one:

- its two deliverables published (`deliverable_post_attach`, Instagram URLs) and marked done,
  the card moved to "content live";
- 30 days of daily numbers (`post_metrics_record`, source "demo") on a growth curve that
  is fast after publishing and flattens out;
- a tracked link (`tracked_link_create`) with ~200 counted clicks over those days, plus a
  few bot and repeat requests that are kept but not counted. The clicks go in with one
  INSERT carrying exactly the fields `link_click_record` writes, but with the past
  timestamps the service cannot give (it stamps "now");
- a promo code (`promo_code_create`) with 15 orders and 4 more through the link
  (`conversion_record`), in the campaign's currency.

Deterministic (random.Random(seed)), idempotent (nothing happens when the workspace has
contracts already), one transaction (seed_demo's). Post refreshes queued on commit by
the attach find no real API in the demo workspace and leave these numbers alone.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import string
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from apps.campaigns import pipeline
from apps.campaigns import services as campaign_services
from apps.campaigns.models import CampaignCreator
from apps.contracts import demo as contracts_demo
from apps.contracts import services as contract_services
from apps.creators.models import StatsSource

from . import links
from .conversions import conversion_record, promo_code_create, tracked_link_create
from .models import Conversion, DeliverablePost, TrackedLink
from .services import deliverable_post_attach, post_metrics_record

DAYS = 30
# (format-independent) post plan: days after the first day it went live, views per
# follower at the end, days for the curve to reach ~63% of that.
POSTS = ((0, 1.3, 3.0), (12, 0.6, 2.5))
COUNTED_CLICKS = 200
BOT_CLICKS = 9
REPEAT_CLICKS = 6
PROMO_ORDERS = 15
LINK_ORDERS = 4
ORDER_VALUES = ("39.00", "49.00", "58.00", "64.50", "78.00", "98.00", "124.00")
DESTINATION = "https://lumen.example.com/glow-serum"
BROWSERS = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15",
)
BOT_AGENT = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
REFERERS = ("https://l.instagram.com/", "https://www.instagram.com/", "")

CLICKS_SQL = """
INSERT INTO reporting_linkclick
    (link_id, campaign_id, at, visitor_hash, counted, ignored, referer_host)
SELECT %s, %s, at, visitor_hash, counted, ignored, referer_host
  FROM unnest(%s::timestamptz[], %s::text[], %s::boolean[], %s::text[], %s::text[])
       AS t(at, visitor_hash, counted, ignored, referer_host)
"""


def seed_demo_workspace(sender, *, workspace, seed: int, **kwargs) -> None:
    """demo_workspace_ready receiver (connected in apps.py)."""
    deals = contracts_demo.demo_contracts_seed(workspace=workspace, seed=seed)
    if deals is None:
        return  # seeded before (or the marketer has contracts of their own)
    rng = random.Random(seed)
    contract = deals.active
    card = CampaignCreator.objects.select_related("campaign", "creator").get(
        pk=contract.campaign_creator_id
    )
    today = timezone.localdate()
    first_day = today - dt.timedelta(days=DAYS - 1)
    posts = _publish(contract, card, deals.by, rng, first_day)
    daily_views = _record_metrics(posts, card, rng, first_day, today)
    link = tracked_link_create(campaign_creator=card, destination_url=DESTINATION, by=deals.by)
    click_days = _record_clicks(link, rng, first_day, daily_views)
    _record_conversions(card, link, deals.by, rng, click_days)


def _promo_code(card) -> str:
    first_name = card.creator.name.split()[0] if card.creator.name.strip() else "DEMO"
    return "".join(ch for ch in first_name.upper() if ch.isascii() and ch.isalnum())[:10] + "15"


def _publish(contract, card, by, rng: random.Random, first_day: dt.date) -> list:
    code = _promo_code(card)
    deliverables = list(contract.accepted_version.deliverables.order_by("position", "id"))
    captions = (
        f"#ad My new morning step: the {card.campaign.product or card.campaign.name} ✨ "
        f"Link in bio. @lumen",
        f"#ad Two weeks in and my skin says thank you. Use {code} for 15% off. @lumen",
    )
    posts = []
    for deliverable, caption, (offset, _, _) in zip(deliverables, captions, POSTS, strict=False):
        kind = "reel" if deliverable.format == "reel" else "p"
        shortcode = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(11))
        post = deliverable_post_attach(
            deliverable=deliverable,
            url=f"https://www.instagram.com/{kind}/{shortcode}/",
            by=by,
            caption=caption,
        )
        # The refresher fills published_at from the platform; the demo's posts have none.
        published = timezone.make_aware(
            dt.datetime.combine(first_day + dt.timedelta(days=offset), dt.time(17, 30))
        )
        DeliverablePost.objects.filter(pk=post.pk).update(published_at=published)
        post.published_at = published
        contract_services.deliverable_mark_done(deliverable=deliverable, by=by)
        posts.append(post)
    campaign_services.campaign_creator_move(
        campaign_creator=card, to_stage=pipeline.CONTENT_LIVE, by=by, expected_version=card.version
    )
    return posts


def _record_metrics(posts, card, rng: random.Random, first_day, today) -> dict[dt.date, int]:
    """Daily cumulative numbers per post; returns the views gained per day (all posts)."""
    account = card.creator.accounts.order_by("-followers").first()
    followers = (account.followers if account else None) or 20_000
    gained: dict[dt.date, int] = {}
    for post, (offset, per_follower, tau) in zip(posts, POSTS, strict=False):
        final_views = followers * per_follower * rng.uniform(0.8, 1.25)
        like_rate = rng.uniform(0.045, 0.075)
        reach_share = rng.uniform(0.7, 0.85)
        previous = 0
        day, age = first_day + dt.timedelta(days=offset), 0
        while day <= today:
            # Most views come in the first days, then a long tail keeps them growing;
            # the noise is on each day's gain, so the total never goes down.
            gain = final_views * (_curve(age, tau) - _curve(age - 1, tau))
            views = previous + max(1, round(gain * rng.uniform(0.8, 1.2)))
            likes = round(views * like_rate)
            post_metrics_record(
                post=post,
                date=day,
                numbers={
                    "views": views,
                    "reach": round(views * reach_share),
                    "likes": likes,
                    "comments": round(likes * 0.045),
                    "shares": round(likes * 0.06),
                    "saves": round(likes * 0.09),
                },
                source=StatsSource.DEMO,
            )
            gained[day] = gained.get(day, 0) + views - previous
            previous = views
            day, age = day + dt.timedelta(days=1), age + 1
    return gained


def _curve(age: int, tau: float) -> float:
    """Share of its final views a post has `age` days after going live (0 before)."""
    if age < 0:
        return 0.0
    return 0.85 * (1 - math.exp(-(age + 1) / tau)) + 0.15 * (age + 1) / DAYS


def _record_clicks(link: TrackedLink, rng, first_day, daily_views) -> list[dt.date]:
    """~200 counted clicks following the views, plus ignored bots and repeats (1 INSERT)."""
    now = timezone.now()
    days = sorted(daily_views)
    weights = [daily_views[day] + 1 for day in days]
    rows = []  # (at, ip, user agent, counted, ignored, referer)
    for index, day in enumerate(sorted(rng.choices(days, weights, k=COUNTED_CLICKS))):
        at = _moment(day, rng, now)
        # A distinct visitor per click (documentation addresses, RFC 5737).
        ip = f"198.51.{100 + index // 250}.{index % 250 + 1}"
        rows.append((at, ip, rng.choice(BROWSERS), True, "", rng.choice(REFERERS)))
    for at, ip, agent, _, _, referer in rng.sample(rows, REPEAT_CLICKS):
        later = min(at + dt.timedelta(minutes=rng.randint(1, 20)), now)
        if later.date() == at.date():  # the visitor hash is per day
            rows.append((later, ip, agent, False, "repeat", referer))
    for _ in range(BOT_CLICKS):
        at = _moment(rng.choice(days), rng, now)
        rows.append((at, f"203.0.113.{rng.randint(1, 254)}", BOT_AGENT, False, "bot", ""))
    assert all(links.is_bot(agent) == (ignored == "bot") for _, _, agent, _, ignored, _ in rows)
    columns = list(zip(*rows, strict=True))
    hashes = [
        links.visitor_hash(ip=ip, user_agent=agent, day=at.date()) for at, ip, agent, *_ in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            CLICKS_SQL,
            [
                link.pk,
                link.campaign_id,
                list(columns[0]),
                hashes,
                list(columns[3]),
                list(columns[4]),
                [links.referer_host(referer) for referer in columns[5]],
            ],
        )
    TrackedLink.objects.filter(pk=link.pk).update(click_count=COUNTED_CLICKS)
    return [at.date() for at, *_ in rows[:COUNTED_CLICKS]]


def _moment(day: dt.date, rng: random.Random, now: dt.datetime) -> dt.datetime:
    """A time on `day` (UTC, like the service's `now.date()`), never in the future."""
    start = dt.datetime.combine(day, dt.time(7), tzinfo=dt.UTC)
    return min(start + dt.timedelta(seconds=rng.randint(0, 16 * 3600)), now)


def _record_conversions(card, link, by, rng: random.Random, click_days: list[dt.date]) -> None:
    promo = promo_code_create(
        campaign_creator=card,
        code=_promo_code(card),
        by=by,
        description="15% off, in the follow-up post",
    )
    workspace = card.campaign.workspace
    for number in range(PROMO_ORDERS + LINK_ORDERS):
        through_link = number >= PROMO_ORDERS
        conversion_record(
            workspace=workspace,
            campaign_creator=card,
            promo_code=None if through_link else promo,
            tracked_link=link if through_link else None,
            occurred_on=rng.choice(click_days),
            uses=1,
            revenue=Decimal(rng.choice(ORDER_VALUES)),
            currency=card.campaign.currency,
            external_order_id=f"DEMO-{1001 + number}",
            source=Conversion.Source.IMPORT,
            by=by,
        )
