"""A PDF's text layer, page by page, with what is needed to decide on OCR."""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from wooarchive.indexer.qpdf import QpdfError, repair

log = logging.getLogger(__name__)


class Encrypted(Exception):
    """Encrypted with a password we do not have."""


class Unreadable(Exception):
    """Not a PDF pypdf can read, even after repair."""


@dataclass
class PdfPage:
    number: int
    text: str
    has_images: bool


@dataclass
class PdfText:
    pages: list[PdfPage]
    total_pages: int
    errors: list[str] = field(default_factory=list)
    repaired: bool = False


def _has_images(page) -> bool:
    try:
        xobjects = page.get("/Resources", {}).get("/XObject", {})
        return any(xobjects[name].get_object().get("/Subtype") == "/Image" for name in xobjects)
    except Exception:
        return True  # unsure: let the text quality decide


def _open(path: Path) -> PdfReader:
    reader = PdfReader(str(path), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Encrypted("encrypted, and the empty password does not open it")
    len(reader.pages)  # forces the page tree to be read: damage shows here
    return reader


def read_pdf(path: Path, max_pages: int) -> PdfText:
    """Text per page for up to ``max_pages`` pages; a malformed file is repaired with qpdf
    first. Raises Encrypted or Unreadable."""
    repaired = False
    with tempfile.TemporaryDirectory(prefix="woo-pdf-") as tmp:
        try:
            reader = _open(path)
        except Encrypted:
            raise
        except Exception as first:
            fixed = Path(tmp) / "repaired.pdf"
            try:
                repair(path, fixed)
                reader = _open(fixed)
                repaired = True
            except (QpdfError, PdfReadError, Exception) as exc:
                raise Unreadable(f"malformed PDF ({first}); repair failed ({exc})") from exc
        total = len(reader.pages)
        result = PdfText([], total, repaired=repaired)
        if repaired:
            result.errors.append("malformed PDF, repaired with qpdf before reading")
        if total > max_pages:
            result.errors.append(
                f"{total} pages, more than the limit of {max_pages}: only the first {max_pages} read"
            )
        for number, page in enumerate(reader.pages[:max_pages], start=1):
            try:
                text = page.extract_text() or ""
            except Exception as exc:
                result.errors.append(
                    f"page {number}: text layer unreadable ({type(exc).__name__}: {exc})"
                )
                text = ""
            result.pages.append(PdfPage(number, text, _has_images(page)))
        return result
