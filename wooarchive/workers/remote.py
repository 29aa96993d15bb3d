"""The coordinator's side: send each document to read as a task, collect the results, verify
them, and hand them to `woo index` (the only writer) exactly as the local readers would.

Idempotent by document and tool version: a task's id is made of the document's SHA-256 and the
indexer's version, and a marker in Redis says it was sent. A coordinator killed and started
again sends only what was never sent, and picks up the results that arrived meanwhile.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from celery import states

from wooarchive.config import Settings
from wooarchive.indexer.extract import Extraction, ReadJob, Skipped
from wooarchive.indexer.run import TOOL
from wooarchive.workers.app import make_app
from wooarchive.workers.tasks import LIMIT_FIELDS

WINDOW = 256  # tasks in the queue at once: enough to keep many workers busy, bounded in Redis
KEEP = 7 * 24 * 3600
RESTORE_EVERY = 5.0  # seconds between looks for tasks whose worker died


def _restore_orphans(app) -> None:
    """Put back in the queue the tasks taken by a worker that died (unacknowledged for longer
    than the visibility timeout). Workers do this themselves, but only every ~100 s; the
    coordinator is waiting anyway, so it looks more often."""
    with app.connection_for_write() as connection:
        connection.default_channel.qos.restore_visible(num=WINDOW, interval=1)


class BrokerError(Exception):
    """The broker cannot be reached; the message names it."""


def task_id(sha256: str) -> str:
    return f"woo-read-{sha256}-{TOOL.replace(' ', '-')}"


def _payload(job: ReadJob) -> dict:
    return {
        "sha256": job.sha256,
        "mime": job.mime,
        "tool": TOOL,
        "limits": {k: getattr(job.config, k) for k in LIMIT_FIELDS},
        "kind": job.kind,
        "redaction": job.redaction,
    }


def _outcome(job: ReadJob, meta: dict) -> Extraction | Skipped:
    """A verified extraction, or why the result is not stored."""
    if meta.get("status") != states.SUCCESS:
        return Skipped(job.sha256, f"task failed on a worker ({meta.get('result')})")
    result = meta["result"] or {}
    worker = result.get("worker", "?")
    if result.get("refused") or result.get("missing"):
        return Skipped(job.sha256, result.get("refused") or result.get("missing"))
    extraction = result.get("extraction") or {}
    if (
        result.get("sha256") != job.sha256
        or result.get("blob_sha256") != job.sha256
        or extraction.get("sha256") != job.sha256
        or result.get("tool") != TOOL
    ):
        return Skipped(
            job.sha256,
            f"result from worker {worker} does not match its document "
            f"(it read bytes hashing to {result.get('blob_sha256')}); not stored",
        )
    return Extraction.from_dict(extraction, Path(job.path))


def read_remote(
    jobs: list[ReadJob], config: Settings, broker: str, state: dict | None = None
) -> Iterator[Extraction | Skipped]:
    """Every job's outcome as workers finish them. ``state['in_flight']`` says how many are
    out at any moment (for the progress bar)."""
    app = make_app(broker)
    backend = app.backend
    try:
        backend.client.ping()
    except Exception as exc:  # redis raises its own ConnectionError family
        raise BrokerError(f"broker {broker}: unreachable ({exc})") from exc
    state = state if state is not None else {}
    queue = deque(jobs)
    out: dict[str, ReadJob] = {}
    restored = time.monotonic()
    while queue or out:
        if time.monotonic() - restored > RESTORE_EVERY:
            _restore_orphans(app)
            restored = time.monotonic()
        while queue and len(out) < WINDOW:
            job = queue.popleft()
            tid = task_id(job.sha256)
            if backend.client.set(f"woo:sent:{tid}", 1, nx=True, ex=KEEP):
                app.send_task("woo.read", args=[_payload(job)], task_id=tid)
            out[tid] = job
        state["in_flight"] = len(out)
        ids = list(out)
        metas = backend.client.mget([backend.get_key_for_task(tid) for tid in ids])
        finished = False
        for tid, raw in zip(ids, metas, strict=True):
            if raw is None:
                continue
            meta = backend.decode_result(raw)
            if meta.get("status") not in states.READY_STATES:
                continue
            finished = True
            job = out.pop(tid)
            yield _outcome(job, meta)
            # stored (or reported) by now: the next run may send it again if it must
            backend.client.delete(backend.get_key_for_task(tid), f"woo:sent:{tid}")
        if not finished:
            time.sleep(0.05)
