"""The campaign report against the hand-computed fixture (tests/reporting/report_fixture.py)."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.reporting.dashboard import ReportFilters, campaign_report, default_range
from apps.reporting.overview import workspace_overview
from tests.reporting import report_fixture
from tests.reporting.report_fixture import END, START


@pytest.fixture
def fx(team):
    return report_fixture.build(team)


def _report(fx, **kwargs):
    return campaign_report(fx.campaign, ReportFilters(START, END, **kwargs))


def _row(report, cc):
    return next(row for row in report.rows if row.campaign_creator_id == cc.pk)


def test_it_reads_the_snapshots_for_a_past_range(fx):
    alice = _row(_report(fx), fx.alice)
    assert (alice.views, alice.views_in_range) == (9000, 8000)
    assert (alice.engagements, alice.engagements_in_range) == (480, 370)
    assert (alice.posts_live, alice.posts_planned, alice.posts_missing) == (1, 2, 1)


def test_it_computes_every_formula_for_one_creator(fx):
    alice = _row(_report(fx), fx.alice)
    m = alice.metrics
    assert alice.spend.total == Decimal("1200.00")
    assert alice.revenue.total == Decimal("400.00")
    assert (alice.clicks, alice.conversions) == (3, 3)
    assert m["cpm"].value.quantize(Decimal("0.01")) == Decimal("133.33")
    assert m["cpe"].value == Decimal("2.5")
    assert m["cpc"].value == Decimal("400")
    assert m["cpa"].value == Decimal("400")
    assert m["roas"].value.quantize(Decimal("0.0001")) == Decimal("0.3333")
    assert m["roi"].value.quantize(Decimal("0.0001")) == Decimal("-0.6667")
    assert m["engagement_rate"].value == pytest.approx(480 / 9000)


def test_it_explains_zero_views_and_zero_spend_instead_of_dividing(fx):
    bob = _row(_report(fx), fx.bob)
    assert (bob.views, bob.engagements, bob.posts_likes_unknown) == (0, 0, 1)
    assert bob.metrics["engagement_rate"].value is None
    assert bob.metrics["engagement_rate"].reason == "No views yet (0)"
    assert bob.metrics["cpm"].value is None
    assert bob.metrics["roas"].value is None
    assert bob.metrics["roas"].reason == "No spend yet (0)"
    assert bob.metrics["cpa"].value == Decimal("0")  # free: 0 spend ÷ 1 conversion


def test_it_refuses_to_add_currencies_without_a_rate(fx):
    report = _report(fx)
    carla = _row(report, fx.carla)
    assert carla.spend.total is None
    assert carla.metrics["cpm"].value is None
    assert carla.metrics["cpm"].reason == "Add a EUR→USD rate to compare"
    totals = report.totals
    assert totals.spend.total is None
    assert totals.spend.per_currency() == [("EUR", Decimal("500")), ("USD", Decimal("1200"))]
    assert totals.revenue.per_currency() == [("EUR", Decimal("80")), ("USD", Decimal("450"))]
    for key in ("cpm", "cpe", "cpc", "cpa", "roas", "roi"):
        assert totals.metrics[key].value is None
        assert totals.metrics[key].reason == "Add a EUR→USD rate to compare"
    assert report.money_refusal == "Add a EUR→USD rate to compare"
    assert report.cumulative_spend is None
    # Counts never need a rate.
    assert totals.metrics["engagement_rate"].value == pytest.approx(580 / 11000)


def test_it_converts_through_an_explicit_rate(fx, team):
    report_fixture.add_eur_rate(team.workspace, "1.1")
    report = _report(fx)
    carla = _row(report, fx.carla)
    assert (carla.spend.total, carla.revenue.total) == (Decimal("550.00"), Decimal("88.00"))
    t = report.totals
    assert (t.spend.total, t.revenue.total) == (Decimal("1750.00"), Decimal("538.00"))
    assert t.metrics["cpm"].value.quantize(Decimal("0.01")) == Decimal("159.09")
    assert t.metrics["roas"].value.quantize(Decimal("0.00001")) == Decimal("0.30743")
    assert t.metrics["roi"].value.quantize(Decimal("0.00001")) == Decimal("-0.69257")
    assert t.metrics["cpa"].value == Decimal("350")  # 1,750 / 5
    spend = dict(report.cumulative_spend)
    assert (spend[START], spend[dt.date(2025, 3, 9)]) == (Decimal("1200"), Decimal("1200"))
    assert (spend[dt.date(2025, 3, 10)], spend[END]) == (Decimal("1750.0"), Decimal("1750.0"))
    assert report.cumulative_revenue[-1][1] == Decimal("538.00")


def test_it_totals_the_fixture_by_hand(fx):
    t = _report(fx).totals
    assert (t.posts_live, t.posts_planned) == (3, 4)
    assert (t.views, t.views_in_range) == (11000, 10000)
    assert (t.engagements, t.engagements_in_range) == (580, 470)
    assert (t.clicks, t.conversions) == (3, 5)


def test_it_leaves_out_draft_contracts_and_other_workspaces(fx):
    report = _report(fx)
    names = [row.name for row in report.rows]
    assert names == ["Alice", "Bob", "Carla"]
    assert report.totals.views == 11000  # not 777,777 from the rival's post


def test_it_uses_the_posts_own_numbers_when_the_range_reaches_today(fx):
    today = dt.date.today()
    report = campaign_report(fx.campaign, ReportFilters(START, today))
    alice = _row(report, fx.alice)
    assert alice.views == 20_000  # the post's newest numbers
    assert alice.views_in_range == 19_000  # minus the last snapshot before 1 March


def test_it_filters_by_platform_and_creator(fx):
    tiktok = _report(fx, platform="tiktok")
    assert tiktok.totals.views == 0
    assert tiktok.totals.posts_planned == 1
    only_alice = _report(fx, campaign_creator_id=fx.alice.pk)
    assert [row.name for row in only_alice.rows] == ["Alice"]
    assert only_alice.totals.conversions == 3
    # The creator filter still offers every contracted creator.
    assert [name for _, name in only_alice.creators] == ["Alice", "Bob", "Carla"]


def test_it_counts_views_gained_per_day_post_by_post(fx):
    report = _report(fx)
    # Alice: 1,000 on 28 Feb (before the range), 5,000 on 10 Mar, 9,000 on 31 Mar;
    # Bob: 0 on 15 Mar; Carla: first measured on 20 Mar at 2,000 (all of it counts).
    assert report.views_per_day == [
        (dt.date(2025, 3, 10), 4000),
        (dt.date(2025, 3, 15), 0),
        (dt.date(2025, 3, 20), 2000),
        (dt.date(2025, 3, 31), 4000),
    ]
    # Engagements: Alice 110 -> 330 -> 480, Bob 0, Carla 100.
    assert report.engagements_per_day == [
        (dt.date(2025, 3, 10), 220),
        (dt.date(2025, 3, 15), 0),
        (dt.date(2025, 3, 20), 100),
        (dt.date(2025, 3, 31), 150),
    ]
    # The days add up to the range's total.
    assert sum(views for _, views in report.views_per_day) == report.totals.views_in_range


def test_it_ranks_the_leaderboard(fx, team):
    report_fixture.add_eur_rate(team.workspace)
    report = _report(fx)
    assert [r.name for r in report.leaderboard("views")] == ["Alice", "Carla", "Bob"]
    assert [r.name for r in report.leaderboard("conversions")] == ["Alice", "Bob", "Carla"]
    # ROAS: Carla 88/550 = 0.16, Alice 0.33; Bob has no ROAS (no spend) so goes last.
    assert [r.name for r in report.leaderboard("roas")] == ["Alice", "Carla", "Bob"]


def test_the_default_range_is_the_campaign_dates_else_the_last_90_days(fx):
    assert default_range(fx.campaign, dt.date(2025, 6, 1)) == (START, END)
    assert default_range(fx.campaign, dt.date(2025, 3, 15)) == (START, dt.date(2025, 3, 15))
    fx.campaign.start_date = fx.campaign.end_date = None
    assert default_range(fx.campaign, dt.date(2025, 6, 1)) == (
        dt.date(2025, 3, 4),
        dt.date(2025, 6, 1),
    )


def test_the_overview_totals_every_campaign_to_date(fx, team, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        overview = workspace_overview(team.workspace)
    item = next(i for i in overview if i.campaign == fx.campaign)
    row = item.row
    assert (row.posts_live, row.posts_planned) == (3, 4)
    assert row.views == 22_000  # the posts' own newest numbers: 20,000 + 0 + 2,000
    assert row.conversions == 14  # every conversion, April's too
    assert row.spend.total is None
    assert row.spend.per_currency() == [("EUR", Decimal("500")), ("USD", Decimal("1200"))]
