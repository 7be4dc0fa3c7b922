"""Server-rendered SVG line charts for the creator page (no JavaScript, CSP-safe).

`line_chart()` is a pure function: dated values in, SVG markup out. Colours come
from classes styled in static/css/app.css; presentation attributes (fill="none")
keep the chart readable on its own, and no style="" attribute is used because
the Content Security Policy forbids inline styles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 400, 180
# Room around the plot for the axis labels: left for values, bottom for dates.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 64, 12, 14, 30


@dataclass(frozen=True)
class PlotPoint:
    day: date
    value: float
    x: float
    y: float


def _default_format(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:g}"


def _date_label(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def plot_coordinates(
    points: Sequence[tuple[date, float | None]], width: int = WIDTH, height: int = HEIGHT
) -> list[PlotPoint]:
    """Map dated values onto the plot area; x follows the calendar, so gaps stay gaps.

    Missing values (None) are dropped. The lowest value sits on the bottom edge and
    the highest on the top edge; a flat series (or a single point) sits mid-height,
    and a single date sits mid-width.
    """
    known = sorted((day, float(value)) for day, value in points if value is not None)
    if not known:
        return []
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, height - MARGIN_BOTTOM
    first, last = known[0][0], known[-1][0]
    low, high = min(v for _, v in known), max(v for _, v in known)
    span_days = (last - first).days
    plotted = []
    for day, value in known:
        x = (
            left + (right - left) * (day - first).days / span_days
            if span_days
            else (left + right) / 2
        )
        y = (
            bottom - (bottom - top) * (value - low) / (high - low)
            if high > low
            else (top + bottom) / 2
        )
        plotted.append(PlotPoint(day, value, round(x, 1), round(y, 1)))
    return plotted


def _text(x: float, y: float, body: str, anchor: str, css: str = "chart-label") -> str:
    return f'<text x="{x:g}" y="{y:g}" text-anchor="{anchor}" class="{css}">{escape(body)}</text>'


def _line(x1: float, y1: float, x2: float, y2: float, css: str) -> str:
    return f'<line x1="{x1:g}" y1="{y1:g}" x2="{x2:g}" y2="{y2:g}" class="{css}" stroke="currentColor"/>'


def _marker(point: PlotPoint, css: str, label: str) -> str:
    return (
        f'<circle cx="{point.x:g}" cy="{point.y:g}" r="3.5" class="{css}">'
        f"<title>{escape(label)}</title></circle>"
    )


def _describe(plotted: list[PlotPoint], fmt: Callable[[float], str]) -> str:
    if not plotted:
        return "No data yet."
    first, last = plotted[0], plotted[-1]
    low, high = _extremes(plotted)
    count = f"{len(plotted)} point{'s' if len(plotted) != 1 else ''}"
    return (
        f"{count} from {_date_label(first.day)} ({fmt(first.value)})"
        f" to {_date_label(last.day)} ({fmt(last.value)});"
        f" lowest {fmt(low.value)} on {_date_label(low.day)},"
        f" highest {fmt(high.value)} on {_date_label(high.day)}."
    )


def _extremes(plotted: list[PlotPoint]) -> tuple[PlotPoint, PlotPoint]:
    """(lowest, highest): the first lowest and the latest highest when values repeat."""
    return min(plotted, key=lambda p: (p.value, p.day)), max(
        plotted, key=lambda p: (p.value, p.day)
    )


def _series(
    plotted: list[PlotPoint], fmt: Callable[[float], str], width: int, height: int
) -> list[str]:
    """Axis labels (min/max values, first/last dates), the line and its markers."""
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, height - MARGIN_BOTTOM
    first, last = plotted[0], plotted[-1]
    low, high = _extremes(plotted)
    flat = high.value == low.value
    parts = []
    if flat:  # one value: label it where the line runs
        parts.append(_text(left - 6, high.y + 4, fmt(high.value), "end"))
    else:
        parts.append(_text(left - 6, top + 4, fmt(high.value), "end"))
        parts.append(_text(left - 6, bottom, fmt(low.value), "end"))
        parts.append(_line(left, top, right, top, "chart-grid"))
    if len(plotted) == 1:
        parts.append(_text(first.x, height - 8, _date_label(first.day), "middle"))
    else:
        parts.append(_text(left, height - 8, _date_label(first.day), "start"))
        parts.append(_text(right, height - 8, _date_label(last.day), "end"))
        coordinates = " ".join(f"{p.x:g},{p.y:g}" for p in plotted)
        parts.append(
            f'<polyline points="{coordinates}" class="chart-line" fill="none" '
            f'stroke="currentColor" stroke-width="2"/>'
        )
    if not flat:
        parts.append(
            _marker(high, "chart-max", f"Highest: {fmt(high.value)} on {_date_label(high.day)}")
        )
        parts.append(
            _marker(low, "chart-min", f"Lowest: {fmt(low.value)} on {_date_label(low.day)}")
        )
    if flat or last not in (high, low):
        parts.append(
            _marker(last, "chart-last", f"Latest: {fmt(last.value)} on {_date_label(last.day)}")
        )
    return parts


def line_chart(
    points: Sequence[tuple[date, float | None]],
    *,
    title: str,
    chart_id: str,
    value_format: Callable[[float], str] = _default_format,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> SafeString:
    """An accessible SVG line chart: <title>/<desc>, min/max labels and markers, date axis.

    `chart_id` must be unique on the page: it prefixes the ids that aria-labelledby uses.
    """
    plotted = plot_coordinates(points, width, height)
    title_id, desc_id = escape(f"{chart_id}-title"), escape(f"{chart_id}-desc")
    left, right = MARGIN_LEFT, width - MARGIN_RIGHT
    top, bottom = MARGIN_TOP, height - MARGIN_BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="chart" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" preserveAspectRatio="xMidYMid meet">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(_describe(plotted, value_format))}</desc>',
        _line(left, bottom, right, bottom, "chart-axis"),
        _line(left, top, left, bottom, "chart-axis"),
    ]
    if plotted:
        parts.extend(_series(plotted, value_format, width, height))
    else:
        middle = ((left + right) / 2, (top + bottom) / 2)
        parts.append(_text(*middle, "No data yet", "middle", "chart-empty"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every text and attribute above is escaped or ours
