"""Store what the spider concluded: each document's kind and the evidence for it, and the links
to other organisations' hosts it did not follow."""

from __future__ import annotations

from scrapy import Spider

from wooarchive.archive.store import ArchiveWriteError
from wooarchive.crawlers.items import DocumentItem, OutlinkItem
from wooarchive.crawlers.shared import archive


class ClassifyPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.archive = archive()

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_item(self, item: DocumentItem | OutlinkItem, spider: Spider | None = None):
        site = self.crawler.spider.sites.get(item.municipality_code)
        try:
            if isinstance(item, OutlinkItem):
                self.archive.record_outlink(
                    item.municipality_code, item.url, item.from_url, item.anchor
                )
            else:
                self.archive.classify(item.sha256, item.kind, item.evidence, item.title)
                if site:
                    site.count("documents")
        except ArchiveWriteError:
            pass  # the run stops on it (crawlers/run.py); the site stays unfinished
        finally:
            if site:
                site.settled()  # the site's item is stored (or never will be)
        return item
