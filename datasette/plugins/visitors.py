"""Visitors are not logged (one plugin, one job). The web server behind Datasette (uvicorn)
writes a line per request with the visitor's address and the whole URL, search terms
included: a record of who looked for what, on a site about privacy. Its access log is off
unless the operator asks for it with WOO_ACCESS_LOG=1 (to find a misbehaving bot, say);
errors are still logged, without the query string (hardening.py)."""

import logging
import os

from datasette import hookimpl


class _NoVisitors(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return False


@hookimpl
def startup(datasette):
    # a filter, not `disabled` or a level: uvicorn configures its loggers after Datasette's
    # startup, which enables them again and sets their level, but keeps their filters
    keep = os.environ.get("WOO_ACCESS_LOG", "").strip().lower() in ("1", "true", "yes", "ja")
    access = logging.getLogger("uvicorn.access")
    if not keep and not any(isinstance(f, _NoVisitors) for f in access.filters):
        access.addFilter(_NoVisitors())
