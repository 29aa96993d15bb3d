"""The days the Algemene termijnenwet (Atw) does not count as working days.

Atw art. 3 has its own list, which is not the list of Dutch public holidays that calendar
libraries ship: 5 May (Bevrijdingsdag) counts every year, and Goede Vrijdag counts. Lid 3 lets a
royal decree, published in the Staatscourant, make further days equal to them (bridging days,
usually for three years at a time). Those live in a dated table, ``data/atw_extra_days.csv``,
one row per day with its decree's title, where it was found and how far it was checked (the
decree's text, its title, or not at all); a user adds days with a CSV of their own named by
WOO_ATW_EXTRA_DAYS (columns date, designation, source).

A decree makes a weekday equal to a holiday; a row on a Saturday or Sunday is a mistake in the
table and is refused with its file and row, as is a date that cannot be read.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from importlib import resources
from pathlib import Path


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def statutory_holidays(year: int) -> dict[date, str]:
    """Atw art. 3 lid 1 and 2 for one year, each with its name."""
    easter = easter_sunday(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:  # celebrated on the 26th when the 27th is a Sunday
        kings_day = date(year, 4, 26)
    return {
        date(year, 1, 1): "Nieuwjaarsdag",
        easter - timedelta(days=2): "Goede Vrijdag",
        easter + timedelta(days=1): "tweede Paasdag",
        kings_day: "Koningsdag",
        date(year, 5, 5): "5 mei (Bevrijdingsdag)",
        easter + timedelta(days=39): "Hemelvaartsdag",
        easter + timedelta(days=50): "tweede Pinksterdag",
        date(year, 12, 25): "eerste Kerstdag",
        date(year, 12, 26): "tweede Kerstdag",
    }


@dataclass(frozen=True)
class DecreedDay:
    """A day made equal to a holiday under Atw art. 3 lid 3, with the decree that did it."""

    day: date
    designation: str
    decree: str
    reference: str = ""
    checked: str = ""

    def reason(self) -> str:
        where = f"; {self.reference}" if self.reference else ""
        return (
            f"{self.designation}, bij koninklijk besluit gelijkgesteld met een algemeen erkende "
            f"feestdag ({self.decree}{where})"
        )


def _read_table(text: str, name: str) -> dict[date, DecreedDay]:
    days = {}
    reader = csv.DictReader(text.splitlines())
    if not {"date", "designation"} <= set(reader.fieldnames or ()) or not (
        {"decree", "source"} & set(reader.fieldnames or ())
    ):
        raise ValueError(f"{name}: not a table of Atw days (columns date, designation, source)")
    for number, row in enumerate(reader, start=2):
        try:
            day = date.fromisoformat((row.get("date") or "").strip())
            designation = (row.get("designation") or "").strip()
            decree = (row.get("decree") or row.get("source") or "").strip()
        except (ValueError, AttributeError) as exc:
            raise ValueError(f"{name} row {number}: not a date ({exc})") from exc
        if not designation or not decree:
            raise ValueError(
                f"{name} row {number}: a day needs its designation and the decree "
                "(columns date, designation, source)"
            )
        if day.weekday() >= 5:
            raise ValueError(
                f"{name} row {number}: {day} is a {'Saturday' if day.weekday() == 5 else 'Sunday'}; "
                "Atw art. 3 lid 3 makes weekdays equal to holidays, a weekend day counts already"
            )
        days[day] = DecreedDay(
            day, designation, decree, (row.get("reference") or "").strip(), row.get("checked", "")
        )
    return days


@cache
def shipped_days() -> dict[date, DecreedDay]:
    """The decrees woo-archive ships, from 2017 on (read once: every Atw date asks for them;
    callers copy before they add)."""
    text = resources.files("wooarchive").joinpath("data/atw_extra_days.csv").read_text("utf-8")
    return _read_table(text, "wooarchive/data/atw_extra_days.csv")


def last_decreed_year() -> int:
    """The last year a shipped decree covers: beyond it, a bridging day may still be decreed."""
    return max((day.year for day in shipped_days()), default=0)


@cache
def decreed_days(extra_file: str | None = None) -> dict[date, DecreedDay]:
    """Days designated under Atw art. 3 lid 3: the shipped table plus the user's."""
    days = dict(shipped_days())
    if extra_file:
        path = Path(extra_file)
        try:
            days.update(_read_table(path.read_text("utf-8"), str(path)))
        except OSError as exc:
            raise ValueError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ValueError(
                f"{path}: not a table of Atw days (date,designation,source): {exc}"
            ) from exc
    return days


def non_working_day(day: date) -> str | None:
    """Why ``day`` does not count under the Atw (Saturday, Sunday or a holiday's name), or None."""
    if day.weekday() == 5:
        return "zaterdag"
    if day.weekday() == 6:
        return "zondag"
    name = statutory_holidays(day.year).get(day)
    if name:
        return name
    decreed = decreed_days(os.environ.get("WOO_ATW_EXTRA_DAYS")).get(day)
    return decreed.reason() if decreed else None
