"""Reading on Celery against reading in the local pool, with the same number of processes.

The same scanned pages (one page per document, as a scanner makes them) are read twice in one
run: by `woo index` with its local reader pool of N processes, and by `woo index --broker` with
N `woo worker` processes (one task at a time each) on a Redis started here on 127.0.0.1. Prints
pages/s for both and the ratio Celery/local (aim: at least 0.9, the queue's overhead must be
small), then the overhead per task in ms, measured on tiny documents where reading costs nothing.
The two sides are interleaved A B B A (bench/rounds.py), every figure min / median / max.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis as redis_client

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_ocr import TEXT  # noqa: E402
from bench.rounds import abba, speed, spread  # noqa: E402
from tests.fixtures.documents import scanned_pdf  # noqa: E402
from tests.servers import start_redis  # noqa: E402
from wooarchive.archive.store import Archive  # noqa: E402
from wooarchive.config import settings  # noqa: E402
from wooarchive.indexer.run import index  # noqa: E402
from wooarchive.workers.remote import read_remote  # noqa: E402

PAGES = int(os.environ.get("BENCH_PAGES_OCR", "8"))
TINY = 60
JOBS = os.cpu_count() or 1
WOO = str(Path(sys.executable).with_name("woo"))


def archive_with(data: Path, files: list[Path]) -> Archive:
    archive = Archive(dataclasses.replace(settings(), data_dir=data))
    for path in files:
        archive.record_file(path)
    return archive


def run_local(data: Path, files: list[Path]) -> float:
    archive = archive_with(data, files)
    start = time.perf_counter()
    report = index(archive, workers=JOBS)
    assert report.documents == len(files), report
    return time.perf_counter() - start


def run_celery(data: Path, files: list[Path], broker: str, log: Path) -> float:
    # each run starts from an empty broker: a task of an earlier run still queued (restored
    # after its worker was stopped) would otherwise be read before the clock starts, and the
    # run would find its results waiting (one such run measured 178 pages/s)
    redis_client.Redis.from_url(broker).flushall()
    archive = archive_with(data, files)
    env = {**os.environ, "WOO_DATA": str(data)}
    workers = [
        subprocess.Popen(
            [WOO, "worker", "--broker", broker, "-c", "1", "-n", f"bench{n}@%h"],
            env=env,
            stdout=open(log.with_suffix(f".{n}.log"), "wb"),
            stderr=subprocess.STDOUT,
        )
        for n in range(JOBS)
    ]
    try:
        for n in range(JOBS):
            deadline = time.monotonic() + 30
            while b"ready." not in log.with_suffix(f".{n}.log").read_bytes():
                assert time.monotonic() < deadline, "worker did not start"
                time.sleep(0.1)
        start = time.perf_counter()
        report = index(archive, reader=lambda jobs: read_remote(jobs, archive.settings, broker))
        assert report.documents == len(files), report
        return time.perf_counter() - start
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        redis, broker = start_redis(root)
        try:
            scans = []
            for n in range(PAGES):
                path = root / f"scan-{n}.pdf"
                path.write_bytes(scanned_pdf([f"Kenmerk 2026-{n:04d}"] + TEXT * 3))
                scans.append(path)
            tiny = []
            for n in range(TINY):
                path = root / f"klein-{n}.html"
                path.write_text(f"<title>Notulen {n}</title><p>Vergadering {n}</p>")
                tiny.append(path)

            local, celery = abba(
                lambda n: run_local(root / f"local-{n}", scans),
                lambda n: run_celery(root / f"celery-{n}", scans, broker, root / f"ocr-{n}"),
            )
            local_tiny, celery_tiny = abba(
                lambda n: run_local(root / f"local-tiny-{n}", tiny),
                lambda n: run_celery(root / f"celery-tiny-{n}", tiny, broker, root / f"tiny-{n}"),
            )
        finally:
            redis.terminate()
            redis.wait(timeout=10)
    rate = lambda times: [PAGES / t for t in times]  # noqa: E731
    print(
        f"bench_workers: {PAGES} scanned pages, {JOBS} processes each way, {len(local)} runs each "
        "(A B B A; min / median / max)"
    )
    print(f"  local reader pool: {spread(rate(local))} pages/s")
    print(f"  Celery workers:    {spread(rate(celery))} pages/s")
    print(f"  ratio Celery/local: {spread(speed(local, celery))}")
    overhead = [(c - loc) / TINY * 1000 for loc, c in zip(local_tiny, celery_tiny, strict=True)]
    print(
        f"  overhead per task: {spread(overhead, '{:.1f}')} ms ({TINY} tiny documents: local "
        f"{spread(local_tiny)} s, Celery {spread(celery_tiny)} s)"
    )


if __name__ == "__main__":
    main()
