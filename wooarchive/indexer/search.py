"""Search the archive the way a researcher asks: ranked, stemmed, with the page and a citation."""

from __future__ import annotations

import sqlite3
from dataclasses import asdict, dataclass, field

from wooarchive.archive.cite import cite
from wooarchive.archive.store import Archive, ArchiveError
from wooarchive.indexer import whoosh_index


@dataclass
class Hit:
    sha256: str
    page: int
    title: str
    municipality_code: str
    kind: str
    score: float
    snippet: str
    citation: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Results:
    query: str
    total: int
    hits: list[Hit]
    suggestion: str | None
    exact: bool = True  # False: the total is an estimate
    nothing_to_search: bool = False  # only stop words
    compounds: list[str] = field(default_factory=list)  # also searched as their parts


def page_text(conn: sqlite3.Connection):
    """``text_of(sha256, page)``: a page's text, for the snippet of a hit."""

    def text_of(sha256: str, page: int) -> str:
        row = conn.execute(
            "select text from pages where sha256 = ? and page = ?", [sha256, page]
        ).fetchone()
        return row[0] if row else ""

    return text_of


def search(
    archive: Archive,
    query: str,
    *,
    municipality: str | None = None,
    kind: str | None = None,
    limit: int = 10,
) -> Results:
    if not query.strip():
        raise ArchiveError("empty query")
    if not whoosh_index.exists(archive.settings.whoosh_dir):
        raise ArchiveError(f"{archive.settings.whoosh_dir}: no search index yet (run `woo index`)")
    found = whoosh_index.search(
        archive.settings.whoosh_dir,
        query,
        page_text(archive.db.conn),
        municipality=municipality,
        kind=kind,
        limit=limit,
    )
    hits = []
    for h in found.hits:
        citation = cite(archive.db, archive.settings, h.sha256).text()
        hits.append(
            Hit(
                h.sha256,
                h.page,
                h.title,
                h.municipality,
                h.kind,
                h.score,
                h.snippet,
                citation.rstrip(".") + f", p. {h.page}.",
            )
        )
    return Results(
        query,
        found.total,
        hits,
        found.suggestion,
        found.exact,
        found.nothing_to_search,
        found.compounds,
    )


@dataclass
class Similar:
    sha256: str
    title: str
    municipality_code: str | None
    kind: str | None
    similarity: float


def similar(archive: Archive, sha256: str, limit: int = 10) -> list[Similar]:
    """Documents like this one (many privacy statements copy the same model text), each with
    the share of five-word runs it has in common with it."""
    db = archive.db
    rows = list(db.query("select page, text from pages where sha256 = ? order by page", [sha256]))
    if not rows:
        raise ArchiveError(f"{sha256}: no extracted text for this document (run `woo index`)")
    text = "\n".join(r["text"] for r in rows)
    found = []
    for other, _page, _score in whoosh_index.more_like(
        archive.settings.whoosh_dir, sha256, text, limit
    ):
        other_text = "\n".join(
            r[0]
            for r in db.execute("select text from pages where sha256 = ? order by page", [other])
        )
        doc = db["documents"].get(other)
        found.append(
            Similar(
                other,
                doc["title"],
                doc["municipality_code"],
                doc["kind"],
                whoosh_index.similarity(text, other_text),
            )
        )
    return sorted(found, key=lambda s: -s.similarity)


MIN_FTS_PREFIX = 4  # a word's stem shorter than this is searched as the word itself


def _fts_string(text: str) -> str:
    """An FTS5 string: quoted, so that no character of the visitor's is syntax."""
    return '"' + text.replace('"', '""') + '"'


def fts_form(clause: whoosh_index.Clause) -> tuple[str, str]:
    """How a clause is searched in FTS5: ("phrase", words), ("prefix", start) or ("word",
    word). A word is widened to what it and its stem begin with (algoritme: algoritm*, which
    finds algoritmes, algoritmen and algoritmeregister, as the ranked search does), unless that
    is shorter than MIN_FTS_PREFIX."""
    if clause.kind in ("phrase", "prefix"):
        return clause.kind, clause.text
    word = whoosh_index._folded(clause.text)
    stem = whoosh_index.dutch_stem(word)
    common = 0
    while common < min(len(word), len(stem)) and word[common] == stem[common]:
        common += 1
    if common < MIN_FTS_PREFIX:
        return "word", word
    return "prefix", word[:common]


def _fts_clause(clause: whoosh_index.Clause) -> str:
    kind, text = fts_form(clause)
    return _fts_string(text) + ("*" if kind == "prefix" else "")


def fts_match(query: str) -> str | None:
    """The visitor's query (the same operators as the ranked search: OR, NOT or -, "phrases",
    prefix*) as an FTS5 MATCH expression for the pages table, each word widened to the forms
    that begin as it does; None when nothing is left to search for."""
    asked = whoosh_index.visitor_query(query)
    groups = [
        "(" + " OR ".join(_fts_clause(clause) for clause in group) + ")"
        for group in asked.groups
        if group
    ]
    if not groups:
        return None
    expression = " AND ".join(groups)
    for clause in asked.negatives:
        expression += " NOT " + _fts_clause(clause)
    return expression
