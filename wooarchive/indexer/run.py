"""`woo index`: text from every archived document not yet read, each in an isolated reader
process (OCR included), then the search indexes.

Incremental by construction: a document with an ``extractions`` row is never read or OCR'd
again (extraction is keyed by SHA-256, and content never changes under its hash).

The search indexes hold a page if and only if the pages table does. FTS5 follows the table by
trigger, in the same transaction. Whoosh cannot share a transaction with SQLite, so every
transaction that changes a document's pages (or the kind and municipality they are found
under) also puts the document in ``search_queue``; each run drains the queue into Whoosh
(delete the document's pages, add them again: idempotent) and only then takes the documents off
it. A run killed anywhere leaves the queue to the next run. When the page counts still differ,
the run compares page by page and repairs the difference (``drift`` in the report).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from wooarchive.archive import anchor, ledger
from wooarchive.archive.db import transaction
from wooarchive.archive.store import Archive, now, utc_iso
from wooarchive.indexer import kinds, whoosh_index
from wooarchive.indexer.extract import Extraction, ReadJob, Skipped, read_all

TOOL = "woo-archive indexer 2"
QUEUE_BATCH = 1000  # documents per Whoosh commit while draining the queue
OK_STATUSES = ("ok", "partial")


@dataclass
class IndexReport:
    documents: int = 0
    pages: int = 0
    ocr_documents: int = 0
    ocr_pages: int = 0
    problems: int = 0
    whoosh_pages: int = 0
    drift: int = 0  # pages found missing from (or extra in) Whoosh and repaired
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # sha256, status, error
    missing: list[str] = field(default_factory=list)  # documents whose blob is not in the store
    skipped: list[tuple[str, str]] = field(default_factory=list)  # not read this time, and why


# (documents done, pages so far, documents not stored or unreadable, documents being read)
Progress = Callable[[int, int, int, int], None]
Reader = Callable[[list[ReadJob]], Iterator["Extraction | Skipped"]]


PAGE_COLUMNS = (
    "sha256",
    "page",
    "method",
    "quality",
    "text",
    "municipality_code",
    "kind",
    "text_sha256",
    "redacted_share",
    "redaction_boxes",
    "redaction_codes",
    "redaction_detail",
)


def insert_pages(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Insert pages (tuples in PAGE_COLUMNS order) and their text into FTS5: the one way pages
    enter the archive (there is no insert trigger, see archive.db._pages_fts_by_insert). FTS5
    is fed directly, a document at a time, which costs about what FTS5 itself costs."""
    if not rows:
        return
    conn.executemany(
        f"insert into pages ({', '.join(PAGE_COLUMNS)}) "
        f"values ({', '.join('?' * len(PAGE_COLUMNS))})",
        rows,
    )
    pages: dict[str, list[int]] = {}
    for row in rows:
        pages.setdefault(row[0], []).append(row[1])
    for sha256, numbers in pages.items():
        conn.execute(
            "insert into pages_fts (rowid, text) select rowid, text from pages "
            f"where sha256 = ? and page in ({', '.join('?' * len(numbers))})",
            [sha256, *numbers],
        )


def _store(archive: Archive, extraction: Extraction) -> None:
    db = archive.db
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        if kinds.reclassify(db.conn, extraction.sha256, [p.text for p in extraction.pages]):
            ledger.record_document(db.conn, extraction.sha256)
        doc = db.execute(
            "select municipality_code, kind from documents where sha256 = ?", [extraction.sha256]
        ).fetchone()
        db.execute("delete from pages where sha256 = ?", [extraction.sha256])
        db.execute("delete from register_cells where sha256 = ?", [extraction.sha256])
        insert_pages(
            db.conn,
            [
                (
                    extraction.sha256,
                    p.page,
                    p.method,
                    p.quality,
                    p.text,
                    doc[0],
                    doc[1],
                    hashlib.sha256(p.text.encode()).hexdigest(),
                    p.redacted_share,
                    p.redaction_boxes,
                    p.redaction_codes,
                    json.dumps(p.redaction_detail) if p.redaction_detail else None,
                )
                for p in extraction.pages
            ],
        )
        db.conn.executemany(
            "insert into register_cells (sha256, sheet, row, col, header, value) values (?, ?, ?, ?, ?, ?)",
            [(extraction.sha256, *cell) for cell in extraction.cells],
        )
        db.execute("delete from findings where sha256 = ?", [extraction.sha256])
        db.conn.executemany(
            "insert into findings (sha256, kind, anchor, heading, evidence) values (?, ?, ?, ?, ?)",
            [(extraction.sha256, *finding) for finding in extraction.findings],
        )
        db.execute(
            "insert or replace into extractions (sha256, status, pages, ocr_pages, errors, "
            "extracted_at, tool, redacted_share) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                extraction.sha256,
                extraction.status,
                len(extraction.pages),
                extraction.ocr_pages,
                json.dumps(extraction.errors, ensure_ascii=False) if extraction.errors else None,
                utc_iso(now()),
                TOOL,
                _document_share(extraction),
            ],
        )
        ledger.record_extraction(db.conn, extraction.sha256)
        _enqueue(db, [extraction.sha256])


def remeasure(archive: Archive, workers: int | None = None) -> int:
    """Measure the redaction boxes again on the pages of Woo documents read by an older
    woo-archive (which measured decisions only, and did not keep where the boxes are): their
    pages keep their text, only the measurement columns change. Returns documents measured."""
    from wooarchive.indexer.extract import WOO_DOCUMENTS, MeasureJob, measure_all

    db = archive.db
    marks = ",".join("?" * len(WOO_DOCUMENTS))
    jobs = []
    for sha256, mime in db.execute(
        "select distinct d.sha256, d.mime from documents d join pages p on p.sha256 = d.sha256 "
        f"where d.kind in ({marks}) and p.redaction_detail is null "
        "and (d.mime = 'application/pdf' or d.mime like 'image/%')",
        WOO_DOCUMENTS,
    ).fetchall():
        path = archive.blobs.path_for(sha256)
        if path.exists():
            texts = dict(db.execute("select page, text from pages where sha256 = ?", [sha256]))
            jobs.append(MeasureJob(str(path), sha256, mime, texts))
    measured = 0
    for extraction in measure_all(jobs, archive.settings, workers or os.cpu_count() or 1):
        with transaction(db.conn):
            db.conn.executemany(
                "update pages set redacted_share = ?, redaction_boxes = ?, redaction_codes = ?, "
                "redaction_detail = ? where sha256 = ? and page = ?",
                [
                    (
                        p.redacted_share,
                        p.redaction_boxes,
                        p.redaction_codes,
                        json.dumps(p.redaction_detail) if p.redaction_detail else None,
                        extraction.sha256,
                        p.page,
                    )
                    for p in extraction.pages
                    if p.redaction_detail is not None
                ],
            )
            db.conn.execute(
                "update extractions set redacted_share = ? where sha256 = ?",
                [_document_share(extraction), extraction.sha256],
            )
        measured += 1
    return measured


def _document_share(extraction: Extraction) -> float | None:
    """The document's redacted share: the mean over its measured pages."""
    shares = [p.redacted_share for p in extraction.pages if p.redacted_share is not None]
    return round(sum(shares) / len(shares), 4) if shares else None


def _enqueue(db, shas: list[str]) -> None:
    db.conn.executemany(
        "insert or ignore into search_queue (sha256, queued_at) values (?, ?)",
        [(sha, utc_iso(now())) for sha in shas],
    )


def _page_rows(archive: Archive, shas: list[str]) -> Iterator[dict]:
    for start in range(0, len(shas), 500):
        chunk = shas[start : start + 500]
        marks = ",".join("?" * len(chunk))
        yield from archive.db.query(
            f"select p.sha256, p.page, p.text, p.municipality_code, p.kind, d.title from pages p "
            f"join documents d on d.sha256 = p.sha256 where p.sha256 in ({marks})",
            chunk,
        )


def _reclassified(archive: Archive) -> None:
    """A re-crawl may have reclassified documents: keep the pages' denormalised columns true,
    and queue those documents for Whoosh in the same transaction."""
    db = archive.db
    with db.conn:
        db.execute("BEGIN IMMEDIATE")
        changed = [
            r[0]
            for r in db.execute(
                "select distinct p.sha256 from pages p join documents d on d.sha256 = p.sha256 "
                "where p.kind is not d.kind or p.municipality_code is not d.municipality_code"
            )
        ]
        for start in range(0, len(changed), 500):
            chunk = changed[start : start + 500]
            db.execute(
                "update pages set kind = (select kind from documents d where d.sha256 = pages.sha256), "
                "municipality_code = (select municipality_code from documents d where d.sha256 = pages.sha256) "
                "where sha256 in (" + ",".join("?" * len(chunk)) + ")",
                chunk,
            )
        _enqueue(db, changed)


def drain_queue(archive: Archive) -> int:
    """Bring the queued documents into Whoosh, a batch per commit; returns pages written."""
    db = archive.db
    directory = archive.settings.whoosh_dir
    written = 0
    while True:
        shas = [
            r[0]
            for r in db.execute(
                "select sha256 from search_queue order by rowid limit ?", [QUEUE_BATCH]
            )
        ]
        if not shas:
            return written
        written += whoosh_index.replace_documents(directory, shas, _page_rows(archive, shas))
        with transaction(db.conn):
            db.conn.executemany("delete from search_queue where sha256 = ?", [(s,) for s in shas])


def repair_drift(archive: Archive) -> int:
    """Compare Whoosh with the pages table and mend any difference (a page missing from
    Whoosh is queued and drained; a page Whoosh has but the table does not is deleted).
    Cheap when they agree: the page counts are compared first."""
    db = archive.db
    directory = archive.settings.whoosh_dir
    stored = db.execute("select count(*) from pages").fetchone()[0]
    if whoosh_index.page_count(directory) == stored:
        return 0
    pages = {f"{sha}:{page}" for sha, page in db.execute("select sha256, page from pages")}
    indexed = whoosh_index.stored_keys(directory)
    missing = pages - indexed
    extra = indexed - pages
    with transaction(db.conn):
        _enqueue(db, sorted({key.split(":")[0] for key in missing}))
    if extra:
        whoosh_index.replace_documents(directory, [], [], drop_keys=sorted(extra))
    drain_queue(archive)
    return len(missing) + len(extra)


def index(
    archive: Archive,
    *,
    workers: int | None = None,
    progress: Progress | None = None,
    rebuild: bool = False,
    reader: Reader | None = None,
) -> IndexReport:
    """Read what is new (each document in an isolated reader: ``workers`` local processes, or
    ``reader``, such as Celery workers on other machines), update FTS5 and Whoosh, and repair
    any drift between them and the pages table. Whoever reads, this is the only writer, so both
    paths give the same archive. ``rebuild`` recreates both indexes from the pages table (no
    document is read again); the new Whoosh index replaces the old one atomically."""
    started = time.monotonic()
    report = IndexReport()
    workers = workers or os.cpu_count() or 1
    db = archive.db
    config = archive.settings
    jobs = []
    for row in db.query(
        "select d.sha256, d.mime, d.kind from documents d left join extractions e "
        "on e.sha256 = d.sha256 where e.sha256 is null and d.kind is not 'crawl_record' "
        "order by d.first_seen"
    ):
        path = archive.blobs.path_for(row["sha256"])
        if not path.exists():
            report.missing.append(row["sha256"])  # read once it is restored (woo verify)
            continue
        jobs.append(
            ReadJob(
                str(path),
                row["sha256"],
                row["mime"],
                config,
                str(config.derived_dir),
                kind=row["kind"],
            )
        )
    outcomes = reader(jobs) if reader else read_all(jobs, config, workers)
    for extraction in outcomes:
        if isinstance(extraction, Skipped):
            report.skipped.append((extraction.sha256, extraction.reason))
            if progress:
                progress(
                    report.documents, report.pages, len(report.failures) + len(report.skipped), 0
                )
            continue
        _store(archive, extraction)
        report.documents += 1
        report.pages += len(extraction.pages)
        report.ocr_pages += extraction.ocr_pages
        report.ocr_documents += extraction.ocr_pages > 0
        report.problems += bool(extraction.errors)
        report.statuses[extraction.status] += 1
        if extraction.status not in OK_STATUSES:
            report.failures.append(
                (extraction.sha256, extraction.status, "; ".join(extraction.errors))
            )
        if progress:
            remaining = len(jobs) - report.documents - len(report.skipped)
            progress(
                report.documents,
                report.pages,
                len(report.failures) + len(report.skipped),
                min(workers, remaining),
            )

    _reclassified(archive)
    directory = config.whoosh_dir
    # an index made with another analyzer (another stemmer) is rebuilt: its old stems would
    # hide pages from a search for the same word
    if (
        rebuild
        or not whoosh_index.exists(directory)
        or not whoosh_index.analyzer_current(directory)
    ):
        db["pages"].rebuild_fts()
        queued = [r[0] for r in db.execute("select sha256 from search_queue")]
        everything = [r[0] for r in db.execute("select distinct sha256 from pages")]
        report.whoosh_pages = whoosh_index.rebuild(directory, _page_rows(archive, everything))
        with transaction(
            db.conn
        ):  # only once the new index is in place: a killed rebuild keeps the queue
            db.conn.executemany("delete from search_queue where sha256 = ?", [(s,) for s in queued])
    else:
        report.whoosh_pages = drain_queue(archive)
        report.drift = repair_drift(archive)
    anchor.make(archive, "index run")  # what was read, signed (nothing new: no anchor)
    report.seconds = time.monotonic() - started
    return report
