"""The 342 municipalities, shipped with the package and loaded into archive.db."""

from __future__ import annotations

import csv
from importlib import resources
from urllib.parse import urlsplit

import sqlite_utils


def shipped() -> list[dict[str, str]]:
    """The rows of the packaged data file (see scripts/build_municipalities.py for its origin)."""
    text = resources.files("wooarchive").joinpath("data/municipalities.csv").read_text("utf-8")
    return [{k: (v or None) for k, v in row.items()} for row in csv.DictReader(text.splitlines())]


def load(db: sqlite_utils.Database) -> int:
    """Insert or refresh every municipality; idempotent. Returns how many rows were loaded."""
    rows = shipped()
    db["municipalities"].upsert_all(rows, pk="code")
    return len(rows)


def get(db: sqlite_utils.Database, code: str) -> dict | None:
    rows = list(db["municipalities"].rows_where("code = ?", [code.upper()]))
    return rows[0] if rows else None


def for_url(db: sqlite_utils.Database, url: str) -> str | None:
    """The code of the municipality whose website serves ``url`` (www. ignored; a subdomain of
    its site counts), if any."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    for code, domain in db.execute("select code, domain from municipalities"):
        base = (domain or "").lower().removeprefix("www.")
        if base and (host == base or host.endswith("." + base)):
            return code
    return None
