"""What a received message says, read defensively: headers as text, the reply's own words
(quoted text and our own letter taken out), what kind of message it is, and its attachments.

Real mail is not what the RFCs describe: raw UTF-8 or Latin-1 bytes in headers, encoded words
with unknown charsets, attachments named in RFC 2231 or RFC 2047 (or both), Outlook's TNEF
(winmail.dat) wrapping the real attachments, bounces in a dozen dialects. Nothing here raises
for a message's content; what cannot be decoded is decoded with replacement characters.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import email.utils
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import UTC
from email.message import Message

from wooarchive.archive.names import file_name


def parse(raw: bytes) -> Message:
    """The message tree; compat32 keeps raw 8-bit headers instead of failing on them."""
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def decode_words(text: str) -> str:
    """RFC 2047 encoded words decoded; an unknown or wrong charset read as Windows-1252."""
    if "=?" not in text:
        return text
    try:
        chunks = email.header.decode_header(text)
    except Exception:  # a malformed encoded word: keep the text as it came
        return text
    parts = []
    for chunk, charset in chunks:
        if isinstance(chunk, str):
            parts.append(chunk)
            continue
        if charset is None:
            parts.append(chunk.decode("raw-unicode-escape", "replace"))
            continue
        try:
            parts.append(chunk.decode(charset))
        except (LookupError, UnicodeDecodeError):
            parts.append(chunk.decode("cp1252", "replace"))
    # decode_header drops the space between an encoded word and plain text that follows
    return "".join(parts)


def header(message: Message, name: str) -> str | None:
    """One header as text: raw 8-bit bytes read as UTF-8 (else Windows-1252), folding undone,
    encoded words decoded. None when absent."""
    for key, value in message.raw_items():
        if key.lower() != name.lower():
            continue
        return header_text(value)
    return None


def header_text(value) -> str:
    """A raw header value as text: raw 8-bit bytes read as UTF-8 (else Windows-1252), folding
    undone, encoded words decoded."""
    if not isinstance(value, str):  # a Header object from a caller-built message
        value = str(value)
    data = value.encode("ascii", "surrogateescape")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", "replace")
    text = re.sub(r"\r?\n[ \t]+", " ", text).strip()
    return decode_words(text)


AUTH_FAILED = re.compile(r"\b(dmarc|spf|dkim)=(fail|softfail|permerror)\b", re.I)


def unverified_sender(message: Message) -> str | None:
    """Why the From cannot be trusted, from what the receiving mail server recorded in
    Authentication-Results (RFC 8601): a DMARC, SPF or DKIM failure. None when nothing failed
    (or nothing was recorded: most test mail and many servers say nothing)."""
    for key, value in message.raw_items():
        if key.lower() != "authentication-results":
            continue
        failed = AUTH_FAILED.findall(header_text(value))
        if failed:
            checks = ", ".join(f"{check.lower()}={result.lower()}" for check, result in failed)
            return f"the sender could not be verified ({checks}); check before you record it"
    return None


def addresses(message: Message, *names: str) -> list[str]:
    """Lower-cased e-mail addresses in the named headers."""
    values = [header(message, name) or "" for name in names]
    return [addr.lower() for _, addr in email.utils.getaddresses(values) if "@" in addr]


def sent_at(message: Message) -> str | None:
    """The Date header as UTC ISO 8601, or None when absent or unparseable."""
    value = header(message, "Date")
    try:
        when = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _decode_part(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True) or b""
    except Exception:
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, "replace")
    except LookupError:  # an unknown charset: read it as Windows-1252 rather than lose it
        return payload.decode("cp1252", "replace")


def body_text(message: Message) -> str:
    """All text parts that are not attachments (HTML reduced to its text)."""
    parts = []
    for part in message.walk():
        if part.get_content_maintype() != "text" or part.get_filename():
            continue
        text = _decode_part(part)
        if part.get_content_subtype() == "html":
            text = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", text, flags=re.S | re.I)
            text = re.sub(r"<br\s*/?>|</p\s*>|</div\s*>", "\n", text, flags=re.I)
            text = re.sub(r"<[^>]+>", " ", text)
        parts.append(text)
    return "\n".join(parts)


QUOTE_START = re.compile(
    r"^(-{2,}\s*(Oorspronkelijk bericht|Original Message|Doorgestuurd bericht|"
    r"Forwarded message)\s*-{2,}|(Van|From):\s.+\n(Verzonden|Sent|Datum|Date):|"
    r"Op .{5,120} schreef .{1,200}:|On .{5,120} wrote:)",
    re.I | re.M,
)


def own_words(text: str, letter: str | None = None) -> str:
    """The reply without what it quotes: lines starting with ``>``, everything from an
    "Oorspronkelijk bericht"/"Van: ... Verzonden:"/"Op ... schreef" marker on, and any line of
    our own letter (an acknowledgement that quotes our request must not read as a verdaging)."""
    found = QUOTE_START.search(text)
    if found:
        text = text[: found.start()]
    ours = " ".join((letter or "").split())  # our letter, however the reply re-wrapped it
    kept = []
    for line in text.splitlines():
        folded = " ".join(line.split())
        if line.lstrip().startswith(">") or (len(folded) > 20 and folded in ours):
            continue
        kept.append(line)
    return "\n".join(kept)


# -- what kind of message ------------------------------------------------------------------

BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (status notification|failure|has failed)|"
    r"mail delivery (failed|failure|subsystem)|returned mail|failure notice|"
    r"niet bezorgd|onbestelbaar|kan niet worden bezorgd|unzustellbar|non[- ]remis",
    re.I,
)
BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster|mail-?daemon)@", re.I)
AUTO_SUBJECT = re.compile(
    r"automatic reply|auto(matisch)?[- ]?(reply|antwoord|response)|out of (the )?office|"
    r"afwezig(heid)?|abwesenheit|autoreply|automatische (antwoord|reactie)|vakantie",
    re.I,
)
AUTO_BODY = re.compile(
    r"\b(ik ben|ben ik) (afwezig|niet aanwezig|op vakantie)|out of (the )?office|"
    r"i am (currently )?(away|out)|dit is een automatisch (gegenereerd )?(bericht|antwoord)",
    re.I,
)
DELAY = re.compile(r"\(delay\)|warning message only|delayed|vertraagd", re.I)
CASE_NUMBER = re.compile(
    r"(?:zaaknummer|ons kenmerk|kenmerk|dossiernummer|registratienummer|referentienummer|"
    r"zaak(?:nr\.?| nummer))\s*(?:is|:)?\s*:?\s*([A-Z0-9][A-Z0-9./_-]{3,40}[A-Z0-9])",
    re.I,
)
ACKNOWLEDGEMENT = re.compile(
    r"ontvangstbevestiging|in goede orde ontvangen|uw verzoek (is )?ontvangen|"
    r"hebben (wij )?uw (woo-|avg-|wob-)?verzoek .{0,20}ontvangen|bevestigen (de )?ontvangst",
    re.I,
)


@dataclass
class Kind:
    kind: str  # reply | bounce | delivery_delayed | auto_reply | acknowledgement
    reason: str | None = None  # why (for a bounce: the mail server's diagnosis)
    original_ids: list[str] = field(default_factory=list)  # Message-IDs of the bounced mail


def _delivery_status(message: Message) -> tuple[str | None, str | None]:
    """(action, diagnosis) from an RFC 3464 message/delivery-status part."""
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        fields: dict[str, str] = {}
        for block in part.get_payload() if part.is_multipart() else [part]:
            for key, value in block.items():
                fields.setdefault(key.lower(), " ".join(str(value).split()))
        if not fields:  # some libraries leave the status blocks as text
            text = _decode_part(part)
            for key, value in re.findall(r"^([\w-]+):\s*(.+)$", text, re.M):
                fields.setdefault(key.lower(), value.strip())
        diagnosis = fields.get("diagnostic-code") or fields.get("status")
        return fields.get("action"), diagnosis
    return None, None


def _embedded_ids(message: Message) -> list[str]:
    """Message-IDs of the message a bounce returns (attached whole or as headers)."""
    found = []
    for part in message.walk():
        if part.get_content_type() in ("message/rfc822", "text/rfc822-headers"):
            text = part.as_string() if part.is_multipart() else _decode_part(part)
            found += re.findall(r"^Message-ID:\s*(<[^>\s]+>)", text, re.M | re.I)
    return found


def kind_of(message: Message, text: str) -> Kind:
    """Bounce, delayed-delivery warning, auto-reply, acknowledgement of receipt, or a reply.
    ``text`` is the reply's own words."""
    subject = header(message, "Subject") or ""
    sender = (addresses(message, "From") or [""])[0]
    content_type = message.get_content_type()
    report = any(
        p.get_content_type() == "multipart/report"
        and "delivery-status" in (p.get_param("report-type") or "")
        for p in message.walk()
    )
    action, diagnosis = _delivery_status(message)
    bounce_like = (
        report or BOUNCE_SENDER.match(sender) or BOUNCE_SUBJECT.search(subject) is not None
    )
    if bounce_like and content_type != "text/calendar":
        body = body_text(message)
        if (action or "").lower() == "delayed" or (action is None and DELAY.search(subject + body)):
            return Kind("delivery_delayed", diagnosis or "delivery delayed, not failed")
        reason = diagnosis or next(
            (
                " ".join(line.split())
                for line in body.splitlines()
                if re.search(
                    r"\b5\.\d\.\d+\b|unknown|does not exist|bestaat niet|rejected", line, re.I
                )
            ),
            subject,
        )
        return Kind("bounce", reason[:300], _embedded_ids(message))
    auto_submitted = (header(message, "Auto-Submitted") or "no").lower()
    if (
        not auto_submitted.startswith("no")
        or header(message, "X-Autoreply")
        or header(message, "X-Autorespond")
        or (header(message, "Precedence") or "").lower() == "auto_reply"
        or "autoresponder" in (header(message, "X-POST-MessageClass") or "").lower()
        or "oof" in (header(message, "X-MS-Exchange-Organization-AutoReplySuppress") or "").lower()
        or AUTO_SUBJECT.search(subject)
        or AUTO_BODY.search(text[:2000])
    ):
        return Kind("auto_reply", "an automatic reply (RFC 3834 header or out-of-office text)")
    if ACKNOWLEDGEMENT.search(text):
        return Kind("acknowledgement", "an acknowledgement of receipt")
    return Kind("reply")


def case_number(text: str) -> str | None:
    """The body's own case number ("Zaaknummer: Z/24/123456", "Ons kenmerk: 2026-0042")."""
    found = CASE_NUMBER.search(text)
    return found.group(1) if found else None


# -- attachments ---------------------------------------------------------------------------


@dataclass
class Attachment:
    position: int  # 1-based, in the order the message has them
    filename: str  # as the sender named it (decoded), or made up from the type
    stored_name: str  # NN-name.ext, unique within the message, safe on any file system
    mime: str
    data: bytes
    note: str | None = None  # e.g. "from winmail.dat"


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()  # RFC 2231 continuations and charsets handled here
    except Exception:
        name = None
    if name is None:
        raw = part.get_param("name", header="content-type")
        name = email.utils.collapse_rfc2231_value(raw) if raw else None
    if name is None:
        return None
    if not isinstance(name, str):
        name = str(name)
    if "\ufffd" in name:
        # raw 8-bit bytes in the header (`filename="café.pdf"` in UTF-8): the email package
        # gave them up; the header read as text (header()) still has them
        for field, param in (("Content-Disposition", "filename"), ("Content-Type", "name")):
            text = header(part, field)
            if text:
                holder = Message()
                holder[field] = text
                value = holder.get_param(param, header=field.lower())
                if value:
                    name = email.utils.collapse_rfc2231_value(value)
                    break
    data = name.encode("utf-8", "surrogateescape")
    try:
        name = data.decode("utf-8")
    except UnicodeDecodeError:
        name = data.decode("cp1252", "replace")
    return decode_words(name)


def _tnef(data: bytes) -> list[tuple[str, bytes]]:
    """The files inside a TNEF (winmail.dat) blob; [] when it cannot be read."""
    try:
        from tnefparse import TNEF

        tnef = TNEF(data)
    except Exception:
        return []
    found = []
    for item in tnef.attachments:
        try:
            name = item.long_filename() or item.name
        except Exception:
            name = getattr(item, "name", None)
        if isinstance(name, bytes):
            name = name.decode("cp1252", "replace")
        found.append((str(name or "bijlage").strip("\x00"), bytes(item.data or b"")))
    return found


def attachments(message: Message) -> list[Attachment]:
    """Every attachment, numbered in order: files named in any encoding, unnamed non-text
    parts, and the files inside winmail.dat (kept as well, since it is what was sent). Two with
    the same name both stay, numbered; the extension survives any shortening."""
    found: list[tuple[str, str, bytes, str | None]] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        name = _filename(part)
        mime = part.get_content_type()
        disposition = (header(part, "Content-Disposition") or "").split(";")[0].strip().lower()
        if name is None and (
            part.get_content_maintype() == "text" or mime == "message/delivery-status"
        ):
            if disposition != "attachment":
                continue
        try:
            data = part.get_payload(decode=True) or b""
        except Exception:
            data = b""
        if name is None and mime == "application/ms-tnef":
            name = "winmail.dat"  # what every mail client calls it
        elif name is None:
            name = f"bijlage{mimetypes.guess_extension(mime) or '.bin'}"
        found.append((name, mime, data, None))
        if mime == "application/ms-tnef" or name.lower() == "winmail.dat":
            for inner_name, inner in _tnef(data):
                inner_mime = mimetypes.guess_type(inner_name)[0] or "application/octet-stream"
                found.append((inner_name, inner_mime, inner, f"from {name}"))
    # the number in front keeps two files of one name apart
    return [
        Attachment(position, name, f"{position:02d}-{file_name(name, 'bijlage')}", mime, data, note)
        for position, (name, mime, data, note) in enumerate(found, start=1)
    ]
