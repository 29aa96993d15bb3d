"""`woo archive add` on local files: one blob and one document per content, a capture per add."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from tests.fixtures.documents import build
from wooarchive.archive.store import Archive
from wooarchive.archive.warc import compressed_already, read_record
from wooarchive.cli import cli
from wooarchive.config import settings


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def counts(data_dir: Path) -> tuple[int, int, int]:
    db = Archive(settings()).db
    blobs = len(list((data_dir / "blobs" / "sha256").glob("*/*/*")))
    return blobs, db["documents"].count, db["captures"].count


def test_the_same_file_twice_gives_one_blob_one_document_two_captures(
    data_dir: Path, tmp_path: Path
) -> None:
    pdf = build(tmp_path / "docs")[1].path
    assert woo("archive", "add", str(pdf), "-m", "GM1963", "--kind", "woo_decision").exit_code == 0
    result = woo("archive", "add", str(pdf))
    assert result.exit_code == 0
    assert "already stored, new capture" in result.output
    assert counts(data_dir) == (1, 1, 2)
    doc = next(Archive(settings()).db["documents"].rows)
    assert (doc["kind"], doc["municipality_code"], doc["mime"]) == (
        "woo_decision",
        "GM1963",
        "application/pdf",
    )


def test_two_processes_archiving_the_same_file_at_once_store_it_once(
    data_dir: Path, tmp_path: Path
) -> None:
    pdf = build(tmp_path / "docs")[1].path
    woo_bin = str(Path(sys.executable).with_name("woo"))
    procs = [
        subprocess.Popen(
            [woo_bin, "archive", "add", str(pdf)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
    assert counts(data_dir) == (1, 1, 2)


def test_a_file_is_archived_as_a_warc_resource_record_without_its_local_path(
    data_dir: Path, tmp_path: Path
) -> None:
    html = build(tmp_path / "home" / "jansen" / "docs")[0].path
    woo("archive", "add", str(html))
    capture = next(Archive(settings()).db["captures"].rows)
    assert capture["url"] == "file:privacyverklaring.html"
    record = read_record(data_dir / "warc" / capture["warc_file"], capture["warc_offset"])
    assert record.record_type == "resource"
    assert record.payload_sha256 == capture["sha256"]
    assert "jansen" not in (data_dir / "warc" / capture["warc_file"]).read_bytes().decode("latin-1")


def test_html_title_becomes_the_citation_title(data_dir: Path, tmp_path: Path) -> None:
    woo("archive", "add", str(build(tmp_path / "docs")[0].path))
    doc = next(Archive(settings()).db["documents"].rows)
    assert doc["title"] == "Privacyverklaring gemeente Den Helder (testdocument)"


def test_a_missing_file_is_a_one_line_error_naming_it(data_dir: Path, tmp_path: Path) -> None:
    result = woo("archive", "add", str(tmp_path / "besluit.pdf"))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {tmp_path / 'besluit.pdf'}: no such file"


def test_a_directory_is_refused_by_name(data_dir: Path, tmp_path: Path) -> None:
    result = woo("archive", "add", str(tmp_path))
    assert result.exit_code == 1
    assert f"{tmp_path}: is a directory" in result.output


def test_other_files_are_still_archived_when_one_fails(data_dir: Path, tmp_path: Path) -> None:
    docs = build(tmp_path / "docs")
    result = woo("archive", "add", str(tmp_path / "weg.pdf"), str(docs[0].path))
    assert result.exit_code == 1
    assert counts(data_dir) == (1, 1, 1)


def test_a_non_pdf_named_pdf_is_archived_and_marked(data_dir: Path, tmp_path: Path) -> None:
    fake = tmp_path / "besluit.pdf"
    fake.write_text("<!doctype html><html><title>Fout</title>Sessie verlopen</html>")
    result = woo("archive", "add", str(fake))
    assert result.exit_code == 0
    assert f"warning: {fake}: declared application/pdf but content is text/html" in result.output
    doc = next(Archive(settings()).db["documents"].rows)
    assert doc["mime"] == "text/html"
    assert doc["problems"] == "declared application/pdf but content is text/html"


def test_an_empty_file_is_archived_and_marked(data_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "leeg.pdf"
    empty.write_bytes(b"")
    assert woo("archive", "add", str(empty)).exit_code == 0
    doc = next(Archive(settings()).db["documents"].rows)
    assert "empty (zero bytes)" in doc["problems"]


def test_an_unknown_municipality_code_is_refused(data_dir: Path, tmp_path: Path) -> None:
    result = woo("archive", "add", str(build(tmp_path / "docs")[0].path), "-m", "GM9999")
    assert result.exit_code == 1
    assert "unknown municipality code 'GM9999'" in result.output
    assert counts(data_dir)[2] == 0


def test_a_file_whose_name_is_not_utf8_is_archived_under_a_readable_name(
    data_dir: Path, tmp_path: Path
) -> None:
    import os
    import subprocess
    import sys

    from warcio.archiveiterator import ArchiveIterator

    folder = os.fsencode(tmp_path)
    path = os.path.join(folder, b"besluit-\xe9t\xe9.pdf")  # Windows-1252, as a USB stick has it
    with open(path, "wb") as out:
        out.write(b"%PDF-1.4\n%%EOF\n")
    woo_bin = os.path.join(os.path.dirname(sys.executable), "woo").encode()
    result = subprocess.run(
        [woo_bin, b"archive", b"add", path],
        env={**os.environ, "WOO_DATA": str(data_dir)},
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    [warc] = (data_dir / "warc").glob("*.warc.gz")
    with open(warc, "rb") as stream:
        uris = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(stream)]
    assert "file:besluit-été.pdf" in uris


def test_names_are_safe_on_every_file_system() -> None:
    from wooarchive.archive.names import file_name

    assert file_name("CON") == "_CON" and file_name("nul.txt") == "_nul.txt"
    assert file_name("Besluit: deel 1 [def]?.pdf") == "Besluit_ deel 1 (def)_.pdf"
    assert file_name("notitie... ") == "notitie"
    long = file_name("ë" * 400 + ".pdf")
    assert len(long.encode("utf-8")) <= 200 and long.endswith("ë.pdf")


def test_a_compressed_payload_is_stored_in_its_member_and_reads_back_whole(
    data_dir: Path, tmp_path: Path
) -> None:
    import gzip
    import os

    from warcio.archiveiterator import ArchiveIterator

    archive = Archive(settings())
    noise = os.urandom(200_000)  # what a PDF's compressed streams look like to zlib
    pdf = tmp_path / "besluit.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + noise + b"\n%%EOF\n")
    html = tmp_path / "pagina.html"
    html.write_text("<title>Privacyverklaring</title>" + "<p>persoonsgegevens</p>" * 5000)
    records = {}
    for path in (pdf, html):
        recorded = archive.record_file(path)
        row = archive.db.execute(
            "select warc_file, warc_offset, warc_length from captures where id = ?",
            [recorded.capture_id],
        ).fetchone()
        member = (archive.settings.warc_dir / row[0]).read_bytes()[row[1] : row[1] + row[2]]
        records[path.name] = member
        raw = gzip.decompress(member)  # one whole gzip member, as WARC readers expect
        with open(archive.settings.warc_dir / row[0], "rb") as fh:
            fh.seek(row[1])
            record = next(iter(ArchiveIterator(fh)))
            assert record.content_stream().read() == path.read_bytes()
        assert path.read_bytes() in raw
    # the HTML is compressed; what is compressed already is stored as it is (bench_archive
    # measures the time this saves)
    assert len(records["pagina.html"]) < html.stat().st_size / 10
    assert compressed_already("application/pdf") and compressed_already("image/png; q=1")
    assert compressed_already(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert compressed_already("text/html", "gzip") and not compressed_already("text/html", "")
    assert not compressed_already("text/html; charset=utf-8") and not compressed_already(None)
