"""The fixture campaign of the report tests, with every figure computed by hand.

Campaign "Spring launch" (USD), 1–31 March 2025, in the team's workspace:

Alice   active contract, 1,000 cash + 200 product USD = 1,200 USD; 2 Instagram reels planned,
        1 posted (one missing). Post snapshots: 28 Feb views 1,000 (eng 100+10 = 110),
        10 Mar 5,000, 31 Mar views 9,000 likes 400 comments 40 shares 10 saves 30 (eng 480).
        → views to date 9,000, in range 8,000; engagements 480, in range 370.
        Clicks in range: 3 counted (+1 bot, +1 in April: not counted).
        Conversions: 2 uses 300 USD + 1 use 100 USD = 3 uses, 400 USD (+1 in April: out).
        CPM 1,200/9,000×1,000 = 133.33; CPE 1,200/480 = 2.50; CPC = CPA = 1,200/3 = 400;
        ROAS 400/1,200 = 0.333; ROI (400−1,200)/1,200 = −0.667; ER 480/9,000 = 5.33%.
Bob     accepted contract, gifted: 0 spend; 1 TikTok planned, posted; 15 Mar: views 0,
        likes unknown, comments 0, shares 0 → engagements 0, ER "—" (no views),
        CPM "—", ROAS "—" (no spend); 1 conversion of 50 USD; CPA 0/1 = 0.
Carla   completed contract, 500 EUR cash; 1 YouTube video planned, posted; 20 Mar views
        2,000, likes 100 → engagements 100. 1 conversion of 80 EUR.
        Without a EUR→USD rate her money and the totals' cost metrics are refused;
        with 1.1: spend 550 USD, revenue 88 USD. Her contract was decided on 10 March
        (Alice's and Bob's in February): the cumulative spend line steps 1,200 → 1,750.
Dan     a draft contract (2,000 USD) and no posts: not counted, not in the rows.
Totals  posts 3 live of 4 planned; views 11,000 (in range 10,000); engagements 580
        (in range 470); ER 580/11,000 = 5.27%; clicks 3; conversions 5;
        spend 1,200 USD + 500 EUR (refused) or 1,750 USD at 1.1;
        revenue 450 USD + 80 EUR or 538 USD; CPM 1,750/11,000×1,000 = 159.09;
        ROAS 538/1,750 = 0.30743; ROI (538−1,750)/1,750 = −0.69257.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from apps.contracts.models import Contract
from apps.reporting.models import ExchangeRate, LinkClick
from tests.factories import (
    CampaignCreatorFactory,
    CampaignFactory,
    ContractFactory,
    ConversionFactory,
    DeliverablePostFactory,
    PostMetricSnapshotFactory,
    TrackedLinkFactory,
    active_contract,
)

START, END = dt.date(2025, 3, 1), dt.date(2025, 3, 31)


@dataclass
class Fixture:
    campaign: object
    alice: object
    bob: object
    carla: object
    dan: object


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _click(link, day: dt.date, counted: bool = True) -> None:
    click = LinkClick.objects.create(
        link=link, campaign=link.campaign, visitor_hash="x" * 64, counted=counted
    )
    LinkClick.objects.filter(pk=click.pk).update(at=_at(day))


def _snapshot(post, day: dt.date, **numbers) -> None:
    PostMetricSnapshotFactory(post=post, date=day, **numbers)


def add_eur_rate(workspace, rate: str = "1.1") -> ExchangeRate:
    return ExchangeRate.objects.create(
        workspace=workspace, from_currency="EUR", to_currency="USD", rate=Decimal(rate)
    )


def build(team, *, reporting_schedule: str = "weekly") -> Fixture:
    ws = team.workspace
    campaign = CampaignFactory(
        workspace=ws, owner=team.owner, name="Spring launch", currency="USD",
        start_date=START, end_date=END,
    )  # fmt: skip

    def member(name: str, email: str = ""):
        return CampaignCreatorFactory(
            campaign=campaign,
            creator__name=name,
            creator__email=email or f"{name.lower()}@mail.test",
        )

    alice, bob, carla, dan = member("Alice"), member("Bob"), member("Carla"), member("Dan")

    alice_contract = active_contract(
        alice, status="active", cash_amount=Decimal("1000"), product_value=Decimal("200"),
        currency="USD", deliverables=(("instagram", "reel"), ("instagram", "post")),
        reporting_schedule=reporting_schedule,
    )  # fmt: skip
    bob_contract = active_contract(
        bob, status="accepted", cash_amount=Decimal("0"), product_value=None,
        currency="USD", deliverables=(("tiktok", "video"),), reporting_schedule=reporting_schedule,
    )  # fmt: skip
    carla_contract = active_contract(
        carla, status="completed", cash_amount=Decimal("500"), currency="EUR",
        deliverables=(("youtube", "video"),), reporting_schedule=reporting_schedule,
    )  # fmt: skip
    ContractFactory(campaign_creator=dan, status="draft", version__cash_amount=Decimal("2000"))
    # The cumulative spend chart dates spend by the contract's decision.
    for contract, day in ((alice_contract, 20), (bob_contract, 21)):
        Contract.objects.filter(pk=contract.pk).update(decided_at=_at(dt.date(2025, 2, day)))
    Contract.objects.filter(pk=carla_contract.pk).update(decided_at=_at(dt.date(2025, 3, 10)))

    def post(contract, platform: str, **numbers):
        deliverable = contract.accepted_version.deliverables.filter(platform=platform).first()
        return DeliverablePostFactory(
            deliverable=deliverable, published_at=_at(dt.date(2025, 2, 27)), **numbers
        )

    # Alice: the newest numbers on the post itself are AFTER the range (April): a past
    # range must read the snapshots, not these.
    alice_post = post(alice_contract, "instagram", views=20_000, likes=900, comments=90, shares=20, saves=40)  # fmt: skip
    _snapshot(alice_post, dt.date(2025, 2, 28), views=1000, likes=100, comments=10, shares=0, saves=0)  # fmt: skip
    _snapshot(alice_post, dt.date(2025, 3, 10), views=5000, likes=300, comments=20, shares=5, saves=5)  # fmt: skip
    _snapshot(alice_post, dt.date(2025, 3, 31), views=9000, likes=400, comments=40, shares=10, saves=30)  # fmt: skip
    _snapshot(alice_post, dt.date(2025, 4, 5), views=20_000, likes=900, comments=90, shares=20, saves=40)  # fmt: skip
    bob_post = post(bob_contract, "tiktok", views=0, likes=None, comments=0, shares=0, saves=None)
    _snapshot(bob_post, dt.date(2025, 3, 15), views=0, likes=None, comments=0, shares=0, saves=None)  # fmt: skip
    carla_post = post(carla_contract, "youtube", views=2000, likes=100, comments=0, shares=0, saves=0)  # fmt: skip
    _snapshot(carla_post, dt.date(2025, 3, 20), views=2000, likes=100, comments=0, shares=0, saves=0)  # fmt: skip

    link = TrackedLinkFactory(campaign_creator=alice)
    for day in (dt.date(2025, 3, 2), dt.date(2025, 3, 3), dt.date(2025, 3, 31)):
        _click(link, day)
    _click(link, dt.date(2025, 3, 4), counted=False)
    _click(link, dt.date(2025, 4, 1))

    ConversionFactory(campaign_creator=alice, occurred_on=dt.date(2025, 3, 5), uses=2, revenue=Decimal("300"))  # fmt: skip
    ConversionFactory(campaign_creator=alice, occurred_on=dt.date(2025, 3, 20), uses=1, revenue=Decimal("100"))  # fmt: skip
    ConversionFactory(campaign_creator=alice, occurred_on=dt.date(2025, 4, 2), uses=9, revenue=Decimal("999"))  # fmt: skip
    ConversionFactory(campaign_creator=bob, occurred_on=dt.date(2025, 3, 16), uses=1, revenue=Decimal("50"))  # fmt: skip
    ConversionFactory(campaign_creator=carla, occurred_on=dt.date(2025, 3, 21), uses=1, revenue=Decimal("80"), currency="EUR")  # fmt: skip

    # Another workspace's campaign with numbers: must never leak in.
    other = active_contract(workspace=team.other_workspace, cash_amount=Decimal("9999"))
    DeliverablePostFactory(deliverable=other.accepted_version.deliverables.first(), views=777_777)
    return Fixture(campaign, alice, bob, carla, dan)
