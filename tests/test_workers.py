"""Reading on Celery workers: real Redis and real `woo worker` processes on 127.0.0.1. The
distributed path gives the same archive as the local one; a worker or the coordinator killed in
the middle loses nothing and reads nothing twice; bad configurations are one line."""

from __future__ import annotations

import dataclasses
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures import hostile
from tests.fixtures.documents import build, scanned_pdf
from tests.processes import WOO, marked_env, run_woo, wait_for_no_survivors
from tests.servers import free_port, start_redis
from wooarchive.archive.store import Archive
from wooarchive.config import settings

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is installed by make install"
)


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[str]:
    server, url = start_redis(tmp_path)
    yield url
    server.terminate()
    server.wait(timeout=10)


class Worker:
    """`woo worker` as a user starts it, in a session of its own so it can be killed whole."""

    def __init__(self, data: Path, broker: str, name: str, log: Path, **env: str):
        self.env, self.marker = marked_env(data, **env)
        self.log = log
        self.process = subprocess.Popen(
            [WOO, "worker", "--broker", broker, "-c", "1", "-n", f"{name}@%h"],
            env=self.env,
            stdout=open(log, "wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while b"ready." not in log.read_bytes():
            assert self.process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "worker not ready in 30 s"
            time.sleep(0.1)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def documents_read(self) -> list[str]:
        return [
            line.split("]: ", 1)[1].split()[0]
            for line in self.log.read_text(errors="replace").splitlines()
            if "woo.read[" in line and "]: " in line
        ]


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list]:
    started: list[Worker] = []
    yield started
    for worker in started:
        worker.stop()


def files_of(files: Path, scans: int = 2, with_hostile: bool = True) -> list[tuple]:
    """Documents to archive, made once: (path, municipality, kind)."""
    entries = [(d.path, d.municipality, d.kind) for d in build(files / "good")]
    for n in range(scans):
        path = files / f"scan-{n}.pdf"
        path.write_bytes(
            scanned_pdf([f"Gemeente Zwolle besluit {n}", "Woo-verzoek cameratoezicht"])
        )
        entries.append((path, "GM0193", None))
    if with_hostile:
        hostile.zip_bomb_docx(files / "bom.docx", size=16 << 20)
        (files / "kapot.pdf").write_bytes(hostile.cyclic_page_tree_pdf())
        entries += [(files / "bom.docx", None, None), (files / "kapot.pdf", None, None)]
    return entries


def archive_of(data: Path, entries: list[tuple]) -> Archive:
    archive = Archive(dataclasses.replace(settings(), data_dir=data.resolve()))
    for path, code, kind in entries:
        archive.record_file(path, municipality_code=code, kind=kind)
    return archive


def pages_of(archive: Archive) -> set[tuple]:
    return set(
        archive.db.execute(
            "select p.sha256, p.page, p.method, p.text, e.status from pages p "
            "join extractions e on e.sha256 = p.sha256"
        ).fetchall()
    ) | set(archive.db.execute("select sha256, status, errors from extractions").fetchall())


def test_the_distributed_path_gives_the_same_archive_as_the_local_one(
    broker: str, workers: list, tmp_path: Path, monkeypatch
) -> None:
    entries = files_of(tmp_path / "files")
    local = archive_of(tmp_path / "local", entries)
    env, _ = marked_env(tmp_path / "local")
    assert run_woo("index", env=env)[0] == 0
    remote = archive_of(tmp_path / "remote", entries)
    for name in ("a", "b"):
        workers.append(Worker(tmp_path / "remote", broker, name, tmp_path / f"{name}.log"))
    env, _ = marked_env(tmp_path / "remote")
    code, output, _ = run_woo("index", "--broker", broker, env=env, timeout=300)
    assert code == 0, output
    assert pages_of(remote) == pages_of(local)
    statuses = dict(remote.db.execute("select status, count(*) from extractions group by status"))
    assert statuses == {"ok": 5, "limit": 1, "unreadable": 1}  # the bomb and the loop did not block
    assert sorted(workers[0].documents_read() + workers[1].documents_read()) == sorted(
        r[0] for r in remote.db.execute("select sha256 from extractions")
    )  # each document read once, by one of the two
    assert (tmp_path / "remote" / "derived").is_dir()  # searchable PDFs on the shared storage


def test_a_worker_killed_during_ocr_loses_nothing(
    broker: str, workers: list, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    archive = archive_of(data, files_of(tmp_path / "files", scans=4, with_hostile=False))
    fast = {"WOO_BROKER_VISIBILITY_TIMEOUT": "4"}
    doomed = Worker(data, broker, "doomed", tmp_path / "doomed.log", **fast)
    env, _ = marked_env(data, **fast)
    coordinator = subprocess.Popen(
        [WOO, "index", "--broker", broker],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60  # until the doomed worker has taken a document
    while "woo.read[" not in doomed.log.read_text(errors="replace"):
        assert time.monotonic() < deadline, "the worker took no document"
        time.sleep(0.05)
    time.sleep(0.5)  # and is busy with it (a scan: OCR)
    doomed.kill()
    assert wait_for_no_survivors(doomed.marker) == [], "the dead worker's readers live on"
    workers.append(Worker(data, broker, "rescuer", tmp_path / "rescuer.log", **fast))
    output, _ = coordinator.communicate(timeout=180)
    assert coordinator.returncode == 0, output
    rows = archive.db.execute("select status, count(*) from extractions group by status").fetchall()
    assert dict(rows) == {"ok": 7}, output.decode()
    assert archive.db["extractions"].count == archive.db["documents"].count


def test_a_coordinator_killed_and_restarted_sends_only_what_is_missing(
    broker: str, workers: list, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    archive = archive_of(data, files_of(tmp_path / "files", scans=4, with_hostile=False))
    workers.append(Worker(data, broker, "w", tmp_path / "w.log"))
    env, _ = marked_env(data)
    first = subprocess.Popen(
        [WOO, "index", "--broker", broker],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while archive.db["extractions"].count < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    stored = archive.db["extractions"].count
    assert 0 < stored < archive.db["documents"].count
    code, output, _ = run_woo("index", "--broker", broker, env=env, timeout=180)
    assert code == 0, output
    assert archive.db["extractions"].count == archive.db["documents"].count == 7
    read = workers[0].documents_read()
    assert sorted(read) == sorted(set(read)), "a document was sent twice"


def test_a_missing_blob_on_a_worker_and_a_worker_of_another_version_are_named(
    broker: str, workers: list, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    archive = archive_of(data, files_of(tmp_path / "files", scans=0, with_hostile=False))
    elsewhere = tmp_path / "not-shared"  # a worker whose storage is not the coordinator's
    workers.append(Worker(elsewhere, broker, "alone", tmp_path / "alone.log"))
    env, _ = marked_env(data)
    code, output, _ = run_woo("index", "--broker", broker, env=env, timeout=120)
    assert code == 0, output
    assert output.count("storage (is the data directory shared?); tried again next run") == 3
    assert archive.db["extractions"].count == 0  # nothing stored from where nothing was read

    from wooarchive.workers.app import make_app

    result = (
        make_app(broker)
        .send_task(
            "woo.read",
            args=[
                {"sha256": "0" * 64, "mime": None, "tool": "woo-archive indexer 0", "limits": {}}
            ],
        )
        .get(timeout=30)
    )
    assert "runs woo-archive indexer 2, the coordinator woo-archive indexer 0" in result["refused"]


def test_an_unreachable_broker_is_one_line(tmp_path: Path) -> None:
    archive_of(tmp_path / "data", files_of(tmp_path / "files", scans=0, with_hostile=False))
    env, _ = marked_env(tmp_path / "data")
    closed = f"redis://127.0.0.1:{free_port()}/0"
    code, output, _ = run_woo("index", "--broker", closed, env=env, timeout=60)
    assert code == 1 and "Traceback" not in output
    assert f"Error: broker {closed}: unreachable" in output.strip().splitlines()[-1]
    code, output, _ = run_woo("worker", "--broker", closed, env=env, timeout=60)
    assert code == 1 and f"broker {closed}: unreachable" in output
