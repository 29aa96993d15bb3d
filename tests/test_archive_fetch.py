"""`woo archive add URL`: every response archived as evidence, redirects and errors included."""

from __future__ import annotations

import hashlib
import json

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from tests.fixtures.documents import decision_pdf
from tests.servers import free_port
from wooarchive.archive.fetch import FetchError, fetch
from wooarchive.archive.store import Archive
from wooarchive.archive.warc import read_record
from wooarchive.cli import cli

PRIVACY = (
    "<html><head><title>Privacyverklaring</title></head>"
    "<body>Wij verwerken persoonsgegevens.</body></html>"
)


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def captures(archive: Archive) -> list[dict]:
    return list(archive.db["captures"].rows_where(order_by="id"))


def test_a_fetched_pdf_is_archived_with_its_http_exchange(archive: Archive, site) -> None:
    pdf = decision_pdf()
    site.body("/besluit.pdf", pdf, "application/pdf", headers={"ETag": '"v1"'})
    result = woo("archive", "add", site.url("/besluit.pdf"), "-m", "GM1963")
    assert result.exit_code == 0, result.output
    [capture] = captures(archive)
    assert capture["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert (capture["status"], capture["method"], capture["municipality_code"]) == (
        200,
        "http",
        "GM1963",
    )
    assert ["ETag", '"v1"'] in json.loads(capture["headers"])
    assert capture["user_agent"].startswith("woo-archive/")
    record = read_record(archive.settings.warc_dir / capture["warc_file"], capture["warc_offset"])
    assert (record.record_type, record.target_uri) == ("response", site.url("/besluit.pdf"))
    assert record.payload_sha256 == capture["sha256"] and record.digests_ok
    assert archive.blobs.path_for(capture["sha256"]).read_bytes() == pdf
    assert site.log == ["/besluit.pdf"]


def test_a_gzip_and_chunked_response_keeps_raw_bytes_in_warc_and_decoded_original(
    archive: Archive, site
) -> None:
    site.body("/privacy", PRIVACY.encode(), "text/html", gzipped=True, chunked=True)
    fetch(archive, site.url("/privacy"))
    [capture] = captures(archive)
    assert capture["sha256"] == hashlib.sha256(PRIVACY.encode()).hexdigest()
    with open(archive.settings.warc_dir / capture["warc_file"], "rb") as fh:
        fh.seek(capture["warc_offset"])
        record = next(iter(ArchiveIterator(fh)))
        assert record.http_headers.get_header("Content-Encoding") == "gzip"
        assert record.http_headers.get_header("Transfer-Encoding") == "chunked"
        framed = record.raw_stream.read()
    size_line, _, rest = framed.partition(b"\r\n")
    assert rest.startswith(b"\x1f\x8b")  # the gzip bytes as served, framed as one chunk
    assert int(size_line, 16) == len(rest) - len(b"\r\n0\r\n\r\n")
    record = read_record(archive.settings.warc_dir / capture["warc_file"], capture["warc_offset"])
    assert record.payload_sha256 == capture["sha256"]
    assert next(archive.db["documents"].rows)["title"] == "Privacyverklaring"


def test_every_redirect_hop_is_a_capture_and_the_chain_is_recorded(archive: Archive, site) -> None:
    site.redirect("/privacy", "/over-ons/privacy", 301)
    site.redirect("/over-ons/privacy", site.url("/privacyverklaring"), 302)
    site.body("/privacyverklaring", PRIVACY.encode(), "text/html")
    result = fetch(archive, site.url("/privacy"))
    rows = captures(archive)
    assert [r["status"] for r in rows] == [301, 302, 200]
    assert all(r["requested_url"] == site.url("/privacy") for r in rows)
    assert json.loads(rows[-1]["redirect_chain"]) == [
        site.url("/privacy"),
        site.url("/over-ons/privacy"),
    ]
    assert archive.db["documents"].count == 1
    assert result.final.sha256 == rows[-1]["sha256"]


def test_a_redirect_loop_is_an_error_after_archiving_the_hops(archive: Archive, site) -> None:
    site.redirect("/a", "/b")
    site.redirect("/b", "/a")
    result = woo("archive", "add", site.url("/a"))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {site.url('/a')}: redirect loop at {site.url('/a')}"
    assert [r["status"] for r in captures(archive)] == [301, 301]
    assert archive.db["documents"].count == 0


def test_an_http_error_is_archived_as_evidence_and_exits_non_zero(archive: Archive, site) -> None:
    result = woo("archive", "add", site.url("/verwerkingsregister.xlsx"))
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {site.url('/verwerkingsregister.xlsx')}: HTTP 404 Not Found (archived as evidence)"
    )
    [capture] = captures(archive)
    assert capture["status"] == 404
    assert archive.blobs.exists(capture["sha256"])
    assert archive.db["documents"].count == 0


def test_an_unreachable_url_is_a_one_line_error_and_a_fetch_error_row(archive: Archive) -> None:
    url = f"http://127.0.0.1:{free_port()}/privacy"
    result = woo("archive", "add", url)
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert result.output.startswith(f"error: {url}: no response (ConnectError")
    [error] = archive.db["fetch_errors"].rows
    assert error["url"] == url and "ConnectError" in error["error"]
    assert archive.db["captures"].count == 0


def test_a_response_over_the_size_limit_is_refused_and_recorded(archive: Archive, site) -> None:
    site.body("/groot.pdf", b"%PDF-1.7\n" + b"0" * 5000, "application/pdf")
    with pytest.raises(FetchError, match="larger than the limit of 1000 bytes"):
        fetch(archive, site.url("/groot.pdf"), max_size=1000)
    assert archive.db["captures"].count == 0
    assert list(archive.blobs.iter_digests()) == []
    assert "larger than the limit" in next(archive.db["fetch_errors"].rows)["error"]


def test_a_pdf_served_as_html_keeps_its_real_type_and_a_note(archive: Archive, site) -> None:
    site.body("/download?id=7", decision_pdf(), "text/html; charset=utf-8")
    fetch(archive, site.url("/download?id=7"))
    doc = next(archive.db["documents"].rows)
    assert doc["mime"] == "application/pdf"
    assert doc["problems"] == "declared text/html but content is application/pdf"


def test_not_a_url_is_refused(archive: Archive) -> None:
    result = woo("archive", "add", "ftp://example.org/x.pdf")
    assert result.exit_code == 1
    assert "ftp://example.org/x.pdf: not an http(s) URL" in result.output


def test_the_municipality_is_recognised_from_its_website_host(archive: Archive) -> None:
    from wooarchive.archive.municipalities import for_url

    assert for_url(archive.db, "https://www.amsterdam.nl/privacy") == "GM0363"
    assert for_url(archive.db, "https://amsterdam.nl/privacy") == "GM0363"
    assert for_url(archive.db, "https://gemeente.groningen.nl/woo") == "GM0014"
    assert for_url(archive.db, "https://www.waalwijk.nl/woo") == "GM0867"
    assert for_url(archive.db, "https://example.org/") is None


def test_a_server_that_drips_its_headers_is_cut_off_at_the_total_time(
    archive: Archive, monkeypatch
) -> None:
    """httpx's timeouts are per read: headers sent a byte at a time never trip them. The
    documented total (MAX_SECONDS, here 2 s) holds for the headers as for the body."""
    import socket
    import threading

    from wooarchive.archive import fetch as fetching

    monkeypatch.setattr(fetching, "MAX_SECONDS", 2.0)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    stop = threading.Event()

    def drip() -> None:
        conn, _ = listener.accept()
        conn.recv(4096)
        headers = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Slow: " + b"x" * 200
        for byte in headers:  # 200 bytes at 0.1 s: 20 s, each read well within 30 s
            if stop.wait(0.1):
                break
            try:
                conn.sendall(bytes([byte]))
            except OSError:
                break
        conn.close()

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/traag"
    try:
        with pytest.raises(FetchError, match="still sending after 2 s; cut off"):
            fetching.fetch(archive, url)
    finally:
        stop.set()
        listener.close()
    assert "cut off" in next(archive.db["fetch_errors"].rows)["error"]
