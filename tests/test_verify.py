"""`woo verify` re-hashes the evidence and names every damaged item."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC
from pathlib import Path

from click.testing import CliRunner

from tests.fixtures.documents import build
from wooarchive.archive.fetch import fetch
from wooarchive.archive.store import Archive
from wooarchive.cli import cli


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def flip_byte(path: Path, offset: int) -> None:
    os.chmod(path, 0o644)
    with open(path, "r+b") as fh:
        fh.seek(offset)
        byte = fh.read(1)
        fh.seek(offset)
        fh.write(bytes([byte[0] ^ 0xFF]))


def test_an_intact_archive_verifies(archive: Archive, tmp_path: Path, site) -> None:
    for doc in build(tmp_path / "docs"):
        archive.record_file(doc.path)
    site.body("/privacy", b"<html><title>Privacy</title></html>", "text/html", gzipped=True)
    fetch(archive, site.url("/privacy"))
    result = woo("verify")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "ok: 4 blobs, 4 captures, 1 WARC files verified"


def test_a_flipped_byte_in_a_blob_and_in_a_warc_file_are_both_named(
    archive: Archive, tmp_path: Path
) -> None:
    docs = build(tmp_path / "docs")
    pdf = archive.record_file(docs[1].path)
    html = archive.record_file(docs[0].path)
    flip_byte(archive.blobs.path_for(pdf.sha256), 100)
    capture = next(archive.db["captures"].rows_where("sha256 = ?", [html.sha256]))
    warc = archive.settings.warc_dir / capture["warc_file"]
    flip_byte(warc, capture["warc_offset"] + capture["warc_length"] // 2)

    result = woo("verify")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert any(
        line.startswith(f"damaged: blob {pdf.sha256}: content has changed") for line in lines
    )
    assert any(line.startswith(f"damaged: warc/{warc.name}") for line in lines)
    assert any(
        line.startswith(f"damaged: capture {capture['id']} (file:privacyverklaring.html)")
        for line in lines
    )
    assert lines[-1].startswith("Error: 3 problem(s) in 2 blobs, 2 captures, 1 WARC files")


def test_a_missing_blob_is_named(archive: Archive, tmp_path: Path) -> None:
    recorded = archive.record_file(build(tmp_path / "docs")[0].path)
    archive.blobs.path_for(recorded.sha256).unlink()
    result = woo("verify")
    assert result.exit_code == 1
    assert (
        f"damaged: blob {recorded.sha256}: missing (a document row refers to it)" in result.output
    )


def test_warc_files_written_by_the_project_pass_warcio_check(
    archive: Archive, tmp_path: Path, site
) -> None:
    archive.record_file(build(tmp_path / "docs")[1].path)
    site.body("/r", b"x" * 5000, "text/plain", gzipped=True, chunked=True)
    site.redirect("/old", "/r")
    fetch(archive, site.url("/old"))
    warcs = sorted(str(p) for p in archive.settings.warc_dir.glob("*.warc.gz"))
    assert len(warcs) == 1  # one writer, one file
    warcio = str(Path(sys.executable).with_name("warcio"))
    result = subprocess.run([warcio, "check", "-v", *warcs], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    # warcinfo, resource, then request and response for the redirect and for the page
    assert result.stdout.count("digest pass") == 6


def test_an_interrupted_write_at_the_end_of_a_warc_is_a_note_not_damage(
    archive: Archive, tmp_path: Path
) -> None:
    archive.record_file(build(tmp_path / "docs")[0].path)
    # a writer killed mid-append: a record no capture refers to, cut short at the end
    from datetime import datetime
    from io import BytesIO

    archive.warc.write_resource(
        uri="file:x",
        when=datetime.now(UTC),
        content_type="text/plain",
        body=BytesIO(b"y" * 4000),
    )
    path = archive.settings.warc_dir / archive.warc.filename
    path.write_bytes(path.read_bytes()[:-20])
    result = woo("verify")
    assert result.exit_code == 0, result.output
    assert "note: warc/" in result.output and "an interrupted write" in result.output


def test_a_deleted_or_rewritten_capture_breaks_the_capture_log(
    archive: Archive, tmp_path: Path
) -> None:
    docs = build(tmp_path / "docs")
    for doc in docs:
        archive.record_file(doc.path)
    assert woo("verify").exit_code == 0
    with archive.db.conn:
        archive.db.execute("update captures set fetched_at = '2020-01-01T00:00:00Z' where id = 2")
    result = woo("verify")
    assert result.exit_code == 1
    assert (
        "damaged: capture log: capture 2: the row was changed after it was recorded"
        in result.output
    )
    with archive.db.conn:
        archive.db.execute("delete from capture_chain where capture_id = 2")
        archive.db.execute("delete from captures where id = 2")
    result = woo("verify")
    assert (
        "damaged: capture log: capture 3: the entry before it in the chain is missing or was changed"
        in result.output
    )


def test_an_old_archive_gets_its_captures_chained_on_upgrade(tmp_path: Path) -> None:
    from wooarchive.archive import chain
    from wooarchive.archive import db as schema

    path = tmp_path / "archive.db"
    old = schema.connect(path, upto=6)
    old.execute(
        "insert into captures (id, url, sha256, fetched_at) values (1, 'file:a', 'ab', '2026-01-01T00:00:00Z')"
    )
    old.conn.close()
    upgraded = schema.connect(path)
    assert list(chain.check(upgraded.conn)) == []
    assert chain.head(upgraded.conn)[0] == 1


def _rechain_from(conn, first: int) -> None:
    """What someone with write access does after changing a capture: recompute the chain from
    it on, so that every link holds again."""
    from wooarchive.archive import chain

    previous = conn.execute(
        "select entry_hash from capture_chain where capture_id < ? order by capture_id desc limit 1",
        [first],
    ).fetchone()
    previous = previous[0] if previous else chain.GENESIS
    for (capture_id,) in conn.execute(
        "select capture_id from capture_chain where capture_id >= ? order by capture_id", [first]
    ).fetchall():
        digest = chain.entry_hash(previous, chain._capture(conn, capture_id))
        conn.execute(
            "update capture_chain set previous_hash = ?, entry_hash = ? where capture_id = ?",
            [previous, digest, capture_id],
        )
        previous = digest
    conn.commit()


def test_a_capture_rewritten_with_its_chain_recomputed_is_caught_by_the_signed_anchor(
    archive: Archive, tmp_path: Path, site
) -> None:
    import sqlite3

    assert woo("keys", "init").exit_code == 0
    for n in range(3):
        site.body(f"/p{n}", f"<html><title>P{n}</title></html>".encode(), "text/html")
        fetch(archive, site.url(f"/p{n}"))
    assert woo("index", "--jobs", "1").exit_code == 0  # ends by anchoring the heads, signed
    [(signature,)] = archive.db.execute("select signature from anchors").fetchall()
    assert signature and '"publicKey"' in signature
    assert woo("verify").exit_code == 0
    with sqlite3.connect(archive.settings.archive_db) as conn:
        conn.execute("update captures set url = 'https://elders.example/' where id = 1")
        _rechain_from(conn, 1)
    from wooarchive.archive import chain

    assert list(chain.check(archive.db.conn)) == []  # the chain alone is fooled
    result = woo("verify")
    assert result.exit_code == 1
    assert "anchors: anchor 1" in result.output and "history rewritten" in result.output


def test_url_versions_fetch_errors_and_extractions_changed_behind_its_back_are_named(
    archive: Archive, tmp_path: Path, site
) -> None:
    import sqlite3

    site.body("/p", b"<html><title>P</title></html>", "text/html")
    fetch(archive, site.url("/p"))
    archive.record_fetch_error("https://weg.example/", "no response", "GM0363")
    assert woo("index", "--jobs", "1").exit_code == 0
    assert woo("verify").exit_code == 0
    with sqlite3.connect(archive.settings.archive_db) as conn:
        conn.execute("update url_versions set first_seen = '2020-01-01T00:00:00Z'")
        conn.execute("update fetch_errors set error = 'alles goed'")
        conn.execute("update extractions set ocr_pages = 9")
        conn.execute("insert into fetch_errors (url, attempted_at, error) values ('x', 'y', 'z')")
    output = woo("verify").output
    assert "url_versions 1: differs from what was recorded" in output
    assert "fetch_errors 1: differs from what was recorded" in output
    assert "fetch_errors 2: not in the ledger" in output
    assert "extraction detail differs from what was recorded" in output


def test_anchors_made_without_a_key_are_said_to_be_unsigned(
    archive: Archive, tmp_path: Path, site
) -> None:
    site.body("/p", b"<html><title>P</title></html>", "text/html")
    fetch(archive, site.url("/p"))
    assert woo("index", "--jobs", "1").exit_code == 0
    result = woo("verify")
    assert result.exit_code == 0
    assert "anchors are unsigned" in result.output and "woo keys init" in result.output
