"""The conversions API: /api/v1/tracked-links/ (+ clicks), /promo-codes/, /conversions/."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.reporting.models import Conversion, LinkClick
from tests.factories import (
    CampaignCreatorFactory,
    CampaignFactory,
    ConversionFactory,
    PromoCodeFactory,
    TrackedLinkFactory,
)

pytestmark = pytest.mark.django_db

LINKS = reverse("trackedlink-list")
CODES = reverse("promocode-list")
CONVERSIONS = reverse("conversion-list")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def jane(team):
    return CampaignCreatorFactory(
        campaign=CampaignFactory(workspace=team.workspace, owner=team.owner, currency="EUR")
    )


def _order(jane, **fields):
    return {
        "campaign_creator": jane.pk,
        "occurred_on": "2026-11-20",
        "uses": 1,
        "revenue": "59.90",
        "external_order_id": "SHOP-1001",
        **fields,
    }


# --- conversions ---------------------------------------------------------------------


def test_two_identical_posts_make_one_conversion(team, jane):
    api = _api(team.teammate)
    first = api.post(CONVERSIONS, _order(jane), format="json")
    second = api.post(CONVERSIONS, _order(jane), format="json")
    assert first.status_code == 201 and first.data["created"] is True
    assert second.status_code == 200 and second.data["created"] is False
    assert second.data["id"] == first.data["id"] and second.data["differences"] == []
    row = Conversion.objects.get()
    assert (row.source, row.currency, row.revenue) == ("api", "EUR", Decimal("59.90"))
    assert row.workspace == team.workspace and row.campaign_id == jane.campaign_id


def test_a_replay_with_other_numbers_returns_the_stored_row_and_says_what_differs(team, jane):
    api = _api(team.owner)
    api.post(CONVERSIONS, _order(jane), format="json")
    response = api.post(CONVERSIONS, _order(jane, revenue="99.00", uses=2), format="json")
    assert response.status_code == 200 and response.data["created"] is False
    assert response.data["revenue"] == "59.90"
    assert sorted(response.data["differences"]) == ["revenue", "uses"]
    assert Conversion.objects.get().revenue == Decimal("59.90")


def test_the_same_order_id_in_two_workspaces_is_two_conversions(team, jane):
    _api(team.owner).post(CONVERSIONS, _order(jane), format="json")
    theirs = CampaignCreatorFactory(campaign__workspace=team.other_workspace)
    response = _api(team.outsider).post(CONVERSIONS, _order(theirs), format="json")
    assert response.status_code == 201
    assert Conversion.objects.count() == 2


def test_a_promo_code_string_says_who_converted(team, jane):
    PromoCodeFactory(campaign_creator=jane, code="JANE10")
    body = _order(jane, promo_code="jane10")
    del body["campaign_creator"]
    response = _api(team.owner).post(CONVERSIONS, body, format="json")
    assert response.status_code == 201, response.data
    assert response.data["promo_code"] == "JANE10"
    assert response.data["campaign_creator"] == jane.pk


def test_ids_and_codes_of_another_workspace_are_refused_without_leaking(team, jane):
    theirs = CampaignCreatorFactory(campaign__workspace=team.other_workspace)
    PromoCodeFactory(campaign_creator=theirs, code="RIVAL20")
    their_link = TrackedLinkFactory(campaign_creator=theirs)
    api = _api(team.owner)
    response = api.post(CONVERSIONS, _order(theirs), format="json")
    assert response.status_code == 400 and "campaign_creator" in response.data
    response = api.post(CONVERSIONS, {**_order(jane), "promo_code": "RIVAL20"}, format="json")
    assert response.status_code == 400
    assert response.data["promo_code"] == ["No such promo code in this workspace."]
    response = api.post(CONVERSIONS, _order(jane, tracked_link=their_link.pk), format="json")
    assert response.status_code == 400 and "tracked_link" in response.data
    assert not Conversion.objects.exists()


def test_a_code_of_another_creator_is_refused(team, jane):
    other = CampaignCreatorFactory(campaign=jane.campaign)
    PromoCodeFactory(campaign_creator=other, code="OTHER5")
    response = _api(team.owner).post(CONVERSIONS, _order(jane, promo_code="OTHER5"), format="json")
    assert response.status_code == 400
    assert "another creator" in str(response.data["promo_code"])


@pytest.mark.parametrize(
    "fields",
    [
        {"revenue": "-1"},
        {"revenue": "NaN"},
        {"revenue": "1e400"},
        {"revenue": "1.234"},
        {"uses": 0},
        {"uses": 10**12},
        {"currency": "XXX"},
        {"currency": "dollars"},
        {"external_order_id": "A\x00B"},
        {"external_order_id": "x" * 5000},
        {"external_order_id": ""},
        {"occurred_on": "yesterday"},
        {"promo_code": "x" * 10_000},
        {"campaign_creator": "abc"},
        {"campaign_creator": None},
    ],
)
def test_bad_input_is_a_400_with_json(team, jane, fields):
    response = _api(team.owner).post(CONVERSIONS, _order(jane, **fields), format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert not Conversion.objects.exists()


def test_a_viewer_cannot_push_conversions(team, jane):
    response = _api(team.viewer).post(CONVERSIONS, _order(jane), format="json")
    assert response.status_code == 403


def test_conversions_list_only_this_workspace_and_filters_by_campaign(team, jane):
    ConversionFactory(campaign_creator=jane, external_order_id="A")
    ConversionFactory(campaign_creator__campaign__workspace=team.workspace, external_order_id="B")
    foreign = ConversionFactory(campaign_creator__campaign__workspace=team.other_workspace)
    api = _api(team.owner)
    assert api.get(CONVERSIONS).data["count"] == 2
    response = api.get(CONVERSIONS, {"campaign": jane.campaign_id})
    assert [row["external_order_id"] for row in response.data["results"]] == ["A"]
    assert api.get(reverse("conversion-detail", args=[foreign.pk])).status_code == 404


# --- tracked links and promo codes ------------------------------------------------------


def test_tracked_links_with_click_counts_filtered_by_campaign(team, jane, settings):
    settings.SITE_URL = "https://app.microreach.test"
    link = TrackedLinkFactory(campaign_creator=jane, code="Abcd1234", click_count=5)
    TrackedLinkFactory(campaign_creator__campaign__workspace=team.workspace)
    TrackedLinkFactory(campaign_creator__campaign__workspace=team.other_workspace)
    response = _api(team.viewer).get(LINKS, {"campaign": jane.campaign_id})
    assert response.status_code == 200
    [item] = response.data["results"]
    assert item["id"] == link.pk and item["click_count"] == 5
    assert item["short_url"] == "https://app.microreach.test/r/Abcd1234"
    assert _api(team.owner).get(LINKS).data["count"] == 2


def test_clicks_per_day(team, jane):
    link = TrackedLinkFactory(campaign_creator=jane)
    today = timezone.now()
    yesterday = today - dt.timedelta(days=1)
    for at, counted, ignored in [
        (yesterday, True, ""),
        (yesterday, False, "repeat"),
        (today, True, ""),
        (today, True, ""),
        (today, False, "bot"),
    ]:
        click = LinkClick.objects.create(
            link=link, campaign=jane.campaign, visitor_hash="h", counted=counted, ignored=ignored
        )
        LinkClick.objects.filter(pk=click.pk).update(at=at)
    response = _api(team.owner).get(reverse("trackedlink-clicks", args=[link.pk]))
    assert response.status_code == 200
    assert [dict(row) for row in response.data] == [
        {"date": yesterday.date().isoformat(), "clicks": 1, "bots": 0, "repeats": 1},
        {"date": today.date().isoformat(), "clicks": 2, "bots": 1, "repeats": 0},
    ]
    reversed_range = _api(team.owner).get(
        reverse("trackedlink-clicks", args=[link.pk]), {"start": "2026-12-01", "end": "2026-01-01"}
    )
    assert reversed_range.status_code == 200 and reversed_range.data == []
    extremes = _api(team.owner).get(
        reverse("trackedlink-clicks", args=[link.pk]), {"start": "0001-01-01", "end": "0001-01-02"}
    )
    assert extremes.status_code == 200 and extremes.data == []


def test_list_filters_refuse_what_is_not_an_id_or_a_boolean(team, jane):
    ConversionFactory(campaign_creator=jane, external_order_id="A")
    api = _api(team.owner)
    for value in ("1.5", "1e300", str(2**64), "abc"):
        assert api.get(CONVERSIONS, {"campaign": value}).status_code == 400, value
        assert api.get(LINKS, {"campaign_creator": value}).status_code == 400, value
    assert api.get(CONVERSIONS, {"external_order_id": "A\x00"}).status_code == 400
    assert api.get(LINKS, {"archived": "maybe"}).status_code == 400
    assert api.get(LINKS, {"archived": "false"}).data["count"] == 0
    assert api.get(CONVERSIONS, {"external_order_id": "A"}).data["count"] == 1


def test_another_workspaces_link_and_clicks_are_404(team):
    theirs = TrackedLinkFactory(campaign_creator__campaign__workspace=team.other_workspace)
    api = _api(team.owner)
    assert api.get(reverse("trackedlink-detail", args=[theirs.pk])).status_code == 404
    assert api.get(reverse("trackedlink-clicks", args=[theirs.pk])).status_code == 404


def test_promo_codes_are_listed_for_the_workspace_only(team, jane):
    PromoCodeFactory(campaign_creator=jane, code="JANE10")
    theirs = PromoCodeFactory(campaign_creator__campaign__workspace=team.other_workspace)
    api = _api(team.owner)
    assert [row["code"] for row in api.get(CODES).data["results"]] == ["JANE10"]
    assert api.get(reverse("promocode-detail", args=[theirs.pk])).status_code == 404


def test_the_schema_has_the_conversion_paths_without_warnings(tmp_path, capsys):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/v1/tracked-links/",
        "/api/v1/tracked-links/{id}/clicks/",
        "/api/v1/promo-codes/",
        "/api/v1/conversions/",
    ):
        assert path in schema, path
    assert "ConversionSourceEnum" in schema
    # Warnings name the view they come from; none may come from ours. (The whole
    # schema's --fail-on-warn check lives with the campaigns API tests.)
    warnings = [line for line in capsys.readouterr().err.splitlines() if "arning" in line]
    ours = ("TrackedLink", "PromoCode", "Conversion", "Clicks", "tracked-links", "conversions")
    assert not [line for line in warnings if any(name in line for name in ours)]
    assert not [line for line in warnings if "manual" in line and "import" in line]
