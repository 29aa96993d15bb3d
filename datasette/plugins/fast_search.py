"""Full-text search of the pages table that stays fast however large the archive grows.

Datasette answers `/archive/pages?_search=...` by counting every match and sorting them all
by the table's key before it shows twenty: on a million pages a common word has hundreds of
thousands of matches, and that took a second or two. Unless the visitor asks otherwise, a
search of `pages` is shown newest page first (`_sort_desc=rowid`: SQLite walks the matching
rowids in order and stops after a page of them) without the exact count (`_nocount=1`); the
page shows an estimate instead, from the FTS5 vocabulary (the number of pages holding the
query's rarest word), and a link that counts exactly (`_count=1`).

Newest first is not enough on its own: Datasette asks for `rowid in (select rowid from pages_fts
where pages_fts match ...)`, and SQLite lists every match before it can take twenty (32 ms for
a word on 310,000 of a million pages). For exactly that plain search (nothing else filters,
counts or facets it), the list asked for is the newest matches below the page's cursor, one
more than the page shows, which FTS5 walks backwards and stops (0.1 ms): the same rows, the same
page and the same next-page link. Any other search is Datasette's own.
"""

import re
from urllib.parse import parse_qsl, urlencode

from datasette.filters import FilterArguments
from datasette.utils import urlsafe_components

from datasette import filters as builtin_filters
from datasette import hookimpl
from datasette.plugins import pm
from wooarchive.indexer.search import fts_form, fts_match
from wooarchive.indexer.whoosh_index import visitor_query

# Datasette's search filter is replaced by one that knows the plain search of pages; its other
# filters (_where, _through) are kept as they are
if pm.is_registered(builtin_filters):
    pm.unregister(builtin_filters)
where_filters = builtin_filters.where_filters
through_filters = builtin_filters.through_filters

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
        groups = visitor_query(search).groups
        if not groups:
            return {}
        db = datasette.get_database(database)

        async def pages_with(clause) -> int:
            """Pages holding the clause, at least: a word's own count, the commonest form of a
            prefix, the rarest word of a phrase."""
            kind, text = fts_form(clause)
            if kind == "prefix":
                row = await db.execute(
                    "select max(doc) from pages_fts_vocab where term >= ? and term < ?",
                    [text, text + "\uffff"],
                )
                return row.first()[0] or 0
            words = re.findall(r"\w+", text.lower()) or [text]
            marks = ",".join("?" * len(words))
            rows = await db.execute(
                f"select term, doc from pages_fts_vocab where term in ({marks})", words
            )
            found = dict(rows.rows)
            return min(found.get(w, 0) for w in words)

        # every group must match (its rarest bounds the total), one clause of a group will do
        rarest = min([max([await pages_with(c) for c in group]) for group in groups])
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


# what a plain search may carry besides _search (anything else: Datasette's own search)
PLAIN_ARGS = {"_search", "_sort_desc", "_nocount", "_next", "_size", "_labels", "_col", "_nocol"}
PLAIN_ARGS |= {"_shape", "_extra", "_json", "_nofacet", "_nosuggest", "_trace"}


def _window(request, datasette) -> tuple[int, int | None] | None:
    """How many matches a plain newest-first search of pages needs (a page and one more), and
    the rowid its page starts below; None when the search is anything else."""
    names = set(request.args)
    if (
        names - PLAIN_ARGS
        or request.args.get("_sort_desc") != "rowid"
        or "_nocount" not in names
    ):
        return None
    try:
        # the page size as Datasette settles it: ?_size, the table's own, the site's default
        size = (
            request.args.get("_size")
            or datasette.table_metadata("archive", "pages").get("size")
            or datasette.page_size
        )
        size = datasette.max_returned_rows if size == "max" else int(size)
        cursor = request.args.get("_next")
        before = int(urlsafe_components(cursor)[0]) if cursor else None
    except (TypeError, ValueError):
        return None  # Datasette says what is wrong with it
    if not 0 < size <= datasette.max_returned_rows:
        return None
    if before is not None and not -(2**63) <= before < 2**63:
        return None  # no rowid; SQLite could not even take the number
    return size + 1, before


def _ours(request, database, table) -> bool:
    """A search of the pages as a visitor types it (not `_searchmode=raw`, not one column)."""
    return (
        database == "archive"
        and table == "pages"
        and bool(request.args.get("_search"))
        and "_searchmode" not in request.args
        and not any(name.startswith("_search_") for name in request.args)
    )


@hookimpl(specname="filters_from_request")
def search_filters(request, database, table, datasette):
    """A visitor's search of the pages means what it means on the search page (the same
    operators, each word widened to its forms and the compounds it begins: search.fts_match);
    a plain one is the newest matches below the page's cursor. Any other search (raw, by
    column, of another table) is Datasette's own."""
    if not _ours(request, database, table):
        return builtin_filters.search_filters(
            request=request, database=database, table=table, datasette=datasette
        )
    window = _window(request, datasette)

    async def inner():
        search = request.args["_search"]
        match = fts_match(search)
        if match is None:
            # nothing to look for (only what must not occur, or no word at all): no page, as
            # on the search page; FTS5 would have matched the words it was told to leave out
            return FilterArguments(
                ["0"], {}, [f'search matches "{search}"'], {"supports_search": True, "search": search}
            )
        params = {"search": match}
        matched = "pages_fts match :search"
        if window is None:
            where = f"rowid in (select rowid from pages_fts where {matched})"
        else:
            limit, before = window
            below = "and rowid < :woo_before " if before is not None else ""
            params["woo_limit"] = limit
            if before is not None:
                params["woo_before"] = before
            where = (
                f"rowid in (select rowid from pages_fts where {matched} "
                f"{below}order by rowid desc limit :woo_limit)"
            )
        return FilterArguments(
            [where],
            params,
            [f'search matches "{search}"'],
            {"supports_search": True, "search": search},
        )

    return inner
