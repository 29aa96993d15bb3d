"""Woo decisions as data, per municipality: how long, how often late, how much blacked out,
which grounds; with the distribution of days to decision as a picture and the data as CSV."""

from datasette.utils.asgi import NotFound, Response

from datasette import hookimpl
from wooarchive.web.pages import decision_statistics, municipality_decisions


async def decisions(datasette, request):
    data = await datasette.get_database("archive").execute_fn(decision_statistics)
    return Response.html(await datasette.render_template("decisions.html", data, request=request))


async def municipality(datasette, request):
    code = request.url_vars["code"]
    data = await datasette.get_database("archive").execute_fn(
        lambda conn: municipality_decisions(conn, code)
    )
    if data is None:
        raise NotFound(f"Geen gepubliceerde Woo-besluiten van {code} in het archief")
    return Response.html(
        await datasette.render_template("decisions_municipality.html", data, request=request)
    )


@hookimpl
def register_routes():
    return [
        (r"^/-/besluiten$", decisions),
        (r"^/-/besluiten/(?P<code>GM[0-9]{4})$", municipality),
    ]
