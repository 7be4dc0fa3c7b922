"""The campaigns REST API: /api/v1/campaigns/, /campaign-creators/ (+ move),
/message-templates/ and /messages/."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from apps.campaigns.models import Campaign, CampaignCreator, MessageTemplate, StageChange
from tests.factories import (
    CampaignCreatorFactory,
    CampaignFactory,
    CreatorFactory,
    MessageTemplateFactory,
    NicheFactory,
    OutreachMessageFactory,
)

pytestmark = pytest.mark.django_db

CAMPAIGNS = reverse("campaign-list")
ROWS = reverse("campaigncreator-list")
TEMPLATES = reverse("messagetemplate-list")
MESSAGES = reverse("outreachmessage-list")


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def owner_api(team):
    return _api(team.owner)


def _campaign(team, **fields):
    return CampaignFactory(workspace=team.workspace, owner=team.owner, **fields)


def _row(team, campaign=None, **fields):
    campaign = campaign or _campaign(team)
    return CampaignCreatorFactory(campaign=campaign, **fields)


# --- campaigns ------------------------------------------------------------------


def test_it_lists_the_workspace_campaigns_with_their_creator_count(team, owner_api):
    campaign = _campaign(team, name="Spring launch")
    _row(team, campaign)
    CampaignFactory(workspace=team.other_workspace, name="Rival launch")

    response = owner_api.get(CAMPAIGNS)

    assert response.status_code == 200
    assert response.data["count"] == 1
    [item] = response.data["results"]
    assert item["name"] == "Spring launch" and item["creator_count"] == 1


def test_the_campaign_list_runs_a_fixed_number_of_queries(
    team, owner_api, django_assert_max_num_queries
):
    for _ in range(5):
        campaign = _campaign(team)
        campaign.niches.add(NicheFactory(workspace=team.workspace))
        campaign.team.add(team.teammate)
        _row(team, campaign)
    # membership, count, page, niches, team: the same for 5 campaigns as for 1
    with django_assert_max_num_queries(5):
        response = owner_api.get(CAMPAIGNS)
    assert response.data["count"] == 5


def test_campaigns_filter_by_status(team, owner_api):
    _campaign(team, name="Live", status=Campaign.Status.ACTIVE)
    _campaign(team, name="Plan", status=Campaign.Status.PLANNING)

    response = owner_api.get(CAMPAIGNS, {"status": "active"})

    assert [c["name"] for c in response.data["results"]] == ["Live"]


def test_it_creates_a_campaign_owned_by_the_caller(team, owner_api):
    niche = NicheFactory(workspace=team.workspace)

    response = owner_api.post(
        CAMPAIGNS,
        {
            "name": "Summer",
            "currency": "eur",
            "budget": "1500.00",
            "platforms": ["instagram"],
            "niches": [niche.pk],
            "team": [team.teammate.pk],
            "keywords": ["vegan"],
        },
        format="json",
    )

    assert response.status_code == 201, response.data
    campaign = Campaign.objects.get(pk=response.data["id"])
    assert campaign.workspace == team.workspace and campaign.owner == team.owner
    assert campaign.currency == "EUR" and list(campaign.niches.all()) == [niche]
    assert response.data["team"] == [team.teammate.pk]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"name": "X", "currency": "XYZ"}, "currency"),
        ({"name": "X", "start_date": "2026-05-02", "end_date": "2026-05-01"}, "end_date"),
        ({"name": "X", "status": "archived"}, "status"),
        ({"currency": "USD"}, "name"),
    ],
)
def test_invalid_campaigns_are_refused_with_400(team, owner_api, payload, field):
    response = owner_api.post(CAMPAIGNS, payload, format="json")
    assert response.status_code == 400
    assert field in response.data


def test_ids_of_another_workspace_are_invalid_pks(team, owner_api):
    niche = NicheFactory(workspace=team.other_workspace)

    response = owner_api.post(
        CAMPAIGNS, {"name": "X", "niches": [niche.pk], "team": [team.outsider.pk]}, format="json"
    )

    assert response.status_code == 400
    assert "Invalid pk" in str(response.data["niches"][0])
    assert "Invalid pk" in str(response.data["team"][0])


def test_it_partially_updates_a_campaign(team, owner_api):
    campaign = _campaign(team, name="Old", start_date="2026-05-01")
    url = reverse("campaign-detail", args=[campaign.pk])

    response = owner_api.patch(url, {"name": "New"}, format="json")
    assert response.status_code == 200 and response.data["name"] == "New"
    refused = owner_api.patch(url, {"end_date": "2026-04-01"}, format="json")
    assert refused.status_code == 400 and "end_date" in refused.data


def test_a_manager_archives_and_a_member_cannot(team, owner_api):
    campaign = _campaign(team)
    url = reverse("campaign-archive", args=[campaign.pk])

    assert _api(team.teammate).post(url).status_code == 403
    response = owner_api.post(url)

    assert response.status_code == 200 and response.data["status"] == "archived"


def test_an_outsider_gets_404_and_a_viewer_403_on_campaigns(team):
    campaign = _campaign(team)
    url = reverse("campaign-detail", args=[campaign.pk])

    assert _api(team.outsider).get(url).status_code == 404
    viewer = _api(team.viewer)
    assert viewer.get(url).status_code == 200
    assert viewer.patch(url, {"name": "Nope"}, format="json").status_code == 403
    assert viewer.post(CAMPAIGNS, {"name": "Nope"}, format="json").status_code == 403


# --- campaign creators ----------------------------------------------------------


def test_it_shortlists_a_creator_and_lists_filtered_rows(team, owner_api):
    campaign = _campaign(team)
    creator = CreatorFactory(workspace=team.workspace, name="Jane")
    _row(team, campaign, stage="contacted")

    response = owner_api.post(ROWS, {"campaign": campaign.pk, "creator": creator.pk})
    again = owner_api.post(ROWS, {"campaign": campaign.pk, "creator": creator.pk})

    assert response.status_code == 201 and response.data["creator_name"] == "Jane"
    assert response.data["stage"] == "prospect" and response.data["version"] == 1
    assert again.status_code == 200 and again.data["id"] == response.data["id"]
    listed = owner_api.get(ROWS, {"campaign": campaign.pk, "stage": "prospect"})
    assert [r["creator"] for r in listed.data["results"]] == [creator.pk]
    assert owner_api.get(ROWS, {"campaign": campaign.pk}).data["count"] == 2


def test_the_campaign_creator_list_runs_a_fixed_number_of_queries(
    team, owner_api, django_assert_max_num_queries
):
    campaign = _campaign(team)
    for _ in range(5):
        row = _row(team, campaign)
        StageChange.objects.create(campaign_creator=row, from_stage="", to_stage="prospect")
    # membership, count, page with creators, stage changes
    with django_assert_max_num_queries(4):
        response = owner_api.get(ROWS)
    assert response.data["count"] == 5


def test_shortlisting_refuses_foreign_ids_and_archived_campaigns(team, owner_api):
    campaign = _campaign(team)
    foreign = CreatorFactory(workspace=team.other_workspace)
    archived = _campaign(team, status=Campaign.Status.ARCHIVED)
    creator = CreatorFactory(workspace=team.workspace)

    response = owner_api.post(ROWS, {"campaign": campaign.pk, "creator": foreign.pk})
    assert response.status_code == 400 and "Invalid pk" in str(response.data["creator"][0])
    response = owner_api.post(ROWS, {"campaign": archived.pk, "creator": creator.pk})
    assert response.status_code == 400 and "archived" in str(response.data["campaign"][0])


def test_move_changes_the_stage_and_records_the_timeline(team, owner_api):
    row = _row(team)
    url = reverse("campaigncreator-move", args=[row.pk])

    response = owner_api.post(url, {"to_stage": "contacted", "expected_version": 1})

    assert response.status_code == 200, response.data
    assert response.data["stage"] == "contacted" and response.data["version"] == 2
    [change] = response.data["stage_changes"]
    assert change["from_stage"] == "prospect" and change["to_stage"] == "contacted"


def test_a_move_the_pipeline_refuses_is_409_with_the_reason(team, owner_api):
    row = _row(team)
    url = reverse("campaigncreator-move", args=[row.pk])

    skipped = owner_api.post(url, {"to_stage": "completed", "expected_version": 1})
    no_reason = owner_api.post(url, {"to_stage": "declined", "expected_version": 1})

    assert skipped.status_code == 409 and skipped.json()["detail"]
    assert no_reason.status_code == 409 and "Say why" in no_reason.json()["detail"]
    row.refresh_from_db()
    assert row.stage == "prospect" and row.version == 1


def test_a_stale_move_is_409(team, owner_api):
    row = _row(team)
    url = reverse("campaigncreator-move", args=[row.pk])
    owner_api.post(url, {"to_stage": "contacted", "expected_version": 1})

    response = owner_api.post(url, {"to_stage": "replied", "expected_version": 1})

    assert response.status_code == 409
    assert "Someone moved this card" in response.json()["detail"]


def test_a_bad_move_body_is_400(team, owner_api):
    row = _row(team)
    url = reverse("campaigncreator-move", args=[row.pk])
    response = owner_api.post(url, {"to_stage": "nowhere"})
    assert response.status_code == 400
    assert {"to_stage", "expected_version"} <= set(response.data)


def test_delete_takes_the_creator_off_the_shortlist_softly(team, owner_api):
    row = _row(team)
    url = reverse("campaigncreator-detail", args=[row.pk])

    assert owner_api.delete(url).status_code == 204

    row.refresh_from_db()
    assert row.removed_at is not None
    assert owner_api.get(url).status_code == 404
    assert owner_api.get(ROWS).data["count"] == 0


def test_an_outsider_gets_404_and_a_viewer_403_on_campaign_creators(team):
    row = _row(team)
    move = reverse("campaigncreator-move", args=[row.pk])

    assert (
        _api(team.outsider).get(reverse("campaigncreator-detail", args=[row.pk])).status_code == 404
    )
    assert (
        _api(team.outsider).post(move, {"to_stage": "contacted", "expected_version": 1}).status_code
        == 404
    )
    viewer = _api(team.viewer)
    assert viewer.post(move, {"to_stage": "contacted", "expected_version": 1}).status_code == 403
    assert viewer.delete(reverse("campaigncreator-detail", args=[row.pk])).status_code == 403
    assert CampaignCreator.objects.get(pk=row.pk).stage == "prospect"


# --- message templates ----------------------------------------------------------


def test_it_creates_lists_and_updates_message_templates(team, owner_api):
    MessageTemplateFactory(workspace=team.other_workspace)
    response = owner_api.post(
        TEMPLATES,
        {"name": "Intro", "subject": "Hi {{ creator.first_name }}", "body": "Hello"},
    )
    assert response.status_code == 201, response.data
    assert response.data["fields_used"] == ["creator.first_name"]
    template = MessageTemplate.objects.get(pk=response.data["id"])
    assert template.workspace == team.workspace and template.created_by == team.owner

    listed = owner_api.get(TEMPLATES)
    assert [t["name"] for t in listed.data["results"]] == ["Intro"]

    url = reverse("messagetemplate-detail", args=[template.pk])
    assert owner_api.patch(url, {"name": "Intro v2"}).data["name"] == "Intro v2"
    assert owner_api.delete(url).status_code == 204


def test_template_errors_are_400_with_line_and_column(team, owner_api):
    response = owner_api.post(
        TEMPLATES,
        {"name": "Bad", "subject": "Hi", "body": "Hello,\nDear {{ creator.shoe_size }}"},
    )

    assert response.status_code == 400
    [message] = response.data["body"]
    assert message.startswith("Line 2, column 6: ")


def test_an_outsider_gets_404_and_a_viewer_403_on_templates(team):
    template = MessageTemplateFactory(workspace=team.workspace)
    url = reverse("messagetemplate-detail", args=[template.pk])

    assert _api(team.outsider).get(url).status_code == 404
    assert _api(team.viewer).patch(url, {"name": "X"}).status_code == 403
    assert _api(team.viewer).post(TEMPLATES, {"name": "X"}).status_code == 403


# --- messages -------------------------------------------------------------------


def test_messages_are_listed_read_only_and_filter(team, owner_api, django_assert_max_num_queries):
    row = _row(team)
    other_row = _row(team)
    sent = OutreachMessageFactory(campaign_creator=row, status="sent")
    OutreachMessageFactory(campaign_creator=row, status="failed")
    OutreachMessageFactory(campaign_creator=other_row, status="sent")
    OutreachMessageFactory(
        campaign_creator__campaign__workspace=team.other_workspace, status="sent"
    )

    with django_assert_max_num_queries(3):  # membership, count, page
        everything = owner_api.get(MESSAGES)
    assert everything.data["count"] == 3
    by_campaign = owner_api.get(MESSAGES, {"campaign": row.campaign_id, "status": "sent"})
    assert [m["id"] for m in by_campaign.data["results"]] == [sent.pk]
    assert by_campaign.data["results"][0]["campaign"] == row.campaign_id
    by_row = owner_api.get(MESSAGES, {"campaign_creator": other_row.pk})
    assert by_row.data["count"] == 1
    assert owner_api.post(MESSAGES, {"body": "x"}).status_code == 405


def test_an_outsider_gets_404_on_a_message(team):
    message = OutreachMessageFactory(
        campaign_creator__campaign__workspace=team.workspace,
        campaign_creator__campaign__owner=team.owner,
    )
    url = reverse("outreachmessage-detail", args=[message.pk])
    assert _api(team.outsider).get(url).status_code == 404
    assert _api(team.viewer).get(url).status_code == 200


# --- schema ---------------------------------------------------------------------


def test_the_schema_has_the_campaign_paths_and_generates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in (
        "/api/v1/campaigns/:",
        "/api/v1/campaigns/{id}/:",
        "/api/v1/campaigns/{id}/archive/:",
        "/api/v1/campaign-creators/:",
        "/api/v1/campaign-creators/{id}/:",
        "/api/v1/campaign-creators/{id}/move/:",
        "/api/v1/message-templates/:",
        "/api/v1/message-templates/{id}/:",
        "/api/v1/messages/:",
        "/api/v1/messages/{id}/:",
    ):
        assert path in schema, path
