"""Disclosure check: does a post's caption carry the label its contract requires?

Pure: caption, label and placement in; a status and a sentence for people out. The
contract stores the placement as free text (default "In the first line of the
caption"), so it is read loosely: anything that speaks of the first line, the start or
the beginning means the first line; everything else means anywhere in the caption.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PASSED = "passed"
FAILED = "failed"
NOT_REQUIRED = "not_required"
UNCHECKED = "unchecked"

FIRST_LINE = "first_line"
ANYWHERE = "anywhere"

_FIRST_LINE_WORDS = re.compile(r"first line|start|beginning|above the fold|opening", re.I)
_PAID_PARTNERSHIP = re.compile(r"paid[\s-]*partnership|paid promotion|branded content", re.I)
_SEPARATORS = re.compile(r"\s*(?:,|;|/|\bor\b)\s*", re.I)


@dataclass(frozen=True)
class DisclosureResult:
    status: str
    detail: str


def placement_kind(placement: str) -> str:
    return FIRST_LINE if _FIRST_LINE_WORDS.search(placement or "") else ANYWHERE


def first_line(caption: str) -> str:
    for line in caption.splitlines():
        if line.strip():
            return line
    return ""


def label_pattern(label: str) -> re.Pattern:
    """A whole-word/whole-tag match: '#ad' finds '#AD' and '#ad,' but not '#adventure'."""
    escaped = re.escape(label)
    before = r"(?<![\w#@])" if label[:1].isalnum() or label[:1] in "#@" else ""
    after = r"(?!\w)" if label[-1:].isalnum() or label[-1:] == "_" else ""
    return re.compile(before + escaped + after, re.IGNORECASE)


def labels_of(label: str) -> list[str]:
    """'#ad or #sponsored' / '#ad, #werbung' -> every accepted label."""
    return [part.strip() for part in _SEPARATORS.split(label or "") if part.strip()]


def disclosure_check(caption: str | None, label: str, placement: str) -> DisclosureResult:
    """Check `caption` for `label` at `placement`. `caption` None means not known yet."""
    labels = labels_of(label)
    if not labels:
        return DisclosureResult(NOT_REQUIRED, "The contract requires no disclosure label.")
    platform_labels = [item for item in labels if _PAID_PARTNERSHIP.search(item)]
    text_labels = [item for item in labels if item not in platform_labels]
    if platform_labels and not text_labels:
        return DisclosureResult(
            UNCHECKED,
            f"“{platform_labels[0]}” is the platform's own label, which the API does not show: "
            "check the post by hand.",
        )
    if caption is None:
        return DisclosureResult(UNCHECKED, "The caption is not known yet.")
    names = " or ".join(text_labels)
    where = placement_kind(placement)
    searched = first_line(caption) if where == FIRST_LINE else caption
    if any(label_pattern(item).search(searched) for item in text_labels):
        place = "in the first line" if where == FIRST_LINE else "in the caption"
        return DisclosureResult(PASSED, f"{names} is {place}.")
    if where == FIRST_LINE and any(label_pattern(item).search(caption) for item in text_labels):
        return DisclosureResult(FAILED, f"{names} is in the caption but not in the first line.")
    if where == FIRST_LINE:
        return DisclosureResult(FAILED, f"{names} is not in the first line.")
    return DisclosureResult(FAILED, f"{names} is not in the caption.")
