"""`woo index`: text from every archived document not yet read, OCR in parallel, then the
indexes.

Incremental by construction: a document with an ``extractions`` row is never read or OCR'd
again (extraction is keyed by SHA-256, and content never changes under its hash). FTS5 follows
the pages table through triggers; the Whoosh index gets the new pages, plus the pages of
documents whose kind or municipality changed since (a re-crawl can reclassify).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from wooarchive.archive.store import Archive, now, utc_iso
from wooarchive.indexer import whoosh_index
from wooarchive.indexer.extract import Extraction, apply_ocr, ocr_job, read_document
from wooarchive.indexer.ocr import run_jobs

TOOL = "woo-archive indexer 1"


@dataclass
class IndexReport:
    documents: int = 0
    pages: int = 0
    ocr_documents: int = 0
    ocr_pages: int = 0
    problems: int = 0
    whoosh_pages: int = 0
    seconds: float = 0.0


Progress = Callable[[int, int], None]  # (documents done, pages so far)


def _store(archive: Archive, extraction: Extraction) -> None:
    db = archive.db
    doc = db.execute(
        "select municipality_code, kind from documents where sha256 = ?", [extraction.sha256]
    ).fetchone()
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        db.execute("delete from pages where sha256 = ?", [extraction.sha256])
        db.execute("delete from register_cells where sha256 = ?", [extraction.sha256])
        db.conn.executemany(
            "insert into pages (sha256, page, method, quality, text, municipality_code, kind) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [
                (extraction.sha256, p.page, p.method, p.quality, p.text, doc[0], doc[1])
                for p in extraction.pages
            ],
        )
        db.conn.executemany(
            "insert into register_cells (sha256, sheet, row, col, header, value) values (?, ?, ?, ?, ?, ?)",
            [(extraction.sha256, *cell) for cell in extraction.cells],
        )
        db.execute(
            "insert or replace into extractions (sha256, status, pages, ocr_pages, errors, extracted_at, tool) "
            "values (?, ?, ?, ?, ?, ?, ?)",
            [
                extraction.sha256,
                extraction.status,
                len(extraction.pages),
                extraction.ocr_pages,
                json.dumps(extraction.errors, ensure_ascii=False) if extraction.errors else None,
                utc_iso(now()),
                TOOL,
            ],
        )


def _page_rows(archive: Archive, shas: list[str]):
    for start in range(0, len(shas), 500):
        chunk = shas[start : start + 500]
        marks = ",".join("?" * len(chunk))
        yield from archive.db.query(
            f"select p.sha256, p.page, p.text, p.municipality_code, p.kind, d.title from pages p "
            f"join documents d on d.sha256 = p.sha256 where p.sha256 in ({marks})",
            chunk,
        )


def index(
    archive: Archive,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
) -> IndexReport:
    """Extract what is new, OCR what needs it, update FTS5 and Whoosh. ``rebuild`` recreates
    both indexes from the pages table (no document is read again)."""
    started = time.monotonic()
    report = IndexReport()
    workers = workers or os.cpu_count() or 1
    db = archive.db
    todo = [
        r["sha256"]
        for r in db.query(
            "select d.sha256 from documents d left join extractions e on e.sha256 = d.sha256 "
            "where e.sha256 is null order by d.first_seen"
        )
    ]
    fresh: list[str] = []
    jobs, waiting = [], {}
    with tempfile.TemporaryDirectory(prefix="woo-index-") as tmp:
        for sha in todo:
            extraction = read_document(
                archive.blobs.path_for(sha),
                sha,
                archive.settings,
                mime=db["documents"].get(sha)["mime"],
            )
            job = ocr_job(extraction, archive.settings, Path(tmp), archive.settings.derived_dir)
            if job is None:
                _finish(archive, extraction, report, fresh, progress)
            else:
                jobs.append(job)
                waiting[sha] = extraction
        for result in run_jobs(jobs, workers):
            extraction = waiting.pop(result.sha256)
            apply_ocr(extraction, result)
            report.ocr_documents += 1
            _finish(archive, extraction, report, fresh, progress)

    # a re-crawl may have reclassified documents: keep the denormalised columns true
    changed = [
        r[0]
        for r in db.execute(
            "select distinct p.sha256 from pages p join documents d on d.sha256 = p.sha256 "
            "where p.kind is not d.kind or p.municipality_code is not d.municipality_code"
        )
    ]
    if changed:
        with db.conn:
            db.execute(
                "update pages set kind = (select kind from documents d where d.sha256 = pages.sha256), "
                "municipality_code = (select municipality_code from documents d where d.sha256 = pages.sha256) "
                "where sha256 in (" + ",".join("?" * len(changed)) + ")",
                changed,
            )
    if rebuild:
        db["pages"].rebuild_fts()
        everything = [r[0] for r in db.execute("select distinct sha256 from pages")]
        report.whoosh_pages = whoosh_index.add_pages(
            archive.settings.whoosh_dir, _page_rows(archive, everything), fresh=True
        )
    elif fresh or changed or not whoosh_index.exists(archive.settings.whoosh_dir):
        shas = sorted(set(fresh) | set(changed))
        if not whoosh_index.exists(archive.settings.whoosh_dir):
            shas = [r[0] for r in db.execute("select distinct sha256 from pages")]
        report.whoosh_pages = whoosh_index.add_pages(
            archive.settings.whoosh_dir, _page_rows(archive, shas)
        )
    report.seconds = time.monotonic() - started
    return report


def _finish(
    archive: Archive,
    extraction: Extraction,
    report: IndexReport,
    fresh: list[str],
    progress: Progress | None,
) -> None:
    _store(archive, extraction)
    fresh.append(extraction.sha256)
    report.documents += 1
    report.pages += len(extraction.pages)
    report.ocr_pages += extraction.ocr_pages
    report.problems += bool(extraction.errors)
    if progress:
        progress(report.documents, report.pages)
