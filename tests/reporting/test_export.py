"""The report as CSV: per creator rows, the totals, and no spreadsheet formulas."""

import csv
import io

import pytest
from django.urls import reverse

from apps.reporting.export import safe_cell
from apps.reporting.models import Conversion
from tests.factories import CampaignCreatorFactory, ConversionFactory
from tests.reporting import report_fixture
from tests.reporting.report_fixture import END, START

RANGE = {"start": START.isoformat(), "end": END.isoformat()}


@pytest.fixture
def fx(team):
    return report_fixture.build(team)


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_it_defuses_cells_that_spreadsheets_would_run(text):
    assert safe_cell(text) == "'" + text


def test_it_leaves_plain_cells_alone():
    assert safe_cell("Alice") == "Alice"
    assert safe_cell(None) == ""
    assert safe_cell(1200) == "1200"


def test_the_csv_has_a_row_per_creator_and_the_totals(owner_client, fx, team):
    report_fixture.add_eur_rate(team.workspace)
    response = owner_client.get(reverse("campaign_report_csv", args=[fx.campaign.pk]), RANGE)
    assert response["Content-Type"].startswith("text/csv")
    assert "spring-launch-report-20250301-20250331.csv" in response["Content-Disposition"]
    rows = _rows(response)
    header = rows[1]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[2:]}
    assert set(by_name) == {"Alice", "Bob", "Carla", "Total"}
    assert by_name["Alice"]["Views to date"] == "9000"
    assert by_name["Alice"]["Spend"] == "1200.00"
    assert by_name["Carla"]["Spend"] == "550.00"
    assert by_name["Total"]["Spend"] == "1750.00"
    assert by_name["Total"]["Revenue"] == "538.00"
    assert by_name["Bob"]["Engagement rate"] == ""  # no views: left empty, not 0


def test_the_csv_keeps_currencies_apart_without_a_rate(owner_client, fx):
    rows = _rows(owner_client.get(reverse("campaign_report_csv", args=[fx.campaign.pk]), RANGE))
    assert rows[1] == ["Add a EUR→USD rate to compare"]
    total = rows[-1]
    assert "500.00 EUR + 1200.00 USD" in total


def test_a_creator_named_like_a_formula_is_exported_as_text(owner_client, fx, team):
    evil = CampaignCreatorFactory(
        campaign=fx.campaign, creator__name='=HYPERLINK("http://evil.test","click")'
    )
    ConversionFactory(campaign_creator=evil, occurred_on=START, revenue=10)
    rows = _rows(owner_client.get(reverse("campaign_report_csv", args=[fx.campaign.pk]), RANGE))
    names = [row[0] for row in rows]
    assert '\'=HYPERLINK("http://evil.test","click")' in names
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)
    alice = next(row for row in rows if row[0] == "Alice")
    assert alice[rows[2].index("ROI")].startswith("-0.66")  # a number, not defused text
    assert Conversion.objects.filter(campaign_creator=evil).exists()


def test_outsider_gets_404(outsider_client, fx):
    url = reverse("campaign_report_csv", args=[fx.campaign.pk])
    assert outsider_client.get(url).status_code == 404
