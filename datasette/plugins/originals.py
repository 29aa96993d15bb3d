"""Download what was archived, exactly: an original by SHA-256, a capture's WARC record by
capture id (one small, single-purpose plugin).

Only a 64-hex-digit SHA-256 that archive.db knows as a document reaches the blob store, and only
a capture id that archive.db knows reaches a WARC file (by the name archive.db holds); no part of
the URL is ever used as a path. Files are sent as attachments with a sandboxing CSP, because an
archived HTML page must never run in this site's origin. The Digest header is RFC 3230's
(base64), so a client can check the bytes it got.
"""

import base64

from datasette.utils.asgi import NotFound, Response

from datasette import hookimpl
from wooarchive.archive.blobs import BlobStore
from wooarchive.archive.export import record_bytes
from wooarchive.config import settings
from wooarchive.web.pages import SHA, attachment_header, download_name

SAFE = {"Content-Security-Policy": "sandbox", "X-Content-Type-Options": "nosniff"}


async def original(datasette, request):
    sha256 = request.url_vars["sha256"]
    if not SHA.fullmatch(sha256):
        raise NotFound("Dat is geen SHA-256 van een document.")
    rows = (await datasette.get_database("archive").execute(
        "select mime, title, first_url from documents where sha256 = ?", [sha256])).rows
    if not rows:
        raise NotFound("Dit document staat niet in het archief.")
    path = BlobStore(settings().blobs_dir).path_for(sha256)
    if not path.exists():
        return Response.text("the original is missing from the blob store (run woo verify)", status=410)
    mime = rows[0]["mime"] or "application/octet-stream"
    name = download_name(rows[0]["first_url"] or "", rows[0]["title"], mime, sha256)
    digest = base64.b64encode(bytes.fromhex(sha256)).decode()
    return Response(
        path.read_bytes(),
        content_type=mime,
        headers={**SAFE, "Content-Disposition": attachment_header(name), "Digest": f"sha-256={digest}"},
    )


async def warc_record(datasette, request):
    rows = (await datasette.get_database("archive").execute(
        "select warc_file, warc_offset from captures where id = ?", [request.url_vars["id"]])).rows
    if not rows:
        raise NotFound("Deze vastlegging staat niet in het archief.")
    config = settings()
    names = {p.name for p in config.warc_dir.glob("*.warc.gz")}
    if rows[0]["warc_file"] not in names:
        return Response.text("the WARC file is missing (run woo verify)", status=410)
    data = record_bytes(config.warc_dir / rows[0]["warc_file"], rows[0]["warc_offset"], True)
    name = f"capture-{request.url_vars['id']}.warc.gz"
    return Response(
        data,
        content_type="application/warc",
        headers={**SAFE, "Content-Disposition": attachment_header(name)},
    )


@hookimpl
def register_routes():
    return [
        (r"^/-/original/(?P<sha256>[^/]+)$", original),
        (r"^/-/warc/(?P<id>\d{1,18})$", warc_record),
    ]
