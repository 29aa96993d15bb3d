"""One URL, one thing: session ids and tracking parameters taken out before a URL is
scheduled or recorded.

Real municipal CMSs put a fresh session id in every link (`?jsessionid=`, `;jsessionid=`,
`PHPSESSID`, ASP.NET's `(S(...))`), and mailings add `utm_*`: without this a crawl fetches the
same page dozens of times and spends its budget on nothing.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

SESSION_PARAMS = {
    "jsessionid",
    "phpsessid",
    "sid",
    "sessionid",
    "session_id",
    "sessid",
    "session",
    "cfid",
    "cftoken",
    "zenid",
    "oscsid",
    "fbclid",
    "gclid",
    "dclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
}
PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.I)
ASPNET_SESSION = re.compile(r"/\(S\([a-z0-9]+\)\)", re.I)


def is_session_param(name: str) -> bool:
    name = name.lower()
    return name in SESSION_PARAMS or name.startswith(("utm_", "aspsessionid"))


def canonical(url: str) -> str:
    """The URL without fragment, session ids and tracking parameters; everything else (the
    order of the remaining parameters included) as it was."""
    parts = urlsplit(url)
    path = ASPNET_SESSION.sub("", PATH_SESSION.sub("", parts.path))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in pairs if not is_session_param(k)]
    # untouched when nothing was taken out: re-encoding could change what the server sees
    kept = parts.query if len(query) == len(pairs) else urlencode(query)
    return urlunsplit((parts.scheme, parts.netloc, path, kept, ""))
