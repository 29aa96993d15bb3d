"""The page of one archived document: captures, citation, download, text, version history."""

from datasette.utils.asgi import NotFound, Response

from datasette import hookimpl
from wooarchive.config import settings
from wooarchive.web.pages import SHA, document_page, highlight


async def document(datasette, request):
    sha256 = request.url_vars["sha256"]
    if not SHA.fullmatch(sha256):
        raise NotFound("Dat is geen SHA-256 van een document.")
    config = settings()
    page = await datasette.get_database("archive").execute_fn(lambda conn: document_page(conn, config, sha256))
    if page is None:
        raise NotFound("Dit document staat niet in het archief.")
    query = request.args.get("q", "")
    texts = [{**p, "html": highlight(p["text"] or "", query)} for p in page.pages]
    return Response.html(await datasette.render_template(
        "document.html", {"p": page, "texts": texts, "q": query}, request=request))


@hookimpl
def register_routes():
    return [(r"^/-/document/(?P<sha256>[^/]+)$", document)]
