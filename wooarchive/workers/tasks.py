"""The one task: read a document (text, OCR) on a worker, in an isolated reader process with
the coordinator's limits, and send back what was read. The worker writes the searchable PDF
to the shared derived directory under its content address, and nothing else."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import socket
import time
from pathlib import Path

from celery import shared_task
from celery.utils.log import get_task_logger

from wooarchive.archive.blobs import BlobStore
from wooarchive.config import settings
from wooarchive.indexer.extract import Extraction, ReadJob, extract, failed, limits
from wooarchive.indexer.isolation import Limits, ReaderPool
from wooarchive.indexer.run import TOOL

log = get_task_logger("wooarchive.worker")
# one line per document is ours to log: not every font ocrmypdf subsets, nor each result whole
for noisy in ("fontTools", "ocrmypdf", "pikepdf", "PIL", "celery.app.trace"):
    logging.getLogger(noisy).setLevel(logging.WARNING)
MAX_DELIVERIES = 3  # a document whose worker died this often is given up, not redelivered again
LIMIT_FIELDS = (
    "max_pages",
    "ocr_timeout",
    "ocr_max_mpixels",
    "ocr_max_pages",
    "max_unzipped_mb",
    "read_memory_mb",
    "read_cpu_seconds",
    "read_timeout",
)


_pools: dict[Limits, ReaderPool] = {}


def _read(job: ReadJob) -> Extraction:
    """Read in a reader kept for the next task, as the local pool keeps its readers: a fresh
    one per document would pay for importing OCRmyPDF every time."""
    wanted = limits(job.config)
    if wanted not in _pools:
        for pool in _pools.values():
            pool.close()
        _pools.clear()
        _pools[wanted] = ReaderPool(extract, 1, wanted)
    [(_, outcome)] = list(_pools[wanted].run([job]))
    return outcome if isinstance(outcome, Extraction) else failed(job, outcome)


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@shared_task(name="woo.read", bind=True)
def read(self, job: dict) -> dict:
    host = socket.gethostname()
    sha256 = job["sha256"]
    reply = {"sha256": sha256, "worker": host, "tool": TOOL}
    if job["tool"] != TOOL:
        return {**reply, "refused": f"worker {host} runs {TOOL}, the coordinator {job['tool']}"}
    deliveries = self.app.backend.client.incr(f"woo:deliveries:{self.request.id}")
    self.app.backend.client.expire(f"woo:deliveries:{self.request.id}", 7 * 24 * 3600)
    if deliveries > MAX_DELIVERIES:
        log.info("%s given up after %d deliveries", sha256, deliveries - 1)
        return {
            **reply,
            "blob_sha256": sha256,
            "extraction": {
                "sha256": sha256,
                "mime": job["mime"] or "",
                "status": "crashed",
                "pages": [],
                "errors": [f"given up after {MAX_DELIVERIES} tries: the worker died each time"],
                "cells": [],
            },
        }
    config = dataclasses.replace(settings(), **{k: job["limits"][k] for k in LIMIT_FIELDS})
    path = BlobStore(config.blobs_dir).path_for(sha256)
    if not path.exists():
        log.info("%s missing on this worker's storage", sha256)
        return {
            **reply,
            "missing": f"blob not on worker {host}'s storage (is the data directory shared?)",
        }
    started = time.monotonic()
    blob_sha256 = _sha256_of(path)
    extraction = _read(
        ReadJob(
            str(path),
            sha256,
            job["mime"],
            config,
            str(config.derived_dir),
            kind=job.get("kind"),
            redaction=job.get("redaction", False),
        )
    )
    log.info(
        "%s %s, %d pages (%d OCR) in %.1f s",
        sha256,
        extraction.status,
        len(extraction.pages),
        extraction.ocr_pages,
        time.monotonic() - started,
    )
    return {**reply, "blob_sha256": blob_sha256, "extraction": extraction.as_dict()}
