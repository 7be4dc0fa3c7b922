"""Drafting: a new contract from a template and the campaign, edits and their checks, approval."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.models import Role
from apps.contracts import acceptance, services
from apps.contracts.models import Contract
from tests.conftest import add_member
from tests.factories import ContractTemplateFactory, UserFactory

from .test_services_support import END, START, card_for, draft_for, set_threshold, template_for

pytestmark = pytest.mark.django_db

SPLIT_50_50 = [{"percent": "50", "when": "on signing"}, {"percent": "50", "when": "on delivery"}]


def test_a_new_contract_takes_the_templates_clauses_and_the_campaigns_facts(team):
    template = template_for(
        team,
        ("Fee", "{{ creator.name }} receives {{ contract.cash_amount }} {{ contract.currency }}."),
        ("Dates", "From {{ contract.start_date }} to {{ contract.end_date }}."),
        default_terms={"disclosure_label": "#sponsored", "payment_schedule": "upfront"},
    )
    card = card_for(team, planned_fee=Decimal("1500"))

    contract = services.contract_create(campaign_creator=card, by=team.owner, template=template)

    version = contract.current_version
    assert contract.status == Contract.Status.DRAFT and version.number == 1
    assert contract.title == "Jane Doe × Spring Glow"
    assert (version.currency, version.cash_amount) == ("EUR", Decimal("1500"))
    assert (version.start_date, version.end_date) == (START, END)
    assert version.disclosure_label == "#sponsored" and version.payment_schedule == "upfront"
    deliverables = list(version.deliverables.order_by("position"))
    assert [(d.platform, d.format, d.due_date) for d in deliverables] == [
        ("instagram", "reel", END),
        ("tiktok", "short", END),
    ]
    assert deliverables[0].required_hashtags == ["#sponsored"]
    assert version.body == (
        "1. Fee\nJane Doe receives 1,500.00 EUR.\n\n2. Dates\nFrom 1 March 2026 to 31 March 2026.\n"
    )


def test_without_a_template_the_standard_clauses_are_used(team):
    contract = draft_for(team)
    body = contract.current_version.body
    assert body.startswith("1. Parties and purpose\nThis agreement is between Lumen Skincare")
    assert "- 1 × Instagram Reel, due 31 March 2026, with #ad" in body
    assert "10. Measurement and reporting" in body


def test_it_refuses_a_second_open_contract_for_the_same_card(team):
    contract = draft_for(team)
    with pytest.raises(services.ContractError, match="already has a contract"):
        services.contract_create(campaign_creator=contract.campaign_creator, by=team.owner)


def test_it_refuses_a_template_of_another_workspace(team):
    foreign = ContractTemplateFactory(workspace=team.other_workspace)
    with pytest.raises(services.ContractError, match="another workspace"):
        services.contract_create(campaign_creator=card_for(team), by=team.owner, template=foreign)


def test_an_edit_saves_terms_and_deliverables_and_rerenders_the_body(team):
    contract = draft_for(team)
    version = services.contract_update_draft(
        contract=contract,
        by=team.owner,
        terms={"cash_amount": "750", "payment_schedule": "split", "payment_splits": SPLIT_50_50},
        deliverables=[
            {"platform": "youtube", "format": "video", "quantity": 2, "due_date": "2026-03-20"}
        ],
    )
    version.refresh_from_db()
    assert version.number == 1 and version.cash_amount == Decimal("750.00")
    assert version.payment_splits == SPLIT_50_50
    assert [(d.platform, d.quantity) for d in version.deliverables.all()] == [("youtube", 2)]
    assert "750.00 EUR in cash" in version.body
    assert "50% on signing; 50% on delivery" in version.body
    assert "2 × YouTube Video, due 20 March 2026" in version.body


@pytest.mark.parametrize(
    ("terms", "field", "message"),
    [
        (
            {"payment_schedule": "split", "payment_splits": [{"percent": "60"}, {"percent": "30"}]},
            "payment_splits",
            "add up to 100% (they add up to 90%)",
        ),
        ({"cash_amount": "-1"}, "cash_amount", "cannot be negative"),
        ({"product_value": "abc"}, "product_value", "Enter a number"),
        ({"currency": "XXQ"}, "currency", ""),
        (
            {"start_date": "2026-04-01", "end_date": "2026-03-01"},
            "end_date",
            "end before it starts",
        ),
        ({"usage_channels": ["billboards"]}, "usage_channels", ""),
    ],
)
def test_it_refuses_bad_terms_with_the_field_named(team, terms, field, message):
    contract = draft_for(team)
    before = contract.current_version.body
    with pytest.raises(ValidationError) as caught:
        services.contract_update_draft(contract=contract, by=team.owner, terms=terms)
    assert field in caught.value.message_dict
    assert message in caught.value.message_dict[field][0]
    contract.current_version.refresh_from_db()
    assert contract.current_version.body == before


def test_it_refuses_a_deliverable_due_after_the_end(team):
    contract = draft_for(team)
    with pytest.raises(ValidationError) as caught:
        services.contract_update_draft(
            contract=contract,
            by=team.owner,
            terms={},
            deliverables=[{"platform": "instagram", "format": "post", "due_date": "2026-05-01"}],
        )
    assert caught.value.message_dict == {
        "deliverables.0.due_date": ["This is due after the contract ends."]
    }


# --- approval -------------------------------------------------------------------------


def test_under_the_threshold_no_approval_is_needed(team):
    set_threshold(team, "1000")
    contract = draft_for(team, cash_amount="600", product_value="400")
    assert not services.contract_needs_approval(contract)


def test_over_the_threshold_sending_needs_a_managers_approval(team):
    set_threshold(team, "1000")
    contract = draft_for(team, cash_amount="900", product_value="100.01")
    assert services.contract_needs_approval(contract)
    with pytest.raises(services.ApprovalRequired, match="1,000.00 EUR"):
        acceptance.contract_send(contract=contract, by=team.owner)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT and not contract.current_version.is_frozen

    manager = UserFactory()
    add_member(team.workspace, manager, Role.MANAGER)
    services.contract_approve(contract=contract, by=manager)
    assert not services.contract_needs_approval(contract)
    acceptance.contract_send(contract=contract, by=team.teammate)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SENT
    assert contract.current_version.approved_by == manager


def test_another_currency_needs_approval_while_a_threshold_is_set(team):
    set_threshold(team, "100000", currency="USD")
    assert services.contract_needs_approval(draft_for(team, cash_amount="10"))


def test_a_member_cannot_approve(team):
    set_threshold(team, "10")
    contract = draft_for(team, cash_amount="500")
    with pytest.raises(services.ContractError, match="Only a manager"):
        services.contract_approve(contract=contract, by=team.teammate)
    with pytest.raises(services.ContractError, match="Only a manager"):
        services.contract_approve(contract=contract, by=team.outsider)
    assert services.contract_needs_approval(contract)


def test_an_edit_after_approval_needs_a_new_approval(team):
    set_threshold(team, "10")
    contract = draft_for(team, cash_amount="500")
    services.contract_approve(contract=contract, by=team.owner)
    services.contract_update_draft(contract=contract, by=team.owner, terms={"cash_amount": "5000"})
    contract.refresh_from_db()
    assert services.contract_needs_approval(contract)


def test_a_new_version_needs_a_new_approval(team):
    set_threshold(team, "10")
    contract = draft_for(team, cash_amount="500")
    services.contract_approve(contract=contract, by=team.owner)
    acceptance.contract_send(contract=contract, by=team.owner)
    v2 = services.contract_update_draft(
        contract=contract, by=team.owner, terms={"cash_amount": "600"}
    )
    contract.refresh_from_db()
    assert v2.number == 2 and v2.approved_at is None
    assert services.contract_needs_approval(contract)
    with pytest.raises(services.ApprovalRequired):
        acceptance.contract_send(contract=contract, by=team.owner)


def test_a_broken_template_default_does_not_block_a_new_contract(team):
    template = template_for(
        team,
        default_terms={
            "payment_schedule": "split",
            "payment_splits": [{"percent": "70"}],
            "usage_channels": ["billboards"],
            "posting_frequency": "Twice a week",
            "not_a_term": "ignored",
        },
    )
    version = services.contract_create(
        campaign_creator=card_for(team), by=team.owner, template=template
    ).current_version
    assert (version.payment_schedule, version.payment_splits) == ("on_delivery", [])
    assert version.usage_channels == []
    assert version.posting_frequency == "Twice a week"
