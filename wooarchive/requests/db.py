"""The private requests database (requests.db): requests, campaigns, events, messages,
attachments and the quarantine of mail that matched no request.

Requesters' names, addresses and e-mail addresses live here and nowhere else: `woo serve`
never publishes this file, and nothing from it is copied into archive.db.
"""

from __future__ import annotations

from pathlib import Path

import sqlite_utils

from wooarchive.archive.db import Migration, open_database

EVENT_KINDS = (
    "sent",  # verzonden: the request went out
    "received",  # ontvangen: the body received it (ontvangstbevestiging gives the date)
    "verdaging",  # Woo: decision period extended; AVG: extension by two months
    "opschorting",  # invitation to complete or make the request more precise (Awb 4:15)
    "aangevuld",  # the requester completed the request: the opschorting ends
    "zienswijze_gevraagd",  # requester told a third party is asked for its view
    "zienswijze_gegeven",  # the view was given or its term passed
    "besluit",  # the decision was sent
    "ingebrekestelling",  # notice of default sent by the requester
    "bezwaar",  # objection lodged
    "beroep",  # appeal lodged
    "undelivered",  # our letter bounced: the body never received it
    "ingebrekestelling_ontvangen",  # the body received the notice of default (Awb 4:17 lid 3)
    "ingetrokken",  # the requester withdrew the request
    "note",
)


def _initial(db: sqlite_utils.Database) -> None:
    db["campaigns"].create(
        {"id": int, "name": str, "template": str, "subject": str, "created_at": str}, pk="id"
    )
    db["requests"].create(
        {
            "id": int,
            "reference": str,
            "law": str,
            "municipality_code": str,
            "subject": str,
            "template": str,
            "body": str,
            "campaign_id": int,
            "requester_name": str,
            "requester_email": str,
            "requester_address": str,
            "to_address": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("campaign_id", "campaigns", "id")],
    )
    db["requests"].create_index(["reference"], unique=True)
    db["events"].create(
        {
            "id": int,
            "request_id": int,
            "kind": str,
            "on_date": str,
            "note": str,
            "message_id": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("request_id", "requests", "id")],
    )
    db["messages"].create(
        {
            "id": int,
            "request_id": int,
            "direction": str,  # out | in
            "state": str,  # out: outbox | sent; in: matched
            "message_id": str,
            "in_reply_to": str,
            "subject": str,
            "from_address": str,
            "to_address": str,
            "date": str,
            "matched_by": str,
            "suggested_event": str,
            "suggested_reason": str,
            "defects": str,
            "raw": bytes,
            "imported_at": str,
        },
        pk="id",
        foreign_keys=[("request_id", "requests", "id")],
    )
    db["messages"].create_index(["message_id"], unique=True)
    db["attachments"].create(
        {"id": int, "message_id": int, "filename": str, "mime": str, "size": int, "sha256": str},
        pk="id",
        foreign_keys=[("message_id", "messages", "id")],
    )
    db["quarantine"].create(
        {
            "id": int,
            "message_id": str,
            "subject": str,
            "from_address": str,
            "date": str,
            "reason": str,
            "raw": bytes,
            "source": str,
            "imported_at": str,
            "assigned_request_id": int,
        },
        pk="id",
    )
    db["quarantine"].create_index(["message_id"])


def _imap_state(db: sqlite_utils.Database) -> None:
    """The last IMAP UID read per account and folder, so `woo mail fetch` reads only new mail
    (and starts over when the server's UIDVALIDITY changes)."""
    db["imap_state"].create(
        {"account": str, "folder": str, "uidvalidity": str, "last_uid": int, "fetched_at": str},
        pk=("account", "folder"),
    )


def _mail_identity(db: sqlite_utils.Database) -> None:
    """A message is its bytes: identity by the SHA-256 of the raw message with its line
    endings made LF (IMAP delivers CRLF what a saved file has as LF; a Message-ID is only a
    hint: some messages have none, others share one), beside the SHA-256 of the exact bytes. What kind of message it is (reply,
    bounce, auto-reply, acknowledgement) and the body's own case number; every attachment
    numbered, with the safe name it gets in a dossier; a quarantined message's candidates;
    and the sequence number of each calendar event, raised when the event moves."""
    import hashlib

    from wooarchive.requests.mailsource import identity

    db.conn.create_function("woo_sha256", 1, lambda raw: hashlib.sha256(raw or b"").hexdigest())
    db.conn.create_function("woo_identity", 1, lambda raw: identity(raw or b""))
    db.execute("drop index if exists idx_messages_message_id")
    db["messages"].create_index(["message_id"])
    for table in ("messages", "quarantine"):
        db[table].add_column("raw_sha256", str)
        db[table].add_column("identity", str)
        db.execute(f"update {table} set raw_sha256 = woo_sha256(raw), identity = woo_identity(raw)")
        db[table].create_index(["identity"])
    db["messages"].add_column("kind", str)
    db["messages"].add_column("kind_reason", str)
    db["messages"].add_column("case_number", str)
    db["quarantine"].add_column("candidates", str)
    db["quarantine"].add_column("kind", str)
    db["attachments"].add_column("position", int)
    db["attachments"].add_column("stored_name", str)
    db["attachments"].add_column("note", str)
    db.execute("update attachments set position = id, stored_name = filename")
    db["calendar_events"].create(
        {"uid": str, "dtstart": str, "sequence": int, "changed_at": str}, pk="uid"
    )


def _event_history(db: sqlite_utils.Database) -> None:
    """Events numbered per request (#1, #2, ... as `woo request show` lists them, so a hint
    never points at another request's event), the length a verdaging or an AVG extension names
    (days or months), and an audit trail: an event corrected or removed is never lost, its old
    and new form are kept in event_changes with when and why, and the dossier shows them."""
    db["events"].add_column("number", int)
    db["events"].add_column("length", int)
    db["events"].add_column("removed_at", str)
    db.execute(
        "update events set number = (select count(*) from events e2 "
        "where e2.request_id = events.request_id and e2.id <= events.id)"
    )
    db["event_changes"].create(
        {
            "id": int,
            "request_id": int,
            "event_number": int,
            "action": str,  # corrected | removed
            "before": str,  # JSON: kind, on_date, note, length
            "after": str,
            "reason": str,
            "changed_at": str,
        },
        pk="id",
        foreign_keys=[("request_id", "requests", "id")],
    )


MIGRATIONS: list[Migration] = [_initial, _imap_state, _mail_identity, _event_history]


def connect(path: Path) -> sqlite_utils.Database:
    return open_database(path, MIGRATIONS)
