"""Conditional requests for a scheduled re-crawl.

A URL captured before is asked for with If-None-Match / If-Modified-Since. A 304 is archived as
it came (ArchiveMiddleware, which runs first on the way back) and recorded as a revisit of the
known content; then this middleware hands the spider the archived body, so that an unchanged
listing page still leads to its documents.
"""

from __future__ import annotations

from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.responsetypes import responsetypes

from wooarchive.crawlers.shared import archive


class ConditionalMiddleware:
    def __init__(self) -> None:
        self.archive = archive()

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get("dont_obey_robotstxt") or request.headers.get("If-None-Match"):
            return None
        for key, value in self.archive.previous_validators(request.url).items():
            request.headers.setdefault(key, value)
        return None

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        capture = request.meta.get("woo_capture") or {}
        if response.status != 304 or not capture:
            return response
        sha256 = capture.get("revisit_of")
        if not sha256 or not self.archive.blobs.exists(sha256):
            return response
        body = self.archive.blobs.path_for(sha256).read_bytes()
        mime = self.archive.db["documents"].get(sha256)["mime"]
        request.meta["woo_capture"] = {**capture, "sha256": sha256, "mime": mime, "unchanged": True}
        cls = responsetypes.from_args(headers={"Content-Type": mime}, url=response.url, body=body)
        return cls(
            url=response.url,
            status=200,
            headers={"Content-Type": mime},
            body=body,
            request=request,
            flags=[*response.flags, "woo-unchanged"],
        )
