"""Run the crawl: every municipality in one spider, all at once, with resumable checkpoints.

A crawl run is a row in ``crawl_runs``; each municipality it covers is a row in ``crawl_sites``
that gets ``finished_at`` when nothing of that site is pending any more, in the commit that
makes everything it fetched durable. Started again with the same sites after being killed, the run resumes: finished sites
are skipped and the others crawled again, which costs little because every URL already captured
is asked for conditionally. The archive is idempotent, so a resumed crawl ends with the same
documents as an uninterrupted one.

All sites run at once by default, in one Scrapy crawler per process (one engine and downloader
for all its sites: a crawler per site cost 20 ms each to start and its own engine loop), each
host at its own polite rate, so the whole country takes about as long as its slowest site; with
WOO_CONCURRENT_SITES set, a window of that many, the next site joining as one is done. A crawl
of many sites is CPU-bound on the one thread that parses and archives every response, so its
sites are dealt out over one process per core (WOO_CRAWL_PROCESSES; at least SITES_PER_PROCESS
each), all writing the same archive (each its own WARC file; the database in short batch
transactions), a host several of them reach kept polite by the host gate between them
(middlewares/host_gate.py); the parent opens and finishes the run and signs its anchor. The
archive writes in batches, flushed on a timer, when a batch is full and before a site is called
finished. A write that fails (a full disk) stops the whole run: no site is called finished after
it, and the error is the run's one-line outcome.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import logging
import multiprocessing
import os
import signal
import tempfile
from collections import deque
from dataclasses import dataclass, field

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from twisted.internet import task

from wooarchive.archive import anchor, netguard
from wooarchive.archive.fetch import MAX_RESPONSE_HEADERS
from wooarchive.archive.store import Archive, ArchiveError, ArchiveWriteError, now, utc_iso
from wooarchive.config import Settings as WooSettings
from wooarchive.crawlers import shared
from wooarchive.crawlers.spiders.municipal import MunicipalSpider, SiteCrawl
from wooarchive.indexer.isolation import PR_SET_PDEATHSIG

log = logging.getLogger(__name__)


def _offline_suffix_list() -> None:
    """Scrapy's cookie middleware splits domains with a tldextract that downloads the public
    suffix list on first use; give it the snapshot tldextract ships, so a crawl reaches no host
    but the ones it crawls."""
    from scrapy.downloadermiddlewares import cookies
    from tldextract import TLDExtract

    cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)


MAX_HEADER_BYTES = 64 * 1024


def _bounded_headers() -> None:
    """Twisted's HTTP client takes any number of response headers (only each line is limited,
    to 16 KiB): a hostile server could send millions. A response with more than
    MAX_RESPONSE_HEADERS, or MAX_HEADER_BYTES of them in all, fails as unparseable, which the
    crawl records as a fetch error (`woo archive add` refuses it too, in fetch.py)."""
    from twisted.web import _newclient

    parser = _newclient.HTTPClientParser
    if getattr(parser, "woo_bounded", False):
        return
    original = parser.headerReceived

    def header_received(self, name: bytes, value: bytes) -> None:
        count, size = getattr(self, "woo_headers", (0, 0))
        self.woo_headers = count, size = count + 1, size + len(name) + len(value)
        if count > MAX_RESPONSE_HEADERS or size > MAX_HEADER_BYTES:
            raise _newclient.ParseError(
                "too many response headers",
                f"more than {MAX_RESPONSE_HEADERS} headers or {MAX_HEADER_BYTES} bytes of them",
            )
        original(self, name, value)

    parser.headerReceived = header_received
    parser.woo_bounded = True


class _OneLine(logging.Filter):
    """A site that cannot be reached is one line in the log: Scrapy's robots.txt middleware
    adds the whole traceback of a refused connection to its error (the archive middleware has
    already said which URL got no response, and why)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


def _quiet_unreachable() -> None:
    robots = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
    if not any(isinstance(f, _OneLine) for f in robots.filters):
        robots.addFilter(_OneLine())


def _name(archive: Archive, code: str) -> str:
    row = archive.db.execute("select name from municipalities where code = ?", [code]).fetchone()
    return row[0] if row else ""


@dataclass(frozen=True)
class Site:
    municipality: str
    start_url: str


def sites_for(
    archive: Archive, codes: list[str], start_urls: list[str], everything: bool
) -> list[Site]:
    """Resolve the command line into sites. ``start_urls`` items are ``URL`` (for the one
    municipality given) or ``CODE=URL``."""
    explicit: dict[str, str] = {}
    for item in start_urls:
        code, sep, url = item.partition("=")
        if sep and code.upper().startswith("GM"):
            explicit[archive.check_municipality(code)] = url
        elif len(codes) == 1:
            explicit[archive.check_municipality(codes[0])] = item
        else:
            raise ArchiveError(
                f"{item}: give --start-url as CODE=URL when crawling several municipalities"
            )
    wanted = [archive.check_municipality(c) for c in codes] + list(explicit)
    if everything:
        wanted += [
            r["code"] for r in archive.db.query("select code from municipalities order by code")
        ]
    if not wanted:
        raise ArchiveError("nothing to crawl: give --municipality, --start-url CODE=URL or --all")
    sites, seen = [], set()
    for code in wanted:
        if code in seen:
            continue
        seen.add(code)
        url = explicit.get(code) or archive.db["municipalities"].get(code)["website"]
        if not url:
            raise ArchiveError(f"{code}: no website known; give --start-url {code}=URL")
        sites.append(Site(code, url))
    return sites


def _open_run(archive: Archive, sites: list[Site], fresh: bool) -> tuple[int, set[str]]:
    args = json.dumps(sorted([s.municipality, s.start_url] for s in sites))
    db = archive.db
    last = db.execute(
        "select id, finished_at, args from crawl_runs order by id desc limit 1"
    ).fetchone()
    if last and last[1] is None and last[2] == args and not fresh:
        done = {
            r[0]
            for r in db.execute(
                "select municipality_code from crawl_sites where run_id = ? and finished_at is not null",
                [last[0]],
            )
        }
        log.info(
            "resuming crawl run %d: %d of %d sites already done", last[0], len(done), len(sites)
        )
        return last[0], done
    with archive.writing():
        run_id = db.execute(
            "insert into crawl_runs (started_at, args) values (?, ?)", [utc_iso(now()), args]
        ).lastrowid
    return run_id, set()


def scrapy_settings(overrides: dict[str, str] | None = None) -> Settings:
    settings = get_project_settings()
    if not settings.get("BOT_NAME") == "woo-archive":
        settings.setmodule("wooarchive.crawlers.settings", priority="project")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


@dataclass
class CrawlReport:
    run_id: int
    crawled: list[str]
    skipped: list[str]
    unfinished: list[str]
    notes: dict[str, list[str]] = field(default_factory=dict)  # per site: what cut or hurt it
    # finished sites of which not one response was archived (down, refused, a proxy that
    # refuses): the run did not do its job for them
    empty: list[str] = field(default_factory=list)
    error: str | None = None  # why the whole run stopped (the archive could not be written)


# Seconds between flushes of the archive's batch of writes during a crawl.
FLUSH_SECONDS = 0.5
# A crawl takes a second process (a core) for every this many sites (WOO_CRAWL_PROCESSES=0): a
# few sites leave the one crawl thread idle most of the time, waiting on their delays.
SITES_PER_PROCESS = 20


def processes_for(sites: int, wanted: int = 0) -> int:
    """How many processes crawl ``sites`` sites: ``wanted`` (WOO_CRAWL_PROCESSES) if given,
    else one per core as long as each has SITES_PER_PROCESS sites; never more than sites."""
    if wanted <= 0:
        # the cores this process may run on (a container or taskset may allow fewer than the
        # machine has, and os.cpu_count() counts the machine's)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
        wanted = min(cores or os.cpu_count() or 1, sites // SITES_PER_PROCESS)
    return max(1, min(wanted, sites))


def crawl(
    archive: Archive,
    sites: list[Site],
    *,
    overrides: dict[str, str] | None = None,
    fresh: bool = False,
) -> CrawlReport:
    """Crawl the sites (blocking); returns which finished, which were already done, which not.

    A crawl is CPU-bound on the thread that parses and archives every response, so the sites
    are shared out over processes (processes_for), each crawling its share into the same
    archive; a host that several processes reach keeps its politeness through the host gate
    (middlewares/host_gate.py)."""
    run_id, done = _open_run(archive, sites, fresh)
    todo = [s for s in sites if s.municipality not in done]
    report = CrawlReport(run_id, [], sorted(done), [])
    if not todo:
        _finish_run(archive, run_id)
        return report
    count = processes_for(len(todo), scrapy_settings(overrides).getint("WOO_CRAWL_PROCESSES"))
    if count == 1:
        part = _crawl_here(archive, run_id, todo, overrides)
    else:
        part = _crawl_in_processes(archive, run_id, todo, overrides, count)
    report.crawled, report.empty, report.error = part.crawled, part.empty, part.error
    report.notes = part.notes
    # unfinished: every site of this run not marked finished (cut off, never started, or its
    # finishing write failed)
    report.unfinished = [
        s.municipality
        for s in sites
        if s.municipality not in done and s.municipality not in report.crawled
    ]
    report.error = report.error or archive.failed
    if not report.unfinished and not report.error:
        _finish_run(archive, run_id)
    if not report.error:
        # what this run archived, signed: a later rewrite with a recomputed chain shows
        anchor.make(archive, f"crawl run {run_id}")
    return report


def _crawl_in_processes(
    archive: Archive, run_id: int, todo: list[Site], overrides: dict[str, str] | None, count: int
) -> CrawlReport:
    """Crawl ``todo`` in ``count`` processes (each its share of the sites, dealt in turn),
    with one host gate between them; their reports joined."""
    context = multiprocessing.get_context("spawn")  # a fresh reactor and archive per process
    gate = tempfile.NamedTemporaryFile(prefix="woo-host-gate-", suffix=".db", delete=False)
    gate.close()
    overrides = {**(overrides or {}), "WOO_HOST_GATE": gate.name}
    window = scrapy_settings(overrides).getint("WOO_CONCURRENT_SITES")
    if window:
        overrides["WOO_CONCURRENT_SITES"] = str(max(1, window // count))
    joined = CrawlReport(run_id, [], [], [])
    workers = []

    def forward(signum: int, _frame) -> None:
        """Ctrl-C or a SIGTERM stops every process gently, as it stops a crawl in one: each
        finishes what it has in flight and reports its sites unfinished."""
        for worker, _, _ in workers:
            with contextlib.suppress(ProcessLookupError, TypeError):
                os.kill(worker.pid, signum)

    previous = {
        number: signal.signal(number, forward) for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        for number in range(count):
            receive, send = context.Pipe(duplex=False)
            share = todo[number::count]
            worker = context.Process(
                target=_crawl_share,
                args=(archive.settings, run_id, share, overrides, send, os.getpid()),
                name=f"woo-crawl-{number + 1}",
            )
            worker.start()
            send.close()
            workers.append((worker, receive, share))
        for worker, receive, share in workers:
            try:
                part = receive.recv()
            except EOFError:  # the process died without a report (killed, out of memory)
                worker.join()
                part = CrawlReport(run_id, [], [], [])
                for site in share:  # unfinished, and the summary says why
                    part.notes[site.municipality] = [
                        f"its crawl process ended without a report (exit code {worker.exitcode})"
                    ]
            worker.join()
            joined.crawled += part.crawled
            joined.empty += part.empty
            joined.notes.update(part.notes)
            joined.error = joined.error or part.error
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        for worker, _, _ in workers:
            if worker.is_alive():
                worker.kill()
                worker.join()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(gate.name + suffix)
    return joined


def _crawl_share(
    config: WooSettings,
    run_id: int,
    share: list[Site],
    overrides: dict[str, str],
    report,
    parent: int,
) -> None:
    """One process of a crawl: its share of the sites, into the same archive; its report sent
    back to the parent. It is killed with the parent (a killed `woo crawl` leaves no crawler,
    as when it was one process), and hears Ctrl-C and SIGTERM from the parent only (its own
    process group), once."""
    os.setpgid(0, 0)
    with contextlib.suppress(OSError, AttributeError):  # not Linux: it ends with its sites
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before this process could ask to die with it
        return
    archive = Archive(config)
    report.send(_crawl_here(archive, run_id, share, overrides))
    report.close()


def _crawl_here(
    archive: Archive, run_id: int, sites: list[Site], overrides: dict[str, str] | None
) -> CrawlReport:
    """Crawl ``sites`` in this process: one Scrapy crawler for all of them (or a window)."""
    todo = deque(sites)
    report = CrawlReport(run_id, [], [], [])
    window = scrapy_settings(overrides).getint("WOO_CONCURRENT_SITES") or len(todo)
    overrides = dict(overrides or {})
    # the downloader holds every site's waiting request: room for two per site at once
    overrides.setdefault("CONCURRENT_REQUESTS", str(max(16, 2 * min(window, len(todo)))))
    settings = scrapy_settings(overrides)
    _offline_suffix_list()
    _bounded_headers()
    _quiet_unreachable()
    shared.use(archive)
    archive.start_batching()
    process = CrawlerProcess(settings)
    # Scrapy filters by level at its log handler only: every debug record ("Crawled (200)",
    # "Scraped from", twice a response) is made and handed to it first
    logging.getLogger().setLevel(settings.get("LOG_LEVEL") or "DEBUG")
    crawler = process.create_crawler(MunicipalSpider)

    def record_start(starting: list[Site]) -> bool:
        try:
            with archive.writing():
                archive.db.conn.executemany(
                    "insert or replace into crawl_sites (run_id, municipality_code, start_url, "
                    "started_at) values (?, ?, ?, ?)",
                    [(run_id, s.municipality, s.start_url, utc_iso(now())) for s in starting],
                )
            archive.flush()
        except ArchiveWriteError:
            return False
        return True

    def site_done(site: SiteCrawl) -> None:
        """A site has nothing pending: all it fetched is in the batch, and the commit that makes
        it durable also marks it finished."""
        notes = site.final_notes()
        if notes:
            report.notes[site.municipality] = notes
        try:
            with archive.writing():
                archive.db.execute(
                    "update crawl_sites set finished_at = ?, pages = ?, documents = ?, "
                    "errors = ?, notes = ?, moved_to = ? where run_id = ? and municipality_code = ?",
                    [
                        utc_iso(now()),
                        site.counts["responses"],
                        site.counts["documents"],
                        site.counts["fetch_errors"],
                        "; ".join(notes) or None,
                        site.moved_to,
                        run_id,
                        site.municipality,
                    ],
                )
            archive.flush()
        except ArchiveWriteError:
            stop_all()
            return
        report.crawled.append(site.municipality)
        if not site.counts["responses"]:
            report.empty.append(site.municipality)
        if todo and record_start([todo[0]]):
            nxt = todo.popleft()
            crawler.spider.add_site(
                nxt.municipality, nxt.start_url, _name(archive, nxt.municipality)
            )

    def stop_all() -> None:
        if report.error is None:
            report.error = archive.failed
            log.error("%s; stopping the crawl", archive.failed)
            process.stop()

    def tick() -> None:
        try:
            archive.flush()
        except ArchiveWriteError:
            pass
        if archive.failed:
            stop_all()

    netguard.resolve_ahead([s.start_url for s in todo])
    starting = [todo.popleft() for _ in range(min(window, len(todo)))]
    if record_start(starting):
        process.crawl(
            crawler,
            sites=[(s.municipality, s.start_url, _name(archive, s.municipality)) for s in starting],
            on_site_done=site_done,
        )
        flusher = task.LoopingCall(tick)
        flusher.start(FLUSH_SECONDS, now=False)
        process.start()
        if flusher.running:
            flusher.stop()
    spider = crawler.spider
    for site in sites:
        state = spider.sites.get(site.municipality) if spider else None
        if site.municipality not in report.crawled and state is not None and state.final_notes():
            report.notes[site.municipality] = state.final_notes()
    report.error = report.error or archive.failed
    return report


def _finish_run(archive: Archive, run_id: int) -> None:
    with archive.writing():
        archive.db.execute(
            "update crawl_runs set finished_at = ? where id = ?", [utc_iso(now()), run_id]
        )
    archive.flush()
