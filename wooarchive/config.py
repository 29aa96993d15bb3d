"""Where the data lives and how the tool introduces itself.

Every setting comes from the environment so that `make crawl` on a schedule, the tests and a
user's shell can each point the same code at a different data directory without a config file.

Two directories: the archive (WOO_DATA: public by design, shared with reading workers, served by
`woo serve`) and the private part (WOO_PRIVATE, default the archive's name with `-private`
beside it): requests.db, the replies' attachments and the signing key. The private part is
never served to the public, never shared with workers; nothing in the archive needs it.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from wooarchive import __version__

DEFAULT_CONTACT = "set WOO_CONTACT to your e-mail or URL"
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build one with :func:`settings`."""

    data_dir: Path
    base_url: str
    contact: str
    private_dir: Path = Path("data-private")  # WOO_PRIVATE
    max_pages: int = 2000  # WOO_MAX_PAGES: pages read from one document at most
    ocr_timeout: float = 180.0  # WOO_OCR_TIMEOUT: seconds Tesseract may spend on one page
    ocr_max_mpixels: float = 250.0  # WOO_OCR_MAX_MPIXELS: larger page images are refused (bombs)
    ocr_max_pages: int = 500  # WOO_OCR_MAX_PAGES: OCR budget per document; the rest is skipped
    max_unzipped_mb: int = 256  # WOO_MAX_UNZIPPED_MB: an office file's members, uncompressed
    read_memory_mb: int = 2048  # WOO_READ_MAX_MEMORY_MB: address space of one reader process
    read_cpu_seconds: int = 1800  # WOO_READ_MAX_CPU: CPU seconds of a reader per document
    read_timeout: float = 3600.0  # WOO_READ_TIMEOUT: wall seconds per document, OCR included

    @property
    def archive_db(self) -> Path:
        return self.data_dir / "archive.db"

    @property
    def requests_db(self) -> Path:
        return self.private_dir / "requests.db"

    @property
    def private_blobs_dir(self) -> Path:
        """Attachments of replies (a decision is addressed to the requester)."""
        return self.private_dir / "blobs"

    @property
    def keys_dir(self) -> Path:
        return self.private_dir / "keys"

    @property
    def blobs_dir(self) -> Path:
        return self.data_dir / "blobs"

    @property
    def warc_dir(self) -> Path:
        return self.data_dir / "warc"

    @property
    def derived_dir(self) -> Path:
        return self.data_dir / "derived"

    @property
    def whoosh_dir(self) -> Path:
        return self.data_dir / "whoosh"

    @property
    def user_agent(self) -> str:
        """Names the project and a contact, so a webmaster knows whom to ask to stop."""
        return f"woo-archive/{__version__} (+{self.contact})"

    @property
    def tool(self) -> str:
        return f"woo-archive/{__version__}"


def settings() -> Settings:
    """Read the settings from the environment (WOO_DATA, WOO_PRIVATE, WOO_BASE_URL, WOO_CONTACT, and the
    reading limits WOO_MAX_PAGES, WOO_OCR_TIMEOUT, WOO_OCR_MAX_MPIXELS, WOO_OCR_MAX_PAGES,
    WOO_MAX_UNZIPPED_MB, WOO_READ_MAX_MEMORY_MB, WOO_READ_MAX_CPU, WOO_READ_TIMEOUT)."""
    data_dir = Path(os.environ.get("WOO_DATA", "data")).resolve()
    return Settings(
        data_dir=data_dir,
        private_dir=Path(
            os.environ.get("WOO_PRIVATE") or data_dir.with_name(f"{data_dir.name}-private")
        ).resolve(),
        base_url=os.environ.get("WOO_BASE_URL", "http://127.0.0.1:8001").rstrip("/"),
        contact=os.environ.get("WOO_CONTACT", DEFAULT_CONTACT),
        max_pages=int(os.environ.get("WOO_MAX_PAGES", "2000")),
        ocr_timeout=float(os.environ.get("WOO_OCR_TIMEOUT", "180")),
        ocr_max_mpixels=float(os.environ.get("WOO_OCR_MAX_MPIXELS", "250")),
        ocr_max_pages=int(os.environ.get("WOO_OCR_MAX_PAGES", "500")),
        max_unzipped_mb=int(os.environ.get("WOO_MAX_UNZIPPED_MB", "256")),
        read_memory_mb=int(os.environ.get("WOO_READ_MAX_MEMORY_MB", "2048")),
        read_cpu_seconds=int(os.environ.get("WOO_READ_MAX_CPU", "1800")),
        read_timeout=float(os.environ.get("WOO_READ_TIMEOUT", "3600")),
    )


def move_private(config: Settings) -> list[str]:
    """Move what an earlier version kept inside the archive directory (requests.db and its WAL
    files, private/blobs, keys/) to the private directory, once; returns what was moved. A
    part already in the private directory is left where it was (and said in the log)."""
    moves = [
        (config.data_dir / "requests.db", config.requests_db),
        (config.data_dir / "requests.db-wal", Path(f"{config.requests_db}-wal")),
        (config.data_dir / "requests.db-shm", Path(f"{config.requests_db}-shm")),
        (config.data_dir / "private" / "blobs", config.private_blobs_dir),
        (config.data_dir / "keys", config.keys_dir),
    ]
    moved = []
    for old, new in moves:
        if not old.exists():
            continue
        if new.exists():
            log.warning("%s and %s both exist: the first is left where it is", old, new)
            continue
        config.private_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        new.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.move(str(old), str(new))
        moved.append(f"{old} -> {new}")
    for leftover in (config.data_dir / "private", config.data_dir / "private-metadata.json"):
        try:
            leftover.rmdir() if leftover.is_dir() else leftover.unlink()
        except OSError:
            pass  # not empty, or not there
    return moved
