"""How long municipalities take to decide on the user's own requests: the published
aggregates, with the Kaplan-Meier curve of each cell as a picture and its data as CSV."""

from datasette.utils.asgi import Response

from datasette import hookimpl
from wooarchive.web.pages import request_statistics


async def statistics(datasette, request):
    cells = await datasette.get_database("archive").execute_fn(request_statistics)
    return Response.html(
        await datasette.render_template("statistics.html", {"cells": cells}, request=request)
    )


@hookimpl
def register_routes():
    return [(r"^/-/statistieken$", statistics)]
