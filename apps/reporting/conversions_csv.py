"""Read an uploaded conversions CSV into a preview (the same rules as the creators import).

Pure: bytes in, dataclasses out, nothing written. The caller passes what the database
knows (the campaign's promo codes, the order ids already recorded) so the preview can
say which rows will be skipped. Columns: order_id, code, date, uses, revenue, currency.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from apps.campaigns.models import CURRENCIES
from apps.creators.csv_import import (
    FILE_ROW,
    RowError,
    _decode,
    _FileError,
    _has_content,
    _header_key,
    _sniff_delimiter,
    neutralise_csv_cell,
)

MAX_ROWS = 10_000
MAX_BYTES = 2 * 1024 * 1024
MAX_ORDER_ID_LENGTH = 200
MAX_USES = 1_000_000
MAX_REVENUE = Decimal("999999999999.99")

HEADER = ["order_id", "code", "date", "uses", "revenue", "currency"]
REQUIRED = ("order_id", "code", "date", "revenue")
COLUMN_ALIASES = {
    **{column: column for column in HEADER},
    "order": "order_id",
    "order_number": "order_id",
    "external_order_id": "order_id",
    "promo_code": "code",
    "coupon": "code",
    "coupon_code": "code",
    "discount_code": "code",
    "occurred_on": "date",
    "order_date": "date",
    "quantity": "uses",
    "amount": "revenue",
    "total": "revenue",
}


@dataclass(frozen=True, slots=True)
class ConversionRow:
    row_number: int
    order_id: str
    code: str  # as stored (the matching is case-insensitive)
    promo_code_id: int
    occurred_on: dt.date
    uses: int
    revenue: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class SkippedRow:
    row_number: int
    order_id: str


@dataclass
class ConversionsPreview:
    rows: list[ConversionRow]  # new rows, without errors
    errors: list[RowError]
    skipped: list[SkippedRow] = field(default_factory=list)  # already recorded
    total_rows: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def can_confirm(self) -> bool:
        return not self.errors and bool(self.rows)


def parse_conversions_csv(
    data: bytes,
    *,
    promo_codes: dict[str, tuple[int, str]],
    recorded_order_ids: set[str],
    default_currency: str,
    max_rows: int = MAX_ROWS,
) -> ConversionsPreview:
    """`promo_codes`: code.upper() → (id, code) of this campaign's codes. Never raises."""
    if len(data) > MAX_BYTES:
        return _file_error(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it")
    try:
        text = _decode(data)
    except _FileError as exc:
        return _file_error(exc.message)
    if not text.strip():
        return _file_error("The file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    records = enumerate(reader, start=1)
    preview = ConversionsPreview([], [])
    try:
        found = next(((n, cells) for n, cells in records if _has_content(cells)), None)
        if found is None:
            return _file_error("The file is empty")
        header_row, header = found
        columns = _read_header(header, header_row, preview.errors)
        if columns is None:
            return preview
        first_seen: dict[str, int] = {}
        for row_number, cells in records:
            if not _has_content(cells):
                continue
            preview.total_rows += 1
            if preview.total_rows > max_rows:
                return _file_error(
                    f"The file has more than {max_rows:,} rows: split it into smaller files"
                )
            _read_row(
                row_number,
                columns,
                cells,
                preview,
                first_seen,
                promo_codes,
                recorded_order_ids,
                default_currency,
            )
    except csv.Error as exc:
        preview.errors.append(RowError(FILE_ROW, "", f"The file couldn't be read as CSV: {exc}"))
        return preview
    if preview.total_rows == 0:
        preview.errors.append(RowError(FILE_ROW, "", "The file has no data rows below the header"))
    return preview


def _file_error(message: str) -> ConversionsPreview:
    return ConversionsPreview([], [RowError(FILE_ROW, "", message)])


def _read_header(cells: list[str], row_number: int, errors: list[RowError]):
    columns: list[str | None] = []
    unknown: list[str] = []
    seen: set[str] = set()
    for raw in cells:
        key = _header_key(raw)
        canonical = COLUMN_ALIASES.get(key)
        if not key:
            columns.append(None)
        elif canonical is None:
            unknown.append(raw.strip()[:50])
            columns.append(None)
        elif canonical in seen:
            errors.append(
                RowError(row_number, canonical, f"Two columns hold {canonical}: keep only one")
            )
            columns.append(None)
        else:
            seen.add(canonical)
            columns.append(canonical)
    if unknown:
        errors.append(
            RowError(
                row_number,
                "",
                f"Unknown column{'s' if len(unknown) > 1 else ''}: "
                f"{', '.join(repr(u) for u in unknown)}. The columns are: {', '.join(HEADER)}",
            )
        )
    missing = [c for c in REQUIRED if c not in seen]
    if missing:
        errors.append(
            RowError(
                row_number,
                "",
                f"Missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}",
            )  # fmt: skip
        )
        return None
    return columns


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d")
_DECIMAL_COMMA = re.compile(r"[0-9]+,[0-9]{1,2}")
_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")


def parse_date(text: str) -> dt.date:
    value = text.strip()
    if "T" in value or " " in value:
        value = re.split(r"[T ]", value, maxsplit=1)[0]  # "2026-11-25T10:00:00Z" → the day
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{text}' is not a date: write it as YYYY-MM-DD, e.g. 2026-11-25")


def parse_revenue(text: str) -> Decimal:
    value = text.strip().replace("\u00a0", "").replace(" ", "")
    if _DECIMAL_COMMA.fullmatch(value):
        value = value.replace(",", ".")  # 12,50 → 12.50
    elif _GROUPED.fullmatch(value):
        value = value.replace(",", "")  # 1,234.50 → 1234.50
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount: write it like 1234.50") from None
    if not amount.is_finite():
        raise ValueError(f"'{text}' is not an amount: write it like 1234.50")
    if amount < 0:
        raise ValueError(f"'{text}' is negative: revenue can't be below zero")
    if amount > MAX_REVENUE:
        raise ValueError(f"'{text}' is too large")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"'{text}' has more than 2 decimals")
    return amount.quantize(Decimal("0.01"))


def parse_uses(text: str) -> int:
    value = text.strip()
    if not value:
        return 1
    if not value.isdecimal():
        raise ValueError(f"'{text}' is not a whole number of uses")
    uses = int(value)
    if uses < 1:
        raise ValueError("Uses must be at least 1")
    if uses > MAX_USES:
        raise ValueError(f"Uses must be at most {MAX_USES:,}")
    return uses


def _read_row(
    row_number, columns, cells, preview, first_seen, promo_codes, recorded, default_currency
) -> None:
    values = {c: cell.strip() for c, cell in zip(columns, cells, strict=False) if c is not None}
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(row_number, column, message))

    if len(cells) > len(columns) and _has_content(cells[len(columns) :]):
        error("", "This row has more cells than the header has columns")
    order_id = values.get("order_id", "")
    if not order_id:
        error("order_id", "The order id is required (it stops an order being counted twice)")
    elif len(order_id) > MAX_ORDER_ID_LENGTH:
        error("order_id", f"The order id is too long (at most {MAX_ORDER_ID_LENGTH} characters)")
    elif (first := first_seen.setdefault(order_id, row_number)) != row_number:
        error("order_id", f"The order id '{order_id}' is also on row {first}")
    code_text = values.get("code", "")
    promo = promo_codes.get(code_text.upper()) if code_text else None
    if not code_text:
        error("code", "The promo code is required")
    elif promo is None:
        error("code", f"'{code_text[:64]}' is not a promo code of this campaign")
    occurred_on = uses = revenue = None
    try:
        occurred_on = parse_date(values.get("date", ""))
    except ValueError as exc:
        error("date", str(exc))
    try:
        uses = parse_uses(values.get("uses", ""))
    except ValueError as exc:
        error("uses", str(exc))
    try:
        revenue = parse_revenue(values.get("revenue", ""))
    except ValueError as exc:
        error("revenue", str(exc))
    currency = (values.get("currency", "") or default_currency).upper()
    if currency not in CURRENCIES:
        error("currency", f"'{currency[:10]}' is not a currency we know (e.g. USD, EUR, GBP)")
    if errors:
        preview.errors.extend(errors)
        return
    if order_id in recorded:
        preview.skipped.append(SkippedRow(row_number, order_id))
        return
    preview.rows.append(
        ConversionRow(
            row_number=row_number,
            order_id=order_id,
            code=promo[1],
            promo_code_id=promo[0],
            occurred_on=occurred_on,
            uses=uses,
            revenue=revenue,
            currency=currency,
        )
    )


def template_csv() -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerow([neutralise_csv_cell(v) for v in ["A-1001", "JANE10", "2026-11-25", "1",
                                                      "59.90", "USD"]])  # fmt: skip
    return buffer.getvalue()
