"""Text from office files: DOCX and ODT as text (a page per explicit page break), XLSX and ODS
as tables (a page per sheet), keeping rows and columns so a register can become rows.

These formats are ZIP archives of XML, and both layers can be built to explode: every member is
checked against the total uncompressed size and the compression ratio before it is read (and
read with a bound, since the sizes in a ZIP directory can lie), and XML is parsed without entity
expansion, DTDs or network access. openpyxl uses defusedxml when it is installed (it is a
dependency), and the dimensions a sheet claims are ignored."""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from wooarchive.indexer.isolation import LimitExceeded

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


MAX_RATIO = 200  # a member inflating more than this (and past 1 MB) is a zip bomb
MAX_COLUMNS = 1000  # columns kept per sheet row
MAX_ROWS = 100_000  # rows kept per sheet


class OfficeError(Exception):
    pass


@dataclass(frozen=True)
class ZipLimits:
    max_unzipped: int = 256 * 1024 * 1024  # WOO_MAX_UNZIPPED_MB: all members together
    max_ratio: int = MAX_RATIO


def check_zip(zf: zipfile.ZipFile, limits: ZipLimits) -> None:
    """Refuse an archive whose directory announces a bomb."""
    total = 0
    for info in zf.infolist():
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise LimitExceeded(
                f"zip member {info.filename!r} inflates {info.compress_size} bytes to "
                f"{info.file_size} (more than {limits.max_ratio}x): a zip bomb"
            )
    if total > limits.max_unzipped:
        raise LimitExceeded(
            f"zip members add up to {total} bytes uncompressed, over the limit of "
            f"{limits.max_unzipped // (1024 * 1024)} MB"
        )


def read_member(zf: zipfile.ZipFile, member: str, limits: ZipLimits) -> bytes:
    """A member's bytes, stopping at the limit whatever the directory claimed."""
    info = zf.getinfo(member)
    bound = min(limits.max_unzipped, max(info.compress_size, 1) * limits.max_ratio + 1024 * 1024)
    with zf.open(info) as fh:
        data = fh.read(bound + 1)
    if len(data) > bound:
        raise LimitExceeded(f"zip member {member!r} inflates past {bound} bytes: a zip bomb")
    return data


@dataclass
class Sheet:
    name: str
    rows: list[list[str]] = field(default_factory=list)
    truncated: bool = False  # it has rows after MAX_ROWS, not read

    def fill_down(self, column: int, first: int, last: int) -> None:
        """A cell merged over rows ``first``..``last`` (0-based) shows its value on each of
        them, as a reader of the sheet sees it: the value goes into each row's cell (rows
        beyond those read are not made)."""
        if first >= len(self.rows) or column >= MAX_COLUMNS:
            return
        top = self.rows[first]
        value = top[column] if column < len(top) else ""
        if not value:
            return
        for row in self.rows[first + 1 : min(last, len(self.rows) - 1) + 1]:
            if len(row) <= column:
                row.extend([""] * (column + 1 - len(row)))
            if not row[column]:
                row[column] = value

    def text(self) -> str:
        return "\n".join("\t".join(row).rstrip("\t") for row in self.rows if any(row))


def _xml(path: Path, member: str, limits: ZipLimits) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, huge_tree=False, load_dtd=False, no_network=True
    )
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, limits)
            return etree.fromstring(read_member(zf, member, limits), parser=parser)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, NotImplementedError) as exc:
        raise OfficeError(f"not a readable office file ({exc})") from exc
    except (zlib.error, EOFError, OSError) as exc:
        raise OfficeError(f"damaged zip data ({type(exc).__name__}: {exc})") from exc


def docx_pages(path: Path, limits: ZipLimits) -> list[str]:
    body = _xml(path, "word/document.xml", limits)
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


def odt_pages(path: Path, limits: ZipLimits) -> list[str]:
    root = _xml(path, "content.xml", limits)
    lines = ["".join(node.itertext()) for node in root.iter(f"{TEXT}p", f"{TEXT}h")]
    return ["\n".join(line for line in lines if line.strip())]


def xlsx_sheets(path: Path, limits: ZipLimits) -> list[Sheet]:
    from openpyxl import load_workbook

    data = path.read_bytes()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_zip(zf, limits)
        # a file object, because openpyxl judges a path by its extension and blobs have none
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except LimitExceeded:
        raise
    except Exception as exc:
        raise OfficeError(f"not a readable XLSX file ({type(exc).__name__}: {exc})") from exc
    sheets = []
    try:
        for worksheet in book.worksheets:
            sheet = Sheet(worksheet.title)
            if hasattr(worksheet, "reset_dimensions"):
                worksheet.reset_dimensions()  # a claimed A1:XFD1048576 would pad every row
            for row in worksheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1):
                if len(sheet.rows) == MAX_ROWS:
                    sheet.truncated = True
                    break
                cells = ["" if v is None else str(v).strip() for v in row[:MAX_COLUMNS]]
                while cells and not cells[-1]:
                    cells.pop()
                sheet.rows.append(cells)
            _merged_xlsx(sheet, book, worksheet, limits)
            sheets.append(sheet)
    except LimitExceeded:
        raise
    except Exception as exc:
        raise OfficeError(f"not a readable XLSX sheet ({type(exc).__name__}: {exc})") from exc
    finally:
        book.close()
    return sheets


MERGED = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]{1,3})(\d{1,7}):([A-Z]{1,3})(\d{1,7})\"")
MAX_MERGED = 10_000  # merged ranges applied per sheet


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number - 1


def _merged_xlsx(sheet: Sheet, book, worksheet, limits: ZipLimits) -> None:
    """Apply the sheet's merged cells (openpyxl's read-only mode does not read them): a value
    merged over rows stands in each of them (an assessment given once for a family of
    documents)."""
    path = getattr(worksheet, "_worksheet_path", None)
    archive = getattr(book, "_archive", None)
    if not path or archive is None:
        return
    data = read_member(archive, path, limits)
    for count, match in enumerate(MERGED.finditer(data)):
        if count == MAX_MERGED:
            break
        first_column, first_row, _, last_row = match.groups()
        if int(last_row) > int(first_row):
            sheet.fill_down(_column(first_column), int(first_row) - 1, int(last_row) - 1)


class NotAWorkbook(OfficeError):
    """An old Office file (OLE2) that holds no Excel workbook: a .doc, say."""


def xls_sheets(path: Path) -> list[Sheet]:
    """An old Excel workbook (.xls, BIFF), which the ministries' platform accepts for
    inventories, read with xlrd (the library that reads .xls and nothing else). Dates are
    numbers with a date format there; they are written as ISO date and time."""
    import xlrd

    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as exc:
        if "workbook" in str(exc).lower():
            raise NotAWorkbook(
                f"an old Office file without an Excel workbook ({exc}): only .xls is read"
            ) from exc
        raise OfficeError(f"not a readable XLS file ({exc})") from exc
    except Exception as exc:  # xlrd raises what the broken bytes lead it to
        raise OfficeError(f"not a readable XLS file ({type(exc).__name__}: {exc})") from exc
    sheets = []
    try:
        for index in range(book.nsheets):
            worksheet = book.sheet_by_index(index)
            sheet = Sheet(worksheet.name, truncated=worksheet.nrows > MAX_ROWS)
            for row in range(min(worksheet.nrows, MAX_ROWS)):
                cells = []
                for cell in worksheet.row(row)[:MAX_COLUMNS]:
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        try:
                            value = str(xlrd.xldate_as_datetime(cell.value, book.datemode))
                        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                            value = str(cell.value)
                    elif cell.ctype == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
                        value = str(int(cell.value))
                    else:
                        value = str(cell.value).strip()
                    cells.append(value)
                while cells and not cells[-1]:
                    cells.pop()
                sheet.rows.append(cells)
            book.unload_sheet(index)
            sheets.append(sheet)
    except Exception as exc:
        raise OfficeError(f"not a readable XLS sheet ({type(exc).__name__}: {exc})") from exc
    finally:
        book.release_resources()
    return sheets


def ods_sheets(path: Path, limits: ZipLimits) -> list[Sheet]:
    root = _xml(path, "content.xml", limits)
    sheets = []
    for table in root.iter(f"{TABLE}table"):
        sheet = Sheet(table.get(f"{TABLE}name", "Blad"))
        spans: list[tuple[int, int, int]] = []  # (column, first row, last row) merged down
        for row in table.iter(f"{TABLE}table-row"):
            if len(sheet.rows) == MAX_ROWS:
                sheet.truncated = True
                break
            cells: list[str] = []
            # a merged cell covers the cells after it (covered-table-cell): they keep their
            # place, so the columns after them stay where they are
            for cell in row:
                if cell.tag not in (f"{TABLE}table-cell", f"{TABLE}covered-table-cell"):
                    continue
                repeat = min(int(cell.get(f"{TABLE}number-columns-repeated", "1")), 100)
                down = int(cell.get(f"{TABLE}number-rows-spanned", "1"))
                if down > 1 and len(spans) < MAX_MERGED:
                    spans.append((len(cells), len(sheet.rows), len(sheet.rows) + down - 1))
                value = " ".join("".join(cell.itertext()).split())
                cells.extend([value] * repeat)
                if len(cells) >= MAX_COLUMNS:
                    break
            while cells and not cells[-1]:
                cells.pop()
            sheet.rows.append(cells[:MAX_COLUMNS])
        for column, first, last in spans:
            sheet.fill_down(column, first, last)
        sheets.append(sheet)
    return sheets
