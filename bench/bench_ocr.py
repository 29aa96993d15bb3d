"""OCR throughput: `woo index` against plain `ocrmypdf --jobs N` on the same scanned pages.

Eight scanned A4 pages of Dutch text (made here, as a scanner makes them: image only). The
baseline OCRs them as one 8-page PDF with `ocrmypdf --jobs N --force-ocr` and the same options
woo uses (nld+eng, no optimisation); woo archives them as eight documents and runs its indexer
with N worker processes. The two sides are interleaved A B B A (bench/rounds.py; BENCH_ROUNDS
rounds, default 2), each in a fresh directory. Prints pages/s for both and the ratio
woo/baseline as min / median / max (aim: at least 0.9).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pypdf import PdfReader, PdfWriter  # noqa: E402

from bench.rounds import abba, speed, spread  # noqa: E402
from tests.fixtures.documents import scanned_pdf  # noqa: E402
from wooarchive.archive.store import Archive  # noqa: E402
from wooarchive.config import Settings  # noqa: E402
from wooarchive.indexer.run import index  # noqa: E402

PAGES = 8
JOBS = os.cpu_count() or 1
TEXT = [
    "Gemeente Voorbeeld",
    "Besluit op uw verzoek op grond van de Wet open overheid",
    "Geachte heer, mevrouw,",
    "Op 2 februari 2026 hebben wij uw verzoek ontvangen. U vraagt om alle",
    "documenten over de verwerking van persoonsgegevens in het zaaksysteem.",
    "Wij hebben besloten de documenten gedeeltelijk openbaar te maken.",
    "Persoonsgegevens zijn weggelakt op grond van artikel 5.1 van de Woo.",
    "Binnen zes weken na verzending van dit besluit kunt u bezwaar maken.",
]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        singles = []
        for n in range(PAGES):
            path = root / f"scan-{n}.pdf"
            path.write_bytes(scanned_pdf([f"Kenmerk 2026-{n:04d}"] + TEXT * 3))
            singles.append(path)
        combined = PdfWriter()
        for path in singles:
            combined.add_page(PdfReader(path).pages[0])
        together = root / "together.pdf"
        with open(together, "wb") as fh:
            combined.write(fh)

        def baseline(run: int) -> float:
            started = time.perf_counter()
            subprocess.run(
                [
                    str(Path(sys.executable).with_name("ocrmypdf")),
                    "--jobs",
                    str(JOBS),
                    "--force-ocr",
                    "-l",
                    "nld+eng",
                    "--optimize",
                    "0",
                    "--output-type",
                    "pdf",
                    "--sidecar",
                    str(root / f"base-{run}.txt"),
                    "-q",
                    str(together),
                    str(root / f"base-{run}.pdf"),
                ],
                check=True,
            )
            return time.perf_counter() - started

        def ours(run: int) -> float:
            archive = Archive(
                Settings(
                    data_dir=root / f"data-{run}", base_url="http://127.0.0.1:8001", contact="bench"
                )
            )
            for path in singles:
                archive.record_file(path)
            started = time.perf_counter()
            report = index(archive, workers=JOBS)
            assert report.ocr_pages == PAGES, report
            return time.perf_counter() - started

        base_times, woo_times = abba(baseline, ours)

    rate = lambda times: [PAGES / t for t in times]  # noqa: E731
    print(f"OCR: {PAGES} scanned pages, {JOBS} processes, {len(woo_times)} runs each (A B B A)")
    print(f"  ocrmypdf --jobs {JOBS}: {spread(rate(base_times))} pages/s (min / median / max)")
    print(f"  woo index:        {spread(rate(woo_times))} pages/s (with text and search indexes)")
    print(f"  ratio woo/ocrmypdf: {spread(speed(base_times, woo_times))}")


if __name__ == "__main__":
    main()
