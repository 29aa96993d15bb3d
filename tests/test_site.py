"""The published site, through Datasette's test client: document pages, original downloads,
search, scorecard, and no requester data anywhere on the public side."""

from __future__ import annotations

import asyncio
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import Site
from tests.fixtures.documents import PRIVACY_HTML, decision_pdf
from wooarchive.archive.fetch import fetch
from wooarchive.archive.store import Archive
from wooarchive.config import settings
from wooarchive.indexer.run import index
from wooarchive.requests.letters import Requester
from wooarchive.requests.stats import publish
from wooarchive.requests.store import RequestStore
from wooarchive.serve import datasette_app

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
    assert get(ds, "/-/scorecard?sort=score").text.index('data-code="GM0400"') < get(
        ds, "/-/scorecard?sort=score"
    ).text.index('data-code="GM0014"')


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


CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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
    assert '<form action="" method="get" id="search-form">' in dom
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
    from wooarchive.serve import datasette_command

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


def test_documents_can_be_faceted_by_year(ds) -> None:
    facets = get(ds, "/archive/documents.json?_facet=year").json()["facet_results"]["year"][
        "results"
    ]
    assert facets == [{**facets[0], "value": date.today().year, "count": 4}]  # the four documents
