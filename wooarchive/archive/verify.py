"""Check that the evidence is what the database says it is, and the database itself.

Re-hashes every blob against its name, reads every WARC file through (digests checked), and
checks that each capture's recorded offset holds its record with the payload the capture names.
Then archive.db: SQLite's own check (quick, or full with ``full``), the full-text index against
its table, every document row against its blob (size, type), every page against the digest of
its text taken at extraction, and the capture log and document ledger. Each problem names the
damaged item, so a user knows exactly what to restore from backup. A database too damaged to
read is reported, not raised.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from wooarchive.archive import anchor, chain, keys, ledger
from wooarchive.archive.sniff import sniff
from wooarchive.archive.store import Archive
from wooarchive.archive.warc import ReadBack, iter_records, read_record


@dataclass(frozen=True)
class Problem:
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.item}: {self.message}"


@dataclass
class Report:
    blobs: int = 0
    captures: int = 0
    warc_files: int = 0
    problems: list[Problem] | None = None
    notes: list[Problem] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_blobs(archive: Archive, report: Report) -> Iterator[Problem]:
    for name in archive.blobs.iter_digests():
        report.blobs += 1
        try:
            actual = archive.blobs.hash_of(name)
        except ValueError:
            yield Problem(f"blob {name}", "file name is not a SHA-256 digest")
            continue
        if actual != name:
            yield Problem(f"blob {name}", f"content has changed (now hashes to {actual})")
    for (sha,) in archive.db.execute("select sha256 from documents"):
        if not archive.blobs.exists(sha):
            yield Problem(f"blob {sha}", "missing (a document row refers to it)")


def _member_complete(path: Path, offset: int) -> bool:
    """Whether the gzip member at ``offset`` reaches its end-of-stream marker (warcio reads a
    truncated member without complaint)."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    with open(path, "rb") as fh:
        fh.seek(offset)
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            try:
                decompressor.decompress(chunk)
            except zlib.error:
                return False
            if decompressor.eof:
                return True
    return decompressor.eof


def _read_warc(
    path: Path, referenced: set[int]
) -> tuple[dict[int, ReadBack], list[Problem], list[Problem]]:
    """Read a WARC file through. A digest failure in its very last record that no capture
    refers to is a write interrupted by a crash (the capture was never committed): a note, not
    damage."""
    records: dict[int, ReadBack] = {}
    problems, notes = [], []
    bad: list[tuple[int, ReadBack]] = []
    try:
        for offset, readback in iter_records(path):
            records[offset] = readback
            if readback.digests_ok is False:
                bad.append((offset, readback))
    except Exception as exc:  # damaged gzip member or header: name where the file stops reading
        after = max(records) if records else None
        where = f"after the record at offset {after}" if after is not None else "at its start"
        problems.append(
            Problem(f"warc/{path.name}", f"unreadable {where} ({type(exc).__name__}: {exc})")
        )
    last = max(records) if records else None
    if last is not None and not _member_complete(path, last):
        bad.append((last, ReadBack("", "", "", "", False, ["gzip member cut short"])))
    for offset, readback in bad:
        item = f"warc/{path.name}@{offset}"
        if offset == last and offset not in referenced:
            notes.append(
                Problem(
                    item, "incomplete last record, no capture refers to it (an interrupted write)"
                )
            )
        else:
            problems.append(Problem(item, "digest mismatch: " + "; ".join(readback.problems)))
    return records, problems, notes


def _check_sqlite(archive: Archive, full: bool) -> Iterator[Problem]:
    pragma = "integrity_check" if full else "quick_check"
    messages = [r[0] for r in archive.db.execute(f"PRAGMA {pragma}(50)")]
    if messages != ["ok"]:
        for message in messages:
            yield Problem("archive.db", f"{pragma}: {message}")
    try:
        archive.db.execute("insert into pages_fts(pages_fts, rank) values ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        yield Problem("archive.db pages_fts", f"full-text index does not match pages ({exc})")


def _check_documents(archive: Archive) -> Iterator[Problem]:
    for sha256, size, mime in archive.db.execute("select sha256, size, mime from documents"):
        path = archive.blobs.path_for(sha256)
        if not path.exists():
            continue  # reported with the blobs
        item = f"document {sha256}"
        if path.stat().st_size != size:
            yield Problem(item, f"size is {size} in archive.db, the blob has {path.stat().st_size}")
        elif mime and sniff(path) != mime:
            yield Problem(item, f"type is {mime} in archive.db, the blob is {sniff(path)}")


def _check_pages(archive: Archive) -> Iterator[Problem]:
    for sha256, page, text, digest in archive.db.execute(
        "select sha256, page, text, text_sha256 from pages"
    ):
        if hashlib.sha256((text or "").encode()).hexdigest() != digest:
            yield Problem(f"page {page} of document {sha256}", "text changed since extraction")
    for sha256, pages, stored in archive.db.execute(
        "select e.sha256, e.pages, (select count(*) from pages p where p.sha256 = e.sha256) "
        "from extractions e"
    ):
        if pages != stored:
            yield Problem(f"document {sha256}", f"extraction has {pages} pages, {stored} stored")


def _guarded(what: str, check: Callable[[], Iterator[Problem]]) -> Iterator[Problem]:
    """A check's problems; a database too damaged to read becomes one more problem."""
    try:
        yield from check()
    except sqlite3.DatabaseError as exc:
        yield Problem("archive.db", f"unreadable while checking {what} ({exc})")


def verify(archive: Archive, full: bool = False) -> Report:
    """Check blobs, WARC files, captures and archive.db (``full``: SQLite's integrity_check
    rather than quick_check); the report lists every problem found."""
    report = Report(problems=[], notes=[])
    report.problems.extend(_guarded("the database", lambda: _check_sqlite(archive, full)))
    report.problems.extend(_guarded("blobs", lambda: _check_blobs(archive, report)))
    report.problems.extend(_guarded("captures", lambda: _check_captures(archive, report)))
    report.problems.extend(_guarded("documents", lambda: _check_documents(archive)))
    report.problems.extend(_guarded("pages", lambda: _check_pages(archive)))
    report.problems.extend(
        _guarded(
            "the capture log",
            lambda: (Problem("capture log", m) for m in chain.check(archive.db.conn)),
        )
    )
    report.problems.extend(
        _guarded(
            "the document ledger",
            lambda: (Problem("document ledger", m) for m in ledger.check(archive.db.conn)),
        )
    )
    for problem in _guarded("the anchors", lambda: _check_anchors(archive)):
        note = problem.message.startswith("note: ")
        (report.notes if note else report.problems).append(
            Problem(problem.item, problem.message.removeprefix("note: "))
        )
    return report


def _check_anchors(archive: Archive) -> Iterator[Problem]:
    """Problems of the signed anchors (one starting "note: " when they are unsigned)."""
    try:
        key = keys.load_key(keys.key_path(archive.settings))
        mine = keys.fingerprint(keys.public_key_b64(key))
    except keys.SigningKeyError:
        mine = None  # the verifier has not the user's key: any valid signature is named only
    for message in anchor.check(archive.db.conn, mine):
        yield Problem("anchors", message)


def _check_captures(archive: Archive, report: Report) -> Iterator[Problem]:
    warc_dir = archive.settings.warc_dir
    referenced: dict[str, set[int]] = {}
    for name, offset in archive.db.execute("select warc_file, warc_offset from captures"):
        referenced.setdefault(name, set()).add(offset)
    readable: dict[str, dict[int, ReadBack]] = {}
    for path in sorted(warc_dir.glob("*.warc.gz")) if warc_dir.exists() else []:
        report.warc_files += 1
        readable[path.name], problems, notes = _read_warc(path, referenced.get(path.name, set()))
        yield from problems
        report.notes.extend(notes)

    for capture in archive.db.query(
        "select id, url, sha256, warc_file, warc_offset, warc_record_id from captures order by id"
    ):
        report.captures += 1
        item = f"capture {capture['id']} ({capture['url']})"
        path = warc_dir / capture["warc_file"]
        if not path.exists():
            yield Problem(item, f"WARC file {capture['warc_file']} is missing")
            continue
        readback = readable.get(capture["warc_file"], {}).get(capture["warc_offset"])
        if readback is None:
            try:
                readback = read_record(path, capture["warc_offset"])
            except Exception as exc:
                yield Problem(
                    item,
                    f"no readable record at {capture['warc_file']}@{capture['warc_offset']} ({exc})",
                )
                continue
        if readback.record_id != capture["warc_record_id"]:
            yield Problem(
                item, f"offset holds record {readback.record_id}, not {capture['warc_record_id']}"
            )
        elif readback.payload_sha256 != capture["sha256"]:
            yield Problem(item, "WARC payload does not match the capture's SHA-256")
        if not archive.blobs.exists(capture["sha256"]):
            yield Problem(item, f"blob {capture['sha256']} is missing")
