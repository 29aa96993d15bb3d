"""Honour robots.txt Crawl-delay, which Scrapy parses but does not apply.

The delay of a site is learnt from its robots.txt (the spider asks for it first, before any
other page of the site) and set on that site's download slot. AutoThrottle is told to leave such
a slot alone: it would otherwise lower the delay after a fast response, and the slot's queue can
be served before any middleware sees that response. The slot's random jitter is switched off,
as it would otherwise wait as little as half the delay.

Scrapy counts a slot's delay from the moment it hands a request to the network. When the crawl
thread is busy (archiving a response, a fsync), a request handed over can leave late and the
next one on time, and the site sees two requests closer than it asked. So such a site gets one
request at a time, and its delay is counted from the moment each answer came in (Scrapy's
`response_downloaded` signal, sent before the slot sends its next request): an answer comes
after the site received the request, so the site never sees two requests closer than its
Crawl-delay, however late either left.

A delay is capped at WOO_MAX_CRAWL_DELAY (60 s): `Crawl-delay: 86400` would make a crawl of
500 pages take a year and a half, and the run would never end. The site's notes say so.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from protego import Protego
from scrapy import Request, Spider, signals
from scrapy.http import Response

log = logging.getLogger(__name__)


class CrawlDelayMiddleware:
    def __init__(self, crawler, user_agent: str) -> None:
        self.crawler = crawler
        self.user_agent = user_agent
        self.max_delay = crawler.settings.getfloat("WOO_MAX_CRAWL_DELAY")
        self.delays: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler):
        middleware = cls(
            crawler,
            crawler.settings.get("ROBOTSTXT_USER_AGENT") or crawler.settings.get("USER_AGENT"),
        )
        crawler.signals.connect(middleware.downloaded, signal=signals.response_downloaded)
        return middleware

    def downloaded(self, response: Response, request: Request, spider=None) -> None:
        """An answer came in: the site's next request waits its delay from now."""
        self._enforce(request, answered=True)

    def _enforce(self, request: Request, answered: bool = False) -> None:
        delay = self.delays.get(urlsplit(request.url).netloc)
        if not delay:
            return
        request.meta["autothrottle_dont_adjust_delay"] = True
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is not None:
            slot.delay = max(slot.delay, delay)
            # RANDOMIZE_DOWNLOAD_DELAY would wait as little as half the delay: a floor is a floor
            slot.jitter = 0
            # one request at a time: a second one handed over while the first is still held up
            # on a busy crawl thread would reach the site right after it
            slot.concurrency = 1
            if answered:  # the next request waits the delay from now (Scrapy's own clock)
                slot.lastseen = max(slot.lastseen, time.monotonic())

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        self._enforce(request)
        return None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        parts = urlsplit(response.url)
        if parts.path == "/robots.txt" and response.status == 200:
            try:
                delay = Protego.parse(response.text).crawl_delay(self.user_agent)
            except (ValueError, AttributeError, UnicodeDecodeError):
                delay = None
            if delay:
                log.info("%s asks for Crawl-delay %s s", parts.netloc, delay)
                if delay > self.max_delay:
                    site = self.crawler.spider.site_of(request)
                    if site is not None:
                        site.note(
                            f"{parts.netloc} asks for a Crawl-delay of {delay:g} s; "
                            f"waited {self.max_delay:g} s between requests instead"
                        )
                    delay = self.max_delay
                self.delays[parts.netloc] = float(delay)
                gate = getattr(self.crawler, "woo_gate", None)
                if gate is not None:  # other crawl processes reach this host too
                    gate.learn(parts.netloc.lower(), float(delay))
        self._enforce(request, answered=True)
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        self._enforce(request, answered=True)
        return None
