"""The contract document: the printable page of one version and its PDF."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from apps.contracts import acceptance, documents
from apps.contracts.models import ContractVersion
from tests.contracts.sent import CLAUSE_SENTENCE, draft_contract, sent_contract

pytestmark = pytest.mark.django_db


def _url(contract, number=1, name="contract_document"):
    return reverse(name, args=[contract.pk, number])


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_it_shows_parties_terms_deliverables_clauses_and_hash(team, owner_client):
    sent = sent_contract(team)

    response = owner_client.get(_url(sent.contract))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Priya Raman" in page
    assert "Acme Shoes" in page  # the brand; the workspace signs on its behalf
    assert "Acme Brand" in page
    assert "1,250.00 EUR" in page
    assert "Instagram" in page and "Reel" in page and "#AcmeSpring" in page
    assert "Brand&#x27;s organic social, Paid ads" in page and "90 days" in page
    assert CLAUSE_SENTENCE in page
    assert "Version 1" in page
    assert sent.version.content_hash and sent.version.content_hash in page
    assert "Not answered yet" in page
    head = page.split("</head>")[0]
    assert 'href="/static/css/print.css" media="print"' in head  # a stylesheet belongs in <head>


def test_a_teammate_and_a_viewer_can_read_it(team):
    contract = draft_contract(team)
    for user in (team.teammate, team.viewer):
        response = team.client_for(user).get(_url(contract))
        assert response.status_code == 200
        assert "draft, not sent yet" in response.content.decode()


def test_outsider_gets_404(team, outsider_client):
    contract = draft_contract(team)
    assert outsider_client.get(_url(contract)).status_code == 404
    assert outsider_client.get(_url(contract, name="contract_pdf")).status_code == 404


def test_an_unknown_version_number_is_404(team, owner_client):
    contract = draft_contract(team)
    assert owner_client.get(_url(contract, number=7)).status_code == 404


def test_the_clause_text_is_escaped_and_kept_in_paragraphs(team, owner_client):
    contract = draft_contract(team)
    ContractVersion.objects.filter(pk=contract.current_version_id).update(
        body="First <script>alert(1)</script> part.\n\nSecond part,\nsame paragraph."
    )

    page = owner_client.get(_url(contract)).content.decode()

    assert "<script>alert(1)</script>" not in page
    assert "First &lt;script&gt;alert(1)&lt;/script&gt; part." in page
    assert "<p>Second part,<br>same paragraph.</p>" in page


def test_it_shows_the_acceptance_record(team, owner_client):
    sent = sent_contract(team)
    acceptance.contract_accept(
        token=sent.token,
        full_name="Priya Raman",
        acknowledged_disclosure=True,
        acknowledged_usage_rights=True,
        ip="203.0.113.9",
        user_agent="Test browser",
    )

    page = owner_client.get(_url(sent.contract)).content.decode()

    assert "Accepted on" in page
    assert "203.0.113.9" in page
    assert page.count(sent.version.content_hash) == 2  # the version's and the decision's


def test_the_page_runs_a_fixed_number_of_queries(team, owner_client, django_assert_max_num_queries):
    sent = sent_contract(team)
    # session, user, membership, version (+ parties), deliverables, decision
    with django_assert_max_num_queries(8):
        response = owner_client.get(_url(sent.contract))
    assert response.status_code == 200


def test_the_pdf_is_a_pdf_with_the_terms_in_it(team, owner_client):
    sent = sent_contract(team)

    response = owner_client.get(_url(sent.contract, name="contract_pdf"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="contract-{sent.contract.pk}-v1-priya-raman.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    assert "Priya Raman" in text
    assert "1,250.00 EUR" in text
    assert "Reel" in text and "#AcmeSpring" in text
    assert "#ad" in text
    assert CLAUSE_SENTENCE in " ".join(text.split())


def test_the_pdf_writes_names_beyond_western_european_letters(team, owner_client):
    # Helvetica drew these as black boxes; the PDFs embed DejaVu Sans.
    name = "Łukasz Żółć-Дарья Ελένη Şule"
    contract = draft_contract(team, creator_name=name)

    response = owner_client.get(_url(contract, name="contract_pdf"))

    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert name in text
    assert "■" not in text


def test_a_failed_pdf_shows_a_friendly_page(team, owner_client, monkeypatch):
    from xhtml2pdf import pisa

    def broken(*args, **kwargs):
        raise ValueError("reportlab exploded")

    monkeypatch.setattr(pisa, "CreatePDF", broken)
    contract = draft_contract(team)

    response = owner_client.get(_url(contract, name="contract_pdf"))

    assert response.status_code == 503
    page = response.content.decode()
    assert "The PDF could not be made" in page
    assert _url(contract) in page


def test_html_to_pdf_makes_a_pdf_and_fetches_nothing_remote():
    assert documents._local_files_only("http://169.254.169.254/latest/meta-data", "") == ""
    assert documents._local_files_only("file:///etc/passwd", "") == ""
    pdf = documents.html_to_pdf(
        '<html><body><p>Hello report</p><img src="http://127.0.0.1:9/x.png"></body></html>'
    )
    assert pdf.startswith(b"%PDF")
    assert "Hello report" in _pdf_text(pdf)


def test_the_filename_is_safe_for_any_creator_name(team):
    contract = draft_contract(team, creator_name='Zoë "x"; filename=evil.exe')
    name = documents.pdf_filename(contract.current_version)
    assert name == f"contract-{contract.pk}-v1-zoe-x-filenameevilexe.pdf"
