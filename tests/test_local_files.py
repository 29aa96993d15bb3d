"""No local file ever reaches the archive, and so the public site: only http and https are
fetched, whatever a hostile site names (a robots.txt `Sitemap:` line, a sitemap entry, a sitemap
index, a redirect, a link) and whatever the user types into `woo archive add`.

A `file://` URL whose host is the site's own passes every host check (Scrapy's file handler
ignores the host and reads the path), so the scheme itself must be refused."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pytest

from tests.crawling import FAST, WOO, crawl_env, query
from wooarchive.archive.fetch import FetchError, fetch
from wooarchive.archive.store import Archive

TOKEN = b"GEHEIM-sleutel-7f3a9c"


def _secrets(data: Path, tmp_path: Path) -> list[Path]:
    """Files an attacker would want: the private part of the data directory, and a file whose
    path carries the cue words the crawler follows."""
    secrets = [
        data / "requests.db",
        data / "private" / "signing-key.pem",
        tmp_path / "privacy" / "verwerkingsregister" / "privacyverklaring.html",
    ]
    for path in secrets:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"<html><title>Privacyverklaring</title>" + TOKEN + b"</html>")
    return secrets


def _everything_archived(data: Path) -> bytes:
    """Every byte the crawl kept: originals, WARC records (decompressed) and archive.db."""
    found = [p.read_bytes() for p in (data / "blobs").rglob("*") if p.is_file()]
    for warc in (data / "warc").glob("*.warc.gz"):
        found.append(gzip.decompress(warc.read_bytes()))
    found.append((data / "archive.db").read_bytes())
    return b"".join(found)


def test_a_hostile_site_cannot_make_the_crawl_read_a_local_file(site, tmp_path: Path) -> None:
    data = tmp_path / "data"
    secrets = _secrets(data, tmp_path)
    # the site's own host and port in the file URL: scope and address checks pass
    local = [f"file://127.0.0.1:{site.server.server_port}{path}" for path in secrets]
    site.body(
        "/robots.txt",
        (
            "User-agent: *\nAllow: /\n"
            + "".join(f"Sitemap: {url}\n" for url in local)
            + f"Sitemap: ftp://127.0.0.1:{site.server.server_port}/sitemap.xml\n"
            + f"Sitemap: {site.url('/sitemap.xml')}\n"
            + f"Sitemap: {site.url('/sitemap-index.xml')}\n"
        ).encode(),
        "text/plain",
    )
    entries = "".join(f"<url><loc>{url}</loc></url>" for url in local)
    site.body(
        "/sitemap.xml",
        (
            '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}<url><loc>{site.url('/privacyverklaring')}</loc></url></urlset>"
        ).encode(),
        "application/xml",
    )
    site.body(
        "/sitemap-index.xml",
        (
            '<?xml version="1.0"?>'
            '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            + "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in local)
            + "</sitemapindex>"
        ).encode(),
        "application/xml",
    )
    site.body(
        "/",
        (
            "<html><title>Gemeente</title>"
            + "".join(f'<a href="{url}">Privacyverklaring</a>' for url in local)
            + '<a href="/verwerkingsregister">Verwerkingsregister</a>'
            '<a href="/privacyverklaring">Privacyverklaring</a></html>'
        ).encode(),
        "text/html",
    )
    site.body(
        "/privacyverklaring",
        b"<html><title>Privacyverklaring</title>Wij verwerken persoonsgegevens.</html>",
        "text/html",
    )
    site.redirect("/verwerkingsregister", local[0])
    result = subprocess.run(
        [WOO, "crawl", f"--start-url=GM0363={site.url('/')}", *FAST],
        env=crawl_env(data),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    # the crawl did happen: the real privacy statement is archived
    assert query(data, "select 1 from captures where url = ?", (site.url("/privacyverklaring"),))
    assert TOKEN not in _everything_archived(data)
    assert not query(data, "select url from captures where url not like 'http%'")
    # the redirect itself is evidence; where it pointed is refused with its reason
    errors = [e for (e,) in query(data, "select error from fetch_errors")]
    assert any("file://" in e and "only http and https" in e for e in errors), errors


def test_archive_add_refuses_a_local_file_url_and_a_redirect_to_one(
    archive: Archive, site, tmp_path: Path
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(TOKEN)
    site.redirect("/doorsturen", f"file://127.0.0.1:{site.server.server_port}{secret}")
    with pytest.raises(FetchError, match="only http and https"):
        fetch(archive, site.url("/doorsturen"))
    for url in (f"file://{secret}", f"ftp://127.0.0.1/{secret.name}", "data:text/plain,x"):
        with pytest.raises(FetchError, match="only http and https"):
            fetch(archive, url)
    assert archive.db["documents"].count == 0


def test_woo_archive_add_of_a_file_url_is_a_one_line_error(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_bytes(TOKEN)
    result = subprocess.run(
        [WOO, "archive", "add", f"file://{secret}"],
        env=crawl_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    message = result.stderr.strip().splitlines()
    assert len(message) == 1 and f"file://{secret}" in message[0], result.stderr
