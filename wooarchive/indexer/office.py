"""Text from office files: DOCX and ODT as text (a page per explicit page break), XLSX and ODS
as tables (a page per sheet), keeping rows and columns so a register can become rows."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


class OfficeError(Exception):
    pass


@dataclass
class Sheet:
    name: str
    rows: list[list[str]] = field(default_factory=list)

    def text(self) -> str:
        return "\n".join("\t".join(row).rstrip("\t") for row in self.rows if any(row))


def _xml(path: Path, member: str) -> etree._Element:
    try:
        with zipfile.ZipFile(path) as zf:
            return etree.fromstring(
                zf.read(member), parser=etree.XMLParser(resolve_entities=False, huge_tree=False)
            )
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise OfficeError(f"not a readable office file ({exc})") from exc


def docx_pages(path: Path) -> list[str]:
    body = _xml(path, "word/document.xml")
    pages, lines = [], []
    for paragraph in body.iter(f"{W}p"):
        parts = []
        for node in paragraph.iter(f"{W}t", f"{W}tab", f"{W}br"):
            if node.tag == f"{W}t":
                parts.append(node.text or "")
            elif node.tag == f"{W}tab":
                parts.append("\t")
            elif node.get(f"{W}type") == "page":
                lines.append("".join(parts))
                parts = []
                pages.append("\n".join(lines))
                lines = []
        lines.append("".join(parts))
    pages.append("\n".join(lines))
    return [p.strip() for p in pages if p.strip()] or [""]


def odt_pages(path: Path) -> list[str]:
    root = _xml(path, "content.xml")
    lines = ["".join(node.itertext()) for node in root.iter(f"{TEXT}p", f"{TEXT}h")]
    return ["\n".join(line for line in lines if line.strip())]


def xlsx_sheets(path: Path, max_rows: int = 100_000) -> list[Sheet]:
    from openpyxl import load_workbook

    try:
        # a file object, because openpyxl judges a path by its extension and blobs have none
        book = load_workbook(io.BytesIO(path.read_bytes()), read_only=True, data_only=True)
    except Exception as exc:
        raise OfficeError(f"not a readable XLSX file ({exc})") from exc
    sheets = []
    for worksheet in book.worksheets:
        sheet = Sheet(worksheet.title)
        for row in worksheet.iter_rows(values_only=True, max_row=max_rows):
            sheet.rows.append(["" if value is None else str(value).strip() for value in row])
        sheets.append(sheet)
    book.close()
    return sheets


def ods_sheets(path: Path) -> list[Sheet]:
    root = _xml(path, "content.xml")
    sheets = []
    for table in root.iter(f"{TABLE}table"):
        sheet = Sheet(table.get(f"{TABLE}name", "Blad"))
        for row in table.iter(f"{TABLE}table-row"):
            cells = []
            for cell in row.iter(f"{TABLE}table-cell"):
                repeat = min(int(cell.get(f"{TABLE}number-columns-repeated", "1")), 100)
                cells.extend([" ".join("".join(cell.itertext()).split())] * repeat)
            while cells and not cells[-1]:
                cells.pop()
            sheet.rows.append(cells)
        sheets.append(sheet)
    return sheets
