"""Sending requests and filing replies.

Outgoing: a request becomes an e-mail with its reference token in the subject and a Message-ID
we record, sent over SMTP (settings from the environment) or written to an outbox as .eml.

Incoming: messages come from mailsource (files, folders, Maildirs, mboxes) or IMAP, are kept
byte for byte and identified by their bytes (a Message-ID is only a hint). mailread says what a
message is; the Matcher finds its request (a thread header naming our letter, a reference
together with the municipality's domain, or the domain alone when unambiguous). Whatever cannot
be matched or read goes to quarantine with the reason; nothing is dropped, and one bad message
never stops the rest. Attachments go to a private blob store beside requests.db: a decision
letter is addressed to the requester, so it is never put in the public archive automatically.
"""

from __future__ import annotations

import email.policy
import hashlib
import os
import re
import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage, Message
from email.utils import format_datetime, make_msgid
from pathlib import Path

from wooarchive.archive.blobs import BlobStore
from wooarchive.requests import mailread
from wooarchive.requests.mailsource import RawMessage, identity, read_messages
from wooarchive.requests.store import RequestError, RequestStore, _now, check_address

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
    return BlobStore(store.settings.private_blobs_dir, private=True)


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
    store: RequestStore,
    ref: int | str,
    *,
    outbox: Path | None = None,
    today: date | None = None,
    to_address: str | None = None,
) -> Path | None:
    """Send a request (or write it to ``outbox``); records the message and, when sent, the
    'sent' event that starts the legal period. A request whose letter bounced may be sent
    again, to ``to_address`` when the address on file was wrong."""
    request = store.get(ref)
    if any(e["kind"] == "sent" for e in store.events(request["id"])) and not store.undelivered(
        request["id"]
    ):
        raise MailError(f"{request['reference']} was sent already")
    withdrawn = [e["on_date"] for e in store.events(request["id"]) if e["kind"] == "ingetrokken"]
    if withdrawn:
        raise MailError(f"{request['reference']} was withdrawn on {withdrawn[0]}: not sent")
    if to_address:
        with store.db.conn:
            store.db.execute(
                "update requests set to_address = ? where id = ?",
                [check_address(to_address), request["id"]],
            )
    today = today or date.today()
    request = store.date_letter(request["id"], today)
    message = compose(request)
    raw = bytes(message)
    written = None
    if outbox is not None:
        # the letter holds the requester's name and address: theirs only (0600 in a 0700 folder)
        outbox.mkdir(mode=0o700, parents=True, exist_ok=True)
        written = outbox / f"{request['reference']}.eml"
        fd = os.open(written, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
        os.chmod(written, 0o600)  # also when it was there before, written by an older version
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


@dataclass
class Imported:
    source: str
    outcome: str  # filed | duplicate | quarantined | refused
    reference: str | None = None
    matched_by: str | None = None
    suggestion: str | None = None
    reason: str | None = None
    kind: str | None = None  # reply | bounce | delivery_delayed | auto_reply | acknowledgement
    warning: str | None = None  # why the suggestion (or the bounce) is not to be taken on trust


# how a message is matched when it names a Message-ID of one of our own letters
BY_OUR_ID = "In-Reply-To/References"


def suggest(subject: str, body: str) -> tuple[str | None, str | None]:
    text = f"{subject}\n{body}"
    for kind, pattern in SUGGESTIONS:
        found = pattern.search(text)
        if found:
            return kind, f"the text says {found.group(0)!r}"
    return None, None


class Matcher:
    """Which request a message belongs to, from indexes built once per import (not a timeline
    per message). A reference in the subject, body or a plus-address counts only together with
    the sender's domain being the request's municipality's, or a thread header naming our own
    letter; anything ambiguous goes to quarantine with the candidates named."""

    def __init__(self, store: RequestStore):
        db = store.db
        self.store = store
        self.outgoing = dict(
            db.execute("select message_id, request_id from messages where direction = 'out'")
        )
        self.requests = {
            reference: (request_id, code, (to or "").rsplit("@", 1)[-1].lower())
            for request_id, reference, code, to in db.execute(
                "select id, reference, municipality_code, to_address from requests"
            )
        }
        self.codes_by_domain: dict[str, set[str]] = {}
        for code, mail, site in store.archive.db.execute(
            "select code, email, domain from municipalities"
        ):
            for domain in ((mail or "").rsplit("@", 1)[-1], (site or "").removeprefix("www.")):
                if domain:
                    self.codes_by_domain.setdefault(domain.lower(), set()).add(code)
        self._open: dict[str, list[int]] | None = None

    def open_by_code(self) -> dict[str, list[int]]:
        if self._open is None:  # one timeline per request, once per import, only if needed
            self._open = {}
            for o in self.store.overview():
                if o.status in ("open", "overdue"):
                    self._open.setdefault(o.municipality_code, []).append(o.id)
        return self._open

    def _domain_fits(self, domain: str | None, reference: str) -> bool:
        _, code, to_domain = self.requests[reference]
        if not domain:
            return False
        return domain == to_domain or code in self.codes_by_domain.get(domain, set())

    def match(
        self, message, subject: str, body: str, bounced_ids: list[str]
    ) -> tuple[int | None, str, list[str]]:
        """(request id or None, how or why not, candidate references)."""
        thread = " ".join(mailread.header(message, h) or "" for h in ("In-Reply-To", "References"))
        for message_id in re.findall(r"<[^>]+>", thread) + bounced_ids:
            if message_id in self.outgoing:
                return self.outgoing[message_id], BY_OUR_ID, []
        senders = mailread.addresses(message, "From", "Sender", "Reply-To")
        domain = senders[0].rsplit("@", 1)[1] if senders else None
        recipients = " ".join(
            mailread.addresses(message, "To", "Cc", "Delivered-To", "X-Original-To")
        )
        found: dict[str, str] = {}
        for text, where in (
            (subject, "reference in subject"),
            (recipients, "reference in the address"),
            (body, "reference in body"),
        ):
            for token in TOKEN.finditer(text):
                reference = token.group(0).upper()
                if reference in self.requests:
                    found.setdefault(reference, where)
        fitting = [r for r in found if self._domain_fits(domain, r)]
        if len(fitting) == 1:
            return self.requests[fitting[0]][0], found[fitting[0]], []
        if len(fitting) > 1:
            return None, f"references to {len(fitting)} requests", fitting
        if found:
            return (
                None,
                f"reference {', '.join(found)} found, but the sender's domain {domain or '(none)'} "
                "is not that municipality's",
                list(found),
            )
        codes = self.codes_by_domain.get(domain or "", set())
        if codes:
            candidates = [i for code in codes for i in self.open_by_code().get(code, [])]
            if len(candidates) == 1:
                return candidates[0], "sender's domain", []
            if candidates:
                refs = [self.store.get(i)["reference"] for i in candidates]
                return None, f"sender's domain {domain} fits {len(candidates)} open requests", refs
        return None, "no In-Reply-To, reference or known sender", []


def _stored(store: RequestStore, key: str) -> bool:
    """Whether a message with this identity is filed or quarantined already."""
    return any(
        store.db.execute(f"select 1 from {table} where identity = ? limit 1", [key]).fetchone()
        for table in ("messages", "quarantine")
    )


def import_mail(store: RequestStore, path: Path) -> list[Imported]:
    """File every message in ``path`` (see mailsource); one result per message, whatever it
    was. Raises MailError only when ``path`` itself cannot be read."""
    matcher = Matcher(store)
    results = []
    try:
        for found in read_messages(path, _max_bytes()):
            results.append(_import_raw(store, matcher, found))
    except OSError as exc:
        raise MailError(f"{path}: {exc.strerror or exc}") from exc
    return results


def _max_bytes() -> int:
    return int(os.environ.get("WOO_MAIL_MAX_MB", "150")) * 1024 * 1024


def _import_raw(store: RequestStore, matcher: Matcher, found: RawMessage) -> Imported:
    if found.raw is None:
        return Imported(found.source, "refused", reason=found.refused)
    try:
        return _import_one(store, matcher, found.raw, found.source)
    except MailError:
        raise
    except Exception as exc:  # noqa: BLE001 - whatever a message does, it is kept
        reason = f"could not be filed ({type(exc).__name__}: {exc})"
        return _quarantine(store, found.raw, found.source, reason, None)


def _quarantine(
    store: RequestStore,
    raw: bytes,
    source: str,
    reason: str,
    message: Message | None,
    candidates: list[str] | None = None,
    kind: str | None = None,
) -> Imported:
    def get(name: str) -> str | None:
        return mailread.header(message, name) if message is not None else None

    with store.db.conn:
        store.db.execute(
            "insert into quarantine (message_id, subject, from_address, date, reason, raw, "
            "raw_sha256, identity, source, imported_at, candidates, kind) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                get("Message-ID"),
                get("Subject"),
                get("From"),
                get("Date"),
                reason,
                raw,
                hashlib.sha256(raw).hexdigest(),
                identity(raw),
                source,
                _now(),
                ", ".join(candidates) if candidates else None,
                kind,
            ],
        )
    return Imported(source, "quarantined", reason=reason, kind=kind)


def _import_one(store: RequestStore, matcher: Matcher, raw: bytes, source: str) -> Imported:
    if _stored(store, identity(raw)):
        return Imported(source, "duplicate", reason="the same bytes were imported before")
    message = mailread.parse(raw)
    subject = mailread.header(message, "Subject") or ""
    text = mailread.body_text(message)
    kind = mailread.kind_of(message, mailread.own_words(text))
    request_id, how, candidates = matcher.match(message, subject, text, kind.original_ids)
    if request_id is None:
        return _quarantine(store, raw, source, how, message, candidates, kind.kind)
    return file_message(store, request_id, raw, message, source, how, text)


def file_message(
    store: RequestStore,
    request_id: int,
    raw: bytes,
    message: Message,
    source: str,
    how: str,
    text: str | None = None,
) -> Imported:
    """Store a message with its request: the raw bytes, its headers as text, what kind it is,
    its attachments (privately), and for a bounce the 'undelivered' event. ``text`` is the
    message's body text when the caller has decoded it already."""
    request = store.get(request_id)
    subject = mailread.header(message, "Subject") or ""
    body = text if text is not None else mailread.body_text(message)
    words = mailread.own_words(body, request["body"])
    kind = mailread.kind_of(message, words)
    suggestion, why = (None, None)
    if kind.kind in ("reply", "acknowledgement"):
        suggestion, why = suggest(subject, words)
    warning = mailread.unverified_sender(message)
    # a bounce that quotes none of our letters' Message-IDs could be written by anyone (the body
    # held to account can send one from its own domain, with the guessable reference in the
    # subject): it suggests, it does not reset a deadline
    trusted_bounce = kind.kind == "bounce" and how == BY_OUR_ID and warning is None
    if kind.kind == "bounce" and not trusted_bounce:
        suggestion = "undelivered"
        why = kind.reason
        warning = warning or "this bounce quotes none of our letters' Message-IDs; it may be forged"
    if warning and suggestion:
        why = f"{why}; {warning}"
    case = mailread.case_number(words) if kind.kind in ("reply", "acknowledgement") else None
    defects = [type(d).__name__ for part in message.walk() for d in getattr(part, "defects", [])]
    found = mailread.attachments(message)
    blobs = private_blobs(store)
    stored = [blobs.put_bytes(a.data) for a in found]
    with store.db.conn:
        store.db.execute("BEGIN IMMEDIATE")
        row_id = store.db.execute(
            "insert into messages (request_id, direction, state, message_id, in_reply_to, subject, "
            "from_address, to_address, date, matched_by, suggested_event, suggested_reason, "
            "defects, raw, raw_sha256, identity, kind, kind_reason, case_number, imported_at) "
            "values (?, 'in', 'matched', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                request_id,
                mailread.header(message, "Message-ID"),
                mailread.header(message, "In-Reply-To"),
                subject,
                mailread.header(message, "From"),
                mailread.header(message, "To"),
                mailread.header(message, "Date"),
                how,
                suggestion,
                why,
                ", ".join(defects) or None,
                raw,
                hashlib.sha256(raw).hexdigest(),
                identity(raw),
                kind.kind,
                kind.reason,
                case,
                _now(),
            ],
        ).lastrowid
        store.db.conn.executemany(
            "insert into attachments (message_id, filename, mime, size, sha256, position, "
            "stored_name, note) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    row_id,
                    a.filename,
                    a.mime,
                    blob.size,
                    blob.sha256,
                    a.position,
                    a.stored_name,
                    a.note,
                )
                for a, blob in zip(found, stored, strict=True)
            ],
        )
    if trusted_bounce and store.received(request_id) is not None:
        # the bounce's own Date header, within what can be true: not before the letter was
        # received, not after today (a sender's clock, or a forger, may say anything)
        day = (mailread.sent_at(message) or _now())[:10]
        on = min(max(date.fromisoformat(day), store.received(request_id)), date.today())
        try:
            store.add_event(request_id, "undelivered", on, note=kind.reason, message_id=row_id)
        except RequestError as exc:  # e.g. the request was withdrawn: file it, record nothing
            suggestion, why = "undelivered", f"{kind.reason}; not recorded: {exc}"
            with store.db.conn:
                store.db.execute(
                    "update messages set suggested_event = ?, suggested_reason = ? where id = ?",
                    [suggestion, why, row_id],
                )
    return Imported(
        source, "filed", request["reference"], how, suggestion, kind=kind.kind, warning=warning
    )


def assign(store: RequestStore, quarantine_id: int, ref: int | str) -> Imported:
    """File a quarantined message against a request a person chose."""
    row = next(iter(store.db.query("select * from quarantine where id = ?", [quarantine_id])), None)
    if row is None:
        raise MailError(f"no quarantined message {quarantine_id}")
    if row["assigned_request_id"]:
        raise MailError(f"quarantined message {quarantine_id} was assigned already")
    request = store.get(ref)
    message = mailread.parse(row["raw"])
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


def _imap_size(client, uid: int) -> int | None:
    """A message's size as the server states it (RFC822.SIZE), asked before its body is."""
    status, parts = client.uid("fetch", str(uid), "(RFC822.SIZE)")
    for part in parts or []:
        line = part[0] if isinstance(part, tuple) else part
        found = re.search(rb"RFC822\.SIZE (\d{1,15})", line or b"")
        if found:
            return int(found.group(1))
    return None


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
        tokens = b" ".join(d for d in data or [] if isinstance(d, bytes)).split()
        for odd in [t for t in tokens if not t.isdigit()][:10]:  # a server's word, not a UID
            results.append(
                Imported(f"imap:{config['folder']}", "refused", reason=f"not a UID: {odd[:40]!r}")
            )
        uids = sorted({int(t) for t in tokens if t.isdigit() and int(t) > last})
        matcher = Matcher(store)
        blocked = False  # a message not stored yet keeps the UID from moving past it
        limit = _max_bytes()
        for uid in uids:
            source = f"imap:{config['folder']}:{uid}"
            try:
                size = _imap_size(client, uid)
                if size is not None and size > limit:
                    raw, status = b"", "too large"  # not fetched: its size says enough
                else:
                    # at most one byte over the limit, whatever the server said of the size
                    status, parts = client.uid("fetch", str(uid), f"(BODY.PEEK[]<0.{limit + 1}>)")
                    raw = next((p[1] for p in parts or [] if isinstance(p, tuple)), None)
            except (OSError, imaplib.IMAP4.error) as exc:
                raw, status = None, f"fetch failed ({exc})"
            if raw is None:
                results.append(
                    Imported(
                        source,
                        "refused",
                        reason=f"could not be fetched ({status}); retried next time",
                    )
                )
                blocked = True
                continue
            if status == "too large" or len(raw) > limit:
                found = RawMessage(source, None, f"larger than {limit >> 20} MB (WOO_MAIL_MAX_MB)")
            else:
                found = RawMessage(source, raw)
            results.append(_import_raw(store, matcher, found))
            if not blocked:
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
