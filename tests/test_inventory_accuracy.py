"""Every field of every inventory shape read right, measured against what the files were
written from: the platform's production report, numbered headers and export tags, its public
inventory, and municipalities' sheets with a title above the header, merged cells, a Dutch
Excel's CSV, ODS and old .xls, in every date form. And the bad input a reader meets: a reason
per file or row, nothing invented."""

from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner

from tests.fixtures.inventories import PLATFORM as FIELDS
from tests.fixtures.inventories import Doc, shapes
from wooarchive.archive.store import Archive
from wooarchive.cli import cli


def expected(doc: Doc, field: str, date: str | None):
    """What woo-archive must store for ``doc``'s ``field`` (the grounds in the law's order as
    written, comma separated; an empty cell is no value)."""
    if field == "date_iso":
        return date
    if field == "grounds":
        return ", ".join(doc.grounds) or None
    if field == "suspended":
        return int(doc.suspended)
    return getattr(doc, field) or None


def test_every_field_of_every_shape_is_read_as_written(
    archive: Archive, site, tmp_path, capsys
) -> None:
    from wooarchive.archive.fetch import fetch

    world = shapes()
    fetched = {}
    for name, shape in world.items():
        site.body(f"/woo/{shape.name}", shape.data, "application/octet-stream")
        fetched[name] = fetch(
            archive, site.url(f"/woo/{shape.name}"), municipality_code="GM0363"
        ).final.sha256
    result = CliRunner().invoke(cli, ["index", "--jobs", "2"])
    assert result.exit_code == 0, result.output
    right, total = Counter(), Counter()
    wrong = []
    for name, shape in world.items():
        verdict = archive.db.execute(
            "select verdict, items from woo_inventories where sha256 = ?", [fetched[name]]
        ).fetchone()
        assert verdict == ("inventory", len(shape.docs)), name  # every row, none invented
        rows = list(
            archive.db.query(
                f"select {', '.join(FIELDS)} from woo_inventory_items "
                "where inventory_sha256 = ? order by row",
                [fetched[name]],
            )
        )
        for row, doc, date in zip(rows, shape.docs, shape.dates, strict=True):
            for field in shape.fields:
                total[field] += 1
                if row[field] == expected(doc, field, date):
                    right[field] += 1
                else:
                    wrong.append((name, doc.number, field, row[field], expected(doc, field, date)))
    with capsys.disabled():
        print("\nveld          goed / totaal")
        for field in FIELDS:
            print(
                f"{field:<13} {right[field]:>4} / {total[field]:<4} {right[field] / total[field]:.2f}"
            )
    assert wrong == []
    assert set(total) == set(FIELDS)  # every field is carried by some shape


def test_a_sheet_of_a_million_empty_rows_is_read_to_a_bound_and_says_so(
    archive: Archive, site
) -> None:
    from wooarchive.archive.fetch import fetch

    shape = shapes()["gemeente: titel boven de kop, samengevoegde cellen, Excel-serienummers"]
    site.body("/woo/lang.xlsx", shape.data, "application/octet-stream")
    sha = fetch(archive, site.url("/woo/lang.xlsx"), municipality_code="GM0363").final.sha256
    assert CliRunner().invoke(cli, ["index", "--jobs", "1"]).exit_code == 0
    status, errors = archive.db.execute(
        "select status, errors from extractions where sha256 = ?", [sha]
    ).fetchone()
    assert status == "partial" and "only its first 100,000 rows read" in errors
    assert archive.db.execute(
        "select items from woo_inventories where sha256 = ?", [sha]
    ).fetchone() == (len(shape.docs),)


@pytest.mark.parametrize(
    "rows, note",
    [
        # both orders in one column: what only one order can read is read, the rest is not
        # guessed at and its row says why
        (
            [
                ["1", "Brief", "14/04/2025", "Openbaar"],
                ["2", "Mail", "4/14/2025", "Openbaar"],
                ["3", "Nota", "03/04/2025", "Openbaar"],
            ],
            "row 3: date '03/04/2025'",
        ),
        ([["1", "Brief", "morgen", "Openbaar"]], "date 'morgen'"),
        ([["1", "Brief", "2025-04-14", "Misschien"]], "assessment 'Misschien'"),
    ],
)
def test_a_row_that_cannot_be_read_fully_gets_its_note(rows, note: str) -> None:
    from wooarchive.decisions.inventory import parse_inventory

    text = "\n".join("\t".join(r) for r in [["Nr", "Document", "Datum", "Beoordeling"], *rows])
    parsed = parse_inventory([(1, text)], "text/plain")
    assert len(parsed.items) == len(rows)
    notes = [n for item in parsed.items for n in item.notes]
    assert any(note in n for n in notes), notes
    assert all(n.startswith("row ") for n in notes)


def test_an_inventory_whose_title_names_the_decision_is_no_decision(
    archive: Archive, tmp_path
) -> None:
    """ "Inventarislijst bij het Woo-besluit ...": the crawl calls it a decision by its title;
    a spreadsheet or a PDF opening with the list is the decision's inventory, not a decision."""
    from tests.fixtures.documents import text_pdf

    sheet = tmp_path / "Inventarislijst bij het Woo-besluit over de DPIA.xlsx"
    sheet.write_bytes(shapes()["platform: productierapport (xlsx, date cells)"].data)
    pdf = tmp_path / "Inventarislijst Woo-besluit camera's.pdf"
    pdf.write_bytes(
        text_pdf(
            [
                "Inventarislijst bij het Woo-besluit over camera's",
                "Nr. Document Datum Beoordeling Weigeringsgrond",
                "1 Brief 2021-02-19 Openbaar",
                "2 Mail 2021-02-20 Niet openbaar 5.1.2e",
            ]
        )
    )
    for path in (sheet, pdf):
        archive.record_file(path, municipality_code="GM0363", kind="woo_decision")
    assert CliRunner().invoke(cli, ["index", "--jobs", "1"]).exit_code == 0
    assert archive.db.execute("select count(*) from woo_decisions").fetchone() == (0,)
    assert sorted(
        archive.db.execute("select verdict, separate, items from woo_inventories").fetchall()
    ) == [("inventory", 1, 2), ("inventory", 1, 6)]


def test_a_spreadsheet_that_cannot_be_read_is_rejected_with_the_readers_reason(
    archive: Archive, tmp_path
) -> None:
    import io
    import zipfile

    good = shapes()["platform: productierapport (xlsx, date cells)"].data
    source = zipfile.ZipFile(io.BytesIO(good))
    broken = tmp_path / "inventaris-kapot.xlsx"
    with zipfile.ZipFile(broken, "w") as zf:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]  # cut off halfway, as a broken download is
            zf.writestr(info, data)
    archive.record_file(broken, municipality_code="GM0363")
    assert CliRunner().invoke(cli, ["index", "--jobs", "1"]).exit_code == 0
    listed = CliRunner().invoke(cli, ["inventories", "--verdict", "rejected"])
    assert listed.exit_code == 0
    assert "rejected" in listed.output and "not a readable XLSX sheet" in listed.output
