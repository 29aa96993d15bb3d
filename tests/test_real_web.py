"""Patterns of real municipal CMSs: a fresh session id in every link, files served by a download
script that names them only in Content-Disposition, "not found" pages answered with 200. Each
distinct page is fetched once, a download keeps its name, and a soft 404 is evidence, not a
finding."""

from __future__ import annotations

import itertools
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.crawling import FAST, WOO, crawl_env, query
from tests.fixtures.cmsweb import Server
from tests.fixtures.documents import decision_pdf
from wooarchive.archive.urls import canonical

TEXT = "De gemeente verwerkt persoonsgegevens zorgvuldig. " * 20
NAV = (
    '<a href="/privacy?SID">Privacyverklaring</a> <a href="/woo?SID">Wet open overheid</a> '
    '<a href="/oud-register;SID">Verwerkingsregister</a> '
    '<a href="/download.php?id=42&amp;SID">Besluit op Woo-verzoek</a>'
)
PAGES = {
    "/": "<html><title>Gemeente Voorbeeld</title><body>" + NAV + "</body></html>",
    "/privacy": f"<html><title>Privacyverklaring</title><main><h1>Privacyverklaring</h1><p>{TEXT}</p>{NAV}</main></html>",
    "/woo": f"<html><title>Wet open overheid</title><main><h1>Woo</h1><p>{TEXT}</p>{NAV}</main></html>",
    "/oud-register": "<html><title>Pagina niet gevonden</title><h1>Pagina niet gevonden</h1>"
    f"<p>Helaas, deze pagina bestaat niet meer.</p>{NAV}</html>",
}


class CmsSite:
    """A CMS that puts a new session id in every link and ignores it when asked."""

    def __init__(self) -> None:
        sessions = itertools.count(1000)

        def route(path: str, query: dict[str, str]):
            if path == "/download.php":
                name = "attachment; filename*=UTF-8''Besluit%20Woo-verzoek%202026-12.pdf"
                return (
                    200,
                    "application/octet-stream",
                    decision_pdf(),
                    {"Content-Disposition": name},
                )
            if path in PAGES:
                page = PAGES[path].replace("SID", f"jsessionid={next(sessions)}")
                return 200, "text/html", page.encode(), {}
            if path == "/robots.txt":
                return 200, "text/plain", b"User-agent: *\nAllow: /\n", {}
            return None

        self.server = Server(route)
        self.log = self.server.log
        self.url = self.server.url + "/"


@pytest.fixture
def cms() -> Iterator[CmsSite]:
    site = CmsSite()
    yield site
    site.server.close()


def test_session_ids_and_tracking_parameters_are_not_part_of_a_url() -> None:
    assert canonical("https://g.nl/privacy?jsessionid=AB12&x=1#top") == "https://g.nl/privacy?x=1"
    assert canonical("https://g.nl/privacy;jsessionid=AB12?x=1") == "https://g.nl/privacy?x=1"
    assert canonical("https://g.nl/(S(abc123))/woo.aspx?id=4") == "https://g.nl/woo.aspx?id=4"
    assert canonical("https://g.nl/a?utm_source=nb&utm_medium=mail&PHPSESSID=9&page=2") == (
        "https://g.nl/a?page=2"
    )
    assert canonical("https://g.nl/zoek?q=a+b&sort=datum") == "https://g.nl/zoek?q=a+b&sort=datum"


def test_a_cms_site_is_crawled_once_per_page_with_names_and_soft_404s(
    cms: CmsSite, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    result = subprocess.run(
        [WOO, "crawl", f"--start-url=GM0363={cms.url}", *FAST],
        env=crawl_env(data),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    fetched = Counter(urlsplit(path).path.split(";", 1)[0] for path in cms.log)
    assert set(fetched) >= {"/", "/privacy", "/woo", "/oud-register", "/download.php"}
    # each page once, whatever its session id (robots.txt too: Scrapy's check uses ours)
    assert all(n == 1 for n in fetched.values()), fetched
    kinds = Counter(k for (k,) in query(data, "select kind from documents"))
    assert kinds["privacy_statement"] == 1 and kinds["soft_404"] == 1, kinds
    [(mime, size)] = query(
        data, "select mime, size from documents where first_url like '%download.php%'"
    )
    assert mime == "application/pdf" and size == len(decision_pdf())
    titles = [t for (t,) in query(data, "select title from documents")]
    assert "Besluit op Woo-verzoek" in titles  # the link text, else the Content-Disposition name
    assert not query(data, "select 1 from captures where url like '%jsessionid%'")


def test_a_download_script_names_its_file_in_content_disposition(archive, site) -> None:
    from wooarchive.archive.fetch import fetch

    site.body(
        "/download.php?id=7",
        decision_pdf(),
        "application/octet-stream",
        headers={"Content-Disposition": 'attachment; filename="Besluit op Woo-verzoek.pdf"'},
    )
    recorded = fetch(archive, site.url("/download.php?id=7")).final
    document = archive.db["documents"].get(recorded.sha256)
    assert (
        document["title"] == "Besluit op Woo-verzoek.pdf" and document["mime"] == "application/pdf"
    )
    assert document["problems"] is None  # octet-stream with a .pdf name: no contradiction
