"""A crawl of many sites runs in several processes (one core each) into one archive: every site
is crawled as in one process, the run is finished and anchored once, and a host that sites in
different processes reach (here the national Algoritmeregister, with its Crawl-delay) is never
asked sooner than its delay: the host gate holds across processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.crawling import FAST, WOO, crawl_env, crawl_named, query
from tests.fixtures.namedweb import NamedWeb, page
from wooarchive.crawlers.middlewares.host_gate import STALE_SECONDS, Gate

REGISTER = "algoritmes.overheid.nl"
DELAY = 0.25
# four municipalities, two to a process; each has two entries in the register
SITES = {
    "GM0014": "www.groningen.nl",
    "GM0034": "www.almere.nl",
    "GM0080": "www.leeuwarden.nl",
    "GM0106": "www.assen.nl",
}


def _world() -> NamedWeb:
    register = {
        "/robots.txt": (200, "text/plain", f"User-agent: *\nCrawl-delay: {DELAY}\n".encode(), {})
    }
    for code in SITES:
        low = code.lower()
        register[f"/nl/organisatie/{low}"] = page(
            f"<html><title>{code} - Algoritmeregister</title>"
            + "".join(
                f"<a href='/nl/algoritme/{low}-{n}/{code[2:]}{n}'>Algoritme {n}</a>" for n in (1, 2)
            )
            + "</html>"
        )
        for n in (1, 2):
            register[f"/nl/algoritme/{low}-{n}/{code[2:]}{n}"] = page(
                f"<html><title>Algoritme {n} van {code}</title></html>"
            )
            register[f"/api/algoritme/NLD/{code[2:]}{n}"] = (
                200,
                "application/json",
                json.dumps({"name": f"Algoritme {n}", "org": low}).encode(),
                {},
            )
    hosts = {
        host: {
            "/robots.txt": (200, "text/plain", b"User-agent: *\nAllow: /\n", {}),
            "/": page(f"<html><title>Gemeente {code}</title><a href='/privacy'>Privacy</a></html>"),
            "/privacy": page(
                f"<html><title>Privacyverklaring {code}</title><h1>Privacy</h1></html>"
            ),
        }
        for code, host in SITES.items()
    }
    return NamedWeb({**hosts, REGISTER: register})


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    web = _world()
    data = tmp_path_factory.mktemp("processes") / "data"
    try:
        crawl = crawl_named(
            data,
            web,
            *(f"--start-url={code}=http://{host}/" for code, host in SITES.items()),
            "-s",
            f"WOO_ALGORITHM_REGISTER=http://{REGISTER}",
            "-s",
            "WOO_CRAWL_PROCESSES=2",
        )
        assert crawl.returncode == 0, crawl.stdout + crawl.stderr[-4000:]
        yield data, web, crawl.stdout
    finally:
        web.close()


def test_every_site_is_crawled_once_by_one_of_the_processes(crawled) -> None:
    data, _, summary = crawled
    assert "crawl run 1: 4 crawled, 0 already done, 0 unfinished" in summary
    warcs = {path.name.split("-")[2] for path in (data / "warc").glob("*.warc.gz")}
    assert len(warcs) == 2  # two writers (the WARC file names carry the process id)
    for code in SITES:
        kinds = dict(
            query(
                data,
                "select kind, count(*) from documents where municipality_code = ? group by kind",
                (code,),
            )
        )
        assert kinds.get("privacy_statement") == 1, (code, kinds)
        assert kinds.get("algorithm_register") == 3, (code, kinds)  # its page and two entries
    assert query(data, "select count(*) from crawl_runs where finished_at is not null")[0][0] == 1
    assert query(data, "select count(*) from crawl_sites where finished_at is null")[0][0] == 0
    assert query(data, "select reason from anchors") == [("crawl run 1",)]


def test_a_host_both_processes_reach_is_never_asked_sooner_than_its_crawl_delay(crawled) -> None:
    _, web, _ = crawled
    times = sorted(hit.at for hit in web.log if hit.host == REGISTER)
    # each process reads robots.txt once; every page of all four municipalities was asked
    assert len(times) == 2 + 4 * 5
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert min(gaps) >= DELAY * 0.95, sorted(gaps)[:5]


def test_the_gate_keeps_a_shared_host_to_one_request_at_a_time_and_its_delay(tmp_path) -> None:
    path = str(tmp_path / "gate.db")
    first, second = Gate(path, me=1), Gate(path, me=2)
    # a host one process uses is its own: its requests pass at once, two at a time too
    assert first.try_acquire("a.nl", now=100.0) == 0 and first.try_acquire("a.nl", now=100.0) == 0
    first.release("a.nl", 1.0, now=100.5)
    # the other process must wait for the request still in flight ...
    assert second.try_acquire("a.nl", now=100.6) > 0
    first.release("a.nl", 1.0, now=100.7)
    # ... and then for the delay after the last answer; the waiter goes before the owner
    assert second.try_acquire("a.nl", now=101.0) == pytest.approx(0.7)
    assert first.try_acquire("a.nl", now=101.8) > 0
    assert second.try_acquire("a.nl", now=101.8) == 0
    # shared now: one at a time, whoever asks
    assert first.try_acquire("a.nl", now=101.9) > 0
    second.release("a.nl", 1.0, now=102.0)
    # a Crawl-delay learnt later (from robots.txt) counts from the last answer for everyone
    second.learn("a.nl", 5.0)
    assert first.try_acquire("a.nl", now=103.5) == pytest.approx(3.5)
    assert first.try_acquire("a.nl", now=107.0) == 0


def test_a_process_that_died_with_a_request_in_flight_does_not_hold_the_host(tmp_path) -> None:
    path = str(tmp_path / "gate.db")
    dead, alive = Gate(path, me=1), Gate(path, me=2)
    assert dead.try_acquire("b.nl", now=0.0) == 0
    assert alive.try_acquire("b.nl", now=10.0) > 0
    assert alive.try_acquire("b.nl", now=10.0 + STALE_SECONDS + 1) == 0


def _slow_world(sites: dict[str, str]) -> NamedWeb:
    """Sites of 12 pages each at a Crawl-delay of 0.4 s: a crawl of some seconds."""
    hosts = {}
    for code, host in sites.items():
        links = "".join(f"<a href='/woo/{n}'>Woo-besluit {n}</a>" for n in range(10))
        hosts[host] = {
            "/robots.txt": (200, "text/plain", b"User-agent: *\nCrawl-delay: 0.4\n", {}),
            "/": page(f"<html><title>Gemeente {code}</title>{links}</html>"),
            **{
                f"/woo/{n}": page(f"<html><title>Woo-besluit {n} van {code}</title></html>")
                for n in range(10)
            },
        }
    return NamedWeb(hosts)


def _crawl_process(data, web, sites: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            WOO,
            "crawl",
            *FAST,
            *(f"--start-url={code}=http://{host}/" for code, host in sites.items()),
            "-s",
            "WOO_CRAWL_PROCESSES=2",
        ],
        env={**crawl_env(data), **web.env()},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _wait_for_requests(web: NamedWeb, count: int) -> None:
    deadline = time.monotonic() + 60
    while len(web.log) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(web.log) >= count


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL])
def test_a_crawl_stopped_or_killed_leaves_no_process_crawling_and_resumes(tmp_path, stop) -> None:
    web = _slow_world(SITES)
    try:
        crawl = _crawl_process(tmp_path / "data", web, SITES)
        _wait_for_requests(web, 12)
        crawl.send_signal(stop)
        out, _ = crawl.communicate(timeout=60)
        if stop == signal.SIGTERM:  # stopped gently: the sites are unfinished, and it says so
            assert crawl.returncode == 1 and "unfinished" in out
        asked = len(web.log)
        time.sleep(1.5)  # no process of the crawl goes on asking
        assert len(web.log) == asked
        resumed = _crawl_process(tmp_path / "data", web, SITES)
        out, _ = resumed.communicate(timeout=120)
        assert resumed.returncode == 0, out
        assert "crawl run 1: " in out and " 0 unfinished" in out
    finally:
        web.close()
    for code in SITES:
        titles = {
            row[0]
            for row in query(
                tmp_path / "data",
                "select title from documents where municipality_code = ? and title like 'Woo%'",
                (code,),
            )
        }
        assert len(titles) == 10, (code, titles)


def test_a_crawl_process_that_dies_leaves_its_sites_unfinished_and_says_why(tmp_path) -> None:
    web = _slow_world(SITES)
    try:
        crawl = _crawl_process(tmp_path / "data", web, SITES)
        _wait_for_requests(web, 12)
        children = subprocess.run(
            ["pgrep", "-P", str(crawl.pid)], capture_output=True, text=True
        ).stdout.split()
        # the spawned crawl processes (not the resource tracker multiprocessing also starts)
        crawling = [pid for pid in children if "spawn_main" in _name(pid)]
        assert len(crawling) == 2, [_name(pid) for pid in children]
        os.kill(int(crawling[-1]), signal.SIGKILL)
        out, _ = crawl.communicate(timeout=120)
    finally:
        web.close()
    assert crawl.returncode == 1
    lost = [line for line in out.splitlines() if "its crawl process ended without a report" in line]
    assert len(lost) == 2 and all("(exit code -9)" in line for line in lost), out
    assert "2 crawled, 0 already done, 2 unfinished" in out


def _name(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except OSError:
        return ""


def test_a_crawl_takes_no_more_processes_than_the_cores_it_may_run_on(monkeypatch) -> None:
    from wooarchive.crawlers import run

    monkeypatch.setattr(os, "cpu_count", lambda: 64)  # the machine's
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)  # ours
    assert run.processes_for(1000) == 2
    assert run.processes_for(30) == 1  # fewer than 20 sites a process: one
    assert run.processes_for(5, wanted=3) == 3  # asked for
    assert run.processes_for(2, wanted=5) == 2  # never more than sites
