"""The blob store keeps each original once, under its SHA-256, and never half-written."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from wooarchive.archive.blobs import BlobStore


def test_same_bytes_are_stored_once_under_their_sha256(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    first = store.put_bytes(b"privacyverklaring")
    second = store.put_bytes(b"privacyverklaring")
    digest = hashlib.sha256(b"privacyverklaring").hexdigest()
    assert first.sha256 == second.sha256 == digest
    assert first.new and not second.new
    assert first.path == tmp_path / "sha256" / digest[:2] / digest[2:4] / digest
    assert list(store.iter_digests()) == [digest]
    assert first.path.read_bytes() == b"privacyverklaring"


def test_stored_originals_are_read_only(tmp_path: Path) -> None:
    blob = BlobStore(tmp_path).put_bytes(b"x")
    assert not os.stat(blob.path).st_mode & 0o222


def test_a_failed_write_leaves_nothing_under_a_final_name(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)

    def chunks():
        yield b"half a document"
        raise OSError("connection reset")

    with pytest.raises(OSError):
        store.put_chunks(chunks())
    assert list(store.iter_digests()) == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_path_outside_the_store_cannot_be_asked_for(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        BlobStore(tmp_path).path_for("../../etc/passwd")


KILLED_WRITER = """
import sys, time
from pathlib import Path
from wooarchive.archive.blobs import BlobStore
def chunks():
    yield b"A" * 100000
    print("writing", flush=True)
    time.sleep(60)
    yield b"B"
BlobStore(Path(sys.argv[1])).put_chunks(chunks())
"""


def test_a_killed_writer_leaves_no_blob_under_its_final_name(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    store = BlobStore(tmp_path)
    assert list(store.iter_digests()) == []
    again = store.put_bytes(b"A" * 100000 + b"B")
    assert again.new and again.path.read_bytes() == b"A" * 100000 + b"B"
