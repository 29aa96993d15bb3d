"""Citations a journalist can paste: who published what, where, when we got it, and its hash."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

import sqlite_utils

from wooarchive.archive.store import ArchiveError
from wooarchive.config import Settings

HEX = re.compile(r"[0-9a-f]{8,64}")


@dataclass
class Citation:
    publisher: str
    title: str
    url: str
    retrieved: str
    http_status: int | None
    sha256: str
    permalink: str
    warc_file: str
    warc_record_id: str

    def text(self) -> str:
        status = f" (HTTP {self.http_status})" if self.http_status else ""
        return (
            f'{self.publisher}, "{self.title}". {self.url}{status}, retrieved {self.retrieved}. '
            f"SHA-256 {self.sha256}. Archived copy: {self.permalink} "
            f"(WARC {self.warc_file}, record {self.warc_record_id})."
        )

    def as_dict(self) -> dict:
        return asdict(self)


def _capture_for(db: sqlite_utils.Database, ref: str) -> dict:
    ref = ref.strip()
    if "://" in ref or ref.startswith("file:"):
        rows = list(
            db.query(
                "select * from captures where (url = :u or requested_url = :u) "
                "and (status between 200 and 299 or method = 'file') "
                "order by fetched_at desc, id desc limit 1",
                {"u": ref},
            )
        )
        if not rows:
            raise ArchiveError(f"{ref}: no successful capture of this URL in the archive")
        return rows[0]
    sha = ref.lower()
    if not HEX.fullmatch(sha):
        raise ArchiveError(f"{ref}: neither a URL nor a SHA-256 (or a prefix of 8+ hex digits)")
    docs = [
        r["sha256"]
        for r in db.query("select sha256 from documents where sha256 like ? limit 2", [sha + "%"])
    ]
    if not docs:
        raise ArchiveError(f"{ref}: no document with this SHA-256 in the archive")
    if len(docs) > 1:
        raise ArchiveError(f"{ref}: prefix matches more than one document; give more digits")
    return next(
        db.query(
            "select * from captures where sha256 = ? "
            "and (status between 200 and 299 or method = 'file') "
            "order by fetched_at, id limit 1",
            [docs[0]],
        )
    )


def cite(db: sqlite_utils.Database, config: Settings, ref: str) -> Citation:
    """Cite a document by SHA-256 (its first capture) or by URL (that URL's latest capture)."""
    capture = _capture_for(db, ref)
    doc = db["documents"].get(capture["sha256"])
    code = doc["municipality_code"] or capture["municipality_code"]
    if code:
        name = db["municipalities"].get(code)["name"]
        publisher = f"Gemeente {name}"
    else:
        publisher = urlsplit(capture["url"]).hostname or "unknown publisher"
    return Citation(
        publisher=publisher,
        title=doc["title"],
        url=capture["url"],
        retrieved=capture["fetched_at"].replace("T", " ").replace("Z", " UTC"),
        http_status=capture["status"],
        sha256=doc["sha256"],
        permalink=f"{config.base_url}/-/document/{doc['sha256']}",
        warc_file=capture["warc_file"],
        warc_record_id=capture["warc_record_id"],
    )
