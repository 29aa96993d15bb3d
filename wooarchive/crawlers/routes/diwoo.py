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
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response

from wooarchive import cues
from wooarchive.archive import netguard
from wooarchive.crawlers.items import DocumentItem
from wooarchive.crawlers.routes import ListedRoute

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


def municipality_of(tooi: str) -> str | None:
    """The CBS code ("GM0363") a TOOI identifier names, when it names a municipality."""
    found = TOOI_MUNICIPALITY.search(tooi)
    return f"GM{found.group(1)}" if found else None


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
        return municipality_of(self.publisher)

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


class SitemapRoute(ListedRoute):
    """Sitemaps of every host in scope, DiWoo's among them (a mixin of SiteCrawl)."""

    # sitemaps (indexes and their pages) read per site at most: an index can name thousands
    MAX_SITEMAPS = 200

    def robots_read(self, robots_url: str, sitemaps: list[str]) -> None:
        """Another host in scope had its robots.txt read (by Scrapy's middleware, before the
        first request to it): the sitemaps it announces are followed too (a publication host
        names its DiWoo sitemaps there)."""
        for url in sitemaps:
            for request in self._sitemap(url, robots_url):
                self.crawler.engine.crawl(request)

    def _sitemap(self, url: str, named_by: str) -> Iterator[scrapy.Request]:
        """Follow a sitemap named by a robots.txt or a sitemap index: on the municipality's own
        domain or on the domain of the host that named it (a platform's own sitemaps), at most
        self.MAX_SITEMAPS per site. One elsewhere is someone else's host, named by a file anyone
        who controls the site can write."""
        domain = netguard.registrable(netguard.host_of(url))
        own = {
            netguard.registrable(netguard.host_of(self.start_url)),
            netguard.registrable(netguard.host_of(named_by)),
        }
        if domain not in own:
            self.note(f"sitemap on another domain, not fetched: {url} (named by {named_by})")
            return
        if url in self.sitemaps:
            return
        if len(self.sitemaps) >= self.MAX_SITEMAPS:
            self.note(
                f"more than {self.MAX_SITEMAPS} sitemaps named; {url} and later ones not read"
            )
            return
        self.sitemaps.add(url)
        self.scope.add(urlsplit(url).netloc.lower())
        yield self._request(url, depth=1, callback=self.parse_sitemap, priority=5, woo_budget=False)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request | DocumentItem]:
        yield from self._plain(response, "sitemap named in robots.txt")
        try:
            sitemap = parse(response.body)
        except DiwooError as exc:
            self.note(f"sitemap {response.url} not read: {exc}")
            return
        if sitemap.is_index:
            for loc in sitemap.locs:
                yield from self._sitemap(loc, response.url)
            return
        if sitemap.is_diwoo:
            yield from self._listed(response.url, sitemap)
            return
        for loc in sitemap.locs:
            score = cues.link_score("", loc)
            url = self.canonical(loc)
            # a sitemap lists everything; only what names a cue is fetched from it
            if score >= 3 and url not in self.seen:
                self.seen.add(url)
                yield self._request(url, depth=1, priority=10 * score - 1, anchor="", via="sitemap")

    def _listed(self, sitemap_url: str, sitemap: Sitemap) -> Iterator[scrapy.Request]:
        """A DiWoo sitemap's documents: each fetched whatever its URL says (a share link has no
        words), on whichever host it is, its kind and title from the metadata; a document of
        another publisher is not this municipality's."""
        others: Counter[str] = Counter()
        for entry in sitemap.entries:
            if entry.publisher and entry.municipality != self.municipality:
                others[entry.publisher_name or entry.publisher] += 1
                continue
            kind = "woo_decision" if entry.is_woo_decision else "woo_publication"
            yield from self._listed_file(
                entry.loc,
                {"kind": kind, "evidence": entry.evidence(sitemap_url), "title": entry.title},
            )
        for name, count in others.items():
            self.note(
                f"DiWoo sitemap {sitemap_url}: documents of another publisher ({name}) "
                f"not fetched: {count}"
            )
        if sitemap.truncated:
            self.note(f"DiWoo sitemap {sitemap_url} lists more than {MAX_ENTRIES} documents")
