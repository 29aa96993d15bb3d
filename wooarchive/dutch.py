"""Dates written the Dutch way ("2 februari 2026"), for letters and citations alike."""

from __future__ import annotations

from datetime import date

MONTHS = "januari februari maart april mei juni juli augustus september oktober november december".split()


def long_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


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
