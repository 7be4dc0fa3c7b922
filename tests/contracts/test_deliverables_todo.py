"""Deliverables of accepted contracts as to-dos; the home page's "needs attention"; the
pipeline guard that keeps a card out of "content live" until its contract is accepted."""

import datetime

import pytest
from django.utils import timezone

from apps.accounts.attention import items_for
from apps.campaigns import pipeline
from apps.campaigns import services as campaign_services
from apps.contracts import acceptance, attention, services
from apps.contracts.models import Deliverable

from .test_services_support import accept, card_for, draft_for, sent_for, set_threshold

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def registered():
    # Campaigns' pipeline tests clear every guard; put ours back (registration is idempotent).
    attention.register()


def accepted_contract(team, **terms):
    contract, token = sent_for(team, **terms)
    accept(token)
    contract.refresh_from_db()
    return contract


def test_to_do_lists_the_accepted_versions_open_deliverables_only(team):
    contract = accepted_contract(team)
    draft = draft_for(team)  # a draft's deliverables are not to-dos
    ws = team.workspace
    todo = list(Deliverable.objects.for_workspace(ws).to_do())
    assert {d.version_id for d in todo} == {contract.accepted_version_id}
    assert len(todo) == 2
    assert (
        not Deliverable.objects.for_workspace(ws).filter(version__contract=draft).to_do().exists()
    )
    assert not Deliverable.objects.for_workspace(team.other_workspace).to_do().exists()

    services.deliverable_mark_done(deliverable=todo[0], by=team.owner)
    assert list(Deliverable.objects.for_workspace(ws).to_do()) == [todo[1]]
    services.deliverable_reopen(deliverable=todo[0], by=team.owner)
    assert len(Deliverable.objects.for_workspace(ws).to_do()) == 2


def test_a_cancelled_contracts_deliverables_drop_off(team):
    contract = accepted_contract(team)
    services.contract_cancel(contract=contract, by=team.owner, reason="Brand paused")
    assert not Deliverable.objects.for_workspace(team.workspace).to_do().exists()


def test_a_drafts_deliverable_cannot_be_marked_done(team):
    contract = draft_for(team)
    deliverable = contract.current_version.deliverables.first()
    with pytest.raises(services.ContractError, match="accepted contract"):
        services.deliverable_mark_done(deliverable=deliverable, by=team.owner)
    deliverable.refresh_from_db()
    assert deliverable.completed_at is None


def test_overdue_deliverables_and_approvals_need_attention(team, django_assert_max_num_queries):
    contract = accepted_contract(team)
    today = timezone.localdate()
    deliverables = contract.accepted_version.deliverables.order_by("position")
    deliverables.update(due_date=today + datetime.timedelta(days=1))  # due, not late
    late = deliverables.first()
    Deliverable.objects.filter(pk=late.pk).update(due_date=today - datetime.timedelta(days=3))
    set_threshold(team, "100")
    other_card = card_for(team, name="Sam Lee")
    draft_for(team, card=other_card, cash_amount="5000")
    draft_for(team, card=card_for(team, name="Ann Small"), cash_amount="50")  # under: quiet

    with django_assert_max_num_queries(2):
        items = attention.attention_items(team.workspace)

    assert [(i.kind, i.title, i.detail) for i in items] == [
        ("Overdue deliverable", "1 × Instagram Reel from Jane Doe — Spring Glow", "due 3 days ago"),
        (
            "Approval needed",
            "Approve the contract for Sam Lee — Spring Glow",
            "5,000.00 EUR, version 1",
        ),
    ]
    assert items[0].url.endswith(f"/contracts/{contract.pk}/")
    assert any(i.kind == "Approval needed" for i in items_for(team.workspace))
    assert attention.attention_items(team.other_workspace) == []


def test_an_approved_contract_no_longer_needs_attention(team):
    set_threshold(team, "100")
    contract = draft_for(team, cash_amount="5000")
    services.contract_approve(contract=contract, by=team.owner)
    assert attention.attention_items(team.workspace) == []


# --- the pipeline guard -------------------------------------------------------------------


def move(card, to_stage):
    return campaign_services.campaign_creator_move(
        campaign_creator=card, to_stage=to_stage, by=None, expected_version=card.version
    )


def test_content_live_needs_an_accepted_contract(team):
    card = card_for(team, stage=pipeline.CONTRACTED)
    with pytest.raises(pipeline.MoveRefused, match="Content live needs an accepted contract"):
        move(card, pipeline.CONTENT_LIVE)
    contract = draft_for(team, card=card)
    with pytest.raises(pipeline.MoveRefused):
        move(card, pipeline.CONTENT_LIVE)
    _link, token = acceptance.contract_send(contract=contract, by=team.owner)
    accept(token)
    card.refresh_from_db()
    assert move(card, pipeline.CONTENT_LIVE).stage == pipeline.CONTENT_LIVE


def test_another_cards_contract_does_not_count(team):
    accepted_contract(team)
    card = card_for(team, stage=pipeline.CONTRACTED, name="Sam Lee")
    with pytest.raises(pipeline.MoveRefused):
        move(card, pipeline.CONTENT_LIVE)
