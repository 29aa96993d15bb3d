"""Dates and numbers written the Dutch way ("2 februari 2026", "12,5%", "1 besluit" and
"2 besluiten"), for letters, citations, the site and the CLI alike."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def local_time(moment: datetime) -> str:
    """A moment (UTC when it has no zone) as the Dutch write a time of day in the Netherlands:
    "3 december 2026 om 07.50 uur", summer time included."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    here = moment.astimezone(AMSTERDAM)
    return f"{long_date(here.date())} om {here:%H.%M} uur"


def percent(share: float, decimals: int = 0) -> str:
    """A share as a Dutch percentage: a decimal comma ("12,5%")."""
    return f"{share * 100:.{decimals}f}".replace(".", ",") + "%"


def number(value: float) -> str:
    """A number with a decimal comma ("35,5"), a whole one without decimals."""
    return f"{value:g}".replace(".", ",") if isinstance(value, float) else str(value)


def counted(amount: float, one: str, many: str) -> str:
    """A number with its noun in the right form ("1 besluit", "2 besluiten", "35,5 dagen")."""
    return f"{number(amount)} {one if amount == 1 else many}"


# What each kind of document is called on the site (the ids stay English in the data)
KIND_LABELS = {
    "privacy_statement": "privacyverklaring",
    "processing_register": "verwerkingsregister",
    "fg_contact": "functionaris gegevensbescherming (FG)",
    "dpia": "DPIA",
    "algorithm_register": "algoritmeregister",
    "woo_decision": "Woo-besluit",
    "woo_page": "Woo-pagina",
    "woo_document": "openbaar gemaakt document",
    "woo_publication": "actief openbaar gemaakt (Woo-categorie)",
    "other": "overig",
    "soft_404": "foutpagina (meldt 'niet gevonden')",
    "crawl_record": "crawlbestand (robots.txt, sitemap)",
}


def kind_label(kind: str | None) -> str:
    return KIND_LABELS.get(kind or "other", kind or "overig")
