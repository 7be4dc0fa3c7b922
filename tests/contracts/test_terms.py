"""Clause merge fields: the terms in words, rendered in the outreach sandbox, plain text."""

import datetime
from decimal import Decimal

import pytest

from apps.campaigns import templating
from apps.contracts import terms
from apps.contracts.models import Deliverable

from .test_services_support import card_for, draft_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(team):
    card = card_for(team, name="Jane <b>Doe</b>")
    contract = draft_for(
        team,
        card=card,
        cash_amount="1500",
        product_description="Glow Serum {{ creator.name }}",
        product_value="45",
        payment_schedule="split",
        payment_splits=[
            {"percent": 30, "when": "on signing"},
            {"percent": 70, "when": "on delivery"},
        ],
        commission_per_conversion="2.5",
        usage_channels=["organic_social", "paid_ads"],
        usage_duration_days=90,
        paid_ads_whitelisting=True,
        exclusivity_days=30,
        exclusivity_competitors=["Glossy", "Shine"],
        approval_required=True,
        approval_turnaround_days=2,
        report_metrics=["views", "clicks"],
        tracking_methods=["promo_code"],
        reporting_schedule="end_of_campaign",
    )
    return contract.current_version


def test_the_terms_in_words(version):
    values = terms.merge_values(version)
    assert values["creator.name"] == "Jane <b>Doe</b>"  # plain text: pages escape it
    assert values["contract.cash_amount"] == "1,500.00"
    assert values["contract.compensation"] == (
        "1,500.00 EUR in cash and Glow Serum {{ creator.name }} (worth 45.00 EUR)"
    )
    assert values["contract.payment_schedule"] == "30% on signing; 70% on delivery"
    assert values["contract.commission"] == "2.50 EUR per conversion"
    assert values["contract.promo_code_bonus"] == "none"
    assert values["contract.start_date"] == "1 March 2026"
    assert values["contract.usage_rights"] == (
        "The brand may use the content on Brand's organic social and Paid ads for 90 days; "
        "the creator's account may be whitelisted for paid ads."
    )
    assert values["contract.exclusivity"] == (
        "The creator will not work with competing brands for 30 days (namely Glossy and Shine)."
    )
    assert values["contract.approval"] == (
        "Content is approved by the brand before posting; the brand answers within 2 days."
    )
    assert values["contract.reporting"] == (
        "The creator reports views and clicks, tracked by promo code, at the end of the campaign."
    )
    assert values["contract.deliverables"] == (
        "- 1 × Instagram Reel, due 31 March 2026, with #ad\n- 1 × TikTok Short, due 31 March 2026, with #ad"
    )
    assert set(values) == set(terms.MERGE_FIELDS)


def test_defaults_read_as_plain_sentences(team):
    version = draft_for(team).current_version
    values = terms.merge_values(version)
    assert values["contract.exclusivity"] == "No exclusivity."
    assert (
        values["contract.approval"] == "Content does not need the brand's approval before posting."
    )
    assert values["contract.compensation"] == "no compensation"
    assert values["contract.payment_schedule"] == "On delivery"


def test_values_are_filled_once_and_never_expanded(version):
    body = terms.render_clause("You get {{ contract.compensation }}.", terms.merge_values(version))
    assert (
        body == "You get 1,500.00 EUR in cash and Glow Serum {{ creator.name }} (worth 45.00 EUR)."
    )


def test_a_blank_term_reads_not_specified(team):
    version = draft_for(team).current_version
    body = terms.render_clause(
        "Frequency: {{ contract.posting_frequency }}", terms.merge_values(version)
    )
    assert body == "Frequency: (not specified)"


def test_clause_validation_uses_the_contract_fields(version):
    assert terms.validate_clause("Pay {{ contract.cash_amount }} to {{ creator.name }}") == []
    [unknown] = terms.validate_clause("{{ offer }}")  # an outreach field, not a contract one
    assert unknown.kind == "unknown_field" and "contract.cash_amount" in unknown.message
    [guess] = terms.validate_clause("{{ contract.cash_amout }}")
    assert "did you mean {{ contract.cash_amount }}" in guess.message
    [tag] = terms.validate_clause("{% if contract.cash_amount %}")
    assert tag.kind == "unsupported_syntax"
    [attr] = terms.validate_clause("{{ contract.__class__ }}")
    assert attr.kind == "invalid_placeholder"


def test_outreach_templates_still_refuse_contract_fields():
    [error] = templating.validate("{{ contract.cash_amount }}")
    assert error.kind == "unknown_field" and "creator.first_name" in error.message


def test_render_body_numbers_the_clauses(version):
    clauses = [
        terms.ClauseText(
            "Fee", "compensation", "{{ contract.cash_amount }} {{ contract.currency }}"
        ),
        terms.ClauseText("Who", "other", "{{ creator.name }}"),
    ]
    assert terms.render_body(version, clauses=clauses) == (
        "1. Fee\n1,500.00 EUR\n\n2. Who\nJane <b>Doe</b>\n"
    )


def test_standard_clauses_are_all_valid():
    for clause in terms.STANDARD_CLAUSES:
        assert terms.validate_clause(clause.body) == [], clause.title


def test_version_terms_are_canonical_json(version):
    data = terms.version_terms(version)
    assert data["cash_amount"] == "1500.00" and data["product_value"] == "45.00"
    assert data["start_date"] == "2026-03-01"
    assert data["payment_splits"] == [
        {"percent": "30", "when": "on signing"},
        {"percent": "70", "when": "on delivery"},
    ]
    assert [d["platform"] for d in data["deliverables"]] == ["instagram", "tiktok"]
    assert "completed_at" not in data["deliverables"][0]  # tracking is not a term


def test_completing_a_deliverable_does_not_change_the_hash(version):
    before = terms.version_hash(version)
    Deliverable.objects.filter(version=version).update(
        completed_at=datetime.datetime(2026, 3, 2, tzinfo=datetime.UTC)
    )
    assert terms.version_hash(version) == before
    version.cash_amount = Decimal("1500.01")
    assert terms.version_hash(version) != before


@pytest.mark.django_db
def test_the_hash_names_the_parties_so_equal_terms_for_two_creators_differ():
    from tests.factories import ContractFactory

    first, second = ContractFactory(), ContractFactory()
    for contract in (first, second):
        contract.current_version.body = "Same words."
        contract.current_version.save()
    assert terms.version_terms(first.current_version) == terms.version_terms(second.current_version)
    assert terms.version_hash(first.current_version) != terms.version_hash(second.current_version)
