"""The contract page, its lifecycle buttons, comparing versions and the history."""

from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from apps.accounts.models import Role
from apps.contracts import acceptance, services
from apps.contracts.models import Contract, ContractSettings
from config.celery import app as celery_app
from tests.conftest import add_member
from tests.contracts.sent import draft_contract, sent_contract
from tests.contracts.test_pages_edit import editor_data
from tests.factories import TemplateClauseFactory, UserFactory


def url(name: str, contract) -> str:
    return reverse(name, args=[contract.pk])


@pytest.fixture
def contract(team):
    return draft_contract(team)


@pytest.fixture
def run_tasks():
    """Run the Celery tasks a request queued on commit, right here (no worker in tests)."""

    def run(callbacks):
        celery_app.conf.task_always_eager = True
        try:
            for callback in callbacks:
                callback()
        finally:
            celery_app.conf.task_always_eager = False

    return run


def needs_approval(team, amount="1000"):
    row = ContractSettings.for_workspace(team.workspace)
    row.approval_threshold, row.approval_currency = Decimal(amount), "EUR"
    row.save()


# --- The page -------------------------------------------------------------------------------


def test_the_page_shows_status_terms_deliverables_and_versions(team, contract):
    page = team.client_for(team.teammate).get(contract.get_absolute_url()).content.decode()
    assert "Priya Raman × Spring launch" in page
    assert "Draft" in page
    assert "1,250.00 EUR" in page or "1250.00 EUR" in page
    assert "Brand&#x27;s organic social, Paid ads" in page  # usage channels, in words
    assert "2 × Instagram Reel" in page and "#AcmeSpring" in page
    assert "Footage" in page  # the template's clause in the contract text
    assert reverse("contract_document", args=[contract.pk, 1]) in page
    assert reverse("contract_pdf", args=[contract.pk, 1]) in page
    assert 'name="to_email" value="priya@creator.test"' in page  # send defaults to the creator
    assert "Send to creator" in page


def test_the_page_costs_a_fixed_number_of_queries(
    team, owner_client, django_assert_max_num_queries
):
    sent = sent_contract(team)
    for _ in range(3):
        services.contract_update_draft(
            contract=sent.contract, by=team.owner, terms={"objectives": "x"}, deliverables=None
        )
        acceptance.contract_send(contract=sent.contract, by=team.owner)
    with django_assert_max_num_queries(8):  # 4 versions, 4 links: no query per row
        response = owner_client.get(sent.contract.get_absolute_url())
    assert response.content.decode().count(">superseded<") == 3


def test_an_outsider_gets_404_on_every_contract_page(contract, outsider_client):
    for name in ("contract_detail", "contract_compare", "contract_history", "contract_edit"):
        assert outsider_client.get(url(name, contract)).status_code == 404, name


def test_a_viewer_sees_the_page_without_buttons_and_cannot_post(contract, viewer_client):
    page = viewer_client.get(contract.get_absolute_url()).content.decode()
    assert "Send to creator" not in page and "Edit terms" not in page
    for name in ("contract_send", "contract_cancel", "contract_activate", "contract_approve"):
        assert viewer_client.post(url(name, contract)).status_code == 403, name
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


# --- Sending and approval -----------------------------------------------------------------


def test_send_marks_the_contract_sent_and_emails_the_link(
    team, contract, django_capture_on_commit_callbacks, run_tasks
):
    client = team.client_for(team.teammate)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url("contract_send", contract), {"to_email": "agent@creator.test"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SENT
    assert contract.current_version.is_frozen

    run_tasks(callbacks)

    [email] = mail.outbox
    assert email.to == ["agent@creator.test"]
    page = client.get(contract.get_absolute_url()).content.decode()
    assert "agent@creator.test" in page and "not opened yet" in page
    assert contract.current_version.content_hash[:12] in page


def test_send_with_a_bad_address_shows_the_error_and_keeps_it(owner_client, contract):
    response = owner_client.post(url("contract_send", contract), {"to_email": "not-an-email"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a valid email address." in page and 'value="not-an-email"' in page
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


def test_over_the_threshold_only_a_manager_sees_and_uses_approve(team, contract):
    needs_approval(team)
    manager = UserFactory()
    add_member(team.workspace, manager, Role.MANAGER)
    member_page = team.client_for(team.teammate).get(contract.get_absolute_url()).content.decode()
    assert "Approve version" not in member_page
    assert "a manager must approve it" in member_page and "Send to creator" not in member_page
    assert team.client_for(team.teammate).post(url("contract_approve", contract)).status_code == 403

    manager_client = team.client_for(manager)
    assert "Approve version 1" in manager_client.get(contract.get_absolute_url()).content.decode()
    manager_client.post(url("contract_approve", contract))

    contract.current_version.refresh_from_db()
    assert contract.current_version.approved_by == manager
    assert "Send to creator" in manager_client.get(contract.get_absolute_url()).content.decode()


def test_a_draft_edited_after_the_manager_opened_it_is_not_approved_unseen(team, contract):
    import re

    from apps.contracts import services

    needs_approval(team)
    manager = UserFactory()
    add_member(team.workspace, manager, Role.MANAGER)
    manager_client = team.client_for(manager)
    page = manager_client.get(contract.get_absolute_url()).content.decode()
    seen = re.search(r'name="seen_hash" value="([0-9a-f]{64})"', page).group(1)

    # Meanwhile a member raises the fee in the same draft version.
    services.contract_update_draft(
        contract=contract, by=team.teammate, terms={"cash_amount": "9999"}
    )
    response = manager_client.post(
        url("contract_approve", contract), {"seen_hash": seen}, follow=True
    )

    assert "The draft changed since you opened it" in response.content.decode()
    contract.current_version.refresh_from_db()
    assert contract.current_version.approved_at is None


def test_under_the_threshold_nobody_is_asked_to_approve(team, owner_client, contract):
    needs_approval(team, amount="5000")
    page = owner_client.get(contract.get_absolute_url()).content.decode()
    assert "Approve version" not in page and "Send to creator" in page


def test_sending_before_approval_is_refused_with_a_message(team, contract):
    needs_approval(team)
    client = team.client_for(team.teammate)
    response = client.post(url("contract_send", contract), {"to_email": "a@b.test"}, follow=True)
    assert response.status_code == 409
    assert "A manager must approve this contract" in response.content.decode()
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT


def test_sending_without_deliverables_says_so_and_sends_nothing(
    team, owner_client, contract, django_capture_on_commit_callbacks
):
    services.contract_update_draft(contract=contract, by=team.owner, terms={}, deliverables=[])
    page = owner_client.get(contract.get_absolute_url()).content.decode()
    assert "Add at least one deliverable before sending" in page
    assert "Send to creator" not in page

    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post(url("contract_send", contract), {"to_email": "a@b.test"})

    assert response.status_code == 400
    assert "Add at least one deliverable before sending." in response.content.decode()
    assert callbacks == []
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT
    assert not contract.current_version.is_frozen
    assert not contract.current_version.links.exists()


def test_revoking_a_link_shows_it_revoked(team, owner_client):
    sent = sent_contract(team)
    response = owner_client.post(reverse("contract_link_revoke", args=[sent.link.pk]))
    assert response["Location"] == sent.contract.get_absolute_url()
    sent.link.refresh_from_db()
    assert sent.link.revoked_at is not None
    page = owner_client.get(sent.contract.get_absolute_url()).content.decode()
    assert ">revoked<" in page and "Revoke link" not in page

    owner_client.post(url("contract_send", sent.contract), {"to_email": "priya@creator.test"})
    page = owner_client.get(sent.contract.get_absolute_url()).content.decode()
    assert ">revoked<" in page and ">not opened yet<" in page  # a fresh link, same version
    assert sent.version.links.count() == 2


# --- Activate, complete, cancel -------------------------------------------------------------


def _accepted(team):
    sent = sent_contract(team)
    acceptance.contract_accept(
        token=sent.token,
        full_name="Priya Raman",
        acknowledged_disclosure=True,
        acknowledged_usage_rights=True,
        ip="127.0.0.1",
        user_agent="test",
    )
    sent.contract.refresh_from_db()
    return sent.contract


def test_an_accepted_contract_is_activated_then_completed(team, owner_client):
    contract = _accepted(team)
    page = owner_client.get(contract.get_absolute_url()).content.decode()
    assert "Accepted by Priya Raman" in page and ">Activate<" in page

    owner_client.post(url("contract_activate", contract))
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE
    assert "Mark completed" in owner_client.get(contract.get_absolute_url()).content.decode()

    owner_client.post(url("contract_complete", contract))
    contract.refresh_from_db()
    assert contract.status == Contract.Status.COMPLETED


def test_completing_a_draft_is_refused_with_a_message(owner_client, contract):
    response = owner_client.post(url("contract_complete", contract), follow=True)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.DRAFT
    assert 'class="toast toast-error"' in response.content.decode()


def test_cancel_needs_a_reason_and_records_it(owner_client, contract):
    response = owner_client.post(url("contract_cancel", contract), {"reason": ""})
    assert response.status_code == 400
    assert "Say why the contract is cancelled." in response.content.decode()

    owner_client.post(url("contract_cancel", contract), {"reason": "Budget cut"})
    contract.refresh_from_db()
    assert contract.status == Contract.Status.CANCELLED and contract.close_reason == "Budget cut"
    assert "Budget cut" in owner_client.get(contract.get_absolute_url()).content.decode()


# --- Compare and history --------------------------------------------------------------------


def test_compare_shows_a_changed_term_and_a_changed_clause_line(team, owner_client, contract):
    TemplateClauseFactory(
        template=contract.template,
        clause__title="Fee",
        clause__body="The brand pays {{ contract.cash_amount }} {{ contract.currency }}.",
        position=99,
    )
    services.contract_update_draft(contract=contract, by=team.owner, terms={}, deliverables=None)
    acceptance.contract_send(contract=contract, by=team.owner)
    contract.refresh_from_db()
    data = editor_data(contract.current_version, cash_amount="1900.00")
    owner_client.post(url("contract_edit", contract), data)

    page = owner_client.get(url("contract_compare", contract) + "?a=1&b=2").content.decode()

    assert "Terms: version 1 → version 2" in page
    assert "1,250.00" in page and "1,900.00" in page  # the term change, old and new
    assert '<span class="diff-line diff-removed">− The brand pays 1,250.00 EUR.</span>' in page
    assert '<span class="diff-line diff-added">+ The brand pays 1,900.00 EUR.</span>' in page
    assert '<span class="diff-line diff-equal">  The creator keeps the raw footage' in page


def test_the_contract_page_offers_compare_once_there_are_two_versions(team, owner_client):
    sent = sent_contract(team)
    assert (
        "Compare versions"
        not in owner_client.get(sent.contract.get_absolute_url()).content.decode()
    )
    owner_client.post(
        url("contract_edit", sent.contract), editor_data(sent.version, cash_amount="1")
    )
    assert "Compare versions" in owner_client.get(sent.contract.get_absolute_url()).content.decode()


def test_compare_with_a_missing_version_says_which_exist(owner_client, contract):
    response = owner_client.get(url("contract_compare", contract) + "?a=1&b=7")
    assert response.status_code == 200
    assert "This contract has versions 1." in response.content.decode()


def test_history_lists_who_changed_what(team, owner_client, contract):
    page = owner_client.get(url("contract_history", contract)).content.decode()
    assert "History of Priya Raman × Spring launch" in page
    assert "Version 1" in page
    assert "Cash amount" in page  # the edit in draft_contract changed the fee
