"""Requests, campaigns and their events; the status of each comes from the deadline engine.

A request's status is never stored: it is computed from its events (sent, received, verdaging,
opschorting, ...) by the pure deadline engine, so correcting an event corrects everything.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

import sqlite_utils

from wooarchive.archive import municipalities
from wooarchive.archive.store import Archive
from wooarchive.config import Settings, move_private
from wooarchive.requests import db as requests_db
from wooarchive.requests.deadlines import (
    DeadlineError,
    Events,
    Span,
    Timeline,
    timeline,
)
from wooarchive.requests.letters import OPENING, TEMPLATES, Requester, opening_due, render


class RequestError(ValueError):
    """A problem the user can act on; the message names the request, date or template."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _private_files(config: Settings) -> None:
    """requests.db (SQLite gives its -wal and -shm files the same mode) and the private
    attachments are the requester's: readable by the owner only, whatever the umask."""
    move_private(config)
    path = config.requests_db
    config.private_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(config.private_dir, 0o700)
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            os.chmod(name, 0o600)


def _day(event: dict) -> date:
    return date.fromisoformat(event["on_date"])


def _possible(request: dict, event: dict, before: list[dict], start: date | None) -> None:
    """Refuse an event that cannot have happened after ``before`` (the request's earlier
    events), with the rule it breaks: a day still to come, a second 'sent' (unless the first
    letter bounced), a second 'received', 'received' before 'sent', 'sent' after 'received',
    anything but sending and receipt before the request was first sent or received on
    ``start`` (so no event predates the request), anything after a withdrawal, an
    ingebrekestelling received that was never sent, a second verdaging. (How long a verdaging may
    be is the engine's rule, checked when the history is counted.)"""
    reference, kind, on_date = request["reference"], event["kind"], _day(event)
    if on_date > date.today():
        raise RequestError(
            f"{reference}: {kind} on {on_date} is in the future; record what happened"
        )
    sent = [_day(e) for e in before if e["kind"] == "sent"]
    received = [_day(e) for e in before if e["kind"] == "received"]
    bounced = [_day(e) for e in before if e["kind"] == "undelivered"]
    withdrawn = [_day(e) for e in before if e["kind"] == "ingetrokken"]
    if withdrawn and kind != "note":
        raise RequestError(
            f"{reference} was withdrawn on {withdrawn[0]}; after that only a note can be recorded"
        )
    if kind == "sent" and sent and not (bounced and max(bounced) >= max(sent)):
        raise RequestError(
            f"{reference} was sent on {max(sent)} already; only a letter that bounced "
            "(undelivered) is sent again"
        )
    if kind == "received" and received:
        raise RequestError(f"{reference} was received on {received[0]} already")
    if kind == "received" and sent and on_date < min(sent):
        raise RequestError(
            f"{reference}: received on {on_date} is before it was sent ({min(sent)})"
        )
    if kind == "sent" and received and on_date > received[0]:
        raise RequestError(
            f"{reference}: received on {received[0]} is before it was sent ({on_date})"
        )
    if kind not in ("sent", "received", "note") and start is None:
        raise RequestError(f"{reference} has not been sent: record 'sent' or 'received' first")
    if start and on_date < start and kind not in ("sent", "received", "note"):
        raise RequestError(f"{kind} on {on_date} is before {reference} was received ({start})")
    if kind == "ingebrekestelling_ontvangen" and not any(
        e["kind"] == "ingebrekestelling" for e in before
    ):
        raise RequestError(
            f"{reference}: an ingebrekestelling received needs the ingebrekestelling sent "
            "(record 'ingebrekestelling' first)"
        )
    if event.get("length") is not None and kind != "verdaging":
        raise RequestError(f"{reference}: only a verdaging has a length, not {kind}")
    earlier = [_day(e) for e in before if e["kind"] == "verdaging"]
    if kind == "verdaging" and earlier:
        raise RequestError(
            f"{reference} was extended on {earlier[0]} already; the law allows one verdaging "
            "(Woo art. 4.4 lid 2, AVG art. 12 lid 3): correct that event instead"
        )


def _received(events: list[dict]) -> date | None:
    """The day the body received the request: the 'received' event (an acknowledgement gives
    it), else the day it was sent (e-mail arrives the same day)."""
    rows = {e["kind"]: e["on_date"] for e in events if e["kind"] in ("sent", "received")}
    day = rows.get("received") or rows.get("sent")
    return date.fromisoformat(day) if day else None


def _engine_events(law: str, events: list[dict], today: date) -> Events:
    """What the engine counts with. Of several ingebrekestellingen the first sent after the
    deadline counts (an earlier one was premature), with the first receipt recorded after it."""
    base = _first_events(law, events, today)
    sent = sorted(_day(e) for e in events if e["kind"] == "ingebrekestelling")
    if len(sent) < 2:
        return base
    received = _received(events)
    due = (
        timeline(
            law,
            received,
            replace(base, ingebrekestelling_on=None, ingebrekestelling_received=None),
            today=today,
        ).due
        if received
        else None
    )
    valid = [day for day in sent if due is None or day > due] or sent
    receipts = sorted(
        _day(e)
        for e in events
        if e["kind"] == "ingebrekestelling_ontvangen" and _day(e) >= valid[0]
    )
    return replace(
        base,
        ingebrekestelling_on=valid[0],
        ingebrekestelling_received=receipts[0] if receipts else None,
    )


def _first_events(law: str, events: list[dict], today: date) -> Events:
    def first(kind: str) -> dict | None:
        found = [e for e in events if e["kind"] == kind]
        return min(found, key=_day) if found else None

    def on(kind: str) -> date | None:
        event = first(kind)
        return _day(event) if event else None

    def spans(start: str, end: str) -> tuple[Span, ...]:
        starts = sorted(_day(e) for e in events if e["kind"] == start)
        ends = sorted(_day(e) for e in events if e["kind"] == end)
        result = []
        for index, begin in enumerate(starts):
            # still running: suspended up to today
            finish = ends[index] if index < len(ends) else max(today, begin)
            result.append(Span(begin, finish))
        return tuple(result)

    verdaging = first("verdaging")
    length = verdaging.get("length") if verdaging else None
    return Events(
        extended_on=on("verdaging"),
        extended_days=length if law == "woo" else None,
        extended_months=length if law == "avg" else None,
        suspended=spans("opschorting", "aangevuld"),
        zienswijze=spans("zienswijze_gevraagd", "zienswijze_gegeven"),
        decided_on=on("besluit"),
        ingebrekestelling_on=on("ingebrekestelling"),
        ingebrekestelling_received=on("ingebrekestelling_ontvangen"),
        withdrawn_on=on("ingetrokken"),
    )


def _chronological(events: list[dict]) -> list[dict]:
    return sorted(events, key=lambda e: (e["on_date"], e["number"] or 0))


@dataclass
class Overview:
    id: int
    reference: str
    law: str
    municipality_code: str
    municipality: str
    subject: str
    status: str  # draft | open | overdue | decided_on_time | decided_late
    received: date | None
    due: date | None
    days_late: int
    next_step: str


class RequestStore:
    def __init__(self, config: Settings):
        self.settings = config
        self.archive = Archive(config)  # the municipalities (read only)
        _private_files(config)
        self.db: sqlite_utils.Database = requests_db.connect(config.requests_db)

    # -- creating --------------------------------------------------------------------------

    def _reference(self, law: str, year: int) -> str:
        prefix = f"{law.upper()}-{year}-"
        row = self.db.execute(
            "select max(cast(substr(reference, ?) as integer)) from requests where reference like ?",
            [len(prefix) + 1, prefix + "%"],
        ).fetchone()
        return f"{prefix}{(row[0] or 0) + 1:04d}"

    def new_request(
        self,
        *,
        template: str,
        municipality_code: str,
        requester: Requester,
        subject: str | None = None,
        campaign_id: int | None = None,
        today: date | None = None,
        to_address: str | None = None,
    ) -> dict:
        """Write a request from an opening template (woo_* or avg_*) to one municipality, to
        its address on file or to ``to_address`` (for one with none, or a better one)."""
        if template not in OPENING:
            raise RequestError(
                f"{template!r} does not open a request; choose from: {', '.join(OPENING)}"
            )
        law = TEMPLATES[template][0]
        if template == "woo_algemeen" and not subject:
            raise RequestError("woo_algemeen needs --subject: what documents are you asking for?")
        municipality = municipalities.get(self.archive.db, municipality_code)
        if municipality is None:
            raise RequestError(f"unknown municipality code {municipality_code!r}")
        today = today or date.today()
        with self.db.conn:
            self.db.execute("BEGIN IMMEDIATE")
            reference = self._reference(law, today.year)
            body = self._opening_letter(
                template, requester, municipality, reference, subject or "", today
            )
            subject_line = body.split("Onderwerp: ", 1)[1].splitlines()[0]
            request_id = self.db.execute(
                "insert into requests (reference, law, municipality_code, subject, template, body, "
                "campaign_id, requester_name, requester_email, requester_address, to_address, created_at) "
                "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    reference,
                    law,
                    municipality["code"],
                    subject or subject_line,
                    template,
                    body,
                    campaign_id,
                    requester.name,
                    requester.email,
                    requester.address,
                    check_address(to_address) if to_address else municipality["email"],
                    _now(),
                ],
            ).lastrowid
        return self.get(request_id)

    @staticmethod
    def _opening_letter(
        template: str,
        requester: Requester,
        municipality: dict,
        reference: str,
        subject: str,
        today: date,
    ) -> str:
        law = TEMPLATES[template][0]
        return render(
            template,
            requester=requester,
            municipality=municipality,
            reference=reference,
            subject=subject,
            today=today,
            due=opening_due(law, today),
        )

    def date_letter(self, ref: int | str, today: date) -> dict:
        """Write the letter again as of the day it is sent, so its date and the deadline it
        announces are those of that day, not of the day it was drafted."""
        request = self.get(ref)
        municipality = municipalities.get(self.archive.db, request["municipality_code"])
        requester = Requester(
            request["requester_name"],
            request["requester_email"],
            request["requester_address"] or "",
        )
        # only a subject the user gave goes back into the letter (else it holds the subject line)
        given = request["subject"] if request["template"] in ("woo_algemeen", "avg_inzage") else ""
        subject = "" if given.startswith("Verzoek om inzage") else given
        body = self._opening_letter(
            request["template"], requester, municipality, request["reference"], subject, today
        )
        with self.db.conn:
            self.db.execute("update requests set body = ? where id = ?", [body, request["id"]])
        return self.get(request["id"])

    def new_campaign(
        self,
        *,
        template: str,
        codes: list[str],
        requester: Requester,
        subject: str | None = None,
        name: str | None = None,
        today: date | None = None,
    ) -> tuple[int, list[dict], list[tuple[str, str]]]:
        """One request per municipality; those without an e-mail address on file are skipped
        and named, not silently dropped."""
        if template not in OPENING:
            raise RequestError(
                f"{template!r} does not open a request; choose from: {', '.join(OPENING)}"
            )
        with self.db.conn:
            campaign_id = self.db.execute(
                "insert into campaigns (name, template, subject, created_at) values (?, ?, ?, ?)",
                [
                    name or f"{template} {(today or date.today()).isoformat()}",
                    template,
                    subject,
                    _now(),
                ],
            ).lastrowid
        created, skipped = [], []
        for code in codes:
            row = municipalities.get(self.archive.db, code)
            if row is None:
                skipped.append((code, "unknown municipality code"))
                continue
            if not row["email"]:
                skipped.append((code, f"{row['name']}: no e-mail address on file"))
                continue
            created.append(
                self.new_request(
                    template=template,
                    municipality_code=code,
                    requester=requester,
                    subject=subject,
                    campaign_id=campaign_id,
                    today=today,
                )
            )
        return campaign_id, created, skipped

    # -- reading ---------------------------------------------------------------------------

    def get(self, ref: int | str) -> dict:
        """A request by id or by reference (WOO-2026-0042)."""
        text = str(ref).strip()
        if text.isdigit():
            rows = list(self.db.query("select * from requests where id = ?", [int(text)]))
        else:
            rows = list(self.db.query("select * from requests where reference = ?", [text.upper()]))
        if not rows:
            raise RequestError(f"no request {ref!r}")
        return rows[0]

    def events(self, request_id: int) -> list[dict]:
        """The request's events as they stand (removed ones are in the audit trail only)."""
        return list(
            self.db.query(
                "select * from events where request_id = ? and removed_at is null "
                "order by on_date, number, id",
                [request_id],
            )
        )

    def changes(self, request_id: int) -> list[dict]:
        """The audit trail: every event corrected or removed, before and after."""
        return list(
            self.db.query(
                "select * from event_changes where request_id = ? order by id", [request_id]
            )
        )

    def _validate(self, request: dict, events: list[dict]) -> None:
        """A whole history, replayed in the order it happened: every event possible after the
        ones before it, and the deadline engine able to count it."""
        ordered = _chronological(events)
        first = min((_day(e) for e in ordered if e["kind"] in ("sent", "received")), default=None)
        for index, event in enumerate(ordered):
            _possible(request, event, ordered[:index], first)
        received = _received(ordered)
        if received is None:
            return
        try:
            timeline(
                request["law"],
                received,
                _engine_events(request["law"], ordered, date.today()),
                today=date.today(),
            )
        except DeadlineError as exc:
            raise RequestError(f"{request['reference']}: {exc}") from exc

    def add_event(
        self,
        ref: int | str,
        kind: str,
        on_date: date,
        note: str | None = None,
        message_id: int | None = None,
        length: int | None = None,
    ) -> dict:
        """Record what happened on a day; refused, with nothing stored, when the law says it
        cannot have happened (see ``_possible``). ``length`` is what a verdaging names: days
        for the Woo (at most 14), months for the AVG (at most 2)."""
        if kind not in requests_db.EVENT_KINDS:
            raise RequestError(
                f"unknown event {kind!r}; choose from: {', '.join(requests_db.EVENT_KINDS)}"
            )
        request = self.get(ref)
        with self.db.conn:  # number, check and insert in one transaction: a mail import and
            self.db.execute("BEGIN IMMEDIATE")  # the user at once never share a number
            events = self.events(request["id"])
            number = 1 + max(
                (
                    row[0] or 0
                    for row in self.db.execute(
                        "select number from events where request_id = ?", [request["id"]]
                    )
                ),
                default=0,
            )
            event = {
                "kind": kind,
                "on_date": on_date.isoformat(),
                "note": note,
                "number": number,
                "length": length,
            }
            self._validate(request, [*events, event])
            event_id = self.db.execute(
                "insert into events (request_id, number, kind, on_date, note, length, message_id, "
                "created_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    request["id"],
                    number,
                    kind,
                    on_date.isoformat(),
                    note,
                    length,
                    message_id,
                    _now(),
                ],
            ).lastrowid
        return next(self.db.query("select * from events where id = ?", [event_id]))

    def _event(self, request: dict, number: int) -> dict:
        for event in self.events(request["id"]):
            if event["number"] == number:
                return event
        raise RequestError(
            f"{request['reference']} has no event #{number}; `woo request show "
            f"{request['reference']}` lists them"
        )

    def correct_event(
        self,
        ref: int | str,
        number: int,
        *,
        reason: str,
        on_date: date | None = None,
        note: str | None = None,
        length: int | None = None,
    ) -> dict:
        """Change an event's date, note or length; the old form stays in the audit trail. The
        whole history is checked again first: a correction cannot make it impossible."""
        request = self.get(ref)
        event = self._event(request, number)
        after = {
            **event,
            "on_date": on_date.isoformat() if on_date else event["on_date"],
            "note": note if note is not None else event["note"],
            "length": length if length is not None else event["length"],
        }
        others = [e for e in self.events(request["id"]) if e["number"] != number]
        self._validate(request, [*others, after])
        self._change(request, event, "corrected", reason, after)
        return self._event(request, number)

    def remove_event(self, ref: int | str, number: int, *, reason: str) -> dict:
        """Take an event recorded by mistake out of the history; it stays in the audit trail.
        Refused when what is left cannot have happened (a verdaging without the request sent)."""
        request = self.get(ref)
        event = self._event(request, number)
        self._validate(request, [e for e in self.events(request["id"]) if e["number"] != number])
        self._change(request, event, "removed", reason, None)
        return event

    def _change(
        self, request: dict, event: dict, action: str, reason: str, after: dict | None
    ) -> None:
        if not (reason or "").strip():
            raise RequestError(
                f"{request['reference']}: say why (--reason): the dossier shows every change"
            )
        fields = ("kind", "on_date", "note", "length")
        with self.db.conn:
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute(
                "insert into event_changes (request_id, event_number, action, before, after, "
                "reason, changed_at) values (?, ?, ?, ?, ?, ?, ?)",
                [
                    request["id"],
                    event["number"],
                    action,
                    json.dumps({k: event[k] for k in fields}, ensure_ascii=False),
                    json.dumps({k: after[k] for k in fields}, ensure_ascii=False)
                    if after
                    else None,
                    reason.strip(),
                    _now(),
                ],
            )
            if after is None:
                self.db.execute(
                    "update events set removed_at = ? where id = ?", [_now(), event["id"]]
                )
            else:
                self.db.execute(
                    "update events set on_date = ?, note = ?, length = ? where id = ?",
                    [after["on_date"], after["note"], after["length"], event["id"]],
                )

    def withdraw(self, ref: int | str, on_date: date, note: str | None = None) -> dict:
        """The requester withdrew the request: no deadline runs any more."""
        return self.add_event(ref, "ingetrokken", on_date, note)

    def received(self, request_id: int) -> date | None:
        """The day the body received the request (see ``_received``)."""
        return _received(self.events(request_id))

    def timeline(self, request_id: int, today: date | None = None) -> Timeline | None:
        request = self.get(request_id)
        events = self.events(request_id)
        received = _received(events)
        if received is None:
            return None
        today = today or date.today()
        return timeline(
            request["law"], received, _engine_events(request["law"], events, today), today=today
        )

    def overview(self, today: date | None = None) -> list[Overview]:
        today = today or date.today()
        names = dict(self.archive.db.execute("select code, name from municipalities"))
        rows = []
        for request in self.db.query("select * from requests order by id"):
            bounced = self.undelivered(request["id"])
            t = None if bounced else self.timeline(request["id"], today)
            status = "undelivered" if bounced else (t.status if t else "draft")
            rows.append(
                Overview(
                    request["id"],
                    request["reference"],
                    request["law"],
                    request["municipality_code"],
                    names.get(request["municipality_code"], request["municipality_code"]),
                    request["subject"],
                    status,
                    t.received if t else None,
                    t.due if t else None,
                    t.days_late if t else 0,
                    next_step(request, t, bounced, self.outboxed(request["id"])),
                )
            )
        return rows

    def undelivered(self, request_id: int) -> dict | None:
        """The 'undelivered' event (a bounce) when the letter has not been sent again since."""
        latest = None
        for event in self.events(request_id):
            if event["kind"] == "sent":
                latest = None
            elif event["kind"] == "undelivered":
                latest = event
        return latest

    def outboxed(self, request_id: int) -> bool:
        """Written to an outbox and not yet recorded as sent."""
        row = self.db.execute(
            "select 1 from messages where request_id = ? and direction = 'out' and state = 'outbox'",
            [request_id],
        ).fetchone()
        return row is not None and self.received(request_id) is None


def check_address(address: str) -> str:
    address = address.strip()
    if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", address):
        raise RequestError(f"{address!r} is not an e-mail address")
    return address


def next_step(
    request: dict, t: Timeline | None, bounced: dict | None = None, outboxed: bool = False
) -> str:
    """What the requester can do now, in Dutch legal terms."""
    if bounced:
        return (
            f"niet bezorgd ({bounced['note'] or 'bounce'}): adres controleren en opnieuw "
            f"verzenden: woo request send {request['reference']} --to ADRES"
        )
    if t is None and outboxed:
        return (
            f"verstuur de .eml uit de outbox en leg de dag vast: "
            f"woo request event {request['reference']} sent --on DATUM"
        )
    if t is None:
        return f"verzenden: woo request send {request['reference']}"
    if t.status == "open":
        return f"wachten op besluit, uiterlijk {t.due}"
    if t.status == "overdue":
        if t.appeal_possible_from:
            return f"beroep niet tijdig beslissen mogelijk vanaf {t.appeal_possible_from}"
        return (
            f"ingebrekestelling sturen: woo request letter {request['reference']} "
            f"ingebrekestelling_{t.law}"
        )
    if t.status == "withdrawn":
        return "ingetrokken: geen termijn meer"
    return f"bezwaar mogelijk tot en met {t.objection_due}"
