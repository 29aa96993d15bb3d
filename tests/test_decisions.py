"""Woo decisions as data: grounds in every notation normalise to one code, each value is read with
its evidence (page and sentence), nothing is guessed, and `woo decisions` lists, filters and
counts them; checked on real decisions from the shared corpus where it is present."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.fixtures.documents import DECISION_LINES, text_pdf
from wooarchive.archive.store import Archive
from wooarchive.cli import cli
from wooarchive.config import settings
from wooarchive.decisions.grounds import find_grounds, normalise
from wooarchive.decisions.metadata import read_decision
from wooarchive.indexer.extract import extract_file

IMAGES = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "images"


@pytest.mark.parametrize(
    "notation",
    [
        "artikel 5.1, tweede lid, aanhef en onder e, van de Woo",
        "5.1 lid 2 sub e",
        "5.1.2.e",
        "art. 5.1, lid 2, onder e Woo",
        "5.1.2e",
        "5.1.2 e",
        "artikel 5.1 lid 2 onder e",
        "artikel 5.1, 2e lid, onder e",
        "art 5.1 lid 2e",
        "Artikel 5.1 lid 2 letter e Woo",
        "5.1.2, onder e",
        "artikel 5.1, tweede lid, sub e",
    ],
)
def test_every_common_notation_of_a_ground_is_one_code(notation: str) -> None:
    assert normalise(notation) == "5.1.2e"


def test_other_grounds_the_wob_and_what_is_not_a_ground() -> None:
    assert normalise("artikel 5.1, eerste lid, onder c, van de Woo") == "5.1.1c"
    assert normalise("artikel 5.1, vijfde lid, Woo") == "5.1.5"
    assert normalise("op grond van artikel 5.2 Woo") == "5.2"
    assert normalise("artikel 10, tweede lid, aanhef en onder e, van de Wob") == "10.2e"
    assert normalise("artikel 11, eerste lid, Wob") == "11.1"
    [bogus] = find_grounds("weggelakt op grond van 5.1.2k")
    assert (bogus.code, bogus.valid) == ("5.1.2k", False) and "no letter k" in bogus.reason
    assert find_grounds("op 10 januari 2026, zie hoofdstuk 5.1 en artikel 5.1 Woo") == []


def test_a_list_of_letters_cites_every_ground_in_it() -> None:
    def codes(text: str) -> list[str]:
        return [g.code for g in find_grounds(text)]

    assert codes("artikel 5.1, tweede lid, onder e en i, en artikel 5.2 Woo") == [
        "5.1.2e",
        "5.1.2i",
        "5.2",
    ]
    assert codes("artikel 10, tweede lid, sub b, c en g Wob") == ["10.2b", "10.2c", "10.2g"]
    assert codes("artikel 5.1, tweede lid, onder e en in het belang van") == ["5.1.2e"]
    assert codes("artikel 5.1, tweede lid, onder e en k") == ["5.1.2e", "5.1.2k"]
    assert find_grounds("artikel 5.1, tweede lid, onder e en k")[1].valid is False


def test_a_decision_is_read_with_the_evidence_for_every_value() -> None:
    pages = [(1, "\n".join(["Datum: 12 maart 2026", *DECISION_LINES]))]
    decision = read_decision(pages, today=date(2026, 11, 23))
    assert decision.decided_on == date(2026, 3, 12)
    assert decision.received_on == date(2026, 2, 2)
    assert (decision.law, decision.outcome, decision.verdaging) == (
        "woo",
        "gedeeltelijk openbaar",
        False,
    )
    assert decision.evidence["received_on"].sentence.startswith("Op 2 februari 2026 hebben wij")
    [(ground, where)] = decision.grounds
    assert ground.code == "5.1.2e" and where.page == 1 and "weggelakt" in where.sentence
    assert decision.problems == []


def test_nothing_is_guessed_a_future_date_is_not_believed() -> None:
    future = read_decision(
        [(1, "Datum: 3 maart 2031\nBeste heer,\nDit gaat over iets anders.")],
        today=date(2026, 11, 23),
    )
    assert future.decided_on is None
    assert any(
        p.startswith("datum van het besluit gelezen als 3 maart 2031, maar die dag moet nog komen")
        for p in future.problems
    )
    empty = read_decision([(1, "")], today=date(2026, 11, 23))
    assert empty.problems == [
        "geen datum van het besluit gevonden in de tekst",
        "geen datum waarop het verzoek is ontvangen gevonden in de tekst",
        "geen wet (Woo of Wob) gevonden in de tekst",
        "geen uitkomst gevonden in de tekst",
    ]


def test_woo_decisions_lists_filters_and_counts_with_timeliness(
    data_dir: Path, tmp_path: Path
) -> None:
    archive = Archive(settings())
    late = tmp_path / "besluit-laat.pdf"
    late.write_bytes(text_pdf(["Datum: 12 maart 2026", *DECISION_LINES]))
    archive.record_file(late, municipality_code="GM1963", kind="woo_decision")
    extended = tmp_path / "besluit-verdaagd.pdf"
    lines = [line.replace("2 februari 2026", "5 februari 2026") for line in DECISION_LINES]
    extended.write_bytes(
        text_pdf(
            ["Datum: 10 maart 2026", *lines, "Wij hebben de beslistermijn met twee weken verdaagd."]
        )
    )
    archive.record_file(extended, municipality_code="GM1963", kind="woo_decision")
    runner = CliRunner()
    assert "2 Woo decisions read" in runner.invoke(cli, ["index", "--jobs", "1"]).output
    rows = json.loads(runner.invoke(cli, ["decisions", "--format", "json"]).output)
    by_days = {r["days_to_decision"]: r for r in rows}
    assert by_days[38]["late"] == 1 and by_days[38]["legal_due"] == "2026-03-02"
    assert by_days[33]["verdaging"] == 1 and by_days[33]["late"] == 0  # due 2026-03-19
    filtered = runner.invoke(cli, ["decisions", "--ground", "art. 5.1, lid 2, onder e Woo"])
    assert filtered.output.strip().endswith("2 decisions")
    stats = runner.invoke(cli, ["decisions", "stats", "--format", "csv"]).output.splitlines()
    assert stats[0] == (
        "municipality_code,decisions,dated,min_days,q1_days,median_days,q3_days,max_days,"
        "late_share,judged,redacted_share,grounds,inventory,codes_in_boxes"
    )
    assert stats[1] == "GM1963,2,2,33,34.25,35.5,36.75,38,0.5,2,0.0,5.1.2e 2x,,"
    # the table speaks Dutch: a decimal comma, the noun in the number's form, no "None"
    table = runner.invoke(cli, ["decisions", "stats"]).output.strip()
    assert table == (
        "GM1963 2 besluiten, mediaan 35,5 dagen, 50% van 2 te laat, 0,0% weggelakt; "
        "gronden: 5.1.2e 2x"
    )


def test_real_decisions_are_read_as_a_person_reads_them(data_dir: Path) -> None:
    if not IMAGES.is_dir():
        pytest.skip("../shared/corpus is not present")
    noord_holland = extract_file(
        IMAGES / "Wob_verzoek_Emmastraat_Gooiplein_en_Groest_Zuid_Hilversum-page-001.png",
        settings(),
    )
    decision = read_decision([(p.page, p.text) for p in noord_holland.pages])
    assert decision.decided_on == date(2016, 9, 20)  # "Verzenddatum 20 SEP. 2016"
    assert decision.received_on == date(2016, 7, 28)
    assert (decision.law, decision.outcome, decision.verdaging) == (
        "wob",
        "gedeeltelijk openbaar",
        True,
    )
    assert [g.code for g, _ in decision.grounds] == ["10.2e"]
    gelderland = extract_file(
        IMAGES / "Beslissing-op-Wob-verzoek-zwembad-Oosterhout.html__concatenated-page1.png",
        settings(),
    )
    page_two = read_decision([(p.page, p.text) for p in gelderland.pages])
    assert page_two.decided_on == date(2021, 3, 10)  # "Datum / 10 maart 2021"
    assert (
        "geen uitkomst gevonden in de tekst" in page_two.problems
    )  # that page does not say: not guessed


def test_the_site_shows_a_decisions_values_with_their_evidence(
    data_dir: Path, tmp_path: Path
) -> None:
    import asyncio

    from wooarchive.web.serve import datasette_app

    archive = Archive(settings())
    path = tmp_path / "besluit.pdf"
    path.write_bytes(text_pdf(["Datum: 12 maart 2026", *DECISION_LINES]))
    sha = archive.record_file(path, municipality_code="GM1963", kind="woo_decision").sha256
    assert CliRunner().invoke(cli, ["index", "--jobs", "1"]).exit_code == 0
    ds = datasette_app(settings())
    page = asyncio.run(ds.client.get(f"/-/document/{sha}")).text
    assert "Dit besluit als gegevens" in page and "gedeeltelijk openbaar" in page
    assert "<q>Op 2 februari 2026 hebben wij uw verzoek ontvangen" in page
    assert '<a href="#page-1">p. 1</a>' in page and "5.1.2e" in page
    assert "Inventaris</th><td>geen gevonden: niet in het besluit" in " ".join(page.split())
    counted = asyncio.run(ds.client.get("/archive/woo_grounds_by_municipality.json?_shape=array"))
    assert counted.json() == [
        {"municipality_code": "GM1963", "name": "Hoeksche Waard", "code": "5.1.2e", "decisions": 1}
    ]


def redacted_decision_pdf(boxes: int) -> bytes:
    """A decision page with ``boxes`` lines blacked out, as a redaction tool leaves them."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for n, line in enumerate(DECISION_LINES * 2):
        y = pdf.get_y()
        pdf.cell(0, 7, line or " ", new_x="LMARGIN", new_y="NEXT")
        if n < boxes:
            pdf.set_fill_color(0, 0, 0)
            pdf.rect(20, y + 1, 60 + 5 * n, 5, style="F")
    return bytes(pdf.output())


def test_redaction_boxes_are_measured_per_page_and_shown(data_dir: Path, tmp_path: Path) -> None:
    import asyncio

    from wooarchive.web.serve import datasette_app

    archive = Archive(settings())
    path = tmp_path / "geweigerd.pdf"
    path.write_bytes(redacted_decision_pdf(boxes=4))
    sha = archive.record_file(path, municipality_code="GM1963", kind="woo_decision").sha256
    assert CliRunner().invoke(cli, ["index", "--jobs", "1"]).exit_code == 0
    [(share, count)] = archive.db.execute(
        "select redacted_share, redaction_boxes from pages where sha256 = ?", [sha]
    ).fetchall()
    assert count == 4 and 0.01 < share < 0.2
    document = archive.db.execute("select redacted_share from extractions where sha256 = ?", [sha])
    assert document.fetchone()[0] == share
    page = asyncio.run(datasette_app(settings()).client.get(f"/-/document/{sha}")).text
    assert "4 vlakken op 1 pagina" in page and f"weggelakt {share * 100:.1f}% in 4 vlakken" in page


def coded_redactions_pdf() -> bytes:
    """A decision page redacted the ways tools print the ground in the box: white on black,
    white on grey, and black in a white box with a thin border; plus a bordered form field
    with a caption, which is no redaction."""
    from tests.fixtures.documents import redacted_pdf

    return redacted_pdf(
        DECISION_LINES * 2,
        {
            1: "5.1.2e",
            4: "5.1.2e",
            6: ("white", "5.1.2i"),
            9: ("white", "5.1.1c"),
            12: ("grey", "10.2.e"),
            15: ("white", "Naam aanvrager"),
        },
    )


def test_the_grounds_printed_in_redaction_boxes_are_read(data_dir: Path, tmp_path: Path) -> None:
    import asyncio

    from wooarchive.web.serve import datasette_app

    archive = Archive(settings())
    path = tmp_path / "besluit-gelakt.pdf"
    path.write_bytes(coded_redactions_pdf())
    sha = archive.record_file(path, municipality_code="GM1963", kind="woo_decision").sha256
    assert CliRunner().invoke(cli, ["index", "--jobs", "1"]).exit_code == 0
    [(boxes, codes)] = archive.db.execute(
        "select redaction_boxes, redaction_codes from pages where sha256 = ?", [sha]
    ).fetchall()
    # five boxes: three filled, two white with a border; the form field with a caption is none
    assert boxes == 5
    assert sorted(codes.split(", ")) == ["10.2e", "5.1.1c", "5.1.2e", "5.1.2e", "5.1.2i"]
    page = asyncio.run(datasette_app(settings()).client.get(f"/-/document/{sha}")).text
    assert "gronden in de vlakken: 5.1.2e 2x" in page


@pytest.mark.parametrize(
    "name, boxes",
    [
        # counted by looking at each page (/tmp copies with the boxes drawn were inspected);
        # Noordeinde ends in a stack of lines blacked out one under the other, each line its
        # own box (13), as the research's annotators count them
        ("wob-verzoek_project_noordeinde-963416-page1.png", 20),
        (
            "wob-verzoek_verlening_ligplaatsvergunning_zwaantje_schellingwouderdijk-963377-page0.png",
            8,
        ),
        ("Beslissing-op-Wob-verzoek-zwembad-Oosterhout.html__concatenated-page1.png", 4),
        # five black boxes; the three yellow bars of Gelderland's logo are none
        (
            "Beslissing-op-Wob-verzoek-aanleg-ontsluitingsweg-project-Eerbeek-Loenen.html"
            "__concatenated-page1.png",
            5,
        ),
    ],
)
def test_the_boxes_a_person_sees_on_real_redacted_pages_are_found(name: str, boxes: int) -> None:
    from PIL import Image

    from wooarchive.indexer.redaction import measure

    if not IMAGES.is_dir():
        pytest.skip("../shared/corpus is not present")
    with Image.open(IMAGES / name) as image:
        found = measure(image)
    assert len(found.boxes) == boxes
    assert found.share > 0.01


def test_a_page_of_two_hundred_inches_is_measured_small(tmp_path: Path) -> None:
    """Redaction is judged on a page scaled to a fixed size: a huge page is no pixel bomb."""
    from fpdf import FPDF

    from wooarchive.indexer.extract import ReadJob, extract

    pdf = FPDF(format=(5080, 5080))  # millimetres: 200 by 200 inches
    pdf.add_page()
    pdf.set_font("helvetica", size=200)
    pdf.text(200, 400, "Besluit op uw Woo-verzoek")
    pdf.rect(200, 800, 3000, 300, style="F")
    path = tmp_path / "reus.pdf"
    path.write_bytes(bytes(pdf.output()))
    config = settings()
    extraction = extract(
        ReadJob(str(path), "0" * 64, "application/pdf", config, str(tmp_path), redaction=True)
    )
    [page] = extraction.pages
    assert page.redaction_boxes == 1 and page.redacted_share > 0.1


PRODUCTIERAPPORT = [
    (
        "ID",
        "Matter",
        "Document",
        "Datum",
        "Beoordeling",
        "Opgeschort",
        "Beoordelingsgrond",
        "Toelichting",
        "Publieke link",
        "Zaaknummer",
    ),
    (
        "1001",
        "M1",
        "E-mail over camera's",
        "2026-01-04",
        "Deels openbaar",
        "Nee",
        "5.1.2e; 5.1.1c",
        "",
        "",
        "Z-26-1",
    ),
    (
        "1002",
        "M1",
        "Notitie aan college",
        "2026-01-05",
        "Niet openbaar",
        "Nee",
        "5.2",
        "",
        "",
        "Z-26-1",
    ),
    (
        "1003",
        "M1",
        "Raadsinformatiebrief",
        "2026-01-06",
        "Reeds openbaar",
        "Nee",
        "",
        "",
        "https://example.nl/rib",
        "Z-26-1",
    ),
    ("1004", "M1", "Contract", "2026-01-07", "Openbaar", "Ja", "", "", "", "Z-26-1"),
    ("1005", "M1", "Memo", "2026-01-08", "Niet openbaar", "Nee", "5.1.2k", "", "", "Z-26-1"),
]


def productierapport_xlsx() -> bytes:
    import io

    from openpyxl import Workbook

    book = Workbook()
    for row in PRODUCTIERAPPORT:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_inventories_are_read_in_every_form_and_linked_to_their_decision(
    archive: Archive, site
) -> None:
    from wooarchive.archive.fetch import fetch

    site.body(
        "/woo/2026-12/besluit.pdf",
        text_pdf(["Datum: 12 maart 2026", *DECISION_LINES]),
        "application/pdf",
    )
    site.body("/woo/2026-12/inventaris.xlsx", productierapport_xlsx(), "application/octet-stream")
    html = (
        "<table><tr><th>Nr.</th><th>Omschrijving</th><th>Datum</th><th>Besluit</th><th>Weigeringsgrond</th></tr>"
        + "".join(
            f"<tr><td>{n}</td><td>Stuk {n}</td><td>2026-01-0{n}</td><td>Gedeeltelijk openbaar</td><td>artikel 5.1, tweede lid, onder e</td></tr>"
            for n in range(1, 4)
        )
        + "</table>"
    )
    site.body(
        "/platform/besluit-7",
        f"<html><title>Woo-besluit 7</title><main><h1>Woo-besluit</h1>{html}</main></html>".encode(),
        "text/html",
    )
    site.body(
        "/los/inventaris.csv",
        b"Nr;Document;Beoordeling;Beoordelingsgrond\n1;Brief;Openbaar;\n2;Mail;Niet openbaar;5.1.2e\n",
        "text/csv",
    )
    decision = fetch(
        archive,
        site.url("/woo/2026-12/besluit.pdf"),
        municipality_code="GM1963",
        kind="woo_decision",
    ).final.sha256
    xlsx = fetch(
        archive, site.url("/woo/2026-12/inventaris.xlsx"), municipality_code="GM1963"
    ).final.sha256
    page = fetch(
        archive, site.url("/platform/besluit-7"), municipality_code="GM1963", kind="woo_page"
    ).final.sha256
    loose = fetch(archive, site.url("/los/inventaris.csv"), municipality_code="GM0363").final.sha256
    from tests.fixtures.documents import register_xlsx

    register_xlsx(Path(archive.settings.data_dir.parent / "register.xlsx"))
    site.body(
        "/los/register.xlsx",
        (archive.settings.data_dir.parent / "register.xlsx").read_bytes(),
        "application/octet-stream",
    )
    fetch(archive, site.url("/los/register.xlsx"), municipality_code="GM0363")
    site.body(
        "/platform/besluit-8",
        f"<html><title>Woo-besluit 8</title><main><h1>Besluit op uw Woo-verzoek</h1>{html}</main></html>".encode(),
        "text/html",
    )
    detail = fetch(
        archive, site.url("/platform/besluit-8"), municipality_code="GM1963", kind="woo_decision"
    ).final.sha256
    result = CliRunner().invoke(cli, ["index", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    report = CliRunner().invoke(cli, ["decisions", "extract"]).output
    # `woo decisions extract` reads everything again, replacing rows, never doubling them
    assert "4 inventories with 13 documents" in report
    assert archive.db.execute("select count(*) from woo_inventory_items").fetchone()[0] == 13
    inventories = {r["sha256"]: r for r in archive.db.query("select * from woo_inventories")}
    assert inventories[xlsx]["decision_sha256"] == decision and inventories[xlsx]["items"] == 5
    assert inventories[xlsx]["link"].startswith("published beside it")
    assert inventories[page]["items"] == 3 and inventories[loose]["items"] == 2
    assert inventories[loose]["decision_sha256"] is None
    assert inventories[loose]["link"] == "no decision found beside it"
    assert inventories[detail]["decision_sha256"] == detail  # a detail page: decision and list
    register = archive.db.execute(
        "select i.items, i.verdict, i.reason from woo_inventories i join documents d "
        "on d.sha256 = i.sha256 where d.first_url like '%register.xlsx'"
    ).fetchall()
    assert register == [
        (
            0,
            "not an inventory",
            "no table whose header names the documents with their assessment or grounds",
        )
    ]
    rows = {
        r["number"]: r
        for r in archive.db.query(
            "select * from woo_inventory_items where inventory_sha256 = ?", [xlsx]
        )
    }
    assert (rows["1001"]["assessment"], rows["1001"]["grounds"]) == (
        "deels openbaar",
        "5.1.2e, 5.1.1c",
    )
    assert rows["1002"]["grounds"] == "5.2" and rows["1003"]["assessment"] == "reeds openbaar"
    assert rows["1004"]["suspended"] == 1 and rows["1001"]["suspended"] == 0
    assert rows["1005"]["grounds"] is None and "no letter k" in rows["1005"]["invalid_grounds"]
    html_rows = list(
        archive.db.query(
            "select assessment, grounds from woo_inventory_items where inventory_sha256 = ?", [page]
        )
    )
    assert html_rows == [{"assessment": "deels openbaar", "grounds": "5.1.2e"}] * 3
    import asyncio

    from wooarchive.web.serve import datasette_app

    shown = asyncio.run(datasette_app(archive.settings).client.get(f"/-/document/{decision}")).text
    assert (
        "5 documenten: 2 niet openbaar, 1 deels openbaar" in shown
        and f"/-/document/{xlsx}" in shown
    )


PRODUCTIERAPPORT_HEADER = PRODUCTIERAPPORT[0][:8]  # up to Toelichting


def test_inventories_as_pdf_tables_are_read_from_the_text_layer_and_from_scans(
    archive: Archive, site
) -> None:
    from tests.fixtures.documents import INVENTORY_ROWS, inventory_pdf
    from wooarchive.archive.fetch import fetch

    def record(folder: str, name: str, content: bytes, kind: str = "woo_decision") -> str:
        site.body(f"/woo/{folder}/{name}", content, "application/pdf")
        # the crawler calls every PDF on a Woo page a decision; the reading tells them apart
        url = site.url(f"/woo/{folder}/{name}")
        return fetch(archive, url, municipality_code="GM1963", kind=kind).final.sha256

    letter = ["Datum: 12 maart 2026", *DECISION_LINES]
    decision = record("a", "besluit.pdf", text_pdf(letter))
    separate = record("a", "inventarislijst.pdf", inventory_pdf())
    scanned_decision = record("b", "besluit.pdf", text_pdf(["Datum: 13 maart 2026", *letter[1:]]))
    scan = record("b", "inventaris-scan.pdf", inventory_pdf(scanned=True))
    annexed = record(
        "c",
        "besluit-met-bijlage.pdf",
        inventory_pdf(INVENTORY_ROWS * 3, per_page=6, before=["Datum: 14 maart 2026", *letter[1:]]),
    )
    report = record(
        "d",
        "productierapport.pdf",
        inventory_pdf(
            [
                (
                    "1001",
                    "M1",
                    "Mail aan de leverancier over bewaartermijnen van het zaaksysteem",
                    "2026-01-05",
                    "Deels openbaar",
                    "Nee",
                    "5.1.2e; 5.1.1c",
                    "Namen weggelakt",
                ),
                ("1002", "M1", "Memo", "2026-01-06", "Niet openbaar", "Ja", "5.1.2k", ""),
            ],
            header=PRODUCTIERAPPORT_HEADER,
        ),
        kind="other",
    )
    result = CliRunner().invoke(cli, ["index", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    inventories = {r["sha256"]: r for r in archive.db.query("select * from woo_inventories")}
    assert inventories[separate]["decision_sha256"] == decision
    assert (inventories[separate]["separate"], inventories[separate]["form"]) == (1, "pdf table")
    assert inventories[scan]["decision_sha256"] == scanned_decision
    assert inventories[scan]["form"] == "pdf table (OCR)"
    assert inventories[annexed]["decision_sha256"] == annexed  # the decision's own annex
    assert (inventories[annexed]["items"], inventories[annexed]["separate"]) == (15, 0)
    assert inventories[decision]["items"] == 0  # a letter without a table lists nothing
    decisions = {r[0] for r in archive.db.execute("select sha256 from woo_decisions")}
    assert decisions == {decision, scanned_decision, annexed}  # an inventory is no decision

    def items(sha256: str) -> list[tuple]:
        return archive.db.execute(
            "select number, title, date, assessment, grounds from woo_inventory_items "
            "where inventory_sha256 = ? order by row",
            [sha256],
        ).fetchall()

    expected = [
        (n, title, day, assessment.lower(), grounds.replace(";", ",") or None)
        for n, title, day, assessment, grounds in INVENTORY_ROWS
    ]
    assert items(separate) == expected  # wrapped titles whole, the year-first title too
    assert items(scan) == expected  # Tesseract reads a wrapped cell above and below its row
    assert items(annexed) == expected * 3  # over three pages, the header repeated
    import asyncio

    from wooarchive.web.serve import datasette_app

    client = datasette_app(archive.settings).client
    shown = asyncio.run(client.get(f"/-/document/{scanned_decision}")).text
    assert "5 documenten: 2 deels openbaar" in shown and "gescande PDF, met OCR gelezen" in shown
    assert f"/-/document/{scan}" in shown
    rows = archive.db.execute(
        "select number, title, suspended, grounds, invalid_grounds from woo_inventory_items "
        "where inventory_sha256 = ? order by row",
        [report],
    ).fetchall()
    assert rows == [
        (
            "1001",
            "Mail aan de leverancier over bewaartermijnen van het zaaksysteem",
            0,
            "5.1.2e, 5.1.1c",
            None,
        ),
        ("1002", "Memo", 1, None, "5.1.2k: the law has no letter k in 5.1.2"),
    ]


def test_a_sentence_naming_the_columns_is_no_table_and_prose_after_a_table_no_row() -> None:
    from wooarchive.decisions.inventory import parse_pdf_inventory

    text = (
        "In de inventarislijst staat per document het nummer, de datum, de beoordeling en de "
        "grond waarop wij het niet openbaar maken.\n"
        "Nr. Document Datum Beoordeling Grond\n"
        "1 Brief 1 maart 2026 Openbaar\n"
        "Wij wijzen u erop dat u bezwaar kunt maken.\n"
        "Met vriendelijke groet,\n"
        "2. Bezwaar\n"
        "Binnen zes weken kunt u bezwaar maken; het besluit blijft openbaar.\n"
    )
    rows = parse_pdf_inventory([(1, text)])
    assert [(r.number, r.title, r.assessment) for r in rows] == [("1", "Brief", "openbaar")]


def test_the_decisions_page_shows_each_municipality_and_the_distribution(
    data_dir: Path, tmp_path: Path
) -> None:
    import asyncio

    from wooarchive.web.serve import datasette_app

    archive = Archive(settings())
    for n, day in enumerate(("12 maart 2026", "20 februari 2026")):
        path = tmp_path / f"besluit-{n}.pdf"
        path.write_bytes(text_pdf([f"Datum: {day}", *DECISION_LINES]))
        archive.record_file(path, municipality_code="GM1963", kind="woo_decision")
    assert CliRunner().invoke(cli, ["index", "--jobs", "1"]).exit_code == 0
    client = datasette_app(settings()).client
    page = asyncio.run(client.get("/-/besluiten"))
    assert page.status_code == 200
    assert "Hoeksche Waard" in page.text and "50% van 2" in page.text and "5.1.2e 2x" in page.text
    assert "14-20 dagen: 1" in page.text and "35-41 dagen: 1" in page.text  # 18 and 38 days
    assert "2 besluiten met beide datums" in page.text
    # the Woo's terms over the distribution, on the big picture and each small one
    assert (
        "28 dagen: de termijn</text>" in page.text and "42 dagen: met verdaging</text>" in page.text
    )
    assert page.text.count('<line class="legal"') == 2 * 2
    # one small picture per municipality, on the shared axis, leading to its own page
    assert 'aria-label="Dagen tot besluit, Hoeksche Waard"' in page.text
    assert 'href="/-/besluiten/GM1963"' in page.text and "28 (23&ndash;33)" in page.text
    own = asyncio.run(client.get("/-/besluiten/GM1963"))
    assert own.status_code == 200
    assert "mediaan 28, kwartielen 23 en 33, kortst 18, langst 38" in own.text
    assert own.text.count('href="/-/document/') == 2  # every decision, to its evidence
    assert asyncio.run(client.get("/-/besluiten/GM0001")).status_code == 404  # no such code
    # a municipality without decisions has a page that says so: never looked for ...
    never = asyncio.run(client.get("/-/besluiten/GM0363"))
    assert never.status_code == 200 and "Nog nooit naar gezocht" in never.text
    # ... or looked for, and when
    with archive.writing():
        archive.db.execute(
            "insert into crawl_runs (id, started_at) values (1, '2026-11-30T08:00:00Z')"
        )
        archive.db.execute(
            "insert into crawl_sites (run_id, municipality_code, start_url, started_at, "
            "finished_at) values (1, 'GM0363', 'https://www.amsterdam.nl/', "
            "'2026-11-30T08:00:00Z', '2026-11-30T09:00:00Z')"
        )
    looked = asyncio.run(client.get("/-/besluiten/GM0363"))
    assert looked.status_code == 200
    assert (
        "Geen gepubliceerde Woo-besluiten van Amsterdam gevonden. Laatst gezocht: 30 november 2026"
        in looked.text
    )
    assert 'href="/-/scorecard/GM0363"' in looked.text
    csv = asyncio.run(client.get("/archive/woo_decision_timeliness.csv?_size=max"))
    assert csv.status_code == 200 and "GM1963" in csv.text
