"""The contract list, the nav link, and the contract links on the campaign page and board."""

import pytest
from django.urls import reverse

from apps.contracts import services
from apps.contracts.models import Contract
from tests.factories import (
    CampaignCreatorFactory,
    CampaignFactory,
    ContractFactory,
    SocialAccountFactory,
)

LIST = reverse("contract_list")


def contract_in(team, campaign=None, name="Jane Doe", **kwargs) -> Contract:
    campaign = campaign or CampaignFactory(workspace=team.workspace, owner=team.owner)
    row = CampaignCreatorFactory(campaign=campaign, creator__name=name)
    return ContractFactory(campaign_creator=row, **kwargs)


def test_the_list_shows_the_workspace_contracts_only(team):
    ours = contract_in(team, name="Jane Doe")
    other = CampaignFactory(workspace=team.other_workspace, owner=team.outsider)
    ContractFactory(
        campaign_creator=CampaignCreatorFactory(campaign=other, creator__name="Rival Rita")
    )

    page = team.client_for(team.teammate).get(LIST).content.decode()

    assert "Jane Doe" in page and ours.get_absolute_url() in page
    assert "Rival Rita" not in page
    assert "500.00 USD" in page  # the current version's value


def test_the_list_filters_by_status_and_campaign(team, owner_client):
    spring = CampaignFactory(workspace=team.workspace, owner=team.owner, name="Spring")
    autumn = CampaignFactory(workspace=team.workspace, owner=team.owner, name="Autumn")
    contract_in(team, spring, name="Ann Draft")
    contract_in(team, spring, name="Sam Sent", status="sent")
    contract_in(team, autumn, name="Ada Autumn")

    sent = owner_client.get(LIST, {"status": "sent"}).content.decode()
    assert "Sam Sent" in sent and "Ann Draft" not in sent and "Ada Autumn" not in sent

    in_autumn = owner_client.get(LIST, {"campaign": autumn.pk}).content.decode()
    assert "Ada Autumn" in in_autumn and "Ann Draft" not in in_autumn


def test_a_campaign_of_another_workspace_is_not_a_filter(team, owner_client):
    contract_in(team, name="Jane Doe")
    foreign = CampaignFactory(workspace=team.other_workspace, owner=team.outsider)
    page = owner_client.get(LIST, {"campaign": foreign.pk}).content.decode()
    assert "Jane Doe" in page  # an invalid filter is ignored, never another workspace's rows


def test_htmx_filtering_returns_only_the_results(team, owner_client):
    contract_in(team, name="Jane Doe")
    response = owner_client.get(LIST, {"status": "draft"}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="contract-results">')
    assert "Jane Doe" in page and "<html" not in page


def test_the_list_paginates(team, owner_client):
    campaign = CampaignFactory(workspace=team.workspace, owner=team.owner)
    for i in range(51):
        contract_in(team, campaign, name=f"Creator {i:02d}")
    first = owner_client.get(LIST, {"status": "draft"}).content.decode()
    assert "Page 1 of 2" in first and "status=draft&amp;page=2" in first
    second = owner_client.get(LIST, {"status": "draft", "page": 2}).content.decode()
    assert second.count("<tr>") == 2  # the header and the one contract left


def test_the_empty_list_says_how_to_start(owner_client):
    page = owner_client.get(LIST).content.decode()
    assert "No contracts yet." in page and reverse("campaign_list") in page
    filtered = owner_client.get(LIST, {"status": "active"}).content.decode()
    assert "No contracts match these filters." in filtered


def test_the_list_costs_a_fixed_number_of_queries(
    team, owner_client, django_assert_max_num_queries
):
    campaign = CampaignFactory(workspace=team.workspace, owner=team.owner)
    for i in range(30):
        contract_in(team, campaign, name=f"Creator {i}")
    with django_assert_max_num_queries(7):
        response = owner_client.get(LIST)
    assert len(response.context["page"].object_list) == 30


def test_the_nav_links_contracts(owner_client):
    page = owner_client.get(LIST).content.decode()
    assert f'<a href="{LIST}" aria-current="page">Contracts</a>' in page


def test_a_viewer_reads_the_list(team, viewer_client):
    contract_in(team, name="Jane Doe")
    assert "Jane Doe" in viewer_client.get(LIST).content.decode()


# --- Links on the campaign page and the board ------------------------------------------------


@pytest.fixture
def campaign(team):
    return CampaignFactory(workspace=team.workspace, owner=team.owner, name="Spring")


def shortlisted(campaign, name="Jane Doe"):
    """A creator with an account on the campaign's shortlist (the campaign page shows it)."""
    account = SocialAccountFactory(creator__workspace=campaign.workspace, creator__name=name)
    return CampaignCreatorFactory(campaign=campaign, creator=account.creator)


def test_the_campaign_page_links_each_creators_contract(team, campaign, owner_client):
    without = shortlisted(campaign, "No Contract")
    with_one = shortlisted(campaign, "Has Contract")
    contract = ContractFactory(campaign_creator=with_one, status="sent")
    closed = shortlisted(campaign, "Closed Before")
    ContractFactory(campaign_creator=closed, status="cancelled")

    page = owner_client.get(campaign.get_absolute_url()).content.decode()

    new_url = reverse("contract_create", args=[campaign.pk, without.pk])
    assert f'<a href="{new_url}" class="contract-link">Draft contract</a>' in page
    assert (
        f'href="{contract.get_absolute_url()}" class="contract-link contract-sent">Contract: sent</a>'
        in page
    )
    assert reverse("contract_create", args=[campaign.pk, closed.pk]) in page


def test_a_viewer_sees_existing_contracts_but_no_draft_link(team, campaign, viewer_client):
    shortlisted(campaign, "No Contract")
    contract = ContractFactory(campaign_creator=shortlisted(campaign))
    page = viewer_client.get(campaign.get_absolute_url()).content.decode()
    assert "Draft contract" not in page
    assert "Contract: draft" in page and contract.get_absolute_url() in page


def test_the_board_cards_link_contracts(team, campaign, owner_client):
    row = shortlisted(campaign, "Has Contract")
    contract = ContractFactory(campaign_creator=row, status="accepted")
    shortlisted(campaign, "No Contract")
    page = owner_client.get(reverse("campaign_board", args=[campaign.pk])).content.decode()
    assert (
        f'href="{contract.get_absolute_url()}" class="contract-link contract-accepted">Contract: accepted</a>'
        in page
    )
    assert "Draft contract" in page


def test_contract_links_add_one_query_to_the_campaign_page_and_board(
    team, campaign, owner_client, django_assert_max_num_queries
):
    for account in SocialAccountFactory.create_batch(40, creator__workspace=team.workspace):
        row = CampaignCreatorFactory(campaign=campaign, creator=account.creator)
        if account.pk % 2:
            services.contract_create(campaign_creator=row, by=team.owner)
    # The campaign tests pin these pages at 8 queries; the contracts add one at most.
    with django_assert_max_num_queries(8):
        page = owner_client.get(campaign.get_absolute_url()).content.decode()
    assert page.count("Contract: draft") == 20 and page.count("Draft contract") == 20
    with django_assert_max_num_queries(8):
        board = owner_client.get(reverse("campaign_board", args=[campaign.pk])).content.decode()
    assert board.count("Contract: draft") == 20
