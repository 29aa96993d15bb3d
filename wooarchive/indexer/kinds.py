"""What a file is, judged again once its text is read.

The crawler classifies a file by what leads to it (its link text, its address, the Woo listing
it is on) and does not read it: reading every PDF on the crawl's one thread cost more than
archiving it. The reader has the whole text, OCR included, so it judges what the crawl could
not: a file whose link said nothing ("Download") but whose text is a DPIA, and a file listed
beside a decision whose text reads as no decision (released under the Woo: ``woo_document``).
A kind the crawl gave from clear cues is kept.
"""

from __future__ import annotations

import json
import sqlite3

from wooarchive import cues

PAGES = 2  # the text of the first pages decides, as a reader's first glance would


def reclassify(conn: sqlite3.Connection, sha256: str, texts: list[str]) -> str | None:
    """Update the document's kind from its text, inside the caller's transaction; returns the
    new kind, or None when it stays."""
    row = conn.execute(
        "select kind, kind_evidence, first_url, title, mime from documents where sha256 = ?",
        [sha256],
    ).fetchone()
    if row is None or row[4] == "text/html" or row[0] not in (None, "other", "woo_decision"):
        return None
    kind, evidence, url, title, _ = row
    listing = cues.listing_of(evidence)
    text = " ".join(texts[:PAGES])
    verdict = cues.classify(
        url=url or "", anchor=title or "", text=text, is_document=True, from_woo_listing=listing
    )
    if kind == "woo_decision" and verdict.kind != "woo_document":
        return None  # only the text can say a listed file is no decision
    if verdict.kind in (kind, "other"):
        return None
    conn.execute(
        "update documents set kind = ?, kind_evidence = ? where sha256 = ?",
        [verdict.kind, json.dumps(verdict.evidence, ensure_ascii=False), sha256],
    )
    return verdict.kind
