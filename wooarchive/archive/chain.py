"""A hash chain over the captures, so that a removed or rewritten capture row shows.

Each capture appends one entry in the same transaction that inserts it: the SHA-256 of the
previous entry's hash and a canonical JSON of the capture's fields. Rewriting a row breaks its
own entry; deleting a row (with or without its entry) breaks the link of the next one. Only the
newest entries can be cut off without a trace, which is why exports and dossiers carry the
head of the chain.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator

FIELDS = (
    "id",
    "requested_url",
    "url",
    "redirect_chain",
    "fetched_at",
    "method",
    "status",
    "reason",
    "headers",
    "content_type",
    "sha256",
    "size",
    "warc_file",
    "warc_offset",
    "warc_length",
    "warc_record_id",
    "municipality_code",
    "tool",
    "user_agent",
    "revisit_of",
)
GENESIS = "0" * 64


def entry_hash(previous: str, capture: dict) -> str:
    canonical = json.dumps(
        {k: capture.get(k) for k in FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def _capture(conn: sqlite3.Connection, capture_id: int) -> dict | None:
    cursor = conn.execute(f"select {', '.join(FIELDS)} from captures where id = ?", [capture_id])
    row = cursor.fetchone()
    return dict(zip(FIELDS, row, strict=True)) if row else None


def append(conn: sqlite3.Connection, capture_id: int) -> str:
    """Chain a capture just inserted (call inside the inserting transaction)."""
    head = conn.execute(
        "select entry_hash from capture_chain order by capture_id desc limit 1"
    ).fetchone()
    previous = head[0] if head else GENESIS
    digest = entry_hash(previous, _capture(conn, capture_id))
    conn.execute(
        "insert into capture_chain (capture_id, previous_hash, entry_hash) values (?, ?, ?)",
        [capture_id, previous, digest],
    )
    return digest


def head(conn: sqlite3.Connection) -> tuple[int, str] | None:
    row = conn.execute(
        "select capture_id, entry_hash from capture_chain order by capture_id desc limit 1"
    ).fetchone()
    return (row[0], row[1]) if row else None


def check(conn: sqlite3.Connection) -> Iterator[str]:
    """Every break in the chain, described; nothing when it holds."""
    previous = GENESIS
    entries = conn.execute(
        "select capture_id, previous_hash, entry_hash from capture_chain order by capture_id"
    )
    chained = set()
    for capture_id, previous_hash, digest in entries.fetchall():
        chained.add(capture_id)
        if previous_hash != previous:
            yield f"capture {capture_id}: the entry before it in the chain is missing or was changed"
        capture = _capture(conn, capture_id)
        if capture is None:
            yield f"capture {capture_id}: the row was deleted (its chain entry remains)"
        elif entry_hash(previous_hash, capture) != digest:
            yield f"capture {capture_id}: the row was changed after it was recorded"
        previous = digest
    for (capture_id,) in conn.execute("select id from captures order by id"):
        if capture_id not in chained:
            yield f"capture {capture_id}: not in the chain (inserted behind the archive's back)"
