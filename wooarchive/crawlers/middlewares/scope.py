"""Keep each municipality's crawl on its own hosts and the publication hosts it links to.

Scope is by host and port (Scrapy's allowed_domains goes by host name alone), and it also
stops a redirect that leads off-site: the redirect itself is archived, the target is not
fetched, and the log says so.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest

log = logging.getLogger(__name__)


class ScopeMiddleware:
    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def process_request(self, request: Request, spider: Spider) -> None:
        scope = getattr(spider, "scope", None)
        if scope is None:
            return None
        netloc = urlsplit(request.url).netloc.lower()
        if netloc not in scope:
            spider.crawler.stats.inc_value("woo/off_site")
            log.info(
                "off-site, not fetched: %s (from %s)",
                request.url,
                request.meta.get("redirect_urls", ["a link"])[-1],
            )
            raise IgnoreRequest(f"{request.url}: outside the municipality's sites")
        return None
