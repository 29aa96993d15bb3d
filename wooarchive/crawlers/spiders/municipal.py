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
- Routes beside links (crawlers/routes/, mixins of SiteCrawl; docs/routes.md): the sitemaps of
  every host in scope, DiWoo's among them; an app's API behind an empty shell; the national
  Algoritmeregister; the locations the ROO's Woo-index lists. A start URL that moved permanently to another domain takes it along.
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
from wooarchive.crawlers.routes import MAX_HTML_BYTES
from wooarchive.crawlers.routes.algoritmeregister import AlgorithmRegisterRoute
from wooarchive.crawlers.routes.diwoo import SitemapRoute
from wooarchive.crawlers.routes.platforms import AppRoute, is_shell
from wooarchive.crawlers.routes.wooindex import WooIndexRoute, listed_verdict

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
# larger page are read (MAX_HTML_BYTES, the whole page is archived), and the first links of a
# page are followed
MAX_LINKS = 5000
MAX_TEXT_NODES = 20000


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


class SiteCrawl(SitemapRoute, AppRoute, AlgorithmRegisterRoute, WooIndexRoute):
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
        self.name = municipality_name
        self.slug = cues.slug(municipality_name)
        self.on_done = on_done
        home = urlsplit(start_url).netloc.lower()
        # the municipality's own site, under www. and without it; publication hosts join scope later
        self.home = {home, home[4:] if home.startswith("www.") else f"www.{home}"}
        self.moved_to: str | None = None  # where the start URL moved permanently
        self.scope: set[str] = set(self.home)
        # publication platforms followed: host -> why; those whose first page is still to come
        self.platforms: dict[str, str] = {}
        self.unconfirmed: dict[str, bool] = {}  # host -> whether the link named the municipality
        # internal addresses are reached only where the user started (the fixture web, a test),
        # host and port, or where they allowed it
        self.allowed_internal = netguard.allowed_for(start_url) | frozenset(
            settings.getlist("WOO_ALLOW_INTERNAL")
        )
        self.session_params: dict[str, set[str]] = {}  # learned, per host
        self._variants: dict[tuple, tuple[str, str]] = {}
        self.seen: set[str] = set()
        self.sitemaps: set[str] = set()
        # national registers that hold the municipality's own entries: asked by their route only
        self.register = settings.get("WOO_ALGORITHM_REGISTER") or ""
        self.registers: set[str] = set()
        self.register_entries = 0
        self.woo_index = settings.get("WOO_INDEX") or ""
        self.spent: set[str] = set()
        self.unfetched = 0
        self.outlinks: set[str] = set()
        self.notes: list[str] = []
        self.counts: Counter[str] = Counter()  # responses, documents, fetch errors, refusals
        self.pending = 0  # requests not yet answered or failed, items not yet stored
        self.done = False

    def adopts(self, request: scrapy.Request) -> bool:
        """Whether ``request`` is where the municipality's own address moved permanently (a
        merger, a new name): the start URL or its robots.txt answered 301 or 308 to another
        domain. The new domain joins the site, as its home; the summary says so."""
        origins = request.meta.get("redirect_urls") or []
        reasons = request.meta.get("redirect_reasons") or []
        if not (request.meta.get("woo_start") or request.meta.get("woo_robots")) or not origins:
            return False
        if urlsplit(origins[0]).netloc.lower() not in self.home or any(
            reason not in (301, 308) for reason in reasons
        ):
            return False
        netloc = urlsplit(request.url).netloc.lower()
        if urlsplit(request.url).scheme not in netguard.SCHEMES or _is_address(
            netguard.host_of(request.url)
        ):
            return False
        bare = netloc[4:] if netloc.startswith("www.") else netloc
        self.home |= {bare, f"www.{bare}"}
        self.scope |= {bare, f"www.{bare}"}
        if self.moved_to is None:
            self.moved_to = f"{urlsplit(request.url).scheme}://{netloc}/"
            self.note(
                f"{origins[0]} redirects permanently to {request.url}: the municipality's site "
                f"moved (a merger or a new name); {netloc} crawled as its site"
            )
        return True

    def frontier_full(self) -> bool:
        """Whether the site has queued as many distinct URLs as its budget allows remembering
        (links, forms and what routes list alike): a page of a million links or a sitemap of
        fifty thousand entries queues no more."""
        if len(self.seen) < self.max_pages * FRONTIER_PER_PAGE:
            return False
        self.note(f"more than {len(self.seen)} distinct links found; the rest not queued")
        return True

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
            ("woo_index_locations", "locations of Woo documents listed in the Woo-index crawled"),
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
        netlocs = {
            urlsplit(url).netloc
            for url in (*(response.meta.get("redirect_urls") or [])[:1], response.url)
        }
        for middleware in self.crawler.engine.downloader.middleware.middlewares:
            if not isinstance(middleware, RobotsTxtMiddleware):
                continue
            for netloc in netlocs - set(middleware._parsers):
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
        yield from self._woo_index()

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
        if response.meta.get("woo_index"):
            verdict = listed_verdict(verdict, response.meta["woo_index"])
        host = urlsplit(response.url).netloc.lower()
        shell = is_shell(response.text, body)
        if host in self.unconfirmed and not self._confirm(
            host, verdict, f"{title} {heading} {body[:5000]}", shell
        ):
            record = cues.Classification(
                "crawl_record", 0, [f"linked as a Woo publication platform; {host} is not one"]
            )
            yield self._item(response, capture, record, title=title or heading or None)
            return
        yield self._item(response, capture, verdict, title=title or heading or None)
        if shell and (
            host in self.platforms or verdict.kind in cues.WOO_KINDS or cues.woo_cue(anchor)
        ):
            # an app's shell where Woo publications are expected (a platform, a Woo link or
            # page): not every small page with a script (a cookie wall, a redirect page)
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
            if url in self.seen or url == self.canonical(response.url):
                continue
            same_path = netloc == here.netloc.lower() and parts.path == here.path
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
            # a Woo page at the depth limit still gives its files, its detail pages and its
            # next page, and a detail page one past it its files: a decision reached late keeps
            # its documents (files lead nowhere further)
            beyond = depth - self.max_depth
            if beyond > 1 or (
                beyond >= 0
                and not (is_listing and (document or (beyond == 0 and (detail or paginate))))
            ):
                continue
            if on_platform and link.in_nav and not paginate:
                # a shared platform's frame leads to other organisations' sections; a listing's
                # pagination is its own, even inside a <nav> (as WordPress writes it)
                continue
            if same_path and not self._filter_allowed(response.url, url):
                continue
            score = cues.link_score(anchor, url)
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
            if self.frontier_full():
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
            if self.frontier_full():
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
        if request.meta.get("woo_route"):
            # a route's own request (a register's page): the summary says it could not be had
            self.note(
                f"{request.meta['woo_route']} not fetched ({request.url}): "
                f"{failure.getErrorMessage()}"
            )
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
            redirects = request.meta.get("redirect_urls")
            if redirects:
                site.note(f"{redirects[0]} redirects in a loop (back to {request.url}); dropped")
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
