"""Who changed what and when, read from the pghistory events the triggers write."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from pghistory.middleware import HistoryMiddleware

from apps.contracts import history, services

from .test_services_support import accept, draft_for, sent_for

pytestmark = pytest.mark.django_db


def through_a_request(user, action):
    """Run `action` inside a real request passing through HistoryMiddleware as `user`."""
    request = RequestFactory().post("/contracts/edit/")
    request.user = user

    def view(request):
        action()
        return HttpResponse("ok")

    return HistoryMiddleware(view)(request)


def test_a_change_made_in_a_request_is_attributed_to_the_user(team):
    contract = draft_for(team, cash_amount="500")
    team.owner.full_name = "Olivia Owner"
    team.owner.save()

    through_a_request(
        team.owner,
        lambda: services.contract_update_draft(
            contract=contract,
            by=team.owner,
            terms={"cash_amount": "800", "posting_frequency": "Weekly"},
        ),
    )

    entries = history.contract_history(contract)
    [edit] = [
        e for e in entries if e.what == "Version 1" and not e.created and e.user == "Olivia Owner"
    ]
    changes = {c.field: (c.old, c.new) for c in edit.changes}
    assert changes["Cash amount"] == (500, 800) or changes["Cash amount"][1] == 800
    assert changes["Posting frequency"] == ("", "Weekly")
    assert "Body" in changes  # the text was re-rendered in the same save


def test_status_changes_and_the_creators_acceptance_are_listed_newest_first(team):
    contract, token = sent_for(team)
    through_a_request(team.teammate, lambda: None)  # unrelated request: no entry
    accept(token, name="Jane Doe")

    entries = history.contract_history(contract)

    statuses = [
        next(c for c in e.changes if c.field == "Status")
        for e in entries
        if e.what == "Contract" and any(c.field == "Status" for c in e.changes)
    ]
    assert [(c.old, c.new) for c in statuses] == [("sent", "accepted"), ("draft", "sent")]
    accepted = next(e for e in entries if any(c.new == "accepted" for c in e.changes))
    assert accepted.user == "Jane Doe (creator)"
    assert entries == sorted(entries, key=lambda e: e.at, reverse=True)
    assert any(e.what.startswith("Link to jane@creator.test") and e.created for e in entries)


def test_a_deliverable_taken_off_a_draft_is_listed_as_removed_with_what_it_was(team, owner_client):
    contract = draft_for(team)
    reel = {"platform": "instagram", "format": "reel", "due_date": "2026-03-31"}
    video = {"platform": "youtube", "format": "video", "quantity": 2, "due_date": "2026-03-20"}
    services.contract_update_draft(
        contract=contract, by=team.owner, terms={}, deliverables=[reel, video]
    )

    through_a_request(
        team.owner,
        lambda: services.contract_update_draft(
            contract=contract, by=team.owner, terms={}, deliverables=[reel]
        ),
    )

    [removed] = [e for e in history.contract_history(contract) if e.action == "removed"]
    assert removed.what == "Deliverable 2 of version 1"
    assert removed.user != "System"  # the request's user
    gone = {c.field: (c.old, c.new) for c in removed.changes}
    assert gone["Platform"] == ("youtube", None) and gone["Quantity"] == (2, None)
    page = owner_client.get(reverse("contract_history", args=[contract.pk])).content.decode()
    assert "removed Deliverable 2 of version 1" in page


def test_history_reads_in_a_fixed_number_of_queries(team, django_assert_max_num_queries):
    contract, token = sent_for(team)
    services.contract_update_draft(contract=contract, by=team.owner, terms={"cash_amount": "1"})
    with django_assert_max_num_queries(6):
        entries = history.contract_history(contract)
    assert len(entries) > 5
