"""Dates in an inventory's column, read as dates: ISO beside the original text (which stays as
evidence), or a note saying why not.

Inventories write dates every way: ISO (`2021-02-19`), Dutch (`19-02-2021`, `19/02/2021`,
`19 februari 2021`), the ministries' platform's export (`2/19/2021 8:46 AM UTC`), or an Excel
serial number (`44246.365`). Whether `03/04/2025` is 3 April or 4 March cannot be told from the
cell; it is told from the column: a column holding `14/04/2025` is day-first, one holding
`2/19/2021` month-first. A column without such a witness is read as its form says: with AM/PM
the platform's month-first export, otherwise the Dutch day-first. A column holding witnesses of
both orders is not guessed at: its ambiguous cells get a note. A cell that is no date (or a day
that does not exist) gets a note, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from wooarchive.dutch import MONTHS

ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?)?(Z)?$"
)
NUMERIC = re.compile(
    r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})"
    r"(?:,?\s+(\d{1,2}):(\d{2})(?::\d{2})?(?:\s*([ap])\.?m\.?)?(?:\s*(utc|gmt|z))?)?$",
    re.I,
)
YEAR_FIRST = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
# a month by its name or the abbreviations Dutch writes (feb, mrt, sept): exactly, never a guess
MONTH_WORDS = (
    {name: n for n, name in enumerate(MONTHS, start=1)}
    | {name[:3]: n for n, name in enumerate(MONTHS, start=1)}
    | {"mrt": 3, "sept": 9}
)
WORDS = re.compile(r"^(\d{1,2})\s+([a-z]+)\.?\s+(\d{4})$", re.I)
SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
EXCEL_EPOCH = datetime(1899, 12, 30)  # Excel's day 0 (with its 1900 leap-year bug absorbed)


@dataclass(frozen=True)
class Reading:
    """A cell's date as ISO (``YYYY-MM-DD``, with ``THH:MM`` and ``Z`` when given), or None and
    the note that says why."""

    iso: str | None
    note: str | None = None


@dataclass(frozen=True)
class _Cell:
    first: int  # day or month
    second: int  # month or day
    year: int
    time: str  # "" or "THH:MM" (with "Z" when UTC)
    meridiem: bool  # AM/PM written: the platform's month-first export


def _iso(year: int, month: int, day: int, time: str = "") -> str | None:
    try:
        return date(year, month, day).isoformat() + time
    except ValueError:
        return None


def _clock(hour: str | None, minute: str | None, meridiem: str | None, zone: str | None) -> str:
    """``THH:MM`` (``Z`` for UTC), or "" for none. Midnight without a zone is no time: it is how
    a spreadsheet writes a cell that holds only a date (`2021-03-01 00:00:00`)."""
    if hour is None or (int(hour) == 0 and int(minute) == 0 and not meridiem and not zone):
        return ""
    h = int(hour)
    if meridiem:  # 12 AM is midnight, 12 PM noon
        h = h % 12 + (12 if meridiem.lower() == "p" else 0)
    if h > 23 or int(minute) > 59:
        return ""
    return f"T{h:02d}:{minute}" + ("Z" if zone else "")


def _unambiguous(text: str) -> Reading | None:
    """A cell whose form says the date by itself (ISO, words, Excel serial), else None."""
    if m := ISO.match(text):
        year, month, day, hour, minute, zone = m.groups()
        clock = _clock(hour, minute, None, zone)
        found = _iso(int(year), int(month), int(day), clock)
        return Reading(found) if found else Reading(None, f"{text!r} is not a day that exists")
    if m := YEAR_FIRST.match(text):
        found = _iso(int(m[1]), int(m[2]), int(m[3]))
        return Reading(found) if found else Reading(None, f"{text!r} is not a day that exists")
    if m := WORDS.match(text):
        month = MONTH_WORDS.get(m[2].lower())
        if month is None:
            return Reading(None, f"{text!r}: {m[2]!r} is not a month")
        found = _iso(int(m[3]), month, int(m[1]))
        return Reading(found) if found else Reading(None, f"{text!r} is not a day that exists")
    if SERIAL.match(text):
        serial = float(text)
        if not 1 <= serial < 2958466:  # Excel's range: 1900-01-01 .. 9999-12-31
            return Reading(None, f"{text!r} is not an Excel date")
        moment = EXCEL_EPOCH + timedelta(days=serial)
        clock = moment.strftime("T%H:%M") if serial % 1 else ""
        return Reading(moment.date().isoformat() + clock)
    return None


def read_column(values: list[str | None]) -> list[Reading | None]:
    """Every cell of a date column read (None for an empty cell), the order of day and month
    decided for the whole column."""
    cells: dict[int, _Cell] = {}
    out: list[Reading | None] = [None] * len(values)
    for index, value in enumerate(values):
        text = (value or "").strip()
        if not text:
            continue
        reading = _unambiguous(text)
        if reading is not None:
            out[index] = reading
            continue
        if m := NUMERIC.match(text):
            a, b, year, hour, minute, meridiem, zone = m.groups()
            cells[index] = _Cell(
                int(a), int(b), int(year), _clock(hour, minute, meridiem, zone), bool(meridiem)
            )
        else:
            out[index] = Reading(None, f"{text!r} cannot be read as a date")
    day_first_witness = any(c.first > 12 for c in cells.values())
    month_first_witness = any(c.second > 12 for c in cells.values())
    if day_first_witness and month_first_witness:
        order = None
    elif day_first_witness or month_first_witness:
        order = "day" if day_first_witness else "month"
    else:
        meridiem = sum(c.meridiem for c in cells.values())
        order = "month" if meridiem > len(cells) / 2 else "day"
    for index, cell in cells.items():
        text = (values[index] or "").strip()
        if order is None and cell.first <= 12 and cell.second <= 12 and cell.first != cell.second:
            out[index] = Reading(
                None,
                f"{text!r}: day and month cannot be told apart (the column holds dates in both "
                "orders)",
            )
            continue
        if order is None:
            day, month = (cell.first, cell.second) if cell.first > 12 else (cell.second, cell.first)
        else:
            day, month = (cell.first, cell.second) if order == "day" else (cell.second, cell.first)
        found = _iso(cell.year, month, day, cell.time)
        out[index] = (
            Reading(found) if found else Reading(None, f"{text!r} is not a day that exists")
        )
    return out
