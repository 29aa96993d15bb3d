"""The Woo-index route: DiWoo sitemaps, as KOOP's Woo-index harvests them.

A publication host announces in its robots.txt sitemap indexes named
`sitemapindex-diwoo-infocatNNN.xml`, one per information category of Woo art. 3.3. Each sitemap
entry points straight at a file (often a share link without words: `/index.php/s/TOKEN/download`)
and carries DiWoo metadata (the standard at standaarden.overheid.nl/diwoo/metadata): the
publisher as a TOOI identifier (`https://identifier.overheid.nl/tooi/id/gemeente/gm0363`), the
official title, the information category as a TOOI concept (`.../tooi/def/thes/kern/c_3baef532`:
Woo-verzoeken en -besluiten), the creation date, the format and the document actions.

Two shapes are in use and both are read: the sitemap protocol's `urlset` whose `url` holds
`loc` beside a `diwoo:Document`, and OpenCatalogi's `diwoo:Documents` root whose
`diwoo:Document/diwoo:DiWoo` holds `loc` among the metadata. Elements are found by local name,
so a namespace written another way does not hide them. The parser resolves no entity, loads no
DTD and fetches nothing.

The metadata beats link words: the category gives the kind, the publisher says whose document
it is (a file of another publisher is not fetched for this municipality), and the official title
is the document's title. The sitemap itself is archived as the crawl record it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

DIWOO_NS = "https://standaarden.overheid.nl/diwoo/metadata/"
WOO_DECISIONS = "c_3baef532"
# The information categories of Woo art. 3.3 (TOOI thesaurus "kern"), as the Woo-index names them
CATEGORIES = {
    "c_139c6280": "Wetten en algemeen verbindende voorschriften",
    "c_aab6bfc7": "Overige besluiten van algemene strekking",
    "c_759721e2": "Ontwerpen van wet- en regelgeving met adviesaanvraag",
    "c_40a05794": "Organisatie en werkwijze",
    "c_89ee6784": "Bereikbaarheidsgegevens",
    "c_8c840238": "Bij vertegenwoordigende organen ingekomen stukken",
    "c_c76862ab": "Vergaderstukken Staten-Generaal",
    "c_db4862c3": "Vergaderstukken decentrale overheden",
    "c_3a248e3a": "Agenda's en besluitenlijsten bestuurscolleges",
    "c_99a836c7": "Adviezen",
    "c_8fc2335c": "Convenanten",
    "c_c6cd1213": "Jaarplannen en jaarverslagen",
    "c_cf268088": "Subsidieverplichtingen anders dan met beschikking",
    WOO_DECISIONS: "Woo-verzoeken en -besluiten",
    "c_fdaee95e": "Onderzoeksrapporten",
    "c_46a81018": "Beschikkingen",
    "c_a870c43d": "Klachtoordelen",
}
TOOI_CONCEPT = re.compile(r"/(c_[0-9a-f]{8})\b")
TOOI_MUNICIPALITY = re.compile(r"/tooi/id/gemeente/gm(\d{4})\b", re.I)
MAX_ENTRIES = 50_000  # the sitemap protocol's own limit per file
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False
)


class DiwooError(ValueError):
    """The sitemap cannot be read; the message says why."""


@dataclass
class Entry:
    """One listed document and what its DiWoo metadata says of it."""

    loc: str
    lastmod: str = ""
    publisher: str = ""  # the TOOI identifier
    publisher_name: str = ""
    title: str = ""
    categories: list[tuple[str, str]] = field(default_factory=list)  # (TOOI code, name)
    created: str = ""
    format: str = ""
    actions: list[str] = field(default_factory=list)

    @property
    def municipality(self) -> str | None:
        """The CBS code of the publishing municipality ("GM0363"), when the publisher is one."""
        found = TOOI_MUNICIPALITY.search(self.publisher)
        return f"GM{found.group(1)}" if found else None

    @property
    def is_woo_decision(self) -> bool:
        return any(code == WOO_DECISIONS for code, _ in self.categories)

    def evidence(self, sitemap_url: str) -> list[str]:
        """What the metadata says, as the document's kind evidence."""
        lines = [f"listed in DiWoo sitemap {sitemap_url}"]
        lines += [f"informatiecategorie {name} ({code})" for code, name in self.categories]
        for label, value in (
            ("publisher", " ".join(filter(None, (self.publisher_name, self.publisher)))),
            ("officieleTitel", self.title),
            ("creatiedatum", self.created),
            ("format", self.format),
            ("documenthandelingen", ", ".join(self.actions)),
        ):
            if value:
                lines.append(f"DiWoo {label}: {value}")
        return lines


@dataclass
class Sitemap:
    is_index: bool
    is_diwoo: bool
    locs: list[str]  # an index's sitemaps, or a plain sitemap's pages
    entries: list[Entry]  # a DiWoo sitemap's documents
    truncated: bool = False


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _find(element, name: str):
    for child in element.iter():
        if _local(child) == name:
            return child
    return None


def _entry(holder) -> Entry | None:
    """The entry whose elements (``loc`` and the DiWoo metadata) ``holder`` contains."""
    loc = _text(_find(holder, "loc"))
    if not loc:
        return None
    entry = Entry(loc=loc, lastmod=_text(_find(holder, "lastmod")))
    for element in holder.iter():
        name = _local(element)
        resource = element.get("resource") or element.get(f"{{{DIWOO_NS}}}resource") or ""
        if name == "publisher" and not entry.publisher:
            entry.publisher, entry.publisher_name = resource, _text(element)
        elif name == "officieleTitel" and not entry.title:
            entry.title = _text(element)
        elif name == "informatiecategorie":
            found = TOOI_CONCEPT.search(resource)
            code = found.group(1) if found else ""
            entry.categories.append((code, CATEGORIES.get(code) or _text(element)))
        elif name == "creatiedatum" and not entry.created:
            entry.created = _text(element)
        elif name == "format" and not entry.format:
            entry.format = _text(element)
        elif name == "soortHandeling":
            entry.actions.append(_text(element))
    return entry


def parse(body: bytes) -> Sitemap:
    """Read a sitemap, a sitemap index or a DiWoo sitemap; raise DiwooError if it is not XML
    or not a sitemap."""
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise DiwooError(f"not valid XML ({exc})") from exc
    if root is None:
        raise DiwooError("empty")
    kind = _local(root)
    is_diwoo = DIWOO_NS in body[:4096].decode("utf-8", "replace") or any(
        _local(e) == "DiWoo" for e in root.iter()
    )
    if kind == "sitemapindex":
        locs = [_text(_find(s, "loc")) for s in root if _local(s) == "sitemap"]
        return Sitemap(True, is_diwoo, [loc for loc in locs if loc][:MAX_ENTRIES], [])
    if kind not in ("urlset", "Documents"):
        raise DiwooError(f"not a sitemap (its root is <{kind}>)")
    holders = [e for e in root if _local(e) in ("url", "Document")]
    if not is_diwoo:
        locs = [_text(_find(h, "loc")) for h in holders[:MAX_ENTRIES]]
        return Sitemap(False, False, [loc for loc in locs if loc], [])
    entries = [e for e in map(_entry, holders[:MAX_ENTRIES]) if e is not None]
    return Sitemap(False, True, [], entries, truncated=len(holders) > MAX_ENTRIES)
