"""The disclosure check (pure: no database)."""

import pytest

from apps.reporting.disclosure import disclosure_check

FIRST = "In the first line of the caption"
ANYWHERE = "Anywhere in the caption"


@pytest.mark.parametrize(
    ("caption", "label", "placement", "status", "detail"),
    [
        ("#ad Loving these trainers", "#ad", FIRST, "passed", "#ad is in the first line."),
        ("#AD loving these", "#ad", FIRST, "passed", "#ad is in the first line."),
        ("\n\n  Sponsored: #ad, trainers", "#ad", FIRST, "passed", "#ad is in the first line."),
        (
            "Trainers!\nMore text #ad",
            "#ad",
            FIRST,
            "failed",
            "#ad is in the caption but not in the first line.",
        ),
        ("Trainers!\nMore text", "#ad", FIRST, "failed", "#ad is not in the first line."),
        ("#adventure time in the hills", "#ad", FIRST, "failed", "#ad is not in the first line."),
        ("Great day #adventure\n#ads", "#ad", ANYWHERE, "failed", "#ad is not in the caption."),
        ("Trainers!\nMore text #ad", "#ad", ANYWHERE, "passed", "#ad is in the caption."),
        (
            "Trainers! #ad.",
            "#ad",
            "At the start of the caption",
            "passed",
            "#ad is in the first line.",
        ),
        ("Anzeige | neue Schuhe", "Anzeige", FIRST, "passed", "Anzeige is in the first line."),
        ("Anzeigentext", "Anzeige", FIRST, "failed", "Anzeige is not in the first line."),
        (
            "#werbung neue Schuhe",
            "#ad or #werbung",
            FIRST,
            "passed",
            "#ad or #werbung is in the first line.",
        ),
        (
            "#sponsored trainers",
            "#ad, #sponsored",
            FIRST,
            "passed",
            "#ad or #sponsored is in the first line.",
        ),
        (
            "no label at all",
            "",
            FIRST,
            "not_required",
            "The contract requires no disclosure label.",
        ),
        ("", "#ad", FIRST, "failed", "#ad is not in the first line."),
    ],
)
def test_it_checks_the_caption(caption, label, placement, status, detail):
    result = disclosure_check(caption, label, placement)
    assert (result.status, result.detail) == (status, detail)


def test_an_unknown_caption_is_not_checked_yet():
    result = disclosure_check(None, "#ad", FIRST)
    assert result.status == "unchecked"
    assert "not known yet" in result.detail


def test_the_paid_partnership_label_cannot_be_seen_through_the_api():
    result = disclosure_check("#ad nice", "Paid partnership", FIRST)
    assert result.status == "unchecked"
    assert "API does not show" in result.detail
    assert "check the post by hand" in result.detail


def test_a_text_label_next_to_the_paid_partnership_label_is_still_checked():
    result = disclosure_check("nice shoes", "Paid partnership or #ad", FIRST)
    assert result.status == "failed"
    assert result.detail == "#ad is not in the first line."
