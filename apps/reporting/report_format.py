"""Text for the report's numbers, shared by the templates (report_tags), the table rows
built in Python (report_table) and the emails: "—" for what cannot be computed,
money per currency when it cannot be added up."""

from __future__ import annotations

from decimal import Decimal

from apps.creators import metrics

from .dashboard import Metric
from .money import Money


def amount_text(value: Decimal) -> str:
    return f"{value:,.2f}"


def metric_text(metric: Metric | None, currency: str = "") -> str:
    if metric is None or metric.value is None:
        return "—"
    if metric.kind == "percent":
        return metrics.format_percent(float(metric.value))
    if metric.kind == "ratio":
        return f"{Decimal(metric.value):.2f}×"
    return f"{amount_text(Decimal(metric.value))} {currency}".strip()


def money_text(value: Money | None) -> str:
    """The converted total, else the amounts per currency (never added up blindly)."""
    if value is None:
        return "—"
    if value.is_zero:
        return f"0.00 {value.currency}"
    if value.total is not None and not value.is_mixed:
        return f"{amount_text(value.total)} {value.currency}"
    parts = " + ".join(f"{amount_text(amount)} {code}" for code, amount in value.per_currency())
    if value.total is not None:
        return f"{amount_text(value.total)} {value.currency} ({parts})"
    return parts


def count_text(number) -> str:
    return f"{number:,}" if isinstance(number, int) else "—"
