"""Full-text search of the pages table that stays fast however large the archive grows.

Datasette answers `/archive/pages?_search=...` by counting every match and sorting them all
by the table's key before it shows twenty: on a million pages a common word has hundreds of
thousands of matches, and that took a second or two. Unless the visitor asks otherwise, a
search of `pages` is shown newest page first (`_sort_desc=rowid`: SQLite walks the matching
rowids in order and stops after a page of them) without the exact count (`_nocount=1`); the
page shows an estimate instead, from the FTS5 vocabulary (the number of pages holding the
query's rarest word), and a link that counts exactly (`_count=1`).
"""

import re
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl

PATH = re.compile(r"^/archive/pages(\.json|\.csv)?$")
SORTS = ("_sort", "_sort_desc")


def _rewrite(query_string: bytes) -> bytes | None:
    """The query with the fast defaults, or None when it is not a plain search."""
    args = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    names = {name for name, _ in args}
    if "_search" not in names:
        return None
    extra = []
    if not names & set(SORTS):
        extra.append(("_sort_desc", "rowid"))
    if "_nocount" not in names and "_count" not in names:
        extra.append(("_nocount", "1"))
    if not extra:
        return None
    return urlencode([*args, *extra]).encode("latin-1")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def fast(scope, receive, send):
            if scope["type"] == "http" and PATH.match(scope.get("path", "")):
                rewritten = _rewrite(scope.get("query_string", b""))
                if rewritten is not None:
                    scope = {**scope, "query_string": rewritten}
            await app(scope, receive, send)

        return fast

    return wrap


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "table" or table != "pages" or database != "archive" or request is None:
        return {}
    search = request.args.get("_search")
    if not search:
        return {}

    async def estimate():
        words = [w.lower() for w in re.findall(r"\w+", search)][:12]
        if not words:
            return {}
        db = datasette.get_database(database)
        marks = ",".join("?" * len(words))
        rows = await db.execute(
            f"select term, doc from pages_fts_vocab where term in ({marks})", words
        )
        found = dict(rows.rows)
        rarest = min((found.get(w, 0) for w in words), default=0)
        args = [
            (k, v)
            for k, v in parse_qsl(request.query_string, keep_blank_values=True)
            if k not in ("_nocount", "_next", "_sort_desc")
        ]
        return {
            "search_estimate": rarest,
            "exact_count_url": request.path + "?" + urlencode([*args, ("_count", "1")]),
        }

    return estimate
