"""The archive: originals in the blob store, fetches in WARC files, rows in archive.db.

Order of writes: blob, then WARC, then one database transaction. A process killed between
them leaves at most an unreferenced blob or WARC record; running the same step again reuses the
blob (same bytes, same name) and writes the rows, so nothing is lost and nothing is doubled.

A crawl writes in batches (start_batching): blobs and WARC appends are synced, and the database
committed, once per batch of captures rather than per capture, in the same order, so the
database never names bytes that are not durable. A batch's rows are kept in memory, in order,
and written in one short transaction when the batch is flushed: the write lock is held for the
few milliseconds the rows take, not for the whole batch, so several crawl processes (and an
indexer, and Datasette's readers) share the file without waiting on one another. A write that
fails (a full disk, a read-only database) rolls back the batch and makes every later write
refuse: the caller stops, and what was not committed is fetched again by a resumed crawl.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import sqlite_utils

from wooarchive.archive import chain, ledger, municipalities
from wooarchive.archive import db as schema
from wooarchive.archive.blobs import BlobStore, StoredBlob
from wooarchive.archive.names import disposition_filename, safe_name
from wooarchive.archive.sniff import declared_by_name, mismatch, sniff
from wooarchive.archive.titles import fallback_title, title_of
from wooarchive.archive.warc import WarcFileWriter, WarcLocation
from wooarchive.config import Settings, settings

log = logging.getLogger(__name__)


class ArchiveError(Exception):
    """A problem the user can act on; its message names the file or URL."""


class ArchiveWriteError(ArchiveError):
    """Writing to the archive failed (a full disk, a read-only database). Nothing of the failed
    write or of its uncommitted batch was kept."""


# Captures per batch at most; the crawl also flushes on a timer and before a site is finished.
BATCH_CAPTURES = 256


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({exc.filename})" if exc.filename else exc.strerror
    code = getattr(exc, "sqlite_errorname", None)  # SQLITE_FULL, SQLITE_IOERR_WRITE, ...
    return f"{exc} ({code})" if code else str(exc) or type(exc).__name__


def utc_iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Exchange:
    """One HTTP request and its response, as they went over the wire."""

    requested_url: str
    url: str
    redirect_chain: list[str]
    fetched_at: datetime
    request_line: str
    request_headers: list[tuple[str, str]]
    http_version: str
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    raw_body: Path | bytes  # payload as received: content-encoding intact
    raw_size: int
    ip_address: str | None = None

    def header(self, name: str) -> str | None:
        for key, value in self.response_headers:
            if key.lower() == name.lower():
                return value
        return None


@dataclass
class Recorded:
    """What archiving one capture did."""

    capture_id: int | None  # None while its batch is not yet written
    sha256: str
    size: int
    new_blob: bool
    document: bool  # a document row was created or touched (2xx responses and files)
    mime: str
    problems: list[str] = field(default_factory=list)
    revisit_of: str | None = None  # a 304's: the content it confirms unchanged


class Archive:
    """Entry point for everything that writes evidence. Open one per process."""

    def __init__(self, config: Settings | None = None, user_agent: str | None = None):
        self.settings = config or settings()
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        self.db: sqlite_utils.Database = schema.connect(self.settings.archive_db)
        if not self.db["municipalities"].count:
            municipalities.load(self.db)
        self.blobs = BlobStore(self.settings.blobs_dir)
        self.user_agent = user_agent or self.settings.user_agent
        self._warc: WarcFileWriter | None = None
        self.batching = False
        self.pending = 0
        self.queued: list[Callable[[], None]] = []  # a batch's writes, in order, until flushed
        self.failed: str | None = None  # why writing stopped, once it has

    @property
    def warc(self) -> WarcFileWriter:
        if self._warc is None:
            self._warc = WarcFileWriter(self.settings.warc_dir)
            self._warc.defer_sync = self.batching
        return self._warc

    def start_batching(self) -> None:
        """Write in batches from now on: one sync of the new blobs and the WARC file and one
        commit per batch (flush), instead of four fsyncs and two commits per response."""
        self.batching = True
        self.blobs.defer_sync = True
        if self._warc is not None:
            self._warc.defer_sync = True

    def flush(self) -> None:
        """Make the current batch durable: blobs and WARC synced first, then the batch's rows
        written and committed in one transaction."""
        if self.failed:
            raise ArchiveWriteError(self.failed)
        try:
            self.blobs.sync()  # a syncfs of the data directory's file system: the WARC file too
            if self._warc is not None:
                self._warc.sync()
            self._write_queued()
            if self.db.conn.in_transaction:
                self.db.execute("COMMIT")
        except (OSError, sqlite3.Error) as exc:
            self._fail(exc)
        self.pending = 0

    def _write_queued(self) -> None:
        """The batch's rows, each in a savepoint of one transaction: a write that fails for its
        own reason (a bug, a constraint) loses that write only, as it did when written at once;
        a storage error fails the batch."""
        if not self.queued:
            return
        conn = self.db.conn
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
        queued, self.queued = self.queued, []
        for write in queued:
            conn.execute("SAVEPOINT capture")
            try:
                write()
            except (OSError, sqlite3.OperationalError):
                raise
            except Exception:  # noqa: BLE001 - one write's own fault never loses the batch
                log.exception("a write of the batch failed; the others are kept")
                conn.execute("ROLLBACK TO capture")
            conn.execute("RELEASE capture")

    def _write(self, write: Callable[[], None]) -> None:
        """One write: at once in its own transaction, or, while batching, queued for the
        batch's transaction (see the module's docstring)."""
        if self.failed:
            raise ArchiveWriteError(self.failed)
        if not self.batching:
            with self.writing():
                write()
            return
        self.queued.append(write)
        self.pending += 1
        if self.pending >= BATCH_CAPTURES:
            self.flush()

    def _fail(self, exc: BaseException) -> None:
        if self.db.conn.in_transaction:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite may have rolled back already
        self.failed = f"cannot write to the archive in {self.settings.data_dir}: {_reason(exc)}"
        raise ArchiveWriteError(self.failed) from exc

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One write: its own transaction, or a savepoint in the open batch. A storage error
        becomes ArchiveWriteError and stops all further writes."""
        if self.failed:
            raise ArchiveWriteError(self.failed)
        conn = self.db.conn
        try:
            if not self.batching:
                with conn:
                    conn.execute("BEGIN IMMEDIATE")
                    yield
                return
            # the batch's queued rows first: they come before this write, in one transaction
            self._write_queued()
            if not conn.in_transaction:
                conn.execute("BEGIN IMMEDIATE")
            conn.execute("SAVEPOINT capture")
            try:
                yield
            except BaseException:
                try:
                    conn.execute("ROLLBACK TO capture")
                    conn.execute("RELEASE capture")
                except sqlite3.Error:
                    # SQLite rolled the whole transaction back on the error itself (a full
                    # disk, a file too large): the savepoint is gone; the error to tell is the
                    # one that caused it
                    pass
                raise
            conn.execute("RELEASE capture")
        except (OSError, sqlite3.OperationalError) as exc:
            self._fail(exc)
        if self.batching:
            self.pending += 1
            if self.pending >= BATCH_CAPTURES:
                self.flush()

    def check_municipality(self, code: str | None) -> str | None:
        if code is None:
            return None
        if municipalities.get(self.db, code) is None:
            raise ArchiveError(f"unknown municipality code {code!r} (see `woo municipalities`)")
        return code.upper()

    def record_exchange(
        self,
        exchange: Exchange,
        body: Path | bytes,
        *,
        municipality_code: str | None = None,
        kind: str | None = None,
        title: str | None = None,
    ) -> Recorded:
        """Archive an HTTP exchange; ``body`` is the decoded payload (what the blob stores).

        Every response is a capture, errors and redirects included (they are evidence); only a
        2xx response makes or touches a document row.
        """
        if self.failed:
            raise ArchiveWriteError(self.failed)
        if municipality_code is None:
            municipality_code = municipalities.for_url(self.db, exchange.url)
        try:
            # bytes in memory (a crawl's response) or a file (a large `woo archive add`)
            blob = (
                self.blobs.put_bytes(body) if isinstance(body, bytes) else self.blobs.put_file(body)
            )
            raw_body = exchange.raw_body
            with BytesIO(raw_body) if isinstance(raw_body, bytes) else open(raw_body, "rb") as raw:
                location = self.warc.write_exchange(
                    url=exchange.url,
                    when=exchange.fetched_at,
                    request_line=exchange.request_line,
                    request_headers=exchange.request_headers,
                    status_line=f"{exchange.http_version} {exchange.status} {exchange.reason}".rstrip(),
                    response_headers=exchange.response_headers,
                    body=raw,
                    body_size=exchange.raw_size,
                    ip_address=exchange.ip_address,
                )
        except OSError as exc:
            self._fail(exc)
        content_type = exchange.header("content-type")
        row = {
            "requested_url": exchange.requested_url,
            "url": exchange.url,
            "redirect_chain": json.dumps(exchange.redirect_chain)
            if exchange.redirect_chain
            else None,
            "fetched_at": utc_iso(exchange.fetched_at),
            "method": "http",
            "status": exchange.status,
            "reason": exchange.reason,
            "headers": json.dumps(exchange.response_headers),
            "content_type": content_type,
            "user_agent": self.user_agent,
        }
        is_document = 200 <= exchange.status < 300
        if exchange.status == 304:
            row["revisit_of"] = self._latest_version(exchange.url)
        named = disposition_filename(exchange.header("content-disposition"))
        declared = content_type or declared_by_name(named or exchange.url)
        return self._commit(
            row,
            blob,
            location,
            body,
            declared,
            is_document,
            municipality_code=municipality_code,
            kind=kind,
            title=title,
            name=named or exchange.url,
        )

    def record_file(
        self,
        path: Path,
        *,
        municipality_code: str | None = None,
        kind: str | None = None,
        title: str | None = None,
    ) -> Recorded:
        """Archive a local file as a WARC resource record. Only the file's name is kept as its
        source (``file:NAME``): a local path can name the person who saved it."""
        path = Path(path)
        if not path.exists():
            raise ArchiveError(f"{path}: no such file")
        if path.is_dir():
            raise ArchiveError(f"{path}: is a directory, not a file")
        if self.failed:
            raise ArchiveWriteError(self.failed)
        try:
            with open(path, "rb"):
                pass
        except PermissionError as exc:
            raise ArchiveError(f"{path}: cannot read ({exc.strerror})") from exc
        when = now()
        uri = f"file:{safe_name(path.name)}"
        try:
            blob = self.blobs.put_file(path)
            mime = sniff(blob.path)
            with open(blob.path, "rb") as body:
                location = self.warc.write_resource(
                    uri=uri, when=when, content_type=mime, body=body
                )
        except OSError as exc:
            self._fail(exc)
        row = {
            "requested_url": uri,
            "url": uri,
            "redirect_chain": None,
            "fetched_at": utc_iso(when),
            "method": "file",
            "status": None,
            "reason": None,
            "headers": None,
            "content_type": None,
            "user_agent": None,
        }
        return self._commit(
            row,
            blob,
            location,
            blob.path,
            declared_by_name(path.name),
            True,
            municipality_code=municipality_code,
            kind=kind,
            title=title,
            name=safe_name(path.name),
        )

    def _commit(
        self,
        row: dict,
        blob: StoredBlob,
        location: WarcLocation,
        body: Path | bytes,
        declared: str | None,
        is_document: bool,
        *,
        municipality_code: str | None,
        kind: str | None,
        title: str | None,
        name: str,
    ) -> Recorded:
        mime = sniff(blob.path)
        problems = [p for p in [mismatch(declared, mime)] if p]
        if blob.size == 0:
            problems.append("empty (zero bytes)")
        row.update(
            sha256=blob.sha256,
            size=blob.size,
            warc_file=location.filename,
            warc_offset=location.offset,
            warc_length=location.length,
            warc_record_id=location.record_id,
            municipality_code=municipality_code,
            tool=self.settings.tool,
        )
        title = title or title_of(body, mime) or fallback_title(name)
        written: dict[str, int] = {}

        def write() -> None:
            columns = ", ".join(row)
            values = ", ".join(f":{c}" for c in row)
            capture_id = written["capture_id"] = self.db.execute(
                f"insert into captures ({columns}) values ({values})", row
            ).lastrowid
            chain.append(self.db.conn, capture_id)
            if is_document:
                self.db.execute(
                    """
                    insert into documents (sha256, kind, title, municipality_code, first_url,
                        first_seen, last_seen, mime, size, problems)
                    values (:sha256, :kind, :title, :municipality_code, :url, :seen, :seen,
                        :mime, :size, :problems)
                    on conflict (sha256) do update set
                        first_seen = min(first_seen, excluded.first_seen),
                        last_seen = max(last_seen, excluded.last_seen),
                        kind = case when documents.kind is null or documents.kind = 'other'
                            then coalesce(excluded.kind, documents.kind) else documents.kind end,
                        municipality_code = coalesce(documents.municipality_code,
                            excluded.municipality_code)
                    """,
                    {
                        "sha256": blob.sha256,
                        "kind": kind,
                        "title": title,
                        "municipality_code": municipality_code,
                        "url": row["url"],
                        "seen": row["fetched_at"],
                        "mime": mime,
                        "size": blob.size,
                        "problems": "; ".join(problems) or None,
                    },
                )
                ledger.record_document(self.db.conn, blob.sha256)
                self._track_version(row["url"], blob.sha256, row["fetched_at"], capture_id)
            elif row.get("revisit_of"):
                self._track_version(row["url"], row["revisit_of"], row["fetched_at"], capture_id)
                self.db.execute(
                    "update documents set last_seen = max(last_seen, ?) where sha256 = ?",
                    [row["fetched_at"], row["revisit_of"]],
                )

        self._write(write)
        return Recorded(
            written.get("capture_id"),
            blob.sha256,
            blob.size,
            blob.new,
            is_document,
            mime,
            problems,
            row.get("revisit_of"),
        )

    def _latest_version(self, url: str) -> str | None:
        row = self.db.execute(
            "select sha256 from url_versions where url = ? order by id desc limit 1", [url]
        ).fetchone()
        return row[0] if row else None

    def _track_version(self, url: str, sha256: str, seen: str, capture_id: int) -> None:
        """Same content as the URL's latest version: it was still there at ``seen``. Other
        content: a new version, linked to the one it replaced."""
        last = self.db.execute(
            "select id, sha256 from url_versions where url = ? order by id desc limit 1", [url]
        ).fetchone()
        if last and last[1] == sha256:
            self.db.execute(
                "update url_versions set last_seen = max(last_seen, ?) where id = ?",
                [seen, last[0]],
            )
            return
        inserted = self.db.execute(
            "insert into url_versions (url, sha256, previous_sha256, first_seen, last_seen, "
            "first_capture_id) values (?, ?, ?, ?, ?, ?)",
            [url, sha256, last[1] if last else None, seen, seen, capture_id],
        ).lastrowid
        ledger.record_row(self.db.conn, "url_versions", inserted)

    def previous_validators(self, url: str) -> dict[str, str]:
        """ETag and Last-Modified of the URL's latest successful capture, for a conditional
        request: a scheduled re-crawl asks "changed since?" instead of fetching again."""
        row = self.db.execute(
            "select headers from captures where url = ? and status between 200 and 299 "
            "order by id desc limit 1",
            [url],
        ).fetchone()
        if not row or not row[0]:
            return {}
        found = {}
        for key, value in json.loads(row[0]):
            if key.lower() == "etag":
                found["If-None-Match"] = value
            elif key.lower() == "last-modified":
                found["If-Modified-Since"] = value
        return found

    def classify(
        self, sha256: str, kind: str, evidence: list[str], title: str | None = None
    ) -> None:
        """Record what a document is and why (the cues that fired). A specific kind replaces
        'other'; a specific kind already recorded is kept, so re-crawls are stable."""

        def write() -> None:
            self.db.execute(
                """
                update documents set
                    kind = case when kind is null or kind = 'other' then :kind else kind end,
                    kind_evidence = case when kind is null or kind = 'other' or kind = :kind
                        then :evidence else kind_evidence end,
                    title = case when :title is not null and (kind is null or kind = 'other')
                        then :title else title end
                where sha256 = :sha256
                """,
                {
                    "sha256": sha256,
                    "kind": kind,
                    "evidence": json.dumps(evidence, ensure_ascii=False),
                    "title": title,
                },
            )
            ledger.record_document(self.db.conn, sha256)

        self._write(write)

    def record_outlink(
        self, municipality_code: str | None, url: str, from_url: str, anchor: str
    ) -> None:
        """A link to another organisation's host, recorded and not followed."""
        seen = utc_iso(now())

        def write() -> None:
            self.db.execute(
                "insert into outlinks (municipality_code, url, host, from_url, anchor, first_seen, "
                "last_seen) values (?, ?, ?, ?, ?, ?, ?) on conflict (municipality_code, url) "
                "do update set last_seen = excluded.last_seen",
                [
                    municipality_code,
                    url,
                    urlsplit(url).netloc.lower(),
                    from_url,
                    anchor,
                    seen,
                    seen,
                ],
            )

        self._write(write)

    def record_fetch_error(
        self, url: str, error: str, municipality_code: str | None = None
    ) -> None:
        attempted = utc_iso(now())

        def write() -> None:
            # a plain statement: sqlite-utils' insert would commit the open batch
            inserted = self.db.execute(
                "insert into fetch_errors (url, attempted_at, error, municipality_code, tool) "
                "values (?, ?, ?, ?, ?)",
                [url, attempted, error, municipality_code, self.settings.tool],
            ).lastrowid
            ledger.record_row(self.db.conn, "fetch_errors", inserted)

        self._write(write)
