"""Merged and renamed municipalities: the listed address answers with a permanent redirect to
another domain. The crawl adopts the new domain as the municipality's site, says so in the
summary, in crawl_sites and on the scorecard, and follows old-domain links that redirect into
it; a temporary redirect elsewhere is not adopted, and a redirect loop between the two domains is
a line, bounded."""

from __future__ import annotations

import asyncio

import pytest

from tests.crawling import crawl_named, query
from tests.fixtures.namedweb import NamedWeb, moved, page

OLD, NEW = "www.heerhugowaard.nl", "www.dijkenwaard.nl"
TEMPORARY, PARKING = "www.t-diel.nl", "www.domeinparkeren.nl"
ROBOTS = (200, "text/plain", b"User-agent: *\nAllow: /\n", {})


def _world() -> NamedWeb:
    return NamedWeb(
        {
            OLD: {
                "/robots.txt": moved(f"http://{NEW}/robots.txt"),
                "/": moved(f"http://{NEW}/"),
                "/privacy": moved(f"http://{NEW}/privacyverklaring"),
                "/woo": moved(f"http://{NEW}/woo"),
                "/woo-oud": page("<html><title>Niet gevonden</title></html>", status=404),
            },
            NEW: {
                "/robots.txt": ROBOTS,
                "/": page(
                    "<html><title>Gemeente Dijk en Waard</title>"
                    # links to the old domain that redirect into the new one
                    f'<a href="http://{OLD}/privacy">Privacyverklaring</a>'
                    f'<a href="http://{OLD}/woo">Woo-verzoeken</a>'
                    f'<a href="http://{OLD}/woo-oud">Woo-besluiten (archief)</a>'
                    '<a href="/verwerkingsregister">Verwerkingsregister</a></html>'
                ),
                "/privacyverklaring": page(
                    "<html><title>Privacyverklaring gemeente Dijk en Waard</title></html>"
                ),
                "/verwerkingsregister": page(
                    "<html><title>Verwerkingsregister Dijk en Waard</title></html>"
                ),
                # a loop between the two domains
                "/woo": moved(f"http://{OLD}/woo"),
            },
            TEMPORARY: {
                "/robots.txt": ROBOTS,
                "/": moved(f"http://{PARKING}/", status=302),
            },
            PARKING: {"/": page("<html><title>Dit domein is te koop</title></html>")},
        }
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    web = _world()
    data = tmp_path_factory.mktemp("moved") / "data"
    try:
        crawl = crawl_named(
            data,
            web,
            f"--start-url=GM1980=http://{OLD}/",
            f"--start-url=GM0737=http://{TEMPORARY}/",
        )
        yield data, web, crawl
    finally:
        web.close()


def test_a_permanent_redirect_to_another_domain_is_adopted_as_the_site(crawled) -> None:
    data, web, crawl = crawled
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-3000:]
    kinds = dict(query(data, "select first_url, kind from documents where kind != 'other'"))
    assert kinds[f"http://{NEW}/privacyverklaring"] == "privacy_statement"
    assert kinds[f"http://{NEW}/verwerkingsregister"] == "processing_register"
    assert query(data, "select moved_to from crawl_sites where municipality_code = 'GM1980'") == [
        (f"http://{NEW}/",)
    ]
    assert any(
        line.startswith(f"GM1980: http://{OLD}/ redirects permanently to http://{NEW}/")
        for line in crawl.stdout.splitlines()
    ), crawl.stdout
    assert web.hits(NEW).count("/robots.txt") == 1


def test_a_temporary_redirect_elsewhere_is_not_adopted(crawled) -> None:
    data, web, crawl = crawled
    assert web.hits(PARKING) == []
    assert any(
        line.startswith("GM0737: start URL redirects to another site, not followed")
        for line in crawl.stdout.splitlines()
    ), crawl.stdout
    assert query(data, "select moved_to from crawl_sites where municipality_code = 'GM0737'") == [
        (None,)
    ]


def test_a_redirect_loop_between_old_and_new_domain_is_a_line(crawled) -> None:
    _, web, crawl = crawled
    assert any(
        line.startswith(f"GM1980: http://{OLD}/woo redirects in a loop")
        for line in crawl.stdout.splitlines()
    ), crawl.stdout
    assert web.hits(OLD).count("/woo") <= 2


def test_the_scorecard_says_where_the_site_moved(crawled, monkeypatch) -> None:
    from wooarchive.config import settings
    from wooarchive.web.serve import datasette_app

    data, _, _ = crawled
    monkeypatch.setenv("WOO_DATA", str(data))
    page_ = asyncio.run(datasette_app(settings()).client.get("/-/scorecard/GM1980"))
    assert page_.status_code == 200
    assert f'verwijst blijvend door naar <a href="http://{NEW}/"' in page_.text
