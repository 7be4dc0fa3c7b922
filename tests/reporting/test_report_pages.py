"""The report pages: dashboard, overview, exports, nav link and campaign button."""

import pytest
from django.urls import reverse

from tests.factories import CampaignFactory
from tests.reporting import report_fixture
from tests.reporting.report_fixture import END, START

RANGE = {"start": START.isoformat(), "end": END.isoformat()}


@pytest.fixture
def fx(team):
    return report_fixture.build(team)


def _url(fx, name="campaign_report"):
    return reverse(name, args=[fx.campaign.pk])


def test_owner_sees_the_totals_with_formulas_and_the_range(owner_client, fx):
    html = owner_client.get(_url(fx), RANGE).content.decode()
    assert "1 Mar 2025 – 31 Mar 2025" in html
    assert "11,000" in html  # views to date
    assert 'title="spend ÷ views × 1,000"' in html
    assert "Add a EUR→USD rate to compare" in html
    assert "1,200.00 USD" in html  # Alice's spend
    assert "No views yet (0)" in html  # Bob's ER
    assert "Alice" in html and "Carla" in html and "Dan" not in html


def test_teammate_sees_the_report(team, fx):
    response = team.client_for(team.teammate).get(_url(fx), RANGE)
    assert response.status_code == 200
    assert b"Per creator" in response.content


def test_outsider_gets_404_on_report_and_exports(outsider_client, fx):
    for name in ("campaign_report", "campaign_report_csv", "campaign_report_pdf"):
        assert outsider_client.get(_url(fx, name)).status_code == 404


def test_it_converts_once_a_rate_exists(owner_client, fx, team):
    report_fixture.add_eur_rate(team.workspace)
    html = owner_client.get(_url(fx), RANGE).content.decode()
    assert "1,750.00 USD" in html
    assert "Add a EUR→USD rate" not in html
    assert "Cumulative spend and revenue (USD)" in html


def test_it_filters_by_creator_and_platform(owner_client, fx):
    html = owner_client.get(_url(fx), {**RANGE, "creator": fx.bob.pk}).content.decode()
    assert '<th scope="row">Bob</th>' in html
    assert '<th scope="row">Alice</th>' not in html
    html = owner_client.get(_url(fx), {**RANGE, "platform": "youtube"}).content.decode()
    assert "2,000" in html and "11,000" not in html


def test_htmx_gets_only_the_report_body(owner_client, fx):
    response = owner_client.get(_url(fx), RANGE, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report-body"')
    assert "<nav" not in html


def test_a_bad_range_falls_back_to_the_campaign_dates_and_says_why(owner_client, fx):
    html = owner_client.get(_url(fx), {"start": "2025-03-10", "end": "2025-03-01"}).content.decode()
    assert "The end date is before the start date." in html
    assert "1 Mar 2025 – 31 Mar 2025" in html


def test_the_report_query_count_is_pinned(owner_client, fx, team, django_assert_max_num_queries):
    report_fixture.add_eur_rate(team.workspace)
    with django_assert_max_num_queries(13):
        response = owner_client.get(_url(fx), RANGE)
    assert response.status_code == 200


def test_the_overview_lists_every_campaign_with_totals(
    owner_client, fx, team, django_assert_max_num_queries
):
    CampaignFactory(workspace=team.workspace, owner=team.owner, name="Quiet one")
    with django_assert_max_num_queries(12):
        html = owner_client.get(reverse("report_overview")).content.decode()
    assert "Spring launch" in html and "Quiet one" in html
    assert "22,000" in html  # to date: the posts' own newest numbers
    assert reverse("campaign_report", args=[fx.campaign.pk]) in html


def test_the_overview_shows_nothing_of_another_workspace(outsider_client, fx):
    html = outsider_client.get(reverse("report_overview")).content.decode()
    assert "Spring launch" not in html


def test_the_nav_and_the_campaign_page_link_the_report(owner_client, team):
    campaign = CampaignFactory(workspace=team.workspace, owner=team.owner)
    html = owner_client.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
    assert f'href="{reverse("campaign_report", args=[campaign.pk])}"' in html
    assert f'href="{reverse("report_overview")}"' in html


def test_the_pdf_is_a_pdf_with_the_totals(owner_client, fx):
    from io import BytesIO

    from pypdf import PdfReader

    response = owner_client.get(_url(fx, "campaign_report_pdf"), RANGE)
    assert response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Spring launch" in text
    assert "11,000" in text
    assert "Add a EUR→USD rate to compare" in text or "EUR" in text


def test_the_pdf_writes_a_name_beyond_western_european_letters(owner_client, fx):
    from io import BytesIO

    from pypdf import PdfReader

    fx.campaign.name = "Весна в Łódź"
    fx.campaign.save()
    response = owner_client.get(_url(fx, "campaign_report_pdf"), RANGE)
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)
    assert "Report of Весна в Łódź" in text
