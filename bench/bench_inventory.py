"""A country-sized inventory: `woo index` on a 50,000-row production report, against reading
the same sheet with openpyxl alone, in the same process.

The ministries' platform reports 50,001-row production reports; the issue asks `woo index` to
take one in under a minute and 500 MB. Baseline: openpyxl's read-only pass over every cell
(the least any XLSX reader does). Measured: `woo index` as a user runs it (a subprocess on a
fresh data directory holding the file): reading it in an isolated reader, the rows parsed,
dates read per column, stored in woo_inventory_items, the pages indexed in FTS5 and Whoosh.
Sides interleaved A B B A (bench/rounds.py). Prints seconds for both, their ratio
(baseline / woo: the share of woo's time the bare reading is), and the peak memory of the
index run's processes.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.rounds import abba, speed, spread  # noqa: E402

ROWS = 50_000
GOAL_SECONDS, GOAL_MB = 60, 500
HEADER = [
    "ID",
    "Matter",
    "Family",
    "Email Thread ID",
    "Document",
    "Datum",
    "Beoordeling",
    "Opgeschort",
    "Beoordelingsgrond",
    "Toelichting",
    "Publieke link",
    "Zaaknummer",
]
WOO = str(Path(sys.executable).with_name("woo"))
ASSESSMENTS = ["Openbaar", "Deels openbaar", "Niet openbaar", "Reeds openbaar"]


def production_report() -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Productierapport")
    sheet.append(HEADER)
    start = datetime(2021, 1, 4, 8, 0)
    for n in range(ROWS):
        sheet.append(
            [
                100_000 + n,
                f"M{n // 500}",
                n // 5,
                n // 20,
                f"E-mail {n} over de aanbesteding",
                start + timedelta(minutes=37 * n),
                ASSESSMENTS[n % 4],
                "nee",
                "5.1.2e; 5.1.2i" if n % 4 in (1, 2) else "",
                "namen weggelakt" if n % 4 == 1 else "",
                f"https://open.example.nl/doc/{100_000 + n}",
                f"Z-{n // 1000}",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def baseline(path: Path) -> float:
    from openpyxl import load_workbook

    started = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    cells = sum(len(row) for row in book.active.iter_rows(values_only=True))
    book.close()
    assert cells >= ROWS * len(HEADER)
    return time.perf_counter() - started


def woo_index(path: Path, root: Path, run: int) -> float:
    data = root / f"data-{run}"
    env = {**os.environ, "WOO_DATA": str(data), "WOO_CONTACT": "bench@example.org"}
    woo = [WOO]
    subprocess.run(
        [*woo, "archive", "add", str(path), "-m", "GM0363"],
        env=env,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    subprocess.run([*woo, "index"], env=env, check=True, capture_output=True)
    seconds = time.perf_counter() - started
    import sqlite3

    with sqlite3.connect(data / "archive.db") as db:
        rows = db.execute("select count(*) from woo_inventory_items").fetchone()[0]
    assert rows == ROWS, f"{rows} rows stored of {ROWS}"
    return seconds


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="woo-bench-inventory-") as tmp:
        root = Path(tmp)
        path = root / "productierapport.xlsx"
        path.write_bytes(production_report())
        size_mb = path.stat().st_size / 1e6
        bare, woo = abba(lambda n: baseline(path), lambda n: woo_index(path, root, n))
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"inventory of {ROWS:,} rows ({size_mb:.1f} MB XLSX)")
    print(f"  openpyxl read-only pass: {spread(bare)} s")
    print(f"  woo index:               {spread(woo)} s (goal under {GOAL_SECONDS} s)")
    print(f"  ratio openpyxl / woo:    {spread(speed(bare, woo))}")
    print(
        f"  peak memory of a process of the index run: {peak_mb:.0f} MB (goal under {GOAL_MB} MB)"
    )


if __name__ == "__main__":
    main()
