"""Publication platforms that render in the browser: the HTML is an empty shell, the data comes
from a JSON API (OpenCatalogi's publications API on OpenWoo.app and the like; other suppliers'
REST lists).

Nothing here knows one supplier. A shell is recognised by what it lacks (hardly any text, a
mount point such as `<div id="app">`, scripts); its API is found where the app itself finds it
(a URL with `/api/` in its inline configuration, a `data-api`/`<meta>` attribute, or a config
script it loads), and an answer is read by the shapes such APIs share: a list of items under
`results`/`data`/`items`/`publications`/`hits` (or the answer itself), the next page as a
`next` URL or as `page`/`pages` numbers, per item a title, a TOOI information category, the
publishing organisation, and files wherever a `downloadUrl`/`accessUrl`/`url` sits in it (or,
for OpenCatalogi, behind the item's `/attachments`). Every bound is counted: answers of at most
MAX_JSON_BYTES, items and files per answer, pages per API.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.http import Response

from wooarchive import cues
from wooarchive.archive import netguard
from wooarchive.crawlers.items import DocumentItem
from wooarchive.crawlers.routes import ListedRoute
from wooarchive.crawlers.routes.diwoo import (
    CATEGORIES,
    TOOI_CONCEPT,
    TOOI_MUNICIPALITY,
    WOO_DECISIONS,
    municipality_of,
)

MAX_JSON_BYTES = 20 << 20
MAX_ITEMS = 1000  # per answer
MAX_FILES = 50  # per item
SHELL_TEXT = 300  # characters of visible text: a shell says less than this
MOUNT = re.compile(r"<div[^>]+id=[\"'](app|root|__next|__nuxt|woo-app)[\"']", re.I)
API_URL = re.compile(
    r"""(?:https?:)?//[^\s"'<>\\]+/api/[^\s"'<>\\]*|(?<=["'])/[^\s"'<>\\]*api/[^\s"'<>\\]*"""
)
CONFIG_SCRIPT = re.compile(
    r"<script[^>]+src=[\"']([^\"']*(?:config|env|settings)[^\"']*\.js(?:on)?)[\"']", re.I
)
LIST_KEYS = ("results", "data", "items", "publications", "publicaties", "hits", "objects")
TITLE_KEYS = ("officieleTitel", "officiele_titel", "title", "titel", "name", "naam")
FILE_KEYS = (
    "downloadUrl",
    "download_url",
    "accessUrl",
    "access_url",
    "fileUrl",
    "file_url",
    "url",
    "href",
    "download",
)
ORG_KEYS = ("publisher", "organization", "organisation", "organisatie", "publisherName")
STATIC = re.compile(r"\.(js|css|png|jpe?g|svg|gif|ico|woff2?|map)(\?|$)", re.I)


def is_shell(html: str, text: str) -> bool:
    """Whether a page is an app's empty shell: little text, and a mount point or scripts."""
    return len(text.strip()) < SHELL_TEXT and bool(
        MOUNT.search(html) or html.lower().count("<script") >= 1
    )


def api_urls(page_url: str, html: str) -> list[str]:
    """The API addresses a shell's own configuration names (inline scripts, attributes)."""
    found = []
    for match in API_URL.finditer(html):
        url = urljoin(page_url, match.group(0).rstrip(".,;)"))
        if (
            urlsplit(url).scheme in ("http", "https")
            and not STATIC.search(url)
            and url not in found
        ):
            found.append(url)
    return found[:10]


def config_scripts(page_url: str, html: str) -> list[str]:
    """Configuration scripts a shell loads (`/config.js`, `env.json`): where an app built once
    for many municipalities keeps its API address."""
    return [urljoin(page_url, m.group(1)) for m in CONFIG_SCRIPT.finditer(html)][:5]


@dataclass
class Publication:
    title: str
    files: list[str]
    categories: list[tuple[str, str]] = field(default_factory=list)
    organisation: str = ""
    ident: str = ""  # the item's id, for an attachments endpoint

    @property
    def municipality(self) -> str | None:
        return municipality_of(self.organisation)

    @property
    def is_woo_decision(self) -> bool:
        return any(code == WOO_DECISIONS for code, _ in self.categories) or bool(
            re.search(r"woo[-\s]?(verzoek|besluit)|besluit\s+op", self.title, re.I)
        )


@dataclass
class Answer:
    publications: list[Publication]
    next_url: str | None
    files: list[str]  # an attachments answer: files alone


class NotAnApi(ValueError):
    """The answer is not JSON of a publications API; the message says why."""


def _strings(value, depth: int = 0):
    """Every (key, string) pair in a JSON value, to a bounded depth."""
    if depth > 6:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str):
                yield key, item
            else:
                yield from _strings(item, depth + 1)
    elif isinstance(value, list):
        for item in value[: MAX_FILES * 4]:
            yield from _strings(item, depth + 1)


def _files(value, base: str) -> list[str]:
    found = []
    for key, text in _strings(value):
        if key in FILE_KEYS and re.match(r"(https?:)?//|/", text):
            url = urljoin(base, text)
            if url not in found and not url.rstrip("/").endswith("/api"):
                found.append(url)
        if len(found) >= MAX_FILES:
            break
    return found


def _publication(item: dict, base: str) -> Publication:
    title = next((item[k] for k in TITLE_KEYS if isinstance(item.get(k), str)), "")
    categories, organisation = [], ""
    for key, text in _strings(item):
        for code in TOOI_CONCEPT.findall(text):
            if code in CATEGORIES and (code, CATEGORIES[code]) not in categories:
                categories.append((code, CATEGORIES[code]))
        if not organisation and (TOOI_MUNICIPALITY.search(text) or key in ORG_KEYS):
            organisation = text
    self_ = item.get("@self") if isinstance(item.get("@self"), dict) else {}
    ident = str(item.get("id") or item.get("uuid") or self_.get("id") or self_.get("uuid") or "")
    files = [f for f in _files(item, base) if f != item.get("@self", {}).get("uri")]
    return Publication(" ".join(title.split())[:500], files, categories, organisation, ident)


def _next(url: str, data: dict) -> str | None:
    nxt = data.get("next")
    if isinstance(nxt, str) and nxt:
        return urljoin(url, nxt)
    page, pages = data.get("page"), data.get("pages")
    if isinstance(page, int) and isinstance(pages, int) and page < pages:
        parts = urlsplit(url)
        query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("_page", "page")]
        # OpenRegister/OpenCatalogi answers carry limit and offset and page by `_page`
        opencatalogi = "_page" in parts.query or "_limit" in parts.query or "offset" in data
        key = "_page" if opencatalogi else "page"
        query.append((key, str(page + 1)))
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
    return None


def parse(url: str, body: bytes) -> Answer:
    """Read one JSON answer of a publications API (a page of publications, or one item's
    attachments)."""
    if len(body) > MAX_JSON_BYTES:
        raise NotAnApi(f"larger than {MAX_JSON_BYTES >> 20} MB")
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotAnApi(f"not JSON ({exc})") from exc
    items = data if isinstance(data, list) else None
    if isinstance(data, dict):
        items = next((data[k] for k in LIST_KEYS if isinstance(data.get(k), list)), None)
    if items is None:
        raise NotAnApi("no list of publications in it")
    dicts = [item for item in items[:MAX_ITEMS] if isinstance(item, dict)]
    if url.rstrip("/").endswith("/attachments"):
        return Answer([], None, _files(dicts, url))
    publications = [_publication(item, url) for item in dicts]
    return Answer(publications, _next(url, data) if isinstance(data, dict) else None, [])


class AppRoute(ListedRoute):
    """Platforms that render in the browser (a mixin of SiteCrawl)."""

    def _shell(self, response: Response) -> Iterator[scrapy.Request]:
        """A page built in the browser: its publications come from the API its configuration
        names (inline, or in a configuration script it loads)."""
        urls = api_urls(response.url, response.text)
        scripts = config_scripts(response.url, response.text)
        if not urls and not scripts:
            self.note(f"{response.url} is built in the browser and names no API; not read")
            return
        for url in urls:
            yield from self._api(url, response.url)
        for url in scripts:
            if self._api_host(url, response.url) and url not in self.seen:
                self.seen.add(url)
                yield self._request(
                    url, depth=1, callback=self.parse_config, priority=85, woo_budget=False
                )

    def _api_host(self, url: str, named_by: str) -> bool:
        """An API may be on the platform's domain, the municipality's, or a known platform
        host (a supplier's API host); it joins the scope."""
        host = netguard.host_of(url)
        domains = {
            netguard.registrable(netguard.host_of(self.start_url)),
            netguard.registrable(netguard.host_of(named_by)),
        }
        if netguard.registrable(host) in domains or cues.is_platform_host(host):
            self.scope.add(urlsplit(url).netloc.lower())
            return True
        self.note(f"API on another domain, not fetched: {url} (named by {named_by})")
        return False

    def _api(self, url: str, named_by: str, **meta) -> Iterator[scrapy.Request]:
        if url in self.seen or self.frontier_full() or not self._api_host(url, named_by):
            return
        self.seen.add(url)
        yield self._request(
            url,
            depth=1,
            callback=self.parse_api,
            priority=85,
            # pages of the list are bounded by their own count; an item's attachments are one
            # request per publication, and spend the page budget as documents do
            woo_budget="woo_publication" in meta,
            **{"woo_api_page": 1, **meta},
        )

    def parse_config(self, response: Response) -> Iterator[scrapy.Request | DocumentItem]:
        """A shell's configuration script: the API addresses in it."""
        yield from self._plain(response, "configuration of a publication platform's app")
        for url in api_urls(response.url, response.text[:MAX_JSON_BYTES]):
            yield from self._api(url, response.url)

    def parse_api(self, response: Response) -> Iterator[scrapy.Request | DocumentItem]:
        """One answer of a publications API: archived as the record it is, its publications'
        files fetched, its next page asked (bounded), an item's attachments asked where the
        item holds none."""
        yield from self._plain(response, "answer of a publication platform's API")
        if not 200 <= response.status < 300:
            return
        try:
            answer = parse(response.url, response.body)
        except NotAnApi as exc:
            self.note(f"API {response.url} not read: {exc}")
            return
        listed = response.meta.get("woo_publication")
        if listed:  # an item's attachments
            for url in answer.files:
                yield from self._listed_file(url, listed)
            return
        others = 0
        for publication in answer.publications:
            if publication.municipality not in (None, self.municipality):
                others += 1
                continue
            kind = "woo_decision" if publication.is_woo_decision else "woo_publication"
            evidence = [f"listed by the publications API {response.url}"]
            evidence += [
                f"informatiecategorie {name} ({code})" for code, name in publication.categories
            ]
            if publication.title:
                evidence.append(f"title in the API: {publication.title}")
            listed = {"kind": kind, "evidence": evidence, "title": publication.title}
            for url in publication.files:
                yield from self._listed_file(url, listed)
            if not publication.files and publication.ident:
                attachments = (
                    f"{response.url.split('?', 1)[0].rstrip('/')}/{publication.ident}/attachments"
                )
                yield from self._api(attachments, response.url, woo_publication=listed)
        if others:
            self.note(
                f"API {response.url}: publications of another publisher not fetched: {others}"
            )
        if answer.next_url:
            page = response.meta.get("woo_api_page", 1) + 1
            if page > self.max_listing_pages:
                self.note(
                    f"API {response.url} goes on past {self.max_listing_pages} pages; stopped"
                )
                return
            yield from self._api(answer.next_url, response.url, woo_api_page=page)
