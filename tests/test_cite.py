"""`woo cite` gives a citation a journalist can paste, by SHA-256 or by URL."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.fixtures.documents import build
from wooarchive.archive.fetch import fetch
from wooarchive.archive.store import Archive
from wooarchive.cli import cli


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_a_citation_by_sha256_names_publisher_title_place_time_and_hash(
    archive: Archive, tmp_path: Path
) -> None:
    doc = build(tmp_path / "docs")[0]
    recorded = archive.record_file(doc.path, municipality_code="GM0400")
    capture = next(archive.db["captures"].rows)
    result = woo("cite", recorded.sha256)
    assert result.exit_code == 0
    expected = (
        f'Gemeente Den Helder, "Privacyverklaring gemeente Den Helder (testdocument)". '
        f"file:privacyverklaring.html, retrieved {capture['fetched_at'][:10]} "
    )
    assert result.output.startswith(expected)
    assert f"SHA-256 {recorded.sha256}." in result.output
    assert f"Archived copy: http://archive.test/-/document/{recorded.sha256}" in result.output
    assert capture["warc_record_id"] in result.output


def test_a_citation_by_url_uses_that_urls_latest_successful_capture(archive: Archive, site) -> None:
    site.body("/privacy", b"<title>Privacyverklaring</title>v1", "text/html")
    fetch(archive, site.url("/privacy"))
    site.body("/privacy", b"<title>Privacyverklaring</title>v2", "text/html")
    second = fetch(archive, site.url("/privacy")).final
    site.body("/privacy", b"weg", "text/html", status=500)
    result = woo("cite", site.url("/privacy"), "--json")
    citation = json.loads(result.output)
    assert citation["sha256"] == second.sha256
    assert citation["http_status"] == 200
    assert citation["publisher"] == "127.0.0.1"


def test_a_prefix_of_the_hash_is_enough(archive: Archive, tmp_path: Path) -> None:
    recorded = archive.record_file(build(tmp_path / "docs")[0].path)
    assert woo("cite", recorded.sha256[:10]).exit_code == 0


def test_an_unknown_reference_is_a_one_line_error(archive: Archive) -> None:
    result = woo("cite", "deadbeefdeadbeef")
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "Error: deadbeefdeadbeef: no document with this SHA-256 in the archive"
    )
    assert woo("cite", "privacy").output.strip() == (
        "Error: privacy: neither a URL nor a SHA-256 (or a prefix of 8+ hex digits)"
    )
