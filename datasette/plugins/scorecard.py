"""A scorecard per municipality and an overview of all 342, every cell linking to its evidence
(or saying when the municipality was last crawled, or that it never was); the same as CSV and
JSON; and the map of the Netherlands coloured by the AP's three points."""

import csv
import io
from urllib.parse import urlencode

from datasette.utils.asgi import NotFound, Response

from datasette import hookimpl
from wooarchive.web.pages import (
    AP_POINTS,
    DUTIES,
    LEGEND,
    SCORE_COLUMNS,
    STATE_FILTERS,
    crawl_history,
    national_picture,
    scorecard,
    scorecard_table,
    scorecard_view,
)


def _address(args: dict, **changes) -> str:
    """The page's address with ``changes`` (None: the parameter dropped)."""
    kept = {k: v for k, v in {**args, **changes}.items() if v}
    return "?" + urlencode(kept) if kept else "?"


async def overview(datasette, request):
    """All municipalities, filtered and sorted as asked (pages.scorecard_view); the CSV and JSON
    hold the same rows."""
    rows = await datasette.get_database("archive").execute_fn(lambda conn: scorecard(conn))
    args = {k: request.args.get(k) for k in ("bekeken", "sort", "richting", *DUTIES)}
    args = {k: v for k, v in args.items() if v}
    rows, summary = scorecard_view(rows, args)
    fmt = request.url_vars.get("format")
    if fmt:
        return _export(scorecard_table(rows), fmt, "scorekaart")
    sorts = {}
    for key in ("name", *DUTIES):
        # a header sorts by its column; clicked again, the other way round
        flip = "aflopend" if key == "name" else "oplopend"
        again = summary["sort"] == key and args.get("richting") != flip
        sorts[key] = _address(args, sort=key, richting=flip if again else None)
    context = {
        "rows": rows,
        "columns": SCORE_COLUMNS,
        "duties": DUTIES,
        "legend": LEGEND,
        "filters": STATE_FILTERS,
        "summary": summary,
        "sorts": sorts,
        "args": args,
        "export": _address({k: v for k, v in args.items() if k not in ("sort", "richting")}),
        "single": False,
    }
    return Response.html(await datasette.render_template("scorecard.html", context, request=request))


def _export(rows, fmt, name):
    if fmt == "json":
        return Response.json(rows)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]) if rows else ["code"])
    writer.writeheader()
    writer.writerows(rows)
    return Response(
        buffer.getvalue(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


async def municipality(datasette, request):
    code = request.url_vars["code"].upper()
    db = datasette.get_database("archive")
    rows = await db.execute_fn(lambda conn: scorecard(conn, code))
    if not rows:
        raise NotFound(f"Geen gemeente met code {code}.")
    docs = (
        await db.execute(
            "select sha256, kind, title, first_url, first_seen, last_seen from documents "
            "where municipality_code = ? and kind not in ('other', 'soft_404', 'crawl_record') "
            "order by kind, last_seen desc",
            [code],
        )
    ).rows
    history = await db.execute_fn(lambda conn: crawl_history(conn, code))
    context = {
        "rows": rows,
        "columns": SCORE_COLUMNS,
        "duties": DUTIES,
        "legend": LEGEND,
        "single": True,
        "docs": docs,
        **history,
    }
    return Response.html(await datasette.render_template("scorecard.html", context, request=request))


async def national_map(datasette, request):
    picture = await datasette.get_database("archive").execute_fn(
        lambda conn: national_picture(conn, datasette.urls.path)
    )
    if request.url_vars.get("format") == "csv":
        return _export(picture["table"], "csv", "ap-punten-per-gemeente")
    return Response.html(
        await datasette.render_template(
            "map.html", {**picture, "points": AP_POINTS}, request=request
        )
    )


@hookimpl
def register_routes():
    return [
        (r"^/-/scorecard$", overview),
        (r"^/-/scorecard\.(?P<format>csv|json)$", overview),
        (r"^/-/scorecard/(?P<code>GM\d{4})$", municipality),
        (r"^/-/kaart$", national_map),
        (r"^/-/kaart\.(?P<format>csv)$", national_map),
    ]
