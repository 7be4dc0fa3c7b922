"""Comparing two versions: the changed terms in words and the text line by line."""

import pytest

from apps.contracts import services
from apps.contracts.diff import TermChange, body_diff, version_diff

from .test_services_support import draft_for, sent_for

pytestmark = pytest.mark.django_db


def test_it_lists_changed_terms_and_deliverables_in_words(team):
    contract, _token = sent_for(team, usage_channels=["organic_social"])
    v1 = contract.current_version
    v2 = services.contract_update_draft(
        contract=contract,
        by=team.owner,
        terms={
            "cash_amount": "750",
            "payment_schedule": "split",
            "payment_splits": [
                {"percent": "50", "when": "now"},
                {"percent": "50", "when": "later"},
            ],
            "usage_channels": ["organic_social", "paid_ads"],
            "paid_ads_whitelisting": True,
        },
        deliverables=[
            {
                "platform": "instagram",
                "format": "reel",
                "due_date": "2026-03-31",
                "required_hashtags": ["#ad"],
            },
        ],
    )

    diff = version_diff(v1, v2)

    assert diff.terms == [
        TermChange("Cash amount", "500.00", "750.00"),
        TermChange("Payment schedule", "On delivery", "Split"),
        TermChange("Payment splits", "—", "50% now; 50% later"),
        TermChange("Usage channels", "Brand's organic social", "Brand's organic social, Paid ads"),
        TermChange("Paid ads whitelisting", "No", "Yes"),
        TermChange("Deliverable 2", "1 × Tiktok Short, due 31 March 2026, #ad", "—"),
    ]
    assert diff.has_changes
    assert ("removed", "The creator receives 500.00 EUR in cash.") in diff.body
    assert ("added", "The creator receives 750.00 EUR in cash.") in diff.body
    assert ("equal", "4. Timing") in diff.body


def test_the_same_version_has_no_changes(team):
    version = draft_for(team).current_version
    diff = version_diff(version, version)
    assert diff.terms == [] and not diff.has_changes
    assert all(op == "equal" for op, _ in diff.body)


def test_versions_of_different_contracts_are_not_compared(team):
    a = draft_for(team).current_version
    b = draft_for(team).current_version
    with pytest.raises(ValueError, match="same contract"):
        version_diff(a, b)


def test_body_diff_keeps_the_order_of_lines():
    assert body_diff("a\nb\nc", "a\nB\nc\nd") == [
        ("equal", "a"),
        ("removed", "b"),
        ("added", "B"),
        ("equal", "c"),
        ("added", "d"),
    ]
