"""The second fixture web (tests/fixtures/cmsweb.py), crawled and read as a new user would:
`woo crawl` from the municipality's home page, then `woo index`. Every kind is found (the FG
contact and the register as sections of the privacy page), every decision on the publication
platform with its inventory and its released documents, each distinct page is fetched once, the
other organisations' host is never asked anything, and the soft 404 counts for nothing."""

from __future__ import annotations

import sqlite3
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.crawling import FAST, WOO, crawl_env, query
from tests.fixtures import cmsweb
from tests.fixtures.documents import INVENTORY_ROWS
from wooarchive.web.pages import SCORE_COLUMNS, scorecard


@dataclass
class Crawled:
    data: Path
    web: cmsweb.CmsWeb
    stdout: str


def woo_crawl(
    data: Path, *start_urls: str, web: cmsweb.CmsWeb, extra: tuple[str, ...] = ()
) -> subprocess.CompletedProcess:
    # the platform's port on this machine is one the user chose to crawl, as an intranet's
    # would be; the other organisations' port is not
    allow = f"--allow-internal={urlsplit(web.platform.url).netloc}"
    return subprocess.run(
        [WOO, "crawl", *(f"--start-url={s}" for s in start_urls), *extra, *FAST, allow],
        env=crawl_env(data),
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> Crawled:
    web = cmsweb.CmsWeb()
    data = tmp_path_factory.mktemp("cmsweb") / "data"
    env = crawl_env(data)
    try:
        crawl = woo_crawl(data, f"{cmsweb.CODE}={web.start_url}", web=web)
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-4000:]
        index = subprocess.run([WOO, "index"], env=env, capture_output=True, text=True, timeout=300)
        assert index.returncode == 0, index.stderr[-3000:]
        yield Crawled(data, web, crawl.stdout)
    finally:
        web.close()


def test_every_kind_is_found_sections_of_the_privacy_page_included(crawled: Crawled) -> None:
    with sqlite3.connect(crawled.data / "archive.db") as conn:
        conn.row_factory = sqlite3.Row
        (row,) = scorecard(conn, cmsweb.CODE)
    assert {kind: cell["state"] for kind, cell in row["cells"].items()} == {
        kind: "found" for kind, _ in SCORE_COLUMNS
    }
    sections = query(
        crawled.data,
        "select f.kind, f.anchor, f.evidence from findings f join documents d on d.sha256 = f.sha256 "
        "where d.first_url like '%/privacy' order by f.kind",
    )
    assert [(kind, anchor) for kind, anchor, _ in sections] == [
        ("fg_contact", "fg"),
        ("processing_register", "register"),
    ]
    assert "fg@sudwestfryslan.example" in sections[0][2]


def test_every_decision_on_the_platform_is_found_with_its_inventory_and_documents(
    crawled: Crawled,
) -> None:
    decisions = dict(
        query(
            crawled.data,
            "select d.first_url, w.decided_on from woo_decisions w join documents d "
            "on d.sha256 = w.sha256 where w.municipality_code = ?",
            (cmsweb.CODE,),
        )
    )
    assert sorted(url.split("/files/")[1] for url in decisions) == [
        f"{d.number}/besluit.pdf" for d in cmsweb.DECISIONS
    ]
    assert None not in decisions.values()
    inventories = query(
        crawled.data,
        "select d.first_url, i.items from woo_inventories i join documents d "
        "on d.sha256 = i.decision_sha256 where i.separate = 1",
    )
    assert sorted(inventories) == sorted((url, 5) for url in decisions)
    released = Counter(
        url.split("/files/")[1].split("/")[0]
        for (url,) in query(
            crawled.data, "select first_url from documents where kind = 'woo_document'"
        )
    )
    assert released == {d.number: cmsweb.DOCUMENTS_PER_DECISION for d in cmsweb.DECISIONS}


def test_each_distinct_page_is_fetched_once_and_no_session_token_is_asked_for(
    crawled: Crawled,
) -> None:
    for server in (crawled.web.cms, crawled.web.platform):
        assert server.log, "the host was never crawled"
        assert not [path for path in server.log if "cmsctx" in path]
        twice = [path for path, n in Counter(server.log).items() if n > 1]
        assert twice == [], twice


def test_filter_combinations_are_not_crawled_beyond_one_level(crawled: Crawled) -> None:
    log = crawled.web.platform.log
    for path in log:
        filters = {k for k, _ in parse_qsl(urlsplit(path).query) if k in cmsweb.FACETS}
        assert len(filters) <= 1, path
    # the search form is submitted once, with its defaults
    assert [p for p in log if "q=" in p] == [f"/{cmsweb.SLUG}/zoeken?q=&jaar="]
    # another municipality's section of the shared platform, linked from its frame, is not ours
    assert not [p for p in log if p.startswith("/andere-gemeente")]


def test_other_organisations_are_outlinks_never_asked(crawled: Crawled) -> None:
    assert crawled.web.others.log == []
    outlinks = {
        urlsplit(url).path
        for (url,) in query(
            crawled.data, "select url from outlinks where municipality_code = ?", (cmsweb.CODE,)
        )
    }
    assert {f"/register/organisaties/{cmsweb.SLUG}", "/nieuws/fryslan", "/rijk/woo"} <= outlinks
    assert "publication platform followed" in crawled.stdout


def test_a_soft_404_is_evidence_not_a_finding(crawled: Crawled) -> None:
    assert query(
        crawled.data, "select kind from documents where first_url like '%/beleid-2019'"
    ) == [("soft_404",)]


def test_one_file_under_two_addresses_is_one_document_with_both(crawled: Crawled) -> None:
    rows = query(
        crawled.data,
        "select d.kind, d.title, group_concat(v.url, ' ') from documents d "
        "join url_versions v on v.sha256 = d.sha256 where d.sha256 = ?",
        (__import__("hashlib").sha256(cmsweb.DPIA).hexdigest(),),
    )
    kind, title, urls = rows[0]
    assert kind == "dpia"
    assert "/download.php?objectid=881" in urls and "/documenten/dpia-jeugdzorg.pdf" in urls


def test_a_small_page_budget_buys_the_best_scoring_pages_and_the_summary_says_so(
    tmp_path: Path,
) -> None:
    web = cmsweb.CmsWeb()
    try:
        crawl = woo_crawl(
            tmp_path / "data", f"{cmsweb.CODE}={web.start_url}", web=web, extra=("--max-pages", "6")
        )
    finally:
        web.close()
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert f"{cmsweb.CODE}: page budget of 6 reached" in crawl.stdout
    fetched = {urlsplit(p).path for p in web.cms.log + web.platform.log} - {"/robots.txt"}
    assert len(fetched) == 6, fetched
    assert {"/", "/privacy", "/woo"} <= fetched
    assert not fetched & {"/nieuws", "/contact"}, fetched  # no cue: last in line
    notes = query(tmp_path / "data", "select notes from crawl_sites")[0][0]
    assert "page budget of 6 reached" in notes


def test_a_dead_site_and_a_site_that_redirects_elsewhere_are_one_line_each(tmp_path: Path) -> None:
    import socket

    web = cmsweb.CmsWeb()
    moved = cmsweb.Server(
        lambda path, query: (301, "text/html", b"", {"Location": web.others.url + "/elders"})
    )
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}/"
    try:
        crawl = woo_crawl(
            tmp_path / "data",
            f"{cmsweb.CODE}={web.start_url}",
            f"GM0014={dead}",
            f"GM0034={moved.url}/",
            web=web,
        )
    finally:
        web.close()
        moved.close()
    # a site of which nothing was archived is an error: the run did not do its job for it
    assert crawl.returncode == 1, crawl.stderr[-3000:]
    assert crawl.stderr.strip().splitlines()[-1] == (
        "Error: nothing archived for GM0014 (see the lines above)"
    )
    lines = crawl.stdout.splitlines()
    assert [
        line for line in lines if line.startswith("GM0014: start URL") and "did not answer" in line
    ]
    assert "GM0014: error: nothing archived" in lines
    assert [
        line for line in lines if line.startswith("GM0034: start URL redirects to another site")
    ]
    assert "3 crawled" in lines[-1]
    assert web.others.log == []
    assert (
        query(
            tmp_path / "data",
            "select count(*) from documents where municipality_code = ?",
            (cmsweb.CODE,),
        )[0][0]
        > 50
    )


def test_a_decisions_page_lists_its_inventory_and_the_documents_released_beside_it(
    crawled: Crawled,
) -> None:
    import httpx

    from tests.servers import woo_serve

    decision = cmsweb.DECISIONS[2]
    [(sha256,)] = query(
        crawled.data,
        "select sha256 from documents where first_url like ?",
        (f"%/files/{decision.number}/besluit.pdf",),
    )
    with woo_serve(crawled.data) as base:
        page = httpx.get(f"{base}/-/document/{sha256}", timeout=30).text
    released = query(
        crawled.data,
        "select sha256 from documents where kind = 'woo_document' and first_url like ?",
        (f"%/files/{decision.number}/document-%",),
    )
    assert len(released) == cmsweb.DOCUMENTS_PER_DECISION
    for (document,) in released:
        assert f'/-/document/{document}">het document</a>' in page
    assert page.count("Openbaar gemaakt</th>") == cmsweb.DOCUMENTS_PER_DECISION
    assert ">de inventaris</a>" in page
    # the inventory's rows, each released document linked where the archive has it
    table = page.split('id="inventory"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tr>")[2:]
    assert len(rows) == len(INVENTORY_ROWS)
    by_number = {row.split("<td>", 2)[1].split("</td>")[0]: row for row in rows}
    assert "2026-01-14" in by_number["2"] and "niet openbaar" in by_number["2"]
    assert "5.1.2e, 5.1.2i" in by_number["2"]
    for n in range(1, cmsweb.DOCUMENTS_PER_DECISION + 1):
        [(document,)] = query(
            crawled.data,
            "select sha256 from documents where first_url like ?",
            (f"%/files/{decision.number}/document-{n}.pdf",),
        )
        assert f'/-/document/{document}">in het archief</a>' in by_number[str(n)]
    assert "in het archief" not in by_number["3"]  # no file of it was released beside
