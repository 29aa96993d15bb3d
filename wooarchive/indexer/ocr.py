"""ocrmypdf with Tesseract (Dutch, then English), wrapped: the one place OCR runs.

ocrmypdf.ocr() is not thread-safe, so it runs in reader processes (``isolation.py``), one
document and one Tesseract at a time each. A job OCRs the pages that need it, written to their own PDF first so that
the sidecar text maps page for page; the searchable PDF it makes is kept as a derived file.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

LANGUAGES = ["nld", "eng"]
IMAGE_DPI = 200
SKIPPED = re.compile(
    r"\[(skipped page|OCR skipped on page.*)\]"
)  # for images that do not say their resolution (most PNG page images)


@dataclass(frozen=True)
class OcrJob:
    sha256: str
    source: str  # a PDF or an image
    output: str  # the searchable PDF to write
    pages: tuple[int, ...]  # page numbers in the original that this job covers, in order
    image: bool
    timeout: float
    max_mpixels: float


@dataclass
class OcrResult:
    sha256: str
    texts: dict[int, str] = field(default_factory=dict)
    error: str | None = None


def run_job(job: OcrJob) -> OcrResult:
    """OCR one document (in a reader process); never raises, the error is in the result."""
    import ocrmypdf

    logging.getLogger("ocrmypdf").setLevel(logging.ERROR)
    sidecar = job.output + ".txt"
    options = dict(
        language=LANGUAGES,
        output_type="pdf",
        optimize=0,
        progress_bar=False,
        jobs=1,
        sidecar=sidecar,
        tesseract_timeout=job.timeout,
        max_image_mpixels=job.max_mpixels,
    )
    if job.image:
        options["image_dpi"] = IMAGE_DPI
    else:
        options["force_ocr"] = True
    try:
        ocrmypdf.ocr(job.source, job.output, **options)
        chunks = Path(sidecar).read_text("utf-8").split("\f")
    except Exception as exc:  # ocrmypdf raises many types; the document stays archived either way
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return OcrResult(
            job.sha256, error=f"OCR failed: {type(exc).__name__}: {message}".rstrip(": ")
        )
    finally:
        if os.path.exists(sidecar):
            os.unlink(sidecar)
    texts = {}
    for index, page in enumerate(job.pages or range(1, len(chunks) + 1)):
        text = chunks[index].strip() if index < len(chunks) else ""
        # ocrmypdf's placeholder for a page Tesseract gave up on (timeout) is not text
        texts[page] = "" if SKIPPED.fullmatch(text) else text
    return OcrResult(job.sha256, texts)
