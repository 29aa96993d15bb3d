"""Woo decisions as data, per municipality: how long, how often late, how much blacked out,
which grounds; with the distribution of days to decision as a picture and the data as CSV."""

from datasette import hookimpl
from datasette.utils.asgi import Response

from wooarchive.site import decision_statistics


async def decisions(datasette, request):
    data = await datasette.get_database("archive").execute_fn(decision_statistics)
    return Response.html(await datasette.render_template("decisions.html", data, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/besluiten$", decisions)]
