"""Content-addressed store of original bytes.

An original is evidence: it is written once, under the SHA-256 of its bytes, and never modified
or deleted. Writes go to a temporary file in the same file system and are then hard-linked into
place, so a killed process never leaves a half-written file under a final name, and two processes
storing the same bytes at once end with one file (the second link fails and its copy is dropped).
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20
_HEX = re.compile(r"[0-9a-f]{64}")


def _syncfs(directory: Path) -> bool:
    """syncfs(2) on the file system holding ``directory``: everything written to it is durable
    once this returns True (a batch of a thousand blobs costs one call, not two thousand)."""
    libc = _libc()
    if libc is None:
        return False
    fd = os.open(directory, os.O_RDONLY)
    try:
        if libc.syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(directory))
    finally:
        os.close(fd)
    return True


def fsync_path(path: Path) -> None:
    """fsync a file or directory by name."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@functools.cache
def _libc():
    if sys.platform != "linux":
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc if hasattr(libc, "syncfs") else None
    except OSError:
        return None


class TooLarge(Exception):
    """The content is larger than the limit the caller set."""


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    path: Path
    new: bool  # False when the same bytes were already stored


class BlobStore:
    """Originals under ``root/sha256/ab/cd/<sha256>``."""

    def __init__(self, root: Path, *, private: bool = False):
        self.root = Path(root)
        # private blobs (reply attachments) are readable by their owner only
        self.file_mode = 0o400 if private else 0o444
        # With deferred syncing (a crawl's batches), new blobs are made durable by sync(), once
        # for many, before the database rows that name them are committed.
        self.defer_sync = False
        self._unsynced: list[Path] = []
        self._made: set[Path] = set()

    def path_for(self, sha256: str) -> Path:
        """Where the blob with this digest lives; the digest is checked so no caller-supplied
        string can point outside the store."""
        if not _HEX.fullmatch(sha256):
            raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
        return self.root / "sha256" / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def _directory(self, path: Path) -> Path:
        """``path`` as a directory that exists (asked of the file system once per directory: a
        crawl stores thousands of blobs into the same 65,536 directories)."""
        if path not in self._made:
            path.mkdir(parents=True, exist_ok=True)
            self._made.add(path)
        return path

    def put_chunks(self, chunks: Iterable[bytes], max_size: int | None = None) -> StoredBlob:
        """Store the bytes yielded by ``chunks``; hashes while writing, so content of any size
        passes through without being held in memory."""
        digest = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self._directory(self.root / "tmp"), prefix="incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise TooLarge(f"more than {max_size} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                if not self.defer_sync:
                    os.fsync(out.fileno())
            return self._place(tmp_name, digest.hexdigest(), size)
        finally:
            os.unlink(tmp_name)

    def _place(self, tmp_name: str, sha256: str, size: int) -> StoredBlob:
        """Link the written temporary file under its final name, unless those bytes are there."""
        final = self.path_for(sha256)
        self._directory(final.parent)
        os.chmod(tmp_name, self.file_mode)
        try:
            os.link(tmp_name, final)
            new = True
        except FileExistsError:
            new = False
        if new and self.defer_sync:
            self._unsynced.append(final)
        return StoredBlob(sha256=sha256, size=size, path=final, new=new)

    def sync(self) -> None:
        """Make every blob stored since the last sync durable (data, then the directory entries
        that name them): one syncfs of the store's file system where Linux has it, else an
        fsync of each blob and directory."""
        if not self._unsynced:
            return
        if _syncfs(self.root):
            self._unsynced.clear()
            return
        directories = {d for path in self._unsynced for d in (path.parent, path.parent.parent)}
        for path in [*self._unsynced, *directories]:
            fsync_path(path)
        self._unsynced.clear()

    def put_bytes(self, data: bytes) -> StoredBlob:
        """Bytes already in memory (a crawl's response): hashed first, and written only if the
        store does not hold them yet (a re-crawl mostly fetches what it has)."""
        sha256 = hashlib.sha256(data).hexdigest()
        final = self.path_for(sha256)
        if final.exists():
            return StoredBlob(sha256=sha256, size=len(data), path=final, new=False)
        return self.put_chunks([data])

    def put_file(self, path: Path, max_size: int | None = None) -> StoredBlob:
        with open(path, "rb") as fh:
            return self.put_chunks(iter(lambda: fh.read(CHUNK), b""), max_size=max_size)

    def iter_digests(self) -> Iterator[str]:
        """Every stored digest, by file name (for verification)."""
        base = self.root / "sha256"
        if not base.exists():
            return
        for path in sorted(base.glob("*/*/*")):
            yield path.name

    def hash_of(self, sha256: str) -> str:
        """Re-hash the stored file (what `woo verify` compares with its name)."""
        digest = hashlib.sha256()
        with open(self.path_for(sha256), "rb") as fh:
            for chunk in iter(lambda: fh.read(CHUNK), b""):
                digest.update(chunk)
        return digest.hexdigest()
