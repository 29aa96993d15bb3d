"""Municipal sites: for each, robots.txt and its sitemaps first, then links that lead to what a
municipality must publish on privacy and openness, and the publication platforms it links to.

One spider crawls every site of a run (`MunicipalSpider`), each site's state and decisions in a
`SiteCrawl`: one Scrapy engine, scheduler and downloader for the whole country, each host its own
download slot and polite rate. A site is done when nothing it asked for is still pending (its
requests answered or failed, its items stored); the run is told, and marks it finished.

The spider only reads and decides; the archive middleware has already stored every response,
and the pipeline records each document's kind and the outlinks.

How it holds on the real web:
- URL identity: session and tracking parameters are dropped before a URL is scheduled, the
  well-known names always, and per site what it learns: a parameter whose one token-like value
  is on links to many paths of a page, or whose value differs between two responses of one path
  whose bytes are otherwise the same. Each distinct URL is scheduled once.
- A budget spent by value: links are scheduled by cue score, then depth; the page budget is
  counted when a page is fetched (ScopeMiddleware asks `spend`), so what is left out is what
  scored least; the cut is a note on the site.
- Other hosts: a link to a host that is a publication platform (recognised by its host name, or
  linked with a Woo cue) is followed when the link or the platform's page names the
  municipality, and the platform stays in scope only if its first page carries Woo cues. On a
  platform, a Woo listing's own links (detail pages, pages of the listing, attachments) are
  followed. Every other host is an outlink: recorded, never fetched.
- Listings and forms: pagination by link or by a page parameter, bounded per listing; a GET
  search form on a Woo page is submitted once with its defaults; a filter link adds at most one
  filter to an unfiltered listing (filter combinations are not crawled).
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from hashlib import sha256
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from protego import Protego
from scrapy import signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler

from wooarchive import cues
from wooarchive.archive import netguard
from wooarchive.archive.urls import canonical
from wooarchive.crawlers.items import DocumentItem, OutlinkItem
from wooarchive.crawlers.routes import algoritmeregister, diwoo, platforms

log = logging.getLogger(__name__)
HTML = "text/html"
# a value that looks like a session token: long, with digits, no spaces
TOKEN = re.compile(r"^(?=.*\d)[A-Za-z0-9_.~-]{8,}$")
# links to this many distinct paths of one page sharing one token value: a session parameter
SESSION_PATHS = 3
# the spider remembers at most this many URLs per page of budget (its frontier)
FRONTIER_PER_PAGE = 20
LEARN_MEMORY = 5000
# what learning from bytes looks at: the first parameters of a URL, pages up to this size
LEARN_PARAMS = 8
LEARN_BODY_BYTES = 2 << 20
# what one HTML page may cost the crawl thread, which every site shares: the first bytes of a
# larger page are read (the whole page is archived), and the first links of a page are followed
MAX_HTML_BYTES = 4 << 20
MAX_LINKS = 5000
MAX_TEXT_NODES = 20000
# sitemaps (indexes and their pages) read per site at most: an index can name thousands
MAX_SITEMAPS = 200


@dataclass(frozen=True)
class Link:
    url: str  # as written (session parameters still in it)
    anchor: str
    rel: str
    in_nav: bool  # in the page's nav, header or footer: the site's frame, not its content


def _params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def _filters(url: str) -> frozenset[str]:
    """The query parameters of a URL that filter what it shows (not those that page through)."""
    return frozenset(k.lower() for k, _ in _params(url) if k.lower() not in cues.PAGE_PARAMS)


class SiteCrawl:
    """One municipality's crawl: its scope, what it learned, its budget, its notes; the
    callbacks of its requests."""

    def __init__(
        self,
        crawler,
        municipality: str,
        start_url: str,
        municipality_name: str = "",
        on_done: Callable[[SiteCrawl], None] | None = None,
    ):
        self.crawler = crawler
        settings = crawler.settings
        self.max_pages = settings.getint("WOO_MAX_PAGES")
        self.max_depth = settings.getint("WOO_MAX_DEPTH")
        self.browse_depth = settings.getint("WOO_BROWSE_DEPTH")
        self.max_listing_pages = settings.getint("WOO_MAX_LISTING_PAGES")
        self.municipality = municipality.upper()
        self.start_url = start_url
        self.slug = cues.slug(municipality_name)
        self.on_done = on_done
        home = urlsplit(start_url).netloc.lower()
        # the municipality's own site, under www. and without it; publication hosts join scope later
        self.home = {home, home[4:] if home.startswith("www.") else f"www.{home}"}
        self.scope: set[str] = set(self.home)
        # publication platforms followed: host -> why; those whose first page is still to come
        self.platforms: dict[str, str] = {}
        self.unconfirmed: dict[str, bool] = {}  # host -> whether the link named the municipality
        # internal addresses are reached only where the user started (the fixture web, a test)
        self.allowed_internal = netguard.allowed_for(start_url)
        self.session_params: dict[str, set[str]] = {}  # learned, per host
        self._variants: dict[tuple, tuple[str, str]] = {}
        self.seen: set[str] = set()
        self.sitemaps: set[str] = set()
        # national registers that hold the municipality's own entries: asked by their route only
        self.register = settings.get("WOO_ALGORITHM_REGISTER") or ""
        self.registers: set[str] = set()
        self.register_entries = 0
        self.spent: set[str] = set()
        self.unfetched = 0
        self.outlinks: set[str] = set()
        self.notes: list[str] = []
        self.counts: Counter[str] = Counter()  # responses, documents, fetch errors, refusals
        self.pending = 0  # requests not yet answered or failed, items not yet stored
        self.done = False

    def count(self, what: str) -> None:
        self.counts[what] += 1

    def settled(self) -> None:
        """One request answered (or failed) or one item stored; with nothing left, the site is
        done."""
        self.pending -= 1
        if self.pending == 0 and not self.done:
            self.done = True
            if self.on_done:
                self.on_done(self)

    def _settling(self, method: Callable) -> Callable:
        """The callback (or errback) of one request: the request is settled once its output
        has been handed on, whatever happens in it."""

        def settle(answer):
            try:
                yield from method(answer) or ()
            finally:
                self.settled()

        return settle

    def note(self, text: str) -> None:
        """Something the site's line in the crawl summary (and crawl_sites.notes) should say."""
        if text not in self.notes:
            self.notes.append(text)
            log.info("%s: %s", self.municipality, text)  # the summary prints it once

    def final_notes(self) -> list[str]:
        """The notes, with the budget's cut and the counters of what was refused."""
        notes = list(self.notes)
        if self.unfetched:
            notes.append(
                f"page budget of {self.max_pages} reached: {self.unfetched} lower-scoring "
                "links not fetched"
            )
        for key, what in (
            ("too_large", "responses over the size limit, not archived"),
            ("internal_refused", "links to internal addresses refused"),
            ("scheme_refused", "links that are not http(s) refused (file:, ftp:)"),
            ("soft_404", "'not found' pages answered with 200"),
            ("listed", "documents listed in DiWoo sitemaps or platforms' APIs fetched"),
            ("register_entries", "entries in the national Algoritmeregister fetched"),
        ):
            if self.counts[key]:
                notes.append(f"{self.counts[key]} {what}")
        return notes

    def spend(self, request: scrapy.Request) -> bool:
        """Whether the page budget allows fetching ``request`` (asked as it is about to be
        fetched, so that the scheduler's order, best first, decides what the budget buys)."""
        if not request.meta.get("woo_budget", True) or request.url in self.spent:
            return True
        if len(self.spent) >= self.max_pages:
            self.unfetched += 1
            return False
        self.spent.add(request.url)
        return True

    def canonical(self, url: str) -> str:
        """The URL without fragment, session and tracking parameters, those learned included."""
        url = canonical(url)
        parts = urlsplit(url)
        learned = self.session_params.get(parts.netloc.lower())
        if not learned or not parts.query:
            return url
        pairs = _params(url)
        kept = [(k, v) for k, v in pairs if k not in learned]
        if len(kept) == len(pairs):
            return url
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(kept), ""))

    def _learn(self, host: str, name: str, why: str) -> None:
        if name not in self.session_params.setdefault(host, set()):
            self.session_params[host].add(name)
            log.info("%s: %r on %s is a session parameter (%s)", self.municipality, name, host, why)

    def _learn_from_links(self, links: list[Link]) -> None:
        """A parameter carried with one token-like value by links to several paths of a host is
        the page's session id (the next page will carry another)."""
        paths: dict[tuple[str, str, str], set[str]] = {}
        for link in links:
            parts = urlsplit(link.url)
            for key, value in _params(link.url):
                if TOKEN.match(value):
                    paths.setdefault((parts.netloc.lower(), key, value), set()).add(parts.path)
        for (host, key, _), seen in paths.items():
            if len(seen) >= SESSION_PATHS:
                self._learn(host, key, f"one value on links to {len(seen)} paths")

    def _learn_from_bytes(self, response: Response) -> None:
        """Two responses of one path that differ only in a parameter's value, and whose bytes
        are the same once that value is taken out: the parameter changes nothing."""
        parts = urlsplit(response.url)
        pairs = _params(response.url)
        host = parts.netloc.lower()
        if len(response.body) > LEARN_BODY_BYTES:
            return  # a pass over the body per parameter: bounded, whatever a site sends
        for i, (key, value) in enumerate(pairs[:LEARN_PARAMS]):
            if key in self.session_params.get(host, ()) or key.lower() in cues.PAGE_PARAMS:
                continue  # a listing's page number is never a session id, even on equal pages
            rest = tuple(sorted(pairs[:i] + pairs[i + 1 :]))
            plain = re.sub(
                re.escape(key).encode() + rb"=[^&\"'#\s<>]*", key.encode() + b"=", response.body
            )
            digest = sha256(plain).hexdigest()
            slot = (host, parts.path, key, rest)
            before = self._variants.get(slot)
            if before and before[0] != value and before[1] == digest:
                self._learn(host, key, "same bytes under two values")
            elif len(self._variants) < LEARN_MEMORY:
                self._variants[slot] = (value, digest)

    def _request(
        self, url: str, *, depth: int, callback=None, priority: int = 0, **meta
    ) -> scrapy.Request:
        netloc = urlsplit(url).netloc.lower()
        self.pending += 1
        return scrapy.Request(
            url,
            callback=self._settling(callback or self.parse_page),
            errback=self._settling(self.failed),
            priority=priority,
            meta={
                "municipality": self.municipality,
                "download_slot": netloc,
                "woo_depth": depth,
                **meta,
            },
        )

    def first_request(self) -> scrapy.Request:
        robots = urljoin(self.start_url, "/robots.txt")
        return self._request(
            robots,
            depth=0,
            callback=self.parse_robots,
            dont_obey_robotstxt=True,
            woo_robots=True,
            handle_httpstatus_all=True,
            woo_budget=False,
        )

    def _plain(self, response: Response, what: str) -> Iterator[DocumentItem]:
        capture = response.meta.get("woo_capture")
        if capture and 200 <= response.status < 300:
            record = cues.Classification("crawl_record", 0, [what])
            yield self._item(response, capture, record, title=None)

    def _share_robots(self, response: Response) -> None:
        """Give Scrapy's robots.txt middleware the robots.txt just fetched, so that it does not
        fetch it a second time for the start URL's host (it knows nothing of the spider's)."""
        if not getattr(self.crawler, "crawling", False):
            return  # a spider tried on its own, without an engine
        netloc = urlsplit((response.meta.get("redirect_urls") or [response.url])[0]).netloc
        for middleware in self.crawler.engine.downloader.middleware.middlewares:
            if isinstance(middleware, RobotsTxtMiddleware) and netloc not in middleware._parsers:
                middleware._parsers[netloc] = build_from_crawler(
                    middleware._parserimpl, self.crawler, response.body
                )

    def parse_robots(self, response: Response) -> Iterator[scrapy.Request | DocumentItem]:
        """The start host's robots.txt, read before anything else of the site: its sitemaps
        are followed (Scrapy's robots.txt middleware is given it, so it does not ask again),
        then the start URL."""
        self._share_robots(response)
        yield from self._plain(response, "robots.txt of the site")
        sitemaps = []
        if response.status == 200:
            try:
                sitemaps = list(Protego.parse(response.text).sitemaps)
            except (ValueError, AttributeError, UnicodeDecodeError):
                log.warning("%s: robots.txt could not be read", response.url)
        for url in sitemaps:
            yield from self._sitemap(url, response.url)
        self.seen.add(self.canonical(self.start_url))
        yield self._request(self.start_url, depth=0, priority=100, woo_start=True)
        yield from self._algorithm_register()

    def _algorithm_register(self) -> Iterator[scrapy.Request]:
        """The municipality's page in the national Algoritmeregister (routes/algoritmeregister)."""
        if not self.register:
            return
        url = algoritmeregister.organisation_url(self.register, self.municipality)
        netloc = urlsplit(url).netloc.lower()
        self.registers.add(netloc)
        self.scope.add(netloc)
        self.seen.add(url)
        yield self._request(
            url,
            depth=1,
            callback=self.parse_register,
            priority=70,
            woo_budget=False,
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
        if not 200 <= response.status < 300 or capture["mime"] != HTML:
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
            entry = algoritmeregister.entry_id(link.url)
            if entry and link.url not in self.seen:
                if self.register_entries >= algoritmeregister.MAX_ENTRIES:
                    self.note(
                        f"more than {algoritmeregister.MAX_ENTRIES} Algoritmeregister entries"
                    )
                    return
                self.register_entries += 1
                self.seen.add(link.url)
                api = algoritmeregister.api_url(self.register, entry)
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
            elif (
                algoritmeregister.is_next_page(response.url, link.url) and link.url not in self.seen
            ):
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
        MAX_SITEMAPS per site. One elsewhere is someone else's host, named by a file anyone
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
        if len(self.sitemaps) >= MAX_SITEMAPS:
            self.note(f"more than {MAX_SITEMAPS} sitemaps named; {url} and later ones not read")
            return
        self.sitemaps.add(url)
        self.scope.add(urlsplit(url).netloc.lower())
        yield self._request(url, depth=1, callback=self.parse_sitemap, priority=5, woo_budget=False)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request | DocumentItem]:
        yield from self._plain(response, "sitemap named in robots.txt")
        try:
            sitemap = diwoo.parse(response.body)
        except diwoo.DiwooError as exc:
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

    def _listed(self, sitemap_url: str, sitemap: diwoo.Sitemap) -> Iterator[scrapy.Request]:
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
            self.note(f"DiWoo sitemap {sitemap_url} lists more than {diwoo.MAX_ENTRIES} documents")

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

    def _shell(self, response: Response) -> Iterator[scrapy.Request]:
        """A page built in the browser: its publications come from the API its configuration
        names (inline, or in a configuration script it loads)."""
        urls = platforms.api_urls(response.url, response.text)
        scripts = platforms.config_scripts(response.url, response.text)
        if not urls and not scripts:
            self.note(f"{response.url} is built in the browser and names no API; not read")
            return
        for url in urls:
            yield from self._api(url, response.url)
        for url in scripts:
            if self._api_host(url, response.url) and url not in self.seen:
                self.seen.add(url)
                yield self._request(
                    url, depth=1, callback=self.parse_config, priority=85, woo_budget=False
                )

    def _api_host(self, url: str, named_by: str) -> bool:
        """An API may be on the platform's domain, the municipality's, or a known platform
        host (a supplier's API host); it joins the scope."""
        host = netguard.host_of(url)
        domains = {
            netguard.registrable(netguard.host_of(self.start_url)),
            netguard.registrable(netguard.host_of(named_by)),
        }
        if netguard.registrable(host) in domains or cues.is_platform_host(host):
            self.scope.add(urlsplit(url).netloc.lower())
            return True
        self.note(f"API on another domain, not fetched: {url} (named by {named_by})")
        return False

    def _api(self, url: str, named_by: str, **meta) -> Iterator[scrapy.Request]:
        if url in self.seen or not self._api_host(url, named_by):
            return
        self.seen.add(url)
        yield self._request(
            url,
            depth=1,
            callback=self.parse_api,
            priority=85,
            woo_budget=False,
            **{"woo_api_page": 1, **meta},
        )

    def parse_config(self, response: Response) -> Iterator[scrapy.Request | DocumentItem]:
        """A shell's configuration script: the API addresses in it."""
        yield from self._plain(response, "configuration of a publication platform's app")
        for url in platforms.api_urls(response.url, response.text[: platforms.MAX_JSON_BYTES]):
            yield from self._api(url, response.url)

    def parse_api(self, response: Response) -> Iterator[scrapy.Request | DocumentItem]:
        """One answer of a publications API: archived as the record it is, its publications'
        files fetched, its next page asked (bounded), an item's attachments asked where the
        item holds none."""
        yield from self._plain(response, "answer of a publication platform's API")
        if not 200 <= response.status < 300:
            return
        try:
            answer = platforms.parse(response.url, response.body)
        except platforms.NotAnApi as exc:
            self.note(f"API {response.url} not read: {exc}")
            return
        listed = response.meta.get("woo_publication")
        if listed:  # an item's attachments
            for url in answer.files:
                yield from self._listed_file(url, listed)
            return
        others = 0
        for publication in answer.publications:
            if publication.municipality not in (None, self.municipality):
                others += 1
                continue
            kind = "woo_decision" if publication.is_woo_decision else "woo_publication"
            evidence = [f"listed by the publications API {response.url}"]
            evidence += [
                f"informatiecategorie {name} ({code})" for code, name in publication.categories
            ]
            if publication.title:
                evidence.append(f"title in the API: {publication.title}")
            listed = {"kind": kind, "evidence": evidence, "title": publication.title}
            for url in publication.files:
                yield from self._listed_file(url, listed)
            if not publication.files and publication.ident:
                attachments = (
                    f"{response.url.split('?', 1)[0].rstrip('/')}/{publication.ident}/attachments"
                )
                yield from self._api(attachments, response.url, woo_publication=listed)
        if others:
            self.note(
                f"API {response.url}: publications of another publisher not fetched: {others}"
            )
        if answer.next_url:
            page = response.meta.get("woo_api_page", 1) + 1
            if page > self.max_listing_pages:
                self.note(
                    f"API {response.url} goes on past {self.max_listing_pages} pages; stopped"
                )
                return
            yield from self._api(answer.next_url, response.url, woo_api_page=page)

    def _listed_file(self, url: str, listed: dict) -> Iterator[scrapy.Request]:
        url = self.canonical(url)
        if url in self.seen or urlsplit(url).scheme not in netguard.SCHEMES:
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

    def parse_page(
        self, response: Response
    ) -> Iterator[DocumentItem | OutlinkItem | scrapy.Request]:
        capture = response.meta.get("woo_capture")
        if capture is None or not 200 <= response.status < 300:
            return
        mime = capture["mime"]
        anchor = response.meta.get("anchor", "")
        listing = response.meta.get("from_woo_listing")
        if mime != HTML:
            # judged by what leads to it; its text is read, and the kind refined, by the reader
            verdict = cues.classify(
                url=response.url, anchor=anchor, is_document=True, from_woo_listing=listing
            )
            yield self._item(response, capture, verdict, title=anchor or None)
            return

        self._learn_from_bytes(response)
        if len(response.body) > MAX_HTML_BYTES:
            self.note(
                f"{response.url} is {len(response.body) >> 20} MB of HTML: only its first "
                f"{MAX_HTML_BYTES >> 20} MB read"
            )
            response = response.replace(body=response.body[:MAX_HTML_BYTES])
        title = " ".join(response.xpath("normalize-space(//title)").get("").split())
        heading = " ".join(response.xpath("normalize-space((//h1)[1])").get("").split())
        body = " ".join(
            response.xpath(
                "(//body//text()[not(ancestor::script) and not(ancestor::style)"
                f" and not(ancestor::nav) and not(ancestor::footer)])[position() <= {MAX_TEXT_NODES}]"
            ).getall()
        )
        not_found = cues.soft_404(title, heading, body)
        if not_found:
            # a "not found" page served with 200: kept as evidence, not counted, not followed
            self.count("soft_404")
            verdict = cues.Classification("soft_404", 0, [not_found])
            yield self._item(response, capture, verdict, title=title or heading or None)
            return
        links = self._links(response)
        documents = sum(1 for link in links if cues.looks_like_document(link.url))
        verdict = cues.classify(
            url=response.url,
            title=f"{title} {heading}".strip(),
            anchor=anchor,
            text=body[:20000],
            document_links=documents,
        )
        lang = response.xpath("normalize-space(/html/@lang)").get("")[:20]
        if lang:  # Frisian first in Fryslân, English on some pages: the evidence says which
            verdict.evidence.append(f"page language: {lang}")
        host = urlsplit(response.url).netloc.lower()
        shell = platforms.is_shell(response.text, body)
        if host in self.unconfirmed and not self._confirm(
            host, verdict, f"{title} {heading} {body[:5000]}", shell
        ):
            record = cues.Classification(
                "crawl_record", 0, [f"linked as a Woo publication platform; {host} is not one"]
            )
            yield self._item(response, capture, record, title=title or heading or None)
            return
        yield self._item(response, capture, verdict, title=title or heading or None)
        if shell:
            yield from self._shell(response)
        yield from self._follow(response, links, verdict.kind)
        yield from self._forms(response, verdict.kind)

    def _confirm(
        self, host: str, verdict: cues.Classification, text: str, shell: bool = False
    ) -> bool:
        """A platform's first page: it stays in scope if it carries Woo cues and the municipality
        is named (by the link that led here or by the page). An app's empty shell says nothing
        itself: the Woo cue of the link (or the platform's host name) that led here stands."""
        named = self.unconfirmed.pop(host)
        if (shell or verdict.kind in cues.WOO_KINDS or cues.woo_cue(text)) and (
            named or cues.names(f"{host} {text}", self.slug)
        ):
            self.note(f"publication platform followed: {host} ({self.platforms[host]})")
            return True
        self.scope.discard(host)
        del self.platforms[host]
        self.note(f"{host} was linked as a Woo platform but its page is not one; not crawled")
        return False

    def _item(
        self, response: Response, capture: dict, verdict: cues.Classification, title: str | None
    ) -> DocumentItem:
        self.pending += 1  # settled when the pipeline has stored it
        return DocumentItem(
            url=response.url,
            sha256=capture["sha256"],
            municipality_code=self.municipality,
            kind=verdict.kind,
            evidence=verdict.evidence,
            title=title,
        )

    def _links(self, response: Response) -> list[Link]:
        found = []
        # lxml's own calls, lazily: an XPath per link cost more than the page, and a page of a
        # million links is read up to its first MAX_LINKS
        for element in response.selector.root.iter("a"):
            href = (element.get("href") or "").strip()
            if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
                continue
            url = response.urljoin(href)
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            if len(found) >= MAX_LINKS:
                self.note(f"{response.url} has more than {MAX_LINKS} links; the rest not read")
                break
            anchor = " ".join(element.text_content().split())
            in_nav = next(element.iterancestors("nav", "header", "footer"), None) is not None
            found.append(Link(url, anchor, element.get("rel", ""), in_nav))
        self._learn_from_links(found)
        return [
            Link(self.canonical(link.url), link.anchor, link.rel, link.in_nav) for link in found
        ]

    def _platform(self, url: str, anchor: str, page_kind: str) -> str | None:
        """Why a link to a host outside the scope leads to the municipality's publication
        platform, or None (an outlink)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        here = netguard.host_of(self.start_url)
        words = f"{anchor} {cues.url_words(url)}"
        named = cues.names(f"{host} {parts.path} {anchor}", self.slug)
        own_domain = not _is_address(host) and netguard.registrable(host) == netguard.registrable(
            here
        )
        woo = cues.woo_cue(words) or page_kind in cues.WOO_KINDS
        if own_domain and cues.link_score(anchor, url) >= 3:
            return "a host of the municipality's own domain"
        if cues.is_platform_host(host) and (woo or named):
            self.unconfirmed[parts.netloc.lower()] = named
            return "a known publication platform"
        if cues.woo_cue(words) and named:
            self.unconfirmed[parts.netloc.lower()] = named
            return "linked with a Woo cue naming the municipality"
        return None

    def _outlink(self, response: Response, link: Link) -> Iterator[OutlinkItem]:
        if (
            link.url not in self.outlinks
            and len(self.outlinks) < self.max_pages * FRONTIER_PER_PAGE
        ):
            self.outlinks.add(link.url)
            self.pending += 1
            yield OutlinkItem(self.municipality, link.url, response.url, link.anchor)

    def _follow(
        self, response: Response, links: list[Link], kind: str
    ) -> Iterator[scrapy.Request | OutlinkItem]:
        depth = response.meta.get("woo_depth", 0)
        here = urlsplit(response.url)
        is_listing = kind in cues.WOO_KINDS
        on_platform = here.netloc.lower() in self.platforms
        for link in links:
            url, anchor = link.url, link.anchor
            parts = urlsplit(url)
            netloc = parts.netloc.lower()
            if netloc in self.registers:
                # a national register is read by its route, for this municipality's entries
                yield from self._outlink(response, link)
                continue
            if netloc not in self.scope:
                why = self._platform(url, anchor, kind)
                if why is None:
                    yield from self._outlink(response, link)
                    continue
                log.info(
                    "%s: following to publication host %s (%s)", self.municipality, netloc, why
                )
                self.scope.add(netloc)
                self.platforms[netloc] = why
            if depth >= self.max_depth or url in self.seen or url == self.canonical(response.url):
                continue
            if on_platform and link.in_nav:
                continue  # a shared platform's frame leads to other organisations' sections
            same_path = netloc == here.netloc.lower() and parts.path == here.path
            if same_path and not self._filter_allowed(response.url, url):
                continue
            score = cues.link_score(anchor, url)
            document = cues.looks_like_document(url)
            paginate = (
                is_listing
                and netloc == here.netloc.lower()
                and (
                    cues.is_pagination(anchor, link.rel)
                    or (same_path and _pages(response.url, url))
                )
            )
            # a platform's listing links to its decisions' detail pages by their titles alone
            detail = (
                on_platform and is_listing and netloc == here.netloc.lower() and not link.in_nav
            )
            if not (score > 0 or paginate or (document and is_listing) or detail):
                # links without a cue: only the municipality's own navigation, near the start
                if netloc not in self.home or depth + 1 > self.browse_depth or document:
                    continue
            meta = {"anchor": anchor}
            next_depth = depth + 1
            if paginate:
                # the next page of a listing is the same level, not a level deeper; a
                # never-ending listing is stopped by its own bound
                listing_page = response.meta.get("woo_listing_page", 1) + 1
                if listing_page > self.max_listing_pages:
                    self.note(
                        f"listing {response.url} goes on past {self.max_listing_pages} pages; stopped"
                    )
                    continue
                meta["woo_listing_page"] = listing_page
                next_depth = depth
            if is_listing:
                meta["from_woo_listing"] = response.url
            if len(self.seen) >= self.max_pages * FRONTIER_PER_PAGE:
                self.note(f"more than {len(self.seen)} distinct links found; the rest not queued")
                return
            self.seen.add(url)
            priority = 10 * score + (20 if paginate else 0) + (5 if detail else 0) - next_depth
            yield self._request(url, depth=next_depth, priority=priority, **meta)

    @staticmethod
    def _filter_allowed(page_url: str, url: str) -> bool:
        """A link to the same path with other query parameters: paging, or a filter. An
        unfiltered page may lead to one filter; a filtered page leads to no further filter."""
        page, link = _filters(page_url), _filters(url)
        added = link - page
        return not added or (not page and len(link) == 1)

    def _forms(self, response: Response, kind: str) -> Iterator[scrapy.Request]:
        """A GET search form on a Woo page, submitted once with its own defaults (what a visitor
        sees on pressing "Zoeken"); what it answers submits no form again."""
        if kind not in cues.WOO_KINDS or response.meta.get("woo_form"):
            return
        depth = response.meta.get("woo_depth", 0)
        if depth >= self.max_depth:
            return
        for form in response.xpath("//form"):
            if (form.attrib.get("method") or "get").strip().lower() != "get":
                continue
            action = response.urljoin(form.attrib.get("action") or response.url)
            if urlsplit(action).netloc.lower() not in self.scope:
                continue
            fields = []
            for field in form.xpath(".//input[@name]|.//select[@name]|.//textarea[@name]"):
                tag, name = field.root.tag, field.attrib["name"]
                kind_of = (field.attrib.get("type") or "text").lower()
                if tag == "input":
                    if kind_of in ("submit", "button", "image", "reset", "file", "password"):
                        continue
                    if kind_of in ("checkbox", "radio") and "checked" not in field.attrib:
                        continue
                    fields.append((name, field.attrib.get("value", "")))
                elif tag == "select":
                    chosen = field.xpath("./option[@selected]") or field.xpath("./option")
                    if chosen:
                        option = chosen[0]
                        fields.append(
                            (name, option.attrib.get("value", option.xpath("string()").get()))
                        )
                else:
                    fields.append((name, field.xpath("string()").get()))
            parts = urlsplit(action)
            url = self.canonical(
                urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(fields), ""))
            )
            if url in self.seen:
                continue
            if len(self.seen) >= self.max_pages * FRONTIER_PER_PAGE:
                return  # a page of ten thousand forms queues no more than links would
            self.seen.add(url)
            yield self._request(
                url,
                depth=depth + 1,
                priority=10,
                anchor="zoekformulier",
                woo_form=True,
                from_woo_listing=response.url,
            )

    def failed(self, failure) -> Iterator[scrapy.Request]:
        request = failure.request
        log.info("%s: %s", request.url, failure.getErrorMessage())
        if request.meta.get("woo_robots"):
            # no robots.txt to be had: the start URL is asked all the same, and if the site is
            # down, that is what the summary says
            self.seen.add(self.canonical(self.start_url))
            yield self._request(self.start_url, depth=0, priority=100, woo_start=True)
            return
        refused = failure.check(IgnoreRequest)  # by us (scope, budget, a failed write): noted there
        if not refused and request.meta.get("woo_start"):
            self.note(f"start URL {request.url} did not answer: {failure.getErrorMessage()}")


def _is_address(host: str) -> bool:
    try:
        netguard.is_internal(host)
    except ValueError:
        return False
    return True


def _pages(page_url: str, url: str) -> bool:
    """Whether ``url`` is another page of the listing at ``page_url``: only paging parameters
    differ."""
    return (
        _filters(page_url) == _filters(url)
        and [(k, v) for k, v in _params(page_url) if k.lower() not in cues.PAGE_PARAMS]
        == [(k, v) for k, v in _params(url) if k.lower() not in cues.PAGE_PARAMS]
        and page_url != url
    )


class MunicipalSpider(scrapy.Spider):
    """Every site of a run in one spider. ``sites``: (code, start URL, name) triples; or one
    site as ``municipality``, ``start_url`` and ``municipality_name``. ``on_site_done`` is told
    of each site as it is done."""

    name = "municipal"

    def __init__(
        self,
        *args,
        sites: list[tuple[str, str, str]] = (),
        municipality: str | None = None,
        start_url: str | None = None,
        municipality_name: str = "",
        on_site_done: Callable[[SiteCrawl], None] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.wanted = list(sites) or [(municipality, start_url, municipality_name)]
        self.on_site_done = on_site_done
        self.sites: dict[str, SiteCrawl] = {}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        for code, url, name in spider.wanted:
            spider.add_site(code, url, name, schedule=False)
        crawler.signals.connect(spider.dropped, signal=signals.request_dropped)
        crawler.signals.connect(spider.robots_parsed, signal=signals.robots_parsed)
        return spider

    def robots_parsed(self, robotparser, request: scrapy.Request) -> None:
        """Scrapy read a host's robots.txt for the request that first went there: the site of
        that request follows the sitemaps it names."""
        site = self.site_of(request)
        protego = getattr(robotparser, "rp", None)
        if site is None or protego is None:
            return
        parts = urlsplit(request.url)
        site.robots_read(f"{parts.scheme}://{parts.netloc}/robots.txt", list(protego.sitemaps))

    def dropped(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        """The scheduler dropped a request as a duplicate (a redirect back to a page already
        asked for: a loop): it is settled, as it will get no answer."""
        site = self.site_of(request)
        if site is not None:
            site.settled()

    def add_site(self, code: str, url: str, name: str = "", *, schedule: bool = True) -> SiteCrawl:
        """A site joins the run (a window of sites: the next one when another is done)."""
        site = SiteCrawl(self.crawler, code, url, name, self.on_site_done)
        self.sites[site.municipality] = site
        if schedule:
            self.crawler.engine.crawl(site.first_request())
        return site

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for site in list(self.sites.values()):
            yield site.first_request()

    def site_of(self, request: scrapy.Request) -> SiteCrawl | None:
        return self.sites.get(request.meta.get("municipality") or "")

    @property
    def allowed_internal(self) -> frozenset[str]:
        """Internal hosts any site started on (for Scrapy's own robots.txt requests)."""
        return frozenset().union(*(site.allowed_internal for site in self.sites.values()))
