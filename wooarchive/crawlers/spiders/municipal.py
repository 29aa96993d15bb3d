"""One municipality's site: robots.txt and its sitemaps first, then links that lead to what a
municipality must publish on privacy and openness.

The spider only reads and decides; the archive middleware has already stored every response,
and the pipeline records each document's kind.
"""

from __future__ import annotations

import io
import logging
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urljoin, urlsplit

import scrapy
from protego import Protego
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.sitemap import Sitemap

from wooarchive import cues
from wooarchive.archive import netguard
from wooarchive.archive.urls import canonical
from wooarchive.crawlers.items import DocumentItem

log = logging.getLogger(__name__)
HTML = "text/html"


def pdf_text(body: bytes, pages: int = 2) -> str:
    """Text of the first pages of a PDF, for classification only ('' for a scan or a broken file)."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(body))
        return " ".join((page.extract_text() or "") for page in reader.pages[:pages])
    except Exception:  # a broken PDF is archived all the same; the indexer reports it
        return ""


class MunicipalSpider(scrapy.Spider):
    name = "municipal"

    def __init__(self, municipality: str, start_url: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.municipality = municipality.upper()
        self.start_url = start_url
        home = urlsplit(start_url).netloc.lower()
        # the municipality's own site, under www. and without it; publication hosts join scope later
        self.home = {home, home[4:] if home.startswith("www.") else f"www.{home}"}
        self.scope: set[str] = set(self.home)
        # internal addresses are reached only where the user started (the fixture web, a test)
        self.allowed_internal = netguard.allowed_for(start_url)
        self.pages = 0
        self.requested = 0
        self.budget_reported = False

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_pages = crawler.settings.getint("WOO_MAX_PAGES")
        spider.max_depth = crawler.settings.getint("WOO_MAX_DEPTH")
        spider.browse_depth = crawler.settings.getint("WOO_BROWSE_DEPTH")
        spider.max_listing_pages = crawler.settings.getint("WOO_MAX_LISTING_PAGES")
        return spider

    def _request(
        self, url: str, *, depth: int, callback=None, priority: int = 0, **meta
    ) -> scrapy.Request:
        netloc = urlsplit(url).netloc.lower()
        return scrapy.Request(
            url,
            callback=callback or self.parse_page,
            errback=self.failed,
            priority=priority,
            meta={
                "municipality": self.municipality,
                "download_slot": netloc,
                "woo_depth": depth,
                **meta,
            },
        )

    async def start(self) -> AsyncIterator[scrapy.Request]:
        robots = urljoin(self.start_url, "/robots.txt")
        yield self._request(
            robots,
            depth=0,
            callback=self.parse_robots,
            dont_obey_robotstxt=True,
            handle_httpstatus_all=True,
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
        self._share_robots(response)
        yield from self._plain(response, "robots.txt of the site")
        sitemaps = []
        if response.status == 200:
            try:
                sitemaps = list(Protego.parse(response.text).sitemaps)
            except (ValueError, AttributeError, UnicodeDecodeError):
                log.warning("%s: robots.txt could not be read", response.url)
        home = netguard.registrable(netguard.host_of(self.start_url))
        for url in sitemaps:
            # a sitemap on the municipality's own domain joins the scope; one elsewhere is
            # someone else's host, named by a file anyone who controls the site can write
            if netguard.registrable(netguard.host_of(url)) != home:
                log.warning(
                    "%s: sitemap on another domain, not fetched: %s", self.municipality, url
                )
                continue
            self.scope.add(urlsplit(url).netloc.lower())
            yield self._request(url, depth=1, callback=self.parse_sitemap, priority=5)
        yield self._request(self.start_url, depth=0, priority=10)

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request | DocumentItem]:
        yield from self._plain(response, "sitemap named in robots.txt")
        try:
            sitemap = Sitemap(response.body)
        except Exception:
            log.warning("%s: not a readable sitemap", response.url)
            return
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                yield self._request(loc, depth=1, callback=self.parse_sitemap, priority=5)
                continue
            score = cues.link_score("", loc)
            if score >= 3:  # a sitemap lists everything; only what names a cue is fetched from it
                yield self._request(
                    canonical(loc), depth=1, priority=score, anchor="", via="sitemap"
                )

    def parse_page(self, response: Response) -> Iterator[DocumentItem | scrapy.Request]:
        capture = response.meta.get("woo_capture")
        if capture is None or not 200 <= response.status < 300:
            return
        self.pages += 1
        mime = capture["mime"]
        anchor = response.meta.get("anchor", "")
        listing = response.meta.get("from_woo_listing")
        if mime != HTML:
            text = pdf_text(response.body) if mime == "application/pdf" else ""
            verdict = cues.classify(
                url=response.url,
                anchor=anchor,
                text=text,
                is_document=True,
                from_woo_listing=listing,
            )
            yield self._item(response, capture, verdict, title=anchor or None)
            return

        title = " ".join(response.xpath("normalize-space(//title)").get("").split())
        heading = " ".join(response.xpath("normalize-space((//h1)[1])").get("").split())
        body = " ".join(
            response.xpath(
                "//body//text()[not(ancestor::script) and not(ancestor::style)"
                " and not(ancestor::nav) and not(ancestor::footer)]"
            ).getall()
        )
        not_found = cues.soft_404(title, heading, body)
        if not_found:
            # a "not found" page served with 200: kept as evidence, not counted, not followed
            self.crawler.stats.inc_value("woo/soft_404")
            verdict = cues.Classification("soft_404", 0, [not_found])
            yield self._item(response, capture, verdict, title=title or heading or None)
            return
        links = self._links(response)
        documents = sum(1 for url, _, _ in links if cues.looks_like_document(url))
        verdict = cues.classify(
            url=response.url,
            title=f"{title} {heading}".strip(),
            anchor=anchor,
            text=body[:20000],
            document_links=documents,
        )
        yield self._item(response, capture, verdict, title=title or heading or None)
        yield from self._follow(response, links, verdict.kind)

    def _item(
        self, response: Response, capture: dict, verdict: cues.Classification, title: str | None
    ) -> DocumentItem:
        return DocumentItem(
            url=response.url,
            sha256=capture["sha256"],
            municipality_code=self.municipality,
            kind=verdict.kind,
            evidence=verdict.evidence,
            title=title,
        )

    def _links(self, response: Response) -> list[tuple[str, str, str]]:
        found = []
        for link in response.xpath("//a[@href]"):
            href = (link.attrib.get("href") or "").strip()
            if not href or href.startswith(("mailto:", "tel:", "javascript:", "#")):
                continue
            url = canonical(response.urljoin(href))
            if urlsplit(url).scheme not in ("http", "https"):
                continue
            anchor = " ".join(" ".join(link.xpath(".//text()").getall()).split())
            found.append((url, anchor, link.attrib.get("rel", "")))
        return found

    def _follow(
        self, response: Response, links: list[tuple[str, str, str]], kind: str
    ) -> Iterator[scrapy.Request]:
        depth = response.meta.get("woo_depth", 0)
        if depth >= self.max_depth:
            return
        here = urlsplit(response.url).netloc.lower()
        is_listing = kind in ("woo_page", "woo_decision")
        for url, anchor, rel in links:
            netloc = urlsplit(url).netloc.lower()
            score = cues.link_score(anchor, url)
            if netloc not in self.scope:
                if score < 3:
                    continue
                # a publication platform the municipality links to with a clear cue
                log.info(
                    "%s: following to publication host %s (%r)", self.municipality, netloc, anchor
                )
                self.scope.add(netloc)
            document = cues.looks_like_document(url)
            paginate = is_listing and cues.is_pagination(anchor, rel) and netloc == here
            if not (score > 0 or paginate or (document and is_listing)):
                # links without a cue: only the municipality's own navigation, near the start
                if netloc not in self.home or depth + 1 > self.browse_depth or document:
                    continue
            if self.requested >= self.max_pages:
                if not self.budget_reported:
                    log.warning(
                        "%s: page budget of %d reached; not following further links",
                        self.municipality,
                        self.max_pages,
                    )
                    self.budget_reported = True
                return
            meta = {"anchor": anchor}
            next_depth = depth + 1
            if paginate:
                # the next page of a listing is the same level, not a level deeper; a
                # never-ending listing is stopped by its own bound
                listing_page = response.meta.get("woo_listing_page", 1) + 1
                if listing_page > self.max_listing_pages:
                    log.warning(
                        "%s: listing %s goes on past %d pages; stopped",
                        self.municipality,
                        response.url,
                        self.max_listing_pages,
                    )
                    continue
                meta["woo_listing_page"] = listing_page
                next_depth = depth
            if is_listing:
                meta["from_woo_listing"] = response.url
            self.requested += 1
            yield self._request(
                url, depth=next_depth, priority=score + (2 if paginate else 0), **meta
            )

    def failed(self, failure) -> None:
        request = failure.request
        log.info("%s: %s", request.url, failure.getErrorMessage())
