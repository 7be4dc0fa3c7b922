"""Every lifecycle operation from every status: the allowed ones move, the others refuse.

draft → sent → accepted | declined | expired → active → completed | cancelled, plus
"edit" (a sent, declined or expired contract goes back to draft as a new version).
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.contracts import acceptance, services
from apps.contracts.models import Contract, ContractDecision

from .test_services_support import accept, draft_for

pytestmark = pytest.mark.django_db
S = Contract.Status
LATER = datetime.timedelta(days=365)


def build(team, status):
    """A contract in `status`, reached through the services, and the last link's token."""
    contract = draft_for(team, cash_amount=Decimal("500"))
    if status == S.DRAFT:
        return contract, None
    _link, token = acceptance.contract_send(contract=contract, by=team.owner)
    if status == S.ACCEPTED or status in (S.ACTIVE, S.COMPLETED):
        accept(token)
        contract.refresh_from_db()
    if status == S.DECLINED:
        acceptance.contract_decline(token=token, comment="Not this time", ip=None, user_agent="")
    if status == S.EXPIRED:
        assert services.contracts_expire_due(now=timezone.now() + LATER) == 1
    if status in (S.ACTIVE, S.COMPLETED):
        services.contract_activate(contract=contract, by=team.owner)
    if status == S.COMPLETED:
        services.contract_complete(contract=contract, by=team.owner)
    if status == S.CANCELLED:
        services.contract_cancel(contract=contract, by=team.owner, reason="Budget cut")
    contract.refresh_from_db()
    assert contract.status == status
    return contract, token


def op_send(team, contract, token):
    acceptance.contract_send(contract=contract, by=team.owner)


def op_accept(team, contract, token):
    accept(token or "no-link-was-ever-sent")


def op_decline(team, contract, token):
    acceptance.contract_decline(
        token=token or "no-link-was-ever-sent", comment="", ip=None, user_agent=""
    )


def op_expire(team, contract, token):
    if not services.contracts_expire_due(now=timezone.now() + LATER):
        raise services.TransitionRefused("nothing expired")


def op_activate(team, contract, token):
    services.contract_activate(contract=contract, by=team.owner)


def op_complete(team, contract, token):
    services.contract_complete(contract=contract, by=team.owner)


def op_cancel(team, contract, token):
    services.contract_cancel(contract=contract, by=team.owner, reason="Changed plans")


def op_edit(team, contract, token):
    services.contract_update_draft(contract=contract, by=team.owner, terms={"cash_amount": "650"})


OPS = {
    "send": (op_send, {S.DRAFT: S.SENT, S.SENT: S.SENT}),
    "accept": (op_accept, {S.SENT: S.ACCEPTED}),
    "decline": (op_decline, {S.SENT: S.DECLINED}),
    "expire": (op_expire, {S.SENT: S.EXPIRED}),
    "activate": (op_activate, {S.ACCEPTED: S.ACTIVE}),
    "complete": (op_complete, {S.ACTIVE: S.COMPLETED}),
    "cancel": (
        op_cancel,
        {S.DRAFT: S.CANCELLED, S.SENT: S.CANCELLED, S.ACCEPTED: S.CANCELLED, S.ACTIVE: S.CANCELLED},
    ),
    "edit": (op_edit, {S.DRAFT: S.DRAFT, S.SENT: S.DRAFT, S.DECLINED: S.DRAFT, S.EXPIRED: S.DRAFT}),
}
CASES = [(status, op) for status in S.values for op in OPS]


@pytest.mark.parametrize(("status", "op"), CASES)
def test_each_operation_from_each_status(team, status, op):
    contract, token = build(team, status)
    run, allowed = OPS[op]
    before = Contract.objects.values().get(pk=contract.pk)
    decisions = ContractDecision.objects.count()

    if status in allowed:
        run(team, contract, token)
        contract.refresh_from_db()
        assert contract.status == allowed[status]
        if allowed[status] != status:
            assert contract.lock_version > before["lock_version"]
    else:
        with pytest.raises(services.ContractError):
            run(team, contract, token)
        # Refused means nothing changed: the row and the decisions are as before.
        assert Contract.objects.values().get(pk=contract.pk) == before
        assert ContractDecision.objects.count() == decisions


def test_the_model_table_matches_the_services():
    for op, (_, allowed) in OPS.items():
        if op in ("send", "edit"):
            continue  # resend and in-place edits keep the status
        for from_status, to_status in allowed.items():
            assert from_status in Contract.ALLOWED_FROM[to_status], (op, from_status)


def test_cancel_needs_a_reason(team):
    contract = draft_for(team)
    with pytest.raises(services.ValidationError):
        services.contract_cancel(contract=contract, by=team.owner, reason="  ")
    contract.refresh_from_db()
    assert contract.status == S.DRAFT


def test_cancel_revokes_the_links(team):
    contract, token = build(team, S.SENT)
    services.contract_cancel(contract=contract, by=team.owner, reason="Budget cut")
    with pytest.raises(services.LinkUnusable) as caught:
        acceptance.contract_link_for_token(token)
    assert caught.value.reason == "revoked"
    contract.refresh_from_db()
    assert contract.close_reason == "Budget cut" and contract.closed_at


def test_a_stale_object_cannot_move_the_row(team):
    """change_status is a conditional UPDATE: an object read before another change loses."""
    contract = draft_for(team)
    stale = Contract.objects.get(pk=contract.pk)
    acceptance.contract_send(contract=contract, by=team.owner)
    assert stale.change_status(S.CANCELLED) is False
    assert Contract.objects.get(pk=contract.pk).status == S.SENT
