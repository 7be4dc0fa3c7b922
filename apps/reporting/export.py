"""The campaign report as CSV: one row per creator, then the totals.

Spreadsheets run a cell that starts with = + - @ (or a tab / carriage return) as a
formula, so every text cell that comes from users (creator and campaign names) and
starts so is prefixed with a single quote (OWASP "CSV injection"). Numbers are ours.
Money columns hold the amount in the report's currency, or the amounts per currency
when a rate is missing (never a blind sum).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from .dashboard import CampaignReport, CreatorRow
from .money import Money

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
METRIC_KEYS = ("engagement_rate", "cpm", "cpe", "cpc", "cpa", "roas", "roi")


def safe_cell(value) -> str:
    """A cell a spreadsheet shows as text, never runs."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _money(value: Money | None) -> str:
    if value is None:
        return ""
    if value.total is not None:
        return f"{value.total:.2f}"
    return " + ".join(f"{amount:.2f} {code}" for code, amount in value.per_currency())


def _metric(row: CreatorRow, key: str) -> str:
    metric = row.metrics[key]
    if metric.value is None:
        return ""
    if isinstance(metric.value, Decimal):
        return f"{metric.value:.4f}"
    return f"{metric.value:.6f}"


HEADER = [
    "Creator", "Posts live", "Posts planned", "Views to date", "Views in range", "Reach",
    "Engagements to date", "Engagements in range", "Clicks", "Conversions",
    "Revenue", "Spend", "Currency",
    "Engagement rate", "CPM", "CPE", "CPC", "CPA", "ROAS", "ROI",
]  # fmt: skip


def _line(row: CreatorRow, currency: str) -> list[str]:
    # Only the name comes from users; the other cells are numbers we format (a negative
    # ROI must stay a number, so they do not go through safe_cell's "-" rule).
    values = [
        row.posts_live, row.posts_planned, row.views, row.views_in_range, row.reach,
        row.engagements, row.engagements_in_range, row.clicks, row.conversions,
        _money(row.revenue), _money(row.spend), currency,
        *(_metric(row, key) for key in METRIC_KEYS),
    ]  # fmt: skip
    return [safe_cell(row.name), *("" if value is None else str(value) for value in values)]


def report_csv(report: CampaignReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            safe_cell(f"Report of {report.campaign.name}"),
            f"{report.filters.start.isoformat()} to {report.filters.end.isoformat()}",
        ]
    )
    if report.money_refusal:
        writer.writerow([safe_cell(report.money_refusal)])
    writer.writerow(HEADER)
    for row in report.rows:
        writer.writerow(_line(row, report.currency))
    writer.writerow(_line(report.totals, report.currency))
    return out.getvalue()
