"""A document's title for citations.

An HTML page's <title> is what its publisher called it. PDF /Title metadata is not used: it is
routinely stale (a template's title survives into every later document; the Den Helder decision
list of 2015 calls itself "Aandachtspuntenlijst raadsvergadering 3 november 2008"), and a wrong
title in a citation is worse than a file name. The caller's title (a crawl's link text, the
user's --title) wins over both.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.I | re.S)


def fallback_title(url: str) -> str:
    """The last path segment of a URL or file name, unquoted: better than nothing."""
    path = urlsplit(url).path if "://" in url else url
    name = unquote(path.rstrip("/").rsplit("/", 1)[-1])
    return name.removeprefix("file:") or url


def title_of(body: Path | bytes, mime: str) -> str | None:
    """The title an HTML page declares in <title>, whitespace folded; None for anything else.
    ``body`` is the page's bytes or the file that holds them."""
    if mime != "text/html":
        return None
    if isinstance(body, bytes):
        head = body[: 256 * 1024]
    else:
        with open(body, "rb") as fh:
            head = fh.read(256 * 1024)
    match = TITLE_RE.search(head)
    if not match:
        return None
    text = " ".join(html.unescape(match.group(1).decode("utf-8", "replace")).split())
    return text or None
