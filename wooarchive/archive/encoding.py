"""Undo HTTP content-encoding, so the archived original is the file, not its gzip wrapper.

Requests ask for ``gzip, deflate`` only (see fetch.py and the crawler settings), so these are
the encodings a server may use; anything else is refused by name rather than stored wrongly.
"""

from __future__ import annotations

import zlib

ACCEPT_ENCODING = "gzip, deflate"


class UnsupportedEncoding(ValueError):
    pass


def decompressor(encoding: str | None):
    """A zlib decompressor for a Content-Encoding value, or None for identity."""
    encoding = (encoding or "identity").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS)
    if encoding == "deflate":
        return zlib.decompressobj()
    raise UnsupportedEncoding(f"unsupported Content-Encoding {encoding!r}")


def decode(body: bytes, encoding: str | None) -> bytes:
    """The decoded payload; raises zlib.error on a corrupt body, UnsupportedEncoding on an
    unknown encoding."""
    decoder = decompressor(encoding)
    if decoder is None:
        return body
    return decoder.decompress(body) + decoder.flush()
