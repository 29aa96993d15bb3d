"""Absolute addresses for what leaves the site (one plugin, one job). A feed reader or a
spreadsheet has no page to resolve `/-/document/...` against, so the canned queries that make
feeds write links with `absolute_url(path)`: the site's base URL (WOO_BASE_URL, which
`woo serve --base-url` sets) before the path."""

from datasette import hookimpl
from wooarchive.config import settings


@hookimpl
def prepare_connection(conn):
    base = settings().base_url
    conn.create_function(
        "absolute_url", 1, lambda path: None if path is None else base + str(path), deterministic=True
    )
