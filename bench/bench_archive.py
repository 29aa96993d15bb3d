"""Archiving throughput against a bare baseline, in the same process.

Baseline: read each file, SHA-256 it, copy it into a directory and fsync (the least any
content-addressed store must do). Measured: `Archive.record_file`, which also writes a WARC
record and the capture and document rows. The sides are interleaved A B B A (bench/rounds.py),
each run into a fresh directory. Prints files/s for both and their ratio (archive / baseline;
1.0 means archiving costs nothing beyond hashing and copying) as min / median / max.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.rounds import abba, speed, spread  # noqa: E402
from wooarchive.archive.store import Archive  # noqa: E402
from wooarchive.config import Settings  # noqa: E402

FILES = 300
SIZE = 200_000


def make_files(directory: Path) -> list[Path]:
    directory.mkdir()
    paths = []
    for i in range(FILES):
        path = directory / f"besluit-{i}.pdf"
        path.write_bytes(b"%PDF-1.7\n" + os.urandom(SIZE))
        paths.append(path)
    return paths


def baseline(paths: list[Path], out: Path) -> float:
    out.mkdir()
    start = time.perf_counter()
    for path in paths:
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        target = out / digest
        with open(target, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    return time.perf_counter() - start


def archive(paths: list[Path], data: Path) -> float:
    store = Archive(Settings(data_dir=data, base_url="http://127.0.0.1:8001", contact="bench"))
    start = time.perf_counter()
    for path in paths:
        store.record_file(path)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        paths = make_files(root / "in")

        def base(n: int) -> float:
            seconds = baseline(paths, root / f"baseline-{n}")
            shutil.rmtree(root / f"baseline-{n}")
            return seconds

        def ours(n: int) -> float:
            seconds = archive(paths, root / f"data-{n}")
            shutil.rmtree(root / f"data-{n}")
            return seconds

        base_times, woo_times = abba(base, ours)
    rate = lambda times: [FILES / t for t in times]  # noqa: E731
    print(f"archive add: {FILES} files of {SIZE // 1000} kB, {len(woo_times)} runs each (A B B A)")
    print(f"  baseline (hash + copy + fsync):   {spread(rate(base_times), '{:.1f}')} files/s")
    print(f"  woo archive (blob + WARC + rows): {spread(rate(woo_times), '{:.1f}')} files/s")
    print(f"  ratio archive/baseline: {spread(speed(base_times, woo_times))}")


if __name__ == "__main__":
    main()
