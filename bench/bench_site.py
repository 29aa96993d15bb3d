"""Search latency through HTTP on a generated corpus of 100,000 pages (BENCH_PAGES), quiet and
under a flood of requests for missing pages.

Builds an archive.db with the pages (FTS5, in one transaction) and a Whoosh index from the same
generated corpus as bench_index.py, starts `woo serve` on 127.0.0.1 and times, over HTTP, on a
mix of queries (mid-frequency terms, common words, rare words, two words, a phrase): Datasette's
FTS5 search as JSON (/archive/pages.json?_search=...) and as the HTML table a visitor sees, the
Whoosh search page (/-/search?q=...), and as the baseline a page that does no search
(/-/versions.json). The aim at BENCH_PAGES=1000000: p95 under 50 ms for both searches. Then
the same searches again while four threads ask for missing and malformed pages at
BENCH_FLOOD_RATE requests a second in all (100: a busy bot), and again while they ask as often
for the cheapest real page (/-/versions.json). On a small machine any flood takes CPU from the
searches; what matters is that a 404 costs no more than the cheapest page (it once cost a second
and a traceback), so the ratio of the two flooded p95s should be about 1, and every flood answer
must be a 4xx. Prints p50/p95/p99 in ms, each search's p95 against the baseline's, the flooded
p95s against the quiet one and against each other, and what a 404 costs.

Building a million pages takes most of an hour (the Whoosh index, in pure Python): with
BENCH_DATA=DIR the built data is kept in DIR/site-PAGES and reused by the next run.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_index import PAGES, QUERIES, pages, vocabulary  # noqa: E402

from wooarchive.archive.db import transaction  # noqa: E402
from wooarchive.archive.store import Archive  # noqa: E402
from wooarchive.config import Settings  # noqa: E402
from wooarchive.indexer import whoosh_index  # noqa: E402
from wooarchive.indexer.run import PAGE_COLUMNS, insert_pages  # noqa: E402

WOO = str(Path(sys.executable).with_name("woo"))


def build(data: Path) -> None:
    """The archive and Whoosh index of the generated corpus; the file ``built`` says it is
    whole (a build that was killed is made again)."""
    marker = data / "built"
    if marker.exists():
        return
    if data.exists():
        shutil.rmtree(data)
    archive = Archive(Settings(data_dir=data, base_url="http://127.0.0.1", contact="bench"))
    corpus = pages(PAGES)
    with transaction(archive.db.conn):  # `with conn:` alone would commit every row
        archive.db.conn.executemany(
            "insert or ignore into documents (sha256, kind, title, municipality_code, first_seen, last_seen, mime) "
            "values (?, 'other', ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'text/html')",
            [(p["sha256"], p["title"], "GM0363") for p in corpus if p["page"] == 1],
        )
        insert_pages(
            archive.db.conn,
            [
                (p["sha256"], p["page"], "text", 1.0, p["text"], "GM0363", "other")
                + (None,) * (len(PAGE_COLUMNS) - 7)  # the measured columns: none
                for p in corpus
            ],
        )
    archive.db.conn.close()
    for row in corpus:
        row["municipality_code"] = "GM0363"
    whoosh_index.rebuild(archive.settings.whoosh_dir, corpus)
    marker.write_text(f"{PAGES} pages\n")


FLOOD_THREADS = 4
FLOOD_RATE = float(os.environ.get("BENCH_FLOOD_RATE", "100"))  # requests a second, all threads
FLOOD_PATHS = [
    "/robots.txt.bak",
    "/wp-login.php",
    "/warc/x.warc.gz",
    "/archive/nope",
    "/a/b/c/d/e",
    "/archive/pages?_sort=bogus",
    "/archive/pages?_where=1=",
    "/-/document/" + "f" * 64,
    "/-/scorecard/GM9999",
]


def query_mix() -> list[str]:
    """The benchmark's searches: the domain terms (mid-frequency), and what visitors also type:
    common words, rare words, two words, a phrase."""
    words, _ = vocabulary()
    content = [w for w in words[30:] if len(w) > 4]
    common = content[:3]  # among the commonest content words of the corpus
    rare = content[-3:]
    return [
        *QUERIES,
        *common,
        *rare,
        f"{common[0]} {QUERIES[0]}",
        f'"{QUERIES[3]}"',
    ]


def flood(
    base_url: str, paths: list[str], stop: threading.Event, answers: list[tuple[int, float]]
) -> None:
    interval = FLOOD_THREADS / FLOOD_RATE
    with httpx.Client(base_url=base_url, timeout=30) as client:
        n, due = 0, time.perf_counter()
        while not stop.is_set():
            start = time.perf_counter()
            status = client.get(paths[n % len(paths)]).status_code
            answers.append((status, time.perf_counter() - start))
            n += 1
            due += interval
            time.sleep(max(0.0, due - time.perf_counter()))


def timed(client: httpx.Client, paths: list[str]) -> tuple[float, float, float]:
    samples = []
    for path in paths:
        start = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    ordered = sorted(samples)
    return (
        statistics.median(ordered) * 1000,
        ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000,
        ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000,
    )


def flooded(base_url, paths, answers, client, *searches):
    """The searches timed while FLOOD_THREADS threads ask for ``paths`` at FLOOD_RATE."""
    stop = threading.Event()
    threads = [
        threading.Thread(target=flood, args=(base_url, paths, stop, answers))
        for _ in range(FLOOD_THREADS)
    ]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        return [timed(client, search) for search in searches]
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)


def line(name: str, timing: tuple[float, float, float], base: float, extra: str = "") -> str:
    p50, p95, p99 = timing
    return (
        f"  {name:<28} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  "
        f"p95 ratio {p95 / base:.1f}{extra}"
    )


def main() -> None:
    queries = query_mix() * 4
    kept = os.environ.get("BENCH_DATA")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(kept) / f"site-{PAGES}" if kept else Path(tmp) / "data"
        build(data)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        env = {**os.environ, "WOO_DATA": str(data)}
        server = subprocess.Popen(
            [WOO, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base_url, timeout=30) as client:
                for _ in range(100):
                    try:
                        client.get("/-/versions.json")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                client.get("/-/search?q=gemeente")  # opens the Whoosh index once
                base = timed(client, ["/-/versions.json"] * len(queries))
                fts_paths = [f"/archive/pages.json?_search={q}&_size=20" for q in queries]
                whoosh_paths = [f"/-/search?q={q}" for q in queries]
                html_paths = [f"/archive/pages?_search={q}&_size=20" for q in queries]
                fts = timed(client, fts_paths)
                fts_html = timed(client, html_paths)
                whoosh = timed(client, whoosh_paths)
                answers: list[tuple[int, float]] = []
                fts_flooded, whoosh_flooded = flooded(
                    base_url, FLOOD_PATHS, answers, client, fts_paths, whoosh_paths
                )
                cheap: list[tuple[int, float]] = []
                fts_busy, whoosh_busy = flooded(
                    base_url, ["/-/versions.json"], cheap, client, fts_paths, whoosh_paths
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    wrong = [status for status, _ in answers if not 400 <= status < 500]
    answer_ms = statistics.median(seconds for _, seconds in answers) * 1000
    cheap_ms = statistics.median(seconds for _, seconds in cheap) * 1000
    print(f"site search over HTTP: {PAGES} pages, {len(queries)} queries each")
    print(
        f"  {'baseline /-/versions.json':<28} p50 {base[0]:6.1f} ms  p95 {base[1]:6.1f} ms  p99 {base[2]:6.1f} ms"
    )
    print(line("Datasette FTS5 search", fts, base[1]))
    print(line("Datasette FTS5 search (HTML)", fts_html, base[1]))
    print(line("Whoosh search page", whoosh, base[1]))
    print(
        f"under a flood of {len(answers)} requests for missing and malformed pages "
        f"({FLOOD_RATE:.0f} a second from {FLOOD_THREADS} threads; median answer "
        f"{answer_ms:.1f} ms; {len(wrong)} answered other than 4xx):"
    )
    for name, busy, quiet, cheap_p95 in (
        ("Datasette FTS5 search", fts_flooded, fts, fts_busy[1]),
        ("Whoosh search page", whoosh_flooded, whoosh, whoosh_busy[1]),
    ):
        extra = (
            f"  flooded/quiet p95 {busy[1] / quiet[1]:.2f}"
            f"  404-flood/cheap-page-flood p95 {busy[1] / cheap_p95:.2f}"
        )
        print(line(name, busy, base[1], extra))
    print(
        f"the same rate of the cheapest page (/-/versions.json, median answer {cheap_ms:.1f} ms) "
        f"gave p95 {fts_busy[1]:.1f} ms (FTS5) and {whoosh_busy[1]:.1f} ms (Whoosh)"
    )
    if wrong:
        sys.exit(f"flood answers other than 4xx: {sorted(set(wrong))}")


if __name__ == "__main__":
    main()
