"""Check that the evidence is what the database says it is.

Re-hashes every blob against its name, reads every WARC file through (digests checked), and
checks that each capture's recorded offset holds its record with the payload the capture names.
Each problem names the damaged item, so a user knows exactly what to restore from backup.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


def _read_warc(path: Path) -> tuple[dict[int, ReadBack], list[Problem]]:
    records: dict[int, ReadBack] = {}
    problems = []
    offset = 0
    try:
        for offset, readback in iter_records(path):
            records[offset] = readback
            if readback.digests_ok is False:
                problems.append(
                    Problem(
                        f"warc/{path.name}@{offset}",
                        "digest mismatch: " + "; ".join(readback.problems),
                    )
                )
    except Exception as exc:  # damaged gzip member or header: name where the file stops reading
        after = max(records) if records else None
        where = f"after the record at offset {after}" if after is not None else "at its start"
        problems.append(
            Problem(f"warc/{path.name}", f"unreadable {where} ({type(exc).__name__}: {exc})")
        )
    return records, problems


def verify(archive: Archive) -> Report:
    """Check blobs, WARC files and captures; the report lists every problem found."""
    report = Report(problems=[])
    report.problems.extend(_check_blobs(archive, report))

    warc_dir = archive.settings.warc_dir
    readable: dict[str, dict[int, ReadBack]] = {}
    for path in sorted(warc_dir.glob("*.warc.gz")) if warc_dir.exists() else []:
        report.warc_files += 1
        readable[path.name], problems = _read_warc(path)
        report.problems.extend(problems)

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
    return report
