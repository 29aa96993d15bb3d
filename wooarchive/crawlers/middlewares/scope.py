"""Keep each municipality's crawl on its own hosts and the publication hosts it links to, off
internal addresses, and within its page budget.

Scope is by host and port (Scrapy's allowed_domains goes by host name alone), and it also
stops a redirect that leads off-site: the redirect itself is archived, the target is not
fetched, and the log says so. Every request, redirects included, is also checked against
netguard: a host that resolves to a private, loopback or link-local address is not fetched
unless the crawl started there. The page budget is asked here, as a request is about to be
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
        if site is None:  # Scrapy's own robots.txt request for a host a site already reached
            allowed = spider.allowed_internal
        else:
            allowed = site.allowed_internal
            netloc = urlsplit(request.url).netloc.lower()
            if netloc not in site.scope:
                site.count("off_site")
                origin = request.meta.get("redirect_urls", ["a link"])[-1]
                log.info("off-site, not fetched: %s (from %s)", request.url, origin)
                if request.meta.get("woo_start") and request.meta.get("redirect_urls"):
                    site.note(f"start URL redirects to another site, not followed: {request.url}")
                raise IgnoreRequest(f"{request.url}: outside the municipality's sites")
        try:
            netguard.check_url(request.url, allowed)
        except netguard.Forbidden as exc:
            if site:
                site.count("internal_refused")
            log.warning("%s", exc)
            try:
                archive().record_fetch_error(
                    request.url, str(exc), request.meta.get("municipality")
                )
            except ArchiveWriteError:
                pass  # the run stops on it (crawlers/run.py)
            raise IgnoreRequest(str(exc)) from exc
        if site and not site.spend(request):
            raise IgnoreRequest(f"{request.url}: over the page budget")
        return None
