"""pdftoppm (poppler-utils), wrapped: the one place it runs. It renders small greyscale
thumbnails of PDF pages, so that a blank page is recognised for milliseconds instead of being
sent to Tesseract for seconds."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

THUMBNAIL_DPI = 24  # an A4 page becomes ~200x280 pixels: a line of text still shows


class PopplerError(Exception):
    pass


def thumbnails(
    pdf: Path,
    pages: list[int],
    workdir: Path,
    timeout: float = 120,
    dpi: int = THUMBNAIL_DPI,
    max_side: int | None = None,
    grey: bool = True,
) -> dict[int, Path]:
    """Thumbnails (PGM files under ``workdir``; PPM in colour with ``grey`` false) of the
    given 1-based pages, rendered in runs of consecutive pages, by page number. With
    ``max_side`` a page is scaled so its longer side has that many pixels whatever its size (a
    page of 200 inches is no bomb). A page pdftoppm cannot render is missing."""
    if shutil.which("pdftoppm") is None:
        raise PopplerError("pdftoppm is not installed (make install)")
    out = workdir / f"thumbnails-{max_side or dpi}{'' if grey else '-colour'}"
    out.mkdir(exist_ok=True)
    size = ["-scale-to", str(max_side)] if max_side else ["-r", str(dpi)]
    runs: list[tuple[int, int]] = []
    for page in sorted(pages):
        if runs and runs[-1][1] == page - 1:
            runs[-1] = (runs[-1][0], page)
        else:
            runs.append((page, page))
    for first, last in runs:
        try:
            subprocess.run(
                ["pdftoppm", *(["-gray"] if grey else []), *size, "-f", str(first), "-l", str(last)]
                + [str(pdf), str(out / "p")],
                capture_output=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PopplerError(f"pdftoppm took longer than {timeout} s") from exc
    found = {}
    for path in out.glob("p-*.pgm" if grey else "p-*.ppm"):
        found[int(path.stem.rsplit("-", 1)[1])] = path
    return found
