"""The spider's decisions, offline: which links it follows and what it reports (hand-built
responses, no network)."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from wooarchive.crawlers.items import DocumentItem
from wooarchive.crawlers.spiders.municipal import MunicipalSpider

SITE = "https://www.gemeente.nl"


@pytest.fixture
def spider() -> MunicipalSpider:
    crawler = get_crawler(
        MunicipalSpider,
        settings_dict={
            "WOO_MAX_PAGES": 50,
            "WOO_MAX_DEPTH": 5,
            "WOO_BROWSE_DEPTH": 2,
            "WOO_MAX_LISTING_PAGES": 3,
        },
    )
    return MunicipalSpider.from_crawler(crawler, municipality="GM0363", start_url=SITE + "/")


def page(url: str, body: str, depth: int = 1, mime: str = "text/html", **meta) -> HtmlResponse:
    request = Request(
        url,
        meta={
            "woo_depth": depth,
            "woo_capture": {"sha256": "ab" * 32, "mime": mime, "capture_id": 1},
            **meta,
        },
    )
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=request)


def split(output) -> tuple[list[DocumentItem], list[Request]]:
    output = list(output)
    return [o for o in output if isinstance(o, DocumentItem)], [
        o for o in output if isinstance(o, Request)
    ]


def test_a_woo_listing_leads_to_its_files_and_its_next_page(spider: MunicipalSpider) -> None:
    items, requests = split(
        spider.parse_page(
            page(
                SITE + "/woo/besluiten",
                """<title>Woo-besluiten</title><h1>Woo-besluiten</h1>
                <a href="/files/2026-1.pdf">2026-1</a><a href="/files/2026-2.pdf">2026-2</a>
                <a rel="next" href="/woo/besluiten?p=2">Volgende</a>""",
            )
        )
    )
    assert items[0].kind == "woo_page"
    urls = {r.url: r for r in requests}
    assert set(urls) == {
        SITE + "/files/2026-1.pdf",
        SITE + "/files/2026-2.pdf",
        SITE + "/woo/besluiten?p=2",
    }
    assert urls[SITE + "/files/2026-1.pdf"].meta["from_woo_listing"] == SITE + "/woo/besluiten"
    assert urls[SITE + "/files/2026-1.pdf"].meta["woo_depth"] == 2
    assert urls[SITE + "/woo/besluiten?p=2"].meta["woo_depth"] == 1  # the next page is no deeper
    assert all(r.meta["municipality"] == "GM0363" for r in requests)


def test_a_never_ending_listing_is_stopped_by_its_own_bound(spider: MunicipalSpider) -> None:
    body = '<title>Woo-besluiten</title><a rel="next" href="/woo?p=9">Volgende</a>'
    _, requests = split(
        spider.parse_page(page(SITE + "/woo?p=3", body, depth=4, woo_listing_page=3))
    )
    assert requests == []
    _, requests = split(
        spider.parse_page(page(SITE + "/woo?p=2", body, depth=4, woo_listing_page=2))
    )
    assert [r.meta["woo_listing_page"] for r in requests] == [3]


def test_links_without_cues_are_followed_near_the_start_only(spider: MunicipalSpider) -> None:
    body = (
        '<title>Nieuws</title><a href="/nieuws/brug">Nieuwe brug</a><a href="/privacy">Privacy</a>'
    )
    _, near = split(spider.parse_page(page(SITE + "/nieuws", body, depth=1)))
    _, deep = split(spider.parse_page(page(SITE + "/nieuws", body, depth=2)))
    assert {r.url for r in near} == {SITE + "/nieuws/brug", SITE + "/privacy"}
    assert {r.url for r in deep} == {SITE + "/privacy"}


def test_an_off_site_link_with_a_clear_cue_adds_a_publication_host(spider: MunicipalSpider) -> None:
    body = (
        '<title>Home</title><a href="https://publicaties.example/gemeente/woo">Woo-besluiten</a>'
        '<a href="https://www.twitter.example/gemeente">Twitter</a>'
    )
    _, requests = split(spider.parse_page(page(SITE + "/", body, depth=0)))
    assert [r.url for r in requests] == ["https://publicaties.example/gemeente/woo"]
    assert "publicaties.example" in spider.scope


def test_a_pdf_is_reported_with_its_link_text_as_title(spider: MunicipalSpider) -> None:
    response = page(
        SITE + "/d/dpia.pdf",
        "%PDF-1.4 not really",
        mime="application/pdf",
        anchor="DPIA cameratoezicht",
    )
    items, requests = split(spider.parse_page(response))
    assert requests == []
    assert (items[0].kind, items[0].title) == ("dpia", "DPIA cameratoezicht")


def test_robots_txt_leads_to_its_sitemaps_and_the_homepage(spider: MunicipalSpider) -> None:
    request = Request(
        SITE + "/robots.txt",
        meta={"woo_capture": {"sha256": "cd" * 32, "mime": "text/plain", "capture_id": 2}},
    )
    response = TextResponse(
        SITE + "/robots.txt",
        body=f"User-agent: *\nDisallow: /intern/\nSitemap: {SITE}/sitemap.xml\n".encode(),
        request=request,
    )
    items, requests = split(spider.parse_robots(response))
    assert [r.url for r in requests] == [SITE + "/sitemap.xml", SITE + "/"]
    assert items[0].kind == "crawl_record"  # evidence of the crawl, never read into search


def test_a_sitemap_yields_only_urls_that_name_a_cue(spider: MunicipalSpider) -> None:
    xml = f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>{SITE}/privacyverklaring</loc></url><url><loc>{SITE}/afval</loc></url>
    <url><loc>{SITE}/woo-verzoek-indienen</loc></url></urlset>"""
    request = Request(
        SITE + "/sitemap.xml",
        meta={"woo_capture": {"sha256": "ef" * 32, "mime": "application/xml", "capture_id": 3}},
    )
    _, requests = split(
        spider.parse_sitemap(
            TextResponse(SITE + "/sitemap.xml", body=xml.encode(), request=request)
        )
    )
    assert {r.url for r in requests} == {
        SITE + "/privacyverklaring",
        SITE + "/woo-verzoek-indienen",
    }


def test_the_page_budget_stops_following(spider: MunicipalSpider) -> None:
    spider.max_pages = 2
    body = "<title>Privacy</title>" + "".join(
        f'<a href="/privacy/{i}">Privacy {i}</a>' for i in range(5)
    )
    _, requests = split(spider.parse_page(page(SITE + "/privacy", body)))
    assert len(requests) == 2
