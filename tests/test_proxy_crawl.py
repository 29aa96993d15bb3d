"""A crawl behind an HTTP proxy (an institution's network, a recording proxy) works as a direct
one: `http_proxy`, `https_proxy` and `no_proxy` are honoured, the address guard judges the
target host and not the proxy's address, and a site of which nothing could be archived is an
error line and a non-zero exit, never "1 crawled"."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from tests.crawling import FAST, WOO, crawl_env, query
from tests.fixtures.documents import text_pdf
from tests.fixtures.namedweb import NamedWeb, page
from wooarchive.archive.fetch import fetch
from wooarchive.archive.store import Archive

HOME = "www.gemeente-aa.nl"


def _web() -> NamedWeb:
    return NamedWeb(
        {
            HOME: {
                "/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n", {}),
                "/": page(
                    "<html><title>Gemeente Aa</title>"
                    '<a href="/privacyverklaring">Privacyverklaring</a>'
                    # a platform by every cue, under a name that resolves to an internal
                    # address: refused before the proxy is asked
                    '<a href="http://localhost:9/amsterdam/woo-besluiten">Woo-besluiten Amsterdam</a>'
                    "</html>"
                ),
                "/privacyverklaring": page(
                    "<html><title>Privacyverklaring gemeente Aa</title>"
                    "<h1>Privacyverklaring</h1>Wij verwerken persoonsgegevens zorgvuldig.</html>"
                ),
            }
        }
    )


def _warc_addresses(data: Path) -> set[str]:
    """The WARC-IP-Address of every response record (read back with warcio)."""
    found = set()
    for path in (data / "warc").glob("*.warc.gz"):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    found.add(record.rec_headers.get_header("WARC-IP-Address"))
    return found - {None}


def _crawl(data: Path, env: dict[str, str], *starts: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [WOO, "crawl", *FAST, *(f"--start-url={s}" for s in starts)],
        env={**crawl_env(data), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_crawl_through_a_proxy_archives_the_named_hosts(tmp_path: Path) -> None:
    web = _web()
    data = tmp_path / "data"
    try:
        result = _crawl(data, web.env(), f"GM0363=http://{HOME}/")
    finally:
        web.close()
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert web.hits(HOME)[0] == "/robots.txt" and "/privacyverklaring" in web.hits(HOME)
    assert [h.host for h in web.log if h.host != HOME] == []  # localhost never asked
    kinds = dict(query(data, "select first_url, kind from documents"))
    assert kinds[f"http://{HOME}/privacyverklaring"] == "privacy_statement"
    # the proxy is not the server: no address is claimed for what came through it
    assert _warc_addresses(data) == set()
    errors = [e for (e,) in query(data, "select error from fetch_errors")]
    assert any("localhost" in e and "internal address" in e for e in errors), errors


def test_no_proxy_is_honoured(tmp_path: Path, site) -> None:
    site.body("/", b"<html><title>Gemeente</title></html>", "text/html")
    web = _web()
    data = tmp_path / "data"
    try:
        result = _crawl(
            data,
            {**web.env(), "no_proxy": "127.0.0.1", "NO_PROXY": "127.0.0.1"},
            f"GM0363={site.url('/')}",
        )
    finally:
        web.close()
    assert result.returncode == 0, result.stderr[-3000:]
    assert web.log == [] and "/" in site.log


def test_a_proxy_that_refuses_is_an_error_line_and_a_non_zero_exit(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        gone = f"http://127.0.0.1:{sock.getsockname()[1]}"
    data = tmp_path / "data"
    env = {"http_proxy": gone, "HTTP_PROXY": gone, "no_proxy": "", "NO_PROXY": ""}
    result = _crawl(data, env, f"GM0363=http://{HOME}/")
    assert result.returncode == 1
    assert "GM0363: error: nothing archived" in result.stdout.splitlines()
    assert any(
        line.startswith("GM0363: start URL") and "did not answer" in line
        for line in result.stdout.splitlines()
    ), result.stdout
    assert "Traceback" not in result.stderr


def test_archive_add_goes_through_the_proxy(archive: Archive, monkeypatch) -> None:
    web = _web()
    try:
        for key, value in web.env().items():
            monkeypatch.setenv(key, value)
        fetched = fetch(archive, f"http://{HOME}/privacyverklaring")
    finally:
        web.close()
    assert fetched.final.size > 0 and web.hits(HOME) == ["/privacyverklaring"]
    assert _warc_addresses(archive.settings.data_dir) == set()


FRISIAN = "www.noardeast-fryslan.nl"


def test_a_frisian_first_site_yields_its_kinds_with_the_language_in_the_evidence(
    tmp_path: Path,
) -> None:
    def fy(title: str, body: str = "") -> tuple:
        return page(f'<html lang="fy"><title>{title}</title><h1>{title}</h1>{body}</html>')

    decision = text_pdf(["Beslút op jo Woo-fersyk", "Gemeente Noardeast-Fryslân"])
    web = NamedWeb(
        {
            FRISIAN: {
                "/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n", {}),
                "/": fy(
                    "Gemeente Noardeast-Fryslân",
                    '<a href="/privacyferklearring">Privacyferklearring</a>'
                    '<a href="/fg">Funksjonaris foar gegevensbeskerming</a>'
                    '<a href="/ferwurkingsregister">Ferwurkingsregister</a>'
                    '<a href="/woo-fersiken">Woo-fersiken</a>',
                ),
                "/privacyferklearring": fy("Privacyferklearring", "Wy ferwurkje persoansgegevens."),
                "/fg": fy("Funksjonaris foar gegevensbeskerming", "Mail de FG: fg@example.org"),
                "/ferwurkingsregister": fy("Ferwurkingsregister"),
                "/woo-fersiken": fy(
                    "Woo-fersiken", '<a href="/besluten/2026-7.pdf">Beslút Woo-fersyk 2026-7</a>'
                ),
                "/besluten/2026-7.pdf": (200, "application/pdf", decision, {}),
            }
        }
    )
    data = tmp_path / "data"
    try:
        result = _crawl(data, web.env(), f"GM1970=http://{FRISIAN}/")
    finally:
        web.close()
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    kinds = {
        url.removeprefix(f"http://{FRISIAN}"): (kind, evidence)
        for url, kind, evidence in query(
            data, "select first_url, kind, kind_evidence from documents"
        )
    }
    assert kinds["/privacyferklearring"][0] == "privacy_statement"
    assert kinds["/fg"][0] == "fg_contact"
    assert kinds["/ferwurkingsregister"][0] == "processing_register"
    assert kinds["/woo-fersiken"][0] == "woo_page"
    assert kinds["/besluten/2026-7.pdf"][0] == "woo_decision"
    assert "page language: fy" in kinds["/privacyferklearring"][1]
