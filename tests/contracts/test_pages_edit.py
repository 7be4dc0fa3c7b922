"""Starting a contract from a campaign and editing its terms (apps/contracts/views/contracts.py)."""

import datetime

import pytest
from django.urls import reverse

from apps.contracts import services
from apps.contracts.forms import deliverables_initial, splits_initial, terms_initial
from apps.contracts.models import Contract, ContractVersion
from tests.contracts.sent import draft_contract, sent_contract
from tests.factories import (
    CampaignCreatorFactory,
    ContractTemplateFactory,
    TemplateClauseFactory,
)

MULTI = {"usage_channels", "report_metrics", "tracking_methods"}


def _form_value(name, value):
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return value if name in MULTI else ", ".join(value)
    return str(value)


def editor_data(version: ContractVersion, **overrides) -> dict:
    """What the editor posts when nothing is changed, plus `overrides`."""
    data: dict = {}
    for name, value in terms_initial(version).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = _form_value(name, value)
    rows = deliverables_initial(version)
    data["deliverables-TOTAL_FORMS"] = str(len(rows))
    data["deliverables-INITIAL_FORMS"] = str(len(rows))
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[f"deliverables-{i}-{name}"] = _form_value(name, value)
    splits = splits_initial(version)
    data["splits-TOTAL_FORMS"] = str(len(splits))
    data["splits-INITIAL_FORMS"] = str(len(splits))
    for i, row in enumerate(splits):
        data[f"splits-{i}-percent"] = row["percent"]
        data[f"splits-{i}-when"] = row["when"]
    data.update(overrides)
    return data


def edit_url(contract) -> str:
    return reverse("contract_edit", args=[contract.pk])


@pytest.fixture
def contract(team):
    return draft_contract(team)


# --- Starting a contract ------------------------------------------------------------------


@pytest.fixture
def row(team):
    return CampaignCreatorFactory(
        campaign__workspace=team.workspace,
        campaign__owner=team.owner,
        campaign__name="Autumn drop",
        campaign__platforms=["instagram", "tiktok"],
        creator__name="Lena Park",
    )


def create_url(row) -> str:
    return reverse("contract_create", args=[row.campaign_id, row.pk])


def test_a_teammate_starts_a_contract_from_a_template_and_lands_in_the_editor(team, row):
    template = ContractTemplateFactory(workspace=team.workspace, name="Micro deal")
    TemplateClauseFactory(
        template=template, clause__title="Pay", clause__body="Paid in {{ contract.currency }}."
    )
    client = team.client_for(team.teammate)
    page = client.get(create_url(row)).content.decode()
    assert "Contract for Lena Park" in page and "Micro deal" in page

    response = client.post(create_url(row), {"template": template.pk, "title": ""})

    contract = Contract.objects.get(campaign_creator=row)
    assert response.status_code == 302
    assert response["Location"] == edit_url(contract)
    assert contract.template == template and contract.title == "Lena Park × Autumn drop"
    assert contract.current_version.number == 1
    assert "Paid in USD." in contract.current_version.body


def test_starting_a_second_contract_goes_to_the_open_one(team, row, owner_client):
    first = services.contract_create(campaign_creator=row, by=team.owner)
    response = owner_client.post(create_url(row), {"template": ""})
    assert response["Location"] == first.get_absolute_url()
    assert Contract.objects.filter(campaign_creator=row).count() == 1


def test_a_template_of_another_workspace_cannot_be_chosen(team, row, owner_client):
    foreign = ContractTemplateFactory(workspace=team.other_workspace)
    response = owner_client.post(create_url(row), {"template": foreign.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Contract.objects.filter(campaign_creator=row).exists()


def test_an_outsider_cannot_start_a_contract_in_our_campaign(team, row, outsider_client):
    assert outsider_client.get(create_url(row)).status_code == 404
    assert outsider_client.post(create_url(row), {}).status_code == 404
    assert not Contract.objects.exists()


def test_a_viewer_cannot_start_a_contract(team, row, viewer_client):
    assert viewer_client.post(create_url(row), {}).status_code == 403
    assert not Contract.objects.exists()


# --- The editor -----------------------------------------------------------------------------


def test_the_editor_shows_every_term_grouped_in_fieldsets(owner_client, contract):
    page = owner_client.get(edit_url(contract)).content.decode()
    for legend in (
        "Objectives and deliverables",
        "Compensation",
        "Timing",
        "Legal",
        "Measurement and reporting",
    ):
        assert f"<legend>{legend}</legend>" in page
    for name in ("cash_amount", "usage_channels", "exclusivity_competitors", "tracking_methods"):
        assert f'name="{name}"' in page
    assert 'name="deliverables-0-required_hashtags"' in page
    assert 'value="#ad, #AcmeSpring"' in page  # the deliverable's hashtags, as typed text
    assert 'name="splits-TOTAL_FORMS"' in page


def test_a_teammate_saves_terms_and_deliverables(team, contract):
    version = contract.current_version
    data = editor_data(
        version,
        cash_amount="2000.00",
        objectives="Launch the spring shoe",
        usage_channels=["website"],
        exclusivity_competitors="Nike, Puma",
        **{
            "deliverables-0-quantity": "3",
            "deliverables-0-required_links": "https://acme.test/spring",
        },
    )
    response = team.client_for(team.teammate).post(edit_url(contract), data)

    assert response.status_code == 302 and response["Location"] == contract.get_absolute_url()
    version.refresh_from_db()
    assert version.number == 1  # a draft is edited in place
    assert str(version.cash_amount) == "2000.00"
    assert version.objectives == "Launch the spring shoe"
    assert version.usage_channels == ["website"]
    assert version.exclusivity_competitors == ["Nike", "Puma"]
    deliverable = version.deliverables.get()
    assert deliverable.quantity == 3
    assert deliverable.required_links == ["https://acme.test/spring"]


def test_the_empty_new_row_adds_a_deliverable_and_remove_drops_one(owner_client, contract):
    version = contract.current_version
    data = editor_data(
        version,
        **{
            "deliverables-TOTAL_FORMS": "2",
            "deliverables-0-DELETE": "on",
            "deliverables-1-platform": "tiktok",
            "deliverables-1-format": "short",
            "deliverables-1-quantity": "1",
            "deliverables-1-required_hashtags": "#ad",
        },
    )
    response = owner_client.post(edit_url(contract), data)
    assert response.status_code == 302
    assert [(d.platform, d.format) for d in version.deliverables.all()] == [("tiktok", "short")]


def test_an_untouched_new_row_is_ignored(owner_client, contract):
    version = contract.current_version
    data = editor_data(
        version,
        **{"deliverables-TOTAL_FORMS": "2", "deliverables-1-quantity": "1"},
    )
    assert owner_client.post(edit_url(contract), data).status_code == 302
    assert version.deliverables.count() == 1


def test_add_row_comes_back_with_one_more_row_and_saves_nothing(owner_client, contract):
    version = contract.current_version
    data = editor_data(version, cash_amount="999", add_row="deliverables")
    response = owner_client.post(edit_url(contract), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="deliverables-1-platform"' in page
    assert 'value="999"' in page  # what was typed stays
    version.refresh_from_db()
    assert str(version.cash_amount) == "1250.00"


def test_add_row_with_a_row_count_that_is_not_a_number_starts_over_not_a_500(
    owner_client, contract
):
    data = editor_data(contract.current_version, add_row="deliverables")
    data["deliverables-TOTAL_FORMS"] = "\u00b2"  # "²": isdigit() is true, int() refuses it
    response = owner_client.post(edit_url(contract), data)
    assert response.status_code == 200
    assert 'name="deliverables-0-platform"' in response.content.decode()


def test_form_errors_keep_everything_typed(owner_client, contract):
    version = contract.current_version
    data = editor_data(
        version,
        cash_amount="-5",
        objectives="Typed objectives stay",
        start_date="2026-05-10",
        end_date="2026-05-01",
        **{"deliverables-0-required_links": "not a link"},
    )
    response = owner_client.post(edit_url(contract), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "Ensure this value is greater than or equal to 0." in page
    assert "The contract cannot end before it starts." in page
    assert "is not a web address" in page
    assert "Typed objectives stay" in page and 'value="-5"' in page
    assert 'value="not a link"' in page
    version.refresh_from_db()
    assert version.objectives == ""


def test_split_payments_that_do_not_add_up_to_100_are_refused(owner_client, contract):
    version = contract.current_version
    data = editor_data(
        version,
        payment_schedule="split",
        **{
            "splits-TOTAL_FORMS": "2",
            "splits-0-percent": "50",
            "splits-0-when": "On signing",
            "splits-1-percent": "40",
            "splits-1-when": "After the last post",
        },
    )
    response = owner_client.post(edit_url(contract), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "The split percents add up to 90%; they must add up to 100%." in page
    assert 'value="After the last post"' in page and 'value="40"' in page
    version.refresh_from_db()
    assert version.payment_schedule != "split" and version.payment_splits == []


def test_split_payments_adding_up_to_100_are_saved(owner_client, contract):
    version = contract.current_version
    data = editor_data(
        version,
        payment_schedule="split",
        **{
            "splits-TOTAL_FORMS": "3",
            "splits-0-percent": "50",
            "splits-0-when": "On signing",
            "splits-1-percent": "50",
            "splits-1-when": "After the last post",
        },
    )
    assert owner_client.post(edit_url(contract), data).status_code == 302
    version.refresh_from_db()
    assert version.payment_schedule == "split"
    assert version.payment_splits == [
        {"percent": "50", "when": "On signing"},
        {"percent": "50", "when": "After the last post"},
    ]


def test_a_service_error_shows_on_its_deliverable_row(owner_client, contract):
    version = contract.current_version
    late = (version.end_date + datetime.timedelta(days=5)).isoformat()
    data = editor_data(version, **{"deliverables-0-due_date": late})
    response = owner_client.post(edit_url(contract), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "This is due after the contract ends." in page
    assert f'value="{late}"' in page


def test_editing_a_sent_contract_warns_then_makes_a_new_version(team, owner_client):
    sent = sent_contract(team)
    page = owner_client.get(edit_url(sent.contract)).content.decode()
    assert "Editing makes version 2; version 1 stays as sent" in page

    data = editor_data(sent.version, cash_amount="1500.00")
    assert owner_client.post(edit_url(sent.contract), data).status_code == 302

    sent.contract.refresh_from_db()
    old = ContractVersion.objects.get(contract=sent.contract, number=1)
    assert str(old.cash_amount) == "1250.00" and old.is_frozen
    assert sent.contract.current_version.number == 2
    assert str(sent.contract.current_version.cash_amount) == "1500.00"
    assert sent.contract.status == Contract.Status.DRAFT


def test_a_cancelled_contract_cannot_be_edited(team, owner_client, contract):
    services.contract_cancel(contract=contract, by=team.owner, reason="Budget cut")
    response = owner_client.get(edit_url(contract))
    assert response.status_code == 302 and response["Location"] == contract.get_absolute_url()


def test_the_editor_is_404_for_an_outsider_and_403_for_a_viewer(
    contract, outsider_client, viewer_client
):
    assert outsider_client.get(edit_url(contract)).status_code == 404
    data = editor_data(contract.current_version, cash_amount="1")
    assert outsider_client.post(edit_url(contract), data).status_code == 404
    assert viewer_client.post(edit_url(contract), data).status_code == 403
    contract.current_version.refresh_from_db()
    assert str(contract.current_version.cash_amount) == "1250.00"
