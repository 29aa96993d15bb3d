"""Dates written the Dutch way ("2 februari 2026"), for letters and citations alike."""

from __future__ import annotations

from datetime import date

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
