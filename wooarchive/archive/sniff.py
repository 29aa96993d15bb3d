"""What a file really is, from its first bytes, and whether that contradicts what it claims.

Municipal sites serve PDFs as text/html and error pages named .pdf; the archive keeps the bytes
either way, but records what they are so that extraction picks the right reader and a researcher
sees the contradiction.
"""

from __future__ import annotations

import codecs
import mimetypes
import re
import zipfile
import zlib
from pathlib import Path

OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def sniff(path: Path) -> str:
    """The MIME type the content has, judged by its bytes alone."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "application/x-ole-storage"  # legacy .doc/.xls
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if not head:
        return "application/x-empty"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if re.match(rb"<!doctype html|<html|<head|<body|<!--|<meta|<title", text):
        return "text/html"
    if text.startswith(b"<?xml"):
        return "application/xml"
    if text[:1] in (b"{", b"["):
        return "application/json"
    return "text/plain" if _text(head) else "application/octet-stream"


CONTROL = bytes(set(range(32)) - {9, 10, 12, 13}) + b"\x7f"


def _text(head: bytes) -> bool:
    """Text in UTF-8 (the head may end inside a character), or in a one-byte encoding such as
    Windows-1252, which a Dutch Excel writes CSV files in: no NUL, hardly a control byte."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return True
    except UnicodeDecodeError:
        pass
    if b"\x00" in head:
        return False
    controls = sum(head.count(bytes([c])) for c in CONTROL)
    return controls <= len(head) // 100


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if "mimetype" in names:
                # bounded: a zip bomb can hide in this member as well as any other
                with zf.open("mimetype") as member:
                    declared = member.read(200).decode("ascii", "replace").strip()
                return (
                    declared if re.fullmatch(r"[\w.+-]+/[\w.+-]+", declared) else "application/zip"
                )
    except (zipfile.BadZipFile, OSError, NotImplementedError, EOFError, ValueError, zlib.error):
        return "application/zip"
    for prefix, mime in OOXML.items():
        if any(n.startswith(prefix) for n in names):
            return mime
    return "application/zip"


def declared_by_name(name: str) -> str | None:
    """The type a file name or URL path claims, if its extension says anything."""
    return mimetypes.guess_type(name, strict=False)[0]


def mismatch(declared: str | None, actual: str) -> str | None:
    """A one-line description when the claim and the bytes disagree on something that matters
    (a PDF that is not one, an office file that is HTML), else None."""
    if not declared:
        return None
    declared = declared.split(";")[0].strip().lower()
    major = {"application/pdf", *OOXML.values()}
    if declared == actual:
        return None
    if declared in major or actual in major:
        if declared.startswith("text/plain") or declared == "application/octet-stream":
            return None
        return f"declared {declared} but content is {actual}"
    return None
