import csv
import io

import pytest

from apps.creators.csv_import import (
    FILE_ROW,
    TEMPLATE_CSV_HEADER,
    ImportRow,
    RowError,
    csv_row,
    neutralise_csv_cell,
    parse_count,
    parse_creators_csv,
    template_csv,
)
from apps.creators.handles import Platform

CHANNEL_ID = "UC_x5XG1OV2P6uZZ5FSM9Ttw"


def parse(text: str, **kwargs):
    return parse_creators_csv(text.encode("utf-8"), **kwargs)


def problems(preview):
    return [(e.row_number, e.column) for e in preview.errors]


# --- parse_count ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("12500", 12500),
        ("12.5k", 12500),
        ("12.5K", 12500),
        ("12,5k", 12500),
        ("1.2M", 1200000),
        ("1.2m", 1200000),
        ("3M", 3000000),
        ("1.5B", 1500000000),
        ("12.5 k", 12500),
        ("3,400", 3400),
        ("1,234,567", 1234567),
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("1'234", 1234),
        ("1234.0", 1234),
        (" 42 ", 42),
        ("+42", 42),
        (42, 42),
    ],
)
def test_parse_count_accepts_common_spreadsheet_forms(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["", "   ", None])
def test_parse_count_reads_empty_as_unknown(text):
    assert parse_count(text) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5", "'-5' is negative: counts can't be below zero"),
        ("-1.2k", "'-1.2k' is negative"),
        (-5, "'-5' is negative"),
        ("abc", "'abc' is not a number: use a whole number such as 12500"),
        ("12kk", "'12kk' is not a number"),
        ("1.2.3k", "'1.2.3k' is not a number"),
        ("1.5", "'1.5' is not a whole number"),
        ("3,40", "'3,40' is not a whole number"),
        ("1,2345", "'1,2345' is not a whole number"),
        ("n/a", "'n/a' is not a number"),
        ("99999999999999", "too large"),
    ],
)
def test_parse_count_rejects_negative_and_junk_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_count(text)


# --- the happy path -------------------------------------------------------------


def test_it_parses_the_downloadable_template():
    preview = parse(template_csv())

    assert preview.is_valid
    assert preview.errors == []
    assert preview.rows == [
        ImportRow(
            row_number=2,
            name="Jane Doe",
            platform=Platform.INSTAGRAM,
            handle="jane.doe",
            profile_url="https://www.instagram.com/jane.doe/",
            email="jane@example.com",
            country="FR",
            language="fr",
            niches=("beauty", "lifestyle"),
            followers=12500,
            following=850,
            posts=320,
            notes="Met at the Paris beauty fair",
        )
    ]


def test_template_starts_with_the_template_header_and_has_one_example_row():
    lines = template_csv().splitlines()

    assert lines[0].split(",") == TEMPLATE_CSV_HEADER
    assert len(lines) == 2


def test_row_numbers_are_spreadsheet_rows_with_the_header_as_row_1():
    preview = parse(
        "name,platform,handle\nAna,instagram,ana\nBen,tiktok,ben\n\nCleo,youtube,cleo\n"
    )

    assert [(r.row_number, r.name) for r in preview.rows] == [(2, "Ana"), (3, "Ben"), (5, "Cleo")]
    assert preview.total_rows == 3


def test_a_quoted_cell_spanning_lines_is_one_spreadsheet_row():
    preview = parse(
        'name,platform,handle,notes\nAna,instagram,ana,"line one\nline two"\nBen,tiktok,\n'
    )

    assert preview.rows[0].notes == "line one\nline two"
    assert problems(preview) == [(3, "handle")]


def test_it_accepts_a_utf8_byte_order_mark():
    data = "\ufeffname,platform,handle\nZoë,instagram,zoe\n".encode()

    preview = parse_creators_csv(data)

    assert preview.is_valid
    assert preview.rows[0].name == "Zoë"


def test_it_accepts_semicolon_separated_files():
    preview = parse("name;platform;handle;niches;followers\nAna;instagram;ana;food, travel;3,400\n")

    assert preview.is_valid
    row = preview.rows[0]
    assert (row.handle, row.niches, row.followers) == ("ana", ("food", "travel"), 3400)


def test_it_accepts_tab_separated_files():
    preview = parse("name\tplatform\thandle\nAna Lima\ttiktok\t@ana\n")

    assert preview.is_valid
    assert preview.rows[0].name == "Ana Lima"


def test_it_accepts_windows_line_endings():
    preview = parse("name,platform,handle\r\nAna,instagram,ana\r\n")

    assert preview.is_valid
    assert preview.rows[0].handle == "ana"


def test_headers_may_come_in_any_order_and_case_with_spaces():
    preview = parse(" Handle ,FOLLOWERS, Name,Platform \nana,1.2M,Ana,Instagram\n")

    assert preview.is_valid
    row = preview.rows[0]
    assert (row.name, row.platform, row.handle, row.followers) == (
        "Ana",
        Platform.INSTAGRAM,
        "ana",
        1200000,
    )


def test_headers_accept_aliases():
    preview = parse(
        "Full Name,Username,Network,Follower Count,Following Count,Post Count,Note\n"
        "Ana,ana,tiktok,12.5k,100,20,hi\n"
        "Ben,,,,,,\n"
    )

    assert problems(preview) == [(3, "handle")]
    row = preview.rows[0]
    assert (row.handle, row.followers, row.following, row.posts, row.notes) == (
        "ana",
        12500,
        100,
        20,
        "hi",
    )
    assert preview.columns == [
        "name",
        "handle",
        "platform",
        "followers",
        "following",
        "posts",
        "notes",
    ]


def test_url_alias_reads_profile_urls_alone():
    preview = parse(
        "name,url\nAna,https://www.instagram.com/ana.lima/?hl=en\n"
        f"Ben,https://www.youtube.com/channel/{CHANNEL_ID}\n"
    )

    assert preview.is_valid
    ana, ben = preview.rows
    assert (ana.platform, ana.handle, ana.profile_url) == (
        Platform.INSTAGRAM,
        "ana.lima",
        "https://www.instagram.com/ana.lima/",
    )
    assert (ben.platform, ben.handle, ben.external_id) == (Platform.YOUTUBE, CHANNEL_ID, CHANNEL_ID)


def test_cells_are_cleaned():
    preview = parse(
        "name,email,country,language,niches,platform,handle\n"
        "  Ana   Lima ,Ana@Example.COM,fr,FR,Food | TRAVEL|food||,instagram,@Ana.Lima\n"
        "Ben,,uk,en-US,,tiktok,ben\n"
    )

    assert preview.is_valid
    ana, ben = preview.rows
    assert ana.name == "Ana Lima"
    assert ana.email == "Ana@example.com"
    assert (ana.country, ana.language) == ("FR", "fr")
    assert ana.niches == ("food", "travel")
    assert ana.handle == "ana.lima"
    assert (ben.email, ben.country, ben.language, ben.niches) == ("", "GB", "en", ())
    assert (ben.followers, ben.following, ben.posts, ben.notes) == (None, None, None, "")


def test_a_handle_column_may_hold_a_profile_url():
    preview = parse("name,platform,handle\nAna,tiktok,https://www.tiktok.com/@ana_l\n")

    assert preview.rows[0].handle == "ana_l"


def test_platform_comes_from_the_profile_url_when_the_handle_has_none():
    preview = parse("name,platform,handle,profile_url\nAna,,ana_l,https://www.tiktok.com/@ana_l\n")

    assert preview.is_valid
    assert preview.rows[0].platform == Platform.TIKTOK


def test_a_handle_completes_a_youtube_channel_url():
    preview = parse(
        "name,platform,handle,profile_url\n"
        f"Ana,youtube,@AnaCooks,https://www.youtube.com/channel/{CHANNEL_ID}\n"
    )

    row = preview.rows[0]
    assert (row.handle, row.external_id) == ("anacooks", CHANNEL_ID)
    assert row.profile_url == f"https://www.youtube.com/channel/{CHANNEL_ID}"


def test_unnamed_empty_columns_are_ignored():
    preview = parse("name,platform,handle,,\nAna,instagram,ana,,\n")

    assert preview.is_valid


# --- errors in the header and the file ------------------------------------------


def test_unknown_columns_are_one_error_on_row_1_naming_them():
    preview = parse("name,platform,handle,Shoe Size,bio\nAna,instagram,ana,42,hi\n")

    assert preview.errors == [
        RowError(
            1,
            "",
            "Unknown columns: 'Shoe Size', 'bio'. The columns are: name, email, country, "
            "language, niches, platform, handle, profile_url, followers, following, posts, notes",
        )
    ]
    assert not preview.is_valid
    assert [r.handle for r in preview.rows] == ["ana"]  # the rows are still checked


def test_a_missing_name_column_is_reported_on_row_1():
    preview = parse("platform,handle\ninstagram,ana\n")

    assert preview.errors == [RowError(1, "", "Missing required column: name")]
    assert preview.rows == []


def test_missing_identity_columns_are_reported_on_row_1():
    preview = parse("name,handle\nAna,ana\n")

    assert preview.errors == [
        RowError(1, "", "Missing column: platform (or give a profile_url column instead)")
    ]


def test_a_file_with_neither_handle_nor_url_columns_names_both():
    preview = parse("name,email\nAna,ana@example.com\n")

    assert preview.errors == [
        RowError(
            1, "", "Missing columns: platform and handle (or give a profile_url column instead)"
        )
    ]


def test_a_column_given_twice_under_two_names_is_an_error():
    preview = parse("name,handle,username,platform\nAna,ana,ana,instagram\n")

    assert preview.errors == [
        RowError(1, "handle", "The columns 'handle' and 'username' both hold handle: keep only one")
    ]


@pytest.mark.parametrize("data", [b"", b"   \n\n", b",,,\n,,\n"])
def test_an_empty_file_is_reported(data):
    preview = parse_creators_csv(data)

    assert preview.errors == [RowError(FILE_ROW, "", "The file is empty")]
    assert not preview.is_valid


def test_a_file_with_only_a_header_is_reported():
    preview = parse("name,platform,handle\n\n")

    assert preview.errors == [
        RowError(FILE_ROW, "", "The file has no data rows below the header row")
    ]
    assert not preview.is_valid


def test_a_file_that_is_not_utf8_is_reported_with_the_line():
    data = "name,platform,handle\nZoë,instagram,zoe\n".encode("latin-1")

    preview = parse_creators_csv(data)

    assert preview.errors == [
        RowError(
            FILE_ROW,
            "",
            "The file is not UTF-8 encoded (the first unreadable character is on line 2): "
            "save it as CSV UTF-8 and upload it again",
        )
    ]


def test_an_excel_workbook_is_reported_as_not_a_csv():
    preview = parse_creators_csv(b"PK\x03\x04\x14\x00\x06\x00rest-of-zip")

    assert preview.errors[0].message.startswith("This is a spreadsheet file, not a CSV file")


def test_utf16_unicode_text_from_excel_is_read():
    data = "name\tplatform\thandle\r\nZoë\tinstagram\tzoe\r\n".encode("utf-16")

    preview = parse_creators_csv(data)

    assert preview.is_valid
    assert preview.rows[0].name == "Zoë"


def test_a_file_with_nul_characters_is_reported():
    preview = parse_creators_csv(b"name,platform,handle\nAna\x00,instagram,ana\n")

    assert preview.errors == [
        RowError(
            FILE_ROW,
            "",
            "The file contains a NUL character on line 2: it is not a plain CSV file; "
            "save it as CSV UTF-8 and upload it again",
        )
    ]


def test_a_cell_too_large_for_csv_is_reported_on_its_row():
    huge = "x" * 200_000
    preview = parse(f'name,platform,handle,notes\nAna,instagram,ana,\nBen,tiktok,ben,"{huge}"\n')
    header_only = parse(f'"{huge}"\n')

    assert problems(preview) == [(3, "")]
    assert preview.errors[0].message.startswith("This row couldn't be read as CSV: field larger")
    assert problems(header_only) == [(1, "")]


def test_too_many_rows_is_reported():
    text = "name,platform,handle\n" + "".join(f"C{i},instagram,c{i}\n" for i in range(4))

    assert parse(text, max_rows=4).is_valid
    preview = parse(text, max_rows=3)

    assert preview.errors == [
        RowError(
            FILE_ROW, "", "The file has more than 3 rows: split it into files of at most 3 rows"
        )
    ]
    assert preview.rows == []


# --- errors in rows ---------------------------------------------------------------


def test_every_bad_row_is_reported_with_its_row_number_and_column():
    preview = parse(
        "name,email,country,language,niches,platform,handle,profile_url,followers,following,posts\n"
        "Ana,ana@example.com,FR,fr,food,instagram,ana,,1k,10,5\n"  # 2: fine
        ",not-an-email,France,english,,instagram,ana-lima,,-5,lots,1.5\n"  # 3
        "Ben,,,,,myspace,ben,,,,\n"  # 4
        "Cleo,,,,,,,https://www.instagram.com/p/C1a2b3c4d5e/,,,\n"  # 5
        "Dan,,,,,tiktok,,,,,\n"  # 6
        "Eve,,,,,,eve,,,,\n"  # 7
        "Fay,,,,,,,,,,\n"  # 8
        "Gus,,,,,instagram,,https://www.tiktok.com/@gus,,,\n"  # 9
        "Hal,,,,,instagram,hal,https://www.instagram.com/someone.else/,,,\n"  # 10
        "Ida,,,,,youtube,id,,,,\n"  # 11
        "Jo,,,,,,,https://www.instagram.com/jo/,,,,extra\n"  # 12
    )

    assert problems(preview) == [
        (3, "name"),
        (3, "handle"),
        (3, "email"),
        (3, "country"),
        (3, "language"),
        (3, "followers"),
        (3, "following"),
        (3, "posts"),
        (4, "platform"),
        (5, "profile_url"),
        (6, "handle"),
        (7, "platform"),
        (8, "handle"),
        (9, "profile_url"),
        (10, "handle"),
        (11, "handle"),
        (12, ""),
    ]
    messages = {(e.row_number, e.column): e.message for e in preview.errors}
    assert messages[(3, "name")] == "Name is required"
    assert messages[(3, "handle")] == (
        "Instagram handles can only contain letters, numbers, periods and underscores"
    )
    assert messages[(3, "email")] == "'not-an-email' is not a valid email address"
    assert messages[(3, "country")] == (
        "'France' is not a two-letter ISO 3166 country code (e.g. FR, DE, US)"
    )
    assert messages[(3, "language")] == (
        "'english' is not a two-letter ISO 639-1 language code (e.g. en, fr, de)"
    )
    assert messages[(3, "followers")] == "'-5' is negative: counts can't be below zero"
    assert messages[(3, "following")].startswith("'lots' is not a number")
    assert messages[(3, "posts")] == "'1.5' is not a whole number"
    assert messages[(4, "platform")] == (
        "'myspace' is not a supported platform: use Instagram, TikTok or YouTube"
    )
    assert messages[(5, "profile_url")].startswith(
        "This is a link to an Instagram post, not a profile"
    )
    assert messages[(6, "handle")] == "Give a handle or a profile URL"
    assert messages[(7, "platform")] == (
        "Platform is required with a handle: instagram, tiktok or youtube"
    )
    assert messages[(8, "handle")] == "Give a platform and handle, or a profile URL"
    assert messages[(9, "profile_url")] == "This is a TikTok URL, but the platform is Instagram"
    assert messages[(10, "handle")] == (
        "The handle 'hal' doesn't match the profile URL (which is for 'someone.else')"
    )
    assert messages[(11, "handle")] == "YouTube handles must be 3–30 characters long"
    assert messages[(12, "")] == "This row has more cells than the header has columns"
    assert [r.row_number for r in preview.rows] == [2]
    assert not preview.is_valid


def test_errors_can_be_grouped_by_row_for_the_preview():
    preview = parse("name,platform,handle,followers\n,instagram,ana,x\nBen,tiktok,ben,1\n")

    grouped = preview.errors_by_row()

    assert list(grouped) == [2]
    assert [e.column for e in grouped[2]] == ["name", "followers"]


def test_too_long_values_are_reported():
    preview = parse(
        f"name,platform,handle,niches,notes\n{'A' * 201},instagram,ana,{'n' * 51},{'x' * 5001}\n"
    )

    assert problems(preview) == [(2, "name"), (2, "niches"), (2, "notes")]


def test_a_duplicate_in_the_file_is_reported_on_the_second_row_naming_the_first():
    preview = parse(
        "name,platform,handle,profile_url\n"
        "Ana,instagram,ana.lima,\n"
        "Ben,tiktok,ana.lima,\n"  # same handle, other platform: not a duplicate
        "Ana again,instagram,@Ana.Lima,\n"
        "Ana thrice,,,https://www.instagram.com/ana.lima/?hl=en\n"
    )

    assert preview.errors == [
        RowError(4, "handle", "Duplicate of row 2: Instagram @ana.lima"),
        RowError(5, "profile_url", "Duplicate of row 2: Instagram @ana.lima"),
    ]
    assert [r.row_number for r in preview.rows] == [2, 3]


def test_duplicate_youtube_channel_ids_are_reported():
    url = f"https://www.youtube.com/channel/{CHANNEL_ID}"
    preview = parse(f"name,profile_url\nAna,{url}\nAna,{url}/videos\n")

    assert preview.errors == [
        RowError(3, "profile_url", f"Duplicate of row 2: YouTube channel {CHANNEL_ID}")
    ]


def test_a_duplicate_is_found_even_when_the_first_row_has_other_errors():
    preview = parse("name,platform,handle,email\nAna,instagram,ana,bad\nAna,instagram,ana,\n")

    assert problems(preview) == [(2, "email"), (3, "handle")]
    assert preview.errors[1].message == "Duplicate of row 2: Instagram @ana"


# --- speed -------------------------------------------------------------------------


def test_ten_thousand_rows_parse_without_errors():
    platforms = ["instagram", "tiktok", "youtube"]
    lines = ["name,email,country,language,niches,platform,handle,profile_url,followers,posts"]
    for i in range(10_000):
        if i % 2:
            lines.append(
                f"Creator {i},c{i}@example.com,FR,fr,food|travel,{platforms[i % 3]},"
                f"@creator_{i},,{i}.5k,{i}"
            )
        else:
            lines.append(
                f"Creator {i},,DE,de,beauty,,,https://www.instagram.com/creator_{i}/?hl=en,"
                f'1.2M,"3,400"'
            )
    data = ("\n".join(lines) + "\n").encode()

    # Its speed is measured by bench/import_csv.py, not here: timing asserts flake under load.
    preview = parse_creators_csv(data)

    assert preview.errors == []
    assert len(preview.rows) == 10_000


# --- export: formula injection ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            '=HYPERLINK("http://evil.example","click")',
            '\'=HYPERLINK("http://evil.example","click")',
        ),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
    ],
)
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(value, expected):
    assert neutralise_csv_cell(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Jane Doe", "Jane Doe"),
        ("jane@example.com", "jane@example.com"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (12500, "12500"),
        (-5, "-5"),
        (4.5, "4.5"),
    ],
)
def test_safe_cells_and_numbers_are_left_alone(value, expected):
    assert neutralise_csv_cell(value) == expected


def test_csv_row_neutralises_every_cell_and_survives_csv_writer():
    row = csv_row(["Ana", "=1+1", None, 3, "@ana"])
    buffer = io.StringIO()
    csv.writer(buffer).writerow(row)

    assert row == ["Ana", "'=1+1", "", "3", "'@ana"]
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == row
