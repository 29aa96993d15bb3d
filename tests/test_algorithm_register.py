"""The national Algoritmeregister route: a municipality whose algorithm register exists only
there gets its entries from the register (organisation page, its further pages, each entry's
page and JSON), under the register's real host name through the test proxy, obeying the
register's robots.txt and asking nothing else of it; a municipality without a page there is a
line in the summary, and the register's base is configurable."""

from __future__ import annotations

import json

import pytest

from tests.crawling import crawl_named, query
from tests.fixtures.namedweb import NamedWeb, page

REGISTER = "algoritmes.overheid.nl"
FRISIAN, OTHER = "www.noardeast-fryslan.nl", "www.tytsjerksteradiel.nl"
ENTRIES = {
    "81000101": "Slimme afvalroutes",
    "81000102": "Risicoselectie bijstand",
    "81000103": "Chatbot gemeentelijke vragen",
}


def _entry_link(ident: str) -> str:
    name = ENTRIES[ident].lower().replace(" ", "-")
    return f'<a href="/nl/algoritme/{name}/{ident}">{ENTRIES[ident]}</a>'


def _world() -> NamedWeb:
    home = page(
        '<html lang="fy"><title>Gemeente Noardeast-Fryslân</title>'
        # the municipality links to the register: an outlink, not a way into it
        f'<a href="http://{REGISTER}/nl/organisatie/gm1970">Algoritmeregister</a></html>'
    )
    entries = {
        f"/nl/algoritme/{name.lower().replace(' ', '-')}/{ident}": page(
            f"<html><title>{name} - Algoritmeregister</title><h1>{name}</h1>"
            "<p>Organisatie: Gemeente Noardeast-Fryslân</p></html>"
        )
        for ident, name in ENTRIES.items()
    }
    api = {
        f"/api/algoritme/NLD/{ident}": (
            200,
            "application/json",
            json.dumps({"name": name, "org_id": "gm1970", "lars": ident}).encode(),
            {},
        )
        for ident, name in ENTRIES.items()
    }
    return NamedWeb(
        {
            FRISIAN: {
                "/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n", {}),
                "/": home,
            },
            OTHER: {
                "/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n", {}),
                "/": page("<html><title>Gemeente Tytsjerksteradiel</title></html>"),
            },
            REGISTER: {
                "/robots.txt": (
                    200,
                    "text/plain",
                    b"User-agent: *\nDisallow: /api/downloads/\nDisallow: /nl/zoeken\n",
                    {},
                ),
                "/nl/organisatie/gm1970": page(
                    "<html><title>Gemeente Noardeast-Fryslân - Algoritmeregister</title>"
                    f"<nav><a href='/nl/organisatie/gm0080'>Gemeente Leeuwarden</a>"
                    "<a href='/nl/zoeken'>Zoeken</a>"
                    "<a href='/api/downloads/NLD?filetype=csv'>Download alles</a></nav>"
                    f"{_entry_link('81000101')}{_entry_link('81000102')}"
                    "<a href='/nl/organisatie/gm1970?page=2'>Volgende</a></html>"
                ),
                "/nl/organisatie/gm1970?page=2": page(
                    "<html><title>Gemeente Noardeast-Fryslân - pagina 2</title>"
                    f"{_entry_link('81000103')}</html>"
                ),
                **entries,
                **api,
            },
        }
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    web = _world()
    data = tmp_path_factory.mktemp("register") / "data"
    try:
        crawl = crawl_named(
            data,
            web,
            f"--start-url=GM1970=http://{FRISIAN}/",
            f"--start-url=GM0737=http://{OTHER}/",
            "-s",
            f"WOO_ALGORITHM_REGISTER=http://{REGISTER}",
        )
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-4000:]
        yield data, web, crawl.stdout
    finally:
        web.close()


def test_the_municipalitys_entries_are_fetched_from_the_national_register(crawled) -> None:
    data, web, _ = crawled
    rows = query(
        data,
        "select first_url, kind, title from documents where municipality_code = 'GM1970' "
        "and kind = 'algorithm_register'",
    )
    urls = {url.removeprefix(f"http://{REGISTER}") for url, _, _ in rows}
    assert "/nl/organisatie/gm1970" in urls and "/nl/organisatie/gm1970?page=2" in urls
    for ident, name in ENTRIES.items():
        assert f"/nl/algoritme/{name.lower().replace(' ', '-')}/{ident}" in urls
        assert f"/api/algoritme/NLD/{ident}" in web.hits(REGISTER)
    assert {title for _, _, title in rows} >= {f"{n} - Algoritmeregister" for n in ENTRIES.values()}


def test_the_register_is_asked_for_nothing_else_and_its_robots_txt_is_obeyed(crawled) -> None:
    _, web, _ = crawled
    asked = web.hits(REGISTER)
    assert asked[0] == "/robots.txt" and asked.count("/robots.txt") == 1
    assert "/nl/organisatie/gm0080" not in asked  # another organisation
    assert not any(p.startswith(("/nl/zoeken", "/api/downloads")) for p in asked)
    assert "/nl/organisatie/gm0737" in asked  # the other municipality was looked for


def test_a_municipality_without_a_page_there_is_a_line_in_the_summary(crawled) -> None:
    _, _, summary = crawled
    assert (
        f"GM0737: the national Algoritmeregister has no page for it "
        f"(http://{REGISTER}/nl/organisatie/gm0737)"
    ) in summary.splitlines()
    assert "GM1970: 3 entries in the national Algoritmeregister fetched" in summary.splitlines()
