"""Keep each municipality's crawl on its own hosts and the publication hosts it links to, off
internal addresses, and within its page budget.

Scope is by host and port (Scrapy's allowed_domains goes by host name alone), and it also
stops a redirect that leads off-site: the redirect itself is archived, the target is not
fetched, and the log says so. A URL that is not http(s) (a `file://` one in a sitemap) is refused
before anything else. Every request, redirects included, is also checked against
netguard: a host that resolves to a private, loopback or link-local address is not fetched
unless the crawl started on that host and port, or the user allowed it (--allow-internal).
A document a route listed (a DiWoo sitemap, a platform's API) may be on another host; a site
that moved permanently (a merger) takes its new domain along. The page budget is asked here, as a request is about to be
fetched: the scheduler hands out the best-scoring requests first, so the budget buys those.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest

from wooarchive.archive import netguard
from wooarchive.archive.store import ArchiveWriteError
from wooarchive.crawlers.shared import archive

log = logging.getLogger(__name__)


class ScopeMiddleware:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        spider = self.crawler.spider
        site = spider.site_of(request)
        try:
            # a file:// URL on the site's own host would pass scope and address checks alike
            netguard.check_scheme(request.url)
        except netguard.Forbidden as exc:
            self._refuse(request, site, "scheme_refused", exc)
        if site is None:  # Scrapy's own robots.txt request for a host a site already reached
            allowed = spider.allowed_internal
        else:
            allowed = site.allowed_internal
            netloc = urlsplit(request.url).netloc.lower()
            # a document a route listed (a DiWoo sitemap, a platform's API) may be on any host
            # (a supplier's share link); where it redirects to is judged as any other URL
            listed = request.meta.get("woo_listed") and not request.meta.get("redirect_urls")
            if netloc not in site.scope and not listed and not site.adopts(request):
                site.count("off_site")
                origin = request.meta.get("redirect_urls", ["a link"])[-1]
                log.info("off-site, not fetched: %s (from %s)", request.url, origin)
                if request.meta.get("woo_start") and request.meta.get("redirect_urls"):
                    site.note(f"start URL redirects to another site, not followed: {request.url}")
                raise IgnoreRequest(f"{request.url}: outside the municipality's sites")
        try:
            netguard.check_url(request.url, allowed)
        except netguard.Forbidden as exc:
            self._refuse(request, site, "internal_refused", exc)
        if site and not site.spend(request):
            raise IgnoreRequest(f"{request.url}: over the page budget")
        return None

    @staticmethod
    def _refuse(request: Request, site, counter: str, exc: netguard.Forbidden) -> None:
        """Count and record a refused request (a fetch error names it), and drop it."""
        if site:
            site.count(counter)
        log.warning("%s", exc)
        try:
            archive().record_fetch_error(request.url, str(exc), request.meta.get("municipality"))
        except ArchiveWriteError:
            pass  # the run stops on it (crawlers/run.py)
        raise IgnoreRequest(str(exc)) from exc
