"""Download an archived original: the exact bytes, by SHA-256 (one small, single-purpose plugin).

Only a 64-hex-digit SHA-256 that archive.db knows as a document reaches the blob store; no part
of the URL is ever used as a path. Files are sent as attachments with a sandboxing CSP, because
an archived HTML page must never run in this site's origin.
"""

from datasette.utils.asgi import Response

from datasette import hookimpl
from wooarchive.archive.blobs import BlobStore
from wooarchive.config import settings
from wooarchive.site import SHA


async def original(datasette, request):
    sha256 = request.url_vars["sha256"]
    if not SHA.fullmatch(sha256):
        return Response.text("not a SHA-256", status=404)
    rows = (await datasette.get_database("archive").execute(
        "select mime, title, first_url from documents where sha256 = ?", [sha256])).rows
    if not rows:
        return Response.text("no such document in the archive", status=404)
    path = BlobStore(settings().blobs_dir).path_for(sha256)
    if not path.exists():
        return Response.text("the original is missing from the blob store (run woo verify)", status=410)
    mime = rows[0]["mime"] or "application/octet-stream"
    extension = {"application/pdf": ".pdf", "text/html": ".html"}.get(mime, "")
    return Response(
        path.read_bytes(),
        content_type=mime,
        headers={
            "Content-Disposition": f'attachment; filename="{sha256}{extension}"',
            "Content-Security-Policy": "sandbox",
            "X-Content-Type-Options": "nosniff",
            "Digest": f"sha-256={sha256}",
        },
    )


@hookimpl
def register_routes():
    return [(r"^/-/original/(?P<sha256>[^/]+)$", original)]
