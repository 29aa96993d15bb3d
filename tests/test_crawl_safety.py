"""A hostile site cannot turn the crawler (or `woo archive add`) against its user: no internal
address is fetched unless the user started there, a compression bomb is refused by its decoded
size, and nothing is downloaded at run time but what is crawled."""

from __future__ import annotations

import gzip
import resource
import socket
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Site
from tests.crawling import FAST, WOO, crawl_env, query
from wooarchive.archive import netguard
from wooarchive.archive.fetch import FetchError, fetch
from wooarchive.archive.store import Archive


@pytest.fixture
def secret() -> Site:
    """An internal service: nothing may ever ask it anything."""
    server = Site()
    server.body("/secret", b"<html><title>Geheim</title>token=s3cr3t</html>", "text/html")
    server.body("/sitemap.xml", b"<urlset/>", "application/xml")
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


def bomb(size: int = 64 << 20) -> bytes:
    return gzip.compress(b"\0" * size, compresslevel=9)


def test_a_hostile_site_cannot_make_the_crawler_fetch_internal_addresses_or_store_a_bomb(
    site, secret: Site, tmp_path: Path
) -> None:
    inside = f"http://localhost:{secret.server.server_port}"
    site.body(
        "/robots.txt",
        f"User-agent: *\nAllow: /\nSitemap: {inside}/sitemap.xml\n".encode(),
        "text/plain",
    )
    site.body(
        "/",
        (
            f'<html><title>Gemeente</title><a href="{inside}/secret">Privacyverklaring</a>'
            # a publication platform by every cue (a Woo link naming the municipality), but
            # on an internal address
            f'<a href="{inside}/amsterdam/woo-besluiten">Woo-besluiten</a>'
            '<a href="/privacy">Privacyverklaring gemeente</a>'
            '<a href="/verwerkingsregister">Verwerkingsregister</a>'
            '<a href="/dpia">DPIA cameratoezicht</a></html>'
        ).encode(),
        "text/html",
    )
    site.body(
        "/dpia",
        b"<html><title>DPIA</title></html>",
        "text/html",
        headers={f"X-Pad-{n}": "x" * 10 for n in range(5000)},
    )
    site.body("/privacy", bomb(), "text/html", gzipped=False, headers={"Content-Encoding": "gzip"})
    site.redirect("/verwerkingsregister", f"{inside}/secret")
    data = tmp_path / "data"
    result = subprocess.run(
        [
            WOO,
            "crawl",
            f"--start-url=GM0363={site.url('/')}",
            *FAST,
            "-s",
            "DOWNLOAD_MAXSIZE=10000000",
        ],
        env=crawl_env(data),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert secret.log == [], "an internal address was fetched"
    errors = [e for (e,) in query(data, "select error from fetch_errors")]
    assert any("is an internal address" in e and "/amsterdam/woo" in e for e in errors), errors
    assert any("decodes to more than 10000000 bytes" in e for e in errors), errors
    assert any("too many response headers" in e for e in errors), errors
    assert not query(data, "select 1 from captures where url = ?", (site.url("/dpia"),))
    assert not query(data, "select 1 from captures where url like ?", (f"{inside}%",))
    assert not query(data, "select 1 from captures where url = ?", (site.url("/privacy"),))
    sizes = [p.stat().st_size for p in (data / "blobs" / "sha256").rglob("*") if p.is_file()]
    assert max(sizes) < 10_000_000


def test_archive_add_refuses_a_redirect_to_an_internal_address(
    archive: Archive, site, secret: Site
) -> None:
    site.redirect("/doorsturen", f"http://localhost:{secret.server.server_port}/secret")
    with pytest.raises(FetchError, match="is an internal address"):
        fetch(archive, site.url("/doorsturen"))
    assert secret.log == []
    # what the user typed themselves is theirs to reach, even on an intranet
    assert fetch(archive, f"http://localhost:{secret.server.server_port}/secret").final.size > 0


def test_archive_add_refuses_a_compression_bomb_by_its_decoded_size(archive: Archive, site) -> None:
    site.body("/bom", bomb(), "text/html", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="decodes to more than 1000000 bytes"):
        fetch(archive, site.url("/bom"), max_size=1_000_000)
    assert archive.db["documents"].count == 0


def test_internal_addresses_are_recognised() -> None:
    for address in (
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:10.0.0.1",
        "0.0.0.0",
    ):
        assert netguard.is_internal(address), address
    for address in ("145.97.39.155", "2a00:1450:400e:80e::2004"):
        assert not netguard.is_internal(address), address


def test_domains_come_from_the_bundled_suffix_list_without_network(monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert netguard.registrable("www.gemeente.denhaag.nl") == "denhaag.nl"
    assert netguard.registrable("open.overheid.nl") == "overheid.nl"
    from wooarchive.crawlers.run import _offline_suffix_list

    _offline_suffix_list()
    from scrapy.downloadermiddlewares import cookies

    assert cookies._split_domain("www.utrecht.nl").top_domain_under_public_suffix == "utrecht.nl"


def test_archive_add_refuses_a_response_with_endless_headers(archive: Archive, site) -> None:
    site.body(
        "/dpia",
        b"<html></html>",
        "text/html",
        headers={f"X-Pad-{n}": "x" * 10 for n in range(5000)},
    )
    with pytest.raises(FetchError) as refused:
        fetch(archive, site.url("/dpia"), municipality_code="GM0363")
    assert "\n" not in str(refused.value) and site.url("/dpia") in str(refused.value)


def test_start_hosts_are_resolved_ahead_so_the_crawl_thread_does_not_wait_on_dns() -> None:
    netguard._addresses.cache_clear()
    netguard.resolve_ahead(
        ["http://localhost:8001/", "https://127.0.0.1/", "http://localhost:8001/x"]
    )
    assert netguard._addresses.cache_info().currsize == 2
    hits = netguard._addresses.cache_info().hits
    with pytest.raises(netguard.Forbidden):  # the check the crawl makes: answered from the cache
        netguard.check_url("http://localhost:8001/privacy")
    assert netguard._addresses.cache_info().hits == hits + 1


def test_a_crawl_delay_of_a_day_is_capped_and_the_run_ends(site, tmp_path: Path) -> None:
    site.body("/robots.txt", b"User-agent: *\nCrawl-delay: 86400\n", "text/plain")
    site.body(
        "/",
        b'<html><title>Gemeente</title><a href="/privacy">Privacyverklaring</a></html>',
        "text/html",
    )
    site.body("/privacy", b"<html><title>Privacyverklaring</title></html>", "text/html")
    data = tmp_path / "data"
    result = subprocess.run(
        [WOO, "crawl", f"--start-url=GM0363={site.url('/')}", *FAST, "-s", "WOO_MAX_CRAWL_DELAY=1"],
        env=crawl_env(data),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "/privacy" in site.log
    notes = query(data, "select notes from crawl_sites")[0][0]
    assert "asks for a Crawl-delay of 86400 s; waited 1 s" in notes
    assert "Crawl-delay of 86400 s" in result.stdout + result.stderr


def test_a_page_of_a_million_links_is_read_in_part_and_the_other_sites_go_on(
    tmp_path: Path,
) -> None:
    hostile, other = Site(), Site()
    links = "".join(f'<a href="/besluit-{n}">Woo-besluit {n}</a>' for n in range(1_000_000))
    hostile.body("/", f"<html><title>Woo</title><body>{links}</body></html>".encode(), "text/html")
    other.body(
        "/",
        b'<html><title>Gemeente</title><a href="/privacy">Privacyverklaring</a></html>',
        "text/html",
    )
    other.body("/privacy", b"<html><title>Privacyverklaring</title></html>", "text/html")
    for server in (hostile, other):
        server.thread.start()
    data = tmp_path / "data"
    try:
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = subprocess.run(
            [
                WOO,
                "crawl",
                f"--start-url=GM0363={hostile.url('/')}",
                f"--start-url=GM0344={other.url('/')}",
                *FAST,
                "-s",
                "DOWNLOAD_MAXSIZE=100000000",
                "-s",
                "WOO_MAX_PAGES=20",
            ],
            env=crawl_env(data),
            capture_output=True,
            text=True,
            timeout=120,
        )
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    finally:
        for server in (hostile, other):
            server.server.shutdown()
            server.server.server_close()
    assert result.returncode == 0, result.stderr[-3000:]
    assert "/privacy" in other.log
    notes = dict(query(data, "select municipality_code, notes from crawl_sites"))
    assert f"{hostile.url('/')} is " in notes["GM0363"] and "MB of HTML" in notes["GM0363"]
    assert "links; the rest not read" in notes["GM0363"]
    # the whole page is archived all the same, as evidence
    assert (
        query(data, "select size from documents where first_url = ?", (hostile.url("/"),))[0][0]
        > 30_000_000
    )
    if peak > before:  # this crawl is the largest child so far: its peak is measured
        assert peak < 1_000_000, f"the crawl took {peak // 1024} MB"


def test_starting_on_one_local_port_opens_no_other_port_of_the_machine(
    site, secret: Site, tmp_path: Path
) -> None:
    # another service on the same host, linked as a platform by every cue
    other = f"http://127.0.0.1:{secret.server.server_port}"
    site.body(
        "/",
        f'<html><title>Gemeente</title><a href="{other}/amsterdam/woo-besluiten">'
        "Woo-besluiten Amsterdam</a></html>".encode(),
        "text/html",
    )
    data = tmp_path / "data"
    result = subprocess.run(
        [WOO, "crawl", f"--start-url=GM0363={site.url('/')}", *FAST],
        env=crawl_env(data),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert secret.log == []
    errors = [e for (e,) in query(data, "select error from fetch_errors")]
    assert any(other in e and "internal address" in e for e in errors), errors
    # named with --allow-internal, it is the user's choice
    allowed = subprocess.run(
        [
            WOO,
            "crawl",
            "--fresh",
            f"--start-url=GM0363={site.url('/')}",
            *FAST,
            f"--allow-internal=127.0.0.1:{secret.server.server_port}",
        ],
        env=crawl_env(data),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert allowed.returncode == 0, allowed.stderr[-3000:]
    assert "/amsterdam/woo-besluiten" in secret.log


def test_fetch_allows_the_typed_port_only(archive: Archive, site, secret: Site) -> None:
    site.redirect("/elders", f"http://127.0.0.1:{secret.server.server_port}/secret")
    with pytest.raises(FetchError, match="internal address"):
        fetch(archive, site.url("/elders"))
    assert secret.log == []
