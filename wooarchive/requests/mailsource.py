"""Raw messages out of what a user points `woo mail import` at, byte for byte.

- A file named ``.eml``/``.email``/``.msg``/``.txt`` is one message, whatever its first line:
  a single message saved with a leading ``From `` line keeps it (its SHA-256 is the file's).
- Any other file that starts with ``From `` is an mbox, split per RFC 4155: a message starts at
  a ``From `` line that follows an empty line (or the file's start) and carries a date, so a
  body line starting with "From " does not cut a message in two; ``>From`` lines are unescaped
  (mboxrd) and the empty line that separates messages is not part of either.
- A Maildir (``cur/`` and ``new/``) gives its files; any other directory gives every regular,
  non-hidden file in it (extension or not), sorted by name.

Anything that is not a mail message (no header block), empty, or larger than the limit is
refused with a reason, never stored and never silently skipped.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SINGLE = {".eml", ".email", ".msg", ".txt", ".mime"}
# RFC 4155 separator: "From " sender, then a date ending in a year (asctime or similar)
SEPARATOR = re.compile(rb"^From \S+.*\d{4}\s*$")
LINE_END = re.compile(rb"\r\n|\r")
ESCAPED = re.compile(rb"^>+From ")
HEADER = re.compile(rb"^[!-9;-~]+:")  # a header field name and its colon
KNOWN = re.compile(
    rb"^(from|to|subject|date|message-id|received|return-path|delivered-to|mime-version|"
    rb"content-type|x-[\w-]+):",
    re.I,
)


def identity(raw: bytes) -> str:
    """What makes two deliveries one message: the bytes, with every line ending (CRLF, or a
    lone CR, which mail transports turn into CRLF) made LF and trailing line ends dropped
    (IMAP and SMTP carry CRLF, a saved file usually LF)."""
    return hashlib.sha256(LINE_END.sub(b"\n", raw).rstrip(b"\n")).hexdigest()


@dataclass(frozen=True)
class RawMessage:
    source: str  # file, file:N for the Nth message of an mbox, or imap:FOLDER:UID
    raw: bytes | None  # None when refused
    refused: str | None = None


def not_mail(raw: bytes) -> str | None:
    """Why these bytes are not a mail message, or None when they look like one: the first
    lines (a leading ``From `` line aside) must be header fields, one of them a known one."""
    if not raw.strip():
        return "empty"
    lines = raw.split(b"\n", 60)
    if lines[0].startswith(b"From "):
        lines = lines[1:]
    head = []
    for line in lines[:50]:
        line = line.rstrip(b"\r")
        if not line:
            break
        if line[:1] in (b" ", b"\t"):
            continue  # folded header
        if not HEADER.match(line):
            return "not a mail message (no header block at its start)"
        head.append(line)
    if not any(KNOWN.match(line) for line in head):
        return "not a mail message (none of From, To, Subject, Date, Received in its header)"
    return None


def _checked(raw: bytes, source: str, max_bytes: int) -> RawMessage:
    if len(raw) > max_bytes:
        return RawMessage(
            source, None, f"larger than {max_bytes // (1024 * 1024)} MB (WOO_MAIL_MAX_MB)"
        )
    reason = not_mail(raw)
    return RawMessage(source, None if reason else raw, reason)


def split_mbox(path: Path, max_bytes: int) -> Iterator[RawMessage]:
    """Messages of an mbox file, read line by line (an mbox can be larger than memory)."""
    number = 0
    current: list[bytes] | None = None
    size = 0
    previous_empty = True

    def finish() -> RawMessage:
        lines = current or []
        if lines and lines[-1] in (b"\n", b"\r\n"):
            lines = lines[:-1]  # the empty line before the next separator belongs to neither
        if size > max_bytes:
            return RawMessage(
                f"{path}:{number}",
                None,
                f"larger than {max_bytes // (1024 * 1024)} MB (WOO_MAIL_MAX_MB)",
            )
        return _checked(b"".join(lines), f"{path}:{number}", max_bytes)

    with open(path, "rb") as fh:
        for line in fh:
            if previous_empty and SEPARATOR.match(line.rstrip(b"\r\n")):
                if current is not None:
                    yield finish()
                number += 1
                current, size = [], 0
                previous_empty = False
                continue
            previous_empty = line in (b"\n", b"\r\n")
            if current is None:
                continue  # text before the first separator: not a message
            if ESCAPED.match(line):
                line = line[1:]
            size += len(line)
            if size <= max_bytes:
                current.append(line)
    if current is not None:
        yield finish()


def read_messages(path: Path, max_bytes: int) -> Iterator[RawMessage]:
    """Every message in ``path`` (see the module's description); raises FileNotFoundError."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or directory")
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            files = sorted(
                p for folder in ("new", "cur") for p in (path / folder).iterdir() if p.is_file()
            )
        else:
            files = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        for file in files:
            yield from _file(file, max_bytes)
        return
    yield from _file(path, max_bytes)


def _file(path: Path, max_bytes: int) -> Iterator[RawMessage]:
    with open(path, "rb") as fh:
        head = fh.read(5)
    if head == b"From " and path.suffix.lower() not in SINGLE:
        yield from split_mbox(path, max_bytes)
        return
    if path.stat().st_size > max_bytes:
        yield RawMessage(
            str(path), None, f"larger than {max_bytes // (1024 * 1024)} MB (WOO_MAIL_MAX_MB)"
        )
        return
    yield _checked(path.read_bytes(), str(path), max_bytes)
