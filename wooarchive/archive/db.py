"""The public archive database (archive.db): schema and in-place migrations.

The schema version is SQLite's ``user_version``. Each migration is a function applied once, in
order, inside a transaction, so an existing data directory upgrades in place when a newer
woo-archive opens it, and a half-applied migration never sticks.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

KINDS = (
    "privacy_statement",
    "processing_register",
    "fg_contact",
    "dpia",
    "algorithm_register",
    "woo_decision",
    "woo_page",
    "woo_document",  # released under the Woo, listed beside its decision: not a decision itself
    "woo_publication",  # listed in a DiWoo sitemap under another category of Woo art. 3.3
    "other",
    "soft_404",  # answered 200 but says "not found": kept as evidence, never counted as found
    "crawl_record",  # robots.txt and sitemaps: evidence of the crawl, not a publication
)


Migration = Callable[[sqlite_utils.Database], None]


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction on our connections. They are opened in autocommit mode
    (isolation_level=None), where ``with conn:`` starts no transaction: each statement would
    commit on its own and a reader could see the half-way state (statistics deleted and not yet
    written again). Inside a transaction already, it joins it."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _initial(db: sqlite_utils.Database) -> None:
    db["municipalities"].create(
        {
            "code": str,
            "name": str,
            "website": str,
            "domain": str,
            "woo_info_url": str,
            "postbus": str,
            "postcode": str,
            "plaats": str,
            "email": str,
            "tooi_code": str,
            "oin": str,
        },
        pk="code",
    )
    db["documents"].create(
        {
            "sha256": str,
            "kind": str,
            "title": str,
            "municipality_code": str,
            "first_url": str,
            "first_seen": str,
            "last_seen": str,
            "mime": str,
            "size": int,
            "problems": str,
        },
        pk="sha256",
        foreign_keys=[("municipality_code", "municipalities", "code")],
    )
    db["captures"].create(
        {
            "id": int,
            "requested_url": str,
            "url": str,
            "redirect_chain": str,
            "fetched_at": str,
            "method": str,
            "status": int,
            "reason": str,
            "headers": str,
            "content_type": str,
            "sha256": str,
            "size": int,
            "warc_file": str,
            "warc_offset": int,
            "warc_length": int,
            "warc_record_id": str,
            "municipality_code": str,
            "tool": str,
            "user_agent": str,
        },
        pk="id",
        foreign_keys=[("municipality_code", "municipalities", "code")],
    )
    db["captures"].create_index(["sha256"])
    db["captures"].create_index(["url"])
    db["captures"].create_index(["requested_url"])
    db["documents"].create_index(["municipality_code", "kind"])


def _fetch_errors(db: sqlite_utils.Database) -> None:
    """A fetch that got no response at all leaves no capture; it is still worth a row, because
    "gemeente X's site did not answer on date Z" is a finding too."""
    db["fetch_errors"].create(
        {
            "id": int,
            "url": str,
            "attempted_at": str,
            "error": str,
            "municipality_code": str,
            "tool": str,
        },
        pk="id",
    )


def _versions_and_crawls(db: sqlite_utils.Database) -> None:
    """The history of each URL (so a changed privacy statement shows as a new version linked to
    the one before), 304 answers as revisits of known content, why a document got its kind,
    and per-municipality checkpoints that let a killed crawl resume."""
    db["documents"].add_column("kind_evidence", str)
    db["captures"].add_column("revisit_of", str)
    db["url_versions"].create(
        {
            "id": int,
            "url": str,
            "sha256": str,
            "previous_sha256": str,
            "first_seen": str,
            "last_seen": str,
            "first_capture_id": int,
        },
        pk="id",
    )
    db["url_versions"].create_index(["url", "id"])
    db["crawl_runs"].create(
        {"id": int, "started_at": str, "finished_at": str, "args": str}, pk="id"
    )
    db["crawl_sites"].create(
        {
            "run_id": int,
            "municipality_code": str,
            "start_url": str,
            "started_at": str,
            "finished_at": str,
            "pages": int,
            "documents": int,
            "errors": int,
        },
        pk=("run_id", "municipality_code"),
    )
    previous: dict[str, dict] = {}
    for row in db.query(
        "select id, url, sha256, fetched_at from captures "
        "where status between 200 and 299 order by fetched_at, id"
    ):
        last = previous.get(row["url"])
        if last and last["sha256"] == row["sha256"]:
            db.execute(
                "update url_versions set last_seen = ? where id = ?",
                [row["fetched_at"], last["id"]],
            )
            continue
        cursor = db.execute(
            "insert into url_versions (url, sha256, previous_sha256, first_seen, last_seen, "
            "first_capture_id) values (?, ?, ?, ?, ?, ?)",
            [
                row["url"],
                row["sha256"],
                last and last["sha256"],
                row["fetched_at"],
                row["fetched_at"],
                row["id"],
            ],
        )
        previous[row["url"]] = {"id": cursor.lastrowid, "sha256": row["sha256"]}


def _pages(db: sqlite_utils.Database) -> None:
    """Text per page (with how it was got and how good it looks), full-text search over it with
    Dutch diacritics folded, one extraction row per document (so nothing is read or OCR'd twice,
    and what could not be read says why), and the cells of tables such as processing registers."""
    db["extractions"].create(
        {
            "sha256": str,
            "status": str,
            "pages": int,
            "ocr_pages": int,
            "errors": str,
            "extracted_at": str,
            "tool": str,
        },
        pk="sha256",
    )
    db["pages"].create(
        {
            "sha256": str,
            "page": int,
            "method": str,
            "quality": float,
            "text": str,
            "municipality_code": str,
            "kind": str,
        },
        pk=("sha256", "page"),
    )
    db["pages"].create_index(["municipality_code", "kind"])
    db["pages"].enable_fts(["text"], tokenize="unicode61 remove_diacritics 2", create_triggers=True)
    db["register_cells"].create(
        {"sha256": str, "sheet": str, "row": int, "col": int, "header": str, "value": str},
        pk=("sha256", "sheet", "row", "col"),
    )
    db["register_cells"].create_index(["header", "value"])


def _request_stats(db: sqlite_utils.Database) -> None:
    """Aggregates of the private request tracker that a user chose to publish (`woo requests
    publish-stats`): counts and times per municipality, never a request or a requester."""
    db["request_stats"].create(
        {
            "municipality_code": str,
            "requests": int,
            "decided": int,
            "judged": int,
            "on_time": int,
            "on_time_share": float,
            "median_days": int,
            "published_at": str,
        },
        pk="municipality_code",
    )


def _year(db: sqlite_utils.Database) -> None:
    """The year a document was first seen, as a column to facet on; generated, so it can never
    disagree with first_seen."""
    db.execute(
        "alter table documents add column year integer "
        "generated always as (cast(substr(first_seen, 1, 4) as integer)) virtual"
    )


def _capture_chain(db: sqlite_utils.Database) -> None:
    """The tamper-evident log of captures (see chain.py); existing captures are chained in
    the order they were made."""
    from wooarchive.archive import chain

    db["capture_chain"].create(
        {"capture_id": int, "previous_hash": str, "entry_hash": str}, pk="capture_id"
    )
    for (capture_id,) in db.execute("select id from captures order by id").fetchall():
        chain.append(db.conn, capture_id)


def _search_queue(db: sqlite_utils.Database) -> None:
    """What keeps the search indexes true to the pages table: documents whose pages changed,
    queued in the transaction that changed them and taken off once Whoosh has them (FTS5
    follows by trigger), and a digest of every page's text taken when it was extracted, so that
    `woo verify` can tell a page changed behind the archive's back."""
    import hashlib

    db["search_queue"].create({"sha256": str, "queued_at": str}, pk="sha256")
    db["pages"].add_column("text_sha256", str)
    db.conn.create_function(
        "woo_sha256", 1, lambda text: hashlib.sha256((text or "").encode()).hexdigest()
    )
    db.execute("update pages set text_sha256 = woo_sha256(text)")


def _ledger(db: sqlite_utils.Database) -> None:
    """The document ledger (see ledger.py), started with what the archive says today."""
    from wooarchive.archive import ledger

    db["ledger"].create(
        {
            "id": int,
            "sha256": str,
            "field": str,
            "value": str,
            "previous_hash": str,
            "entry_hash": str,
        },
        pk="id",
    )
    db["ledger"].create_index(["sha256", "field", "id"])
    for (sha256,) in db.execute("select sha256 from documents order by rowid").fetchall():
        ledger.record_document(db.conn, sha256)
    for (sha256,) in db.execute("select sha256 from extractions order by rowid").fetchall():
        ledger.record_extraction(db.conn, sha256)


def _request_survival(db: sqlite_utils.Database) -> None:
    """The Kaplan-Meier curve of time to decision that a user published with the request
    statistics: per municipality (cells of at least five requests) and for the country (NL)."""
    db["request_survival"].create(
        {
            "municipality_code": str,
            "days": int,
            "survival": float,
            "at_risk": int,
            "decided": int,
            "censored": int,
            "published_at": str,
        },
        pk=("municipality_code", "days"),
    )


def _woo_decisions(db: sqlite_utils.Database) -> None:
    """Woo decisions as data (decisions/): per decision its dates, law, outcome, number of
    documents, verdaging and timeliness, each value with the page and sentence it was read from;
    and every exception ground it cites, in canonical form beside its notation."""
    columns = {
        "sha256": str,
        "municipality_code": str,
        "decided_on": str,
        "received_on": str,
        "law": str,
        "outcome": str,
        "documents": int,
        "verdaging": int,
        "days_to_decision": int,
        "legal_due": str,
        "late": int,
        "problems": str,
        "extracted_at": str,
        "tool": str,
    }
    for name in ("decided_on", "received_on", "law", "outcome", "documents", "verdaging"):
        columns[f"{name}_page"] = int
        columns[f"{name}_evidence"] = str
    db["woo_decisions"].create(columns, pk="sha256")
    db["woo_decisions"].create_index(["municipality_code", "outcome"])
    db["woo_grounds"].create(
        {
            "id": int,
            "sha256": str,
            "code": str,
            "valid": int,
            "reason": str,
            "notation": str,
            "page": int,
            "sentence": str,
        },
        pk="id",
    )
    db["woo_grounds"].create_index(["sha256"])
    db["woo_grounds"].create_index(["code"])
    # how much of each page is blacked out, measured on the pages of Woo decisions
    db["pages"].add_column("redacted_share", float)
    db["pages"].add_column("redaction_boxes", int)
    db["extractions"].add_column("redacted_share", float)
    # inventories: the documents a decision lists, each with its assessment and grounds
    db["woo_inventories"].create(
        {
            "sha256": str,
            "decision_sha256": str,
            "items": int,
            "link": str,
            "extracted_at": str,
            "tool": str,
        },
        pk="sha256",
    )
    db["woo_inventory_items"].create(
        {
            "id": int,
            "inventory_sha256": str,
            "decision_sha256": str,
            "row": int,
            "page": int,
            "number": str,
            "title": str,
            "date": str,
            "assessment": str,
            "assessment_raw": str,
            "grounds": str,
            "invalid_grounds": str,
            "suspended": int,
        },
        pk="id",
    )
    db["woo_inventory_items"].create_index(["inventory_sha256"])
    db["woo_inventory_items"].create_index(["decision_sha256", "assessment"])


def _inventory_form(db: sqlite_utils.Database) -> None:
    """How an inventory was published (spreadsheet, CSV, HTML table, PDF table) and whether it
    is a document of its own: a PDF that opens with the inventory is no decision, even when
    the Woo page it was listed on made the crawler call it one. And the ground codes printed
    in a page's redaction boxes."""
    db["woo_inventories"].add_column("form", str)
    db["woo_inventories"].add_column("separate", int)
    # the exception grounds printed in a page's redaction boxes
    db["pages"].add_column("redaction_codes", str)


def _crawl_records(db: sqlite_utils.Database) -> None:
    """robots.txt and sitemaps are records of the crawl, not publications: their own kind,
    unread and out of search (their pages go, and the search queue takes them out of Whoosh).
    The new kind is entered in the document ledger, as every change of kind is."""
    from wooarchive.archive import ledger

    records = (
        "kind_evidence like '%robots.txt of the site%' "
        "or kind_evidence like '%sitemap named in robots.txt%'"
    )
    shas = [r[0] for r in db.execute(f"select sha256 from documents where {records}")]
    db.execute(f"update documents set kind = 'crawl_record' where {records}")
    for sha256 in shas:
        ledger.record_document(db.conn, sha256)
        db.execute("delete from pages where sha256 = ?", [sha256])
        db.execute("delete from extractions where sha256 = ?", [sha256])
        db.execute(
            "insert or replace into search_queue (sha256, queued_at) "
            "values (?, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
            [sha256],
        )


def _findings(db: sqlite_utils.Database) -> None:
    """What a page's sections are, beside what the page is: an FG contact that is a section of
    the privacy page, a register that is a table inside a larger page. One row per finding,
    with the section's heading, anchor and evidence; written when the page is read."""
    db["findings"].create(
        {"id": int, "sha256": str, "kind": str, "anchor": str, "heading": str, "evidence": str},
        pk="id",
    )
    db["findings"].create_index(["sha256"])
    db["findings"].create_index(["kind"])


def _search_vocabulary(db: sqlite_utils.Database) -> None:
    """How many pages hold each word (FTS5's own vocabulary, kept by FTS5 itself): what a search
    of a large archive shows as its estimate instead of counting every match."""
    db.execute("create virtual table pages_fts_vocab using fts5vocab(pages_fts, 'row')")


def _outlinks_and_site_notes(db: sqlite_utils.Database) -> None:
    """What cut or hurt each site's crawl (a page budget, a listing without end, a start URL
    that did not answer), and the links to other organisations' hosts that a crawl records but
    never follows (a national register, a news site): which ones a municipality points to is a
    finding, fetching them is not our business."""
    db["crawl_sites"].add_column("notes", str)
    db["outlinks"].create(
        {
            "id": int,
            "municipality_code": str,
            "url": str,
            "host": str,
            "from_url": str,
            "anchor": str,
            "first_seen": str,
            "last_seen": str,
        },
        pk="id",
    )
    db["outlinks"].create_index(["municipality_code", "url"], unique=True)
    db["outlinks"].create_index(["host"])


def _moved_sites(db: sqlite_utils.Database) -> None:
    """Where a municipality's listed address moved permanently (a merger, a new name): the
    crawl followed it there, and the scorecard says so."""
    db["crawl_sites"].add_column("moved_to", str)


def _anchored_ledger(db: sqlite_utils.Database) -> None:
    """Signed anchors of the chain and ledger heads (anchor.py), and the ledger over the
    evidence tables beside the captures (url_versions, fetch_errors) and every column of an
    extraction, started with what the archive says today."""
    from wooarchive.archive import ledger

    db["anchors"].create(
        {
            "id": int,
            "made_at": str,
            "reason": str,
            "capture_id": int,
            "capture_hash": str,
            "ledger_id": int,
            "ledger_hash": str,
            "signature": str,
            "timestamp": str,
        },
        pk="id",
    )
    for table in ledger.ROWS:
        for (row_id,) in db.execute(f"select id from {table} order by id").fetchall():
            ledger.record_row(db.conn, table, row_id)
    for (sha256,) in db.execute("select sha256 from extractions order by rowid").fetchall():
        ledger.record_extraction(db.conn, sha256)


def _pages_fts_by_insert(db: sqlite_utils.Database) -> None:
    """New pages reach FTS5 by the indexer's own insert (indexer.run.insert_pages), no longer by
    a trigger: a statement whose trigger writes to a virtual table opens a statement savepoint,
    on which FTS5 flushes its pending terms to a new segment, so every page inserted made a
    segment of its own (8,000 pages/s against 29,000 for FTS5 fed directly). Deleting and
    updating pages still keep the index true through their triggers."""
    db.execute("drop trigger if exists pages_ai")


def _inventory_dates(db: sqlite_utils.Database) -> None:
    """An inventory row's date as a date (ISO, `date_iso`) beside the cell's text (`date`, the
    evidence), and the row's notes: what could not be read and why. The decisions reader's new
    version reads every inventory again on the next `woo index`."""
    db["woo_inventory_items"].add_column("date_iso", str)
    db["woo_inventory_items"].add_column("notes", str)


def _inventory_verdicts(db: sqlite_utils.Database) -> None:
    """Every file read as an inventory gets its verdict (inventory, empty inventory, not an
    inventory) and the reason; a row keeps the columns the ministries' platform keeps beside
    the assessment: the public link, the remark (toelichting), related documents, family,
    e-mail thread and case number."""
    db["woo_inventories"].add_column("verdict", str)
    db["woo_inventories"].add_column("reason", str)
    for column in ("public_link", "remark", "related", "family", "thread", "case_number"):
        db["woo_inventory_items"].add_column(column, str)


def _redaction_boxes(db: sqlite_utils.Database) -> None:
    """Where a page's redaction boxes are (JSON: the page image's size and dpi, each box's
    place in its pixels, style and grounds), so a box can be shown over the page and checked."""
    db["pages"].add_column("redaction_detail", str)


def _inventory_matter_and_location(db: sqlite_utils.Database) -> None:
    """Two more of the platform's columns kept per inventory row: the matter a document was
    gathered under (its production report) and where the released document is (its public
    inventory's `Locatie document`)."""
    db["woo_inventory_items"].add_column("matter", str)
    db["woo_inventory_items"].add_column("location", str)


MIGRATIONS: list[Migration] = [
    _initial,
    _fetch_errors,
    _versions_and_crawls,
    _pages,
    _request_stats,
    _year,
    _capture_chain,
    _search_queue,
    _ledger,
    _request_survival,
    _woo_decisions,
    _inventory_form,
    _crawl_records,
    _findings,
    _search_vocabulary,
    _outlinks_and_site_notes,
    _moved_sites,
    _anchored_ledger,
    _pages_fts_by_insert,
    _inventory_dates,
    _inventory_verdicts,
    _redaction_boxes,
    _inventory_matter_and_location,
]
SCHEMA_VERSION = len(MIGRATIONS)


def _use_wal(conn: sqlite3.Connection, wait: float = 60.0) -> None:
    """Switch to WAL (a persistent setting, so only the first open changes it). The switch can
    fail with "database is locked" without waiting on the busy timeout when two processes create
    the archive at the same moment, so it is retried for a bounded time."""
    deadline = time.monotonic() + wait
    while conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        try:
            conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def connect(path: Path, *, upto: int | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) archive.db and bring its schema up to date."""
    return open_database(path, MIGRATIONS, upto=upto)


def open_database(
    path: Path, migrations: list[Migration], *, upto: int | None = None
) -> sqlite_utils.Database:
    """Open a database of ours and apply its pending migrations (archive.db and requests.db
    share this mechanism).

    WAL mode and a busy timeout let a crawl, an indexer and Datasette share the file, and let
    two archiving processes wait for each other instead of failing.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 60000")
    _use_wal(conn)
    conn.execute("PRAGMA foreign_keys = OFF")
    db = sqlite_utils.Database(conn)
    migrate(db, migrations, upto=upto)
    return db


def migrate(
    db: sqlite_utils.Database, migrations: list[Migration], *, upto: int | None = None
) -> int:
    """Apply pending migrations (up to ``upto``, for tests of old layouts); returns the version."""
    target = len(migrations) if upto is None else upto
    while True:
        db.execute("BEGIN IMMEDIATE")
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version >= target:
            db.execute("COMMIT")
            return version
        try:
            migrations[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
