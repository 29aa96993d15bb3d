"""`woo verify` checks archive.db too: a damaged file, and rows changed behind the archive's
back (a title, a kind, an extraction status, a page's text), are each named; commands that meet a
damaged database say so in one line."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import pytest

from tests.fixtures.documents import build
from tests.processes import marked_env, run_woo
from wooarchive.archive.store import Archive
from wooarchive.config import settings


@pytest.fixture
def indexed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Archive, dict]:
    data = tmp_path / "data"
    monkeypatch.setenv("WOO_DATA", str(data))
    archive = Archive(settings())
    docs = build(tmp_path / "docs")
    for doc in docs:
        archive.record_file(doc.path, municipality_code=doc.municipality, kind=doc.kind)
    for n in range(300):  # enough rows for the documents table to span many pages
        path = tmp_path / "more" / f"notulen-{n}.html"
        path.parent.mkdir(exist_ok=True)
        path.write_text(
            f"<title>Notulen {n} met een lange titel {'x' * 200}</title><p>tekst {n}</p>"
        )
        archive.record_file(path, municipality_code="GM0363")
    env, _ = marked_env(data)
    code, output, _ = run_woo("index", env=env)
    assert code == 0, output
    return archive, env


def sha_of(archive: Archive, url: str) -> str:
    return archive.db.execute("select sha256 from captures where url = ?", [url]).fetchone()[0]


def test_an_untouched_archive_db_verifies(indexed) -> None:
    _, env = indexed
    code, output, _ = run_woo("verify", "--full", env=env)
    assert code == 0, output


def test_rows_changed_behind_the_archives_back_are_named(indexed) -> None:
    archive, env = indexed
    decision = sha_of(archive, "file:besluit-woo-verzoek-dpia.pdf")
    privacy = sha_of(archive, "file:privacyverklaring.html")
    register = sha_of(archive, "file:verwerkingsregister.xlsx")
    notes = sha_of(archive, "file:notulen-7.html")
    with archive.db.conn:
        archive.db.execute(
            "update documents set title = 'Iets anders' where sha256 = ?", [decision]
        )
        archive.db.execute("update documents set kind = 'dpia' where sha256 = ?", [privacy])
        archive.db.execute(
            "update extractions set status = 'ok', errors = null where sha256 = ?", [register]
        )
        archive.db.execute(
            "update extractions set status = 'unreadable' where sha256 = ?", [register]
        )
        archive.db.execute("update pages set text = 'vervalst' where sha256 = ?", [notes])
    code, output, _ = run_woo("verify", env=env)
    assert code == 1
    assert f"document {decision}: title differs from what was recorded" in output
    assert f"document {privacy}: kind differs from what was recorded" in output
    assert f"document {register}: extraction status differs from what was recorded" in output
    assert f"page 1 of document {notes}: text changed since extraction" in output
    assert "Traceback" not in output


def test_a_page_of_random_bytes_in_archive_db_is_found_and_no_command_crashes(indexed) -> None:
    archive, env = indexed
    db_path = archive.settings.archive_db
    root = archive.db.execute(
        "select rootpage from sqlite_master where name = 'documents'"
    ).fetchone()[0]
    page_size = archive.db.execute("pragma page_size").fetchone()[0]
    archive.db.execute("pragma wal_checkpoint(truncate)")
    archive.db.conn.close()
    # the documents table's interior root points at its leaves: ruin the first leaf it names
    with sqlite3.connect(db_path) as conn:
        pages = [r[0] for r in conn.execute("select pageno from dbstat where name = 'documents'")]
    leaf = next(p for p in pages if p != root)
    with open(db_path, "r+b") as fh:
        fh.seek((leaf - 1) * page_size)
        fh.write(random.Random(1).randbytes(page_size))
        fh.flush()
        os.fsync(fh.fileno())
    code, output, _ = run_woo("verify", env=env)
    assert code == 1, output
    assert "archive.db" in output and "Traceback" not in output
    # every hit's document row is read: the ruined leaf is among them
    code, output, _ = run_woo("search", "tekst", "--limit", "400", env=env)
    assert code != 0 and "Traceback" not in output, output
    assert output.strip().splitlines() == [output.strip()], output
    assert "run `woo verify`" in output
