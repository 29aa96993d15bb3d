"""An inventory's dates are dates: ISO beside the cell's text, the order of day and month
decided for the whole column, and a note for what is no date, never a guess."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from click.testing import CliRunner

from wooarchive.archive.store import Archive
from wooarchive.cli import cli
from wooarchive.decisions.dates import read_column

HEADER = "ID;Document;Datum;Beoordeling;Beoordelingsgrond"


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        # a 14 in first place makes the column day-first: 03/04 is 3 April
        (["14/04/2025", "03/04/2025"], ["2025-04-14", "2025-04-03"]),
        # a 19 in second place makes it month-first (the platform's export, with time and zone)
        (
            ["2/19/2021 8:46 AM UTC", "3/1/2021 9:00 PM UTC"],
            ["2021-02-19T08:46Z", "2021-03-01T21:00Z"],
        ),
        # no witness: AM/PM is the platform's month-first form ...
        (["3/1/2021 9:00 AM UTC"], ["2021-03-01T09:00Z"]),
        # ... without it, the Dutch day-first
        (["03-04-2025", "05-06-2025"], ["2025-04-03", "2025-06-05"]),
        # forms that say it themselves: ISO, with time, Dutch month names, Excel serials
        (
            ["2021-02-19", "2021-02-19 08:46:00", "19 februari 2021", "19 feb. 2021", "3 mrt 2021"],
            ["2021-02-19", "2021-02-19T08:46", "2021-02-19", "2021-02-19", "2021-03-03"],
        ),
        (["44246", "44246.365"], ["2021-02-19", "2021-02-19T08:45"]),
        (["2021/02/19", "19.02.2021"], ["2021-02-19", "2021-02-19"]),
    ],
)
def test_a_column_of_dates_is_read_as_dates(column: list[str], expected: list[str]) -> None:
    readings = read_column(column)
    assert [r.iso for r in readings] == expected
    assert all(r.note is None for r in readings)


def test_what_is_no_date_is_a_note_never_a_guess() -> None:
    readings = read_column(
        [
            "31-02-2021",
            "n.v.t.",
            "",
            None,
            "19 brumaire 2021",
            "13/01/2021",
            "01/13/2021",
            "02/03/2021",
        ]
    )
    assert readings[2] is None and readings[3] is None  # an empty cell is no date and no problem
    assert [r.iso for r in readings if r] == [None, None, None, "2021-01-13", "2021-01-13", None]
    notes = [r.note for r in readings if r and r.note]
    assert notes == [
        "'31-02-2021' is not a day that exists",
        "'n.v.t.' cannot be read as a date",
        "'19 brumaire 2021': 'brumaire' is not a month",
        "'02/03/2021': day and month cannot be told apart (the column holds dates in both orders)",
    ]


def _xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["ID", "Document", "Datum", "Beoordeling", "Beoordelingsgrond"])
    book.active.append(["1", "Brief", datetime(2021, 2, 19, 8, 46), "Openbaar", ""])
    book.active.append(["2", "Mail", datetime(2021, 3, 1), "Niet openbaar", "5.1.2e"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_inventory_rows_keep_the_text_and_get_the_date(archive: Archive, site) -> None:
    from wooarchive.archive.fetch import fetch

    site.body(
        "/woo/export.csv",
        (
            HEADER
            + "\n1;Brief;2/19/2021 8:46 AM UTC;Openbaar;\n2;Mail;3/1/2021 9:00 AM UTC;Niet openbaar;5.1.2e\n"
        ).encode(),
        "text/csv",
    )
    site.body(
        "/woo/gemeente.csv",
        (
            HEADER
            + "\n1;Brief;14/04/2025;Openbaar;\n2;Nota;03/04/2025;Openbaar;\n3;Memo;morgen;Openbaar;\n"
        ).encode(),
        "text/csv",
    )
    site.body("/woo/lijst.xlsx", _xlsx(), "application/octet-stream")
    for path in ("/woo/export.csv", "/woo/gemeente.csv", "/woo/lijst.xlsx"):
        fetch(archive, site.url(path), municipality_code="GM0363")
    result = CliRunner().invoke(cli, ["index", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    rows = archive.db.execute(
        "select i.title, i.date, i.date_iso, i.notes from woo_inventory_items i "
        "join captures c on c.sha256 = i.inventory_sha256 order by c.url, i.row"
    ).fetchall()
    assert rows == [
        ("Brief", "2/19/2021 8:46 AM UTC", "2021-02-19T08:46Z", None),
        ("Mail", "3/1/2021 9:00 AM UTC", "2021-03-01T09:00Z", None),
        ("Brief", "14/04/2025", "2025-04-14", None),
        ("Nota", "03/04/2025", "2025-04-03", None),
        ("Memo", "morgen", None, "row 3: date 'morgen' cannot be read as a date"),
        ("Brief", rows[5][1], "2021-02-19T08:46", None),
        ("Mail", rows[6][1], "2021-03-01", None),
    ]
    # as a user asks for them: the files with their verdicts, one inventory's rows as CSV
    listed = CliRunner().invoke(cli, ["inventories", "-m", "GM0363"])
    assert listed.exit_code == 0 and "3 files read as inventories" in listed.output
    assert listed.output.count("inventory  ") >= 3 and "2 rows" in listed.output
    sha = archive.db.execute(
        "select i.sha256 from woo_inventories i join documents d on d.sha256 = i.sha256 "
        "where d.first_url like '%gemeente.csv'"
    ).fetchone()[0]
    as_csv = CliRunner().invoke(cli, ["inventory", sha[:10], "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    lines = as_csv.output.splitlines()
    assert lines[0].startswith("row,page,number,title,date,date_iso,assessment")
    assert lines[1].startswith("1,1,1,Brief,14/04/2025,2025-04-14,openbaar")
    missing = CliRunner().invoke(cli, ["inventory", "ffff"])
    assert missing.exit_code == 1 and "ffff: no inventory has this SHA-256" in missing.output


def _tab(rows: list[list[str]]) -> list[tuple[int, str]]:
    return [(1, "\n".join("\t".join(row) for row in rows))]


def test_headers_are_matched_as_the_platform_writes_them_and_its_columns_kept() -> None:
    from wooarchive.decisions.inventory import parse_inventory

    parsed = parse_inventory(
        _tab(
            [
                [
                    "01 ID",
                    "02 Matter",
                    " 03  Document ",
                    "06 Datum (UTC)",
                    "07 Beoordeling",
                    "08 Beoordelingsgrond",
                    "09 Toelichting",
                    "10 Publieke link",
                    "11 Gerelateerd ID",
                    "12 Familie",
                    "13 E-mail thread",
                    "14 Zaaknummer",
                ],
                [
                    "1001",
                    "M1",
                    "Nota",
                    "2/19/2021 8:46 AM UTC",
                    "Deels openbaar",
                    "5.1.2e",
                    "namen weggelakt",
                    "https://open.example.nl/1001",
                    "1000",
                    "F7",
                    "T3",
                    "Z-21-4",
                ],
            ]
        ),
        "text/plain",
    )
    assert parsed.verdict == "inventory"
    [item] = parsed.items
    assert (item.number, item.title, item.date_iso, item.assessment, item.grounds) == (
        "1001",
        "Nota",
        "2021-02-19T08:46Z",
        "deels openbaar",
        ["5.1.2e"],
    )
    assert item.extra == {
        "public_link": "https://open.example.nl/1001",
        "remark": "namen weggelakt",
        "related": "1000",
        "family": "F7",
        "thread": "T3",
        "case_number": "Z-21-4",
        "matter": "M1",
    }


def test_the_public_inventory_the_platform_generates_is_read_by_its_file_names() -> None:
    from wooarchive.decisions.inventory import parse_inventory

    parsed = parse_inventory(
        _tab(
            [
                ["Bestandsnaam", "Datum", "Beoordeling", "Beoordelingsgrond"],
                ["nota-1001.pdf", "19-02-2021", "Openbaar", ""],
            ]
        ),
        "text/plain",
    )
    assert [(i.title, i.date_iso) for i in parsed.items] == [("nota-1001.pdf", "2021-02-19")]


@pytest.mark.parametrize(
    ("rows", "verdict", "reason"),
    [
        # a header without rows: a template, an empty inventory
        ([["ID", "Document", "Beoordeling", "Beoordelingsgrond"]], "empty inventory", "template"),
        # a table of assessments without a number or a document column: no row says which
        # document it is, so none is stored (two rows used to be stored as if it were one)
        (
            [
                ["Datum", "Beoordeling", "Beoordelingsgrond"],
                ["2021-02-19", "Openbaar", ""],
                ["2021-02-20", "Niet openbaar", "5.1.2e"],
            ],
            "not an inventory",
            "no document-number column and no document column",
        ),
        ([["Naam", "Adres"], ["Gemeentehuis", "Markt 1"]], "not an inventory", "no table whose"),
    ],
)
def test_a_file_gets_its_verdict_with_the_reason(rows, verdict: str, reason: str) -> None:
    from wooarchive.decisions.inventory import parse_inventory

    parsed = parse_inventory(_tab(rows), "text/plain")
    assert parsed.items == [] and parsed.verdict == verdict and reason in parsed.reason


def test_an_unknown_judgement_is_unknown_with_a_note() -> None:
    from wooarchive.decisions.inventory import parse_inventory

    parsed = parse_inventory(
        _tab(
            [
                ["ID", "Document", "Beoordeling"],
                ["1", "Nota", "Nog in behandeling"],
                ["2", "Brief", "Openbaar"],
            ]
        ),
        "text/plain",
    )
    first, second = parsed.items
    assert first.assessment is None and first.assessment_raw == "Nog in behandeling"
    assert first.notes == [
        "row 1: assessment 'Nog in behandeling' is none of openbaar, deels openbaar, niet "
        "openbaar, reeds openbaar"
    ]
    assert second.assessment == "openbaar" and second.notes == []


def _xls() -> bytes:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Inventaris")
    for col, name in enumerate(["ID", "Document", "Datum", "Beoordeling", "Beoordelingsgrond"]):
        sheet.write(0, col, name)
    as_date = xlwt.easyxf(num_format_str="DD-MM-YYYY")
    rows = [
        (1001, "Nota", datetime(2021, 2, 19), "Deels openbaar", "5.1.2e"),
        (1002, "Brief", datetime(2021, 3, 1, 9, 30), "Openbaar", ""),
    ]
    for r, (number, title, when, judged, ground) in enumerate(rows, start=1):
        sheet.write(r, 0, number)
        sheet.write(r, 1, title)
        sheet.write(r, 2, when, as_date)
        sheet.write(r, 3, judged)
        sheet.write(r, 4, ground)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_an_old_excel_inventory_is_read_and_a_doc_is_said_to_be_unsupported(
    archive: Archive, site
) -> None:
    from wooarchive.archive.fetch import fetch

    xls = _xls()
    site.body("/woo/inventaris.xls", xls, "application/vnd.ms-excel")
    # an old Office file without a workbook (what a .doc is to xlrd)
    site.body(
        "/woo/brief.doc",
        xls.replace("Workbook".encode("utf-16-le"), "Wordbook".encode("utf-16-le")),
        "application/msword",
    )
    inventory = fetch(
        archive, site.url("/woo/inventaris.xls"), municipality_code="GM0363"
    ).final.sha256
    doc = fetch(archive, site.url("/woo/brief.doc"), municipality_code="GM0363").final.sha256
    result = CliRunner().invoke(cli, ["index", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    rows = archive.db.execute(
        "select number, title, date_iso, assessment, grounds from woo_inventory_items "
        "where inventory_sha256 = ? order by row",
        [inventory],
    ).fetchall()
    assert rows == [
        ("1001", "Nota", "2021-02-19", "deels openbaar", "5.1.2e"),
        ("1002", "Brief", "2021-03-01T09:30", "openbaar", None),
    ]
    assert archive.db.execute(
        "select form, verdict from woo_inventories where sha256 = ?", [inventory]
    ).fetchone() == ("spreadsheet (xls)", "inventory")
    status, errors = archive.db.execute(
        "select status, errors from extractions where sha256 = ?", [doc]
    ).fetchone()
    assert status == "unsupported" and "only .xls is read" in errors


def test_a_csv_from_a_dutch_excel_in_windows_1252_with_semicolons(archive: Archive, site) -> None:
    from wooarchive.archive.fetch import fetch

    text = (
        "Nr;Omschrijving;Datum;Beoordeling\n1;Geïnventariseerde e-mail café;14-04-2025;Openbaar\n"
    )
    site.body("/woo/lijst.csv", text.encode("cp1252"), "text/csv")
    sha = fetch(archive, site.url("/woo/lijst.csv"), municipality_code="GM0363").final.sha256
    assert CliRunner().invoke(cli, ["index", "--jobs", "1"]).exit_code == 0
    assert archive.db.execute(
        "select title, date_iso from woo_inventory_items where inventory_sha256 = ?", [sha]
    ).fetchall() == [("Geïnventariseerde e-mail café", "2025-04-14")]
