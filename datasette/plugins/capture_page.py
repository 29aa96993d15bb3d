"""The page of one capture: every fetch is evidence, an HTTP error or a redirect included."""

from datasette.utils.asgi import NotFound, Response

from datasette import hookimpl
from wooarchive.config import settings
from wooarchive.web.pages import capture_page


async def capture(datasette, request):
    capture_id = int(request.url_vars["id"])
    config = settings()
    page = await datasette.get_database("archive").execute_fn(
        lambda conn: capture_page(conn, config, capture_id))
    if page is None:
        raise NotFound(f"Vastlegging {capture_id} staat niet in het archief.")
    return Response.html(await datasette.render_template("capture.html", {"c": page}, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/capture/(?P<id>\d{1,18})$", capture)]
