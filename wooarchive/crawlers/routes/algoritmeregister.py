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
from collections.abc import Iterator
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from wooarchive import cues
from wooarchive.crawlers.items import DocumentItem
from wooarchive.crawlers.routes import NationalRegister

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


class AlgorithmRegisterRoute(NationalRegister):
    """The municipality's entries in the national Algoritmeregister (a mixin of SiteCrawl)."""

    def _algorithm_register(self) -> Iterator[scrapy.Request]:
        """The municipality's page in the national Algoritmeregister (routes/algoritmeregister)."""
        if not self.register:
            return
        yield self._register_request(
            organisation_url(self.register, self.municipality),
            self.parse_register,
            priority=70,
            handle_httpstatus_list=[404, 410],
            woo_register_page=1,
        )

    def parse_register(self, response: Response) -> Iterator[scrapy.Request | DocumentItem]:
        """The municipality's page in the Algoritmeregister: the page itself, its entries (each
        entry's page and JSON) and its further pages; none of the register's other links."""
        capture = response.meta.get("woo_capture")
        if capture is None:
            return
        if response.status in (404, 410):
            self.note(f"the national Algoritmeregister has no page for it ({response.url})")
            return
        if not 200 <= response.status < 300 or capture["mime"] != "text/html":
            return
        title = " ".join(response.xpath("normalize-space(//title)").get("").split())
        verdict = cues.Classification(
            "algorithm_register", 10, ["the municipality's page in the national Algoritmeregister"]
        )
        yield self._item(response, capture, verdict, title=title or None)
        page = response.meta.get("woo_register_page", 1)
        for link in self._links(response):
            if urlsplit(link.url).netloc.lower() != urlsplit(response.url).netloc.lower():
                continue
            entry = entry_id(link.url)
            if entry and link.url not in self.seen:
                if self.register_entries >= MAX_ENTRIES:
                    self.note(f"more than {MAX_ENTRIES} Algoritmeregister entries")
                    return
                self.register_entries += 1
                self.seen.add(link.url)
                api = api_url(self.register, entry)
                self.seen.add(api)
                for url, callback in ((link.url, self.parse_register_entry), (api, None)):
                    yield self._request(
                        url,
                        depth=2,
                        callback=callback or self.parse_register_json,
                        priority=65,
                        woo_budget=False,
                        anchor=link.anchor,
                        from_register=response.url,
                    )
            elif is_next_page(response.url, link.url) and link.url not in self.seen:
                if page + 1 > self.max_listing_pages:
                    self.note(
                        f"{response.url} goes on past {self.max_listing_pages} pages; stopped"
                    )
                    continue
                self.seen.add(link.url)
                yield self._request(
                    link.url,
                    depth=1,
                    callback=self.parse_register,
                    priority=70,
                    woo_budget=False,
                    woo_register_page=page + 1,
                )

    def parse_register_entry(self, response: Response) -> Iterator[DocumentItem]:
        """One of the municipality's entries in the Algoritmeregister."""
        capture = response.meta.get("woo_capture")
        if capture is None or not 200 <= response.status < 300:
            return
        self.count("register_entries")
        title = " ".join(response.xpath("normalize-space(//title)").get("").split())
        verdict = cues.Classification(
            "algorithm_register",
            10,
            [
                "an entry of the municipality in the national Algoritmeregister",
                f"listed on {response.meta['from_register']}",
            ],
        )
        yield self._item(response, capture, verdict, title=title or response.meta.get("anchor"))

    def parse_register_json(self, response: Response) -> Iterator[DocumentItem]:
        yield from self._plain(response, "JSON of an entry in the national Algoritmeregister")
