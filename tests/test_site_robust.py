"""The public site under what bots and visitors send: missing pages, bad parameters and odd
searches get a quick Dutch answer (400/404 with navigation), never a 500 or a traceback in the
log; every page carries security headers; cookies are HttpOnly; no file-system path shows."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from click.testing import CliRunner

from tests.fixtures.documents import build
from tests.servers import free_port
from wooarchive.archive.store import Archive
from wooarchive.cli import cli
from wooarchive.config import settings
from wooarchive.web.serve import datasette_app

HOSTILE_PATHS = [
    "/nope",
    "/a/b/c/d",
    "/a/b/c/d/e/f",
    "/warc/x.warc.gz",
    "/archive/nope",
    "/archive/documents/nope/nope",
    "/archive/documents?_sort=bogus",
    "/archive/documents?_sort_desc=bogus",
    "/archive/documents.json?_sort=bogus",
    "/archive/documents?_where=xx(",
    "/archive/documents?_through=%7B%7D",
    "/archive/documents?_through=nojson",
    "/archive/pages?_search=%22",
    "/archive/pages?_search=AND",
    "/archive/pages?_search=a%3Ab%3Ac",
    "/archive/pages?_facet=nope",
    "/archive/documents?_size=-1",
    "/archive/documents?_next=%00",
    "/-/document/xyz",
    "/-/document/" + "0" * 64,
    "/-/capture/999999",
    "/-/warc/999999",
    "/-/original/" + "0" * 64,
    "/-/scorecard/GM9999",
    "/-/search?q=O%27Brien",
    "/-/search?q=a%3Ab%3Ac",
    "/-/search?q=%22",
    "/-/search?q=" + "verwerkingsregister%20" * 1000,
]


class Served(tuple):
    """(base URL, log file, data directory), and the server's process id."""

    def __new__(cls, base: str, log: Path, data: Path, pid: int):
        served = super().__new__(cls, (base, log, data))
        served.pid = pid
        return served


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("robust")
    data = root / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WOO_DATA", str(data))
        archive = Archive(settings())
        for doc in build(root / "docs"):
            archive.record_file(doc.path, municipality_code=doc.municipality, kind=doc.kind)
        assert CliRunner().invoke(cli, ["index", "--jobs", "1"]).exit_code == 0
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = root / "serve.log"
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("woo")), "serve", "--port", str(port)],
        env={"PATH": "/usr/bin:/bin", "WOO_DATA": str(data), "HOME": str(root)},
        stdout=open(log, "wb"),
        stderr=subprocess.STDOUT,
    )
    for _ in range(150):
        try:
            httpx.get(base + "/-/versions.json", timeout=1)
            break
        except httpx.TransportError:
            asyncio.run(asyncio.sleep(0.1))
    yield Served(base, log, data, proc.pid)
    proc.terminate()
    proc.wait(timeout=10)


def test_no_request_gets_a_500_and_every_error_is_a_dutch_page_with_navigation(served) -> None:
    base, log, data = served
    for path in HOSTILE_PATHS:
        response = httpx.get(base + path, timeout=30)
        assert response.status_code in (200, 400, 404), (path, response.status_code)
        assert "Traceback" not in response.text and str(data) not in response.text, path
        if response.status_code >= 400 and not urlsplit(path).path.endswith(".json"):
            assert 'href="/-/search"' in response.text and 'href="/-/scorecard"' in response.text
            assert "Deze pagina bestaat niet" in response.text or "Dat lukt niet" in response.text
    text = log.read_text(errors="replace")
    assert "Traceback (most recent call last)" not in text and "╭" not in text  # rich's boxes
    assert text.count("\n") < 3 * len(HOSTILE_PATHS)  # an access line each, no more


def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


@pytest.mark.parametrize(
    "sql",
    [
        "select zeroblob(200000000)",
        "select hex(zeroblob(60000000))",
        # a thousand rows of values under the length limit: the result's budget stops it
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000) "
        "select zeroblob(4000000) from n",
        "with recursive n(i, s) as (select 1, 'x' union all select i + 1, s || s from n "
        "where i < 40) select length(s) from n",
    ],
)
def test_one_anonymous_query_cannot_take_the_servers_memory(served, sql: str) -> None:
    base, _, data = served
    before = _peak_rss_mb(served.pid)
    for path in ("/archive.json", "/archive"):
        response = httpx.get(base + path, params={"sql": sql}, timeout=30)
        assert response.status_code == 400, (path, response.status_code, response.text[:300])
        assert "Traceback" not in response.text and str(data) not in response.text
    # the refusal comes before the values exist (it took 6 GB)
    assert _peak_rss_mb(served.pid) - before < 300


def test_sql_cannot_see_where_the_data_lives_nor_a_memory_address(served) -> None:
    base, _, data = served
    for sql in (
        "select * from pragma_database_list",
        "select file from pragma_database_list()",
        "select fts3_tokenizer('simple')",
        "select fts3_tokenizer('porter')",
    ):
        response = httpx.get(base + "/archive.json", params={"sql": sql}, timeout=30)
        assert response.status_code == 400, (sql, response.text[:300])
        assert str(data) not in response.text and "archive.db" not in response.text
    # what a visitor may ask still answers
    fine = httpx.get(
        base + "/archive.json",
        params={"sql": "select count(*) as n from documents", "_shape": "array"},
        timeout=30,
    )
    assert fine.status_code == 200 and fine.json()[0]["n"] > 0


def test_only_reading_methods_are_answered_and_a_second_statement_is_refused(served) -> None:
    base, log, _ = served
    for method, path in (
        ("TRACE", "/"),
        ("POST", "/archive/documents"),
        ("POST", "/-/search"),
        ("DELETE", "/-/scorecard"),
        ("PUT", "/archive"),
    ):
        response = httpx.request(method, base + path, timeout=30)
        assert response.status_code == 405, (method, path, response.status_code)
        assert response.headers["allow"] == "GET, HEAD"
    for path in (
        "/archive/documents?_where=1;%20drop%20table%20documents",
        "/archive/documents.json?_where=1;%20drop%20table%20documents",
    ):
        assert httpx.get(base + path, timeout=30).status_code == 400, path
    assert httpx.head(base + "/-/scorecard", timeout=30).status_code == 200
    assert httpx.get(base + "/archive/documents.json", timeout=30).json()["rows"]


def test_every_connection_the_site_opens_is_bounded() -> None:
    """The plugin's bounds on a connection of its own: SQLite's heap (process-wide), the length
    of a value, the tables and functions kept away."""
    import importlib.util

    plugin = Path(__file__).resolve().parent.parent / "datasette" / "plugins" / "bounded_sql.py"
    spec = importlib.util.spec_from_file_location("bounded_sql", plugin)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    conn = sqlite3.connect(":memory:")
    module.prepare_connection(conn)
    try:
        assert conn.execute("pragma hard_heap_limit").fetchone()[0] == module.MAX_HEAP
    finally:
        conn.execute("pragma hard_heap_limit = 0")  # process-wide: not for the other tests
    with pytest.raises(sqlite3.DataError, match="too big"):
        conn.execute("select zeroblob(?)", [module.MAX_VALUE + 1]).fetchall()
    with pytest.raises(sqlite3.DatabaseError, match="prohibited"):
        conn.execute("select * from pragma_database_list").fetchall()


def test_odd_searches_are_words_not_syntax(served) -> None:
    base, _, _ = served
    for query in ("O'Brien", "a:b:c", '"', "verwerkingen AND OR NOT", "x" * 20000):
        page = httpx.get(base + "/-/search", params={"q": query}, timeout=30)
        assert page.status_code == 200 and "Zoekvraag niet begrepen" not in page.text
    result = CliRunner().invoke(cli, ["search", "O'Brien"], env={"WOO_DATA": str(served[2])})
    assert result.exit_code == 0 and result.exception is None, result.output


def test_every_page_carries_security_headers_and_a_robots_txt(served) -> None:
    base, _, data = served
    page = httpx.get(base + "/-/scorecard")
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    robots = httpx.get(base + "/robots.txt")
    assert robots.status_code == 200 and "Disallow: /archive/" in robots.text
    with sqlite3.connect(data / "archive.db") as conn:
        [sha] = conn.execute("select sha256 from documents limit 1").fetchone()
    original = httpx.get(f"{base}/-/original/{sha}")
    assert original.headers["content-security-policy"] == "sandbox"  # its own, kept


def test_the_sites_cookies_are_httponly_and_samesite(data_dir: Path) -> None:
    Archive(settings())
    site = datasette_app(settings())
    site._root_token = "eenmalig"
    signed_in = asyncio.run(site.client.get("/-/auth-token?token=eenmalig"))
    form = asyncio.run(site.client.get("/-/messages"))  # a page with a form: the CSRF cookie
    for response, name in ((signed_in, "ds_actor="), (form, "ds_csrftoken=")):
        cookie = response.headers["set-cookie"]
        assert cookie.startswith(name), cookie
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower(), cookie
