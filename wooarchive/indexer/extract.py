"""Text per page from one file, by what the file really is.

Reading is split from OCR: ``read_document`` does everything quick (text layers, HTML, office
files) and lists the pages that need OCR with the reason; ``ocr_job`` and ``apply_ocr`` finish
them, so `woo index` can OCR many documents in parallel. ``extract_file`` does both for one file.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader, PdfWriter

from wooarchive.archive.sniff import sniff
from wooarchive.config import Settings
from wooarchive.indexer import office
from wooarchive.indexer.html import main_text
from wooarchive.indexer.ocr import OcrJob, OcrResult, run_job
from wooarchive.indexer.pdf import Encrypted, Unreadable, read_pdf
from wooarchive.indexer.quality import needs_ocr, text_quality

IMAGES = {"image/png", "image/jpeg", "image/tiff", "image/gif"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
TEXTS = {"text/plain", "application/json", "application/xml", "text/csv"}


@dataclass
class Page:
    page: int
    method: str  # text | ocr | html | office
    text: str
    quality: float | None = None

    def as_dict(self) -> dict:
        return {"page": self.page, "method": self.method, "text": self.text}


@dataclass
class Extraction:
    path: Path
    sha256: str
    mime: str
    status: str = "ok"  # ok | partial | encrypted | unreadable | empty | unsupported
    pages: list[Page] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cells: list[tuple[str, int, int, str, str]] = field(default_factory=list)
    ocr_needed: dict[int, str] = field(default_factory=dict)  # page -> why

    @property
    def ocr_pages(self) -> int:
        return sum(1 for p in self.pages if p.method == "ocr")


def _page(number: int, method: str, text: str) -> Page:
    return Page(number, method, text, text_quality(text))


def read_document(path: Path, sha256: str, config: Settings, mime: str | None = None) -> Extraction:
    """Everything but OCR. Never raises for a bad file: the problem is in ``status``/``errors``."""
    mime = mime or sniff(path)
    result = Extraction(path, sha256, mime)
    if path.stat().st_size == 0:
        result.status, result.errors = "empty", ["zero bytes"]
        return result
    try:
        if mime == "application/pdf":
            _read_pdf(path, config, result)
        elif mime == "text/html":
            result.pages.append(_page(1, "html", main_text(path.read_bytes())))
        elif mime in IMAGES:
            result.ocr_needed[1] = "an image"
        elif mime in (XLSX, ODS):
            sheets = office.xlsx_sheets(path) if mime == XLSX else office.ods_sheets(path)
            for number, sheet in enumerate(sheets, start=1):
                result.pages.append(_page(number, "office", f"{sheet.name}\n{sheet.text()}"))
                _cells(result, sheet)
        elif mime == DOCX:
            result.pages += [
                _page(n, "office", t) for n, t in enumerate(office.docx_pages(path), start=1)
            ]
        elif mime == ODT:
            result.pages += [
                _page(n, "office", t) for n, t in enumerate(office.odt_pages(path), start=1)
            ]
        elif mime in TEXTS:
            result.pages.append(_page(1, "text", path.read_bytes().decode("utf-8", "replace")))
        else:
            result.status = "unsupported"
            result.errors.append(f"no reader for {mime}")
    except Encrypted as exc:
        result.status, result.errors = "encrypted", [str(exc)]
    except (Unreadable, office.OfficeError) as exc:
        result.status, result.errors = "unreadable", [str(exc)]
    if result.status == "ok" and result.errors:
        result.status = "partial"
    return result


def _read_pdf(path: Path, config: Settings, result: Extraction) -> None:
    pdf = read_pdf(path, config.max_pages)
    result.errors.extend(pdf.errors)
    for page in pdf.pages:
        reason = needs_ocr(page.text, page.has_images)
        if reason:
            result.ocr_needed[page.number] = reason
        else:
            result.pages.append(_page(page.number, "text", page.text))


def _cells(result: Extraction, sheet: office.Sheet) -> None:
    """A table's cells in long form, each with its column's header (the first non-empty row)."""
    header_row = next((row for row in sheet.rows if any(row)), [])
    start = sheet.rows.index(header_row) + 1 if header_row else 0
    for r, row in enumerate(sheet.rows[start:], start=1):
        for c, value in enumerate(row, start=1):
            if value:
                header = header_row[c - 1] if c - 1 < len(header_row) else f"kolom {c}"
                result.cells.append((sheet.name, r, c, header or f"kolom {c}", value))


def ocr_job(
    extraction: Extraction, config: Settings, workdir: Path, output_dir: Path
) -> OcrJob | None:
    """The OCR job for an extraction's remaining pages: the whole file when every page needs it,
    else those pages copied into a PDF of their own. The searchable PDF goes to ``output_dir``."""
    if not extraction.ocr_needed:
        return None
    pages = tuple(sorted(extraction.ocr_needed))
    source = extraction.path
    image = extraction.mime in IMAGES
    if not image:
        total = (
            len(PdfReader(str(source), strict=False).pages)
            if extraction.mime == "application/pdf"
            else 0
        )
        if pages != tuple(range(1, total + 1)):
            writer = PdfWriter(clone_from=str(source))
            keep = set(pages)
            for index in reversed(range(total)):
                if index + 1 not in keep:
                    writer.remove_page(index)
            source = workdir / f"{extraction.sha256}.pages.pdf"
            with open(source, "wb") as fh:
                writer.write(fh)
    output_dir.mkdir(parents=True, exist_ok=True)
    return OcrJob(
        sha256=extraction.sha256,
        source=str(source),
        output=str(output_dir / f"{extraction.sha256}.pdf"),
        pages=() if image else pages,
        image=image,
        timeout=config.ocr_timeout,
        max_mpixels=config.ocr_max_mpixels,
    )


def apply_ocr(extraction: Extraction, result: OcrResult) -> None:
    """Merge OCR text into the extraction (pages in order); a failure is recorded, not raised."""
    if result.error:
        extraction.errors.append(result.error)
    for number, text in result.texts.items():
        if not text.strip():
            extraction.errors.append(
                f"page {number}: OCR recognised no text (blank page or Tesseract timed out)"
            )
        extraction.pages.append(_page(number, "ocr", text))
    extraction.pages.sort(key=lambda p: p.page)
    extraction.ocr_needed.clear()
    if extraction.errors and extraction.status == "ok":
        extraction.status = "partial" if extraction.pages else "unreadable"


def extract_file(path: Path, config: Settings, sha256: str | None = None) -> Extraction:
    """Read one file completely, OCR included (what `woo extract` prints)."""
    import hashlib

    sha256 = sha256 or hashlib.sha256(path.read_bytes()).hexdigest()
    extraction = read_document(path, sha256, config)
    with tempfile.TemporaryDirectory(prefix="woo-ocr-") as tmp:
        job = ocr_job(extraction, config, Path(tmp), Path(tmp))
        if job is not None:
            apply_ocr(extraction, run_job(job))
    return extraction
