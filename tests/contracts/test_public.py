"""The creator's side: reading, accepting and declining a contract through the private link."""

import datetime
import io
import random

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from apps.contracts import acceptance, services
from apps.contracts.models import Contract, ContractDecision, ContractLink
from tests.contracts.sent import CLAUSE_SENTENCE, draft_contract, sent_contract

pytestmark = pytest.mark.django_db

ACCEPT = {
    "full_name": "Priya Raman",
    "acknowledged_disclosure": "on",
    "acknowledged_usage_rights": "on",
}


def _ip() -> str:
    # Each test comes from its own address: the rate-limit counters live in Redis and
    # outlast a test, so a shared address would make later tests hit the limit.
    return f"198.18.{random.randint(0, 255)}.{random.randint(1, 254)}"


@pytest.fixture
def creator() -> Client:
    return Client(REMOTE_ADDR=_ip())


@pytest.fixture
def sent(team):
    return sent_contract(team)


def _url(name: str, token: str) -> str:
    return reverse(name, args=[token])


# --- reading ------------------------------------------------------------------


def test_the_creator_reads_the_contract_and_the_forms(sent, creator, team):
    response = creator.get(_url("contract_public", sent.token))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Priya Raman" in page and "1,250.00 EUR" in page and CLAUSE_SENTENCE in page
    assert "I will mark every sponsored post with “#ad” (in the first line of the caption)." in page
    assert "I grant the usage rights: Brand&#x27;s organic social, Paid ads for 90 days." in page
    assert f'action="/c/{sent.token}/accept/"' in page
    assert f'action="/c/{sent.token}/decline/"' in page
    # Nothing of the app around it: no nav, no team members.
    assert team.owner.email not in page and "teammate@acme.test" not in page
    assert 'class="topbar"' not in page
    sent.link.refresh_from_db()
    assert sent.link.last_opened_at is not None


def test_the_page_runs_a_fixed_number_of_queries(sent, creator, django_assert_max_num_queries):
    # link (+ version, contract, parties), decision check, version for the document,
    # deliverables, decision, last-opened update
    with django_assert_max_num_queries(8):
        response = creator.get(_url("contract_public", sent.token))
    assert response.status_code == 200


def test_the_pages_keep_the_token_from_other_sites_and_search_engines(sent, creator):
    for url in (
        _url("contract_public", sent.token),
        _url("contract_public", "not-a-token"),
        _url("contract_public_pdf", sent.token),
    ):
        response = creator.get(url)
        # same-origin, not no-referrer: that makes browsers send Origin: null with the
        # form's POST, which CSRF refuses (the browser test covers it).
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["X-Robots-Tag"] == "noindex, nofollow", url
        assert "no-store" in response["Cache-Control"], url
    page = creator.get(_url("contract_public", sent.token)).content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert '<meta name="referrer" content="same-origin">' in page


def test_another_contracts_token_never_shows_this_contract(team, creator):
    mine = sent_contract(team, creator_name="Priya Raman", campaign_name="Spring launch")
    other = sent_contract(team, creator_name="John Carter", campaign_name="Summer drop")

    page = creator.get(_url("contract_public", other.token)).content.decode()

    assert "John Carter" in page and "Summer drop" in page
    assert "Priya Raman" not in page and "Spring launch" not in page
    assert f"/c/{mine.token}/" not in page

    creator.post(_url("contract_public_accept", other.token), ACCEPT | {"full_name": "John C"})
    assert Contract.objects.get(pk=mine.contract.pk).status == Contract.Status.SENT
    assert Contract.objects.get(pk=other.contract.pk).status == Contract.Status.ACCEPTED


def test_the_creator_downloads_the_pdf(sent, creator):
    response = creator.get(_url("contract_public_pdf", sent.token))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "Priya Raman" in text and "1,250.00 EUR" in text


# --- answering ----------------------------------------------------------------


def test_accepting_records_name_ip_user_agent_and_the_version_hash(sent, team):
    creator = Client(REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="Mozilla/5.0 (Creator phone)")

    response = creator.post(_url("contract_public_accept", sent.token), ACCEPT)

    assert response.status_code == 302
    assert response["Location"] == _url("contract_public", sent.token)
    decision = ContractDecision.objects.get(version=sent.version)
    assert decision.decision == ContractDecision.Decision.ACCEPTED
    assert decision.full_name == "Priya Raman"
    assert decision.ip_address == "203.0.113.9"
    assert decision.user_agent == "Mozilla/5.0 (Creator phone)"
    sent.version.refresh_from_db()
    assert decision.version_hash == sent.version.content_hash != ""
    assert decision.acknowledged_disclosure and decision.acknowledged_usage_rights
    assert Contract.objects.get(pk=sent.contract.pk).status == Contract.Status.ACCEPTED

    page = creator.get(response["Location"]).content.decode()
    assert "You accepted this contract" in page
    assert "Accepted by <strong>Priya Raman</strong>" in page


def test_a_forwarded_for_header_is_not_trusted_by_default(sent):
    creator = Client(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    creator.post(_url("contract_public_accept", sent.token), ACCEPT)
    assert ContractDecision.objects.get(version=sent.version).ip_address == "203.0.113.9"


def test_behind_a_trusted_proxy_the_forwarded_address_is_recorded(sent, settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1  # TRUSTED_PROXY_COUNT=1
    creator = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.50")
    creator.post(_url("contract_public_accept", sent.token), ACCEPT)
    # The proxy appended the address it saw; what the client put before it is ignored.
    assert ContractDecision.objects.get(version=sent.version).ip_address == "203.0.113.50"


def test_accepting_needs_a_name_and_both_acknowledgements(sent, creator):
    response = creator.post(_url("contract_public_accept", sent.token), {"full_name": " J "})

    assert response.status_code == 400
    page = response.content.decode()
    assert "Type your full name to accept." in page
    assert "Tick this box to confirm the disclosure requirement." in page
    assert "Tick this box to confirm the usage rights." in page
    assert not ContractDecision.objects.exists()
    assert Contract.objects.get(pk=sent.contract.pk).status == Contract.Status.SENT


def test_declining_records_the_comment(sent, creator):
    response = creator.post(
        _url("contract_public_decline", sent.token), {"comment": "The fee is too low for 2 reels."}
    )

    assert response.status_code == 302
    decision = ContractDecision.objects.get(version=sent.version)
    assert decision.decision == ContractDecision.Decision.DECLINED
    assert decision.comment == "The fee is too low for 2 reels."
    assert decision.version_hash == sent.version.content_hash
    assert Contract.objects.get(pk=sent.contract.pk).status == Contract.Status.DECLINED
    page = creator.get(response["Location"]).content.decode()
    assert "You declined this contract" in page


def test_csrf_is_required(sent):
    creator = Client(enforce_csrf_checks=True, REMOTE_ADDR=_ip())

    refused = creator.post(_url("contract_public_accept", sent.token), ACCEPT)
    assert refused.status_code == 403
    assert not ContractDecision.objects.exists()

    creator.get(_url("contract_public", sent.token))  # sets the CSRF cookie
    token = creator.cookies["csrftoken"].value
    accepted = creator.post(
        _url("contract_public_accept", sent.token), ACCEPT | {"csrfmiddlewaretoken": token}
    )
    assert accepted.status_code == 302
    assert ContractDecision.objects.filter(version=sent.version).exists()


# --- links that no longer work --------------------------------------------------


def test_an_unknown_token_gets_a_friendly_404(creator):
    response = creator.get(_url("contract_public", "no-such-token"))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_an_expired_link_says_so(sent, creator):
    ContractLink.objects.filter(pk=sent.link.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    response = creator.get(_url("contract_public", sent.token))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()

    refused = creator.post(_url("contract_public_accept", sent.token), ACCEPT)
    assert refused.status_code == 410
    assert not ContractDecision.objects.exists()


def test_a_revoked_link_says_so(sent, creator, team):
    acceptance.contract_link_revoke(link=sent.link, by=team.owner)

    response = creator.get(_url("contract_public", sent.token))

    assert response.status_code == 410
    assert "This link was withdrawn" in response.content.decode()
    assert creator.get(_url("contract_public_pdf", sent.token)).status_code == 410


def test_a_superseded_link_points_to_the_newer_version(sent, creator, team):
    services.contract_update_draft(
        contract=sent.contract, by=team.owner, terms={"cash_amount": "1400.00"}
    )

    response = creator.get(_url("contract_public", sent.token))

    assert response.status_code == 410
    page = response.content.decode()
    assert "A newer version was sent to you" in page
    assert "1,400.00" not in page and "1,250.00" not in page

    refused = creator.post(_url("contract_public_decline", sent.token), {"comment": "no"})
    assert refused.status_code == 410
    assert not ContractDecision.objects.exists()


def test_an_answered_link_shows_the_decision(sent, creator):
    creator.post(_url("contract_public_accept", sent.token), ACCEPT)

    again = creator.post(_url("contract_public_decline", sent.token), {"comment": "changed mind"})

    assert again.status_code == 200
    assert "You accepted this contract" in again.content.decode()
    assert ContractDecision.objects.get().decision == ContractDecision.Decision.ACCEPTED
    pdf = creator.get(_url("contract_public_pdf", sent.token))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_draft_never_has_a_working_link(team, creator):
    contract = draft_contract(team)
    assert not ContractLink.objects.filter(version__contract=contract).exists()
    assert creator.get(_url("contract_public", "x" * 43)).status_code == 404


# --- rate limits -----------------------------------------------------------------


def test_reading_is_rate_limited_per_ip(sent, still_ratelimit_window):
    creator = Client(REMOTE_ADDR=_ip())
    for _ in range(30):
        assert creator.get(_url("contract_public", "guess")).status_code == 404

    blocked = creator.get(_url("contract_public", sent.token))

    assert blocked.status_code == 429
    assert "Too many requests" in blocked.content.decode()
    assert blocked["Retry-After"] == "60"
    assert Client(REMOTE_ADDR=_ip()).get(_url("contract_public", sent.token)).status_code == 200


def test_answering_is_rate_limited_per_ip(sent, still_ratelimit_window):
    creator = Client(REMOTE_ADDR=_ip())
    for _ in range(10):
        assert creator.post(_url("contract_public_accept", sent.token), {}).status_code == 400

    blocked = creator.post(_url("contract_public_accept", sent.token), ACCEPT)

    assert blocked.status_code == 429
    assert "Wait a minute" in blocked.content.decode()
    assert not ContractDecision.objects.exists()
