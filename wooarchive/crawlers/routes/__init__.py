"""Routes by which a municipality's publications are reached besides its own pages' links: the
Woo-index's DiWoo sitemaps (diwoo.py), platforms' JSON APIs (platforms.py), the national
Algoritmeregister (algoritmeregister.py) and the locations the ROO's Woo-index lists
(wooindex.py).

Each route module holds what reads its material (pure functions, tested on their own) and a
mixin of `SiteCrawl` with the route's callbacks; the spider (spiders/municipal.py) stays the one
orchestrator. A mixin uses the site's own plumbing: `_request`, `_item`, `_plain`, `_links`,
`note`, `count`, `canonical`, `frontier_full`, and its `seen` and `scope`.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from wooarchive import cues
from wooarchive.archive import netguard
from wooarchive.crawlers.items import DocumentItem

# What one HTML page may cost the crawl thread, which every site shares: the first bytes of a
# larger page are read (the whole page is archived).
MAX_HTML_BYTES = 4 << 20


def html_of(response: Response) -> str:
    """The first MAX_HTML_BYTES of an HTML answer as text (a route reading a page)."""
    return response.body[:MAX_HTML_BYTES].decode(response.encoding or "utf-8", "replace")


class ListedRoute:
    """Documents a route lists with their metadata (a DiWoo sitemap, a platform's API): each
    fetched whatever its URL reads, on whichever host it is, its kind and evidence from the
    metadata."""

    def _listed_file(self, url: str, listed: dict) -> Iterator[scrapy.Request]:
        url = self.canonical(url)
        if url in self.seen or urlsplit(url).scheme not in netguard.SCHEMES:
            return
        if self.frontier_full():
            return
        self.seen.add(url)
        yield self._request(
            url,
            depth=1,
            callback=self.parse_listed,
            priority=90 if listed["kind"] == "woo_decision" else 60,
            anchor=listed.get("title") or "",
            woo_listed={"kind": listed["kind"], "evidence": listed["evidence"]},
        )

    def parse_listed(self, response: Response) -> Iterator[DocumentItem]:
        """A document listed in a DiWoo sitemap or a platform's API: what its metadata says
        it is."""
        capture = response.meta.get("woo_capture")
        if capture is None or not 200 <= response.status < 300:
            return
        listed = response.meta["woo_listed"]
        self.count("listed")
        verdict = cues.Classification(listed["kind"], 10, listed["evidence"])
        yield self._item(response, capture, verdict, title=response.meta.get("anchor") or None)


class NationalRegister:
    """What a route to a national register shares (the Algoritmeregister, the Woo-index): its
    host is read by the route only, for this municipality's entries (links to it from the
    municipality's pages stay outlinks), and its pages are outside the page budget."""

    def _register_request(self, url: str, callback, *, priority: int, **meta) -> scrapy.Request:
        netloc = urlsplit(url).netloc.lower()
        self.registers.add(netloc)
        self.scope.add(netloc)
        self.seen.add(url)
        return self._request(
            url, depth=1, callback=callback, priority=priority, woo_budget=False, **meta
        )
