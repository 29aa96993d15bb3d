"""The Woo-index route: `woo crawl` reads the robots.txt of every host in scope, follows its DiWoo
sitemaps (an index split over pages and hosts, two shapes of sitemap), fetches every listed file
of the municipality however its URL reads, keeps the metadata as the document's evidence, and
obeys each host's robots.txt; `woo index` then finds the decisions. Bad sitemaps and other
publishers' entries are lines in the summary."""

from __future__ import annotations

import json

import pytest

from tests.crawling import crawl_named, index, query
from tests.fixtures import diwooweb as world
from wooarchive.crawlers.routes import diwoo


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    web = world.world()
    data = tmp_path_factory.mktemp("diwoo") / "data"
    try:
        crawl = crawl_named(data, web, f"--start-url={world.CODE}=http://{world.HOME}/")
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-4000:]
        indexed = index(data)
        assert indexed.returncode == 0, indexed.stderr[-3000:]
        yield data, web, crawl.stdout
    finally:
        web.close()


def test_every_listed_decision_is_fetched_and_kept_with_its_metadata(crawled) -> None:
    data, web, _ = crawled
    rows = query(
        data,
        "select first_url, kind, title, kind_evidence from documents where municipality_code = ?",
        (world.CODE,),
    )
    found = {url: (kind, title, json.loads(evidence)) for url, kind, title, evidence in rows}
    for listed in [*world.DECISIONS, *world.SECOND_PAGE]:
        kind, title, evidence = found[listed.url]
        assert kind == "woo_decision" and title == listed.title
        assert "informatiecategorie Woo-verzoeken en -besluiten (c_3baef532)" in evidence
        assert any(line.startswith("listed in DiWoo sitemap http://") for line in evidence)
        assert f"DiWoo officieleTitel: {listed.title}" in evidence
    kind, _, evidence = found[world.ANNUAL_REPORT_URL]  # OpenCatalogi's shape, another category
    assert kind == "woo_publication"
    assert "informatiecategorie Jaarplannen en jaarverslagen (c_c6cd1213)" in evidence
    # the sitemaps are archived: the evidence the metadata came from
    assert (
        query(data, "select count(*) from captures where url like '%sitemapindex-diwoo-infocat%'")[
            0
        ][0]
        == 2
    )


def test_woo_index_finds_the_decisions(crawled) -> None:
    data, _, _ = crawled
    decided = {
        row[0]
        for row in query(
            data,
            "select decided_on from woo_decisions d join documents using (sha256) "
            "where documents.municipality_code = ?",
            (world.CODE,),
        )
    }
    assert decided == {"2026-02-02", "2026-02-20", "2026-02-27", "2026-03-05"}


def test_robots_txt_of_every_host_is_obeyed_and_nothing_outside_the_routes_is_fetched(
    crawled,
) -> None:
    data, web, _ = crawled
    for host in (world.HOME, world.WOO, world.FILES, world.PLATFORM, world.API):
        paths = web.hits(host)
        assert paths and paths[0] == "/robots.txt", (host, paths)
        assert paths.count("/robots.txt") == 1, (host, paths)
    assert not any(path.startswith("/intern/") for path in web.hits(world.FILES))
    assert world.UTRECHT.path.format(token=world.UTRECHT.token) not in web.hits(world.FILES)
    assert {hit.host for hit in web.log} == {
        world.HOME,
        world.WOO,
        world.FILES,
        world.PLATFORM,
        world.API,
    }


def test_bad_sitemaps_and_other_publishers_are_lines_in_the_summary(crawled) -> None:
    _, _, summary = crawled
    lines = [line for line in summary.splitlines() if line.startswith(f"{world.CODE}: ")]
    assert any(f"sitemap http://{world.HOME}/kapot.xml not read: not valid XML" in x for x in lines)
    assert any(
        "sitemap on another domain, not fetched: http://sitemaps.example.org/infocat014.xml" in x
        for x in lines
    )
    assert any("documents of another publisher (Gemeente) not fetched: 1" in x for x in lines), (
        lines
    )
    assert any("6 documents listed in DiWoo sitemaps or platforms" in x for x in lines), lines


def test_a_diwoo_sitemap_is_read_in_both_shapes_and_refuses_what_is_not_one() -> None:
    urlset = diwoo.parse(world._urlset(world.DECISIONS).encode())
    assert urlset.is_diwoo and [e.loc for e in urlset.entries] == [d.url for d in world.DECISIONS]
    assert urlset.entries[0].municipality == "GM0394" and urlset.entries[0].is_woo_decision
    assert urlset.entries[0].actions == ["ontvangst"]
    documents = diwoo.parse(world.OPENCATALOGI_PAGE.encode())
    assert [e.loc for e in documents.entries] == [world.ANNUAL_REPORT_URL]
    assert documents.entries[0].created == "2026-02-10"
    for bad, reason in (
        (b"<urlset><url>", "not valid XML"),
        (b"<html><body>hallo</body></html>", "not a sitemap"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            b"<urlset><url><loc>&e;</loc></url></urlset>",
            "",
        ),
    ):
        try:
            parsed = diwoo.parse(bad)
        except diwoo.DiwooError as exc:
            assert reason in str(exc)
        else:  # an external entity is never read
            assert not reason and "root:" not in repr(parsed)


def test_a_sitemap_of_a_thousand_and_more_entries_queues_no_more_than_the_budget_remembers(
    tmp_path,
) -> None:
    from tests.fixtures.namedweb import NamedWeb, page

    many = [
        world.Listed(
            f"t{n:05d}", f"Besluit op Woo-verzoek {n}", "1 januari 2026", "1 februari 2026"
        )
        for n in range(1500)
    ]
    web = NamedWeb(
        {
            world.HOME: {
                "/robots.txt": world._robots("Allow: /", f"Sitemap: http://{world.HOME}/woo.xml"),
                "/woo.xml": world._xml(world._urlset(many)),
                "/": page("<html><title>Gemeente</title></html>"),
            },
            world.FILES: {"/robots.txt": world._robots("Allow: /")},
        }
    )
    data = tmp_path / "data"
    try:
        crawl = crawl_named(
            data, web, f"--start-url={world.CODE}=http://{world.HOME}/", "--max-pages", "5"
        )
    finally:
        web.close()
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    assert f"{world.CODE}: more than 100 distinct links found; the rest not queued" in crawl.stdout
    assert len([p for p in web.hits(world.FILES) if p != "/robots.txt"]) <= 5  # the budget
