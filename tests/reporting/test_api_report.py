"""API: GET /api/v1/reports/{campaign_id}/ — the report as JSON, workspace-scoped."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.factories import CampaignFactory
from tests.reporting import report_fixture
from tests.reporting.report_fixture import END, START

RANGE = {"start": START.isoformat(), "end": END.isoformat()}


@pytest.fixture
def fx(team):
    return report_fixture.build(team)


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _url(fx) -> str:
    return reverse("campaignreport-detail", args=[fx.campaign.pk])


def test_it_returns_totals_creators_and_series(team, fx):
    report_fixture.add_eur_rate(team.workspace)
    data = _api(team.teammate).get(_url(fx), RANGE).json()
    assert data["start"] == "2025-03-01" and data["currency"] == "USD"
    totals = data["totals"]
    assert totals["views"] == 11000
    assert Decimal(totals["spend"]["total"]) == Decimal("1750.00")
    assert Decimal(totals["metrics"]["cpa"]["value"]) == Decimal("350")
    assert totals["metrics"]["cpm"]["formula"] == "spend ÷ views × 1,000"
    assert [row["name"] for row in data["creators"]] == ["Alice", "Bob", "Carla"]
    bob = data["creators"][1]
    assert bob["metrics"]["engagement_rate"] == {
        "value": None, "formula": "engagements ÷ views", "reason": "No views yet (0)",
    }  # fmt: skip
    assert len(data["series"]["cumulative_spend"]) == 31


def test_it_refuses_blind_sums_without_a_rate(team, fx):
    data = _api(team.owner).get(_url(fx), RANGE).json()
    assert data["totals"]["spend"]["total"] is None
    assert data["totals"]["spend"]["amounts"] == {"EUR": "500.00", "USD": "1200.00"}
    assert data["money_refusal"] == "Add a EUR→USD rate to compare"
    assert data["series"]["cumulative_spend"] is None


def test_it_filters_by_creator(team, fx):
    data = _api(team.owner).get(_url(fx), {**RANGE, "creator": fx.carla.pk}).json()
    assert [row["name"] for row in data["creators"]] == ["Carla"]


def test_bad_filters_are_a_400_not_a_500(team, fx):
    response = _api(team.owner).get(_url(fx), {"start": "2025-03-10", "end": "2025-03-01"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert _api(team.owner).get(_url(fx), {"start": "soon"}).status_code == 400


def test_outsider_gets_404(team, fx):
    assert _api(team.outsider).get(_url(fx)).status_code == 404


def test_it_is_in_the_schema(team):
    schema = _api(team.owner).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/reports/{id}/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"start", "end", "platform", "creator"} <= names


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01", "0001-01-01"), ("9999-12-30", "9999-12-31")]
)
def test_the_first_and_last_dates_there_are_give_an_empty_report_not_a_500(team, start, end):
    campaign = CampaignFactory(workspace=team.workspace, owner=team.owner)
    client = APIClient()
    client.force_authenticate(team.owner)
    response = client.get(
        reverse("campaignreport-detail", args=[campaign.pk]), {"start": start, "end": end}
    )
    assert response.status_code == 200, response.content
