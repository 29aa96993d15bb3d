"""Names that come from outside (file names, URLs) made safe for the places they end up: WARC
and HTTP headers, Content-Disposition, HTML. A name with CR/LF can inject a header; a name with
bidirectional overrides can show an extension it does not have. Control characters go, Unicode
letters stay (Dutch file names have diacritics)."""

from __future__ import annotations

import re
import unicodedata
from email.message import Message

# C0/C1 controls and DEL, and the format characters that reorder or hide text
UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
MAX_NAME = 200


def safe_name(name: str, default: str = "bestand") -> str:
    """A file name without control or direction characters or path separators, whitespace
    folded, at most ``MAX_NAME`` characters with its extension kept."""
    name = unicodedata.normalize("NFC", name)
    name = " ".join(UNSAFE.sub(" ", name).split()).replace("/", "_").replace("\\", "_")
    name = name.strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME - len(extension) - 1].rstrip() + "." + extension
        else:
            name = name[:MAX_NAME]
    return name or default


def header_safe_uri(uri: str) -> str:
    """A URI fit for a header line: control characters percent-encoded (which is how they
    belong in a URI anyway), nothing else touched."""
    return UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), uri)


def disposition_filename(value: str | None) -> str | None:
    """The file name a Content-Disposition header gives (``filename*`` in RFC 5987/2231
    encoding or plain ``filename``), made safe; None when it gives none. A download script
    (`download.php?id=42`) names its file only here."""
    if not value:
        return None
    header = Message()
    header["Content-Disposition"] = value
    try:
        name = header.get_filename()
    except (ValueError, LookupError):
        return None
    return safe_name(str(name)) if name else None
