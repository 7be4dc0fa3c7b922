"""The deliverables to-do (/deliverables/) and marking a deliverable done."""

import datetime

from django.urls import reverse

from tests.factories import (
    CampaignCreatorFactory,
    CampaignFactory,
    ContractFactory,
    DeliverableFactory,
    active_contract,
)

LIST = reverse("deliverable_list")
TODAY = datetime.date.today()


def contract_in(team, campaign=None, name="Jane Doe", due_dates=(14,), status="active"):
    campaign = campaign or CampaignFactory(workspace=team.workspace, owner=team.owner)
    row = CampaignCreatorFactory(campaign=campaign, creator__name=name)
    deliverables = [
        {
            "platform": "instagram",
            "format": "reel",
            "due_date": None if days is None else TODAY + datetime.timedelta(days=days),
        }
        for days in due_dates
    ]
    return active_contract(row, status=status, deliverables=deliverables)


def done_url(deliverable) -> str:
    return reverse("deliverable_done", args=[deliverable.pk])


def test_the_to_do_groups_by_due_date_and_highlights_overdue(team):
    contract_in(team, name="Olga Overdue", due_dates=(-3,))
    contract_in(team, name="Tina Today", due_dates=(0,))
    contract_in(team, name="Wes Week", due_dates=(5,))
    contract_in(team, name="Leo Later", due_dates=(30,))
    contract_in(team, name="Nia Nodate", due_dates=(None,))

    page = team.client_for(team.teammate).get(LIST).content.decode()

    order = [page.index(name) for name in ("Olga", "Tina", "Wes", "Leo", "Nia")]
    assert order == sorted(order)
    headings = ["Overdue", "Due today", "Due this week", "Later", "No due date"]
    positions = [page.index(f">{h} <span") for h in headings]
    assert positions == sorted(positions)
    assert 'class="deliverable-row overdue"' in page and page.count("deliverable-row overdue") == 1


def test_only_accepted_and_active_contracts_of_the_workspace_count(team, owner_client):
    contract_in(team, name="Ada Accepted", status="accepted")
    draft = ContractFactory(
        campaign_creator__campaign__workspace=team.workspace,
        campaign_creator__creator__name="Dora Draft",
    )
    DeliverableFactory(version=draft.current_version)
    other = CampaignFactory(workspace=team.other_workspace, owner=team.outsider)
    contract_in(team, other, name="Rita Rival")

    page = owner_client.get(LIST).content.decode()

    assert "Ada Accepted" in page
    assert "Dora Draft" not in page and "Rita Rival" not in page


def test_the_to_do_filters_by_campaign(team, owner_client):
    spring = CampaignFactory(workspace=team.workspace, owner=team.owner, name="Spring")
    autumn = CampaignFactory(workspace=team.workspace, owner=team.owner, name="Autumn")
    contract_in(team, spring, name="Sam Spring")
    contract_in(team, autumn, name="Ada Autumn")
    page = owner_client.get(LIST, {"campaign": autumn.pk}).content.decode()
    assert "Ada Autumn" in page and "Sam Spring" not in page
    partial = owner_client.get(LIST, {"campaign": spring.pk}, headers={"HX-Request": "true"})
    assert partial.content.decode().lstrip().startswith('<div id="deliverable-results">')


def test_the_empty_to_do_says_when_deliverables_appear(owner_client):
    page = owner_client.get(LIST).content.decode()
    assert "Nothing to deliver." in page


def test_mark_done_takes_the_deliverable_off_the_list(team):
    contract = contract_in(team, name="Jane Doe")
    deliverable = contract.accepted_version.deliverables.get()
    client = team.client_for(team.teammate)

    response = client.post(done_url(deliverable), {"next": LIST + "?campaign="})

    assert response.status_code == 302 and response["Location"] == LIST + "?campaign="
    deliverable.refresh_from_db()
    assert deliverable.completed_at is not None
    page = client.get(LIST).content.decode()
    assert "Marked 1 × Instagram Reel by Jane Doe as done." in page  # the message
    assert f'id="deliverable-{deliverable.pk}"' not in page and "Nothing to deliver." in page


def test_mark_done_with_htmx_removes_the_row(team, owner_client):
    deliverable = contract_in(team).accepted_version.deliverables.get()
    response = owner_client.post(done_url(deliverable), headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.content == b""
    assert "Marked" in response["HX-Trigger"]  # the toast


def test_a_refused_mark_done_with_htmx_keeps_the_row_and_says_why(team, owner_client):
    contract = contract_in(team, status="completed")
    deliverable = contract.accepted_version.deliverables.get()
    response = owner_client.post(done_url(deliverable), headers={"HX-Request": "true"})
    # 204: htmx swaps nothing (a redirect would be followed and the page swapped into the row)
    assert response.status_code == 204
    assert "Only deliverables of an accepted contract" in response["HX-Trigger"]
    deliverable.refresh_from_db()
    assert deliverable.completed_at is None


def test_mark_done_never_redirects_off_site(team, owner_client):
    deliverable = contract_in(team).accepted_version.deliverables.get()
    response = owner_client.post(done_url(deliverable), {"next": "https://evil.test/"})
    assert response["Location"] == LIST


def test_an_outsider_gets_404_and_a_viewer_403(team, outsider_client, viewer_client):
    deliverable = contract_in(team, name="Jane Doe").accepted_version.deliverables.get()
    assert outsider_client.post(done_url(deliverable)).status_code == 404
    assert viewer_client.post(done_url(deliverable)).status_code == 403
    assert "Jane Doe" not in outsider_client.get(LIST).content.decode()
    page = viewer_client.get(LIST).content.decode()
    assert "Jane Doe" in page and "Mark done" not in page
    deliverable.refresh_from_db()
    assert deliverable.completed_at is None


def test_the_to_do_costs_a_fixed_number_of_queries(
    team, owner_client, django_assert_max_num_queries
):
    campaign = CampaignFactory(workspace=team.workspace, owner=team.owner)
    for i in range(25):
        contract_in(team, campaign, name=f"Creator {i}", due_dates=(i - 5, i))
    with django_assert_max_num_queries(6):
        response = owner_client.get(LIST)
    assert response.context["count"] == 50
