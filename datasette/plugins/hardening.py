"""What keeps the public site up and quiet under bots and odd requests (one plugin, one job:
the answers to requests that go wrong, and the headers every answer carries).

- Errors are answered at once with a Dutch page and the right status: a missing page is a 404,
  a bad parameter (`?_sort=bogus`, a broken `_where`, a search FTS5 cannot parse) a 400, never
  a 500. Datasette's own handler prints every exception with its local variables through
  `rich` (pulled in by ocrmypdf): seconds of CPU per 404 and a flood of log lines, which a bot
  asking for missing pages turns into an outage. A real 500 is logged in one line.
- Every answer carries CSP (frame-ancestors none), nosniff and a Referrer-Policy; an answer
  that sets its own CSP (an original's sandbox) keeps it. Cookies (the private site's sign-in)
  are HttpOnly and SameSite, and Secure behind https.
- Only GET and HEAD are answered (POST only where Datasette signs in and out): TRACE or a POST
  to a table is a 405. A filter holding a second statement is a 400.
- The pages that show where the files are on disk (`/-/databases`) are not served, and a
  robots.txt of our own keeps crawlers off the expensive views.
"""

import logging
import sqlite3

from datasette.database import QueryInterrupted
from datasette.utils.asgi import Base400, Response
from datasette.views.base import DatasetteError

from datasette import hookimpl
from wooarchive.config import settings

log = logging.getLogger("wooarchive.web")

# Datasette's default handler would still run beside ours (every handler is awaited, the first
# answer wins) and print each exception with rich; this one answers every error, so it goes
import datasette.handle_exception as _default_handler  # noqa: E402

from datasette.plugins import pm  # noqa: E402

if pm.is_registered(_default_handler):
    pm.unregister(_default_handler)

ROBOTS = """User-agent: *
Disallow: /archive/
Disallow: /-/search
Disallow: /-/original/
Disallow: /-/warc/
Allow: /-/document/
Allow: /-/scorecard
Allow: /-/statistieken
"""
HIDDEN = ("/-/databases", "/-/threads", "/-/plugins")
# The site is read with GET (and HEAD); only Datasette's own sign-in pages take a POST. Anything
# else (TRACE, a POST to a table) is a 405, not a 500.
READ = {"GET", "HEAD"}
POSTABLE = ("/-/logout", "/-/messages", "/-/permissions", "/-/create-token")
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'"
)
USER_ERRORS = ("syntax error", "no such column", "unrecognized token", "fts5:", "malformed match")
# what bounded_sql.py refuses: a value or a result over its limit, a table or function kept away
REFUSED = (
    "string or blob too big",
    "result too large",
    "prohibited",
    "not authorized",
    "out of memory",
)


def _status(exception: Exception, request) -> tuple[int, str]:
    """The status and the message a visitor may read."""
    if isinstance(exception, Base400):
        return exception.status, str(exception.args[0]) if exception.args else "Niet gevonden"
    if isinstance(exception, QueryInterrupted):
        return 400, "Deze zoekopdracht duurt te lang; maak hem specifieker."
    if isinstance(exception, DatasetteError):
        # Datasette raises these for what a visitor asked (a column to sort by that does not
        # exist, a search that cannot be parsed): the visitor's mistake, not the site's
        return (exception.status if exception.status < 500 else 400), exception.message
    if isinstance(exception, sqlite3.DatabaseError) and any(
        word in str(exception).lower() for word in REFUSED
    ):
        return 400, "Deze zoekopdracht vraagt meer dan deze site geeft; maak hem kleiner."
    if isinstance(exception, sqlite3.ProgrammingError):
        # a second statement in a filter (`?_where=1; drop table documents`): never run
        return 400, "Deze zoekopdracht of filter kan niet worden uitgevoerd."
    if isinstance(exception, sqlite3.OperationalError) and any(
        word in str(exception).lower() for word in USER_ERRORS
    ):
        return 400, "Deze zoekopdracht of filter kan niet worden uitgevoerd."
    if isinstance(exception, KeyError | ValueError | TypeError) and any(
        key.startswith("_") for key in request.args
    ):
        # Datasette reads its _through, _sort and _where arguments without checking them
        return 400, "Een van de parameters in dit adres klopt niet."
    return 500, "Er ging iets mis aan onze kant."


@hookimpl
def handle_exception(datasette, request, exception):
    async def inner():
        status, message = _status(exception, request)
        if status >= 500:
            log.error(
                "%s %s: %s: %s", request.method, request.path, type(exception).__name__,
                " ".join(str(exception).split())[:300],
            )
        if request.path.endswith(".json"):
            return Response.json({"ok": False, "error": message, "status": status}, status=status)
        html = await datasette.render_template(
            "error.html", {"status": status, "error": message, "title": None}, request=request
        )
        return Response.html(html, status=status)

    return inner


async def robots(request):
    return Response.text(ROBOTS)


@hookimpl
def register_routes():
    return [(r"^/robots\.txt$", robots)]


@hookimpl
def asgi_wrapper(datasette):
    secure = settings().base_url.startswith("https://")

    def wrap(app):
        async def add_headers(scope, receive, send):
            method = scope.get("method", "GET")
            if (
                scope["type"] == "http"
                and method not in READ
                and not (method == "POST" and scope["path"].rstrip("/") in POSTABLE)
            ):
                refused = Response.text(
                    "Deze methode wordt hier niet gebruikt.", status=405, headers={"Allow": "GET, HEAD"}
                )
                await refused.asgi_send(send)
                return
            if scope["type"] == "http" and scope["path"].rstrip("/").startswith(HIDDEN):
                missing = (
                    Response.json({"ok": False, "error": "Niet gevonden", "status": 404}, status=404)
                    if scope["path"].endswith(".json")
                    else Response.text("Niet gevonden", status=404)
                )
                await missing.asgi_send(send)
                return

            async def wrapped_send(event):
                if event["type"] == "http.response.start":
                    headers = [
                        (k, _cookie(v, secure) if k.lower() == b"set-cookie" else v)
                        for k, v in event.get("headers", [])
                    ]
                    names = {k.lower() for k, _ in headers}
                    for name, value in (
                        (b"content-security-policy", CSP),
                        (b"x-content-type-options", "nosniff"),
                        (b"referrer-policy", "strict-origin-when-cross-origin"),
                        (b"x-frame-options", "DENY"),
                    ):
                        if name not in names:
                            headers.append((name, value.encode()))
                    event = {**event, "headers": headers}
                await send(event)

            await app(scope, receive, wrapped_send)

        return add_headers

    return wrap


def _cookie(value: bytes, secure: bool) -> bytes:
    text = value.decode("latin-1")
    lower = text.lower()
    for attribute in ("HttpOnly", "SameSite=Lax") + (("Secure",) if secure else ()):
        if attribute.split("=")[0].lower() not in lower:
            text += f"; {attribute}"
    return text.encode("latin-1")
