"""Archive every response as it came off the wire: WARC records, blob, capture row.

Sits at the downloader end of the chain (priority 950), so it sees each response before
HttpCompressionMiddleware decodes it and before redirects and retries act on it: every hop and
every retried error is a capture. A request that gets no response is a fetch_errors row.
"""

from __future__ import annotations

import logging
import zlib
from http import HTTPStatus
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK

from wooarchive.archive import netguard
from wooarchive.archive.encoding import DecodedTooLarge, UnsupportedEncoding, decode
from wooarchive.archive.store import ArchiveWriteError, Exchange, now
from wooarchive.crawlers.shared import archive

log = logging.getLogger(__name__)


def _headers(headers) -> list[tuple[str, str]]:
    return [
        (key.decode("latin-1"), value.decode("latin-1"))
        for key, values in headers.items()
        for value in values
    ]


class ArchiveMiddleware:
    def __init__(self, crawler, max_size: int) -> None:
        self.crawler = crawler
        self.archive = archive()
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler, crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        try:
            return self._archive(request, response, self.crawler.spider)
        except ArchiveWriteError as exc:
            # the run stops on it (crawlers/run.py); this response is fetched again on resume
            raise IgnoreRequest(str(exc)) from exc

    def _archive(self, request: Request, response: Response, spider: Spider) -> Response:
        municipality = request.meta.get("municipality")
        site = spider.site_of(request)
        # through a proxy the answer comes from the proxy's address: the target host was judged
        # before the fetch (ScopeMiddleware), and the proxy is not the server to name
        peer = None
        if response.ip_address and not request.meta.get("proxy"):
            peer = str(response.ip_address)
            try:
                netguard.check_peer(
                    response.url, peer, site.allowed_internal if site else spider.allowed_internal
                )
            except netguard.Forbidden as exc:  # DNS answered otherwise than when it was checked
                self.archive.record_fetch_error(response.url, str(exc), municipality)
                raise IgnoreRequest(str(exc)) from exc
        encoding = response.headers.get("Content-Encoding", b"").decode("latin-1") or None
        try:
            body = decode(response.body, encoding, self.max_size)
        except DecodedTooLarge as exc:
            # nothing of it is stored: a bomb must not become a published blob
            reason = f"not archived: the body {exc}"
            log.warning("%s: %s", response.url, reason)
            self.archive.record_fetch_error(response.url, reason, municipality)
            if site:
                site.count("too_large")
            raise IgnoreRequest(f"{response.url}: {reason}") from exc
        except (zlib.error, UnsupportedEncoding) as exc:
            log.warning("%s: body kept as received, could not decode: %s", response.url, exc)
            body = response.body
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        protocol = response.protocol or "HTTP/1.1"
        try:
            reason = HTTPStatus(response.status).phrase
        except ValueError:
            reason = ""
        exchange = Exchange(
            requested_url=request.meta.get("woo_requested_url", request.url),
            url=response.url,
            redirect_chain=list(request.meta.get("redirect_urls", [])),
            fetched_at=now(),
            request_line=f"{request.method} {target} {protocol}",
            request_headers=[("Host", parts.netloc), *_headers(request.headers)],
            http_version=protocol,
            status=response.status,
            reason=reason,
            response_headers=_headers(response.headers),
            raw_body=response.body,
            raw_size=len(response.body),
            ip_address=peer,
        )
        recorded = self.archive.record_exchange(exchange, body, municipality_code=municipality)
        if request.callback is NO_CALLBACK and parts.path == "/robots.txt":
            # Scrapy's own robots.txt request (a host joining a crawl): a record of the crawl,
            # as the spider's own robots.txt is
            self.archive.classify(recorded.sha256, "crawl_record", ["robots.txt of the site"])
        if site:
            site.count("responses")
        request.meta.setdefault("woo_requested_url", request.url)
        request.meta["woo_capture"] = {
            "revisit_of": recorded.revisit_of,
            "sha256": recorded.sha256,
            "mime": recorded.mime,
            "status": response.status,
        }
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        if isinstance(exception, IgnoreRequest):
            return None  # not fetched on purpose (robots.txt, scope): nothing was attempted
        spider = self.crawler.spider
        reason = f"{type(exception).__name__}: {exception}".rstrip(": ")
        log.warning("%s: no response (%s)", request.url, reason)
        try:
            self.archive.record_fetch_error(request.url, reason, request.meta.get("municipality"))
        except ArchiveWriteError:
            return None  # the run stops on it
        site = spider.site_of(request)
        if site:
            site.count("fetch_errors")
        return None
