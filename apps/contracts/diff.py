"""Two contract versions side by side: which terms changed, and the text line by line."""

from __future__ import annotations

import datetime
import difflib
from dataclasses import dataclass, field
from decimal import Decimal

from . import terms as terms_module
from .models import (
    ContractVersion,
    DeliverableFormat,
    PaymentSchedule,
    ReportingSchedule,
    ReportMetric,
    TrackingMethod,
    UsageChannel,
)
from .terms import TERM_FIELDS

EMPTY = "—"

# Choice labels for the fields whose stored values are codes.
_CHOICES = {
    "payment_schedule": dict(PaymentSchedule.choices),
    "reporting_schedule": dict(ReportingSchedule.choices),
    "usage_channels": dict(UsageChannel.choices),
    "report_metrics": dict(ReportMetric.choices),
    "tracking_methods": dict(TrackingMethod.choices),
    "format": dict(DeliverableFormat.choices),
}


@dataclass(frozen=True)
class TermChange:
    label: str
    old: str
    new: str


@dataclass
class VersionDiff:
    old: ContractVersion
    new: ContractVersion
    terms: list[TermChange] = field(default_factory=list)
    # ("equal" | "removed" | "added", line) for every line of the two texts.
    body: list[tuple[str, str]] = field(default_factory=list)

    @property
    def has_changes(self) -> bool:
        return bool(self.terms) or any(op != "equal" for op, _ in self.body)


def _label(name: str) -> str:
    return str(ContractVersion._meta.get_field(name).verbose_name).capitalize()


def readable(name: str, value) -> str:
    """One canonical term value (from terms.version_terms) as the diff shows it."""
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name == "payment_splits":
        return "; ".join(f"{s.get('percent')}% {s.get('when', '')}".strip() for s in value)
    if name in terms_module.MONEY_FIELDS:
        return terms_module.format_amount(Decimal(value))
    if name in terms_module.DATE_FIELDS:
        return terms_module.format_date(datetime.date.fromisoformat(value))
    labels = _CHOICES.get(name)
    if isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) if labels else str(v) for v in value)
    if labels:
        return str(labels.get(value, value))
    return str(value)


def _deliverable_text(row: dict | None) -> str:
    if row is None:
        return EMPTY
    parts = [
        f"{row['quantity']} × {row['platform'].capitalize()} {readable('format', row['format'])}"
    ]
    if row.get("due_date"):
        parts.append(f"due {readable('due_date', row['due_date'])}")
    for name in ("required_hashtags", "required_mentions", "required_links"):
        if row.get(name):
            parts.append(" ".join(row[name]))
    for name, word in (("reach_goal", "reach goal"), ("engagement_goal", "engagement goal")):
        if row.get(name):
            parts.append(f"{word} {row[name]:,}")
    if row.get("description"):
        parts.append(row["description"])
    return ", ".join(parts)


def version_diff(old: ContractVersion, new: ContractVersion) -> VersionDiff:
    """What changed from `old` to `new` (any two versions of one contract, either order)."""
    if old.contract_id != new.contract_id:
        raise ValueError("Only versions of the same contract can be compared.")
    a, b = terms_module.version_terms(old), terms_module.version_terms(new)
    diff = VersionDiff(old=old, new=new)
    for name in TERM_FIELDS:
        if a[name] != b[name]:
            diff.terms.append(
                TermChange(_label(name), readable(name, a[name]), readable(name, b[name]))
            )
    old_rows, new_rows = a["deliverables"], b["deliverables"]
    for i in range(max(len(old_rows), len(new_rows))):
        before = old_rows[i] if i < len(old_rows) else None
        after = new_rows[i] if i < len(new_rows) else None
        if before != after:
            diff.terms.append(
                TermChange(
                    f"Deliverable {i + 1}", _deliverable_text(before), _deliverable_text(after)
                )
            )
    diff.body = body_diff(old.body, new.body)
    return diff


def body_diff(old: str, new: str) -> list[tuple[str, str]]:
    a, b = old.splitlines(), new.splitlines()
    lines: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            lines.extend(("equal", line) for line in a[i1:i2])
            continue
        lines.extend(("removed", line) for line in a[i1:i2])
        lines.extend(("added", line) for line in b[j1:j2])
    return lines
