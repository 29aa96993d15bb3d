"""One Archive per process, shared by every crawler in it (one WARC file and one batch of writes
per crawl run)."""

from __future__ import annotations

from wooarchive.archive.store import Archive
from wooarchive.config import settings

_archives: dict[str, Archive] = {}


def use(store: Archive) -> None:
    """Make ``store`` the archive the crawl's middlewares and pipelines write to (the run's own
    writes then share its connection and its batch)."""
    _archives[str(store.settings.data_dir)] = store


def archive() -> Archive:
    config = settings()
    key = str(config.data_dir)
    if key not in _archives:
        _archives[key] = Archive(config)
    return _archives[key]
