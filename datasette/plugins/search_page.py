"""Ranked Dutch search (the Whoosh index) as a page: stemming, highlights, did-you-mean, filters."""

from datasette.utils.asgi import Response

from datasette import hookimpl
from wooarchive.archive.db import KINDS
from wooarchive.config import settings
from wooarchive.indexer import whoosh_index
from wooarchive.site import marked, search_text_of


async def search(datasette, request):
    query = request.args.get("q", "").strip()
    municipality = request.args.get("municipality") or None
    kind = request.args.get("kind") or None
    if kind and kind not in KINDS:
        kind = None
    config = settings()
    db = datasette.get_database("archive")
    hits, suggestion, total, problem = [], None, 0, None
    if query:
        if not whoosh_index.exists(config.whoosh_dir):
            problem = "Er is nog geen zoekindex (woo index)."
        else:
            def run(conn):
                return whoosh_index.search(config.whoosh_dir, query, search_text_of(conn),
                                           municipality=municipality, kind=kind, limit=20)
            try:
                hits, suggestion, total = await db.execute_fn(run)
            except Exception as exc:  # a query Whoosh cannot parse
                problem = f"Zoekvraag niet begrepen: {exc}"
    names = dict((await db.execute("select code, name from municipalities")).rows)
    results = [{"hit": h, "snippet": marked(h.snippet), "municipality": names.get(h.municipality, h.municipality)} for h in hits]
    codes = [r[0] for r in (await db.execute("select distinct municipality_code from documents where municipality_code is not null order by 1")).rows]
    return Response.html(await datasette.render_template("woo_search.html", {
        "q": query, "results": results, "total": total, "suggestion": suggestion, "problem": problem,
        "municipality": municipality, "kind": kind, "kinds": KINDS, "codes": codes, "names": names,
    }, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/search$", search)]
