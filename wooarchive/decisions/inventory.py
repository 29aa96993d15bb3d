"""Inventories (inventarislijsten) as rows: one per document a Woo decision lists, with its
number, title, date, assessment and grounds.

The national platform's production report (`productierapport`: ID, Matter, Document, Datum,
Beoordeling, Opgeschort, Beoordelingsgrond, Toelichting, Publieke link, Zaaknummer) and the
variants municipalities publish (Nr., Omschrijving, Besluit, Weigeringsgrond, ...) arrive as
XLSX, ODS, CSV or an HTML table. The readers keep table cells apart with tabs (one page per
sheet, one line per row), so one parser serves them all: a line whose cells name at least three
known columns, one of them the assessment or the grounds, is the header; the lines after it
with cells are the rows. A PDF table's columns do not survive text extraction, so PDF
inventories are not read here.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from wooarchive.decisions.grounds import find_grounds

COLUMNS = {
    "number": re.compile(r"^(id|nr\.?|nummer|documentnummer|doc\.?\s*nr\.?|volgnummer|#)$", re.I),
    "title": re.compile(r"^(document|documentnaam|titel|omschrijving|onderwerp|naam)$", re.I),
    "date": re.compile(r"^(datum|documentdatum|date)$", re.I),
    "assessment": re.compile(r"^(beoordeling|besluit|openbaarmaking|status|oordeel)$", re.I),
    "grounds": re.compile(
        r"^(beoordelingsgrond(en)?|weigeringsgrond(en)?|uitzonderingsgrond(en)?|grond(en)?|"
        r"wettelijke\s+grond(slag)?)$",
        re.I,
    ),
    "suspended": re.compile(r"^(opgeschort)$", re.I),
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


def _assessment(value: str) -> str | None:
    value = value.strip()
    return next((name for name, pattern in ASSESSMENTS if pattern.match(value)), None)


def _header(cells: list[str]) -> dict[str, int] | None:
    found = {}
    for index, cell in enumerate(cells):
        for name, pattern in COLUMNS.items():
            if name not in found and pattern.match(cell.strip()):
                found[name] = index
    if len(found) >= 3 and ("assessment" in found or "grounds" in found):
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


def parse_inventory(pages: list[tuple[int, str]], mime: str) -> list[Item]:
    """The inventory's rows, or [] when no page holds an inventory table."""
    items: list[Item] = []
    for page, text in pages:
        columns = None
        for row in _rows(text or "", mime):
            cells = [c.strip() for c in row]
            if columns is None:
                columns = _header(cells)
                continue
            if sum(1 for c in cells if c) < 2:
                continue

            value = {name: _cell(cells, index) for name, index in columns.items()}
            raw = value.get("assessment")
            grounds = find_grounds(value.get("grounds") or "", bare=True)
            suspended = value.get("suspended")
            items.append(
                Item(
                    row=len(items) + 1,
                    page=page,
                    number=value.get("number"),
                    title=value.get("title"),
                    date=value.get("date"),
                    assessment=_assessment(raw) if raw else None,
                    assessment_raw=raw,
                    grounds=[g.code for g in grounds if g.valid],
                    invalid_grounds=[f"{g.notation}: {g.reason}" for g in grounds if not g.valid],
                    suspended=None
                    if suspended is None
                    else suspended.lower() in ("ja", "yes", "1", "x", "true"),
                )
            )
    return items
