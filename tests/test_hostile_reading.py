"""One `woo index` over a hostile corpus (bombs, loops, lies, broken files; made here and taken
from other projects' test suites) beside good documents: it finishes, within memory, with a
status for every document, and the good ones are searchable."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.fixtures import hostile
from tests.fixtures.documents import build as build_good
from tests.processes import marked_env, run_woo, wait_for_no_survivors
from wooarchive.archive.store import Archive
from wooarchive.archive.warc import read_record
from wooarchive.config import settings

SHARED_HOSTILE = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "hostile"
PEAK_LIMIT = 2 * 1024**3


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    data = root / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WOO_DATA", str(data))
        archive = Archive(settings())
        names = {}
        for path in hostile.build(root / "made"):
            names[path.name] = archive.record_file(path).sha256
        shared = sorted(SHARED_HOSTILE.iterdir()) if SHARED_HOSTILE.is_dir() else []
        for path in shared:
            names[path.name] = archive.record_file(path).sha256
        good = {}
        for doc in build_good(root / "good"):
            good[doc.path.name] = archive.record_file(
                doc.path, municipality_code=doc.municipality, kind=doc.kind
            ).sha256
        env, marker = marked_env(
            data, WOO_READ_TIMEOUT="120", WOO_OCR_MAX_PAGES="3", WOO_READ_MAX_MEMORY_MB="1536"
        )
        code, output, peak = run_woo("index", env=env)
        yield archive, names, good, shared, (code, output, peak, marker)


def status(archive: Archive, sha256: str) -> tuple[str, list[str]]:
    row = archive.db.execute(
        "select status, errors from extractions where sha256 = ?", [sha256]
    ).fetchone()
    assert row is not None, f"{sha256} has no extraction row"
    return row[0], json.loads(row[1] or "[]")


def test_the_run_ends_cleanly_within_memory_and_leaves_nothing_running(hostile_run) -> None:
    _, _, _, _, (code, output, peak, marker) = hostile_run
    assert code == 0, output
    assert "Traceback" not in output, output
    assert "indexed" in output.splitlines()[-1]
    assert 0 < peak < PEAK_LIMIT, f"peak memory {peak / 1024**2:.0f} MB"
    assert wait_for_no_survivors(marker) == []


def test_every_document_has_a_status_and_the_bad_ones_say_why(hostile_run) -> None:
    archive, names, _, _, _ = hostile_run
    assert (
        archive.db["extractions"].count
        == archive.db["documents"].count
        == len(set(names.values()) | set(hostile_run[2].values()))
    )
    expected = {
        "bom.docx": ("limit", "zip bomb"),
        "bom.odt": ("limit", "zip bomb"),
        "bom-mimetype.odt": ("limit", "zip bomb"),
        "reus.png": ("limit", "20000x20000 pixels"),
        "versleuteld.pdf": ("encrypted", "password"),
        "leeg.pdf": ("empty", "zero bytes"),
        "deflate64.docx": ("unreadable", "compression method"),
        "kringloop.pdf": ("unreadable", "cyclic"),
        "gigapixel.pdf": ("partial", "40000x30000 pixels"),
    }
    for name, (want, reason) in expected.items():
        got, errors = status(archive, names[name])
        assert got == want, (name, got, errors)
        assert any(reason in error for error in errors), (name, errors)
    for sha256 in names.values():
        _, errors = status(archive, sha256)
        assert not any(str(archive.settings.data_dir) in e or "/tmp/" in e for e in errors)


def test_blank_pages_are_not_sent_to_ocr(hostile_run) -> None:
    archive, names, _, _, _ = hostile_run
    methods = dict(
        archive.db.execute(
            "select method, count(*) from pages where sha256 = ? group by method",
            [names["lege-paginas.pdf"]],
        ).fetchall()
    )
    assert methods == {"blank": 2000}  # the page limit read 2,000 of 5,000, none OCR'd


def test_a_claimed_sheet_size_and_entity_expansion_do_not_explode(hostile_run) -> None:
    archive, names, _, _, _ = hostile_run
    # its last cell, a million rows down, is past the rows read: said, not silently dropped
    got, errors = status(archive, names["dimensie.xlsx"])
    assert got == "partial" and "only its first 100,000 rows read" in json.dumps(errors)
    text = archive.db.execute(
        "select text from pages where sha256 = ?", [names["dimensie.xlsx"]]
    ).fetchone()[0]
    assert "Verwerking" in text and len(text) < 10_000
    got, errors = status(archive, names["lachen.docx"])
    assert got in ("ok", "unreadable") and "haha" * 100 not in json.dumps(errors)
    page = archive.db.execute(
        "select text from pages where sha256 = ?", [names["lachen.docx"]]
    ).fetchone()
    assert page is None or "haha" * 100 not in page[0]


def test_the_good_documents_beside_them_are_searchable(hostile_run) -> None:
    archive, _, good, _, _ = hostile_run
    for name, word in (
        ("privacyverklaring.html", "functionaris"),
        ("besluit-woo-verzoek-dpia.pdf", "zaaksysteem"),
        ("verwerkingsregister.xlsx", "Bewaartermijn"),
    ):
        assert status(archive, good[name])[0] == "ok"
        hits = {
            r[0]
            for r in archive.db.execute(
                "select p.sha256 from pages_fts f join pages p on p.rowid = f.rowid "
                "where pages_fts match ?",
                [word],
            )
        }
        assert good[name] in hits, name


def test_the_real_hostile_files_are_all_recorded(hostile_run) -> None:
    archive, names, _, shared, _ = hostile_run
    if not shared:
        pytest.skip("../shared/corpus/hostile is not present")
    statuses = {path.name: status(archive, names[path.name])[0] for path in shared}
    assert statuses["pypdf__crazyones-encrypted-256.pdf"] == "encrypted"
    assert statuses["openpyxl__null_file.xlsx"] == "empty"
    assert statuses["pypdf__Seige_of_Vicksburg_Sample_OCR.pdf"] == "ok"
    assert set(statuses.values()) <= {
        "ok",
        "partial",
        "encrypted",
        "unreadable",
        "empty",
        "unsupported",
        "limit",
        "crashed",
    }


def test_a_name_with_cr_lf_cannot_inject_a_warc_header(hostile_run) -> None:
    archive, names, _, _, _ = hostile_run
    [capture] = archive.db.query(
        "select url, warc_file, warc_offset from captures where url like 'file:besluit X%'"
    )
    assert capture["url"] == "file:besluit X-Injected: ja.pdf"
    record = read_record(archive.settings.warc_dir / capture["warc_file"], capture["warc_offset"])
    assert "\r" not in record.target_uri and "\n" not in record.target_uri
    assert unquote(record.target_uri) == "file:besluit X-Injected: ja.pdf"
