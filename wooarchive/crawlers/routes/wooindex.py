"""The Woo-index of the Register van Overheidsorganisaties: where the municipality itself says
it publishes each Woo category (its "vindplaatsen").

The Woo-index (organisaties.overheid.nl/woo, the base configurable as WOO_INDEX) has a page per
organisation, `/woo/<id>/<Name>`, whose section `#locaties-woo-documenten` is a table: per
information category of Woo art. 3.3 (a `th`) the web addresses where the organisation publishes
it (links in the `td`); other sections give the Woo contact and how to file a Woo request. The
organisation's id is the ROO's own number, not the CBS or TOOI code, so the route asks the
index's search (`/woo/zoeken?keyword=NAME`, as the index's own form does) and takes the result
named exactly "Gemeente NAME": the name the ROO gives every municipality.

The index is the municipality's own statement of where its publications are, so each location
is crawled as one of its Woo pages, on whatever host it is (a supplier's platform, a national
publication site), instead of being recorded as an outlink; its category is the page's evidence.
Of the index itself only the search and the municipality's own page are asked; its other links
(other organisations) are not followed, and its robots.txt is obeyed like every host's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.http import Response

from wooarchive import cues
from wooarchive.archive import netguard
from wooarchive.crawlers.items import DocumentItem
from wooarchive.crawlers.routes import NationalRegister, html_of
from wooarchive.crawlers.routes.diwoo import (
    CATEGORIES,
    TOOI_MUNICIPALITY,
    WOO_DECISIONS,
    municipality_of,
)

DEFAULT_BASE = "https://organisaties.overheid.nl"
ORGANISATION = re.compile(r"^/woo/(\d{1,9})/[^/?#]+/?$")
MAX_LOCATIONS = 100  # 17 categories, a few addresses each
SECTION = "locaties-woo-documenten"


def search_url(base: str, name: str) -> str:
    """The Woo-index's search for the municipality, as its own search form asks it, by its
    name without CBS's distinguishing suffix ("Bergen (NH.)" is searched as "Bergen")."""
    keyword = re.sub(r"\s*\([^)]*\)", "", name).strip() or name
    query = urlencode(
        {"keyword": keyword, "maximumRecords": "50", "pageNumber": "1", "sortOrder": "0"}
    )
    return f"{base.rstrip('/')}/woo/zoeken?{query}"


def _plain(text: str) -> str:
    """A name compared the way a reader compares it: case, accents, punctuation and spacing
    aside ("Bergen (NH.)" as CBS writes it is the ROO's "Bergen (NH)")."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", bare.casefold()).split())


def organisation(html: str, page_url: str, name: str) -> tuple[str | None, list[str]]:
    """The address of the municipality's page among the search results (the result named
    exactly "Gemeente NAME"), and the names of the organisations found instead."""
    wanted = _plain(f"Gemeente {name}")
    found, others = None, []
    host = urlsplit(page_url).netloc.lower()
    for link in Selector(text=html).xpath("//a[@href]"):
        url = urljoin(page_url, link.attrib["href"])
        parts = urlsplit(url)
        if parts.netloc.lower() != host or not ORGANISATION.match(parts.path):
            continue
        label = " ".join(" ".join(link.xpath(".//text()").getall()).split())
        if _plain(label) == wanted and found is None:
            found = url
        elif label and label not in others:
            others.append(label)
    return found, others


@dataclass(frozen=True)
class Location:
    category: str  # as the index names it
    url: str
    label: str  # the link's words

    @property
    def decisions(self) -> bool:
        """The category of Woo-verzoeken en -besluiten: where the Woo decisions are."""
        return _plain(self.category) == _plain(CATEGORIES[WOO_DECISIONS])


def locations(html: str, page_url: str) -> list[Location]:
    """The table of the page's section `#locaties-woo-documenten`: per category the addresses
    given (http and https only)."""
    page = Selector(text=html)
    section = page.xpath(f"//section[@id='{SECTION}']")
    if not section:
        section = page.xpath(
            "//h2[contains(translate(., 'LWD', 'lwd'), 'locaties woo-documenten')]/.."
        )
    found: list[Location] = []
    for row in section.xpath(".//tr"):
        category = " ".join(" ".join(row.xpath("./th//text()").getall()).split())
        for link in row.xpath("./td//a[@href]"):
            url = urljoin(page_url, link.attrib["href"].strip())
            if urlsplit(url).scheme not in netguard.SCHEMES:
                continue
            label = " ".join(" ".join(link.xpath(".//text()").getall()).split())
            found.append(Location(category or "(zonder categorie)", url, label))
            if len(found) >= MAX_LOCATIONS:
                return found
    return found


def names_municipality(html: str, name: str, municipality: str) -> bool:
    """Whether the organisation's page is the municipality's: its heading or title names
    "Gemeente NAME", and it names no other municipality by TOOI identifier."""
    page = Selector(text=html)
    heading = " ".join(page.xpath("normalize-space((//h1)[1])").get("").split())
    title = " ".join(page.xpath("normalize-space(//title)").get("").split())
    wanted = _plain(f"Gemeente {name}")
    if wanted not in _plain(heading) and wanted not in _plain(title):
        return False
    named = {municipality_of(found.group(0)) for found in TOOI_MUNICIPALITY.finditer(html)}
    return not named - {municipality.upper()}


class WooIndexRoute(NationalRegister):
    """The municipality's page in the Woo-index and the locations it lists (a mixin of
    SiteCrawl)."""

    def _woo_index(self) -> Iterator[scrapy.Request]:
        if not self.woo_index or not self.name:
            return
        yield self._register_request(
            search_url(self.woo_index, self.name),
            self.parse_woo_index_search,
            priority=75,
            woo_route="the Woo-index's search",
        )

    def parse_woo_index_search(self, response: Response) -> Iterator[scrapy.Request | DocumentItem]:
        """The index's search for the municipality: its page there, or a line saying the
        index names no such organisation."""
        capture = response.meta.get("woo_capture")
        if capture is None or not 200 <= response.status < 300:
            return
        yield from self._plain(response, "search of the Woo-index for the municipality")
        found, others = organisation(html_of(response), response.url, self.name)
        if found is None:
            seen = f" (found: {', '.join(others[:5])})" if others else ""
            self.note(
                f"the Woo-index lists no organisation named Gemeente {self.name}{seen} "
                f"({response.url})"
            )
            return
        yield self._register_request(
            found,
            self.parse_woo_index_page,
            priority=75,
            woo_route="the municipality's page in the Woo-index",
        )

    def parse_woo_index_page(self, response: Response) -> Iterator[scrapy.Request | DocumentItem]:
        """The municipality's page in the Woo-index: kept as evidence, and each location it
        lists crawled as one of its Woo pages."""
        capture = response.meta.get("woo_capture")
        if capture is None or not 200 <= response.status < 300 or capture["mime"] != "text/html":
            return
        if not names_municipality(html_of(response), self.name, self.municipality):
            yield from self._plain(response, "a Woo-index page of another organisation")
            self.note(
                f"{response.url} is not the Woo-index page of Gemeente {self.name}; not followed"
            )
            return
        yield from self._plain(response, "the municipality's page in the Woo-index")
        listed = locations(html_of(response), response.url)
        if not listed:
            self.note(f"the Woo-index lists no locations of Woo documents ({response.url})")
            return
        for place in listed:
            url = self.canonical(place.url)
            netloc = urlsplit(url).netloc.lower()
            if url in self.seen or netloc in self.registers or self.frontier_full():
                continue
            if netloc not in self.scope:
                self.scope.add(netloc)
                self.platforms[netloc] = "listed by the municipality in the Woo-index"
            self.seen.add(url)
            self.count("woo_index_locations")
            yield self._request(
                url,
                depth=1,
                priority=95 if place.decisions else 80,
                anchor=place.label or place.category,
                woo_index=f"listed in the Woo-index as its location of {place.category} "
                f"({response.url})",
            )


def listed_verdict(verdict: cues.Classification, why: str) -> cues.Classification:
    """A page the municipality lists in the Woo-index is one of its Woo pages, whatever its
    own words say; the listing is its evidence."""
    if verdict.kind in cues.WOO_KINDS:
        verdict.evidence.append(why)
        return verdict
    return cues.Classification("woo_page", max(verdict.score, 5), [why, *verdict.evidence])
