from django.urls import reverse

from apps.campaigns.models import CampaignCreator
from tests.factories import CampaignCreatorFactory, CampaignFactory, SocialAccountFactory

FROM_DISCOVERY = reverse("shortlist_add_from_discovery")


def _campaign(team, **fields):
    return CampaignFactory(workspace=team.workspace, owner=team.owner, **fields)


def _accounts(team, n):
    return SocialAccountFactory.create_batch(n, creator__workspace=team.workspace)


def _shortlisted(campaign) -> set[int]:
    return set(campaign.campaign_creators.shortlisted().values_list("creator_id", flat=True))


def test_discovery_adds_ticked_accounts_and_returns_to_the_list(owner_client, team):
    campaign = _campaign(team)
    accounts = _accounts(team, 3)
    nxt = reverse("creator_list") + "?tier=micro"
    response = owner_client.post(
        FROM_DISCOVERY,
        {"campaign": campaign.pk, "account": [a.pk for a in accounts], "next": nxt},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == nxt
    assert _shortlisted(campaign) == {a.creator_id for a in accounts}
    row = campaign.campaign_creators.first()
    assert row.added_by == team.owner and row.stage == "prospect"
    assert f"Added 3 creators to “{campaign.name}”." in response.content.decode()


def test_adding_again_counts_those_already_there(owner_client, team):
    campaign = _campaign(team)
    accounts = _accounts(team, 3)
    CampaignCreatorFactory(campaign=campaign, creator=accounts[0].creator)
    response = owner_client.post(
        FROM_DISCOVERY, {"campaign": campaign.pk, "account": [a.pk for a in accounts]}, follow=True
    )
    assert "Added 2 creators to “Campaign" in response.content.decode()
    assert "(1 was already there)" in response.content.decode()
    assert CampaignCreator.objects.filter(campaign=campaign).count() == 3


def test_two_accounts_of_one_creator_add_the_creator_once(owner_client, team):
    campaign = _campaign(team)
    account = SocialAccountFactory(creator__workspace=team.workspace)
    other = SocialAccountFactory(creator=account.creator, platform="tiktok")
    owner_client.post(FROM_DISCOVERY, {"campaign": campaign.pk, "account": [account.pk, other.pk]})
    assert CampaignCreator.objects.filter(campaign=campaign).count() == 1


def test_the_creator_page_adds_one_creator(owner_client, team):
    campaign = _campaign(team, name="Spring")
    account = SocialAccountFactory(creator__workspace=team.workspace)
    page = owner_client.get(account.creator.get_absolute_url()).content.decode()
    assert "Add to campaign" in page and "Spring" in page
    url = reverse("shortlist_add", args=[campaign.pk])
    response = owner_client.post(url, {"creator": account.creator_id})
    assert response["Location"] == campaign.get_absolute_url()
    assert _shortlisted(campaign) == {account.creator_id}


def test_the_campaign_chooser_offers_open_campaigns_only(owner_client, team):
    _campaign(team, name="Open one")
    _campaign(team, name="Gone one", status="archived")
    account = SocialAccountFactory(creator__workspace=team.workspace)
    assert "Add to campaign…" in owner_client.get(reverse("creator_list")).content.decode()
    body = owner_client.post(FROM_DISCOVERY, {"account": [account.pk]}).content.decode()
    assert "Open one" in body and "Gone one" not in body


def test_ids_of_another_workspace_are_ignored(owner_client, team):
    campaign = _campaign(team)
    foreign = SocialAccountFactory(creator__workspace=team.other_workspace)
    owner_client.post(
        FROM_DISCOVERY,
        {"campaign": campaign.pk, "account": [foreign.pk], "creator": [foreign.creator_id]},
    )
    assert not CampaignCreator.objects.exists()


def test_a_campaign_of_another_workspace_is_404(outsider_client, team):
    campaign = _campaign(team)
    account = SocialAccountFactory(creator__workspace=team.other_workspace)
    response = outsider_client.post(
        FROM_DISCOVERY, {"campaign": campaign.pk, "account": [account.pk]}
    )
    assert response.status_code == 404
    assert not CampaignCreator.objects.exists()


def test_an_archived_campaign_takes_no_creators(owner_client, team):
    campaign = _campaign(team, status="archived")
    account = SocialAccountFactory(creator__workspace=team.workspace)
    owner_client.post(FROM_DISCOVERY, {"campaign": campaign.pk, "account": [account.pk]})
    assert not CampaignCreator.objects.exists()


def test_viewer_cannot_add_from_discovery(viewer_client, team):
    campaign = _campaign(team)
    account = SocialAccountFactory(creator__workspace=team.workspace)
    response = viewer_client.post(
        FROM_DISCOVERY, {"campaign": campaign.pk, "account": [account.pk]}
    )
    assert response.status_code == 403
    assert not CampaignCreator.objects.exists()


def test_remove_then_undo_keeps_the_row(owner_client, team):
    row = CampaignCreatorFactory(campaign=_campaign(team), stage="contacted")
    remove = reverse("shortlist_remove", args=[row.campaign_id, row.pk])
    response = owner_client.post(remove, follow=True)
    body = response.content.decode()
    assert f"{row.creator.name} was removed from the shortlist." in body
    restore = reverse("shortlist_restore", args=[row.campaign_id, row.pk])
    assert restore in body
    row.refresh_from_db()
    assert row.removed_at is not None
    assert _shortlisted(row.campaign) == set()
    # The undo is offered once, not on every later visit.
    assert restore not in owner_client.get(row.campaign.get_absolute_url()).content.decode()
    owner_client.post(restore)
    row.refresh_from_db()
    assert row.removed_at is None and row.stage == "contacted"


def test_adding_a_removed_creator_brings_the_row_back(owner_client, team):
    row = CampaignCreatorFactory(campaign=_campaign(team), removed_at="2026-01-01T00:00Z")
    owner_client.post(reverse("shortlist_add", args=[row.campaign_id]), {"creator": row.creator_id})
    row.refresh_from_db()
    assert row.removed_at is None
    assert CampaignCreator.objects.count() == 1


def test_a_row_of_another_campaign_is_404(owner_client, team):
    row = CampaignCreatorFactory(campaign=_campaign(team))
    other = _campaign(team)
    response = owner_client.post(reverse("shortlist_remove", args=[other.pk, row.pk]))
    assert response.status_code == 404


def test_the_campaign_page_shows_the_shortlist(owner_client, team):
    campaign = _campaign(team)
    account = SocialAccountFactory(
        creator__workspace=team.workspace,
        creator__name="Ada Lovelace",
        followers=12_345,
        engagement_rate=0.041,
        handle="ada",
    )
    SocialAccountFactory(creator=account.creator, followers=100, handle="ada_small")
    CampaignCreatorFactory(campaign=campaign, creator=account.creator, added_by=team.teammate)
    body = owner_client.get(campaign.get_absolute_url()).content.decode()
    assert "Ada Lovelace" in body and "@ada<" in body and "12,345" in body and "4.1%" in body
    assert team.teammate.get_short_name() in body
    assert "Remove" in body


def test_campaign_page_with_100_creators_costs_few_queries(
    owner_client, team, django_assert_max_num_queries
):
    campaign = _campaign(team)
    for account in SocialAccountFactory.create_batch(100, creator__workspace=team.workspace):
        CampaignCreatorFactory(campaign=campaign, creator=account.creator, added_by=team.owner)
    with django_assert_max_num_queries(8):
        response = owner_client.get(campaign.get_absolute_url())
    assert len(response.context["shortlist"]) == 100


def test_discovery_asks_which_campaign_then_adds_the_selection(owner_client, team):
    campaign = _campaign(team, name="Spring")
    accounts = _accounts(team, 2)
    response = owner_client.post(FROM_DISCOVERY, {"account": [a.pk for a in accounts]})
    assert "Add 2 creators to a campaign" in response.content.decode()
    assert "Spring" in response.content.decode()
    owner_client.post(
        FROM_DISCOVERY, {"campaign": campaign.pk, "account": [a.pk for a in accounts]}
    )
    assert _shortlisted(campaign) == {a.creator_id for a in accounts}


def test_the_creator_page_offers_open_campaigns_only(owner_client, team):
    old = _campaign(team, name="Old one", status="archived")
    _campaign(team, name="Fresh one")
    account = SocialAccountFactory(creator__workspace=team.workspace)
    body = owner_client.get(account.creator.get_absolute_url()).content.decode()
    assert "Fresh one" in body and old.name not in body
