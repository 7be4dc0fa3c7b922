"""The report's charts: server-rendered SVG built on apps.creators.charts (no JavaScript).

Views and engagements per day are single lines (`line_chart`). Cumulative spend
against revenue needs two lines on ONE scale, so it is drawn here with the same
helpers and classes. Every chart has <title>/<desc>; the page adds a data table.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from apps.creators import charts
from apps.creators.charts import HEIGHT, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, WIDTH


def _money(value: float) -> str:
    return f"{value:,.0f}"


def per_day_chart(points: Sequence[tuple[date, int]], *, title: str, chart_id: str) -> SafeString:
    return charts.line_chart(points, title=title, chart_id=chart_id)


def spend_revenue_chart(
    spend: Sequence[tuple[date, Decimal]],
    revenue: Sequence[tuple[date, Decimal]],
    *,
    currency: str,
    chart_id: str,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """Cumulative spend (line) and revenue (dashed line) on one value scale."""
    title = f"Cumulative spend and revenue ({currency})"
    title_id, desc_id = escape(f"{chart_id}-title"), escape(f"{chart_id}-desc")
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, height - MARGIN_BOTTOM
    days = sorted({d for d, _ in spend} | {d for d, _ in revenue})
    values = [float(v) for _, v in (*spend, *revenue)]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{title_id}">{escape(title)}</title>',
    ]
    if not days:
        parts.append(f'<desc id="{desc_id}">No data yet.</desc>')
        parts.append(
            charts._text(
                (left + right) / 2, (top + bottom) / 2, "No data yet", "middle", "chart-empty"
            )
        )
        parts.append("</svg>")
        return mark_safe("".join(parts))  # noqa: S308 -- escaped above
    first, last = days[0], days[-1]
    span = (last - first).days or 1
    high = max(values + [0.0]) or 1.0

    def xy(day: date, value: Decimal) -> str:
        x = left + (right - left) * (day - first).days / span
        y = bottom - (bottom - top) * float(value) / high
        return f"{x:.1f},{y:.1f}"

    final_spend = spend[-1][1] if spend else Decimal(0)
    final_revenue = revenue[-1][1] if revenue else Decimal(0)
    description = (
        f"From {first:%-d %b %Y} to {last:%-d %b %Y}: spend reaches {_money(float(final_spend))} "
        f"{currency} and revenue {_money(float(final_revenue))} {currency}."
    )
    parts += [
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        charts._line(left, bottom, right, bottom, "chart-axis"),
        charts._line(left, top, left, bottom, "chart-axis"),
        charts._line(left, top, right, top, "chart-grid"),
        charts._text(left - 6, top + 4, _money(high), "end"),
        charts._text(left - 6, bottom, "0", "end"),
        charts._text(left, height - 8, f"{first:%-d %b %Y}", "start"),
        charts._text(right, height - 8, f"{last:%-d %b %Y}", "end"),
    ]
    for series, css, dash in (
        (spend, "chart-line chart-spend", ""),
        (revenue, "chart-line chart-revenue", ' stroke-dasharray="6 4"'),
    ):
        if series:
            points = " ".join(xy(d, v) for d, v in series)
            parts.append(
                f'<polyline points="{points}" class="{css}" fill="none" stroke="currentColor" '
                f'stroke-width="2"{dash}/>'
            )
    parts.append(charts._text(right, top + 14, "— spend  - - revenue", "end", "chart-label"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text above is escaped or ours
