"""One host's politeness across the processes of a crawl.

A crawl of many sites runs in several processes (crawlers/run.py), each with its share of the
municipalities and its own Scrapy downloader, whose per-host delays know nothing of the other
processes. Most hosts belong to one municipality and so to one process; but a supplier's
platform, a national register or the Woo-index serves many, and two processes asking it at once
would halve its Crawl-delay.

The gate is a small SQLite file shared by the run's processes (WOO_HOST_GATE names it; without
it the gate is off). Per host it records which process last used it, how many of that
process's requests are in flight, and from when the host may be asked again (the last answer
plus the host's delay). A host only ever used by one process is that process's own: its
requests pass at once and its downloader's delays apply as in a one-process crawl. Once a
second process asks for it, the host is shared: one request at a time, from any process, each
no sooner than the delay after the last answer, and a process waiting for it goes before the
one that had it. A process that died with a request in flight does not hold the host for
longer than STALE_SECONDS.

Each request passes the gate (`process_request`, awaited) before it reaches its download slot,
and gives the gate back when it leaves the downloader (the `request_left_downloader` signal,
sent whatever became of the request). A Crawl-delay one process learns from a host's robots.txt
is told to the gate (crawl_delay.py), so every process waits it.
"""

from __future__ import annotations

import os
import sqlite3
import time
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.task import deferLater

POLL_SECONDS = 0.05
STALE_SECONDS = 300.0
WAITER_SECONDS = 1.0  # a waiter's claim lapses when it has not asked again this long


class Gate:
    """The shared table (pure SQLite; the middleware below drives it)."""

    def __init__(self, path: str, me: int | None = None) -> None:
        self.me = me if me is not None else os.getpid()
        self.conn = sqlite3.connect(path, timeout=60, isolation_level=None)
        self.conn.execute("PRAGMA busy_timeout = 60000")
        # nothing to keep after the run; a journal file made and removed per request would
        # cost 2 ms each, WAL 0.03 ms
        self.conn.execute("PRAGMA journal_mode = WAL")
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.execute(
            "create table if not exists hosts (host text primary key, owner integer, "
            "inflight integer not null default 0, free_at real not null default 0, "
            "since real not null default 0, shared integer not null default 0, "
            "waiter integer, waiter_at real, delay real not null default 0, "
            "released_at real not null default 0)"
        )

    def try_acquire(self, host: str, now: float | None = None) -> float:
        """0 if this process may send its request to ``host`` now (counted as in flight),
        else how long to wait before asking again."""
        now = time.time() if now is None else now
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            row = conn.execute(
                "select owner, inflight, free_at, since, shared, waiter, waiter_at "
                "from hosts where host = ?",
                [host],
            ).fetchone()
            if row is None:
                conn.execute(
                    "insert into hosts (host, owner, inflight, since) values (?, ?, 1, ?)",
                    [host, self.me, now],
                )
                return 0.0
            owner, inflight, free_at, since, shared, waiter, waiter_at = row
            if owner == self.me and not shared:
                conn.execute(
                    "update hosts set inflight = inflight + 1, since = ? where host = ?",
                    [now, host],
                )
                return 0.0
            stale = inflight and now - since > STALE_SECONDS
            someone_waits = (
                waiter is not None and waiter != self.me and now - (waiter_at or 0) < WAITER_SECONDS
            )
            if (
                (not inflight or stale)
                and now >= free_at
                and not (owner == self.me and someone_waits)
            ):
                conn.execute(
                    "update hosts set owner = ?, inflight = 1, since = ?, shared = 1, "
                    "waiter = case when waiter = ? then null else waiter end where host = ?",
                    [self.me, now, self.me, host],
                )
                return 0.0
            conn.execute(
                "update hosts set shared = 1, waiter = ?, waiter_at = ? where host = ?",
                [self.me, now, host],
            )
            return max(free_at - now, POLL_SECONDS) if not inflight else POLL_SECONDS
        finally:
            conn.execute("COMMIT")

    def release(self, host: str, delay: float, now: float | None = None) -> None:
        """A request to ``host`` has left the downloader: the host may be asked again
        ``delay`` seconds from now."""
        now = time.time() if now is None else now
        self.conn.execute(
            "update hosts set inflight = max(inflight - 1, 0), released_at = ?, "
            "free_at = max(free_at, ? + max(?, delay)) where host = ? and owner = ?",
            [now, now, delay, host, self.me],
        )

    def learn(self, host: str, delay: float) -> None:
        """The host's robots.txt asks for ``delay`` seconds between requests (learnt by one
        process, after the answer that taught it was given back): every process waits it."""
        self.conn.execute(
            "update hosts set delay = max(delay, ?), free_at = max(free_at, released_at + ?) "
            "where host = ?",
            [delay, delay, host],
        )


class HostGateMiddleware:
    def __init__(self, crawler, path: str) -> None:
        self.crawler = crawler
        self.gate = Gate(path)
        crawler.woo_gate = self.gate  # the Crawl-delay middleware tells it what it learns
        crawler.signals.connect(self.left, signal=signals.request_left_downloader)

    @classmethod
    def from_crawler(cls, crawler):
        path = crawler.settings.get("WOO_HOST_GATE")
        if not path:
            raise NotConfigured("one crawl process: no gate between processes")
        return cls(crawler, path)

    async def process_request(self, request: Request, spider=None) -> None:
        from twisted.internet import reactor  # the one Scrapy installed

        host = urlsplit(request.url).netloc.lower()
        while True:
            wait = self.gate.try_acquire(host)
            if not wait:
                break
            await maybe_deferred_to_future(deferLater(reactor, wait, lambda: None))
        request.meta["woo_gate"] = host
        return None

    def left(self, request: Request, spider=None) -> None:
        host = request.meta.pop("woo_gate", None)
        if host is None:
            return
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        delay = slot.delay if slot is not None else self.crawler.settings.getfloat("DOWNLOAD_DELAY")
        self.gate.release(host, delay)
