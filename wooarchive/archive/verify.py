"""Check that the evidence is what the database says it is.

Re-hashes every blob against its name, reads every WARC file through (digests checked), and
checks that each capture's recorded offset holds its record with the payload the capture names.
Each problem names the damaged item, so a user knows exactly what to restore from backup.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wooarchive.archive import chain
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


def verify(archive: Archive) -> Report:
    """Check blobs, WARC files and captures; the report lists every problem found."""
    report = Report(problems=[], notes=[])
    report.problems.extend(_check_blobs(archive, report))

    warc_dir = archive.settings.warc_dir
    referenced: dict[str, set[int]] = {}
    for name, offset in archive.db.execute("select warc_file, warc_offset from captures"):
        referenced.setdefault(name, set()).add(offset)
    readable: dict[str, dict[int, ReadBack]] = {}
    for path in sorted(warc_dir.glob("*.warc.gz")) if warc_dir.exists() else []:
        report.warc_files += 1
        readable[path.name], problems, notes = _read_warc(path, referenced.get(path.name, set()))
        report.problems.extend(problems)
        report.notes.extend(notes)

    for capture in archive.db.query(
        "select id, url, sha256, warc_file, warc_offset, warc_record_id from captures order by id"
    ):
        report.captures += 1
        item = f"capture {capture['id']} ({capture['url']})"
        path = warc_dir / capture["warc_file"]
        if not path.exists():
            report.problems.append(Problem(item, f"WARC file {capture['warc_file']} is missing"))
            continue
        readback = readable.get(capture["warc_file"], {}).get(capture["warc_offset"])
        if readback is None:
            try:
                readback = read_record(path, capture["warc_offset"])
            except Exception as exc:
                report.problems.append(
                    Problem(
                        item,
                        f"no readable record at {capture['warc_file']}@{capture['warc_offset']}"
                        f" ({exc})",
                    )
                )
                continue
        if readback.record_id != capture["warc_record_id"]:
            report.problems.append(
                Problem(
                    item,
                    f"offset holds record {readback.record_id}, not {capture['warc_record_id']}",
                )
            )
        elif readback.payload_sha256 != capture["sha256"]:
            report.problems.append(
                Problem(item, "WARC payload does not match the capture's SHA-256")
            )
        if not archive.blobs.exists(capture["sha256"]):
            report.problems.append(Problem(item, f"blob {capture['sha256']} is missing"))
    report.problems.extend(
        Problem("capture log", message) for message in chain.check(archive.db.conn)
    )
    return report
