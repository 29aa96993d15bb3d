"""`woo index`: every archived document read once (OCR'd in parallel where needed), problems
recorded per document, and both indexes kept up to date and rebuildable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.fixtures.documents import REGISTER_ROWS, build, scanned_pdf
from tests.fixtures.web.sites import xlsx
from wooarchive.archive.store import Archive
from wooarchive.cli import cli
from wooarchive.config import settings


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """An archive of generated documents (and the real corpus, where present), indexed once."""
    root = tmp_path_factory.mktemp("index")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WOO_DATA", str(root / "data"))
        archive = Archive(settings())
        files = root / "files"
        docs = build(files)
        for doc in docs:
            archive.record_file(
                doc.path, municipality_code=doc.municipality, kind=doc.kind, title=doc.title
            )
        scan = files / "scan.pdf"
        scan.write_bytes(
            scanned_pdf(
                [
                    "Gemeente Zwolle",
                    "Besluit op uw Woo-verzoek over cameratoezicht",
                    "De verwerkingen zijn beschreven.",
                ]
            )
        )
        archive.record_file(scan, municipality_code="GM0193", kind="woo_decision")
        twin = files / "privacy-twin.html"
        twin.write_text(docs[0].path.read_text().replace("Den Helder", "Den Haag"))
        archive.record_file(twin, municipality_code="GM0518", kind="privacy_statement")
        other = files / "gegeven.html"
        other.write_text(
            "<title>Notulen</title><main><p>Het antwoord werd gegeven door de wethouder; privé bezwaar.</p></main>"
        )
        archive.record_file(other, municipality_code="GM0344")
        broken = files / "kapot.pdf"
        broken.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 8)
        archive.record_file(broken, municipality_code="GM0344")
        corpus = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
        if corpus.is_dir():
            for name in (
                "pdf/denhelder_besluitenlijst_raad_2015-06-29.pdf",
                "pdf/hoekschewaard_woo_verzoek_geredigeerd_scanned_2022-12.pdf",
            ):
                archive.record_file(
                    corpus / name, municipality_code="GM0400" if "denhelder" in name else "GM1963"
                )
            for image in sorted((corpus / "images").glob("*.png")):
                archive.record_file(image)
        first = woo("index")
        yield archive, first, mp


def test_every_document_is_read_and_scans_are_ocrd(indexed) -> None:
    archive, first, _ = indexed
    assert first.exit_code == 0, first.output
    assert "indexed" in first.output
    rows = {r["status"] for r in archive.db["extractions"].rows}
    assert archive.db["extractions"].count == archive.db["documents"].count
    assert "ok" in rows
    [scan] = archive.db.query(
        "select p.method, p.text, p.quality from pages p join documents d on d.sha256 = p.sha256 where d.municipality_code = 'GM0193'"
    )
    assert scan["method"] == "ocr" and "cameratoezicht" in scan["text"] and scan["quality"] > 0.6
    sha = next(archive.db.query("select sha256 from documents where municipality_code = 'GM0193'"))[
        "sha256"
    ]
    derived = archive.settings.derived_dir / f"{sha}.pdf"
    from pypdf import PdfReader

    assert "cameratoezicht" in PdfReader(derived).pages[0].extract_text()  # a searchable PDF


def test_the_real_redacted_page_images_come_back_as_readable_dutch(indexed, shared_corpus) -> None:
    archive, _, _ = indexed
    images = list(
        archive.db.query(
            "select d.first_url, p.method, p.text, p.quality from documents d join pages p on p.sha256 = d.sha256 where d.mime = 'image/png'"
        )
    )
    assert len(images) == len(list((shared_corpus / "images").glob("*.png")))
    for image in images:
        words = image["text"].lower().split()
        assert image["method"] == "ocr" and image["quality"] > 0.6, image["first_url"]
        assert {"de", "van", "het"} & set(words), image["first_url"]
    texts = " ".join(i["text"] for i in images)
    assert "Wob" in texts or "Woo" in texts


def test_a_document_that_cannot_be_read_is_marked_and_the_run_goes_on(indexed) -> None:
    archive, first, _ = indexed
    [row] = archive.db.query(
        "select e.status, e.errors from extractions e join documents d on d.sha256 = e.sha256 where d.first_url = 'file:kapot.pdf'"
    )
    assert row["status"] == "unreadable" and json.loads(row["errors"])[0].startswith(
        "malformed PDF"
    )
    assert "1 with problems" in first.output or "with problems" in first.output


def test_a_spreadsheet_register_becomes_rows_to_facet(indexed) -> None:
    archive, _, _ = indexed
    values = {
        r["value"]
        for r in archive.db.query(
            "select value from register_cells where header = 'Grondslag (art. 6 AVG)'"
        )
    }
    assert values == {row[2] for row in REGISTER_ROWS[1:]}


def test_a_second_run_reads_nothing_and_ocrs_nothing(indexed, monkeypatch) -> None:
    archive, _, _ = indexed
    import wooarchive.indexer.ocr as ocr

    def no_ocr(job):
        raise AssertionError(f"OCR ran again on {job.sha256}")

    monkeypatch.setattr(ocr, "run_job", no_ocr)
    again = woo("index")
    assert again.exit_code == 0, again.output
    assert "indexed 0 documents (none new), 0 pages (OCR: 0 pages in 0 documents)" in again.output


def test_fts5_finds_pages_with_dutch_diacritics_folded(indexed) -> None:
    archive, _, _ = indexed
    hits = {
        r["first_url"]
        for r in archive.db.query(
            "select d.first_url from pages_fts f join pages p on p.rowid = f.rowid "
            "join documents d on d.sha256 = p.sha256 where pages_fts match 'prive'"
        )
    }
    assert "file:gegeven.html" in hits  # the page says "privé"
    ocr_hits = archive.db.query(
        "select p.method from pages_fts f join pages p on p.rowid = f.rowid "
        "where pages_fts match 'cameratoezicht' and p.municipality_code = 'GM0193'"
    )
    assert [r["method"] for r in ocr_hits] == ["ocr"]  # OCR'd text is searchable too


def test_new_documents_are_indexed_incrementally_and_a_new_kind_reaches_the_index(
    indexed, tmp_path: Path
) -> None:
    archive, _, _ = indexed
    extra = tmp_path / "register.xlsx"
    extra.write_bytes(xlsx(REGISTER_ROWS).body)
    recorded = archive.record_file(extra, municipality_code="GM0917")
    result = woo("index")
    assert "indexed 1 documents" in result.output
    archive.classify(recorded.sha256, "processing_register", ["test"])
    woo("index")
    found = woo("search", "Basisregistratie", "--kind", "processing_register", "--json")
    assert recorded.sha256 in {h["sha256"] for h in json.loads(found.output)["hits"]}


def test_both_indexes_rebuild_from_archive_db_alone(indexed) -> None:
    archive, _, _ = indexed
    import shutil

    before = json.loads(woo("search", "verwerkingen", "--json").output)["total"]
    live = archive.settings.whoosh_dir
    shutil.rmtree(live.resolve())  # the build the link points at, then the link
    live.unlink()
    archive.db.execute("delete from pages_fts")
    result = woo("index", "--rebuild")
    assert result.exit_code == 0, result.output
    assert json.loads(woo("search", "verwerkingen", "--json").output)["total"] == before > 0
    assert (
        list(
            archive.db.query(
                "select count(*) n from pages_fts where pages_fts match 'verwerkingen'"
            )
        )[0]["n"]
        > 0
    )
