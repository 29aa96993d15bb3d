"""`woo index` killed with SIGKILL at random points: nothing left running, nothing lost or
doubled, a document's OCR never repeated once stored, and both search indexes agree with the
pages table afterwards. A killed `--rebuild` leaves the old index serving."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.documents import build as build_good
from tests.fixtures.documents import scanned_pdf, text_pdf
from tests.processes import WOO, marked_env, run_woo, survivors, wait_for_no_survivors
from wooarchive.archive.store import Archive
from wooarchive.config import settings

KILLS = 4
WORD = "gemeente"  # on every page of every document below


def counts(archive: Archive, env: dict[str, str]) -> tuple[int, int, int]:
    """(pages with WORD by SQL, by FTS5, by Whoosh)."""
    db = archive.db
    by_sql = db.execute(
        "select count(*) from pages where lower(text) like ?", [f"%{WORD}%"]
    ).fetchone()[0]
    by_fts = db.execute(
        "select count(*) from pages_fts where pages_fts match ?", [WORD]
    ).fetchone()[0]
    found = subprocess.run(
        [WOO, "search", WORD, "--json", "--limit", "1"], env=env, capture_output=True
    )
    return by_sql, by_fts, json.loads(found.stdout)["total"]


def kill_after(args: list[str], env: dict[str, str], delay: float) -> None:
    process = subprocess.Popen(
        [WOO, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def kill_amid(args: list[str], env: dict[str, str], archive: Archive, rng: random.Random) -> None:
    """Start `woo ARGS` and SIGKILL it while it works, however fast the machine: once it has
    stored one to three more documents, a random fraction of a second later (mid-read or
    mid-OCR). A kill after a fixed delay fell after the whole run on a fast machine."""

    def stored() -> int:
        return archive.db.execute("select count(*) from extractions").fetchone()[0]

    target = stored() + rng.randint(1, 3)
    process = subprocess.Popen(
        [WOO, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while process.poll() is None and stored() < target and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 0.3))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


@pytest.fixture
def archive_of_scans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Archive:
    data = tmp_path / "data"
    monkeypatch.setenv("WOO_DATA", str(data))
    archive = Archive(settings())
    files = tmp_path / "files"
    files.mkdir()
    for n in range(6):
        path = files / f"scan-{n}.pdf"
        path.write_bytes(
            scanned_pdf([f"Gemeente Zwolle besluit {n}", "Woo-verzoek cameratoezicht"])
        )
        archive.record_file(path, municipality_code="GM0193", kind="woo_decision")
    for n in range(20):
        path = files / f"tekst-{n}.pdf"
        path.write_bytes(text_pdf([f"Gemeente Den Helder notulen {n}", "privacyverklaring"]))
        archive.record_file(path, municipality_code="GM0400")
    for doc in build_good(files / "good"):
        archive.record_file(doc.path, municipality_code=doc.municipality, kind=doc.kind)
    return archive


def test_killed_runs_lose_nothing_double_nothing_and_leave_nothing(
    archive_of_scans: Archive, tmp_path: Path
) -> None:
    archive = archive_of_scans
    env, marker = marked_env(archive.settings.data_dir)
    rng = random.Random(20261123)
    stored_at: dict[str, str] = {}
    progress = []
    for _ in range(KILLS):
        kill_amid(["index", "--jobs", "2"], env, archive, rng)
        assert wait_for_no_survivors(marker) == [], "a reader or OCR process outlived the kill"
        for sha, extracted_at in archive.db.execute("select sha256, extracted_at from extractions"):
            # once stored, a document is never read (or OCR'd) again
            assert stored_at.setdefault(sha, extracted_at) == extracted_at
        progress.append(len(stored_at))
    # the kills fell while there was work left (else this test proves nothing)
    assert progress[0] < archive.db["documents"].count, progress
    code, output, _ = run_woo("index", "--jobs", "2", env=env)
    assert code == 0, output
    assert wait_for_no_survivors(marker) == []
    for sha, extracted_at in archive.db.execute("select sha256, extracted_at from extractions"):
        assert stored_at.setdefault(sha, extracted_at) == extracted_at
    assert archive.db["extractions"].count == archive.db["documents"].count
    per_document = archive.db.execute(
        "select count(*) from extractions e where e.pages != "
        "(select count(*) from pages p where p.sha256 = e.sha256)"
    ).fetchone()[0]
    assert per_document == 0
    assert archive.db["search_queue"].count == 0
    by_sql, by_fts, by_whoosh = counts(archive, env)
    # the scans, the text PDFs, the decision and the privacy statement
    assert by_sql == by_fts == by_whoosh == 26 + 2


def test_a_killed_rebuild_keeps_the_old_index_and_the_next_run_is_whole(
    archive_of_scans: Archive,
) -> None:
    archive = archive_of_scans
    env, marker = marked_env(archive.settings.data_dir)
    code, output, _ = run_woo("index", env=env)
    assert code == 0, output
    before = counts(archive, env)
    rng = random.Random(7)
    for _ in range(3):
        kill_after(["index", "--rebuild"], env, rng.uniform(0.3, 1.5))
        assert wait_for_no_survivors(marker) == []
        assert counts(archive, env) == before  # the live index was never half-built
    code, output, _ = run_woo("index", env=env)
    assert code == 0, output
    assert counts(archive, env) == before
    builds = list(archive.settings.data_dir.glob("whoosh.build-*"))
    assert len(builds) >= 1 and archive.settings.whoosh_dir.resolve() in builds


def test_whoosh_drift_is_found_and_repaired(archive_of_scans: Archive) -> None:
    """Pages stored but never given to Whoosh (as after a kill in an older version, or a
    restored archive.db): the next run notices and mends it."""
    archive = archive_of_scans
    env, _ = marked_env(archive.settings.data_dir)
    assert run_woo("index", env=env)[0] == 0
    from wooarchive.indexer import whoosh_index

    sha = archive.db.execute("select sha256 from pages limit 1").fetchone()[0]
    whoosh_index.replace_documents(archive.settings.whoosh_dir, [sha], [])
    code, output, _ = run_woo("index", env=env)
    assert code == 0 and "drift repaired" in output, output
    by_sql, by_fts, by_whoosh = counts(archive, env)
    assert by_sql == by_fts == by_whoosh


SLOW_BUILD = """
import sys, time
from pathlib import Path
from wooarchive.indexer import whoosh_index

def rows():
    n = 0
    while True:  # slow and endless: the build is killed while its sub-writers wait
        n += 1
        yield dict(sha256=f"{n:064x}", page=1, municipality_code="GM0363", kind="other",
                   title="t", text=f"persoonsgegevens {n}")
        time.sleep(0.01)

print("building", flush=True)
whoosh_index._write(whoosh_index.open_index(Path(sys.argv[1]), create=True), rows(), procs=2)
"""


def test_a_killed_parallel_whoosh_build_leaves_no_sub_writers(tmp_path: Path) -> None:
    env, marker = marked_env(tmp_path)
    build = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, str(tmp_path / "whoosh")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert build.stdout.readline() == b"building\n"
    deadline = time.monotonic() + 20
    while len(survivors(marker)) < 3 and time.monotonic() < deadline:  # parent + 2 sub-writers
        time.sleep(0.1)
    assert len(survivors(marker)) >= 3
    build.send_signal(signal.SIGKILL)  # the parent alone, as a user's kill does
    build.wait(timeout=30)
    assert wait_for_no_survivors(marker) == []
