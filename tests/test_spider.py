"""The spider's decisions, offline: which links it follows and what it reports (hand-built
responses, no network)."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from wooarchive.crawlers.items import DocumentItem, OutlinkItem
from wooarchive.crawlers.spiders.municipal import MunicipalSpider, SiteCrawl

SITE = "https://www.gemeente.nl"


@pytest.fixture
def site() -> SiteCrawl:
    crawler = get_crawler(
        MunicipalSpider,
        settings_dict={
            "WOO_MAX_PAGES": 50,
            "WOO_MAX_DEPTH": 5,
            "WOO_BROWSE_DEPTH": 2,
            "WOO_MAX_LISTING_PAGES": 3,
        },
    )
    spider = MunicipalSpider.from_crawler(
        crawler, municipality="GM0363", start_url=SITE + "/", municipality_name="Amsterdam"
    )
    return spider.sites["GM0363"]


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


def test_a_woo_listing_leads_to_its_files_and_its_next_page(site: SiteCrawl) -> None:
    items, requests = split(
        site.parse_page(
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


def test_a_never_ending_listing_is_stopped_by_its_own_bound(site: SiteCrawl) -> None:
    body = '<title>Woo-besluiten</title><a rel="next" href="/woo?p=9">Volgende</a>'
    _, requests = split(site.parse_page(page(SITE + "/woo?p=3", body, depth=4, woo_listing_page=3)))
    assert requests == []
    _, requests = split(site.parse_page(page(SITE + "/woo?p=2", body, depth=4, woo_listing_page=2)))
    assert [r.meta["woo_listing_page"] for r in requests] == [3]


def test_links_without_cues_are_followed_near_the_start_only(site: SiteCrawl) -> None:
    def body(n: int) -> str:
        return f'<title>Nieuws</title><a href="/nieuws/{n}">Nieuwe brug</a><a href="/privacy/{n}">Privacy</a>'

    _, near = split(site.parse_page(page(SITE + "/nieuws", body(1), depth=1)))
    _, deep = split(site.parse_page(page(SITE + "/nieuws", body(2), depth=2)))
    assert {r.url for r in near} == {SITE + "/nieuws/1", SITE + "/privacy/1"}
    assert {r.url for r in deep} == {SITE + "/privacy/2"}


def test_each_distinct_url_is_scheduled_once(site: SiteCrawl) -> None:
    body = '<title>Privacy</title><a href="/privacy#top">Privacy</a><a href="/privacy?utm_source=x">Privacy</a>'
    _, first = split(site.parse_page(page(SITE + "/a", body)))
    _, again = split(site.parse_page(page(SITE + "/b", body)))
    assert [r.url for r in first] == [SITE + "/privacy"]
    assert again == []


def test_a_session_parameter_is_learned_from_one_token_on_links_to_many_paths(
    site: SiteCrawl,
) -> None:
    body = "<title>Home</title>" + "".join(
        f'<a href="/{p}?cmsctx=a81f3c9d27&amp;lang=nl">Privacy {p}</a>'
        for p in ("privacy", "woo", "avg", "fg")
    )
    _, requests = split(site.parse_page(page(SITE + "/", body, depth=0)))
    assert {r.url for r in requests} == {
        SITE + f"/{p}?lang=nl" for p in ("privacy", "woo", "avg", "fg")
    }
    assert site.session_params == {"www.gemeente.nl": {"cmsctx"}}


def test_a_session_parameter_is_learned_from_same_bytes_under_two_values(
    site: SiteCrawl,
) -> None:
    def body(token: str) -> str:
        return f'<title>Privacy</title><a href="/woo?k={token}">Woo</a><p>Zelfde tekst.</p>'

    list(site.parse_page(page(SITE + "/privacy?k=1", body("1"))))
    assert site.session_params == {}
    list(site.parse_page(page(SITE + "/privacy?k=2", body("2"))))
    assert site.session_params == {"www.gemeente.nl": {"k"}}
    assert site.canonical(SITE + "/privacy?k=3&id=4") == SITE + "/privacy?id=4"


def test_a_publication_platform_naming_the_municipality_is_followed_other_hosts_are_outlinks(
    site: SiteCrawl,
) -> None:
    body = (
        '<title>Home</title><a href="https://publicaties.example/amsterdam/woo">Woo-besluiten</a>'
        '<a href="https://amsterdam.openwoo.example/">Openbare documenten</a>'
        '<a href="https://woo.rijk.example/verzoeken">Woo-verzoeken bij het Rijk</a>'
        '<a href="https://algoritmes.overheid.example/">Algoritmeregister</a>'
        '<a href="https://www.twitter.example/gemeente">Twitter</a>'
    )
    output = list(site.parse_page(page(SITE + "/", body, depth=0)))
    followed = [o.url for o in output if isinstance(o, Request)]
    outlinks = [o.url for o in output if isinstance(o, OutlinkItem)]
    # a known platform's host that does not name the municipality is asked once: its page must
    assert followed == [
        "https://publicaties.example/amsterdam/woo",
        "https://amsterdam.openwoo.example/",
        "https://woo.rijk.example/verzoeken",
    ]
    assert outlinks == [
        "https://algoritmes.overheid.example/",
        "https://www.twitter.example/gemeente",
    ]
    items, requests = split(
        site.parse_page(
            page(
                "https://woo.rijk.example/verzoeken",
                '<title>Woo-verzoeken bij het Rijk</title><a href="/ministeries">Woo-besluiten</a>',
            )
        )
    )
    assert (requests, items[0].kind) == ([], "crawl_record")
    assert "woo.rijk.example" not in site.scope and "amsterdam.openwoo.example" in site.scope


def test_a_platform_whose_first_page_carries_no_woo_cue_leaves_the_scope(
    site: SiteCrawl,
) -> None:
    body = '<title>Home</title><a href="https://nieuws.openwoo.example/">Woo-nieuws</a>'
    list(site.parse_page(page(SITE + "/", body, depth=0)))
    assert "nieuws.openwoo.example" in site.scope
    items, requests = split(
        site.parse_page(
            page(
                "https://nieuws.openwoo.example/",
                '<title>Nieuws</title><p>Het weer.</p><a href="/sport">Sport</a>',
            )
        )
    )
    assert requests == [] and items[0].kind == "crawl_record"
    assert "nieuws.openwoo.example" not in site.scope


def test_filters_of_a_listing_are_followed_one_level_deep(site: SiteCrawl) -> None:
    links = (
        '<a href="/woo/besluiten?jaar=2025">2025</a><a href="/woo/besluiten?thema=zorg">Zorg</a>'
        '<a href="/woo/besluiten?jaar=2025&amp;thema=zorg">2025, zorg</a>'
        '<a href="/woo/besluiten?pagina=2">2</a><a href="/woo/besluit/17">Snippergroen</a>'
    )
    title = "<title>Woo-besluiten</title>"
    _, top = split(site.parse_page(page(SITE + "/woo/besluiten", title + links)))
    assert {r.url.split("/woo/", 1)[1] for r in top} == {
        "besluiten?jaar=2025",
        "besluiten?thema=zorg",
        "besluiten?pagina=2",
        "besluit/17",
    }
    site.seen.clear()
    _, filtered = split(site.parse_page(page(SITE + "/woo/besluiten?jaar=2025", title + links)))
    assert {r.url.split("/woo/", 1)[1] for r in filtered} == {"besluiten?pagina=2", "besluit/17"}


def test_a_get_search_form_on_a_woo_page_is_submitted_once_with_its_defaults(
    site: SiteCrawl,
) -> None:
    form = (
        '<form action="/zoeken" method="get"><input name="q" value=""><select name="soort">'
        '<option value="besluit">Besluit</option><option value="alle" selected>Alle</option>'
        '</select><input type="submit" value="Zoeken"></form>'
    )
    _, requests = split(site.parse_page(page(SITE + "/woo", "<title>Woo-verzoeken</title>" + form)))
    assert [r.url for r in requests] == [SITE + "/zoeken?q=&soort=alle"]
    _, again = split(
        site.parse_page(
            page(
                SITE + "/zoeken?q=&soort=alle", "<title>Woo-besluiten</title>" + form, woo_form=True
            )
        )
    )
    assert again == []


def test_a_pdf_is_reported_with_its_link_text_as_title(site: SiteCrawl) -> None:
    response = page(
        SITE + "/d/dpia.pdf",
        "%PDF-1.4 not really",
        mime="application/pdf",
        anchor="DPIA cameratoezicht",
    )
    items, requests = split(site.parse_page(response))
    assert requests == []
    assert (items[0].kind, items[0].title) == ("dpia", "DPIA cameratoezicht")


def test_robots_txt_leads_to_its_sitemaps_and_the_homepage(site: SiteCrawl) -> None:
    request = Request(
        SITE + "/robots.txt",
        meta={"woo_capture": {"sha256": "cd" * 32, "mime": "text/plain", "capture_id": 2}},
    )
    response = TextResponse(
        SITE + "/robots.txt",
        body=f"User-agent: *\nDisallow: /intern/\nSitemap: {SITE}/sitemap.xml\n".encode(),
        request=request,
    )
    items, requests = split(site.parse_robots(response))
    assert [r.url for r in requests] == [SITE + "/sitemap.xml", SITE + "/"]
    assert items[0].kind == "crawl_record"  # evidence of the crawl, never read into search


def test_a_sitemap_yields_only_urls_that_name_a_cue(site: SiteCrawl) -> None:
    xml = f"""<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url><loc>{SITE}/privacyverklaring</loc></url><url><loc>{SITE}/afval</loc></url>
    <url><loc>{SITE}/woo-verzoek-indienen</loc></url></urlset>"""
    request = Request(
        SITE + "/sitemap.xml",
        meta={"woo_capture": {"sha256": "ef" * 32, "mime": "application/xml", "capture_id": 3}},
    )
    _, requests = split(
        site.parse_sitemap(TextResponse(SITE + "/sitemap.xml", body=xml.encode(), request=request))
    )
    assert {r.url for r in requests} == {
        SITE + "/privacyverklaring",
        SITE + "/woo-verzoek-indienen",
    }


def test_the_page_budget_is_spent_on_the_best_scoring_links(site: SiteCrawl) -> None:
    site.max_pages = 2
    body = '<title>Home</title><a href="/nieuws">Nieuws</a><a href="/privacyverklaring">Privacyverklaring</a><a href="/woo">Wet open overheid</a>'
    _, requests = split(site.parse_page(page(SITE + "/", body, depth=0)))
    best_first = sorted(requests, key=lambda r: -r.priority)
    assert [r.url for r in best_first][-1] == SITE + "/nieuws"
    assert [site.spend(r) for r in best_first] == [True, True, False]
    assert site.final_notes() == ["page budget of 2 reached: 1 lower-scoring links not fetched"]


def test_a_page_of_thousands_of_forms_or_parameters_stays_bounded(site: SiteCrawl) -> None:
    site.max_pages = 1  # a frontier of 20 URLs
    forms = "".join(
        f'<form action="/zoeken/{n}" method="get"><input name="q" value=""></form>'
        for n in range(500)
    )
    _, requests = split(
        site.parse_page(page(SITE + "/woo", "<title>Woo-verzoeken</title>" + forms))
    )
    assert len(requests) == 20 and len(site.seen) == 20
    # learning from bytes looks at a URL's first parameters only, not one pass per parameter
    query = "&".join(f"p{n}=1" for n in range(5000))
    list(site.parse_page(page(f"{SITE}/a?{query}", "<title>x</title>")))
    assert len(site._variants) <= 8
