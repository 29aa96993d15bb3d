"""Citations that work: Dutch and English, a permalink that opens on the server that gave it
(whatever its port), HTTP errors and redirects citable and shown, originals downloading with
their name and an RFC 3230 digest, WARC records a reader can download."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from tests.fixtures.documents import decision_pdf
from tests.servers import woo_serve
from wooarchive.archive.fetch import FetchError, fetch
from wooarchive.archive.store import Archive
from wooarchive.cli import cli


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_dutch_citation_names_the_retrieval_date_the_dutch_way(archive: Archive, site) -> None:
    site.body("/besluit-woo.pdf", decision_pdf(), "application/pdf")
    fetch(archive, site.url("/besluit-woo.pdf"), municipality_code="GM1963", kind="woo_decision")
    result = woo("cite", site.url("/besluit-woo.pdf"), "--lang", "nl")
    text = result.output.strip()
    assert text.startswith(
        "Gemeente Hoeksche Waard, 'besluit-woo.pdf', " + site.url("/besluit-woo.pdf")
    )
    assert re.search(
        r"geraadpleegd op \d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december) \d{4} om \d\d\.\d\d uur",
        text,
    )
    assert "Gearchiveerde kopie: http://archive.test/-/document/" in text
    assert "WARC-record: http://archive.test/-/warc/" in text
    other = woo("cite", site.url("/besluit-woo.pdf"), "--base-url", "https://woo.example.nl/")
    assert "Archived copy: https://woo.example.nl/-/document/" in other.output


def test_a_404_is_evidence_with_its_own_page_citation_and_warc_record(
    archive: Archive, site, data_dir: Path
) -> None:
    site.redirect("/privacy", "/privacy-oud")  # the link redirects to a page that is gone
    with pytest.raises(FetchError, match="HTTP 404 Not Found .archived as evidence."):
        fetch(archive, site.url("/privacy"), municipality_code="GM0363")
    cited = woo("cite", site.url("/privacy-oud"), "--json")
    assert cited.exit_code == 0, cited.output
    citation = json.loads(cited.output)
    assert citation["http_status"] == 404 and citation["title"] == "HTTP 404 Not Found"
    assert citation["permalink"] == f"http://archive.test/-/capture/{citation['capture_id']}"
    with woo_serve(data_dir) as base:
        page = httpx.get(f"{base}/-/capture/{citation['capture_id']}")
        assert page.status_code == 200
        assert "HTTP 404" in page.text and "Gemeente Amsterdam" in page.text
        redirects = re.search(r'<ol id="redirects">(.*?)</ol>', page.text, re.S).group(1)
        assert site.url("/privacy") in redirects and site.url("/privacy-oud") in redirects
        first = httpx.get(f"{base}/-/capture/{citation['capture_id'] - 1}").text
        assert "HTTP 301" in first and "<td>/privacy-oud</td>" in first  # its Location header
        record = httpx.get(f"{base}/-/warc/{citation['capture_id']}")
        assert record.status_code == 200 and record.headers["content-type"] == "application/warc"
        kinds = [
            (r.rec_type, r.http_headers.get_statuscode() if r.rec_type == "response" else None)
            for r in ArchiveIterator(io.BytesIO(record.content), check_digests=True)
        ]
        assert kinds == [("response", "404"), ("request", None)]
        assert httpx.get(f"{base}/-/warc/999999").status_code == 404


def test_an_original_downloads_with_its_name_and_a_base64_digest(
    archive: Archive, site, data_dir: Path
) -> None:
    site.body("/download.php?id=42", decision_pdf(), "application/pdf")
    site.body("/besluit%20op%20verzoek", decision_pdf() + b"\n", "application/pdf")
    fetch(archive, site.url("/besluit%20op%20verzoek"), municipality_code="GM1963")
    sha = fetch(archive, site.url("/download.php?id=42"), municipality_code="GM1963").final.sha256
    other = hashlib.sha256(decision_pdf() + b"\n").hexdigest()
    with woo_serve(data_dir) as base:
        response = httpx.get(f"{base}/-/original/{sha}")
        assert (
            response.headers["digest"]
            == "sha-256=" + base64.b64encode(hashlib.sha256(response.content).digest()).decode()
        )
        assert 'filename="download.php.pdf"' in response.headers["content-disposition"]
        named = httpx.get(f"{base}/-/original/{other}").headers["content-disposition"]
        assert "filename*=UTF-8''besluit%20op%20verzoek.pdf" in named


def test_a_citation_copied_from_the_site_opens_on_a_server_on_another_port(
    archive: Archive, site, data_dir: Path, monkeypatch
) -> None:
    site.body("/besluit.pdf", decision_pdf(), "application/pdf")
    sha = fetch(archive, site.url("/besluit.pdf"), municipality_code="GM1963").final.sha256
    monkeypatch.delenv("WOO_BASE_URL")  # as a user who never set it
    with woo_serve(data_dir, base_url=None) as base:
        page = httpx.get(f"{base}/-/document/{sha}").text
        copied = re.search(r'id="citation-nl">([^<]+)<', page).group(1)
        permalink = re.search(r"Gearchiveerde kopie: (\S+)", copied).group(1)
        assert permalink == f"{base}/-/document/{sha}"  # this server's own port, not 8001
        opened = httpx.get(permalink)
        assert opened.status_code == 200 and sha in opened.text
        warc = re.search(r"WARC-record: (\S+?)\)", copied).group(1)
        assert httpx.get(warc).status_code == 200


def test_a_wacz_names_the_hand_added_files_it_leaves_out(
    archive: Archive, site, tmp_path: Path
) -> None:
    site.body("/p", b"<html><title>Privacy</title></html>", "text/html")
    fetch(archive, site.url("/p"), municipality_code="GM0363")
    local = tmp_path / "scan.pdf"
    local.write_bytes(decision_pdf())
    archive.record_file(local, municipality_code="GM0363")
    assert woo("keys", "init").exit_code == 0
    result = CliRunner().invoke(cli, ["export", "wacz", "-o", str(tmp_path / "x.wacz")])
    assert result.exit_code == 0, result.output
    assert "1 documents, 1 captures, signed" in result.output
    assert "1 files added by hand are not in the WACZ" in result.output


def test_archive_add_of_an_http_1_0_server_that_closes_the_connection(
    archive: Archive, tmp_path: Path
) -> None:
    """Python's own http.server speaks HTTP/1.0 and closes after the body: archived, no crash."""
    import functools
    import http.server
    import threading

    (tmp_path / "privacy.html").write_text("<html><title>Privacy</title></html>")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/privacy.html"
        result = CliRunner().invoke(cli, ["archive", "add", url, "-m", "GM0363"])
        assert result.exit_code == 0 and "archived" in result.output, result.output
    finally:
        server.shutdown()
        server.server_close()


def test_a_document_without_a_capture_is_a_clear_error_not_a_hang(archive: Archive) -> None:
    """A document row with no capture (a damaged archive) is named; the search page, which
    cites every hit in a worker thread, goes on without that citation instead of hanging."""
    from wooarchive.archive.cite import cite
    from wooarchive.archive.store import ArchiveError

    archive.db.execute("insert into documents (sha256, title) values (?, 'los')", ["ab" * 32])
    with pytest.raises(ArchiveError, match="no capture of this document"):
        cite(archive.db, archive.settings, "ab" * 32)


def test_a_dutch_citation_gives_the_time_in_the_netherlands() -> None:
    from datetime import datetime

    from wooarchive.dutch import local_time

    assert local_time(datetime(2026, 12, 3, 6, 50)) == "3 december 2026 om 07.50 uur"  # winter
    assert (
        local_time(datetime(2026, 7, 1, 22, 15)) == "2 juli 2026 om 00.15 uur"
    )  # summer, next day
