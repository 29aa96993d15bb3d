"""qpdf, wrapped: the one place that runs it. Used to repair malformed PDFs before reading."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


class QpdfError(Exception):
    pass


def repair(source: Path, target: Path, timeout: float = 120) -> None:
    """Rewrite ``source`` with qpdf, which reconstructs a damaged cross-reference table. qpdf
    exits 3 when it repaired with warnings: the output is still usable."""
    if shutil.which("qpdf") is None:
        raise QpdfError("qpdf is not installed (make install)")
    try:
        result = subprocess.run(
            ["qpdf", str(source), str(target)], capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired as exc:
        raise QpdfError(f"qpdf took longer than {timeout} s") from exc
    if result.returncode not in (0, 3) or not target.exists():
        raise QpdfError((result.stderr.strip().splitlines() or ["qpdf failed"])[-1])
