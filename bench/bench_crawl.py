"""Crawl throughput: woo crawl against a bare Scrapy spider, same settings, same URLs, same run.

A synthetic municipal site on 127.0.0.1: a paginated Woo listing of 40 pages with 10 small
text PDFs each, plus privacy pages. First `woo crawl` runs (fresh archive, every response
archived and classified); the URLs it fetched are then fetched by a bare spider with the same
settings but none of our middlewares or pipelines. Each side's pages/s comes from Scrapy's own
elapsed_time_seconds. A first woo crawl finds the URLs; then the sides are interleaved A B B A
(bench/rounds.py), every figure min / median / max. The ratio woo/bare is the figure to watch
(aim: at least 0.8), beside the CPU each side spends per response (the two spiders schedule
differently, so pages/s alone can favour either).

The server answers with TCP_NODELAY: without it every keep-alive response waited about 42 ms
(Nagle's algorithm against the client's delayed ACK), which capped both sides near 45 pages/s
and hid the crawl's own cost.
"""

from __future__ import annotations

import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.rounds import abba, speed, spread  # noqa: E402
from tests.fixtures.documents import text_pdf  # noqa: E402

WOO = str(Path(sys.executable).with_name("woo"))
LISTING_PAGES, PER_PAGE = 40, 10
SETTINGS = [
    "DOWNLOAD_DELAY=0",
    "AUTOTHROTTLE_START_DELAY=0",
    "LOG_LEVEL=INFO",
    "WOO_MAX_PAGES=5000",
    "WOO_ALGORITHM_REGISTER=",
    "WOO_INDEX=",
]

BARE = r"""
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess
from wooarchive.crawlers.run import scrapy_settings
urls = json.load(open(sys.argv[1]))
overrides = dict(item.split("=", 1) for item in sys.argv[2:])
settings = scrapy_settings(overrides)
settings.set("DOWNLOADER_MIDDLEWARES", {}, priority="cmdline")
settings.set("ITEM_PIPELINES", {}, priority="cmdline")
class Bare(scrapy.Spider):
    name = "bare"
    async def start(self):
        for url in urls:
            yield scrapy.Request(url, meta={"download_slot": url.split("/")[2]})
    def parse(self, response):
        return None
process = CrawlerProcess(settings)
process.crawl(Bare)
process.start()
"""


def site() -> dict[str, tuple[bytes, str]]:
    pages: dict[str, tuple[bytes, str]] = {}

    def html(title: str, body: str) -> bytes:
        return f"<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>".encode()

    pages["/"] = (
        html(
            "Gemeente Bench",
            '<a href="/privacy">Privacyverklaring</a> <a href="/woo/besluiten">Woo-besluiten</a>',
        ),
        "text/html",
    )
    pages["/privacy"] = (
        html("Privacyverklaring", "<p>Wij verwerken persoonsgegevens.</p>"),
        "text/html",
    )
    for page in range(1, LISTING_PAGES + 1):
        links = "".join(
            f'<li><a href="/woo/besluit-{page}-{i}.pdf">Besluit {page}-{i}</a></li>'
            for i in range(PER_PAGE)
        )
        nxt = (
            f'<a rel="next" href="/woo/besluiten?pagina={page + 1}">Volgende</a>'
            if page < LISTING_PAGES
            else ""
        )
        path = "/woo/besluiten" if page == 1 else f"/woo/besluiten?pagina={page}"
        pages[path] = (html("Woo-besluiten", f"<ul>{links}</ul>{nxt}"), "text/html")
        for i in range(PER_PAGE):
            body = text_pdf(
                ["Gemeente Bench", f"Besluit op uw Woo-verzoek {page}-{i}", "x" * (i * 40)]
            )
            pages[f"/woo/besluit-{page}-{i}.pdf"] = (body, "application/pdf")
    return pages


def serve(pages: dict[str, tuple[bytes, str]]) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # see the module doc

        def do_GET(self) -> None:  # noqa: N802
            body, kind = pages.get(self.path, (b"not found", "text/plain"))
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rate(stderr: str) -> tuple[int, float]:
    responses = int(re.search(r"'response_received_count': (\d+)", stderr).group(1))
    elapsed = float(re.search(r"'elapsed_time_seconds': ([\d.]+)", stderr).group(1))
    return responses, elapsed


def children_cpu() -> float:
    """CPU seconds (user + system) of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


CPU: dict[str, list[float]] = {"woo": [], "bare": []}  # ms of CPU per response, per run


def woo_round(base: str, tmp: Path, n: int) -> tuple[float, list[str], int]:
    data = tmp / f"data{n}"
    env = {**os.environ, "WOO_DATA": str(data), "WOO_CONTACT": "bench@example.org"}
    args = [WOO, "crawl", f"--start-url=GM0400={base}/"] + [a for s in SETTINGS for a in ("-s", s)]
    before = children_cpu()
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=True)
    responses, elapsed = rate(result.stderr)
    CPU["woo"].append((children_cpu() - before) * 1000 / responses)
    with sqlite3.connect(data / "archive.db") as conn:
        urls = [
            r[0]
            for r in conn.execute(
                "select distinct url from captures where status = 200 and url not like '%robots.txt'"
            )
        ]
    return responses / elapsed, urls, responses


def bare_round(urls: list[str], tmp: Path) -> tuple[float, int]:
    listing = tmp / "urls.json"
    listing.write_text(json.dumps(urls))
    before = children_cpu()
    result = subprocess.run(
        [sys.executable, "-c", BARE, str(listing), *SETTINGS],
        capture_output=True,
        text=True,
        check=True,
    )
    responses, elapsed = rate(result.stderr)
    CPU["bare"].append((children_cpu() - before) * 1000 / responses)
    return responses / elapsed, responses


def main() -> None:
    pages = site()
    server = serve(pages)
    base = f"http://127.0.0.1:{server.server_port}"
    counts = {}
    with tempfile.TemporaryDirectory() as tmp:
        _, urls, _ = woo_round(base, Path(tmp), 0)  # finds the URLs the bare spider fetches

        def woo(n: int) -> float:
            rate, _, counts["woo"] = woo_round(base, Path(tmp), n + 1)
            return 1 / rate

        def bare(n: int) -> float:
            rate, counts["bare"] = bare_round(urls, Path(tmp))
            return 1 / rate

        woo_times, bare_times = abba(woo, bare)
    server.shutdown()
    rates = lambda times: [1 / t for t in times]  # noqa: E731
    print(
        f"crawl: synthetic site of {len(pages)} URLs ({LISTING_PAGES * PER_PAGE} PDFs), same "
        f"settings both sides, {len(woo_times)} runs each (A B B A; min / median / max)"
    )
    print(
        f"  bare Scrapy spider: {spread(rates(bare_times), '{:.1f}')} pages/s ({counts['bare']} responses)"
    )
    print(
        f"  woo crawl:          {spread(rates(woo_times), '{:.1f}')} pages/s ({counts['woo']} responses, all archived)"
    )
    print(f"  ratio woo/bare: {spread(speed(bare_times, woo_times))}")
    woo_cpu, bare_cpu = CPU["woo"][1:], CPU["bare"]  # the URL-finding run is not a round
    print(
        f"  CPU per response (process start included): woo {spread(woo_cpu, '{:.1f}')} ms, "
        f"bare {spread(bare_cpu, '{:.1f}')} ms; woo/bare {spread([w / b for w, b in zip(woo_cpu, bare_cpu, strict=True)])}"
    )


if __name__ == "__main__":
    main()
