"""Platforms that render in the browser: `woo crawl` recognises the app's empty shell, finds the
API where the app's own configuration names it (inline, or in a configuration script), pages
through the municipality's publications in two suppliers' shapes, fetches their files (share
links, an item's attachments), archives every JSON answer, and stops an API that pages forever;
`woo index` then finds the decisions."""

from __future__ import annotations

import json

import pytest

from tests.crawling import crawl_named, index, query
from tests.fixtures import appweb
from wooarchive.crawlers.routes import platforms


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    web = appweb.world()
    data = tmp_path_factory.mktemp("apps") / "data"
    try:
        crawl = crawl_named(
            data,
            web,
            f"--start-url=GM0855=http://{appweb.TILBURG}/",
            f"--start-url=GM0153=http://{appweb.ENSCHEDE}/",
            "-s",
            "WOO_MAX_LISTING_PAGES=5",
        )
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-4000:]
        indexed = index(data)
        assert indexed.returncode == 0, indexed.stderr[-3000:]
        yield data, web, crawl.stdout
    finally:
        web.close()


def _decisions(data, code: str) -> set[str]:
    return {
        row[0]
        for row in query(
            data,
            "select decided_on from woo_decisions join documents using (sha256) "
            "where documents.municipality_code = ?",
            (code,),
        )
    }


def test_the_decisions_behind_both_suppliers_apis_are_found(crawled) -> None:
    data, _, _ = crawled
    assert _decisions(data, "GM0855") == {"2026-01-29", "2026-02-03", "2026-03-16"}
    assert _decisions(data, "GM0153") == {"2026-02-05", "2026-03-02"}
    rows = query(
        data, "select kind, kind_evidence from documents where first_url like '%/download'"
    )
    assert len(rows) == 5 and {kind for kind, _ in rows} == {"woo_decision"}
    for _, evidence in rows:
        lines = json.loads(evidence)
        assert any(line.startswith("listed by the publications API http://") for line in lines)
        assert "informatiecategorie Woo-verzoeken en -besluiten (c_3baef532)" in lines


def test_every_json_answer_is_archived_as_a_record_of_the_crawl(crawled) -> None:
    data, _, _ = crawled
    answers = query(
        data,
        "select c.url, d.kind from captures c join documents d using (sha256) "
        "where c.url like '%/api/%'",
    )
    urls = {url for url, _ in answers}
    assert f"http://{appweb.OPENWOO_API}{appweb.CATALOG}?_page=2" in urls
    assert f"http://{appweb.OPENWOO_API}{appweb.CATALOG}/7f1c/attachments" in urls
    assert {kind for _, kind in answers} <= {"crawl_record", "woo_decision"}


def test_another_publishers_item_and_an_endless_api_are_lines_not_fetches(crawled) -> None:
    data, web, summary = crawled
    assert f"/index.php/s/{appweb.OTHER.ident}/download" not in web.hits(appweb.OPENWOO_API)
    assert any(
        line.startswith("GM0855: API ")
        and "publications of another publisher not fetched: 1" in line
        for line in summary.splitlines()
    ), summary
    pages = [p for p in web.hits(appweb.ENSCHEDE_API) if p.startswith("/api/v2/publicaties")]
    assert len(pages) == 5
    assert any(
        line.startswith("GM0153: API ") and "goes on past 5 pages; stopped" in line
        for line in summary.splitlines()
    ), summary
    for host in (appweb.OPENWOO, appweb.OPENWOO_API, appweb.ENSCHEDE_APP, appweb.ENSCHEDE_API):
        assert web.hits(host)[0] == "/robots.txt", host


def test_a_shell_is_told_from_a_page_and_its_api_found_in_its_configuration() -> None:
    shell = '<html><body><div id="app"></div><script>cfg={"api":"https://x.nl/api/v1/p"}</script>'
    assert platforms.is_shell(shell, "")
    assert platforms.api_urls("https://woo.x.nl/", shell) == ["https://x.nl/api/v1/p"]
    assert not platforms.is_shell("<html><p>...</p></html>", "Woo-besluiten " * 40)
    with pytest.raises(platforms.NotAnApi, match="not JSON"):
        platforms.parse("https://x.nl/api", b"<html>")
    with pytest.raises(platforms.NotAnApi, match="no list"):
        platforms.parse("https://x.nl/api", b'{"error": "niet gevonden"}')
