"""The Woo-index route (Register van Overheidsorganisaties): the municipality's page in the
Woo-index is found through the index's search, and every location it lists for a Woo category is
crawled as one of its Woo pages, on whatever host, though no page of the municipality links
there; `woo index` then finds the decisions. Of the index only the search and the
municipality's own page are asked, robots.txt first. A municipality the index does not list, or
whose page lists no locations, is a line in the summary.

The world is written here, under real host names served by the test proxy: Súdwest-Fryslân
(GM1900) lists its Woo decisions on a Woo host its own Frisian site does not link, its
convenants on an unlinked page of its own site and its annual reports on a supplier's host;
Bergen (NH.) (GM0373) has a page in the index without locations (and a namesake in Limburg);
Dijk en Waard (GM1980) is not found.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

import pytest

from tests.crawling import crawl_named, index, query
from tests.fixtures.documents import text_pdf
from tests.fixtures.namedweb import Answer, NamedWeb, page
from wooarchive.crawlers.routes import wooindex

INDEX = "organisaties.overheid.nl"
SWF, SWF_WOO, SUPPLIER = "www.sudwestfryslan.nl", "woo.sudwestfryslan.nl", "publicaties.ibabs-x.nl"
BERGEN, DIJK = "www.bergen-nh.nl", "www.dijkenwaard.nl"
SWF_PAGE = "/woo/31410/Gemeente_Sudwest-Fryslan"
NOTE = "Testdocument van het archiefproject; geen publicatie van de gemeente."
DECISIONS = {
    "/dokuminten/a81.pdf": ("Besluit op Woo-verzoek windturbines Sneek", "4 maart 2026"),
    "/dokuminten/b27.pdf": ("Besluit op Woo-verzoek sluiting zwembad Bolsward", "18 maart 2026"),
}


def _robots(*lines: str) -> Answer:
    return (200, "text/plain", ("User-agent: *\n" + "".join(f"{x}\n" for x in lines)).encode(), {})


def _decision(title: str, decided: str) -> Answer:
    body = text_pdf(
        [
            "Gemeente Súdwest-Fryslân",
            f"Datum: {decided}",
            title,
            "Op 2 februari 2026 hebben wij uw verzoek ontvangen op grond van de Wet open",
            "overheid (Woo).",
            "Wij hebben besloten de documenten openbaar te maken.",
            NOTE,
        ]
    )
    return (200, "application/pdf", body, {})


def _search(query: str) -> Answer:
    keyword = parse_qs(query).get("keyword", [""])[0]
    results = {
        "Súdwest-Fryslân": [
            (SWF_PAGE, "Gemeente Súdwest-Fryslân"),
            ("/woo/29001/Veiligheidsregio_Fryslan", "Veiligheidsregio Fryslân"),
        ],
        "Bergen": [
            ("/woo/27807/Gemeente_Bergen_L", "Gemeente Bergen (L)"),
            ("/woo/27806/Gemeente_Bergen_NH", "Gemeente Bergen (NH)"),
        ],
    }.get(keyword, [])
    items = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in results)
    return page(
        f"<html><title>Zoeken in de Woo-index</title><h1>Zoekresultaten</h1>"
        f"<ul>{items or '<li>Geen resultaten</li>'}</ul></html>"
    )


def _organisation(name: str, locations: str) -> Answer:
    return page(
        f"<html><title>{name} | Woo-index</title><nav><a href='/woo'>Woo-index</a>"
        "<a href='/woo/29001/Veiligheidsregio_Fryslan'>Veiligheidsregio Fryslân</a></nav>"
        f"<h1>{name}</h1><section id='contactgegevens'><h2>Contactgegevens</h2>"
        "<table><tr><th>Woo-contactpersoon</th><td>Team Informatie</td></tr></table></section>"
        f"{locations}</html>"
    )


def _world() -> NamedWeb:
    locations = (
        "<section id='locaties-woo-documenten'><h2>Locaties Woo-documenten</h2><table>"
        f"<tr><th>Woo-verzoeken en -besluiten</th><td><a class='is-external' "
        f"href='http://{SWF_WOO}/besluten'>Besluten op Woo-fersiken</a></td></tr>"
        f"<tr><th>Convenanten</th><td><a href='http://{SWF}/konvenanten'>Konvenanten</a>"
        " <a href='mailto:woo@sudwestfryslan.nl'>mail</a></td></tr>"
        f"<tr><th>Jaarplannen en jaarverslagen</th><td><a href='http://{SUPPLIER}/sudwestfryslan/"
        "jierferslaggen'>Jierferslaggen</a></td></tr></table></section>"
    )
    listing = "".join(f"<li><a href='{path}'>{t}</a></li>" for path, (t, _) in DECISIONS.items())
    return NamedWeb(
        {
            INDEX: {
                "/robots.txt": _robots("Disallow: /woo/export"),
                "/woo/zoeken": _search,
                SWF_PAGE: _organisation("Gemeente Súdwest-Fryslân", locations),
                "/woo/27806/Gemeente_Bergen_NH": _organisation("Gemeente Bergen (NH)", ""),
                "/woo/27807/Gemeente_Bergen_L": _organisation("Gemeente Bergen (L)", locations),
            },
            SWF: {
                "/robots.txt": _robots("Allow: /"),
                "/": page(
                    '<html lang="fy"><title>Gemeente Súdwest-Fryslân</title><h1>Wolkom</h1>'
                    f"<a href='https://{INDEX}/woo'>Woo-index</a></html>"
                ),
                "/konvenanten": page(
                    '<html lang="fy"><title>Konvenanten</title><h1>Konvenanten</h1>'
                    "<p>De gemeente hat dizze konvenanten sletten.</p></html>"
                ),
            },
            SWF_WOO: {
                "/robots.txt": _robots("Allow: /"),
                "/besluten": page(
                    '<html lang="fy"><title>Publikaasjes</title><h1>Publikaasjes</h1>'
                    f"<ul>{listing}</ul></html>"
                ),
                **{path: _decision(*item) for path, item in DECISIONS.items()},
            },
            SUPPLIER: {
                "/robots.txt": _robots("Disallow: /intern/"),
                "/sudwestfryslan/jierferslaggen": page(
                    "<html><title>Jierferslaggen</title><h1>Jierferslaggen</h1>"
                    "<a href='/sudwestfryslan/jierferslach-2025.pdf'>Jierferslach 2025</a>"
                    "<a href='/intern/konsept.pdf'>Konsept</a></html>"
                ),
                "/sudwestfryslan/jierferslach-2025.pdf": (
                    200,
                    "application/pdf",
                    text_pdf(["Jierferslach 2025", NOTE]),
                    {},
                ),
            },
            BERGEN: {"/robots.txt": _robots("Allow: /"), "/": page("<title>Bergen</title>")},
            DIJK: {"/robots.txt": _robots("Allow: /"), "/": page("<title>Dijk en Waard</title>")},
        }
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    web = _world()
    data = tmp_path_factory.mktemp("wooindex") / "data"
    try:
        crawl = crawl_named(
            data,
            web,
            f"--start-url=GM1900=http://{SWF}/",
            f"--start-url=GM0373=http://{BERGEN}/",
            f"--start-url=GM1980=http://{DIJK}/",
            "-s",
            f"WOO_INDEX=http://{INDEX}",
        )
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-4000:]
        indexed = index(data)
        assert indexed.returncode == 0, indexed.stderr[-3000:]
        yield data, web, crawl.stdout
    finally:
        web.close()


def test_every_location_the_municipality_lists_is_crawled_as_its_woo_page(crawled) -> None:
    data, _, _ = crawled
    rows = query(
        data,
        "select first_url, kind, kind_evidence from documents where municipality_code = 'GM1900'",
    )
    found = {url: (kind, json.loads(evidence or "[]")) for url, kind, evidence in rows}
    for url, category in (
        (f"http://{SWF_WOO}/besluten", "Woo-verzoeken en -besluiten"),
        (f"http://{SWF}/konvenanten", "Convenanten"),
        (f"http://{SUPPLIER}/sudwestfryslan/jierferslaggen", "Jaarplannen en jaarverslagen"),
    ):
        kind, evidence = found[url]
        assert kind in ("woo_page", "woo_decision"), (url, kind)
        assert (
            f"listed in the Woo-index as its location of {category} (http://{INDEX}{SWF_PAGE})"
            in evidence
        )
    assert f"http://{SUPPLIER}/sudwestfryslan/jierferslach-2025.pdf" in found
    # the index's page itself is kept as evidence of where the municipality said it publishes
    assert f"http://{INDEX}{SWF_PAGE}" in found


def test_woo_index_finds_the_decisions_listed_there(crawled) -> None:
    data, _, _ = crawled
    decided = {
        row[0]
        for row in query(
            data,
            "select decided_on from woo_decisions d join documents using (sha256) "
            "where documents.municipality_code = 'GM1900'",
        )
    }
    assert decided == {"2026-03-04", "2026-03-18"}


def test_the_index_is_asked_for_the_search_and_the_municipalitys_page_only(crawled) -> None:
    _, web, _ = crawled
    asked = web.hits(INDEX)
    assert asked[0] == "/robots.txt" and asked.count("/robots.txt") == 1
    pages = {path for path in asked if not path.startswith(("/robots.txt", "/woo/zoeken?"))}
    assert pages == {SWF_PAGE, "/woo/27806/Gemeente_Bergen_NH"}  # not Limburg's, no other org
    searched = sorted(parse_qs(p.split("?", 1)[1])["keyword"][0] for p in asked if "?" in p)
    assert searched == ["Bergen", "Dijk en Waard", "Súdwest-Fryslân"]
    for host in (SWF_WOO, SUPPLIER):
        paths = web.hits(host)
        assert paths[0] == "/robots.txt" and paths.count("/robots.txt") == 1, (host, paths)
    assert "/intern/konsept.pdf" not in web.hits(SUPPLIER)


def test_what_the_index_does_not_give_is_a_line_in_the_summary(crawled) -> None:
    data, _, summary = crawled
    lines = summary.splitlines()
    assert (
        "GM1980: the Woo-index lists no organisation named Gemeente Dijk en Waard "
        f"(http://{INDEX}/woo/zoeken?keyword=Dijk+en+Waard&maximumRecords=50&pageNumber=1"
        "&sortOrder=0)"
    ) in lines
    assert (
        "GM0373: the Woo-index lists no locations of Woo documents "
        f"(http://{INDEX}/woo/27806/Gemeente_Bergen_NH)"
    ) in lines
    assert "GM1900: 3 locations of Woo documents listed in the Woo-index crawled" in lines
    # the municipality's own link to the index is an outlink, not a way into it
    assert (
        query(data, "select count(*) from outlinks where url = ?", (f"https://{INDEX}/woo",))[0][0]
        == 1
    )


def test_a_page_of_another_organisation_is_not_taken_for_the_municipalitys() -> None:
    html = "<html><title>Gemeente Súdwest-Fryslân</title><h1>Gemeente Súdwest-Fryslân</h1>"
    assert wooindex.names_municipality(html + "</html>", "Súdwest-Fryslân", "GM1900")
    assert not wooindex.names_municipality(
        html + "<p>https://identifier.overheid.nl/tooi/id/gemeente/gm0080</p></html>",
        "Súdwest-Fryslân",
        "GM1900",
    )
    assert not wooindex.names_municipality("<h1>Gemeente Bergen (L)</h1>", "Bergen (NH.)", "GM0373")
    found, others = wooindex.organisation(
        "<a href='/woo/1/Gemeente_Bergen_L'>Gemeente Bergen (L)</a>",
        f"https://{INDEX}/woo/zoeken?keyword=Bergen",
        "Bergen (NH.)",
    )
    assert found is None and others == ["Gemeente Bergen (L)"]


def test_an_index_that_forbids_its_search_is_a_line_not_a_silence(tmp_path) -> None:
    web = NamedWeb(
        {
            INDEX: {"/robots.txt": _robots("Disallow: /woo/zoeken"), "/woo/zoeken": _search},
            DIJK: {"/robots.txt": _robots("Allow: /"), "/": page("<title>Dijk en Waard</title>")},
        }
    )
    try:
        crawl = crawl_named(
            tmp_path / "data",
            web,
            f"--start-url=GM1980=http://{DIJK}/",
            "-s",
            f"WOO_INDEX=http://{INDEX}",
        )
    finally:
        web.close()
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert web.hits(INDEX) == ["/robots.txt"]
    assert (
        f"GM1980: the Woo-index's search not fetched (http://{INDEX}/woo/zoeken?keyword=Dijk+en+"
        "Waard&maximumRecords=50&pageNumber=1&sortOrder=0): Forbidden by robots.txt"
    ) in crawl.stdout.splitlines()
