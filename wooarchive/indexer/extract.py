"""Text per page from one file, by what the file really is.

A document is read whole in one isolated reader process (``isolation.py``): ``extract`` reads
the quick parts (text layers, HTML, office files), finds the pages that need OCR, drops the ones
that are blank or over a limit, and OCRs the rest within a per-document page budget. Every
problem is recorded on the extraction; nothing a file does stops the caller.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfWriter

from wooarchive.archive.sniff import sniff
from wooarchive.config import Settings
from wooarchive.indexer import office, poppler, redaction
from wooarchive.indexer.html import read_html
from wooarchive.indexer.isolation import Failure, LimitExceeded, Limits, ReaderPool
from wooarchive.indexer.ocr import OcrJob, OcrResult, run_job
from wooarchive.indexer.pdf import Encrypted, PdfPage, Unreadable, read_pdf
from wooarchive.indexer.quality import needs_ocr, text_quality

IMAGES = {"image/png", "image/jpeg", "image/tiff", "image/gif"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
OLE = "application/x-ole-storage"  # old Office: .xls is read, .doc is not
TEXTS = {"text/plain", "application/json", "application/xml", "text/csv"}
OCR_DPI = 300  # the resolution a page without images is rendered at for OCR
BLANK_INK = 200  # a thumbnail pixel darker than this is ink
BLANK_SHARE = 0.0005  # a page with less ink than this share of its thumbnail is blank


@dataclass
class Page:
    page: int
    method: str  # text | ocr | html | office | blank | skipped
    text: str
    quality: float | None = None
    redacted_share: float | None = None  # of the page's content under redaction boxes
    redaction_boxes: int | None = None
    redaction_codes: str | None = None  # ground codes printed in the boxes, "5.1.2e, 5.1.2e"
    # the boxes where they are: the page image's width, height and dpi, each box's x, y,
    # width, height (in that image's pixels), style and grounds
    redaction_detail: dict | None = None

    def as_dict(self) -> dict:
        page = {"page": self.page, "method": self.method, "text": self.text}
        if self.redaction_detail is not None:
            page["redaction"] = {
                "share": self.redacted_share,
                "codes": self.redaction_codes.split(", ") if self.redaction_codes else [],
                **self.redaction_detail,
            }
        return page


@dataclass
class Extraction:
    path: Path
    sha256: str
    mime: str
    # ok | partial | encrypted | unreadable | empty | unsupported | limit | crashed
    status: str = "ok"
    pages: list[Page] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cells: list[tuple[str, int, int, str, str]] = field(default_factory=list)
    # what a page's sections are: (kind, anchor, heading, evidence)
    findings: list[tuple[str, str | None, str, str]] = field(default_factory=list)
    ocr_needed: dict[int, str] = field(default_factory=dict)  # page -> why
    source: Path | None = None  # what OCR reads: the repaired copy of a malformed PDF
    total_pages: int = 0

    @property
    def ocr_pages(self) -> int:
        return sum(1 for p in self.pages if p.method == "ocr")

    def as_dict(self) -> dict:
        """What a worker on another machine sends back (JSON)."""
        return {
            "sha256": self.sha256,
            "mime": self.mime,
            "status": self.status,
            "pages": [
                [
                    p.page,
                    p.method,
                    p.text,
                    p.quality,
                    p.redacted_share,
                    p.redaction_boxes,
                    p.redaction_codes,
                    p.redaction_detail,
                ]
                for p in self.pages
            ],
            "errors": self.errors,
            "cells": [list(cell) for cell in self.cells],
            "findings": [list(finding) for finding in self.findings],
        }

    @classmethod
    def from_dict(cls, data: dict, path: Path) -> Extraction:
        return cls(
            path,
            data["sha256"],
            data["mime"],
            status=data["status"],
            pages=[Page(*page) for page in data["pages"]],
            errors=list(data["errors"]),
            cells=[tuple(cell) for cell in data["cells"]],
            findings=[tuple(finding) for finding in data.get("findings", [])],
        )


@dataclass(frozen=True)
class Skipped:
    """A document not read this time (its blob is missing, a worker refused it, its result
    could not be verified): nothing is stored, and the next run tries it again."""

    sha256: str
    reason: str


@dataclass(frozen=True)
class ReadJob:
    """One document for a reader process: where its bytes are and where OCR output goes."""

    path: str
    sha256: str
    mime: str | None
    config: Settings
    output_dir: str  # searchable PDFs (the derived directory)
    kind: str | None = None  # what the crawl took it for: a Woo document's pages are measured
    redaction: bool = False  # measure redaction boxes per page whatever the document is


def plain_text(data: bytes) -> str:
    """A text file's characters: UTF-8 (a byte order mark dropped) when it is UTF-8, else
    Windows-1252, what a Dutch Excel writes its CSV files in (`Geïnventariseerd` would
    otherwise lose its ï); bytes that are neither become U+FFFD."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _page(number: int, method: str, text: str) -> Page:
    return Page(number, method, text, text_quality(text))


def read_document(
    path: Path, sha256: str, config: Settings, mime: str | None = None, workdir: Path | None = None
) -> Extraction:
    """Everything but OCR. A bad file's problem is in ``status``/``errors``; only a limit
    (:class:`LimitExceeded`) or the reader's own death ends it otherwise, and those are the
    isolating process's to record."""
    mime = mime or sniff(path)
    result = Extraction(path, sha256, mime, source=path)
    if path.stat().st_size == 0:
        result.status, result.errors = "empty", ["zero bytes"]
        return result
    zip_limits = office.ZipLimits(config.max_unzipped_mb * 1024 * 1024)
    try:
        if mime == "application/pdf":
            with tempfile.TemporaryDirectory(prefix="woo-pdf-") as tmp:
                _read_pdf(path, config, result, workdir or Path(tmp))
        elif mime == "text/html":
            data = path.read_bytes()
            text, result.findings = read_html(data)
            result.pages.append(_page(1, "html", text))
        elif mime in IMAGES:
            result.ocr_needed[1] = "an image"
            result.total_pages = 1
        elif mime in (XLSX, ODS, OLE):
            if mime == OLE:
                sheets = office.xls_sheets(path)
            elif mime == XLSX:
                sheets = office.xlsx_sheets(path, zip_limits)
            else:
                sheets = office.ods_sheets(path, zip_limits)
            for number, sheet in enumerate(sheets, start=1):
                result.pages.append(_page(number, "office", f"{sheet.name}\n{sheet.text()}"))
                _cells(result, sheet)
                if sheet.truncated:
                    result.errors.append(
                        f"sheet {sheet.name!r}: only its first {office.MAX_ROWS:,} rows read"
                    )
        elif mime == DOCX:
            result.pages += [
                _page(n, "office", t)
                for n, t in enumerate(office.docx_pages(path, zip_limits), start=1)
            ]
        elif mime == ODT:
            result.pages += [
                _page(n, "office", t)
                for n, t in enumerate(office.odt_pages(path, zip_limits), start=1)
            ]
        elif mime in TEXTS:
            result.pages.append(_page(1, "text", plain_text(path.read_bytes())))
        else:
            result.status = "unsupported"
            result.errors.append(f"no reader for {mime}")
    except Encrypted as exc:
        result.status, result.errors = "encrypted", [str(exc)]
    except office.NotAWorkbook as exc:
        result.status, result.errors = "unsupported", [str(exc)]
    except (Unreadable, office.OfficeError) as exc:
        result.status, result.errors = "unreadable", [str(exc)]
    if result.status == "ok" and result.errors:
        result.status = "partial"
    return result


def _read_pdf(path: Path, config: Settings, result: Extraction, workdir: Path) -> None:
    pdf = read_pdf(path, config.max_pages, workdir)
    result.errors.extend(pdf.errors)
    result.source = pdf.source
    result.total_pages = pdf.total_pages
    for page in pdf.pages:
        reason = needs_ocr(page.text, page.has_images)
        if not reason:
            result.pages.append(_page(page.number, "text", page.text))
        elif not page.paints and not page.text.strip():
            result.pages.append(Page(page.number, "blank", ""))
        elif refused := _too_many_pixels(page, config.ocr_max_mpixels):
            result.pages.append(Page(page.number, "skipped", ""))
            result.errors.append(f"page {page.number}: {refused}: not OCR'd")
        else:
            result.ocr_needed[page.number] = reason


def _too_many_pixels(page: PdfPage, max_mpixels: float) -> str | None:
    """Why a page must not be decoded (an image or the rendered page is a pixel bomb)."""
    for width, height in page.images:
        if width * height > max_mpixels * 1e6:
            return (
                f"an image of {width}x{height} pixels, over the limit of {max_mpixels:g} megapixels"
            )
    width, height = (side / 72 * OCR_DPI for side in page.size_pt)
    if width * height > max_mpixels * 1e6:
        return (
            f"a page of {page.size_pt[0]:.0f}x{page.size_pt[1]:.0f} points, over "
            f"{max_mpixels:g} megapixels at {OCR_DPI} dpi"
        )
    return None


def _cells(result: Extraction, sheet: office.Sheet) -> None:
    """A table's cells in long form, each with its column's header (the first non-empty row)."""
    header_row = next((row for row in sheet.rows if any(row)), [])
    start = sheet.rows.index(header_row) + 1 if header_row else 0
    for r, row in enumerate(sheet.rows[start:], start=1):
        for c, value in enumerate(row, start=1):
            if value:
                header = header_row[c - 1] if c - 1 < len(header_row) else f"kolom {c}"
                result.cells.append((sheet.name, r, c, header or f"kolom {c}", value))


def _is_blank(thumbnail: Path) -> bool:
    from PIL import Image

    with Image.open(thumbnail) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    total = sum(histogram) or 1
    return sum(histogram[:BLANK_INK]) / total < BLANK_SHARE


def _image_pixels(path: Path) -> tuple[int, int]:
    """An image's size from its header alone (Pillow opens lazily)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # we judge the size ourselves, before anything is decoded
    with Image.open(path) as image:
        return image.size


def plan_ocr(extraction: Extraction, config: Settings, workdir: Path) -> None:
    """Drop from ``ocr_needed`` what must not or need not be OCR'd: images over the pixel
    limit, blank pages (a thumbnail with no ink), and the pages beyond the per-document OCR
    budget. Each dropped page gets a page row saying so, and an error where text is lost."""
    if not extraction.ocr_needed:
        return
    if extraction.mime in IMAGES:
        width, height = _image_pixels(extraction.path)
        if width * height > config.ocr_max_mpixels * 1e6:
            extraction.ocr_needed.clear()
            raise LimitExceeded(
                f"an image of {width}x{height} pixels, over the limit of "
                f"{config.ocr_max_mpixels:g} megapixels"
            )
        return
    try:
        thumbs = poppler.thumbnails(extraction.source, sorted(extraction.ocr_needed), workdir)
    except poppler.PopplerError as exc:
        extraction.errors.append(f"blank-page check skipped ({exc})")
        thumbs = {}
    for number, thumb in thumbs.items():
        if number in extraction.ocr_needed and _is_blank(thumb):
            del extraction.ocr_needed[number]
            extraction.pages.append(Page(number, "blank", ""))
    over = sorted(extraction.ocr_needed)[config.ocr_max_pages :]
    if over:
        for number in over:
            del extraction.ocr_needed[number]
            extraction.pages.append(Page(number, "skipped", ""))
        extraction.errors.append(
            f"{len(over)} pages not OCR'd (pages {over[0]}-{over[-1]}): over the budget of "
            f"{config.ocr_max_pages} OCR pages per document (WOO_OCR_MAX_PAGES)"
        )
    extraction.pages.sort(key=lambda p: p.page)


def ocr_job(
    extraction: Extraction, config: Settings, workdir: Path, output_dir: Path
) -> OcrJob | None:
    """The OCR job for an extraction's remaining pages: the whole file when every page needs it,
    else those pages copied into a PDF of their own. The searchable PDF goes to ``output_dir``."""
    if not extraction.ocr_needed:
        return None
    pages = tuple(sorted(extraction.ocr_needed))
    source = extraction.source or extraction.path
    image = extraction.mime in IMAGES
    if not image and pages != tuple(range(1, extraction.total_pages + 1)):
        writer = PdfWriter(clone_from=str(source))
        keep = set(pages)
        for index in reversed(range(len(writer.pages))):
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


def extract(job: ReadJob) -> Extraction:
    """Read one document completely, OCR included. Runs inside a reader process."""
    path = Path(job.path)
    with tempfile.TemporaryDirectory(prefix="woo-read-") as tmp:
        workdir = Path(tmp)
        extraction = read_document(path, job.sha256, job.config, mime=job.mime, workdir=workdir)
        plan_ocr(extraction, job.config, workdir)
        ocr = ocr_job(extraction, job.config, workdir, Path(job.output_dir))
        if ocr is not None:
            apply_ocr(extraction, run_job(ocr))
        if job.redaction or is_woo_document(job.kind, extraction):
            measure_redaction(extraction, workdir)
        extraction.source = path  # the working copy is gone with the reader's directory
        extraction.errors = [_without_paths(e, path, workdir) for e in extraction.errors]
    if extraction.status == "ok" and extraction.errors:
        extraction.status = "partial"
    return extraction


# pixels on a page's longer side: A4 at 200 dpi; boxes are found at a third of that, the codes
# printed in them read at this size
REDACTION_SIDE = 2340
WOO_DOCUMENTS = ("woo_decision", "woo_document")  # where redaction is: decisions, what they release


def is_woo_document(kind: str | None, extraction: Extraction) -> bool:
    """Whether a document's pages are measured for redaction: what the crawl took for a Woo
    decision or a document released with one, and what reads as one once read (a file added
    without a kind, a scan whose words only OCR gave): a decision's words on its first pages,
    or a ground as printed in a box on any page."""
    if kind in WOO_DOCUMENTS:
        return True
    if extraction.mime not in IMAGES and extraction.mime != "application/pdf":
        return False
    from wooarchive.cues import COMPILED
    from wooarchive.indexer.kinds import PAGES

    opening = " ".join(p.text for p in extraction.pages[:PAGES])
    if any(pattern.search(opening) for pattern in COMPILED["woo_decision"]):
        return True
    return any(redaction.PRINTED_GROUND.search(p.text) for p in extraction.pages)


def _dpi(image, points: tuple[float, float] | None) -> float | None:
    """Pixels per inch of a page image: from the PDF page's size in points, else the image's
    own resolution, else unknown."""
    if points and points[1] > 0:
        return round(image.height / (points[1] / 72), 1)
    dpi = image.info.get("dpi")
    return round(float(dpi[1]), 1) if dpi and dpi[1] else None


def _page_points(path: Path) -> dict[int, tuple[float, float]]:
    """Each PDF page's shown size in points, by page number (none when pypdf cannot tell)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
        return {
            n: (float(page.cropbox.width), float(page.cropbox.height))
            for n, page in enumerate(reader.pages, 1)
        }
    except Exception:  # noqa: BLE001  (a page size is a nicety; the boxes are measured anyway)
        return {}


def measure_redaction(extraction: Extraction, workdir: Path) -> None:
    """Each page's redaction boxes, where they are, their style and grounds, and the share of
    its content under them, for a PDF (pages rendered in colour, 200 dpi for A4) or an image; a
    page that cannot be rendered is left unmeasured."""
    from PIL import Image

    by_number = {p.page: p for p in extraction.pages}
    points: dict[int, tuple[float, float]] = {}
    if extraction.mime in IMAGES:
        images = {1: extraction.path}
    elif extraction.mime == "application/pdf":
        source = extraction.source or extraction.path
        try:
            images = poppler.thumbnails(
                source, sorted(by_number), workdir, max_side=REDACTION_SIDE, grey=False
            )
        except poppler.PopplerError as exc:
            extraction.errors.append(f"redaction not measured ({exc})")
            return
        points = _page_points(source)
    else:
        return
    for number, image_path in images.items():
        page = by_number.get(number)
        if page is None:
            continue
        with Image.open(image_path) as image:
            dpi = _dpi(image, points.get(number))
            # an image file is measured at the size a PDF page is rendered at: a scan of
            # 10,000 pixels a side costs no gigabyte (its boxes are in the smaller image's pixels)
            side = max(image.size)
            if side > REDACTION_SIDE:
                image.thumbnail((REDACTION_SIDE, REDACTION_SIDE))
                dpi = dpi and round(dpi * max(image.size) / side, 1)
            found = redaction.measure(image, text=page.text)
        page.redacted_share, page.redaction_boxes = found.share, len(found.boxes)
        page.redaction_codes = ", ".join(found.codes) or None
        page.redaction_detail = {
            "width": found.size[0],
            "height": found.size[1],
            "dpi": dpi,
            "boxes": found.boxes_as_dicts(),
        }
        if found.error and found.error not in extraction.errors:
            extraction.errors.append(found.error)


def _without_paths(message: str, path: Path, workdir: Path | None = None) -> str:
    """An error as the public may read it: the data directory's and the reader's working
    paths reduced to file names (a path can name the machine's user)."""
    if workdir is not None:
        message = message.replace(str(workdir) + "/", "")
    return message.replace(str(path), path.name)


def failed(job: ReadJob, failure: Failure) -> Extraction:
    """The extraction of a document whose reader gave no result: nothing read, and why."""
    path = Path(job.path)
    return Extraction(
        path,
        job.sha256,
        job.mime or sniff(path),
        status=failure.status,
        errors=[_without_paths(failure.error, path)],
    )


def limits(config: Settings) -> Limits:
    return Limits(config.read_memory_mb, config.read_cpu_seconds, config.read_timeout)


def read_all(jobs: list[ReadJob], config: Settings, workers: int) -> Iterator[Extraction]:
    """Every job's extraction, as readers finish them, ``workers`` at a time."""
    with ReaderPool(extract, workers, limits(config)) as pool:
        for job, outcome in pool.run(jobs):
            yield outcome if isinstance(outcome, Extraction) else failed(job, outcome)


@dataclass(frozen=True)
class MeasureJob:
    """A document read before, whose pages are measured for redaction again: its bytes and
    the text of each page (the grounds printed without a box are found from it)."""

    path: str
    sha256: str
    mime: str
    texts: dict[int, str]


def measure_again(job: MeasureJob) -> Extraction:
    """Measure a read document's pages (no text read, no OCR). Runs inside a reader process."""
    extraction = Extraction(
        Path(job.path),
        job.sha256,
        job.mime,
        pages=[_page(number, "text", text) for number, text in sorted(job.texts.items())],
    )
    with tempfile.TemporaryDirectory(prefix="woo-measure-") as tmp:
        measure_redaction(extraction, Path(tmp))
    extraction.errors = [_without_paths(e, Path(job.path)) for e in extraction.errors]
    return extraction


def measure_all(jobs: list[MeasureJob], config: Settings, workers: int) -> Iterator[Extraction]:
    """Every job measured, as readers finish them; a job that breaks a limit is skipped."""
    with ReaderPool(measure_again, workers, limits(config)) as pool:
        for _, outcome in pool.run(jobs):
            if isinstance(outcome, Extraction):
                yield outcome


def extract_file(
    path: Path, config: Settings, sha256: str | None = None, redaction: bool = True
) -> Extraction:
    """Read one file completely, OCR included, in a reader process of its own (what `woo
    extract` prints); ``redaction``: measure the redaction boxes of every page."""
    if sha256 is None:
        digest = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        sha256 = digest.hexdigest()
    with tempfile.TemporaryDirectory(prefix="woo-ocr-") as tmp:
        job = ReadJob(str(path), sha256, None, config, tmp, redaction=redaction)
        [extraction] = read_all([job], config, 1)
    return extraction
