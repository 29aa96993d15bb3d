"""The days the Algemene termijnenwet (Atw) does not count as working days.

Atw art. 3 has its own list, which is not the list of Dutch public holidays that calendar
libraries ship: 5 May (Bevrijdingsdag) counts every year, and Goede Vrijdag counts. Lid 3 lets a
royal decree in the Staatscourant designate further days (bridging days); those live in a small
dated table, ``data/atw_extra_days.csv``, which a user extends with a CSV of their own named by
WOO_ATW_EXTRA_DAYS (same columns: date, designation, source).
"""

from __future__ import annotations

import csv
import os
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


def _read_extra(text: str) -> dict[date, str]:
    days = {}
    for row in csv.DictReader(text.splitlines()):
        days[date.fromisoformat(row["date"])] = f"{row['designation']} ({row['source']})"
    return days


@cache
def decreed_days(extra_file: str | None = None) -> dict[date, str]:
    """Days designated under Atw art. 3 lid 3: the shipped table plus the user's."""
    shipped = resources.files("wooarchive").joinpath("data/atw_extra_days.csv").read_text("utf-8")
    days = _read_extra(shipped)
    if extra_file:
        path = Path(extra_file)
        try:
            days.update(_read_extra(path.read_text("utf-8")))
        except (OSError, KeyError, ValueError) as exc:
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
    return decreed_days(os.environ.get("WOO_ATW_EXTRA_DAYS")).get(day)
