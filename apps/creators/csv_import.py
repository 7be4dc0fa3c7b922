"""Read an uploaded creators CSV into a preview, and make exported cells safe.

Pure: bytes in, dataclasses out; nothing is written. The import service shows
the preview (every row's errors, with the row number the user sees in their
spreadsheet) and writes the rows in one transaction only when the preview is
valid, so a file is never half-imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from apps.creators.handles import (
    InvalidHandle,
    Platform,
    ProfileRef,
    parse_platform,
    parse_profile,
)

MAX_ROWS = 10_000
# Errors about the file as a whole (encoding, emptiness, size) carry this row
# number; errors about the header carry the header's row number (1).
FILE_ROW = 0

TEMPLATE_CSV_HEADER = [
    "name",
    "email",
    "country",
    "language",
    "niches",
    "platform",
    "handle",
    "profile_url",
    "followers",
    "following",
    "posts",
    "notes",
]
_TEMPLATE_EXAMPLE = [
    "Jane Doe",
    "jane@example.com",
    "FR",
    "fr",
    "beauty|lifestyle",
    "instagram",
    "jane.doe",
    "https://www.instagram.com/jane.doe/",
    "12.5k",
    "850",
    "320",
    "Met at the Paris beauty fair",
]

# Header keys are compared after _header_key(): lowercase, spaces and hyphens
# as underscores.
COLUMN_ALIASES = {
    **{column: column for column in TEMPLATE_CSV_HEADER},
    "full_name": "name",
    "creator": "name",
    "creator_name": "name",
    "e_mail": "email",
    "email_address": "email",
    "country_code": "country",
    "lang": "language",
    "language_code": "language",
    "niche": "niches",
    "tags": "niches",
    "categories": "niches",
    "network": "platform",
    "username": "handle",
    "user_name": "handle",
    "url": "profile_url",
    "profile": "profile_url",
    "profile_link": "profile_url",
    "follower_count": "followers",
    "followers_count": "followers",
    "following_count": "following",
    "post_count": "posts",
    "posts_count": "posts",
    "videos": "posts",
    "video_count": "posts",
    "note": "notes",
}
COUNT_COLUMNS = ("followers", "following", "posts")

MAX_NAME_LENGTH = 200
MAX_NICHE_LENGTH = 50
MAX_NOTES_LENGTH = 5_000

# ISO 3166-1 alpha-2 and ISO 639-1, from the Debian iso-codes tables.
_COUNTRY_CODES_TEXT = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN
    BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL
    GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM
    JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME
    MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP
    NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD
    SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_COUNTRY_CODES_TEXT.split())
_LANGUAGE_CODES_TEXT = """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs
    cu cv cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha
    he hi ho hr ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn
    ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb
    nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd
    se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw
    ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
LANGUAGE_CODES = frozenset(_LANGUAGE_CODES_TEXT.split())
# "UK" is what people type; ISO reserves it and uses GB.
_COUNTRY_ALIASES = {"UK": "GB"}


@dataclass(frozen=True, slots=True)
class RowError:
    row_number: int
    column: str  # canonical column name, or "" for the whole row / file
    message: str


@dataclass(frozen=True, slots=True)
class ImportRow:
    row_number: int
    name: str
    platform: Platform
    handle: str  # the channel id for a YouTube /channel/ URL (see ProfileRef.has_real_handle)
    profile_url: str
    external_id: str = ""
    email: str = ""
    country: str = ""
    language: str = ""
    niches: tuple[str, ...] = ()
    followers: int | None = None
    following: int | None = None
    posts: int | None = None
    notes: str = ""


@dataclass
class ImportPreview:
    rows: list[ImportRow]  # the rows without errors, cleaned
    errors: list[RowError]  # ordered by row number
    total_rows: int = 0  # data rows read (blank rows are not counted)
    columns: list[str] = field(default_factory=list)  # canonical, in file order

    @property
    def is_valid(self) -> bool:
        return not self.errors and bool(self.rows)

    def errors_by_row(self) -> dict[int, list[RowError]]:
        grouped: dict[int, list[RowError]] = {}
        for error in self.errors:
            grouped.setdefault(error.row_number, []).append(error)
        return grouped


# --- counts -----------------------------------------------------------------

_COUNT_SUFFIXES = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
_COUNT_SHAPE = re.compile(r"([+-]?)\s*([0-9][0-9.,' ]*)\s*([kmb]?)")
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[0-9]{1,3}(?:([, '])[0-9]{3})(?:\1[0-9]{3})*")
_WHOLE_DECIMAL = re.compile(r"([0-9]+)\.0+")  # 1234.0, as spreadsheets export
_DECIMAL = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
MAX_COUNT = 10**12


def parse_count(value: str | int | None) -> int | None:
    """ "12.5k" → 12500, "1.2M" → 1200000, "3,400" → 3400, "1 234" → 1234, "" → None.

    Raises ValueError with a message for the user on negative or unreadable values.
    """
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return _check_count(value, str(value))
    original = str(value).strip()
    text = original.lower().replace("\u00a0", " ").replace("\u202f", " ").replace("\u2009", " ")
    if not text:
        return None
    match = _COUNT_SHAPE.fullmatch(text)
    if match is None:
        raise ValueError(
            f"'{original}' is not a number: use a whole number such as 12500, 12,500, 12.5k or 1.2M"
        )
    sign, number, suffix = match.groups()
    number = number.strip()
    if sign == "-":
        raise ValueError(f"'{original}' is negative: counts can't be below zero")
    if suffix:
        if not _DECIMAL.fullmatch(number):
            raise ValueError(f"'{original}' is not a number: write it like 12.5k or 1.2M")
        amount = Decimal(number.replace(",", ".")) * _COUNT_SUFFIXES[suffix]
        return _check_count(int(amount.to_integral_value(ROUND_HALF_UP)), original)
    if _PLAIN.fullmatch(number):
        return _check_count(int(number), original)
    if _GROUPED.fullmatch(number):
        return _check_count(int(re.sub(r"[, ']", "", number)), original)
    whole = _WHOLE_DECIMAL.fullmatch(number)
    if whole:
        return _check_count(int(whole.group(1)), original)
    if _DECIMAL.fullmatch(number):
        raise ValueError(f"'{original}' is not a whole number")
    raise ValueError(
        f"'{original}' is not a number: use a whole number such as 12500, 12,500, 12.5k or 1.2M"
    )


def _check_count(count: int, original: str) -> int:
    if count < 0:
        raise ValueError(f"'{original}' is negative: counts can't be below zero")
    if count > MAX_COUNT:
        raise ValueError(f"'{original}' is too large for a count")
    return count


# --- the file ---------------------------------------------------------------


class _FileError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_creators_csv(data: bytes, max_rows: int = MAX_ROWS) -> ImportPreview:
    """Parse an uploaded creators CSV. Never raises on bad input: see .errors."""
    try:
        text = _decode(data)
    except _FileError as exc:
        return ImportPreview([], [RowError(FILE_ROW, "", exc.message)])
    if not text.strip():
        return ImportPreview([], [RowError(FILE_ROW, "", "The file is empty")])

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
    records = enumerate(reader, start=1)
    try:
        found = next(((n, cells) for n, cells in records if _has_content(cells)), None)
    except csv.Error as exc:
        return ImportPreview([], [_unreadable(1, exc)])
    if found is None:
        return ImportPreview([], [RowError(FILE_ROW, "", "The file is empty")])
    header_row, header = found
    columns, errors, complete = _read_header(header, header_row)
    preview = ImportPreview([], errors, columns=[c for c in columns if c])
    if not complete:
        return preview  # every row would repeat the missing column's error

    first_seen: dict[tuple[Platform, str], int] = {}
    row_number = header_row
    try:
        for row_number, cells in records:
            if not _has_content(cells):
                continue
            preview.total_rows += 1
            if preview.total_rows > max_rows:
                return ImportPreview(
                    [],
                    [
                        RowError(
                            FILE_ROW,
                            "",
                            f"The file has more than {max_rows:,} rows: "
                            f"split it into files of at most {max_rows:,} rows",
                        )
                    ],
                    total_rows=preview.total_rows,
                    columns=preview.columns,
                )
            row, row_errors = _read_row(row_number, columns, cells, first_seen)
            preview.errors.extend(row_errors)
            if row is not None and not row_errors:
                preview.rows.append(row)
    except csv.Error as exc:
        preview.errors.append(_unreadable(row_number + 1, exc))
        return preview
    if preview.total_rows == 0:
        preview.errors.append(
            RowError(FILE_ROW, "", "The file has no data rows below the header row")
        )
    return preview


def _unreadable(row_number: int, exc: csv.Error) -> RowError:
    return RowError(row_number, "", f"This row couldn't be read as CSV: {exc}")


def _decode(data: bytes) -> str:
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise _FileError(
            "This is a spreadsheet file, not a CSV file: in Excel choose "
            "File › Save As › CSV UTF-8, then upload that file"
        )
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            # Excel's "Unicode text" export is UTF-16 with a byte-order mark.
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise _FileError(
            f"The file is not UTF-8 encoded (the first unreadable character is on line "
            f"{line}): save it as CSV UTF-8 and upload it again"
        ) from None
    if "\x00" in text:
        # A CSV never holds NUL characters (and Postgres text can't store them).
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise _FileError(
            f"The file contains a NUL character on line {line}: it is not a plain CSV "
            "file; save it as CSV UTF-8 and upload it again"
        )
    return text


def _sniff_delimiter(text: str) -> str:
    """The most frequent of , ; and tab in the header line, outside quotes."""
    counts = {",": 0, ";": 0, "\t": 0}
    in_quotes = seen_text = False
    for char in text:
        if char == '"':
            in_quotes = not in_quotes
        elif in_quotes:
            continue
        elif char in counts:
            counts[char] += 1
        elif char == "\n" and seen_text:
            break  # end of the header line (blank lines before it are skipped)
        elif not char.isspace():
            seen_text = True
    return max(counts, key=lambda d: counts[d])  # ties keep the order: "," first


def _has_content(cells: list[str]) -> bool:
    return any(cell.strip() for cell in cells)


def _header_key(raw: str) -> str:
    return re.sub(r"[\s-]+", "_", raw.replace("\ufeff", "").strip().lower())


def _read_header(
    cells: list[str], row_number: int
) -> tuple[list[str | None], list[RowError], bool]:
    """→ (canonical column per cell or None to ignore it, errors, required columns there)."""
    columns: list[str | None] = []
    seen: dict[str, str] = {}
    unknown: list[str] = []
    errors: list[RowError] = []
    for raw in cells:
        key = _header_key(raw)
        canonical = COLUMN_ALIASES.get(key)
        if not key:
            columns.append(None)  # an unnamed, usually empty, column: ignore it
        elif canonical is None:
            unknown.append(raw.strip())
            columns.append(None)
        elif canonical in seen:
            errors.append(
                RowError(
                    row_number,
                    canonical,
                    f"The columns '{seen[canonical]}' and '{raw.strip()}' both hold "
                    f"{canonical}: keep only one",
                )
            )
            columns.append(None)
        else:
            seen[canonical] = raw.strip()
            columns.append(canonical)
    if unknown:
        names = ", ".join(f"'{name}'" for name in unknown)
        errors.insert(
            0,
            RowError(
                row_number,
                "",
                f"Unknown column{'s' if len(unknown) > 1 else ''}: {names}. "
                f"The columns are: {', '.join(TEMPLATE_CSV_HEADER)}",
            ),
        )
    complete = True
    if "name" not in seen:
        complete = False
        errors.append(RowError(row_number, "", "Missing required column: name"))
    if "profile_url" not in seen and not {"platform", "handle"} <= seen.keys():
        complete = False
        missing = [c for c in ("platform", "handle") if c not in seen]
        errors.append(
            RowError(
                row_number,
                "",
                f"Missing column{'s' if len(missing) > 1 else ''}: {' and '.join(missing)} "
                "(or give a profile_url column instead)",
            )
        )
    return columns, errors, complete


# --- one row ----------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s,;<>\"]+@[^@\s,;<>\".]+(?:\.[^@\s,;<>\".]+)+")
_NICHE_SEPARATORS = re.compile(r"[|,]")
_ErrorSink = Callable[[str, str], None]  # (column, message)


def _read_row(
    row_number: int,
    columns: list[str | None],
    cells: list[str],
    first_seen: dict[tuple[Platform, str], int],
) -> tuple[ImportRow | None, list[RowError]]:
    values: dict[str, str] = {}
    for column, cell in zip(columns, cells, strict=False):
        if column is not None:
            values[column] = cell.strip()
    errors: list[RowError] = []

    def error(column: str, message: str) -> None:
        errors.append(RowError(row_number, column, message))

    if len(cells) > len(columns) and _has_content(cells[len(columns) :]):
        error("", "This row has more cells than the header has columns")

    name = " ".join(values.get("name", "").split())
    if not name:
        error("name", "Name is required")
    elif len(name) > MAX_NAME_LENGTH:
        error("name", f"Name is too long (at most {MAX_NAME_LENGTH} characters)")

    profile = _read_profile(values, error)
    if profile is not None:
        key = (profile.platform, profile.handle)
        first = first_seen.setdefault(key, row_number)
        if first != row_number:
            who = (
                f"@{profile.handle}"
                if profile.has_real_handle
                else f"channel {profile.external_id}"
            )
            column = "handle" if values.get("handle") else "profile_url"
            error(column, f"Duplicate of row {first}: {profile.platform.label} {who}")

    email = _clean_email(values.get("email", ""), error)
    country = _clean_country(values.get("country", ""), error)
    language = _clean_language(values.get("language", ""), error)
    niches = _clean_niches(values.get("niches", ""), error)
    counts: dict[str, int | None] = {}
    for column in COUNT_COLUMNS:
        try:
            counts[column] = parse_count(values.get(column, ""))
        except ValueError as exc:
            error(column, str(exc))
    notes = values.get("notes", "")
    if len(notes) > MAX_NOTES_LENGTH:
        error("notes", f"Notes are too long (at most {MAX_NOTES_LENGTH:,} characters)")

    if errors or profile is None:
        return None, errors
    return (
        ImportRow(
            row_number=row_number,
            name=name,
            platform=profile.platform,
            handle=profile.handle,
            profile_url=profile.profile_url,
            external_id=profile.external_id,
            email=email,
            country=country,
            language=language,
            niches=niches,
            followers=counts["followers"],
            following=counts["following"],
            posts=counts["posts"],
            notes=notes,
        ),
        errors,
    )


def _read_profile(values: dict[str, str], error: _ErrorSink) -> ProfileRef | None:
    """platform + handle, or profile_url, or both when they agree."""
    platform_text = values.get("platform", "")
    handle_text = values.get("handle", "")
    url_text = values.get("profile_url", "")
    platform = from_url = from_handle = None
    failed = False
    if platform_text:
        try:
            platform = parse_platform(platform_text)
        except InvalidHandle as exc:
            error("platform", exc.message)
            failed = True
    if url_text:
        try:
            from_url = parse_profile(url_text, platform)
        except InvalidHandle as exc:
            error("profile_url", exc.message)
            failed = True
    if handle_text:
        known_platform = platform or (from_url.platform if from_url else None)
        if known_platform is None:
            if not failed:
                error(
                    "platform", "Platform is required with a handle: instagram, tiktok or youtube"
                )
            return None
        try:
            from_handle = parse_profile(handle_text, known_platform)
        except InvalidHandle as exc:
            error("handle", exc.message)
            return None
    elif not url_text:
        if platform_text:
            error("handle", "Give a handle or a profile URL")
        else:
            error("handle", "Give a platform and handle, or a profile URL")
        return None
    if failed:
        return None
    if from_url and from_handle:
        if from_url.has_real_handle and from_url.handle != from_handle.handle:
            error(
                "handle",
                f"The handle '{from_handle.handle}' doesn't match the profile URL "
                f"(which is for '{from_url.handle}')",
            )
            return None
        return ProfileRef(
            from_url.platform,
            from_url.handle if from_url.has_real_handle else from_handle.handle,
            from_url.profile_url,
            from_url.external_id,
        )
    return from_url or from_handle


def _clean_email(value: str, error: _ErrorSink) -> str:
    if not value:
        return ""
    if len(value) > 254 or not _EMAIL.fullmatch(value):
        error("email", f"'{value}' is not a valid email address")
        return ""
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _clean_country(value: str, error: _ErrorSink) -> str:
    if not value:
        return ""
    code = _COUNTRY_ALIASES.get(value.upper(), value.upper())
    if code not in COUNTRY_CODES:
        error(
            "country",
            f"'{value}' is not a two-letter ISO 3166 country code (e.g. FR, DE, US)",
        )
        return ""
    return code


def _clean_language(value: str, error: _ErrorSink) -> str:
    if not value:
        return ""
    code = re.split(r"[-_]", value.lower(), maxsplit=1)[0]  # "en-US" → "en"
    if code not in LANGUAGE_CODES:
        error(
            "language",
            f"'{value}' is not a two-letter ISO 639-1 language code (e.g. en, fr, de)",
        )
        return ""
    return code


def _clean_niches(value: str, error: _ErrorSink) -> tuple[str, ...]:
    niches: dict[str, None] = {}  # ordered set
    for part in _NICHE_SEPARATORS.split(value):
        niche = " ".join(part.split()).lower()
        if len(niche) > MAX_NICHE_LENGTH:
            error(
                "niches", f"The niche '{niche}' is too long (at most {MAX_NICHE_LENGTH} characters)"
            )
        elif niche:
            niches[niche] = None
    return tuple(niches)


# --- template and export ----------------------------------------------------


def template_csv() -> str:
    """The downloadable template: the header and one example row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(TEMPLATE_CSV_HEADER)
    writer.writerow(_TEMPLATE_EXAMPLE)
    return buffer.getvalue()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_csv_cell(value: object) -> str:
    """Make a cell safe to open in a spreadsheet (CSV/formula injection).

    Text starting with = + - @ tab or carriage return gets a leading "'" so the
    spreadsheet shows it as text instead of running it. Numbers are left alone:
    -5 is a number, not a formula.
    """
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def csv_row(values: Iterable[object]) -> list[str]:
    """A row ready for csv.writer, every cell neutralised."""
    return [neutralise_csv_cell(value) for value in values]
