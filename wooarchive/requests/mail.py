"""Sending requests and filing replies.

Outgoing: a request becomes an e-mail with its reference token in the subject and a Message-ID
we record, sent over SMTP (settings from the environment) or written to an outbox as .eml.

Incoming: .eml files, mbox files and Maildir folders are read raw and kept byte for byte. A reply
is matched to its request by In-Reply-To/References, then by the reference token in subject or
body, then by the sender's domain when that municipality has exactly one open request. A message
seen before (same Message-ID) is skipped. Anything unmatched or unreadable goes to the
quarantine table for a person to assign; nothing is dropped. Attachments go to a private blob
store beside requests.db: a decision letter is addressed to the requester, so it is never put
in the public archive automatically.
"""

from __future__ import annotations

import email
import email.header
import email.policy
import mailbox
import os
import re
import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage, Message
from email.utils import format_datetime, getaddresses, make_msgid
from pathlib import Path

from wooarchive.archive.blobs import BlobStore
from wooarchive.requests.store import RequestError, RequestStore, _now

TOKEN = re.compile(r"\b(WOO|AVG)-(\d{4})-(\d{4})\b", re.I)
# reply text -> suggested event, first match wins (a decision also acknowledges receipt)
SUGGESTIONS = [
    (
        "besluit",
        re.compile(
            r"besluit op uw (woo|wob|avg)?[- ]?verzoek|wij hebben besloten|hierbij beslis|"
            r"beslissing op uw|ons besluit|besluit(en)? (om|de documenten|tot)",
            re.I,
        ),
    ),
    (
        "verdaging",
        re.compile(
            r"verdaag|verdaging|verlengen de (beslis)?termijn|termijn .{0,40}verlengd|"
            r"met (ten hoogste )?twee weken",
            re.I,
        ),
    ),
    ("zienswijze_gevraagd", re.compile(r"zienswijze|derde[- ]belanghebbende", re.I)),
    (
        "opschorting",
        re.compile(
            r"precis(ering|eren)|aanvull(en|ing)|opgeschort|opschorting|nadere informatie", re.I
        ),
    ),
    (
        "received",
        re.compile(
            r"ontvangstbevestiging|in goede orde ontvangen|uw verzoek ontvangen|"
            r"hebben (wij )?uw (woo-|avg-)?verzoek .{0,20}ontvangen",
            re.I,
        ),
    ),
]


class MailError(RequestError):
    pass


def private_blobs(store: RequestStore) -> BlobStore:
    return BlobStore(store.settings.data_dir / "private" / "blobs")


# -- outgoing ------------------------------------------------------------------------------


def compose(request: dict, when: datetime | None = None) -> EmailMessage:
    if not request["to_address"]:
        raise MailError(f"{request['reference']}: the municipality has no e-mail address on file")
    # long Dutch words ("gegevensbeschermingseffectbeoordelingen") cannot be folded at 78
    # characters; RFC 5322 allows 998, and a subject that starts folded shows as " [WOO-..."
    message = EmailMessage(policy=email.policy.SMTP.clone(max_line_length=200))
    message["From"] = f"{request['requester_name']} <{request['requester_email']}>"
    message["To"] = request["to_address"]
    message["Subject"] = (
        f"[{request['reference']}] {request['body'].split('Onderwerp: ', 1)[1].splitlines()[0]}"
    )
    message["Date"] = format_datetime(when or datetime.now(UTC))
    message["Message-ID"] = make_msgid(
        idstring=request["reference"], domain=request["requester_email"].split("@")[1]
    )
    message.set_content(request["body"])
    return message


def smtp_settings() -> dict:
    host = os.environ.get("WOO_SMTP_HOST")
    if not host:
        raise MailError(
            "set WOO_SMTP_HOST (and WOO_SMTP_PORT, WOO_SMTP_USER, WOO_SMTP_PASSWORD, "
            "WOO_SMTP_SECURITY=starttls|ssl|none) or use --outbox DIR"
        )
    return {
        "host": host,
        "port": int(os.environ.get("WOO_SMTP_PORT", "587")),
        "user": os.environ.get("WOO_SMTP_USER"),
        "password": os.environ.get("WOO_SMTP_PASSWORD"),
        "security": os.environ.get("WOO_SMTP_SECURITY", "starttls"),
    }


def send(
    store: RequestStore, ref: int | str, *, outbox: Path | None = None, today: date | None = None
) -> Path | None:
    """Send a request (or write it to ``outbox``); records the message and, when sent, the
    'sent' event that starts the legal period."""
    request = store.get(ref)
    if any(e["kind"] == "sent" for e in store.events(request["id"])):
        raise MailError(f"{request['reference']} was sent already")
    today = today or date.today()
    request = store.date_letter(request["id"], today)
    message = compose(request)
    raw = bytes(message)
    written = None
    if outbox is not None:
        outbox.mkdir(parents=True, exist_ok=True)
        written = outbox / f"{request['reference']}.eml"
        written.write_bytes(raw)
    else:
        config = smtp_settings()
        try:
            client_class = smtplib.SMTP_SSL if config["security"] == "ssl" else smtplib.SMTP
            with client_class(config["host"], config["port"], timeout=60) as client:
                if config["security"] == "starttls":
                    client.starttls()
                if config["user"]:
                    client.login(config["user"], config["password"] or "")
                client.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(
                f"{request['reference']}: sending to {config['host']}:{config['port']} failed ({exc})"
            ) from exc
    with store.db.conn:
        message_row = store.db.execute(
            "insert into messages (request_id, direction, state, message_id, subject, from_address, "
            "to_address, date, raw, imported_at) values (?, 'out', ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                request["id"],
                "outbox" if outbox else "sent",
                message["Message-ID"],
                message["Subject"],
                message["From"],
                message["To"],
                message["Date"],
                raw,
                _now(),
            ],
        ).lastrowid
    if outbox is None:
        store.add_event(request["id"], "sent", today, message_id=message_row)
    return written


# -- incoming ------------------------------------------------------------------------------


def read_raw(path: Path) -> list[tuple[bytes, str]]:
    """Raw messages with where each came from: an .eml file, a directory of them, a Maildir,
    or an mbox file."""
    path = Path(path)
    if not path.exists():
        raise MailError(f"{path}: no such file or directory")
    if path.is_dir():
        if (path / "cur").is_dir() and (path / "new").is_dir():
            box = mailbox.Maildir(path, factory=None, create=False)
            return [(box.get_bytes(key), f"{path}:{key}") for key in sorted(box.keys())]
        return [
            (p.read_bytes(), str(p))
            for p in sorted(path.iterdir())
            if p.is_file() and p.suffix.lower() == ".eml"
        ]
    head = path.read_bytes()[:5]
    if head == b"From ":
        box = mailbox.mbox(path, factory=None, create=False)
        return [(box.get_bytes(key), f"{path}:{key}") for key in box.keys()]
    return [(path.read_bytes(), str(path))]


@dataclass
class Imported:
    source: str
    outcome: str  # matched | duplicate | quarantined
    reference: str | None = None
    matched_by: str | None = None
    suggestion: str | None = None
    reason: str | None = None


def _text(message: Message) -> str:
    parts = []
    for part in message.walk():
        if part.get_content_maintype() == "text" and not part.get_filename():
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or "utf-8"
            try:
                parts.append(payload.decode(charset, "replace"))
            except LookupError:  # an unknown charset: read it as Windows-1252 rather than lose it
                parts.append(payload.decode("cp1252", "replace"))
    return "\n".join(parts)


def header_text(value) -> str:
    """A header as text, encoded words decoded; an unknown charset is read as Windows-1252
    rather than failing the import."""
    parts = []
    for chunk, charset in email.header.decode_header(str(value)):
        if isinstance(chunk, bytes):
            try:
                chunk = chunk.decode(charset or "ascii")
            except (LookupError, UnicodeDecodeError):
                chunk = chunk.decode("cp1252", "replace")
        parts.append(chunk)
    return "".join(parts)


def suggest(subject: str, body: str) -> tuple[str | None, str | None]:
    text = f"{subject}\n{body}"
    for kind, pattern in SUGGESTIONS:
        found = pattern.search(text)
        if found:
            return kind, f"the text says {found.group(0)!r}"
    return None, None


def _match(
    store: RequestStore, message: Message, subject: str, body: str
) -> tuple[int | None, str]:
    ids = " ".join(str(message.get(h, "")) for h in ("In-Reply-To", "References"))
    for message_id in re.findall(r"<[^>]+>", ids):
        row = store.db.execute(
            "select request_id from messages where message_id = ? and direction = 'out'",
            [message_id],
        ).fetchone()
        if row:
            return row[0], "In-Reply-To/References"
    for text, where in ((subject, "reference in subject"), (body, "reference in body")):
        for found in TOKEN.finditer(text):
            row = store.db.execute(
                "select id from requests where reference = ?", [found.group(0).upper()]
            ).fetchone()
            if row:
                return row[0], where
    senders = [addr for _, addr in getaddresses([str(message.get("From", ""))]) if "@" in addr]
    if senders:
        domain = senders[0].rsplit("@", 1)[1].lower()
        codes = [
            code
            for code, mail, site in store.archive.db.execute(
                "select code, email, domain from municipalities"
            )
            if domain
            in {(mail or "").rsplit("@", 1)[-1].lower(), (site or "").lower().removeprefix("www.")}
        ]
        if codes:
            candidates = [
                o.id
                for o in store.overview()
                if o.municipality_code in codes and o.status in ("open", "overdue")
            ]
            if len(candidates) == 1:
                return candidates[0], "sender's domain"
            if candidates:
                return None, f"sender's domain {domain} fits {len(candidates)} open requests"
    return None, "no In-Reply-To, reference or known sender"


def import_mail(store: RequestStore, path: Path) -> list[Imported]:
    results = []
    for raw, source in read_raw(path):
        results.append(_import_one(store, raw, source))
    return results


def _quarantine(
    store: RequestStore, raw: bytes, source: str, reason: str, message: Message | None
) -> Imported:
    def get(header: str) -> str | None:
        return str(message.get(header, "")) if message is not None else None

    with store.db.conn:
        store.db.execute(
            "insert into quarantine (message_id, subject, from_address, date, reason, raw, source, imported_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                get("Message-ID"),
                get("Subject"),
                get("From"),
                get("Date"),
                reason,
                raw,
                source,
                _now(),
            ],
        )
    return Imported(source, "quarantined", reason=reason)


def _import_one(store: RequestStore, raw: bytes, source: str) -> Imported:
    try:
        message = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as exc:  # the parser is lenient; this is for the truly broken
        return _quarantine(store, raw, source, f"unreadable message ({exc})", None)
    message_id = str(message.get("Message-ID", "")).strip() or None
    if message_id and (
        store.db.execute("select 1 from messages where message_id = ?", [message_id]).fetchone()
        or store.db.execute(
            "select 1 from quarantine where message_id = ?", [message_id]
        ).fetchone()
    ):
        return Imported(source, "duplicate", reason=f"Message-ID {message_id} imported before")
    subject = header_text(message.get("Subject", ""))
    body = _text(message)
    request_id, how = _match(store, message, subject, body)
    if request_id is None:
        return _quarantine(store, raw, source, how, message)
    return file_message(store, request_id, raw, message, source, how, subject, body)


def file_message(
    store: RequestStore,
    request_id: int,
    raw: bytes,
    message: Message,
    source: str,
    how: str,
    subject: str | None = None,
    body: str | None = None,
) -> Imported:
    subject = subject if subject is not None else header_text(message.get("Subject", ""))
    body = body if body is not None else _text(message)
    kind, why = suggest(subject, body)
    defects = [type(d).__name__ for part in message.walk() for d in getattr(part, "defects", [])]
    with store.db.conn:
        row_id = store.db.execute(
            "insert into messages (request_id, direction, state, message_id, in_reply_to, subject, "
            "from_address, to_address, date, matched_by, suggested_event, suggested_reason, defects, raw, imported_at) "
            "values (?, 'in', 'matched', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                request_id,
                str(message.get("Message-ID", "")).strip() or None,
                message.get("In-Reply-To"),
                subject,
                message.get("From"),
                message.get("To"),
                message.get("Date"),
                how,
                kind,
                why,
                ", ".join(defects) or None,
                raw,
                _now(),
            ],
        ).lastrowid
        blobs = private_blobs(store)
        for part in message.walk():
            filename = part.get_filename()
            if not filename or part.is_multipart():
                continue
            payload = part.get_payload(decode=True) or b""
            stored = blobs.put_bytes(payload)
            store.db.execute(
                "insert into attachments (message_id, filename, mime, size, sha256) values (?, ?, ?, ?, ?)",
                [row_id, filename, part.get_content_type(), stored.size, stored.sha256],
            )
    reference = store.get(request_id)["reference"]
    return Imported(source, "matched", reference, how, kind)


def assign(store: RequestStore, quarantine_id: int, ref: int | str) -> Imported:
    """File a quarantined message against a request a person chose."""
    row = next(iter(store.db.query("select * from quarantine where id = ?", [quarantine_id])), None)
    if row is None:
        raise MailError(f"no quarantined message {quarantine_id}")
    if row["assigned_request_id"]:
        raise MailError(f"quarantined message {quarantine_id} was assigned already")
    request = store.get(ref)
    message = email.message_from_bytes(row["raw"], policy=email.policy.compat32)
    result = file_message(
        store, request["id"], row["raw"], message, row["source"], "assigned by hand"
    )
    with store.db.conn:
        store.db.execute(
            "update quarantine set assigned_request_id = ? where id = ?",
            [request["id"], quarantine_id],
        )
    return result


def imap_settings() -> dict:
    host = os.environ.get("WOO_IMAP_HOST")
    if not host or not os.environ.get("WOO_IMAP_USER"):
        raise MailError(
            "set WOO_IMAP_HOST, WOO_IMAP_USER and WOO_IMAP_PASSWORD (and WOO_IMAP_PORT, "
            "WOO_IMAP_SECURITY=ssl|starttls|none, WOO_IMAP_FOLDER)"
        )
    security = os.environ.get("WOO_IMAP_SECURITY", "ssl")
    return {
        "host": host,
        "port": int(os.environ.get("WOO_IMAP_PORT", "993" if security == "ssl" else "143")),
        "user": os.environ["WOO_IMAP_USER"],
        "password": os.environ.get("WOO_IMAP_PASSWORD", ""),
        "security": security,
        "folder": os.environ.get("WOO_IMAP_FOLDER", "INBOX"),
    }


def fetch_imap(store: RequestStore) -> list[Imported]:
    """Read new mail from an IMAP folder (read-only: flags are left alone) and import it as
    `woo mail import` does."""
    import imaplib

    config = imap_settings()
    account = f"{config['user']}@{config['host']}:{config['port']}"
    try:
        client_class = imaplib.IMAP4_SSL if config["security"] == "ssl" else imaplib.IMAP4
        client = client_class(config["host"], config["port"], timeout=60)
        if config["security"] == "starttls":
            client.starttls()
        client.login(config["user"], config["password"])
    except (OSError, imaplib.IMAP4.error) as exc:
        raise MailError(f"IMAP {config['host']}:{config['port']}: cannot log in ({exc})") from exc
    results = []
    try:
        status, _ = client.select(config["folder"], readonly=True)
        if status != "OK":
            raise MailError(f"IMAP folder {config['folder']!r} cannot be opened")
        uidvalidity = (client.response("UIDVALIDITY")[1] or [b""])[0]
        uidvalidity = (
            uidvalidity.decode() if isinstance(uidvalidity, bytes) else str(uidvalidity or "")
        )
        state = store.db.execute(
            "select uidvalidity, last_uid from imap_state where account = ? and folder = ?",
            [account, config["folder"]],
        ).fetchone()
        last = state[1] if state and state[0] == uidvalidity else 0
        status, data = client.uid("search", None, f"UID {last + 1}:*")
        uids = sorted(int(u) for u in (data[0] or b"").split() if int(u) > last)
        for uid in uids:
            status, parts = client.uid("fetch", str(uid), "(BODY.PEEK[])")
            raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
            if raw is None:
                results.append(
                    Imported(
                        f"imap:{config['folder']}:{uid}",
                        "quarantined",
                        reason="message could not be fetched",
                    )
                )
                continue
            results.append(_import_one(store, raw, f"imap:{config['folder']}:{uid}"))
            with store.db.conn:
                store.db.execute(
                    "insert or replace into imap_state (account, folder, uidvalidity, last_uid, fetched_at) "
                    "values (?, ?, ?, ?, ?)",
                    [account, config["folder"], uidvalidity, uid, _now()],
                )
    finally:
        try:
            client.logout()
        except Exception:
            pass
    return results
