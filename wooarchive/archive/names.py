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
# what Windows refuses in a name (dossiers go to lawyers and courts), and brackets, which its
# shells read as wildcards
WINDOWS = str.maketrans({c: "_" for c in '<>:"|?*'} | {"[": "(", "]": ")"})
# device names Windows will not open as files, with any extension
RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)", re.I)
# bytes: a file system counts bytes (255 on ext4 and NTFS's UTF-16 alike), and callers add a
# number before and an extension after
MAX_NAME = 200


def _text(name: str) -> str:
    """A name as text: one read from a file system in another encoding holds surrogates
    (Python's surrogateescape), which no header or UTF-8 file can carry; its bytes are read as
    UTF-8 if they are, else as Windows-1252 (where such names come from)."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, cut between characters."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def safe_name(name: str, default: str = "bestand") -> str:
    """A name without control or direction characters or path separators, whitespace folded,
    at most ``MAX_NAME`` bytes of UTF-8 with its extension kept: fit for a header or a URI."""
    name = unicodedata.normalize("NFC", _text(name))
    name = " ".join(UNSAFE.sub(" ", name).split()).replace("/", "_").replace("\\", "_")
    return _shorten(name.strip(" .")) or default


def file_name(name: str, default: str = "bestand") -> str:
    """A name for a file that any file system takes: ``safe_name``, and what Windows refuses
    gone (`:`, `?`, brackets, device names such as `CON`, trailing dots). Dossiers go to
    lawyers and courts, downloads to anyone."""
    name = safe_name(name, default).translate(WINDOWS).strip(" .")
    if RESERVED.match(name):
        name = f"_{name}"
    return _shorten(name) or default


def _shorten(name: str) -> str:
    if len(name.encode("utf-8")) <= MAX_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and 0 < len(extension) <= 10:
        budget = MAX_NAME - len(extension.encode("utf-8")) - 1
        return _cut(stem, budget).rstrip(" .") + "." + extension
    return _cut(name, MAX_NAME).rstrip(" .")


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
