"""Publication-platform details seen on real platforms: a WordPress-style listing whose
pagination sits inside a <nav> is paged through, a decision whose detail page is reached at the
depth limit keeps its files, and the municipality's own other hosts (a forms portal, a DigiD
login) are outlinks unless a Woo or privacy cue leads there."""

from __future__ import annotations

from tests.crawling import crawl_named, query
from tests.fixtures.documents import text_pdf
from tests.fixtures.namedweb import NamedWeb, page

HOME, WOO_HOST = "www.oss.nl", "woo.oss.nl"
FORMS, DIGID = "formulieren.oss.nl", "mijn.oss.nl"
ROBOTS = (200, "text/plain", b"User-agent: *\nAllow: /\n", {})


def _listing(n: int, last: bool) -> tuple:
    nxt = "" if last else f'<a href="/woo-besluiten/page/{n + 1}/">Volgende &raquo;</a>'
    return page(
        f"<html><title>Woo-besluiten - pagina {n}</title><main><h1>Woo-besluiten</h1>"
        f'<article><a href="/woo-besluit-{n}/">Woo-besluit {n}: subsidie</a></article></main>'
        f'<nav class="navigation pagination"><a href="/woo-besluiten/page/{max(n - 1, 1)}/">'
        f"&laquo; Vorige</a>{nxt}</nav>"
        '<nav class="site"><a href="/over-ons/">Over ons</a></nav></html>'
    )


def _world() -> NamedWeb:
    woo = {"/robots.txt": ROBOTS, "/woo-besluiten/": _listing(1, False)}
    for n in (1, 2, 3):
        woo[f"/woo-besluiten/page/{n}/"] = _listing(n, n == 3)
        woo[f"/woo-besluit-{n}/"] = page(
            f"<html><title>Woo-besluit {n}</title><h1>Besluit op Woo-verzoek {n}</h1>"
            f'<a href="/wp-content/uploads/besluit-{n}.pdf">Besluit {n}</a></html>'
        )
        woo[f"/wp-content/uploads/besluit-{n}.pdf"] = (
            200,
            "application/pdf",
            text_pdf([f"Besluit op uw Woo-verzoek {n}", "Gemeente Oss"]),
            {},
        )
    return NamedWeb(
        {
            HOME: {
                "/robots.txt": ROBOTS,
                "/": page(
                    "<html><title>Gemeente Oss</title>"
                    f'<a href="http://{WOO_HOST}/woo-besluiten/">Woo-besluiten</a>'
                    f'<a href="http://{FORMS}/melding">Melding doen</a>'
                    f'<a href="http://{DIGID}/inloggen">Inloggen met DigiD</a>'
                    f'<a href="http://{FORMS}/woo-verzoek">Woo-verzoek indienen</a></html>'
                ),
            },
            WOO_HOST: woo,
            FORMS: {
                "/robots.txt": ROBOTS,
                "/woo-verzoek": page("<html><title>Woo-verzoek indienen</title></html>"),
            },
            DIGID: {"/robots.txt": ROBOTS},
        }
    )


def test_nav_pagination_late_decisions_and_the_municipalitys_other_hosts(tmp_path) -> None:
    web = _world()
    data = tmp_path / "data"
    try:
        crawl = crawl_named(
            data, web, f"--start-url=GM0828=http://{HOME}/", "-s", "WOO_MAX_DEPTH=2"
        )
    finally:
        web.close()
    assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-3000:]
    asked = web.hits(WOO_HOST)
    # the listing's pagination inside <nav> is followed, to its end; the site's frame is not
    assert {"/woo-besluiten/page/2/", "/woo-besluiten/page/3/"} <= set(asked)
    assert "/over-ons/" not in asked
    # every decision's file, the last ones reached at the depth limit
    for n in (1, 2, 3):
        assert f"/wp-content/uploads/besluit-{n}.pdf" in asked, asked
    kinds = dict(query(data, "select first_url, kind from documents"))
    assert kinds[f"http://{WOO_HOST}/wp-content/uploads/besluit-3.pdf"] == "woo_decision"
    # the municipality's other hosts: a Woo cue leads there, a report form and a login do not
    assert web.hits(FORMS) == ["/robots.txt", "/woo-verzoek"]
    assert web.hits(DIGID) == []
    outlinks = {url for (url,) in query(data, "select url from outlinks")}
    assert {f"http://{FORMS}/melding", f"http://{DIGID}/inloggen"} <= outlinks
