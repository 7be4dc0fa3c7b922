import pytest
from django.urls import reverse

from apps.accounts.models import Role
from apps.campaigns.models import Campaign
from apps.creators import refresh_priority
from tests.conftest import add_member
from tests.factories import (
    CampaignCreatorFactory,
    CampaignFactory,
    NicheFactory,
    SocialAccountFactory,
)

LIST = reverse("campaign_list")
NEW = reverse("campaign_create")


def _form(**overrides) -> dict:
    data = {
        "name": "Spring glow",
        "brand": "Acme",
        "product": "Serum",
        "goal": "awareness",
        "budget": "5000",
        "currency": "usd",
        "start_date": "2026-03-01",
        "end_date": "2026-04-30",
        "platforms": ["instagram", "tiktok"],
        "keywords": "skincare, vegan, Skincare",
        "follow_up_days": "5",
        "status": "planning",
    }
    data.update(overrides)
    return data


def test_it_creates_a_campaign_with_workspace_niches_and_keywords(owner_client, team):
    niche = NicheFactory(workspace=team.workspace, name="Beauty")
    response = owner_client.post(NEW, _form(niches=[niche.pk]))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url()
    assert campaign.workspace == team.workspace
    assert campaign.owner == team.owner
    assert campaign.currency == "USD"
    assert campaign.keywords == ["skincare", "vegan"]
    assert campaign.platforms == ["instagram", "tiktok"]
    assert list(campaign.niches.all()) == [niche]


def test_it_refuses_a_niche_of_another_workspace(owner_client, team):
    foreign = NicheFactory(workspace=team.other_workspace, name="Gaming")
    response = owner_client.post(NEW, _form(niches=[foreign.pk]))
    assert response.status_code == 200
    assert response.context["form"].errors["niches"]
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"start_date": "2026-05-01", "end_date": "2026-04-01"}, "end_date"),
        ({"budget": "-1"}, "budget"),
        ({"currency": "DOLLARS"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"follow_up_days": "0"}, "follow_up_days"),
        ({"name": ""}, "name"),
        ({"status": "archived"}, "status"),
    ],
)
def test_it_rejects_invalid_input_and_keeps_it(owner_client, overrides, field):
    response = owner_client.post(NEW, _form(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Campaign.objects.exists()
    assert "skincare, vegan" in response.content.decode()
    assert 'value="Serum"' in response.content.decode()


def test_end_before_start_is_reported_once_on_the_end_date(owner_client):
    response = owner_client.post(NEW, _form(start_date="2026-05-01", end_date="2026-04-01"))
    assert response.content.decode().count("cannot end before it starts") == 1


def test_it_edits_a_campaign(owner_client, team):
    campaign = CampaignFactory(workspace=team.workspace, owner=team.owner, keywords=["a", "b"])
    url = reverse("campaign_edit", args=[campaign.pk])
    assert "a, b" in owner_client.get(url).content.decode()
    response = owner_client.post(url, _form(name="Autumn", status="active"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "Autumn"
    assert campaign.status == "active"
    assert campaign.owner == team.owner


def test_a_teammate_can_create_but_not_archive(team):
    client = team.client_for(team.teammate)
    assert client.post(NEW, _form()).status_code == 302
    campaign = Campaign.objects.get()
    response = client.post(reverse("campaign_archive", args=[campaign.pk]))
    assert response.status_code == 403


def test_a_manager_archives_and_the_list_hides_it(team, user_factory):
    manager = add_member(team.workspace, user_factory(), role=Role.MANAGER).user
    client = team.client_for(manager)
    campaign = CampaignFactory(workspace=team.workspace, owner=team.owner, name="Old one")
    response = client.post(reverse("campaign_archive", args=[campaign.pk]), follow=True)
    assert "Archived “Old one”." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.ARCHIVED
    assert [c.name for c in client.get(LIST).context["campaigns"]] == []
    archived = client.get(LIST + "?status=archived").context["campaigns"]
    assert [c.name for c in archived] == ["Old one"]


def test_viewer_cannot_create(viewer_client):
    assert viewer_client.post(NEW, _form()).status_code == 403
    assert not Campaign.objects.exists()


def test_the_list_counts_shortlisted_creators_and_filters_by_status(owner_client, team):
    planning = CampaignFactory(workspace=team.workspace, owner=team.owner, name="Planning one")
    CampaignFactory(workspace=team.workspace, owner=team.owner, name="Live one", status="active")
    CampaignFactory(workspace=team.other_workspace, name="Rival campaign")
    CampaignCreatorFactory.create_batch(3, campaign=planning)
    CampaignCreatorFactory(campaign=planning, removed_at="2026-01-01T00:00Z")
    response = owner_client.get(LIST)
    rows = {c.name: c.creator_count for c in response.context["campaigns"]}
    assert rows == {"Planning one": 3, "Live one": 0}
    active = owner_client.get(LIST + "?status=active").context["campaigns"]
    assert [c.name for c in active] == ["Live one"]


def test_the_empty_list_offers_a_new_campaign(owner_client):
    body = owner_client.get(LIST).content.decode()
    assert "No campaigns yet." in body
    assert NEW in body


def test_the_nav_links_to_campaigns(owner_client):
    assert f'href="{LIST}"' in owner_client.get(reverse("creator_list")).content.decode()


# --- refresh priority -----------------------------------------------------------


def test_campaign_accounts_get_fresher_numbers(team, settings):
    settings.REFRESH_LIVE_CAMPAIGN_DAYS, settings.REFRESH_SHORTLIST_DAYS = 1, 2
    live = CampaignFactory(workspace=team.workspace, owner=team.owner, status="active")
    planning = CampaignFactory(workspace=team.workspace, owner=team.owner)
    done = CampaignFactory(workspace=team.workspace, owner=team.owner, status="completed")
    in_live = SocialAccountFactory(creator__workspace=team.workspace)
    in_both = SocialAccountFactory(creator__workspace=team.workspace)
    shortlisted = SocialAccountFactory(creator__workspace=team.workspace)
    removed = SocialAccountFactory(creator__workspace=team.workspace)
    finished = SocialAccountFactory(creator__workspace=team.workspace)
    CampaignCreatorFactory(campaign=live, creator=in_live.creator)
    CampaignCreatorFactory(campaign=live, creator=in_both.creator)
    CampaignCreatorFactory(campaign=planning, creator=in_both.creator)
    CampaignCreatorFactory(campaign=planning, creator=shortlisted.creator)
    CampaignCreatorFactory(
        campaign=planning, creator=removed.creator, removed_at="2026-01-01T00:00Z"
    )
    CampaignCreatorFactory(campaign=done, creator=finished.creator)
    intervals = refresh_priority.intervals_for([team.workspace.pk])
    assert intervals == {in_live.pk: 1, in_both.pk: 1, shortlisted.pk: 2}
    assert refresh_priority.intervals_for([team.other_workspace.pk]) == {}


def test_campaign_page_shows_a_creator_with_no_social_account(team, owner_client):
    campaign = CampaignFactory(workspace=team.workspace, owner=team.owner)
    CampaignCreatorFactory(campaign=campaign, creator__name="Offline Olga")

    response = owner_client.get(reverse("campaign_detail", args=[campaign.pk]))

    assert response.status_code == 200
    assert "Offline Olga" in response.content.decode()
