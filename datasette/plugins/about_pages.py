"""The site's own privacy statement and colofon (one plugin, one job): a site that holds
municipalities to account on privacy says what it does with its visitors' data (nothing is
logged: visitors.py), whom to tell of personal data in a document, and what it is made of."""

from datasette.utils.asgi import Response

from datasette import hookimpl
from wooarchive.config import settings


async def privacy(datasette, request):
    return Response.html(
        await datasette.render_template(
            "about.html", {"page": "privacy", "contact": settings().contact}, request=request
        )
    )


async def colofon(datasette, request):
    return Response.html(
        await datasette.render_template(
            "about.html",
            {"page": "colofon", "contact": settings().contact, "base_url": settings().base_url},
            request=request,
        )
    )


@hookimpl
def register_routes():
    return [(r"^/-/privacy$", privacy), (r"^/-/colofon$", colofon)]
