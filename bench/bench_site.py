"""Search latency through HTTP on a generated corpus of 100,000 pages (BENCH_PAGES).

Builds an archive.db with the pages (FTS5) and a Whoosh index from the same generated corpus
as bench_index.py, starts `woo serve` on 127.0.0.1 and times, over HTTP: Datasette's FTS5
search (/archive/pages.json?_search=...), the Whoosh search page (/-/search?q=...), and as the
baseline a page that does no search (/-/versions.json). Prints p50/p95 in ms and the ratio of
each search's p95 to the baseline's (aim: p95 under 100 ms).
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_index import PAGES, QUERIES, pages  # noqa: E402

from wooarchive.archive.store import Archive  # noqa: E402
from wooarchive.config import Settings  # noqa: E402
from wooarchive.indexer import whoosh_index  # noqa: E402

WOO = str(Path(sys.executable).with_name("woo"))


def build(data: Path) -> None:
    archive = Archive(Settings(data_dir=data, base_url="http://127.0.0.1", contact="bench"))
    corpus = pages(PAGES)
    with archive.db.conn:
        archive.db.conn.executemany(
            "insert or ignore into documents (sha256, kind, title, municipality_code, first_seen, last_seen, mime) "
            "values (?, 'other', ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 'text/html')",
            [(p["sha256"], p["title"], "GM0363") for p in corpus if p["page"] == 1],
        )
        archive.db.conn.executemany(
            "insert into pages (sha256, page, method, quality, text, municipality_code, kind) "
            "values (:sha256, :page, 'text', 1.0, :text, 'GM0363', 'other')",
            corpus,
        )
    whoosh_index.rebuild(
        archive.settings.whoosh_dir, [{**p, "municipality_code": "GM0363"} for p in corpus]
    )


def timed(client: httpx.Client, paths: list[str]) -> tuple[float, float]:
    samples = []
    for path in paths:
        start = time.perf_counter()
        response = client.get(path)
        samples.append(time.perf_counter() - start)
        assert response.status_code == 200, (path, response.status_code)
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
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
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                for _ in range(100):
                    try:
                        client.get("/-/versions.json")
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                client.get("/-/search?q=gemeente")  # opens the Whoosh index once
                queries = QUERIES * 5
                base = timed(client, ["/-/versions.json"] * len(queries))
                fts = timed(client, [f"/archive/pages.json?_search={q}&_size=20" for q in queries])
                whoosh = timed(client, [f"/-/search?q={q}" for q in queries])
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"site search over HTTP: {PAGES} pages, {len(queries)} queries each")
    print(f"  baseline /-/versions.json: p50 {base[0]:6.1f} ms  p95 {base[1]:6.1f} ms")
    print(
        f"  Datasette FTS5 search:     p50 {fts[0]:6.1f} ms  p95 {fts[1]:6.1f} ms  p95 ratio {fts[1] / base[1]:.1f}"
    )
    print(
        f"  Whoosh search page:        p50 {whoosh[0]:6.1f} ms  p95 {whoosh[1]:6.1f} ms  p95 ratio {whoosh[1] / base[1]:.1f}"
    )


if __name__ == "__main__":
    main()
