"""Store what the spider concluded about each document: its kind and the evidence for it."""

from __future__ import annotations

from scrapy import Spider

from wooarchive.crawlers.items import DocumentItem
from wooarchive.crawlers.shared import archive


class ClassifyPipeline:
    def __init__(self) -> None:
        self.archive = archive()

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def process_item(self, item: DocumentItem, spider: Spider) -> DocumentItem:
        self.archive.classify(item.sha256, item.kind, item.evidence, item.title)
        spider.crawler.stats.inc_value("woo/documents")
        if item.kind != "other":
            spider.crawler.stats.inc_value(f"woo/kind/{item.kind}")
        return item
