"""A whole-country crawl against the politeness bound.

342 simulated municipal sites on loopback (bench/country_web.py: 30 URLs each, robots.txt with
`Crawl-delay: 1`), crawled with one `woo crawl` naming every site, as `make crawl` runs. No
crawl can be faster than its slowest site: that site's requests, one `Crawl-delay` apart. The
ratio of the crawl's wall time (process start to exit, archive writes included) to that bound
is the figure to watch (aim: at most 1.25 on 2 cores; the crawl shares its sites out over one
process per core). Also printed: the same-site gaps, which must never be shorter than the delay
however loaded the crawler is, and the CPU the crawl spends per response.

    BENCH_SITES=342 BENCH_DELAY=1 python bench/bench_country.py
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WOO = str(Path(sys.executable).with_name("woo"))
SITES = int(os.environ.get("BENCH_SITES", "342"))
DELAY = float(os.environ.get("BENCH_DELAY", "1"))


def codes(count: int) -> list[str]:
    with open(ROOT / "wooarchive" / "data" / "municipalities.csv", newline="") as f:
        return [row["code"] for row in csv.DictReader(f)][:count]


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-country-") as tmp:
        logfile = Path(tmp) / "log.json"
        server = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bench" / "country_web.py"),
                str(SITES),
                str(DELAY),
                str(logfile),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            bases = json.loads(server.stdout.readline())
            sites = codes(len(bases))
            args = [f"--start-url={code}={base}/" for code, base in zip(sites, bases, strict=True)]
            env = {
                **os.environ,
                "WOO_DATA": str(Path(tmp) / "data"),
                "WOO_CONTACT": "bench@example.org",
            }
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started_at = time.time()  # the server logs wall-clock times
            started = time.monotonic()
            # BENCH_PROFILE=FILE: the crawl runs under cProfile, its profile written to FILE
            profile = os.environ.get("BENCH_PROFILE")
            runner = [sys.executable, "-m", "cProfile", "-o", profile] if profile else []
            crawl = subprocess.run(
                [
                    *runner,
                    WOO,
                    "crawl",
                    *args,
                    "-s",
                    "LOG_LEVEL=WARNING",
                    "-s",
                    "WOO_ALGORITHM_REGISTER=",
                    "-s",
                    "WOO_INDEX=",
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            wall = time.monotonic() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        finally:
            server.terminate()
            server.wait(timeout=60)
        if crawl.returncode != 0:
            sys.exit(f"woo crawl failed: {crawl.stderr[-2000:]}")
        hits: dict[int, list[float]] = defaultdict(list)
        for port, _, when in json.loads(logfile.read_text()):
            hits[port].append(when)
        requests = max(len(times) for times in hits.values())
        bound = (requests - 1) * DELAY
        gaps = [
            b - a
            for times in hits.values()
            for a, b in zip(sorted(times), sorted(times)[1:], strict=False)
        ]
        short = sum(1 for g in gaps if g < DELAY * 0.95)
        first = min(when for times in hits.values() for when in times) - started_at
        last = max(when for times in hits.values() for when in times) - started_at
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(
        f"country: {len(hits)} sites, {sum(map(len, hits.values()))} requests, Crawl-delay {DELAY:g} s"
    )
    print(f"  politeness bound (slowest site: {requests} requests): {bound:6.1f} s")
    print(
        f"  woo crawl, whole run:                       {wall:6.1f} s  (CPU {cpu:.1f} s, "
        f"peak {after.ru_maxrss // 1024} MB)"
    )
    print(
        f"  same-site gaps under 0.95x the delay: {short} of {len(gaps)} (smallest {min(gaps):.3f} s, "
        f"mean {sum(gaps) / len(gaps):.3f} s)"
    )
    print(f"  first request {first:.1f} s after the start, last {last:.1f} s, exit {wall:.1f} s")
    total = sum(map(len, hits.values()))
    cores = os.cpu_count() or 1
    print(
        f"  CPU per response {cpu / total * 1000:.1f} ms; {total / wall:.0f} responses/s, "
        f"{total / wall / cores:.0f} per core ({cores} cores)"
    )
    print(f"  ratio crawl/bound: {wall / bound:.2f}")


if __name__ == "__main__":
    main()
