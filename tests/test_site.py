"""The published site, through Datasette's test client: document pages, original downloads,
search, scorecard, and no requester data anywhere on the public side."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import html as html_module
import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.browser import FLAGS as CHROMIUM_FLAGS
from tests.conftest import Site
from tests.fixtures.documents import PRIVACY_HTML, decision_pdf
from wooarchive.archive.fetch import fetch
from wooarchive.archive.store import Archive, ArchiveError
from wooarchive.config import settings
from wooarchive.indexer.run import index
from wooarchive.requests.letters import Requester
from wooarchive.requests.stats import publish
from wooarchive.requests.store import RequestStore
from wooarchive.web.serve import datasette_app

NAME, MAIL, STREET = "Fenna de Vries-Bakker", "fenna.devries@onderzoek.example", "Lindenlaan 12"
HOSTILE = """<!doctype html><html><head><title>Privacy <script>document.title='PWNED'</script></title></head>
<body><main><h1>Privacyverklaring</h1>
<p>Wij verwerken persoonsgegevens &lt;img src=x onerror="document.body.setAttribute('data-pwned','1')"&gt; veilig.</p>
<script>document.body.setAttribute('data-pwned','1')</script>
<img src="x" onerror="document.body.setAttribute('data-pwned','1')"></main></body></html>"""


@dataclass
class Built:
    data: Path
    privacy_v1: str
    privacy_v2: str
    pdf: str
    hostile: str


def run(coroutine):
    return asyncio.run(coroutine)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    root = tmp_path_factory.mktemp("site")
    web = Site()
    web.thread.start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WOO_DATA", str(root / "data"))
        mp.setenv("WOO_BASE_URL", "http://archive.test")
        archive = Archive(settings())
        web.body("/privacy", PRIVACY_HTML.encode(), "text/html; charset=utf-8")
        v1 = fetch(
            archive, web.url("/privacy"), municipality_code="GM0400", kind="privacy_statement"
        ).final.sha256
        web.body(
            "/privacy",
            PRIVACY_HTML.replace("binnen een maand", "binnen vier weken").encode(),
            "text/html; charset=utf-8",
        )
        v2 = fetch(
            archive, web.url("/privacy"), municipality_code="GM0400", kind="privacy_statement"
        ).final.sha256
        web.body("/besluit.pdf", decision_pdf(), "application/pdf")
        pdf = fetch(
            archive, web.url("/besluit.pdf"), municipality_code="GM1963", kind="woo_decision"
        ).final.sha256
        web.body("/hostile", HOSTILE.encode(), "text/html; charset=utf-8")
        hostile = fetch(
            archive, web.url("/hostile"), municipality_code="GM0363", kind="privacy_statement"
        ).final.sha256
        index(archive, workers=1)
        store = RequestStore(settings())
        for _ in range(5):  # the smallest cell that is published
            request = store.new_request(
                template="woo_dpia",
                municipality_code="GM0400",
                requester=Requester(NAME, MAIL, f"{STREET}\n1234 AB Utrecht"),
                today=date(2026, 2, 2),
            )
            store.add_event(request["id"], "sent", date(2026, 2, 2))
            store.add_event(request["id"], "besluit", date(2026, 3, 5))
        publish(store, today=date(2026, 11, 23))
        yield Built(root / "data", v1, v2, pdf, hostile)
    web.server.shutdown()


@pytest.fixture
def ds(built: Built, monkeypatch):
    monkeypatch.setenv("WOO_DATA", str(built.data))
    monkeypatch.setenv("WOO_BASE_URL", "http://archive.test")
    return datasette_app(settings())


def get(ds, path: str):
    return run(ds.client.get(path))


def test_a_document_page_shows_captures_citation_download_and_text(ds, built: Built) -> None:
    page = get(ds, f"/-/document/{built.pdf}")
    assert page.status_code == 200
    html = page.text
    assert "Besluit op uw Woo-verzoek" in html  # the extracted text
    assert f'href="/-/original/{built.pdf}"' in html
    assert "Gemeente Hoeksche Waard" in html and f"SHA-256 {built.pdf}" in html
    capture = next(
        Archive(settings()).db.query(
            "select warc_file, warc_offset from captures where sha256 = ?", [built.pdf]
        )
    )
    assert f"{capture['warc_file']}@{capture['warc_offset']}" in html


def test_search_words_are_highlighted_on_the_document_page(ds, built: Built) -> None:
    html = get(ds, f"/-/document/{built.privacy_v2}?q=persoonsgegevens").text
    assert "<mark>persoonsgegevens</mark>" in html


def test_a_changed_privacy_statement_shows_its_versions_and_a_readable_diff(
    ds, built: Built
) -> None:
    html = get(ds, f"/-/document/{built.privacy_v2}").text
    assert 'id="versions"' in html and built.privacy_v1[:12] in html
    diff = re.search(r'<div class="diff" id="diff">(.*?)</div>', html, re.S).group(1)
    assert 'class="del">-' in diff and "binnen een maand" in diff
    assert 'class="add">+' in diff and "binnen vier weken" in diff


def test_the_original_download_returns_the_exact_archived_bytes(ds, built: Built) -> None:
    response = get(ds, f"/-/original/{built.pdf}")
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == built.pdf
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment;")
    html = get(ds, f"/-/original/{built.hostile}")
    assert html.headers["content-security-policy"] == "sandbox"  # archived HTML never runs here
    assert html.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path",
    [
        "/-/original/" + "0" * 64,
        "/-/original/..%2F..%2Fetc%2Fpasswd",
        "/-/original/ABC",
        "/-/document/" + "f" * 64,
    ],
)
def test_nothing_but_a_known_sha256_reaches_the_blob_store(ds, path: str) -> None:
    # Datasette sends a %-encoded path to its ~-encoded form first; either way it ends in 404
    assert run(ds.client.get(path, follow_redirects=True)).status_code == 404


def test_archived_html_is_shown_as_text_never_as_markup(ds, built: Built) -> None:
    html = get(ds, f"/-/document/{built.hostile}").text
    assert "&lt;img src=x onerror=" in html
    assert "<img src=x" not in html and "<script>document" not in html
    assert "Privacy &lt;script&gt;" in html  # the title, escaped


def test_the_search_page_gives_stemmed_highlighted_hits_and_suggestions(ds, built: Built) -> None:
    html = get(ds, "/-/search?q=verwerking").text
    assert "<mark>" in html and f"/-/document/{built.privacy_v2}" in html
    filtered = get(ds, "/-/search?q=besluit&municipality=GM1963").text
    assert f"/-/document/{built.pdf}" in filtered and built.privacy_v2 not in filtered
    typo = get(ds, "/-/search?q=persoonsgegevns").text
    assert 'id="suggestion"' in typo and "persoonsgegevens" in typo


def test_the_scorecard_covers_all_342_and_links_cells_to_evidence(ds, built: Built) -> None:
    html = get(ds, "/-/scorecard").text
    assert html.count("<tr data-code=") == 342
    row = re.search(r'<tr data-code="GM0400">(.*?)</tr>', html, re.S).group(1)
    assert f"/-/document/{built.privacy_v2}" in row or f"/-/document/{built.privacy_v1}" in row
    # published request statistics: decided 5 March, due 2 March: late, 31 days to decision
    assert "<td>0% van 5</td>" in row and "<td>31</td>" in row
    single = get(ds, "/-/scorecard/GM1963").text
    assert f"/-/document/{built.pdf}" in single
    # sorted by a column: found first, and the other way round when asked
    found_first = get(ds, "/-/scorecard?sort=privacy_statement").text
    assert found_first.index('data-code="GM0400"') < found_first.index('data-code="GM0014"')
    found_last = get(ds, "/-/scorecard?sort=privacy_statement&richting=oplopend").text
    assert found_last.index('data-code="GM0400"') > found_last.index('data-code="GM0014"')
    by_name = get(ds, "/-/scorecard?sort=name&richting=aflopend").text
    assert by_name.index('data-code="GM0193"') < by_name.index('data-code="GM1680"')


def test_canned_queries_answer(ds) -> None:
    for name in (
        "new_since_last_crawl",
        "without_processing_register",
        "privacy_statements_changed_90_days",
    ):
        assert get(ds, f"/archive/{name}.json").status_code == 200
    changed = get(ds, "/archive/privacy_statements_changed_90_days.json?_shape=array").json()
    assert len(changed) == 1 and changed[0]["municipality_code"] == "GM0400"


def test_datasette_full_text_search_finds_pages(ds) -> None:
    rows = get(ds, "/archive/pages.json?_search=persoonsgegevens&_shape=array").json()
    assert {r["municipality_code"] for r in rows} >= {"GM0400"}


def test_no_page_or_json_of_the_public_site_shows_a_requester(ds, built: Built) -> None:
    start = [
        "/",
        "/archive",
        "/-/scorecard",
        "/-/scorecard/GM0400",
        "/-/search?q=verwerking",
        f"/-/document/{built.privacy_v2}",
        "/archive/request_stats",
        "/-/databases.json",
        "/-/metadata.json",
    ]
    seen, queue, checked = set(), list(start), 0
    while queue and checked < 400:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = get(ds, path)
        checked += 1
        body = response.text
        for personal in (NAME, MAIL, STREET, "devries"):
            assert personal not in body, f"{personal!r} shown on {path}"
        assert str(built.data) not in body, f"the data directory's path is shown on {path}"
        if "html" in response.headers.get("content-type", ""):
            for href in re.findall(r'href="([^"#]+)"', body):
                target = urljoin(path, href.replace("&amp;", "&"))
                parts = urlsplit(target)
                if (
                    parts.netloc
                    or not parts.path.startswith(("/archive", "/-/"))
                    or "/-/original/" in parts.path
                ):
                    continue
                queue.append(target)
                if (
                    parts.path.startswith("/archive")
                    and not parts.path.endswith(".json")
                    and "?" not in target
                ):
                    queue.append(parts.path + ".json")
    assert checked > 50
    assert get(ds, "/requests").status_code == 404
    assert get(ds, "/-/databases.json").status_code == 404  # it would show where files are


ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def server(built: Built):
    from tests.servers import woo_serve

    with woo_serve(built.data) as base:
        yield base


def chromium(url: str, screenshot: str) -> str:
    """The DOM after the page's scripts ran, and a screenshot in test-artifacts/."""
    import shutil
    import subprocess
    import tempfile

    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.fail("Debian's chromium is not installed (make install installs it)")
    ARTIFACTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        flags = [*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,1600"]
        subprocess.run(
            [binary, *flags, f"--screenshot={ARTIFACTS / screenshot}", url],
            capture_output=True,
            timeout=60,
        )
        dom = subprocess.run(
            [binary, *flags, "--virtual-time-budget=3000", "--dump-dom", url],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert (ARTIFACTS / screenshot).stat().st_size > 1000
    return dom.stdout


def test_the_search_page_renders_in_a_browser(server: str, built: Built) -> None:
    dom = chromium(f"{server}/-/search?q=verwerking", "search-page.png")
    assert '<form action="" method="get" id="search-form" role="search">' in dom
    assert re.search(r'<div class="hit">\s*<a href="/-/document/', dom)
    assert "<mark>" in dom


def test_hostile_archived_html_does_not_run_in_a_browser(server: str, built: Built) -> None:
    dom = chromium(f"{server}/-/document/{built.hostile}", "hostile-document.png")
    assert 'id="document-title"' in dom and "Privacy &lt;script&gt;" in dom
    assert (
        "data-pwned" not in dom.split("<body", 1)[1].split(">", 1)[0]
    )  # no handler set it on <body>
    assert "<title>PWNED" not in dom
    assert "&lt;img src=x onerror=" in dom  # shown, as text


def test_the_private_site_shows_requests_only_to_the_signed_in_owner(
    built: Built, monkeypatch
) -> None:
    monkeypatch.setenv("WOO_DATA", str(built.data))
    private = datasette_app(settings(), private=True)
    assert get(private, "/requests/requests").status_code == 403
    assert get(private, "/requests/requests.json").status_code == 403
    owner = private.sign({"a": {"id": "root"}}, "actor")
    response = run(
        private.client.get("/requests/requests.json?_shape=array", cookies={"ds_actor": owner})
    )
    assert response.status_code == 200 and response.json()[0]["requester_name"] == NAME


def test_serve_private_needs_requests_and_signs_in_as_root(built: Built, monkeypatch) -> None:
    from wooarchive.web.serve import datasette_command

    monkeypatch.setenv("WOO_DATA", str(built.data))
    command = datasette_command(settings(), "127.0.0.1", 8001, private=True)
    assert "--root" in command and str(settings().requests_db) in command
    assert str(settings().requests_db) not in datasette_command(settings(), "127.0.0.1", 8001)


def test_new_documents_are_an_atom_feed(ds, built: Built) -> None:
    from xml.etree import ElementTree

    response = get(ds, "/archive/new_documents_feed.atom")
    assert response.status_code == 200 and "xml" in response.headers["content-type"]
    feed = ElementTree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = [e.findtext("a:id", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert f"urn:sha256:{built.pdf}" in ids
    titles = [e.findtext("a:title", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert any(t.startswith("Hoeksche Waard: ") for t in titles)
    contents = [e.findtext("a:content", namespaces=ns) for e in feed.findall("a:entry", ns)]
    assert any("Woo-besluit, voor het eerst gezien op " in c for c in contents), contents
    assert not any("first seen" in c for c in contents)
    links = [e.find("a:link", ns).get("href") for e in feed.findall("a:entry", ns)]
    # absolute: a feed reader has no page to resolve a path against
    assert f"http://archive.test/-/document/{built.pdf}" in links
    assert all(link.startswith("http://archive.test/-/document/") for link in links)


def test_documents_can_be_faceted_by_year(ds) -> None:
    facets = get(ds, "/archive/documents.json?_facet=year").json()["facet_results"]["year"][
        "results"
    ]
    assert facets == [{**facets[0], "value": date.today().year, "count": 4}]  # the four documents


def test_the_scorecard_says_found_not_found_or_never_crawled_and_exports(ds, built: Built) -> None:
    with sqlite3.connect(built.data / "archive.db") as conn:
        conn.execute(
            "insert or replace into crawl_sites (run_id, municipality_code, start_url, "
            "started_at, finished_at, pages, documents, errors) values "
            "(99, 'GM0014', 'https://gemeente.groningen.example/', '2026-11-01T10:00:00Z', "
            "'2026-11-01T10:05:00Z', 40, 0, 1)"
        )
        conn.execute(
            "insert into fetch_errors (url, attempted_at, error, municipality_code, tool) values "
            "('https://gemeente.groningen.example/privacy', '2026-11-01T10:01:00Z', "
            "'TimeoutError: took too long', 'GM0014', 'test')"
        )
    html = get(ds, "/-/scorecard").text
    groningen = re.search(r'<tr data-code="GM0014">(.*?)</tr>', html, re.S).group(1)
    assert groningen.count("niet gevonden op 1 november 2026") == 6
    assert 'href="/-/scorecard/GM0014#crawls"' in groningen
    assen = re.search(r'<tr data-code="GM0106">(.*?)</tr>', html, re.S).group(1)
    assert assen.count("nooit bekeken") == 6
    den_helder = re.search(r'<tr data-code="GM0400">(.*?)</tr>', html, re.S).group(1)
    assert ">ja, sinds" in den_helder  # two versions of one privacy statement count once
    page = get(ds, "/-/scorecard/GM0014").text
    assert "TimeoutError: took too long" in page and "2026-11-01T10:05:00Z" in page
    rows = get(ds, "/-/scorecard.json").json()
    assert len(rows) == 342
    by_code = {r["code"]: r for r in rows}
    assert by_code["GM0014"]["privacy_statement_state"] == "not_found"
    assert by_code["GM0106"]["privacy_statement_state"] == "never"
    assert by_code["GM0400"]["privacy_statement_count"] == 1
    assert by_code["GM0400"]["privacy_statement_evidence"].startswith("/-/document/")
    exported = get(ds, "/-/scorecard.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.splitlines()[0].startswith("code,name,last_crawl,")
    assert len(exported.text.strip().splitlines()) == 343


def test_a_page_listing_dpias_is_not_counted_as_a_dpia(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("WOO_DATA", str(tmp_path / "data"))
    archive = Archive(settings())
    listing = tmp_path / "dpias.html"
    listing.write_text("<title>DPIA's</title><a href='a.pdf'>DPIA camera</a>")
    archive.record_file(listing, municipality_code="GM0014", kind="dpia")
    row = get(datasette_app(settings()), "/-/scorecard.json").json()
    groningen = next(r for r in row if r["code"] == "GM0014")
    assert groningen["dpia_state"] == "never" and groningen["dpia_count"] == 0
    report = tmp_path / "dpia-camera.pdf"
    report.write_bytes(decision_pdf())
    archive.record_file(report, municipality_code="GM0014", kind="dpia")
    row = get(datasette_app(settings()), "/-/scorecard.json").json()
    assert next(r for r in row if r["code"] == "GM0014")["dpia_count"] == 1


def test_the_map_colours_every_municipality_and_links_it(ds, built: Built) -> None:
    page = get(ds, "/-/kaart")
    assert page.status_code == 200
    html = page.text
    assert html.count("<path ") == 342
    assert 'href="/-/scorecard/GM0400"' in html and "Bron: Kadaster / CBS (via PDOK)" in html
    assert re.search(r'fill="#bdbdbd"[^>]*data-code="GM0106"><title>Assen: nog nooit bekeken', html)
    assert re.search(r'data-code="GM0400"><title>Den Helder: [0-3] van 3', html)
    assert "De gegevens van de kaart als CSV" in html and "Heel Nederland" in html
    data = get(ds, "/-/kaart.csv").text.splitlines()
    assert data[0] == "code,name,crawled,ap_points,processing_register,dpia,fg_contact"
    assert len(data) == 343


def test_the_home_page_is_dutch_and_leads_to_search_scorecard_and_documents(
    ds, built: Built
) -> None:
    html = get(ds, "/").text
    assert '<html lang="nl">' in html
    assert '<label for="home-q"' in html and 'action="/-/search"' in html
    for path in ("/-/scorecard", "/-/kaart", "/-/besluiten", "/-/statistieken"):
        assert f'href="{path}"' in html
    assert f'href="/-/document/{built.pdf}"' in html  # the latest documents
    assert "(Woo-besluit, Hoeksche Waard," in html  # kinds in Dutch
    assert "Powered by" not in html and "Gemaakt met" in html


def test_tables_link_documents_and_name_kinds_in_dutch(ds, built: Built) -> None:
    html = get(ds, "/archive/documents").text
    assert f'<a href="/-/document/{built.pdf}">besluit.pdf</a>' in html
    assert (
        f'<a href="/-/document/{built.pdf}">besluit.pdf</a>'
        in get(ds, f"/archive/documents/{built.pdf}").text
    )
    assert '<span title="woo_decision">Woo-besluit</span>' in html
    pages = get(ds, "/archive/pages").text
    assert f'<a href="/-/document/{built.pdf}">' in pages


@pytest.fixture(scope="module")
def browser():
    from tests.browser import Browser

    opened = Browser()
    yield opened
    opened.close()


PUBLIC_PAGES = [
    ("home", "/"),
    ("privacy", "/-/privacy"),
    ("colofon", "/-/colofon"),
    ("search", "/-/search?q=verwerking"),
    ("scorecard", "/-/scorecard"),
    ("municipality", "/-/scorecard/GM0400"),
    ("map", "/-/kaart"),
    ("decisions", "/-/besluiten"),
    ("statistics", "/-/statistieken"),
    ("tables", "/archive"),
    ("documents-table", "/archive/documents"),
    ("missing", "/nergens"),
]


@pytest.mark.parametrize("name, path", PUBLIC_PAGES)
def test_every_public_page_fits_a_phone_and_passes_axe(
    server: str, built: Built, browser, name: str, path: str
) -> None:
    """On a 390 px screen nothing sticks out sideways (wide tables scroll inside their box);
    axe-core finds no WCAG 2 A/AA violation. Screenshots go to test-artifacts/ for a look."""
    for width in (390, 1280):
        browser.open(server + path, width=width)
        browser.screenshot(ARTIFACTS / f"{name}-{width}.png")
        assert browser.overflow() == 0, f"{path} is wider than a {width} px window"
    assert browser.evaluate("document.documentElement.lang") == "nl"
    violations = browser.axe()
    assert violations == [], json.dumps(violations, indent=1, ensure_ascii=False)


def test_datasettes_column_menu_speaks_dutch_in_the_browser(
    server: str, built: Built, browser
) -> None:
    """Datasette builds its column menu in the browser, in English: woo.js puts it in Dutch,
    the column's type too once the menu opens."""
    browser.open(server + "/archive/documents", width=1280)
    browser.evaluate(
        "document.querySelector('th[data-column=\"title\"] .dropdown-menu-icon')"
        ".dispatchEvent(new MouseEvent('click', {bubbles: true}))"
    )
    menu = browser.evaluate(
        "new Promise(r => setTimeout(() => r(document.querySelector('.dropdown-menu').innerText), 200))"
    )
    assert "Sorteer oplopend" in menu and "Verberg deze kolom" in menu
    assert "Soort: tekst" in menu
    assert not re.search(r"Sort ascending|Hide this column|Show all columns|Type:", menu), menu


def test_the_document_page_fits_a_phone_and_passes_axe(server: str, built: Built, browser) -> None:
    browser.open(f"{server}/-/document/{built.pdf}", width=390)
    browser.screenshot(ARTIFACTS / "document-390.png")
    assert browser.overflow() == 0
    assert browser.axe() == []


def test_a_newcomer_reaches_a_cited_document_in_three_clicks(
    server: str, built: Built, browser
) -> None:
    """Home -> the scorecard -> a municipality's evidence: the document page with its citation,
    by following links a visitor sees (no typing)."""
    browser.open(server + "/", width=1280)
    path = ["/-/scorecard"]
    browser.evaluate("document.querySelector('a[href=\"/-/scorecard\"]').click()")
    browser._wait_for("Page.loadEventFired")
    target = browser.evaluate(
        "document.querySelector('tr[data-code=\"GM1963\"] td.yes a').getAttribute('href')"
    )
    path.append(target)
    browser.evaluate("document.querySelector('tr[data-code=\"GM1963\"] td.yes a').click()")
    browser._wait_for("Page.loadEventFired")
    assert browser.evaluate("location.pathname") == f"/-/document/{built.pdf}"
    citation = browser.evaluate("document.getElementById('citation-nl').innerText")
    assert "Gemeente Hoeksche Waard" in citation and "geraadpleegd" in citation, citation
    assert len(path) == 2  # two clicks; the search box on the home page is the third way


def test_an_fg_section_of_the_privacy_page_counts_as_an_fg_contact(tmp_path, monkeypatch) -> None:
    """Real sites name their FG in a section of the privacy page: the scorecard counts that
    section, with its evidence; a mere mention without a way to reach the FG does not count."""
    monkeypatch.setenv("WOO_DATA", str(tmp_path / "data"))
    archive = Archive(settings())
    page = tmp_path / "privacy.html"
    page.write_text(
        "<html><head><title>Privacy</title></head><body><main><h1>Privacy</h1>"
        "<p>Wij verwerken persoonsgegevens volgens de AVG.</p>"
        '<h2 id="fg">Functionaris gegevensbescherming</h2>'
        '<p>Vragen? Mail de FG: <a href="mailto:fg@groningen.example">fg@groningen.example</a>.</p>'
        "</main></body></html>",
        encoding="utf-8",
    )
    sha = archive.record_file(page, municipality_code="GM0014", kind="privacy_statement").sha256
    mention = tmp_path / "nieuws.html"
    mention.write_text(
        "<html><body><main><h1>Nieuws</h1><h2>Functionaris gegevensbescherming</h2>"
        "<p>Wij zoeken een nieuwe FG.</p></main></body></html>",
        encoding="utf-8",
    )
    archive.record_file(mention, municipality_code="GM0106", kind="other")
    index(archive, workers=1)
    findings = archive.db.execute("select sha256, kind, anchor, evidence from findings").fetchall()
    assert findings == [
        (
            sha,
            "fg_contact",
            "fg",
            "section 'Functionaris gegevensbescherming' with mailto:fg@groningen.example",
        )
    ]
    rows = {r["code"]: r for r in get(datasette_app(settings()), "/-/scorecard.json").json()}
    assert rows["GM0014"]["fg_contact_state"] == "found"
    assert rows["GM0014"]["fg_contact_evidence"] == f"/-/document/{sha}"
    assert rows["GM0014"]["privacy_statement_state"] == "found"
    assert rows["GM0106"]["fg_contact_state"] == "never"


def test_a_search_of_pages_is_newest_first_with_an_estimate_and_counts_on_request(
    ds, built: Built
) -> None:
    """Counting and sorting every match is what made a search of a million pages take seconds:
    by default a search shows the newest pages first and an estimate; the exact count is a
    link away, and a sort the visitor asks for is kept."""
    data = get(ds, "/archive/pages.json?_search=persoonsgegevens&_shape=objects").json()
    assert data["filtered_table_rows_count"] is None
    newest_first = (
        Archive(settings())
        .db.execute(
            "select sha256, page from pages where rowid in (select rowid from pages_fts "
            "where pages_fts match 'persoonsgegevens') order by rowid desc"
        )
        .fetchall()
    )
    assert len(newest_first) >= 2
    assert [(r["sha256"], r["page"]) for r in data["rows"]] == newest_first
    rowids = newest_first
    html = get(ds, "/archive/pages?_search=persoonsgegevens").text
    estimate = re.search(r'<p id="search-estimate">Naar schatting ongeveer (\d+) pagina', html)
    assert estimate and int(estimate.group(1)) >= len(rowids)
    exact = re.search(r'href="([^"]*_count=1)"', html).group(1).replace("&amp;", "&")
    assert get(ds, exact.replace("/archive/pages", "/archive/pages.json")).json()[
        "filtered_table_rows_count"
    ] == len(rowids)
    kept = get(ds, "/archive/pages.json?_search=persoonsgegevens&_sort=page").json()
    assert "order by page" in kept["query"]["sql"] and kept["filtered_table_rows_count"] is None


def test_a_plain_search_walks_only_the_newest_matches_and_pages_through_all_of_them(
    ds, built: Built
) -> None:
    """SQLite listed every match of `rowid in (select ...)` before taking a page (32 ms for a
    common word of a million pages): a plain search asks FTS5 for one page's worth below the
    cursor instead. Page after page, it shows exactly the matches Datasette's own search shows,
    and a search with a filter beside it is Datasette's own."""
    archive = Archive(settings())
    every = [
        tuple(r)
        for r in archive.db.execute(
            "select sha256, page from pages where rowid in (select rowid from pages_fts "
            "where pages_fts match 'gemeente') order by rowid desc"
        )
    ]
    assert len(every) >= 3
    seen, url, asked = [], "/archive/pages.json?_search=gemeente&_size=1", 0
    while url and asked <= len(every):
        data = get(ds, url).json()
        assert "limit :woo_limit" in data["query"]["sql"]
        columns = data["columns"]
        seen += [(r[columns.index("sha256")], r[columns.index("page")]) for r in data["rows"]]
        following = urlsplit(data["next_url"] or "")
        url = f"{following.path}?{following.query}" if data["next_url"] else None
        asked += 1
    assert seen == every
    code = every[0][0]
    for cursor in ("9" * 30, "abc", "$null"):  # no rowid: Datasette's own search answers
        assert get(ds, f"/archive/pages.json?_search=gemeente&_next={cursor}").status_code < 500
    filtered = get(ds, f"/archive/pages.json?_search=gemeente&sha256={code}").json()
    assert "woo_limit" not in filtered["query"]["sql"]
    column = filtered["columns"].index("sha256")
    assert {r[column] for r in filtered["rows"]} == {code}


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    """Three municipalities looked at (Groningen names its FG without a way to reach them,
    Almere gives the FG's mail address, Leeuwarden has nothing found) and 339 never looked at."""
    root = tmp_path_factory.mktemp("judged")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WOO_DATA", str(root / "data"))
        archive = Archive(settings())
        pages = {
            "GM0014": "<title>Privacy</title><main>Onze functionaris gegevensbescherming houdt "
            "toezicht op hoe wij met uw gegevens omgaan.</main>",
            "GM0034": "<title>Functionaris gegevensbescherming</title><main>Vragen? Mail de "
            "functionaris gegevensbescherming: fg@almere.example</main>",
        }
        for code, html in pages.items():
            page = root / f"fg-{code}.html"
            page.write_text(html)
            archive.record_file(page, municipality_code=code, kind="fg_contact")
        with sqlite3.connect(root / "data" / "archive.db") as conn:
            conn.executemany(
                "insert into crawl_sites (run_id, municipality_code, start_url, started_at, "
                "finished_at, pages, documents, errors) values (1, ?, ?, ?, ?, 5, 1, 0)",
                [
                    (
                        code,
                        f"https://{code}.example/",
                        "2026-11-02T09:00:00Z",
                        "2026-11-02T09:05:00Z",
                    )
                    for code in ("GM0014", "GM0034", "GM0080")
                ],
            )
        index(archive, workers=1)
        yield datasette_app(settings())


def _row(html: str, code: str) -> str:
    return re.search(rf'<tr data-code="{code}">(.*?)</tr>', html, re.S).group(1)


def test_the_fg_named_without_contact_details_is_its_own_state(judged) -> None:
    html = get(judged, "/-/scorecard").text
    assert 'class="part"' in _row(html, "GM0014") and "genoemd, zonder contactgegevens" in html
    assert '<td class="yes">' in _row(html, "GM0034")
    rows = {r["code"]: r for r in get(judged, "/-/scorecard.json").json()}
    assert rows["GM0014"]["fg_contact_state"] == "named"
    assert rows["GM0034"]["fg_contact_state"] == "found"


def test_not_found_is_coloured_by_what_the_law_asks_and_never_looked_apart(judged) -> None:
    html = get(judged, "/-/scorecard").text
    leeuwarden = re.findall(r'<td class="(\w+)">', _row(html, "GM0080"))
    # privacy statement, register, FG, DPIA, algorithms, Woo decisions
    assert leeuwarden == ["no", "open", "no", "open", "open", "no"]
    assert re.findall(r'<td class="(\w+)">', _row(html, "GM0106")) == ["never"] * 6
    assert "contactgegevens openbaar (AVG art. 37 lid 7)" in html
    assert "bijhouden; publiceren hoeft niet (AVG art. 30)" in html
    assert not re.search(r"<td>\d/6</td>", html)  # no sum of the columns
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    for css, _ in re.findall(r'<li><span class="(\w+)">([^<]+)</span></li>', html):
        assert re.search(rf"\.{css} \{{ background: #[0-9a-f]{{6}}", style), css


def test_the_scorecard_filters_and_says_what_its_counts_count(judged) -> None:
    looked = get(judged, "/-/scorecard?bekeken=ja").text
    assert looked.count("<tr data-code=") == 3
    assert "Getoond: 3 van de 342 gemeenten; daarvan 3 ooit bekeken en\n0 nooit bekeken" in looked
    counts = looked.split('id="column-counts"', 1)[1].split("</tr>", 1)[0]
    assert "1 gevonden, 1 alleen genoemd, 1 niet gevonden, 0 nooit bekeken" in counts
    named = get(judged, "/-/scorecard?fg_contact=genoemd").text
    assert re.findall(r'<tr data-code="(GM\d+)">', named) == ["GM0014"]
    never = get(judged, "/-/scorecard?bekeken=nee").text
    assert never.count("<tr data-code=") == 339
    exported = get(judged, "/-/scorecard.csv?bekeken=ja&fg_contact=gevonden").text.splitlines()
    assert len(exported) == 2 and exported[1].startswith("GM0034,")
    assert "Geen gemeente voldoet" in get(judged, "/-/scorecard?bekeken=nee&dpia=gevonden").text


def test_the_canned_query_lists_only_municipalities_looked_at(judged) -> None:
    rows = get(judged, "/archive/without_processing_register.json?_shape=array").json()
    assert [r["code"] for r in rows] == ["GM0034", "GM0014", "GM0080"]
    assert all(r["last_crawl"] == "2026-11-02T09:00:00Z" for r in rows)


def test_the_search_form_works_on_a_phone_and_has_room_on_a_desktop(server: str, browser) -> None:
    """The field takes the width it has (it was 30 px on a phone) and no label breaks inside a
    word (it read "Zoekwo-orden")."""
    one_line = (
        "[...document.querySelectorAll('#search-form label')].every(label => {"
        " const range = document.createRange(); range.selectNodeContents(label.firstChild);"
        " return range.getClientRects().length === 1; })"
    )
    field = "document.querySelector('#search-form input[name=q]').getBoundingClientRect().width"
    browser.open(server + "/-/search?q=verwerking", width=390)
    assert browser.evaluate(field) >= 300
    assert browser.evaluate(one_line)
    browser.open(server + "/-/search?q=verwerking", width=1280)
    assert browser.evaluate(field) >= 400
    assert browser.evaluate(one_line)


@pytest.fixture(scope="module")
def linked(tmp_path_factory):
    """An archive with what used to lead to dead links: a redirect and an error captured (their
    bodies are no documents) and pages with text digests."""
    root = tmp_path_factory.mktemp("linked")
    web = Site()
    web.thread.start()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WOO_DATA", str(root / "data"))
        mp.setenv("WOO_BASE_URL", "http://archive.test")
        archive = Archive(settings())
        web.body("/privacy", PRIVACY_HTML.encode(), "text/html; charset=utf-8")
        web.redirect("/oud", "/privacy")
        fetch(archive, web.url("/oud"), municipality_code="GM0400", kind="privacy_statement")
        web.body(
            "/weg", b"<title>Weg</title>Deze pagina bestaat niet meer.", "text/html", status=410
        )
        with contextlib.suppress(ArchiveError):
            fetch(archive, web.url("/weg"), municipality_code="GM0400")
        index(archive, workers=1)
        yield datasette_app(settings())
    web.server.shutdown()


def test_no_link_on_the_site_leads_to_a_404(linked) -> None:
    """Every internal link of the pages a visitor starts from, and of the pages they lead to
    (bounded), answers: the text digests of pages and the bodies of redirects and errors are not
    links to documents that do not exist."""
    start = ["/", "/archive/pages", "/archive/captures", "/archive/documents", "/-/scorecard"]
    queue, seen, dead, came_from = list(start), set(start), [], {}
    while queue and len(seen) < 400:
        path = queue.pop(0)
        page = get(linked, path)
        if page.status_code == 404:
            dead.append((path, came_from.get(path)))
            continue
        if "html" not in page.headers.get("content-type", ""):
            continue
        for href in re.findall(r'href="(/[^"#]*)', page.text):
            href = html_module.unescape(href)
            skip = ("/-/static", "/-/original", "/-/warc", "/-/search.", "/-/scorecard.")
            # of the 342 municipalities' pages, the one with documents stands for them all
            other = re.match(r"/-/(scorecard|besluiten)/GM(?!0400)", href)
            if (
                href in seen
                or href.startswith(skip)
                or other
                or "_sort" in href
                or "_facet" in href
            ):
                continue
            seen.add(href)
            came_from[href] = path
            queue.append(href)
    assert dead == [], dead
    assert any(p.startswith("/-/capture/") for p in seen)  # the captures were followed


def test_the_site_has_its_own_privacy_statement_and_colofon_linked_from_every_page(ds) -> None:
    for path in ("/", "/-/scorecard", "/archive/documents"):
        page = get(ds, path).text
        assert 'href="/-/privacy"' in page and 'href="/-/colofon"' in page, path
    privacy = get(ds, "/-/privacy").text
    assert "geen logboek bij van bezoekers" in privacy and 'id="contact"' in privacy
    assert "Colofon" in get(ds, "/-/colofon").text


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/-/search?q=verwerking",
        "/-/scorecard",
        "/archive",
        "/archive/pages?_search=privacy",
        "/archive?sql=select+1",
    ],
)
def test_a_visitor_gets_no_cookie_as_the_privacy_statement_says(ds, path: str) -> None:
    assert "set-cookie" not in get(ds, path).headers


ENGLISH_CHROME = [
    "rows",
    " row ",
    "sorted by",
    "descending",
    "Apply",
    "View and edit SQL",
    "This data as",
    "Next page",
    "Advanced export",
    "Search:",
    "remove filter",
    "Custom SQL query",
    "Run SQL",
    "Queries",
    "Tables",
    "Download SQLite DB",
    "0 records",
    "0 results",
    "Links from other tables",
    "Data license",
    "Data source",
    "Suggested facets",
    "JSON shape",
    "CSV options",
    "download file",
    "Export CSV",
    "where ",
    "search matches",
    "contains",
]


@pytest.mark.parametrize(
    "path",
    [
        "/archive",
        "/archive/documents",
        "/archive/documents?kind=privacy_statement&_sort_desc=first_seen",
        "/archive/documents?title__contains=privacy",
        "/archive/pages?_search=privacy",
        "/archive?sql=select+code,+name+from+municipalities+limit+3",
        "/archive/new_since_last_crawl",
        "/archive/municipalities/GM0400",
    ],
)
def test_datasettes_own_pages_speak_dutch(ds, path: str) -> None:
    page = get(ds, path)
    assert page.status_code == 200, path
    visible = re.sub(
        r"<(script|style|textarea|pre|code)\b.*?</\1>|<[^>]+>", " ", page.text, flags=re.S
    )
    visible = html_module.unescape(visible)
    english = [phrase for phrase in ENGLISH_CHROME if phrase in visible]
    assert english == [], (path, english)


def test_times_are_dutch_local_times_with_utc_kept_beside_them(ds) -> None:
    capture = get(ds, "/-/capture/1").text
    moment = re.search(r'<time datetime="([^"]+)" title="[^"]+ \(UTC\)">([^<]+)</time>', capture)
    assert moment, capture[:2000]
    assert re.fullmatch(
        r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|"
        r"november|december) \d{4} om \d\d\.\d\d uur",
        moment.group(2),
    )
