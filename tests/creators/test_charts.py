"""apps.creators.charts: scaling, edge cases and well-formed, accessible SVG (no database)."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest

from apps.creators.charts import (
    HEIGHT,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    WIDTH,
    line_chart,
    plot_coordinates,
)

SVG = "{http://www.w3.org/2000/svg}"
D0 = date(2026, 3, 1)
LEFT, RIGHT = MARGIN_LEFT, WIDTH - MARGIN_RIGHT  # 72, 584
TOP, BOTTOM = MARGIN_TOP, HEIGHT - MARGIN_BOTTOM  # 14, 152


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 -- our own markup; raises on malformed XML


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


def test_lowest_value_sits_on_the_bottom_edge_and_highest_on_the_top():
    points = [(D0, 100), (D0 + timedelta(days=5), 200), (D0 + timedelta(days=10), 150)]
    plotted = plot_coordinates(points)
    assert [(p.x, p.y) for p in plotted] == [
        (LEFT, BOTTOM),  # 100: lowest
        ((LEFT + RIGHT) / 2, TOP),  # 200 on day 5 of 10: half-way across, top edge
        (RIGHT, (TOP + BOTTOM) / 2),  # 150: half-way up
    ]


def test_x_follows_the_calendar_so_missing_days_leave_a_gap():
    points = [(D0, 1), (D0 + timedelta(days=1), 2), (D0 + timedelta(days=4), 3)]
    xs = [p.x for p in plot_coordinates(points)]
    step = (RIGHT - LEFT) / 4
    assert xs == [LEFT, round(LEFT + step, 1), RIGHT]


def test_points_are_sorted_by_date_and_missing_values_dropped():
    points = [(D0 + timedelta(days=2), 30), (D0, 10), (D0 + timedelta(days=1), None)]
    plotted = plot_coordinates(points)
    assert [(p.day, p.value) for p in plotted] == [(D0, 10), (D0 + timedelta(days=2), 30)]


def test_flat_series_sits_mid_height():
    plotted = plot_coordinates([(D0, 5), (D0 + timedelta(days=3), 5)])
    assert {p.y for p in plotted} == {(TOP + BOTTOM) / 2}


def test_flat_series_has_one_value_label_and_marks_the_latest_point():
    svg = line_chart([(D0, 0.034), (D0 + timedelta(days=9), 0.034)], title="ER", chart_id="f")
    root = parse(svg)
    assert texts(root) == ["0.034", "1 Mar 2026", "10 Mar 2026"]
    assert [c.get("class") for c in root.iter(f"{SVG}circle")] == ["chart-last"]


def test_custom_size_scales_to_its_own_plot_area():
    plotted = plot_coordinates([(D0, 0), (D0 + timedelta(days=1), 10)], width=300, height=100)
    assert (plotted[0].x, plotted[0].y) == (LEFT, 100 - MARGIN_BOTTOM)
    assert (plotted[1].x, plotted[1].y) == (300 - MARGIN_RIGHT, TOP)


def test_chart_is_well_formed_svg_with_title_desc_and_labelled_axes():
    points = [(D0 + timedelta(days=d), 1_000 + 10 * d) for d in range(30)]
    svg = line_chart(points, title="Followers, last 90 days", chart_id="c1")
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Followers, last 90 days"
    assert root.find(f"{SVG}title").get("id") == "c1-title"
    desc = root.find(f"{SVG}desc").text
    assert desc == (
        "30 points from 1 Mar 2026 (1,000) to 30 Mar 2026 (1,290); "
        "lowest 1,000 on 1 Mar 2026, highest 1,290 on 30 Mar 2026."
    )
    # Min/max on the value axis, first/last day on the date axis.
    assert texts(root) == ["1,290", "1,000", "1 Mar 2026", "30 Mar 2026"]
    polyline = root.find(f"{SVG}polyline")
    assert polyline.get("fill") == "none"
    assert len(polyline.get("points").split()) == 30
    markers = {c.get("class"): c.find(f"{SVG}title").text for c in root.iter(f"{SVG}circle")}
    assert markers == {
        "chart-max": "Highest: 1,290 on 30 Mar 2026",
        "chart-min": "Lowest: 1,000 on 1 Mar 2026",
    }
    assert "style=" not in svg  # the Content Security Policy forbids inline styles


def test_latest_point_is_marked_when_it_is_neither_min_nor_max():
    svg = line_chart(
        [(D0, 1), (D0 + timedelta(days=1), 9), (D0 + timedelta(days=2), 4)], title="T", chart_id="c"
    )
    classes = [c.get("class") for c in parse(svg).iter(f"{SVG}circle")]
    assert classes == ["chart-max", "chart-min", "chart-last"]


def test_empty_series_says_no_data_and_stays_valid():
    root = parse(line_chart([], title="Average views", chart_id="empty"))
    assert root.find(f"{SVG}desc").text == "No data yet."
    assert texts(root) == ["No data yet"]
    assert root.find(f"{SVG}polyline") is None
    assert root.find(f"{SVG}circle") is None


def test_series_of_only_missing_values_counts_as_empty():
    root = parse(line_chart([(D0, None), (D0, None)], title="T", chart_id="none"))
    assert texts(root) == ["No data yet"]


def test_single_point_is_a_centred_dot_without_a_line():
    root = parse(line_chart([(D0, 42)], title="T", chart_id="one"))
    assert root.find(f"{SVG}polyline") is None
    (dot,) = root.iter(f"{SVG}circle")
    assert (float(dot.get("cx")), float(dot.get("cy"))) == ((LEFT + RIGHT) / 2, (TOP + BOTTOM) / 2)
    assert dot.find(f"{SVG}title").text == "Latest: 42 on 1 Mar 2026"
    assert root.find(f"{SVG}desc").text.startswith("1 point from 1 Mar 2026 (42)")
    assert texts(root) == ["42", "1 Mar 2026"]


def test_value_format_is_used_for_labels_and_description():
    svg = line_chart(
        [(D0, 0.012), (D0 + timedelta(days=1), 0.034)],
        title="Engagement",
        chart_id="er",
        value_format=lambda v: f"{v * 100:.1f}%",
    )
    root = parse(svg)
    assert texts(root)[:2] == ["3.4%", "1.2%"]
    assert "lowest 1.2%" in root.find(f"{SVG}desc").text


@pytest.mark.parametrize("title", ['<script>alert("x")</script>', "Tom & Jerry's"])
def test_text_is_escaped(title):
    root = parse(line_chart([(D0, 1)], title=title, chart_id="esc"))
    assert root.find(f"{SVG}title").text == title
    assert root.find(f"{SVG}script") is None
