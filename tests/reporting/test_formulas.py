"""The campaign performance formulas (apps.creators.metrics), against figures worked by hand."""

from decimal import Decimal

import pytest

from apps.creators import metrics


def test_engagements_add_the_known_counts():
    assert metrics.engagements(400, 40, 10, 30) == 480


def test_engagements_leave_out_unknown_likes_instead_of_counting_zero():
    assert metrics.engagements(None, 40, 10, 30) == 80


def test_engagements_are_unknown_when_nothing_is_known():
    assert metrics.engagements(None, None, None, None) is None


def test_engagement_rate_is_engagements_over_views():
    assert metrics.campaign_engagement_rate(480, 9000) == pytest.approx(0.053333, rel=1e-4)


@pytest.mark.parametrize("views", [0, None])
def test_engagement_rate_is_none_without_views(views):
    assert metrics.campaign_engagement_rate(480, views) is None


def test_cpm_is_spend_per_thousand_views():
    # 1,200 / 9,000 × 1,000 = 133.33…
    assert metrics.cpm(Decimal("1200"), 9000).quantize(Decimal("0.01")) == Decimal("133.33")


def test_cpe_cpc_cpa_divide_spend():
    assert metrics.cpe(Decimal("1200"), 480) == Decimal("2.5")
    assert metrics.cpc(Decimal("1200"), 3) == Decimal("400")
    assert metrics.cpa(Decimal("1750"), 5) == Decimal("350")


def test_roas_and_roi():
    assert metrics.roas(Decimal("400"), Decimal("1200")).quantize(Decimal("0.0001")) == Decimal(
        "0.3333"
    )
    assert metrics.roi(Decimal("400"), Decimal("1200")).quantize(Decimal("0.0001")) == Decimal(
        "-0.6667"
    )
    assert metrics.roas(Decimal("3000"), Decimal("1000")) == Decimal("3")
    assert metrics.roi(Decimal("3000"), Decimal("1000")) == Decimal("2")


@pytest.mark.parametrize(
    ("formula", "args"),
    [
        (metrics.cpm, (Decimal("100"), 0)),
        (metrics.cpe, (Decimal("100"), 0)),
        (metrics.cpc, (Decimal("100"), None)),
        (metrics.cpa, (Decimal("100"), 0)),
        (metrics.roas, (Decimal("100"), Decimal("0"))),
        (metrics.roi, (Decimal("100"), Decimal("0"))),
        (metrics.roi, (Decimal("100"), None)),
    ],
)
def test_every_ratio_is_none_when_its_denominator_is_zero_or_unknown(formula, args):
    assert formula(*args) is None


def test_zero_spend_costs_nothing_per_view():
    assert metrics.cpm(Decimal("0"), 1000) == Decimal("0")


def test_the_missing_reason_names_the_denominator():
    assert metrics.missing_reason("cpm", 0) == "No views yet (0)"
    assert metrics.missing_reason("roas", None) == "No spend known yet"
    assert metrics.missing_reason("cpc", 0) == "No clicks yet (0)"


def test_every_formula_has_its_text():
    assert metrics.CPM_FORMULA == "spend ÷ views × 1,000"
    assert metrics.ROI_FORMULA == "(revenue − spend) ÷ spend"
    assert metrics.ENGAGEMENT_RATE_FORMULA == "engagements ÷ views"
