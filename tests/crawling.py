"""Running `woo crawl` against the fixture web from tests (a subprocess: Scrapy's reactor runs
once per process)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

from tests.fixtures.web.server import FixtureWeb

WOO = str(Path(sys.executable).with_name("woo"))
CONTACT = "onderzoek@example.org"
FAST = [
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_START_DELAY=0",
    "-s",
    "DOWNLOAD_TIMEOUT=1",
    "-s",
    "RETRY_TIMES=1",
    "-s",
    "DOWNLOAD_MAXSIZE=2000000",
    # no test asks the real national register (tests/test_algorithm_register.py has its own)
    "-s",
    "WOO_ALGORITHM_REGISTER=",
    # nor the real Woo-index (tests/test_woo_index.py has its own)
    "-s",
    "WOO_INDEX=",
]


def crawl_command(web: FixtureWeb, *extra: str) -> list[str]:
    starts = [f"--start-url={code}={url}" for code, url in web.start_urls().items()]
    # the fixture web's other ports (its publication platform) are the user's own choice
    allow = [f"--allow-internal={urlsplit(base).netloc}" for base in web.base.values()]
    return [WOO, "crawl", *starts, *FAST, *allow, *extra]


def crawl_env(data: Path) -> dict[str, str]:
    return {**os.environ, "WOO_DATA": str(data), "WOO_CONTACT": CONTACT}


def run_crawl(data: Path, web: FixtureWeb, *extra: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        crawl_command(web, *extra), env=crawl_env(data), capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    return result


def crawl_named(
    data: Path, web, *args: str, env: dict | None = None
) -> subprocess.CompletedProcess:
    """`woo crawl ARGS` through the test proxy of a web of named hosts
    (tests/fixtures/namedweb.py); ARGS come after FAST, so a `-s` among them wins."""
    return subprocess.run(
        [WOO, "crawl", *FAST, *args],
        env={**crawl_env(data), **web.env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=180,
    )


def index(data: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [WOO, "index", "--jobs", "1"],
        env=crawl_env(data),
        capture_output=True,
        text=True,
        timeout=300,
    )


def query(data: Path, sql: str, params=()) -> list[tuple]:
    with sqlite3.connect(data / "archive.db") as conn:
        return conn.execute(sql, params).fetchall()


def blob_count(data: Path) -> int:
    return len(list((data / "blobs" / "sha256").glob("*/*/*")))
