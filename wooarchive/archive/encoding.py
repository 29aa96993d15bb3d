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


class DecodedTooLarge(ValueError):
    """The body inflates past the size limit: a compression bomb, or a file too large."""


class BoundedDecoder:
    """Undo a Content-Encoding chunk by chunk without ever holding more than ``max_size``
    decoded bytes: a megabyte of gzip can inflate to a gigabyte, so the limit is checked on
    what comes out, not on what went in."""

    def __init__(self, encoding: str | None, max_size: int):
        self.decoder = decompressor(encoding)
        self.max_size = max_size
        self.size = 0

    def _count(self, data: bytes) -> bytes:
        self.size += len(data)
        if self.size > self.max_size:
            raise DecodedTooLarge(
                f"decodes to more than {self.max_size} bytes (a compression bomb, or too large)"
            )
        return data

    def feed(self, chunk: bytes) -> bytes:
        if self.decoder is None:
            return self._count(chunk)
        out = [self._count(self.decoder.decompress(chunk, self.max_size - self.size + 1))]
        while self.decoder.unconsumed_tail:
            tail = self.decoder.unconsumed_tail
            out.append(self._count(self.decoder.decompress(tail, self.max_size - self.size + 1)))
        return b"".join(out)

    def flush(self) -> bytes:
        return self._count(self.decoder.flush()) if self.decoder is not None else b""


def decode(body: bytes, encoding: str | None, max_size: int) -> bytes:
    """The decoded payload, at most ``max_size`` bytes; raises zlib.error on a corrupt body,
    UnsupportedEncoding on an unknown encoding, DecodedTooLarge past the limit."""
    decoder = BoundedDecoder(encoding, max_size)
    return decoder.feed(body) + decoder.flush()
