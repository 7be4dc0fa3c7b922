"""The demo workspace's contracts and report data (apps.contracts.demo + apps.reporting.demo).

Seeded the way `seed_demo` (and so `make run`) does it: the demo_workspace_ready signal,
which also seeds the demo's creators and clause library first.
"""

from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from apps.accounts.signals import demo_workspace_ready
from apps.contracts.demo import DEMO_IP
from apps.contracts.models import Contract, ContractDecision, ContractLink
from apps.creators.models import StatsSource
from apps.reporting.dashboard import ReportFilters, campaign_report, default_range
from apps.reporting.models import DeliverablePost, LinkClick, PostMetricSnapshot, TrackedLink
from apps.reporting.post_urls import parse_post_url

SEED = 42


def seed(workspace, seed: int = SEED) -> None:
    demo_workspace_ready.send(sender=None, workspace=workspace, seed=seed)


@pytest.fixture
def demo(team):
    seed(team.workspace)
    return team


def _contracts(workspace) -> dict[str, Contract]:
    rows = Contract.objects.for_workspace(workspace).select_related(
        "campaign", "campaign_creator__creator", "current_version", "accepted_version"
    )
    return {contract.status: contract for contract in rows}


def _report(campaign):
    return campaign_report(campaign, ReportFilters(*default_range(campaign)))


def _row_counts() -> dict[str, int]:
    models = [
        *django_apps.get_app_config("campaigns").get_models(),
        *django_apps.get_app_config("contracts").get_models(),
        *django_apps.get_app_config("reporting").get_models(),
    ]
    return {model._meta.label: model._default_manager.count() for model in models}


def test_the_demo_has_one_active_one_sent_and_one_draft_contract(demo):
    contracts = _contracts(demo.workspace)
    assert sorted(contracts) == ["active", "draft", "sent"]
    active, sent, draft = contracts["active"], contracts["sent"], contracts["draft"]
    assert len({c.campaign_id for c in contracts.values()}) == 1
    assert active.campaign.status == "active"

    # Accepted through the creator's link, with the demo's name and documentation IP.
    decision = ContractDecision.objects.get(version=active.accepted_version)
    assert decision.decision == "accepted"
    assert decision.full_name == active.campaign_creator.creator.name
    assert decision.ip_address == DEMO_IP
    assert active.activated_at is not None
    # Sent: frozen, a live link, no answer yet. Draft: editable, never sent.
    assert sent.current_version.frozen_at is not None and sent.accepted_version is None
    assert ContractLink.objects.filter(version=sent.current_version, revoked_at=None).exists()
    assert draft.current_version.frozen_at is None and draft.sent_at is None
    # Links only ever go to reserved example.com addresses.
    assert all(
        link.sent_to.endswith("@example.com")
        for link in ContractLink.objects.for_workspace(demo.workspace)
    )

    stages = {status: c.campaign_creator.stage for status, c in contracts.items()}
    assert stages == {"active": "content_live", "sent": "negotiating", "draft": "negotiating"}
    for status, contract in contracts.items():
        platforms = set(
            contract.campaign_creator.creator.accounts.values_list("platform", flat=True)
        )
        deliverables = list(contract.current_version.deliverables.all())
        assert len(deliverables) == (3 if status == "active" else 2)
        assert {d.platform for d in deliverables} <= platforms
        assert contract.current_version.cash_amount > 0


def test_the_active_contract_has_two_posts_with_thirty_days_of_numbers(demo):
    active = _contracts(demo.workspace)["active"]
    posts = list(DeliverablePost.objects.filter(contract=active).order_by("published_at"))
    assert len(posts) == 2
    for post in posts:
        assert parse_post_url(post.url).platform == post.platform == post.deliverable.platform
        assert post.disclosure_status == "passed"
        assert post.deliverable.completed_at is not None
    first = list(PostMetricSnapshot.objects.filter(post=posts[0]).order_by("date"))
    assert len(first) == 30
    assert {s.source for s in first} == {StatsSource.DEMO}
    views = [s.views for s in first]
    assert views == sorted(views) and views[0] > 0
    # Fast at first, then flattening: the first week gains more than the last one.
    assert views[6] - views[0] > views[-1] - views[-7]
    assert posts[0].views == views[-1]  # the post carries its newest numbers


def test_the_tracked_link_counts_its_clicks_and_ignores_bots_and_repeats(demo):
    link = TrackedLink.objects.get(workspace=demo.workspace)
    clicks = LinkClick.objects.filter(link=link)
    assert link.click_count == clicks.filter(counted=True).count() == 200
    assert set(clicks.filter(counted=False).values_list("ignored", flat=True)) == {"bot", "repeat"}
    days = clicks.filter(counted=True).dates("at", "day")
    assert len(days) >= 20  # spread over the month, not all "now"


def test_the_demo_report_shows_every_total_and_cost_metric(demo):
    campaign = _contracts(demo.workspace)["active"].campaign
    totals = _report(campaign).totals
    assert (totals.posts_live, totals.posts_planned) == (2, 3)
    assert totals.views > 10_000 and totals.engagements > 0
    assert totals.clicks == 200
    assert totals.conversions == 19  # 15 through the promo code, 4 through the link
    assert totals.spend.total == Decimal("1350.00")  # the active contract: cash + product
    assert totals.revenue.total > 0 and totals.revenue.currency == campaign.currency
    for key in ("engagement_rate", "cpm", "cpe", "cpc", "cpa", "roas", "roi"):
        assert totals.metrics[key].value is not None, key


def test_seeding_twice_changes_nothing(demo):
    before = _row_counts()
    seed(demo.workspace)
    assert _row_counts() == before
    assert before["contracts.Contract"] == 3


def test_the_same_seed_gives_the_same_demo(demo):
    seed(demo.other_workspace)
    mine = _report(_contracts(demo.workspace)["active"].campaign).totals
    theirs = _report(_contracts(demo.other_workspace)["active"].campaign).totals
    assert (mine.views, mine.engagements, mine.revenue.total) == (
        theirs.views,
        theirs.engagements,
        theirs.revenue.total,
    )


def test_the_demo_pages_show_the_contracts_and_the_numbers(demo, owner_client):
    contracts = _contracts(demo.workspace)
    active = contracts["active"]
    page = owner_client.get(reverse("contract_list")).content.decode()
    for contract in contracts.values():
        assert contract.campaign_creator.creator.name in page
    # The active contract's third deliverable is still to do.
    deliverables = owner_client.get(reverse("deliverable_list")).content.decode()
    assert active.campaign_creator.creator.name in deliverables
    assert "Story" in deliverables
    report = owner_client.get(reverse("campaign_report", args=[active.campaign_id]))
    assert report.status_code == 200
    totals = _report(active.campaign).totals
    assert f"{totals.views:,}" in report.content.decode()
