"""The document ledger: a hash chain of what the archive says about each document.

The capture log (chain.py) proves what was fetched; this proves what the archive concluded:
a document's kind, title and municipality, and its extraction (status, errors, a digest of its
pages' text, and its details: OCR pages, tool, time, redacted share). It also holds the rows of
the tables that are evidence beside the captures: each URL's versions (`url_versions`, without
`last_seen`, which the captures prove) and every failed fetch (`fetch_errors`), under the key
`TABLE:ID`. Every write appends an entry, in the same transaction, for each value that changed.
`woo verify` walks the chain and compares the columns with their latest entries, so a value
changed, a row deleted or one added behind the archive's back shows, named.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator

from wooarchive.archive.chain import GENESIS

DOCUMENT_FIELDS = ("kind", "title", "municipality_code")
EXTRACTION_FIELDS = ("status", "errors", "pages", "detail")  # pages: digest of text digests
EXTRACTION_DETAIL = ("ocr_pages", "extracted_at", "tool", "redacted_share")
# evidence tables beside the captures: the columns the ledger holds of each row
ROWS = {
    "url_versions": ("url", "sha256", "previous_sha256", "first_seen", "first_capture_id"),
    "fetch_errors": ("url", "attempted_at", "error", "municipality_code", "tool"),
}


def _canonical(values) -> str:
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def entry_hash(previous: str, sha256: str, field: str, value: str | None) -> str:
    canonical = json.dumps([sha256, field, value], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def pages_digest(conn: sqlite3.Connection, sha256: str) -> str:
    """One digest over a document's pages: number, method and text digest of each, in order."""
    digest = hashlib.sha256()
    for page, method, text_sha256 in conn.execute(
        "select page, method, text_sha256 from pages where sha256 = ? order by page", [sha256]
    ):
        digest.update(f"{page}:{method}:{text_sha256}\n".encode())
    return digest.hexdigest()


def record(
    conn: sqlite3.Connection, sha256: str, values: dict[str, str | None], new: bool = False
) -> None:
    """Append an entry for each value that differs from the ledger's latest (call inside the
    transaction that wrote the values). ``new``: the key has no entries yet (a row just
    inserted), so there is nothing to compare with."""
    head = conn.execute("select entry_hash from ledger order by id desc limit 1").fetchone()
    previous = head[0] if head else GENESIS
    # the latest value of each field, in one query
    latest = (
        {}
        if new
        else dict(
            conn.execute(
                "select field, value from ledger where id in "
                "(select max(id) from ledger where sha256 = ? group by field)",
                [sha256],
            ).fetchall()
        )
    )
    for field, value in values.items():
        if field in latest and latest[field] == value:
            continue
        digest = entry_hash(previous, sha256, field, value)
        conn.execute(
            "insert into ledger (sha256, field, value, previous_hash, entry_hash) "
            "values (?, ?, ?, ?, ?)",
            [sha256, field, value, previous, digest],
        )
        previous = digest


def record_document(conn: sqlite3.Connection, sha256: str) -> None:
    row = conn.execute(
        f"select {', '.join(DOCUMENT_FIELDS)} from documents where sha256 = ?", [sha256]
    ).fetchone()
    if row is not None:
        record(conn, sha256, dict(zip(DOCUMENT_FIELDS, row, strict=True)))


def _extraction_values(conn: sqlite3.Connection, sha256: str, row) -> dict[str, str | None]:
    status, errors, *detail = row
    return {
        "status": status,
        "errors": errors,
        "pages": pages_digest(conn, sha256),
        "detail": _canonical(detail),
    }


def record_extraction(conn: sqlite3.Connection, sha256: str) -> None:
    row = conn.execute(
        f"select status, errors, {', '.join(EXTRACTION_DETAIL)} from extractions where sha256 = ?",
        [sha256],
    ).fetchone()
    if row is not None:
        record(conn, sha256, _extraction_values(conn, sha256, row))


def record_row(conn: sqlite3.Connection, table: str, row_id: int) -> None:
    """Enter a row of an evidence table (``ROWS``) as it is now."""
    fields = ROWS[table]
    row = conn.execute(f"select {', '.join(fields)} from {table} where id = ?", [row_id]).fetchone()
    if row is not None:
        record(conn, f"{table}:{row_id}", {"row": _canonical(list(row))}, new=True)


def check(conn: sqlite3.Connection) -> Iterator[str]:
    """Every break in the ledger, and every column that differs from its latest entry."""
    previous = GENESIS
    latest: dict[tuple[str, str], str | None] = {}
    for entry_id, sha256, field, value, previous_hash, digest in conn.execute(
        "select id, sha256, field, value, previous_hash, entry_hash from ledger order by id"
    ).fetchall():
        if previous_hash != previous:
            yield f"ledger entry {entry_id}: the entry before it is missing or was changed"
        if entry_hash(previous_hash, sha256, field, value) != digest:
            yield f"ledger entry {entry_id}: changed after it was recorded ({sha256} {field})"
        latest[(sha256, field)] = value
        previous = digest
    for row in conn.execute(f"select sha256, {', '.join(DOCUMENT_FIELDS)} from documents"):
        for field, value in zip(DOCUMENT_FIELDS, row[1:], strict=True):
            if (row[0], field) not in latest:
                yield f"document {row[0]}: {field} is not in the ledger (written behind its back)"
            elif latest[(row[0], field)] != value:
                yield f"document {row[0]}: {field} differs from what was recorded"
    for sha256, *row in conn.execute(
        f"select sha256, status, errors, {', '.join(EXTRACTION_DETAIL)} from extractions"
    ).fetchall():
        for field, value in _extraction_values(conn, sha256, row).items():
            if latest.get((sha256, field), value) != value or (sha256, field) not in latest:
                what = "its pages' text" if field == "pages" else f"extraction {field}"
                yield f"document {sha256}: {what} differs from what was recorded"
    for table, fields in ROWS.items():
        present = set()
        for row_id, *row in conn.execute(f"select id, {', '.join(fields)} from {table}"):
            key = f"{table}:{row_id}"
            present.add(key)
            if (key, "row") not in latest:
                yield f"{table} {row_id}: not in the ledger (written behind its back)"
            elif latest[(key, "row")] != _canonical(row):
                yield f"{table} {row_id}: differs from what was recorded"
        for key, _field in latest:
            if key.startswith(f"{table}:") and key not in present:
                yield f"{table} {key.split(':', 1)[1]}: the row was deleted"
