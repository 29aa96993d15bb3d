"""Crawling the fixture web: every planted document found and classified, politely, with every
response archived as evidence."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crawling import CONTACT, query, run_crawl
from tests.fixtures.web.server import FixtureWeb, Hit


@dataclass
class Crawled:
    data: Path
    hits: list[Hit]
    output: str


@pytest.fixture(scope="module")
def web():
    fixture = FixtureWeb()
    yield fixture
    fixture.close()


@pytest.fixture(scope="module")
def crawled(web: FixtureWeb, tmp_path_factory) -> Crawled:
    data = tmp_path_factory.mktemp("crawl") / "data"
    start = len(web.log)
    result = run_crawl(data, web)
    return Crawled(data, web.log[start:], result.stdout + result.stderr)


def test_every_planted_document_is_found_with_its_kind_and_publisher(
    web: FixtureWeb, crawled: Crawled
) -> None:
    for planted in web.planted():
        rows = query(
            crawled.data,
            "select d.kind, d.municipality_code, d.kind_evidence from documents d "
            "join captures c on c.sha256 = d.sha256 where c.url = ? and c.status = 200",
            [planted.url],
        )
        assert rows, f"{planted.url} was not archived"
        kind, municipality, evidence = rows[0]
        assert (kind, municipality) == (planted.kind, planted.municipality), planted
        assert json.loads(evidence), f"no evidence recorded for {planted.url}"


def test_pages_that_only_mention_a_cue_in_passing_stay_other(
    web: FixtureWeb, crawled: Crawled
) -> None:
    homes = [url for url in web.start_urls().values()]
    kinds = {
        url: query(
            crawled.data,
            "select d.kind from documents d join captures c on c.sha256 = d.sha256 where c.url = ?",
            [url],
        )[0][0]
        for url in homes
    }
    assert set(kinds.values()) == {"other"}, kinds


def test_robots_txt_is_asked_first_and_a_disallowed_path_is_never_requested(
    crawled: Crawled,
) -> None:
    den_helder = [hit.path for hit in crawled.hits if hit.site == "denhelder"]
    assert den_helder[0] == "/robots.txt"
    for site in {hit.site for hit in crawled.hits}:  # once: Scrapy is given the spider's copy
        asked = [hit for hit in crawled.hits if hit.site == site and hit.path == "/robots.txt"]
        assert len(asked) <= 1, f"robots.txt of {site} fetched {len(asked)} times"
    assert not [path for path in den_helder if path.startswith("/intern/")]


def test_requests_name_the_project_and_the_users_contact(crawled: Crawled) -> None:
    agents = {hit.headers.get("User-Agent") for hit in crawled.hits}
    assert len(agents) == 1
    agent = agents.pop()
    assert agent.startswith("woo-archive/") and CONTACT in agent


def test_crawl_delay_from_robots_txt_is_honoured(crawled: Crawled) -> None:
    times = [hit.at for hit in crawled.hits if hit.site == "heerlen" and hit.path != "/robots.txt"]
    assert len(times) >= 4
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= 0.45, [
        (h.path, round(h.at, 3)) for h in crawled.hits if h.site == "heerlen"
    ]  # Crawl-delay: 0.5


def test_errors_redirects_and_refusals_are_archived_as_evidence(
    web: FixtureWeb, crawled: Crawled
) -> None:
    def statuses(site: str, path: str) -> list[int]:
        return [
            r[0]
            for r in query(
                crawled.data,
                "select status from captures where url = ? order by id",
                [web.base[site] + path],
            )
        ]

    assert statuses("utrecht", "/storing") == [500, 500]  # retried once, both archived
    assert statuses("hoekschewaard", "/privacy") == [301]
    assert statuses("hoekschewaard", "/over-ons/privacy") == [302]
    assert statuses("heerlen", "/downloads/jaarverslag-fg-2024.pdf") == [404]
    errors = dict(query(crawled.data, "select url, error from fetch_errors"))
    assert "DownloadTimeoutError" in errors[web.base["amsterdam"] + "/verkeersbesluiten"]
    assert "larger than download max size" in errors[web.base["utrecht"] + "/woo/bijlage-groot.pdf"]
    chain = query(
        crawled.data,
        "select redirect_chain from captures where url = ?",
        [web.base["hoekschewaard"] + "/documenten/privacyverklaring.pdf"],
    )
    assert json.loads(chain[0][0]) == [
        web.base["hoekschewaard"] + "/privacy",
        web.base["hoekschewaard"] + "/over-ons/privacy",
    ]


def test_the_crawl_stays_on_the_municipalitys_sites_and_stops_at_traps(
    web: FixtureWeb, crawled: Crawled
) -> None:
    platform = {hit.path for hit in crawled.hits if hit.site == "publicaties"}
    assert platform <= {
        "/robots.txt",
        "/heerlen/woo-besluiten",
        "/heerlen/woo-besluiten/a.pdf",
        "/heerlen/woo-besluiten/b.pdf",
    }
    calendar = [hit.path for hit in crawled.hits if hit.path.startswith("/agenda")]
    assert 1 <= len(calendar) <= 3
    loop = [hit.path for hit in crawled.hits if hit.path.startswith("/privacy-oud")]
    assert sorted(set(loop)) == ["/privacy-oud", "/privacy-oud-2"] and len(loop) <= 3


def test_a_redirect_off_site_is_archived_but_not_followed(
    web: FixtureWeb, crawled: Crawled
) -> None:
    [(status, headers)] = query(
        crawled.data,
        "select status, headers from captures where url = ?",
        [web.base["zwolle"] + "/archief-privacy"],
    )
    assert status == 301 and "/elders/privacy-archief" in headers
    assert not [hit for hit in crawled.hits if hit.path.startswith("/elders")]


def test_a_sitemap_index_leads_to_its_sitemaps_and_their_cued_pages(crawled: Crawled) -> None:
    zwolle = [hit.path for hit in crawled.hits if hit.site == "zwolle"]
    assert "/sitemap-index.xml" in zwolle and "/sitemap-pages.xml" in zwolle
    assert "/afvalkalender" not in zwolle  # listed in the sitemap, but naming no cue


def test_malformed_html_a_pdf_served_as_html_and_a_wrong_type_are_read(
    web: FixtureWeb, crawled: Crawled
) -> None:
    rows = dict(
        query(
            crawled.data, "select first_url, mime from documents where municipality_code = 'GM0344'"
        )
    )
    assert rows[web.base["utrecht"] + "/download?id=77"] == "application/pdf"
    assert rows[web.base["utrecht"] + "/woo/besluit-parkeren.pdf"] == "application/pdf"
    problems = query(
        crawled.data,
        "select problems from documents where first_url = ?",
        [web.base["utrecht"] + "/download?id=77"],
    )
    assert problems[0][0] == "declared text/html but content is application/pdf"


def test_each_site_is_checkpointed_and_the_archive_verifies(crawled: Crawled) -> None:
    assert "crawl run 1: 6 crawled, 0 already done, 0 unfinished" in crawled.output
    sites = query(
        crawled.data,
        "select municipality_code, finished_at, pages from crawl_sites order by municipality_code",
    )
    assert [s[0] for s in sites] == ["GM0193", "GM0344", "GM0363", "GM0400", "GM0917", "GM1963"]
    assert all(s[1] and s[2] > 0 for s in sites)
    import subprocess

    from tests.crawling import WOO, crawl_env

    result = subprocess.run(
        [WOO, "verify"], env=crawl_env(crawled.data), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_a_crawled_site_exports_as_a_valid_signed_wacz(crawled: Crawled, tmp_path) -> None:
    import subprocess
    import sys
    from pathlib import Path

    from tests.crawling import WOO, crawl_env

    env = crawl_env(crawled.data)
    env["WOO_SIGNING_KEY"] = str(tmp_path / "key.pem")
    subprocess.run([WOO, "keys", "init"], env=env, check=True, capture_output=True)
    out = tmp_path / "hoekschewaard.wacz"
    made = subprocess.run(
        [WOO, "export", "wacz", "-m", "GM1963", "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    documents = query(
        crawled.data, "select count(*) from documents where municipality_code = 'GM1963'"
    )[0][0]
    assert f"{documents} documents" in made.stdout
    wacz = str(Path(sys.executable).with_name("wacz"))
    validated = subprocess.run([wacz, "validate", "-f", str(out)], capture_output=True, text=True)
    assert validated.returncode == 0 and "Validation succeeded" in validated.stdout
    verified = subprocess.run(
        [WOO, "export", "verify", str(out)], env=env, capture_output=True, text=True
    )
    assert verified.returncode == 0 and "ok   signature" in verified.stdout


def test_the_crawl_read_gives_decisions_as_data_and_keeps_crawl_records_out_of_search(
    crawled: Crawled, tmp_path
) -> None:
    """Crawled, read (OCR for the scan) and counted: every value the fixture web's decisions
    say, with its evidence; the inventory annexed to one; the codes printed in another's boxes.
    robots.txt and the sitemaps are archived as crawl records, never read into search."""
    import shutil
    import subprocess

    from tests.crawling import WOO, crawl_env
    from tests.fixtures.web.sites import DECISIONS

    data = tmp_path / "data"
    shutil.copytree(crawled.data, data)  # the other tests keep the crawl as it was
    env = crawl_env(data)
    indexed = subprocess.run([WOO, "index"], env=env, capture_output=True, text=True)
    assert indexed.returncode == 0, indexed.stderr
    rows = {
        url.rsplit("besluit-", 1)[1].removesuffix(".pdf"): row
        for url, *row in query(
            data,
            "select d.first_url, w.received_on, w.decided_on, w.outcome, w.verdaging, w.late, "
            "(select group_concat(code, ' ') from woo_grounds g where g.sha256 = w.sha256), "
            "w.decided_on_evidence from woo_decisions w join documents d on d.sha256 = w.sha256 "
            "where w.municipality_code = 'GM1963'",
        )
    }
    assert set(rows) == set(DECISIONS)
    received, decided, outcome, verdaging, late, grounds, evidence = rows["2026-002"]
    assert (received, decided, outcome, verdaging, late) == (
        "2026-01-12",
        "2026-03-03",
        "gedeeltelijk openbaar",
        1,
        1,  # 50 days: later than four weeks plus the two weeks of the verdaging
    )
    assert grounds == "5.1.2e 5.1.2i" and evidence == "Datum: 3 maart 2026"
    assert tuple(rows["2026-004"][:3]) == (
        "2026-02-09",
        "2026-03-16",
        "gedeeltelijk openbaar",
    )  # OCR
    assert rows["2026-004"][4] == 1  # 35 days without verdaging: late
    assert rows["2026-005"][5] == "5.1.2e 5.1.2i 5.2"  # "onder e en i, en artikel 5.2"
    assert tuple(rows["2026-006"][2:4]) == ("niet openbaar", 0)
    annex = query(
        data,
        "select count(*), group_concat(distinct i.assessment) from woo_inventory_items i "
        "join documents d on d.sha256 = i.decision_sha256 where d.first_url like '%2026-005.pdf'",
    )
    assert annex == [(5, "deels openbaar,niet openbaar,openbaar,reeds openbaar")]
    codes = query(
        data,
        "select p.redaction_codes from pages p join documents d on d.sha256 = p.sha256 "
        "where d.first_url like '%2026-002.pdf'",
    )
    assert codes == [("5.1.2e, 5.1.2e, 5.1.2i",)]
    stats = subprocess.run(
        [WOO, "decisions", "stats", "--format", "csv"], env=env, capture_output=True, text=True
    )
    assert "GM1963,6,6," in stats.stdout
    records = query(
        data,
        "select d.kind, count(p.sha256) from documents d left join pages p on p.sha256 = d.sha256 "
        "where d.first_url like '%/robots.txt' or d.first_url like '%sitemap%.xml' group by 1",
    )
    assert [kind for kind, _ in records] == ["crawl_record"] and records[0][1] == 0
