"""A scorecard per municipality and an overview of all 342, every cell linking to its evidence."""

from datasette.utils.asgi import NotFound, Response

from datasette import hookimpl
from wooarchive.site import SCORE_COLUMNS, scorecard


async def overview(datasette, request):
    rows = await datasette.get_database("archive").execute_fn(lambda conn: scorecard(conn))
    sort = request.args.get("sort", "name")
    if sort == "score":
        rows.sort(key=lambda r: (-r["score"], r["name"]))
    elif sort in dict(SCORE_COLUMNS):
        rows.sort(key=lambda r: (-(r["cells"][sort]["n"] if r["cells"][sort] else 0), r["name"]))
    return Response.html(await datasette.render_template(
        "scorecard.html", {"rows": rows, "columns": SCORE_COLUMNS, "sort": sort, "single": False}, request=request))


async def municipality(datasette, request):
    code = request.url_vars["code"].upper()
    rows = await datasette.get_database("archive").execute_fn(lambda conn: scorecard(conn, code))
    if not rows:
        raise NotFound(f"Geen gemeente met code {code}.")
    docs = (await datasette.get_database("archive").execute(
        "select sha256, kind, title, first_seen, last_seen from documents where municipality_code = ? "
        "and kind is not null and kind != 'other' order by kind, last_seen desc", [code])).rows
    return Response.html(await datasette.render_template(
        "scorecard.html", {"rows": rows, "columns": SCORE_COLUMNS, "sort": "name", "single": True, "docs": docs},
        request=request))


@hookimpl
def register_routes():
    return [(r"^/-/scorecard$", overview), (r"^/-/scorecard/(?P<code>GM\d{4})$", municipality)]
