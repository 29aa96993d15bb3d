"""One Archive per process, shared by every crawler in it (one WARC file per crawl run)."""

from __future__ import annotations

from wooarchive.archive.store import Archive
from wooarchive.config import settings

_archives: dict[str, Archive] = {}


def archive() -> Archive:
    config = settings()
    key = str(config.data_dir)
    if key not in _archives:
        _archives[key] = Archive(config)
    return _archives[key]
