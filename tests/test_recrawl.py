"""A scheduled re-crawl: unchanged pages cost no new blob, a changed page becomes one new version
linked to the old one, and a crawl killed mid-way resumes to the same documents."""

from __future__ import annotations

import resource
import signal
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crawling import WOO, blob_count, crawl_command, crawl_env, query, run_crawl
from tests.fixtures.web.server import FixtureWeb
from tests.fixtures.web.sites import PRIVACY_TEXT, html
from wooarchive.archive.store import Archive, ArchiveWriteError
from wooarchive.config import Settings

PRIVACY_PATH = "/over-de-gemeente/privacy"


@dataclass
class Recrawl:
    data: Path
    url: str
    blobs: list[int]  # after crawl 1, 2 (unchanged), 3 (one page changed)
    versions: list[int]
    second_crawl_hits: list
    second_started: str


@pytest.fixture(scope="module")
def recrawl(tmp_path_factory) -> Recrawl:
    web = FixtureWeb()
    data = tmp_path_factory.mktemp("recrawl") / "data"
    url = web.base["denhelder"] + PRIVACY_PATH
    blobs, versions = [], []
    try:
        for step in range(3):
            if step == 2:
                web.set_page(
                    "denhelder",
                    PRIVACY_PATH,
                    html(
                        "Privacyverklaring gemeente Den Helder",
                        PRIVACY_TEXT + "<p>Gewijzigd per 1 december 2026.</p>",
                    ),
                )
            start = len(web.log)
            started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            run_crawl(data, web, "--fresh")
            if step == 1:
                hits, second_started = web.log[start:], started
            blobs.append(blob_count(data))
            versions.append(query(data, "select count(*) from url_versions")[0][0])
    finally:
        web.close()
    return Recrawl(data, url, blobs, versions, hits, second_started)


def test_a_second_crawl_of_an_unchanged_web_writes_no_new_blob(recrawl: Recrawl) -> None:
    assert recrawl.blobs[1] == recrawl.blobs[0]
    assert recrawl.versions[1] == recrawl.versions[0]


def test_the_second_crawl_asks_conditionally_and_records_304_as_still_there(
    recrawl: Recrawl,
) -> None:
    conditional = [hit for hit in recrawl.second_crawl_hits if "If-None-Match" in hit.headers]
    assert len(conditional) >= 10
    revisits = query(
        recrawl.data, "select count(*) from captures where status = 304 and revisit_of is not null"
    )
    assert revisits[0][0] >= 10
    [(last_seen,)] = query(
        recrawl.data,
        "select d.last_seen from documents d join url_versions v on v.sha256 = d.sha256 where v.url = ? order by v.id limit 1",
        [recrawl.url],
    )
    assert last_seen >= recrawl.second_started


def test_a_changed_page_becomes_exactly_one_new_version_linked_to_the_old(recrawl: Recrawl) -> None:
    assert recrawl.blobs[2] == recrawl.blobs[1] + 1
    assert recrawl.versions[2] == recrawl.versions[1] + 1
    rows = query(
        recrawl.data,
        "select sha256, previous_sha256 from url_versions where url = ? order by id",
        [recrawl.url],
    )
    assert len(rows) == 2
    (old, none), (new, previous) = rows
    assert none is None and previous == old and new != old


def documents(data: Path) -> set[tuple[str, str, str]]:
    return set(query(data, "select sha256, kind, municipality_code from documents"))


def test_a_killed_crawl_resumes_to_the_same_documents(tmp_path: Path) -> None:
    web = FixtureWeb()
    try:
        reference = tmp_path / "reference"
        run_crawl(reference, web)
        data = tmp_path / "killed"
        slow = ["-s", "WOO_CONCURRENT_SITES=1", "-s", "DOWNLOAD_DELAY=0.1"]
        proc = subprocess.Popen(
            crawl_command(web, *slow),
            env=crawl_env(data),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        captured = 0
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.2)
            if (data / "archive.db").exists():
                try:
                    captured = query(
                        data, "select count(*) from crawl_sites where finished_at is not null"
                    )[0][0]
                except Exception:
                    continue
                if captured >= 1:
                    break
        assert proc.poll() is None, "the crawl ended before it could be killed"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        unfinished = query(data, "select count(*) from crawl_runs where finished_at is null")[0][0]
        assert unfinished == 1
        partial = documents(data)
        resumed = run_crawl(data, web, *slow)
        assert "already done" in resumed.stdout and " 0 already done" not in resumed.stdout
        # a document stored just before the kill may not have its kind yet (the item that gives
        # it was not processed): the resumed crawl gives it; what was stored is kept
        stored = {(sha256, code) for sha256, _, code in partial}
        assert stored < {(sha256, code) for sha256, _, code in documents(data)}
        assert documents(data) == documents(reference)
        check = subprocess.run([WOO, "verify"], env=crawl_env(data), capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
    finally:
        web.close()


def _file_size_limit(limit: int):
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_crawl_that_cannot_write_stops_unfinished_and_resumes_to_the_same_documents(
    tmp_path: Path,
) -> None:
    """A full disk, made real by the kernel: with RLIMIT_FSIZE every write past the limit fails
    (EFBIG, as ENOSPC would) in whichever file reaches it first: the WARC file, the database's
    log, a blob."""
    web = FixtureWeb()
    try:
        reference = tmp_path / "reference"
        run_crawl(reference, web)
        warc_size = sum(p.stat().st_size for p in (reference / "warc").iterdir())
        data = tmp_path / "full"
        # the archive exists before the disk fills (its database is larger than the limit, and
        # so is every offset SQLite writes to in it: a checkpoint fails as well)
        subprocess.run([WOO, "verify"], env=crawl_env(data), capture_output=True, check=True)
        full = subprocess.run(
            crawl_command(web),
            env=crawl_env(data),
            capture_output=True,
            text=True,
            timeout=180,
            preexec_fn=_file_size_limit(warc_size // 2),
        )
        assert full.returncode == 1, full.stdout + full.stderr[-3000:]
        error = full.stderr.strip().splitlines()[-1]
        assert error.startswith("Error: cannot write to the archive in "), error
        # EFBIG as the WARC or blob write sees it, or as SQLite reports it
        assert any(w in error for w in ("File too large", "SQLITE_IOERR", "SQLITE_FULL")), error
        assert "Traceback" not in full.stderr
        assert query(data, "select count(*) from crawl_sites where finished_at is null")[0][0] >= 1
        # what was committed is whole: the archive verifies, and the WARC file reads to its end
        check = subprocess.run([WOO, "verify"], env=crawl_env(data), capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        resumed = run_crawl(data, web)
        assert "already done" in resumed.stdout
        assert documents(data) == documents(reference)
        check = subprocess.run([WOO, "verify"], env=crawl_env(data), capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    finally:
        web.close()


def test_a_write_error_that_sqlite_answered_by_rolling_back_is_the_error_told(
    tmp_path: Path,
) -> None:
    """On a full disk SQLite may roll the whole batch back by itself; the capture's savepoint
    is then gone, and undoing it failed with "no such savepoint", which hid the disk error
    from the user (a CI run said exactly that)."""
    archive = Archive(Settings(data_dir=tmp_path / "data", base_url="http://x", contact="t"))
    archive.start_batching()
    with pytest.raises(ArchiveWriteError) as raised:
        with archive.writing():
            archive.db.execute("ROLLBACK")  # what SQLite does on SQLITE_FULL in a transaction
            raise sqlite3.OperationalError("database or disk is full")
    assert "database or disk is full" in str(raised.value)
    assert "savepoint" not in str(raised.value)
    assert archive.failed and "disk is full" in archive.failed
