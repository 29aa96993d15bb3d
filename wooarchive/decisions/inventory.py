"""Inventories (inventarislijsten) as rows: one per document a Woo decision lists, with its
number, title, date, assessment and grounds.

The national platform's production report (`productierapport`: ID, Matter, Document, Datum,
Beoordeling, Opgeschort, Beoordelingsgrond, Toelichting, Publieke link, Zaaknummer) and the
variants municipalities publish (Nr., Omschrijving, Besluit, Weigeringsgrond, ...) arrive as
XLSX, ODS, CSV or an HTML table. The readers keep table cells apart with tabs (one page per
sheet, one line per row), so one parser serves them all: a line whose cells name at least three
known columns, one of them the assessment or the grounds, is the header; the lines after it
with cells are the rows.

A PDF table's cells do not survive text extraction: its text layer (or Tesseract's reading of a
scan) gives a row as one line of words, or a wrapped cell as lines of their own. So a PDF
inventory is read as records: a header line made of column names fixes the order of the
columns; a record starts at a line opening with a document number and runs until the next one;
in a record's words the date, the assessment (one of the four values) and the grounds are
recognised by their form, and the title is what lies in its column's place between them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from itertools import takewhile

from wooarchive.decisions.dates import read_column
from wooarchive.decisions.grounds import find_grounds
from wooarchive.decisions.metadata import DATE

COLUMNS = {
    "number": re.compile(
        r"^(id|nr\.?|nummer|documentnummer|document\s*id|doc(ument)?\.?\s*nr\.?|volgnummer|#)$",
        re.I,
    ),
    # `Bestandsnaam` heads the public inventory the ministries' platform generates
    "title": re.compile(
        r"^(document|documentnaam|titel|omschrijving|onderwerp|naam|name|bestandsnaam)$", re.I
    ),
    "date": re.compile(r"^(datum|documentdatum|date|datum\s*\(utc\))$", re.I),
    "assessment": re.compile(r"^(beoordeling|besluit|openbaarmaking|status|oordeel)$", re.I),
    # the platform's export names the grounds column `tagmulti006`, suspension `tag015`
    "grounds": re.compile(
        r"^(beoordelingsgrond(en|\(en\))?(\s*\(;\s*gescheiden\))?|weigeringsgrond(en|\(en\))?|"
        r"uitzonderingsgrond(en|\(en\))?|grond(en|\(en\))?|wettelijke\s+grond(slag)?|tagmulti006)$",
        re.I,
    ),
    "suspended": re.compile(r"^(opgeschort|suspended|tag015)$", re.I),
}
# columns the ministries' platform keeps beside the fields above (its production report and
# public inventory): kept per row, read from tables only
EXTRA_COLUMNS = {
    "public_link": re.compile(
        r"^(publieke\s*link(tag)?(\s*\(\s*\|\s*gescheiden\))?|publicatie\s*link|link|url)$",
        re.I,
    ),
    "remark": re.compile(r"^(toelichting|opmerking(en)?)$", re.I),
    "related": re.compile(r"^(gerelateerd(e)?\s*(id|document(en)?)?)$", re.I),
    "family": re.compile(r"^(famil(ie|y)(\s*id)?)$", re.I),
    "thread": re.compile(r"^(e-?mail\s*thread(\s*id)?|thread(\s*id)?)$", re.I),
    "case_number": re.compile(r"^(zaaknummer|zaak(\s*nr\.?)?|case(nr)?)$", re.I),
    # the matter (dossier) a document was gathered under, in the platform's production report
    "matter": re.compile(r"^(matter(\s*/\s*marjoleinnummer)?)$", re.I),
    # where the platform's public inventory puts the released document
    "location": re.compile(r"^(locatie\s+document)$", re.I),
}
ASSESSMENTS = [  # first that fires wins: "niet openbaar" before "openbaar"
    ("deels openbaar", re.compile(r"^(deels|gedeeltelijk)\s+openbaar", re.I)),
    ("niet openbaar", re.compile(r"^(niet\s+openbaar|geweigerd|weigeren)", re.I)),
    ("reeds openbaar", re.compile(r"^(reeds|al)\s+openbaar", re.I)),
    ("openbaar", re.compile(r"^(geheel\s+|volledig\s+)?openbaar", re.I)),
]


@dataclass
class Item:
    row: int
    page: int
    number: str | None
    title: str | None
    date: str | None
    assessment: str | None  # openbaar | deels openbaar | niet openbaar | reeds openbaar
    assessment_raw: str | None
    grounds: list[str] = field(default_factory=list)
    invalid_grounds: list[str] = field(default_factory=list)
    suspended: bool | None = None
    # the date read as a date (decisions.dates); ``date`` keeps the cell's text
    date_iso: str | None = None
    notes: list[str] = field(default_factory=list)  # what of the row could not be read, and why
    extra: dict[str, str] = field(default_factory=dict)  # EXTRA_COLUMNS the table has


def read_dates(items: list[Item]) -> list[Item]:
    """Read the date column of one table as dates, the order of day and month decided for the
    whole column (decisions.dates); a date that cannot be read is a note of its row."""
    for item, reading in zip(items, read_column([i.date for i in items]), strict=True):
        if reading is None:
            continue
        item.date_iso = reading.iso
        if reading.note:
            item.notes.append(f"row {item.row}: date {reading.note}")
    return items


def _assessment(value: str) -> str | None:
    value = value.strip()
    return next((name for name, pattern in ASSESSMENTS if pattern.match(value)), None)


def header_name(cell: str) -> str:
    """A header cell as it is matched: trimmed, lower case, one space between words, without
    the number a platform puts before it (`01 Document` is `document`, `06 Datum (UTC)` is
    `datum (utc)`)."""
    text = re.sub(r"\s+", " ", cell.strip().lower())
    return re.sub(r"^\d+[\s._)-]+(?=\D)", "", text)


def _header(cells: list[str]) -> dict[str, int] | None:
    found = {}
    names = [header_name(cell) for cell in cells]
    for index, name_of_cell in enumerate(names):
        for name, pattern in COLUMNS.items():
            if name not in found and pattern.match(name_of_cell):
                found[name] = index
    if len(found) >= 3 and ("assessment" in found or "grounds" in found):
        for index, name_of_cell in enumerate(names):
            for name, pattern in EXTRA_COLUMNS.items():
                if (
                    name not in found
                    and index not in found.values()
                    and pattern.match(name_of_cell)
                ):
                    found[name] = index
        return found
    return None


def _rows(text: str, mime: str) -> list[list[str]]:
    if mime == "text/csv":
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return [row for row in csv.reader(io.StringIO(text), dialect)]
    return [line.split("\t") for line in text.splitlines()]


def _cell(cells: list[str], index: int) -> str | None:
    return (cells[index] if index < len(cells) else "") or None


@dataclass
class Parsed:
    """An inventory file read: its rows and its verdict (inventory, empty inventory, not an
    inventory) with the reason."""

    items: list[Item]
    verdict: str
    reason: str


NOT_A_TABLE = "no table whose header names the documents with their assessment or grounds"


def parse_inventory(pages: list[tuple[int, str]], mime: str) -> Parsed:
    """The inventory's rows and its verdict. A file without a table header is not an inventory;
    nor is one whose header has neither a document-number column nor a document column (there
    is nothing to say which document a row is: no rows are stored); a header without rows is an
    empty inventory (a template)."""
    if mime == "application/pdf":
        items = parse_pdf_inventory(pages)
        if items:
            return Parsed(items, "inventory", f"{len(items)} rows in a PDF table")
        return Parsed([], "not an inventory", NOT_A_TABLE)
    items: list[Item] = []
    headers = 0
    nameless = False
    for page, text in pages:
        columns = None
        table_start = len(items)
        for row in _rows(text or "", mime):
            cells = [c.strip() for c in row]
            if columns is None:
                columns = _header(cells)
                if columns is not None and not {"number", "title"} & set(columns):
                    nameless, columns = True, None
                    break
                headers += columns is not None
                continue
            if sum(1 for c in cells if c) < 2:
                continue
            items.append(_table_item(len(items) + 1, page, columns, cells))
        read_dates(items[table_start:])  # a sheet is a table of its own
    if items:
        return Parsed(items, "inventory", f"{len(items)} rows")
    if headers:
        return Parsed([], "empty inventory", "a header without rows (a template)")
    if nameless:
        return Parsed(
            [],
            "not an inventory",
            "its table has no document-number column and no document column: no row says "
            "which document it is",
        )
    return Parsed([], "not an inventory", NOT_A_TABLE)


def _table_item(row: int, page: int, columns: dict[str, int], cells: list[str]) -> Item:
    value = {name: _cell(cells, index) for name, index in columns.items()}
    raw = value.get("assessment")
    grounds = find_grounds(value.get("grounds") or "", bare=True)
    suspended = value.get("suspended")
    assessment = _assessment(raw) if raw else None
    notes = []
    if raw and assessment is None:  # unknown is unknown, never "niet openbaar"
        notes.append(
            f"row {row}: assessment {raw!r} is none of openbaar, deels openbaar, niet openbaar, "
            "reeds openbaar"
        )
    return Item(
        row=row,
        page=page,
        number=value.get("number"),
        title=value.get("title"),
        date=value.get("date"),
        assessment=assessment,
        assessment_raw=raw,
        grounds=[g.code for g in grounds if g.valid],
        invalid_grounds=[f"{g.notation}: {g.reason}" for g in grounds if not g.valid],
        suspended=None
        if suspended is None
        else suspended.lower() in ("ja", "yes", "1", "x", "true"),
        extra={name: value[name] for name in EXTRA_COLUMNS if value.get(name)},
        notes=notes,
    )


# -- PDF tables: records of words --------------------------------------------------------------

HEADER_WORDS = {
    name: re.compile(
        pattern.pattern.replace("^(", r"(?<![\w.])(").replace(")$", r")(?![\w])"), re.I
    )
    for name, pattern in COLUMNS.items()
}
# columns a header may also have, which no field is read from
OTHER_COLUMNS = re.compile(
    r"(?<![\w.])(matter|toelichting|opmerking(en)?|publieke\s+link|link|zaaknummer|bijlage|"
    r"familie|soort|type|pagina'?s|aantal)(?![\w])",
    re.I,
)
ISO_DATE = re.compile(r"\b(?:19|20)\d{2}-\d{2}-\d{2}\b")
ASSESSMENT_WORDS = re.compile(
    r"\b(?:(?:deels|gedeeltelijk)\s+openbaar|niet\s+openbaar|(?:reeds|al)\s+openbaar|"
    r"(?:geheel\s+|volledig\s+)?openbaar|geweigerd)\b",
    re.I,
)
NUMBER = re.compile(r"^(?P<number>(?:[A-Za-z]{1,3}[-.]?)?\d{1,6}(?:[.-]\d{1,4})?)[.)]?(?=\s|$)")
FOOTER = re.compile(r"^(pagina|page|blad)\s+\d+(\s+(van|of|/)\s+\d+)?$|^\d+\s*/\s*\d+$", re.I)
# a sentence between rows is the letter going on after its table
SENTENCE = re.compile(r"^(\S+\s+){5,}\S*[.,:;]$")
# a record this long has swallowed text after its table
MAX_RECORD = 600
STRAY_LINES = 6  # lines in a row that fit no record before the table counts as ended


def _pdf_header(line: str) -> list[str] | None:
    """The column names in the order the line gives them, when the line is a table header:
    three or more column names, one of them the assessment or the grounds, and little else."""
    spans = []
    for name, pattern in HEADER_WORDS.items():
        match = pattern.search(line)
        if match:
            spans.append((match.start(), match.end(), name))
    names = {name for _, _, name in spans}
    if len(names) < 3 or not names & {"assessment", "grounds"}:
        return None
    spans += [(m.start(), m.end(), "other") for m in OTHER_COLUMNS.finditer(line)]
    covered = sum(end - start for start, end, _ in spans)
    if covered < 0.6 * len(re.sub(r"\s+", "", line)):
        return None  # a sentence that happens to name the columns
    return [name for _, _, name in sorted(spans)]


def _date_span(text: str) -> tuple[int, int] | None:
    found = [m for m in (DATE.search(text), ISO_DATE.search(text)) if m]
    if not found:
        return None
    first = min(found, key=lambda m: m.start())
    return first.start(), first.end()


def _earlier(order: list[str], a: str, b: str) -> bool:
    return a in order and b in order and order.index(a) < order.index(b)


def _record_item(
    number: str, text: str, order: list[str], page: int, row: int, around: tuple[str, str]
) -> Item | None:
    """One record's fields, found by their form and placed by the header's column order;
    ``around``: lines of its title that a scan's reading put before and after its number."""
    spans: dict[str, tuple[int, int]] = {}
    assessments = list(ASSESSMENT_WORDS.finditer(text))
    if assessments:
        # a title may say "openbaar" too; the assessment column is the later one
        chosen = assessments[0] if _earlier(order, "assessment", "title") else assessments[-1]
        spans["assessment"] = (chosen.start(), chosen.end())
    if "date" in order:
        date = _date_span(text)
        if date:
            spans["date"] = date
    if "grounds" in order:
        # the grounds lie after the field before them in the header; never in a date
        before = [spans[n][1] for n in order[: order.index("grounds")] if n in spans]
        start = max(before, default=0)
        cut = text[start:]
        date = spans.get("date")
        if date and date[0] >= start:
            cut = text[start : date[0]] + " " * (date[1] - date[0]) + text[date[1] :]
        grounds = find_grounds(cut, bare=True)
    else:
        grounds = []
    if "assessment" not in spans and not grounds:
        return None  # no row of an inventory: nothing assessed
    title = None
    if "title" in order:
        position = order.index("title")
        before = [spans[n][1] for n in order[:position] if n in spans]
        after = [spans[n][0] for n in order[position + 1 :] if n in spans]
        if after and grounds and "grounds" in order[position + 1 :]:
            after.append(text.find(grounds[0].notation.split()[0]))
        start, end = max(before, default=0), min([a for a in after if a >= 0], default=len(text))
        words = text[start:end].split()
        if not before:
            # the values of columns read nothing from (a matter code) between number and title
            words = words[len(list(takewhile("other".__eq__, order[1:position]))) :]
        title = " ".join(words)
    title = " ".join(part for part in (around[0], title, around[1]) if part) or None
    suspended = None
    if "suspended" in order and "assessment" in spans:
        flag = re.search(r"\b(ja|nee)\b", text[spans["assessment"][1] :], re.I)
        suspended = flag.group(1).lower() == "ja" if flag else None
    raw = text[slice(*spans["assessment"])] if "assessment" in spans else None
    date_text = text[slice(*spans["date"])] if "date" in spans else None
    return Item(
        row=row,
        page=page,
        number=number,
        title=title,
        date=date_text,
        assessment=_assessment(raw) if raw else None,
        assessment_raw=" ".join(raw.split()) if raw else None,
        grounds=[g.code for g in grounds if g.valid],
        invalid_grounds=[f"{g.notation}: {g.reason}" for g in grounds if not g.valid],
        suspended=suspended,
    )


def inventory_opens(pages: list[tuple[int, str]]) -> bool:
    """Whether a PDF opens with its inventory table (a header among its first lines): an
    inventory on its own, not a decision letter with the inventory as an annex."""
    lines = [line for line in (pages[0][1] if pages else "").splitlines() if line.strip()]
    return any(_pdf_header(" ".join(line.replace("|", " ").split())) for line in lines[:8])


@dataclass
class _Record:
    number: str
    page: int
    text: str
    order: list[str]  # the columns of the table it is a row of
    before: list[str] = field(default_factory=list)  # title lines read above the number
    after: list[str] = field(default_factory=list)  # and below the row's fields

    def complete(self) -> bool:
        return bool(ASSESSMENT_WORDS.search(self.text))

    def untitled(self) -> bool:
        """The number is followed at once by a field: its title lies above or below."""
        return bool(FIELD_FIRST.match(self.text))


FIELD_FIRST = re.compile(r"\s*(" + ASSESSMENT_WORDS.pattern + "|" + DATE.pattern + ")", re.I)


def _clean(lines: list[str]) -> str:
    return re.sub(r"[\s.,;:|‚'`]+$", "", " ".join(lines)).strip()


def before_inventory(pages: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """The pages of a decision up to where its annexed inventory table begins: the letter,
    whose citations are the decision's; the table's grounds are its documents'."""
    kept: list[tuple[int, str]] = []
    for page, text in pages:
        lines = (text or "").splitlines()
        for index, line in enumerate(lines):
            if _pdf_header(" ".join(line.replace("|", " ").split())):
                if index:
                    kept.append((page, "\n".join(lines[:index])))
                return kept
        kept.append((page, text))
    return kept


def parse_pdf_inventory(pages: list[tuple[int, str]]) -> list[Item]:
    """The rows of the inventory tables in a PDF's page texts (text layer or OCR). A table may
    run over pages with or without its header repeated; it ends at a new header or after a few
    lines that fit no record.

    A scan's rows are read by baseline: a title wrapped in a vertically centred cell comes out
    partly above the line with the number and the other fields, partly below. Lines between two
    complete records go to the next record when its number is followed at once by its fields,
    and what follows such a record, to it."""
    records: list[_Record] = []
    order: list[str] | None = None
    heading = ""  # the header's text, while the lines after it may still continue it
    pending: list[str] = []
    stray = 0

    def end_table() -> None:
        nonlocal order
        pending.clear()
        order = None

    for page, text in pages:
        for raw_line in (text or "").splitlines():
            line = " ".join(raw_line.replace("|", " ").split())
            if not line or FOOTER.match(line):
                continue
            header = _pdf_header(line)
            if header:
                pending.clear()
                order, stray, heading = header, 0, line
                continue
            if order is None:
                continue
            if heading and not NUMBER.match(line):
                # a header whose cells wrap: "Beoordeling" / "sgrond" / "Toelichting"
                glued = heading + ("" if line[:1].islower() else " ") + line
                longer = _pdf_header(glued)
                if longer:
                    order, heading = longer, glued
                    continue
            heading = ""
            last = records[-1] if records and records[-1].order is order else None
            number = NUMBER.match(line)
            # a line opening with a number starts a record unless the record before it is still
            # missing its assessment (a wrapped title that begins with a year, say)
            if number and (
                not last or last.complete() or _next_number(last.number, number.group("number"))
            ):
                record = _Record(number.group("number"), page, line[number.end() :], order)
                if pending and record.untitled():
                    record.before = pending[:]
                elif pending and last and last.before:
                    last.after = pending[:]
                pending.clear()
                records.append(record)
                stray = 0
                continue
            if last and (not last.complete() or _only_fields(line)):
                last.text += " " + line
                continue
            pending.append(line)
            stray += 1
            if stray >= STRAY_LINES or SENTENCE.match(line):
                end_table()
    items = []
    for record in records:
        if len(record.text) > MAX_RECORD:
            continue  # has swallowed the text after its table
        around = (_clean(record.before), _clean(record.after))
        item = _record_item(
            record.number, record.text, record.order, record.page, len(items) + 1, around
        )
        if item:
            items.append(item)
    return read_dates(items)


def _next_number(previous: str, number: str) -> bool:
    """Whether ``number`` follows ``previous`` (1 then 2): a new record even if the one before
    was left without an assessment."""
    a, b = re.findall(r"\d+", previous), re.findall(r"\d+", number)
    return bool(a and b) and int(b[-1]) == int(a[-1]) + 1


def _only_fields(line: str) -> bool:
    """A line made of grounds, dates and ja/nee only: the wrapped end of a complete record."""
    rest = line
    for ground in find_grounds(line, bare=True):
        rest = rest.replace(ground.notation, " ", 1)
    rest = DATE.sub(" ", ISO_DATE.sub(" ", rest))
    return not re.sub(r"[\s;,/]|\b(ja|nee|en)\b", "", rest, flags=re.I)
