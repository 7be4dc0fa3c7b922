"""The creator's private link: token, expiry, revocation, and what an answer records."""

import datetime
import hashlib

import pgtrigger
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.campaigns import pipeline
from apps.contracts import acceptance, services
from apps.contracts.models import Contract, ContractDecision, ContractLink
from apps.contracts.tasks import notify_team_of_decision, send_contract_link

from .test_services_support import accept, card_for, draft_for, sent_for, set_threshold

pytestmark = pytest.mark.django_db
S = Contract.Status


def reason(token):
    with pytest.raises(services.LinkUnusable) as caught:
        acceptance.contract_link_for_token(token)
    return caught.value.reason


def test_only_the_tokens_hash_is_stored(team, django_capture_on_commit_callbacks):
    contract = draft_for(team)
    with django_capture_on_commit_callbacks() as callbacks:
        link, token = acceptance.contract_send(contract=contract, by=team.owner)
    assert len(callbacks) == 1  # the email is queued after commit
    assert len(token) >= 43
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert not ContractLink.objects.filter(token_hash=token).exists()
    assert acceptance.contract_link_for_token(token).pk == link.pk


def test_it_refuses_to_send_a_version_without_deliverables(
    team, django_capture_on_commit_callbacks
):
    contract = draft_for(team)
    services.contract_update_draft(contract=contract, by=team.owner, terms={}, deliverables=[])
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError) as caught,
    ):
        acceptance.contract_send(contract=contract, by=team.owner)
    assert caught.value.message_dict == {
        "deliverables": ["Add at least one deliverable before sending."]
    }
    assert callbacks == []
    contract.refresh_from_db()
    assert contract.status == S.DRAFT
    assert not contract.current_version.is_frozen
    assert not ContractLink.objects.exists()


def test_the_link_expires_after_the_workspaces_days(team):
    set_threshold(team, None, link_valid_days=3)
    contract = draft_for(team)
    before = timezone.now()
    link, token = acceptance.contract_send(contract=contract, by=team.owner)
    assert before + datetime.timedelta(days=3) <= link.expires_at
    assert link.expires_at <= timezone.now() + datetime.timedelta(days=3)
    ContractLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
    assert reason(token) == "expired"
    with pytest.raises(services.LinkUnusable):
        accept(token)
    assert not ContractDecision.objects.exists()


def test_expiry_marks_the_contract_expired_only_when_every_link_ran_out(team):
    contract, first = sent_for(team)
    second_link, _second = acceptance.contract_send(contract=contract, by=team.owner)
    now = timezone.now()
    ContractLink.objects.exclude(pk=second_link.pk).update(expires_at=now)
    assert services.contracts_expire_due(now=now) == 0
    ContractLink.objects.filter(pk=second_link.pk).update(expires_at=now)
    assert services.contracts_expire_due(now=now) == 1
    contract.refresh_from_db()
    assert contract.status == S.EXPIRED and contract.decided_at == now
    assert reason(first) == "expired"
    assert services.contracts_expire_due(now=now) == 0  # idempotent


def test_revoked_links_do_not_expire_the_contract(team):
    contract, token = sent_for(team)
    link = acceptance.contract_link_for_token(token)
    acceptance.contract_link_revoke(link=link, by=team.owner)
    assert reason(token) == "revoked"
    assert link.revoked_by == team.owner
    later = timezone.now() + datetime.timedelta(days=100)
    assert services.contracts_expire_due(now=later) == 0
    contract.refresh_from_db()
    assert contract.status == S.SENT  # the team may send a new link


def test_a_revoked_link_cannot_accept_but_a_new_link_to_the_same_version_can(team):
    contract, token = sent_for(team)
    acceptance.contract_link_revoke(link=acceptance.contract_link_for_token(token), by=team.owner)
    with pytest.raises(services.LinkUnusable) as caught:
        accept(token)
    assert caught.value.reason == "revoked"
    link, fresh = acceptance.contract_send(contract=contract, by=team.owner)
    assert link.version_id == contract.current_version_id
    assert accept(fresh).version_id == contract.current_version_id


def test_unknown_tokens_are_refused(team):
    sent_for(team)
    assert reason("not-a-token") == "unknown"
    assert reason("") == "unknown"


def test_an_answered_link_says_decided(team):
    _contract, token = sent_for(team)
    accept(token)
    assert reason(token) == "decided"
    with pytest.raises(services.LinkUnusable):
        acceptance.contract_decline(token=token, comment="", ip=None, user_agent="")


def test_acceptance_records_name_time_ip_agent_and_the_versions_hash(team):
    contract, token = sent_for(team)
    before = timezone.now()
    decision = acceptance.contract_accept(
        token=token,
        full_name="  Jane   Doe ",
        acknowledged_disclosure=True,
        acknowledged_usage_rights=True,
        ip="2001:db8::1",
        user_agent="Mozilla/5.0 " + "x" * 500,
    )
    decision.refresh_from_db()
    version = contract.current_version
    assert decision.decision == "accepted" and decision.full_name == "Jane Doe"
    assert decision.ip_address == "2001:db8::1" and len(decision.user_agent) == 400
    assert decision.version_id == version.pk and decision.link.version_id == version.pk
    assert decision.version_hash == version.content_hash
    assert before <= decision.decided_at <= timezone.now()
    assert decision.acknowledged_disclosure and decision.acknowledged_usage_rights
    contract.refresh_from_db()
    assert contract.status == S.ACCEPTED and contract.accepted_version_id == version.pk


@pytest.mark.parametrize(
    ("name", "disclosure", "rights", "field"),
    [
        ("  ", True, True, "full_name"),
        ("Jane Doe", False, True, "acknowledged_disclosure"),
        ("Jane Doe", True, False, "acknowledged_usage_rights"),
    ],
)
def test_acceptance_needs_a_name_and_both_acknowledgements(team, name, disclosure, rights, field):
    contract, token = sent_for(team)
    with pytest.raises(ValidationError) as caught:
        acceptance.contract_accept(
            token=token,
            full_name=name,
            acknowledged_disclosure=disclosure,
            acknowledged_usage_rights=rights,
            ip=None,
            user_agent="",
        )
    assert field in caught.value.message_dict
    contract.refresh_from_db()
    assert contract.status == S.SENT and not ContractDecision.objects.exists()


def test_a_decline_records_the_comment(team):
    contract, token = sent_for(team)
    decision = acceptance.contract_decline(
        token=token, comment=" Fee too low ", ip="203.0.113.9", user_agent="UA"
    )
    assert (decision.decision, decision.comment, decision.full_name) == (
        "declined",
        "Fee too low",
        "",
    )
    contract.refresh_from_db()
    assert contract.status == S.DECLINED and contract.accepted_version is None


def test_a_version_changed_behind_the_hash_cannot_be_accepted(team):
    contract, token = sent_for(team)
    # Written around the services and the read-only trigger (as a hand edit by an
    # operator with the trigger disabled would): the hash check is the second wall.
    with pgtrigger.ignore("contracts.ContractVersion:frozen_version_is_read_only"):
        type(contract.current_version).objects.filter(pk=contract.current_version_id).update(
            cash_amount=1
        )
    with pytest.raises(services.ContractError, match="cannot be answered"):
        accept(token)
    assert not ContractDecision.objects.exists()


# --- the board --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "after"),
    [
        (pipeline.NEGOTIATING, pipeline.CONTRACTED),
        (pipeline.REPLIED, pipeline.CONTRACTED),
        (pipeline.CONTACTED, pipeline.CONTACTED),  # the pipeline refuses the skip: stays
        (pipeline.CONTENT_LIVE, pipeline.CONTENT_LIVE),  # already beyond: never moved back
    ],
)
def test_acceptance_moves_the_card_to_contracted_when_the_board_allows(team, stage, after):
    card = card_for(team, stage=stage)
    contract = draft_for(team, card=card)
    _link, token = acceptance.contract_send(contract=contract, by=team.owner)
    accept(token)
    card.refresh_from_db()
    assert card.stage == after
    contract.refresh_from_db()
    assert contract.status == S.ACCEPTED


# --- emails -----------------------------------------------------------------------------


def test_the_link_email_carries_the_private_url(team, settings):
    settings.SITE_URL = "https://app.example"
    contract = draft_for(team)
    link, token = acceptance.contract_send(contract=contract, by=team.owner)
    assert send_contract_link.apply(args=[link.pk, token]).get() == "sent"
    [email] = mail.outbox
    assert email.to == ["jane@creator.test"]
    assert email.subject == "Your contract with Lumen Skincare: Spring Glow"
    assert f"https://app.example/c/{token}/" in email.body
    assert "Hi Jane," in email.body and "version 1" in email.body


def test_a_revoked_link_is_not_emailed(team):
    contract = draft_for(team)
    link, token = acceptance.contract_send(contract=contract, by=team.owner)
    acceptance.contract_link_revoke(link=link, by=team.owner)
    assert send_contract_link.apply(args=[link.pk, token]).get() == "skipped"
    assert mail.outbox == []


def test_the_team_is_told_of_an_acceptance(team):
    contract, token = sent_for(team)
    contract.campaign.team.add(team.teammate, team.outsider)  # the outsider is not a member
    decision = accept(token)
    assert notify_team_of_decision.apply(args=[decision.pk]).get() == 2
    [email] = mail.outbox
    assert sorted(email.to) == ["owner@acme.test", "teammate@acme.test"]
    assert email.subject == "Jane Doe accepted the contract for Spring Glow"
    assert "Signed as: Jane Doe" in email.body
    assert "from 203.0.113.7" in email.body
    assert decision.version_hash in email.body
