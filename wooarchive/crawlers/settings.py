"""Every default of the crawl, in one place (Scrapy's project convention).

Politeness first: robots.txt obeyed (with its Crawl-delay), AutoThrottle on, at most two
requests at a time per site, a User-Agent that names the project and the contact the user set in
WOO_CONTACT, size and time limits, bounded retries.
"""

import os

from wooarchive.archive.encoding import ACCEPT_ENCODING
from wooarchive.config import settings as woo_settings
from wooarchive.crawlers.routes import algoritmeregister, wooindex

BOT_NAME = "woo-archive"
SPIDER_MODULES = ["wooarchive.crawlers.spiders"]
NEWSPIDER_MODULE = "wooarchive.crawlers.spiders"

USER_AGENT = woo_settings().user_agent
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "woo-archive"

# One crawler holds every site of a run: run.py raises this to two per site; the scheduler
# hands out requests per download slot (host), fewest active first, best-scoring within.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Only http and https: Scrapy's file handler would read any local file a hostile robots.txt or
# sitemap names (the host of a file:// URL is ignored), and ftp, s3 and data have no place in a
# crawl either. The scope middleware refuses these schemes first; without a handler, a request
# that got past it still fetches nothing.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}

DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 100 * 1024 * 1024
DOWNLOAD_WARNSIZE = 25 * 1024 * 1024
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"

DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/pdf;q=0.9,*/*;q=0.8",
    "Accept-Language": "nl,en;q=0.5",
    # only encodings the archive can undo; Scrapy would otherwise offer br and zstd
    "Accept-Encoding": ACCEPT_ENCODING,
}

# What a crawl of hundreds of sites at once does not use costs it on every request (each
# middleware is called for each) and on every site's start: scope, depth and budget are ours
# (ScopeMiddleware, the spider); no site needs to learn from a Referer where we came from.
_UNUSED_DOWNLOADER = (
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
    "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware",
    # rebuilds every request and response as HTTP bytes to count them; each site counts its own
    "scrapy.downloadermiddlewares.stats.DownloaderStats",
)
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.referer.RefererMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
EXTENSIONS = {
    f"scrapy.extensions.{name}": None
    for name in (
        "memdebug.MemoryDebugger",
        "closespider.CloseSpider",
        "feedexport.FeedExporter",
        "logstats.LogStats",
        "spiderstate.SpiderState",
        "remote_control.RemoteControl",
    )
}

DOWNLOADER_MIDDLEWARES = {
    **dict.fromkeys(_UNUSED_DOWNLOADER),
    # engine side: keep the crawl within the municipality's hosts, before robots.txt is asked
    "wooarchive.crawlers.middlewares.scope.ScopeMiddleware": 60,
    "wooarchive.crawlers.middlewares.crawl_delay.CrawlDelayMiddleware": 110,
    # after every middleware that may refuse a request, before the download slot
    "wooarchive.crawlers.middlewares.host_gate.HostGateMiddleware": 920,
    # downloader side: see every response raw (before decompression, redirects and retries)
    "wooarchive.crawlers.middlewares.conditional.ConditionalMiddleware": 940,
    "wooarchive.crawlers.middlewares.archive.ArchiveMiddleware": 950,
}
ITEM_PIPELINES = {"wooarchive.crawlers.pipelines.ClassifyPipeline": 300}

# Bounds per site (one spider runs one municipality).
WOO_MAX_PAGES = 500
WOO_MAX_DEPTH = 5
# The national Algoritmeregister, where a municipality's algorithm register may exist only: its
# entries are fetched there (WOO_ALGORITHM_REGISTER in the environment or -s; empty: not asked).
WOO_ALGORITHM_REGISTER = os.environ.get("WOO_ALGORITHM_REGISTER", algoritmeregister.DEFAULT_BASE)
# The Woo-index of the Register van Overheidsorganisaties, where the municipality lists where it
# publishes each Woo category: those locations are crawled (WOO_INDEX; empty: not asked).
WOO_INDEX = os.environ.get("WOO_INDEX", wooindex.DEFAULT_BASE)
# Internal addresses (host:port, comma-separated) the crawl may reach besides each start URL's
# own: `woo crawl --allow-internal`. Every other internal address is refused.
WOO_ALLOW_INTERNAL = ""
# A robots.txt Crawl-delay is obeyed up to this many seconds (86400 would never end a run).
WOO_MAX_CRAWL_DELAY = 60.0
# Pages of one paginated listing at most (a listing's next page does not count as deeper).
WOO_MAX_LISTING_PAGES = 200
# Links without any cue are followed only this close to the start (the site's navigation).
WOO_BROWSE_DEPTH = 2
# How many municipalities `woo crawl` runs at once; 0: all of them (each at its own polite rate,
# so a whole-country crawl takes about as long as its slowest site).
WOO_CONCURRENT_SITES = 0
# How many processes share the sites of a crawl (each its own crawler, one core each); 0: one
# per core, with at least 20 sites each (crawlers/run.py). Hosts several of them reach keep their
# politeness through the host gate (WOO_HOST_GATE, set by the run; middlewares/host_gate.py).
WOO_CRAWL_PROCESSES = 0
WOO_HOST_GATE = ""
# Scrapy handles 100 items of one response at once by default; a page yields a few.
CONCURRENT_ITEMS = 8
# Scrapy reads each callback's source to warn of generators that return a value; its cache holds
# bound methods weakly, so with hundreds of spiders it parses the source on every response
# (7 ms each). Our callbacks return nothing.
WARN_ON_GENERATOR_RETURN_VALUE = False
