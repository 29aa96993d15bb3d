"""Citations a journalist can paste: who published what, where, when we got it, and its hash.

Two forms: Dutch, as Dutch journalism and case law cite a web source (publisher, title, URL,
"geraadpleegd op" date, then the archived copy), and English. The permalink is on the public
site (WOO_BASE_URL): a document page for a document, a capture page for a capture that made none
(an HTTP error is evidence too), each offering the original bytes and the WARC record.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import datetime
from urllib.parse import urlsplit

import sqlite_utils

from wooarchive.archive.store import ArchiveError
from wooarchive.config import Settings
from wooarchive.dutch import local_time

HEX = re.compile(r"[0-9a-f]{8,64}")


@dataclass
class Citation:
    publisher: str
    title: str
    url: str
    retrieved: str  # "2026-11-23 16:07:42 UTC"
    http_status: int | None
    sha256: str
    permalink: str
    warc_file: str
    warc_record_id: str
    capture_id: int
    warc_url: str  # the WARC record (response and request) for download

    def text(self) -> str:
        status = f" (HTTP {self.http_status})" if self.http_status else ""
        return (
            f'{self.publisher}, "{self.title}". {self.url}{status}, retrieved {self.retrieved}. '
            f"SHA-256 {self.sha256}. Archived copy: {self.permalink} "
            f"(WARC record {self.warc_record_id}: {self.warc_url})."
        )

    def text_nl(self) -> str:
        when = datetime.strptime(self.retrieved, "%Y-%m-%d %H:%M:%S UTC")
        status = f" (HTTP-status {self.http_status})" if self.http_status else ""
        return (
            f"{self.publisher}, '{self.title}', {self.url}{status}, geraadpleegd op "
            f"{local_time(when)}. Gearchiveerde kopie: {self.permalink} "
            f"(SHA-256 {self.sha256}; WARC-record: {self.warc_url})."
        )

    def as_dict(self) -> dict:
        return {**asdict(self), "text": self.text(), "text_nl": self.text_nl()}


def _capture_for(db: sqlite_utils.Database, ref: str) -> dict:
    ref = ref.strip()
    if ref.startswith("capture:"):
        number = ref.removeprefix("capture:")
        rows = list(db.query("select * from captures where id = ?", [number]))
        if not number.isdigit() or not rows:
            raise ArchiveError(f"{ref}: no such capture in the archive")
        return rows[0]
    if "://" in ref or ref.startswith("file:"):
        # the latest successful capture; failing that the latest of any status (a 404 is
        # evidence of what was not there)
        rows = list(
            db.query(
                "select * from captures where (url = :u or requested_url = :u) "
                "order by (status between 200 and 299 or method = 'file') desc, "
                "fetched_at desc, id desc limit 1",
                {"u": ref},
            )
        )
        if not rows:
            raise ArchiveError(f"{ref}: no capture of this URL in the archive")
        return rows[0]
    sha = ref.lower()
    if not HEX.fullmatch(sha):
        raise ArchiveError(f"{ref}: neither a URL nor a SHA-256 (or a prefix of 8+ hex digits)")
    # a whole SHA-256 is looked up in the key's index; a prefix is a range of it (a LIKE, being
    # case-blind, would read every document)
    docs = [
        r["sha256"]
        for r in db.query(
            "select sha256 from documents where sha256 >= ? and sha256 < ? limit 2",
            [sha, sha + "g"],
        )
    ]
    if not docs:
        raise ArchiveError(f"{ref}: no document with this SHA-256 in the archive")
    if len(docs) > 1:
        raise ArchiveError(f"{ref}: prefix matches more than one document; give more digits")
    capture = next(
        iter(
            db.query(
                "select * from captures where sha256 = ? "
                "and (status between 200 and 299 or method = 'file') "
                "order by fetched_at, id limit 1",
                [docs[0]],
            )
        ),
        None,
    )
    if capture is None:
        raise ArchiveError(f"{ref}: the archive has no capture of this document to cite")
    return capture


def cite(db: sqlite_utils.Database, config: Settings, ref: str) -> Citation:
    """Cite a document by SHA-256 (its first capture), a URL (its latest successful capture, or
    its latest capture of any status when none succeeded) or ``capture:ID``."""
    capture = _capture_for(db, ref)
    is_document = capture["status"] is None or 200 <= capture["status"] < 300
    doc = next(
        iter(db.query("select * from documents where sha256 = ?", [capture["sha256"]])), None
    )
    code = (doc or {}).get("municipality_code") or capture["municipality_code"]
    if code:
        name = db["municipalities"].get(code)["name"]
        publisher = f"Gemeente {name}"
    else:
        publisher = urlsplit(capture["url"]).hostname or "unknown publisher"
    if is_document and doc:
        title, permalink = doc["title"], f"{config.base_url}/-/document/{doc['sha256']}"
    else:
        title = f"HTTP {capture['status']} {capture['reason'] or ''}".strip()
        permalink = f"{config.base_url}/-/capture/{capture['id']}"
    return Citation(
        publisher=publisher,
        title=title,
        url=capture["url"],
        retrieved=capture["fetched_at"].replace("T", " ").replace("Z", " UTC"),
        http_status=capture["status"],
        sha256=capture["sha256"],
        permalink=permalink,
        warc_file=capture["warc_file"],
        warc_record_id=capture["warc_record_id"],
        capture_id=capture["id"],
        warc_url=f"{config.base_url}/-/warc/{capture['id']}",
    )
