"""Post metrics CSV: read an upload into a preview; write it only when confirmed.

Columns: post_url, date, views, likes, comments, shares, saves, reach (post_url and date
required; blank numbers mean unknown). Rows name posts already attached to the
campaign's deliverables, by any form of their link. Nothing is written until the user
confirms a preview without errors, then all rows go in one transaction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from apps.creators.csv_import import _decode, _FileError, _sniff_delimiter, parse_count
from apps.creators.models import StatsSource

from .models import DeliverablePost
from .post_urls import PostUrlError, parse_post_url
from .services import METRICS, post_metrics_record

MAX_ROWS = 5_000
COLUMNS = ("post_url", "date", "views", "likes", "comments", "shares", "saves", "reach")
REQUIRED = ("post_url", "date")


@dataclass
class MetricsRow:
    row_number: int
    post: DeliverablePost
    date: dt.date
    numbers: dict[str, int | None]


@dataclass
class MetricsPreview:
    rows: list[MetricsRow] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    total_rows: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)


def file_text(data: bytes) -> str:
    """The text of a file that parsed (carried by the preview to the confirm step)."""
    return _decode(data)


def parse_post_metrics_csv(data: bytes, *, campaign, today: dt.date | None = None):
    """Read the file against the campaign's attached posts. Never raises on bad input."""
    today = today or timezone.localdate()
    preview = MetricsPreview()
    try:
        text = _decode(data)
    except _FileError as exc:
        preview.errors.append((0, exc.message))
        return preview
    if not text.strip():
        preview.errors.append((0, "The file is empty."))
        return preview
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    try:
        records = [
            (n, cells) for n, cells in enumerate(reader, start=1) if any(c.strip() for c in cells)
        ]
    except csv.Error as exc:
        preview.errors.append((0, f"The file could not be read as CSV: {exc}"))
        return preview
    if not records:
        preview.errors.append((0, "The file is empty."))
        return preview
    header_row, header = records[0]
    columns = [cell.replace("\ufeff", "").strip().lower().replace(" ", "_") for cell in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        preview.errors.append(
            (
                header_row,
                f"Missing column(s): {', '.join(missing)}. Expected: {', '.join(COLUMNS)}.",
            )
        )
        return preview
    if len(records) - 1 > MAX_ROWS:
        preview.errors.append((0, f"The file has more than {MAX_ROWS:,} rows: split it."))
        return preview
    posts = {
        (post.platform, post.platform_post_id): post
        for post in DeliverablePost.objects.filter(campaign=campaign)
    }
    seen: dict[tuple[int, dt.date], int] = {}
    for row_number, cells in records[1:]:
        preview.total_rows += 1
        values = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(columns)
        }
        row = _read_row(row_number, values, posts, today, preview.errors)
        if row is None:
            continue
        key = (row.post.pk, row.date)
        if key in seen:
            preview.errors.append(
                (row_number, f"Same post and date as row {seen[key]}: keep one of them.")
            )
            continue
        seen[key] = row_number
        preview.rows.append(row)
    if preview.total_rows == 0:
        preview.errors.append((0, "The file has no rows below the header."))
    return preview


def _read_row(row_number, values, posts, today, errors) -> MetricsRow | None:
    before = len(errors)
    post = None
    try:
        parsed = parse_post_url(values.get("post_url", ""))
    except PostUrlError as exc:
        errors.append((row_number, f"post_url: {exc}"))
    else:
        post = posts.get((parsed.platform, parsed.platform_post_id))
        if post is None:
            errors.append(
                (row_number, "post_url: no post with this link is attached in this campaign.")
            )
    date = None
    try:
        date = dt.date.fromisoformat(values.get("date", ""))
    except ValueError:
        errors.append((row_number, "date: use the form 2026-11-25 (year-month-day)."))
    else:
        if date > today:
            errors.append((row_number, "date: the date is in the future."))
    numbers: dict[str, int | None] = {}
    for name in METRICS:
        try:
            numbers[name] = parse_count(values.get(name, ""))
        except ValueError as exc:
            errors.append((row_number, f"{name}: {exc}"))
    if len(errors) == before and all(value is None for value in numbers.values()):
        errors.append((row_number, "No numbers in this row."))
    if len(errors) > before:
        return None
    return MetricsRow(row_number, post, date, numbers)


@transaction.atomic
def post_metrics_import(*, preview: MetricsPreview) -> int:
    """Write a valid preview's rows (all or nothing); returns the rows written."""
    if not preview.is_valid:
        raise ValueError("Only a preview without errors can be imported.")
    for row in preview.rows:
        post_metrics_record(
            post=row.post, date=row.date, numbers=row.numbers, source=StatsSource.IMPORT
        )
    return len(preview.rows)
