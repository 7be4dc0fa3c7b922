"""A sent version is frozen: editing makes a new draft version and the old one never changes."""

from decimal import Decimal

import pytest
from django.db import InternalError, transaction

from apps.contracts import acceptance, services, terms
from apps.contracts.models import Contract, ContractVersion, Deliverable

from .test_services_support import accept, draft_for, sent_for

pytestmark = pytest.mark.django_db


def snapshot(version):
    """Every stored value of the version row and its deliverables' rows."""
    return (
        ContractVersion.objects.values().get(pk=version.pk),
        list(Deliverable.objects.filter(version=version).order_by("pk").values()),
    )


def test_sending_freezes_the_version_with_the_hash_of_what_was_sent(team):
    contract, _token = sent_for(team)
    version = contract.current_version
    assert version.frozen_at is not None
    assert version.content_hash == terms.version_hash(version)
    assert len(version.content_hash) == 64


def test_an_edit_after_send_makes_v2_and_leaves_v1_byte_for_byte(team):
    contract, _token = sent_for(team)
    v1 = contract.current_version
    before = snapshot(v1)

    v2 = services.contract_update_draft(
        contract=contract,
        by=team.teammate,
        terms={"cash_amount": "900", "exclusivity_days": 30},
        deliverables=[{"platform": "instagram", "format": "story", "quantity": 3}],
    )

    assert snapshot(v1) == before
    v1.refresh_from_db()
    assert v1.content_hash == before[0]["content_hash"] == terms.version_hash(v1)
    assert v2.pk != v1.pk and v2.number == 2 and not v2.is_frozen
    assert v2.cash_amount == Decimal("900") and v2.created_by == team.teammate
    assert [(d.format, d.quantity) for d in v2.deliverables.all()] == [("story", 3)]
    assert "for 30 days" in v2.body and "for 30 days" not in v1.body
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT and contract.current_version == v2
    assert list(contract.versions.values_list("number", flat=True)) == [1, 2]


def test_a_second_edit_of_the_new_draft_edits_it_in_place(team):
    contract, _token = sent_for(team)
    v2 = services.contract_update_draft(
        contract=contract, by=team.owner, terms={"cash_amount": "1"}
    )
    again = services.contract_update_draft(
        contract=contract, by=team.owner, terms={"cash_amount": "2"}
    )
    assert again.pk == v2.pk and again.cash_amount == Decimal("2")
    assert contract.versions.count() == 2


def test_edits_keep_unmentioned_terms_and_deliverables(team):
    contract, _token = sent_for(team, objectives="Launch the serum", posting_frequency="Weekly")
    v1 = contract.current_version
    v2 = services.contract_update_draft(
        contract=contract, by=team.owner, terms={"cash_amount": "1"}
    )
    assert (v2.objectives, v2.posting_frequency) == ("Launch the serum", "Weekly")
    assert [terms.deliverable_terms(d) for d in v2.deliverables.all()] == [
        terms.deliverable_terms(d) for d in v1.deliverables.all()
    ]


def test_the_old_link_is_superseded_by_the_new_version(team):
    contract, token = sent_for(team)
    services.contract_update_draft(contract=contract, by=team.owner, terms={"cash_amount": "1"})
    with pytest.raises(services.LinkUnusable) as caught:
        accept(token)
    assert caught.value.reason == "superseded"


def test_sending_v2_freezes_it_too_and_v3_follows(team):
    contract, _token = sent_for(team)
    services.contract_update_draft(contract=contract, by=team.owner, terms={"cash_amount": "1"})
    contract.refresh_from_db()
    acceptance.contract_send(contract=contract, by=team.owner)
    v2 = ContractVersion.objects.get(contract=contract, number=2)
    frozen = snapshot(v2)
    assert v2.is_frozen
    v3 = services.contract_update_draft(
        contract=contract, by=team.owner, terms={"cash_amount": "3"}
    )
    assert v3.number == 3 and snapshot(v2) == frozen


def test_an_accepted_contract_cannot_be_edited(team):
    contract, token = sent_for(team)
    accept(token)
    contract.refresh_from_db()
    with pytest.raises(services.TransitionRefused, match="cancel it and start a new one"):
        services.contract_update_draft(contract=contract, by=team.owner, terms={"cash_amount": "1"})
    assert contract.versions.count() == 1


def test_the_hash_changes_with_any_term_and_with_the_text(team):
    contract = draft_for(team, cash_amount="500")
    version = contract.current_version
    base = terms.version_hash(version)
    version.cash_amount = Decimal("500.00")  # the same amount, written differently
    assert terms.version_hash(version) == base
    version.cash_amount = Decimal("500.01")
    assert terms.version_hash(version) != base
    version.cash_amount = Decimal("500")
    version.body += " "
    assert terms.version_hash(version) != base


def test_the_database_refuses_to_change_a_sent_version(team):
    contract, _token = sent_for(team)
    v1 = contract.current_version
    before = snapshot(v1)

    with pytest.raises(InternalError, match="frozen_version_is_read_only"), transaction.atomic():
        ContractVersion.objects.filter(pk=v1.pk).update(cash_amount=Decimal("1"))

    assert snapshot(v1) == before


def test_the_database_lets_a_draft_version_change(team):
    contract = draft_for(team)
    ContractVersion.objects.filter(pk=contract.current_version_id).update(cash_amount=Decimal("7"))
    assert ContractVersion.objects.get(pk=contract.current_version_id).cash_amount == Decimal("7")
