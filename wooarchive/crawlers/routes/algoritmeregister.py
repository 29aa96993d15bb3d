"""The national Algoritmeregister: where a municipality's algorithm register may exist only.

The register (algoritmes.overheid.nl, the base configurable as WOO_ALGORITHM_REGISTER) has a page
per organisation, addressed by its TOOI code (`/nl/organisatie/gm0363`), linking to a page per
algorithm (`/nl/algoritme/<name>/<id>` or `/nl/algoritme/<id>`), and a JSON API with each
algorithm's description (`/api/algoritme/NLD/<id>`). A crawl asks for the municipality's
organisation page, its pages of entries, each entry's page and its JSON: the municipality's
entries, and nothing else of the register (the register's own links to other organisations are
not followed). A 404 for the organisation is evidence too: it was looked for, and is not there.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

DEFAULT_BASE = "https://algoritmes.overheid.nl"
MAX_ENTRIES = 300  # entries per municipality (Amsterdam, the largest, has under a hundred)
ENTRY = re.compile(r"^/(nl|en|fy)/(algoritme|algorithm)/(?:[^/]+/)?(\d+)/?$")
PAGE = re.compile(r"(^|&)(page|pagina)=\d{1,3}($|&)")


def organisation_url(base: str, municipality: str) -> str:
    """The municipality's page in the register, by the TOOI code the register uses."""
    return f"{base.rstrip('/')}/nl/organisatie/{municipality.lower()}"


def entry_id(url: str) -> str | None:
    """The register's id of an algorithm page (its last path segment), or None."""
    found = ENTRY.match(urlsplit(url).path)
    return found.group(3) if found else None


def api_url(base: str, entry: str) -> str:
    return f"{base.rstrip('/')}/api/algoritme/NLD/{entry}"


def is_next_page(organisation_page: str, url: str) -> bool:
    """A further page of the organisation's list of entries (`?page=2`)."""
    here, there = urlsplit(organisation_page), urlsplit(url)
    return there.path == here.path and bool(PAGE.search(there.query))
