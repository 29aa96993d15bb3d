"""Where the data lives and how the tool introduces itself.

Every setting comes from the environment so that `make crawl` on a schedule, the tests and a
user's shell can each point the same code at a different data directory without a config file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from wooarchive import __version__

DEFAULT_CONTACT = "set WOO_CONTACT to your e-mail or URL"


@dataclass(frozen=True)
class Settings:
    """Resolved settings; build one with :func:`settings`."""

    data_dir: Path
    base_url: str
    contact: str
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
        return self.data_dir / "requests.db"

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
    """Read the settings from the environment (WOO_DATA, WOO_BASE_URL, WOO_CONTACT, and the
    reading limits WOO_MAX_PAGES, WOO_OCR_TIMEOUT, WOO_OCR_MAX_MPIXELS, WOO_OCR_MAX_PAGES,
    WOO_MAX_UNZIPPED_MB, WOO_READ_MAX_MEMORY_MB, WOO_READ_MAX_CPU, WOO_READ_TIMEOUT)."""
    return Settings(
        data_dir=Path(os.environ.get("WOO_DATA", "data")).resolve(),
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
