"""WARC files: every fetch as a request record and a response record, read back with warcio.

A writer owns one file for its lifetime (one per `woo archive add`, one per crawl), so two
processes never append to the same file. Each record pair is first written to a spooled buffer
and then appended in one piece and fsynced, so the offsets we store are exact and a killed
process can at worst leave an unreferenced, truncated tail.

The response payload is stored as it came off the wire (still gzip-encoded if the server sent
it so); only the chunked framing, already removed by the HTTP client, is written back as a single
chunk so that the recorded headers stay verbatim and the record still parses.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import tempfile
import threading
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from wooarchive import __version__
from wooarchive.archive.blobs import fsync_path
from wooarchive.archive.names import header_safe_uri

SPOOL = 8 << 20

# Payloads that are compressed already: deflating them again at warcio's level 9 was half the
# CPU of `woo archive add` and gained nothing. They go into their gzip member stored (level 0),
# which every WARC reader reads like any other; everything else at zlib's default level.
STORED_TYPES = ("image/", "video/", "audio/", "font/")
STORED_SUBTYPES = {
    "application/pdf",
    "application/zip",
    "application/gzip",
    "application/x-gzip",
    "application/x-7z-compressed",
    "application/x-rar-compressed",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/epub+zip",
    "application/woff",
    "application/font-woff",
}


def compressed_already(content_type: str | None, content_encoding: str | None = None) -> bool:
    """Whether a payload of this type (or sent with this Content-Encoding) is compressed."""
    if content_encoding and content_encoding.strip().lower() not in ("", "identity"):
        return True
    kind = (content_type or "").split(";")[0].strip().lower()
    return kind.startswith(STORED_TYPES) or kind in STORED_SUBTYPES


class _Gzip:
    """One gzip member around a record, at the level the record deserves."""

    def __init__(self, out: BinaryIO, level: int):
        self.compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        self.out = out

    def write(self, data: bytes) -> None:
        self.out.write(self.compressor.compress(data))

    def flush(self) -> None:
        self.out.write(self.compressor.flush())
        self.out.flush()


class _Writer(WARCWriter):
    """warcio's writer, with the compression level chosen per record (``level``)."""

    level = zlib.Z_DEFAULT_COMPRESSION

    def _write_warc_record(self, out, record) -> None:
        self.gzip = False  # the member is ours: warcio would wrap it again at level 9
        try:
            super()._write_warc_record(_Gzip(out, self.level), record)
        finally:
            self.gzip = True


@dataclass(frozen=True)
class WarcLocation:
    """Where a capture's response (or resource) record sits: enough to read it back."""

    filename: str
    offset: int
    length: int
    record_id: str


def warc_date(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _chunked(body: BinaryIO, size: int) -> BinaryIO:
    framed = tempfile.SpooledTemporaryFile(max_size=SPOOL)
    if size:
        framed.write(f"{size:x}\r\n".encode())
        shutil.copyfileobj(body, framed)
        framed.write(b"\r\n")
    framed.write(b"0\r\n\r\n")
    framed.seek(0)
    return framed


class WarcFileWriter:
    """Appends record groups to one WARC file in ``warc_dir``, created on first use."""

    def __init__(self, warc_dir: Path, prefix: str = "woo"):
        self.warc_dir = Path(warc_dir)
        self.prefix = prefix
        self.filename: str | None = None
        self._lock = threading.Lock()
        # With deferred syncing (a crawl's batches), appends are made durable by sync(), once for
        # many, before the database rows that point into the file are committed.
        self.defer_sync = False
        self._dirty = False

    def _open(self) -> Path:
        if self.filename is None:
            self.warc_dir.mkdir(parents=True, exist_ok=True)
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
            self.filename = f"{self.prefix}-{stamp}-{os.getpid()}-{secrets.token_hex(3)}.warc.gz"
            buf = BytesIO()
            writer = WARCWriter(buf, gzip=True)
            writer.write_record(
                writer.create_warcinfo_record(
                    self.filename,
                    {"software": f"woo-archive/{__version__}", "format": "WARC File Format 1.0"},
                )
            )
            try:
                self._append(buf)
            except OSError:
                self.filename = None  # the next record starts a file of its own, with its warcinfo
                raise
        return self.warc_dir / self.filename

    def _append(self, buf: BinaryIO) -> int:
        """Append the buffer in one go; returns the file offset it starts at. A write that fails
        (a full disk) is cut off again, so the next record follows a whole one."""
        path = self.warc_dir / self.filename
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            start = os.lseek(fd, 0, os.SEEK_END)
            buf.seek(0)
            try:
                while chunk := buf.read(1 << 20):
                    view = memoryview(chunk)
                    while view:
                        view = view[os.write(fd, view) :]
                if not self.defer_sync:
                    os.fsync(fd)
            except OSError:
                os.ftruncate(fd, start)
                raise
        finally:
            os.close(fd)
        self._dirty = self.defer_sync
        return start

    def sync(self) -> None:
        """Make the appends since the last sync durable."""
        with self._lock:
            if self._dirty and self.filename:
                fsync_path(self.warc_dir / self.filename)
            self._dirty = False

    def write_exchange(
        self,
        *,
        url: str,
        when: datetime,
        request_line: str,
        request_headers: list[tuple[str, str]],
        status_line: str,
        response_headers: list[tuple[str, str]],
        body: BinaryIO,
        body_size: int,
        ip_address: str | None = None,
    ) -> WarcLocation:
        """Write a request/response pair; ``body`` is the payload as received (content-encoding
        intact, transfer framing removed). Returns the response record's location."""
        with self._lock:
            self._open()
            buf = tempfile.SpooledTemporaryFile(max_size=SPOOL)
            writer = _Writer(buf, gzip=True)
            chunked = any(
                k.lower() == "transfer-encoding" and "chunked" in v.lower()
                for k, v in response_headers
            )
            payload = _chunked(body, body_size) if chunked else body
            protocol, _, status = status_line.partition(" ")
            warc_headers = {"WARC-Date": warc_date(when)}
            if ip_address:
                warc_headers["WARC-IP-Address"] = ip_address
            url = header_safe_uri(url)
            response = writer.create_warc_record(
                url,
                "response",
                payload=payload,
                http_headers=StatusAndHeaders(status, response_headers, protocol=protocol),
                warc_headers_dict=warc_headers,
            )
            response_id = response.rec_headers.get_header("WARC-Record-ID")
            request = writer.create_warc_record(
                url,
                "request",
                payload=BytesIO(),
                http_headers=StatusAndHeaders(request_line, request_headers, is_http_request=True),
                warc_headers_dict={"WARC-Date": warc_date(when), "WARC-Concurrent-To": response_id},
            )
            header = {k.lower(): v for k, v in response_headers}
            if compressed_already(header.get("content-type"), header.get("content-encoding")):
                writer.level = 0
            writer.write_record(response)
            response_length = buf.tell()
            writer.level = zlib.Z_DEFAULT_COMPRESSION
            writer.write_record(request)
            start = self._append(buf)
            return WarcLocation(self.filename, start, response_length, response_id)

    def write_resource(
        self, *, uri: str, when: datetime, content_type: str, body: BinaryIO
    ) -> WarcLocation:
        """A file archived by hand has no HTTP exchange: it becomes a WARC resource record."""
        with self._lock:
            self._open()
            buf = tempfile.SpooledTemporaryFile(max_size=SPOOL)
            writer = _Writer(buf, gzip=True)
            if compressed_already(content_type):
                writer.level = 0
            record = writer.create_warc_record(
                header_safe_uri(uri),
                "resource",
                payload=body,
                warc_content_type=content_type,
                warc_headers_dict={"WARC-Date": warc_date(when)},
            )
            writer.write_record(record)
            length = buf.tell()
            start = self._append(buf)
            return WarcLocation(
                self.filename, start, length, record.rec_headers.get_header("WARC-Record-ID")
            )


@dataclass
class ReadBack:
    record_id: str
    record_type: str
    target_uri: str
    payload_sha256: str
    digests_ok: bool | None
    problems: list[str]


def read_record(path: Path, offset: int) -> ReadBack:
    """Read the record at ``offset``; the payload is decoded (chunking and content-encoding
    undone), so its SHA-256 equals the archived original's."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh, check_digests=True)))
        return _read(record)


def _read(record) -> ReadBack:
    digest = hashlib.sha256()
    stream = record.content_stream()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    return ReadBack(
        record_id=record.rec_headers.get_header("WARC-Record-ID"),
        record_type=record.rec_type,
        target_uri=record.rec_headers.get_header("WARC-Target-URI") or "",
        payload_sha256=digest.hexdigest(),
        digests_ok=record.digest_checker.passed,
        problems=list(record.digest_checker.problems),
    )


def iter_records(path: Path) -> Iterator[tuple[int, ReadBack]]:
    """Every record in a file with its offset, digests checked; raises on unreadable bytes."""
    with open(path, "rb") as fh:
        iterator = ArchiveIterator(fh, check_digests=True)
        for record in iterator:
            readback = _read(record)
            yield iterator.get_record_offset(), readback
