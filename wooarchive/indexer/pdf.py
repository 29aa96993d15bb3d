"""A PDF's text layer, page by page, with what is needed to decide on OCR."""

from __future__ import annotations

import logging
import re
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


# operators that put something on the page: images, text, paths filled or stroked, shadings
PAINTING = re.compile(rb"(?:^|[\s\]>)])(?:Do|Tj|TJ|'|\"|f\*?|F|B\*?|b\*?|S|s|sh|BI)(?=[\s\[(/<]|$)")
MAX_CONTENT_SCAN = 4 * 1024 * 1024  # bytes of a content stream looked at to call a page blank


@dataclass
class PdfPage:
    number: int
    text: str
    images: list[tuple[int, int]]  # (width, height) of each image, from its dictionary
    paints: bool  # the content stream draws something (else the page is blank)
    size_pt: tuple[float, float] = (595.0, 842.0)

    @property
    def has_images(self) -> bool:
        return bool(self.images)


@dataclass
class PdfText:
    pages: list[PdfPage]
    total_pages: int
    source: Path  # what later steps (OCR) must read: the repaired copy where repair was needed
    errors: list[str] = field(default_factory=list)
    repaired: bool = False


def _images(resources, depth: int = 0) -> list[tuple[int, int]]:
    """Sizes of the images a page uses, read from the image dictionaries (nothing decoded),
    following form XObjects two levels deep."""
    found: list[tuple[int, int]] = []
    xobjects = (resources or {}).get("/XObject") or {}
    for name in list(xobjects)[:200]:
        xobject = xobjects[name].get_object()
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            found.append((int(xobject.get("/Width", 0)), int(xobject.get("/Height", 0))))
        elif subtype == "/Form" and depth < 2:
            found += _images(xobject.get("/Resources"), depth + 1)
    return found


def _page_facts(page) -> tuple[list[tuple[int, int]], bool, tuple[float, float]]:
    try:
        images = _images(page.get("/Resources"))
    except Exception:
        images = [(0, 0)]  # unsure: treat as a page with an image, let the thumbnail decide
    try:
        contents = page.get_contents()
        data = contents.get_data()[:MAX_CONTENT_SCAN] if contents is not None else b""
        paints = bool(images) or bool(PAINTING.search(data))
    except Exception:
        paints = True
    try:
        box = page.mediabox
        size = (abs(float(box.width)), abs(float(box.height)))
    except Exception:
        size = (595.0, 842.0)
    return images, paints, size


def _open(path: Path) -> PdfReader:
    reader = PdfReader(str(path), strict=False)
    if reader.is_encrypted and not reader.decrypt(""):
        raise Encrypted("encrypted, and the empty password does not open it")
    len(reader.pages)  # forces the page tree to be read: damage shows here
    return reader


def read_pdf(path: Path, max_pages: int, workdir: Path) -> PdfText:
    """Text per page for up to ``max_pages`` pages; a malformed file is repaired with qpdf
    first, into ``workdir``, and the repaired copy is the result's ``source``. Raises Encrypted
    or Unreadable."""
    source = path
    try:
        reader = _open(path)
    except Encrypted:
        raise
    except Exception as first:
        source = workdir / "repaired.pdf"
        try:
            repair(path, source)
            reader = _open(source)
        except (QpdfError, PdfReadError, Exception) as exc:
            raise Unreadable(f"malformed PDF ({first}); repair failed ({exc})") from exc
    total = len(reader.pages)
    result = PdfText([], total, source, repaired=source != path)
    if result.repaired:
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
        result.pages.append(PdfPage(number, text, *_page_facts(page)))
    return result
