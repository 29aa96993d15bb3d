"""Anchors: the heads of the capture chain and the ledger, signed (and timestamped) at the end of
every crawl run and index run, so that history rewritten with its chain recomputed shows.

A hash chain alone catches a changed row only if nobody recomputed the chain after it: someone
with write access to archive.db can rewrite a capture and every entry after it. An anchor holds
the chain's entry hash at a capture id and the ledger's at an entry id, signed with the user's
key (which lives in the private directory, not beside archive.db) and, when WOO_TSA_URL is set,
stamped by an RFC 3161 time-stamp authority. `woo verify` checks that every anchor's signature
holds and that the chain and ledger still hold the anchored hashes at the anchored places: a
recomputed chain no longer does. Without a signing key an anchor is made unsigned, and verify
says that such anchors could be recomputed too.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator

from wooarchive.archive import keys, timestamp
from wooarchive.archive.store import Archive, now, utc_iso

FIELDS = ("made_at", "reason", "capture_id", "capture_hash", "ledger_id", "ledger_hash")


def digest(values: dict) -> str:
    """What an anchor signs: its fields as canonical JSON, hashed ("sha256:HEX")."""
    canonical = json.dumps(
        {k: values.get(k) for k in FIELDS}, sort_keys=True, separators=(",", ":")
    )
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def make(archive: Archive, reason: str) -> dict | None:
    """Anchor the heads as they are now (nothing to anchor: None). Signed when the user has a
    key, timestamped when WOO_TSA_URL is set; neither is required to make one."""
    conn = archive.db.conn
    capture = conn.execute(
        "select capture_id, entry_hash from capture_chain order by capture_id desc limit 1"
    ).fetchone()
    entry = conn.execute("select id, entry_hash from ledger order by id desc limit 1").fetchone()
    if capture is None and entry is None:
        return None
    last = conn.execute(
        "select capture_id, ledger_id from anchors order by id desc limit 1"
    ).fetchone()
    if last is not None and last == (capture[0] if capture else None, entry[0] if entry else None):
        return None  # nothing new since the last anchor
    values = {
        "made_at": utc_iso(now()),
        "reason": reason,
        "capture_id": capture[0] if capture else None,
        "capture_hash": capture[1] if capture else None,
        "ledger_id": entry[0] if entry else None,
        "ledger_hash": entry[1] if entry else None,
    }
    signed = digest(values)
    signature, stamp = None, None
    try:
        key = keys.load_key(keys.key_path(archive.settings))
    except keys.SigningKeyError:
        key = None
    if key is not None:
        signature = json.dumps(
            keys.signed_data(key, signed, values["made_at"], archive.settings.tool)
        )
    if timestamp.tsa_url():
        try:
            stamp = json.dumps(timestamp.request_token(timestamp.tsa_url(), signed))
        except timestamp.TimestampError:
            stamp = None  # the anchor stands without it; verify says it has none
    with archive.writing():
        archive.db.execute(
            f"insert into anchors ({', '.join(FIELDS)}, signature, timestamp) "
            f"values ({', '.join('?' * (len(FIELDS) + 2))})",
            [*(values[k] for k in FIELDS), signature, stamp],
        )
    archive.flush()
    return {**values, "signed": signature is not None, "timestamped": stamp is not None}


def check(conn: sqlite3.Connection, expected_key: str | None = None) -> Iterator[str]:
    """Every anchor that does not hold, described; and a note when anchors are unsigned.
    ``expected_key``: the fingerprint of the user's own key, when it is at hand."""
    chain_at = dict(conn.execute("select capture_id, entry_hash from capture_chain").fetchall())
    ledger_at = dict(conn.execute("select id, entry_hash from ledger").fetchall())
    unsigned = 0
    for row in conn.execute(
        f"select id, {', '.join(FIELDS)}, signature, timestamp from anchors order by id"
    ).fetchall():
        anchor_id, values = row[0], dict(zip(FIELDS, row[1:7], strict=True))
        signature, stamp = row[7], row[8]
        signed = digest(values)
        if (
            values["capture_id"] is not None
            and chain_at.get(values["capture_id"]) != values["capture_hash"]
        ):
            yield (
                f"anchor {anchor_id} ({values['made_at']}): the capture chain at capture "
                f"{values['capture_id']} is not what was anchored (history rewritten)"
            )
        if (
            values["ledger_id"] is not None
            and ledger_at.get(values["ledger_id"]) != values["ledger_hash"]
        ):
            yield (
                f"anchor {anchor_id} ({values['made_at']}): the ledger at entry "
                f"{values['ledger_id']} is not what was anchored (history rewritten)"
            )
        if signature is None:
            unsigned += 1
        else:
            container = {"hash": signed, "signedData": json.loads(signature)}
            if container["signedData"].get("hash") != signed or not keys.check_signed(
                container, signed
            ):
                yield f"anchor {anchor_id}: its signature does not hold (the anchor was changed)"
            elif (
                expected_key
                and keys.fingerprint(container["signedData"].get("publicKey", "")) != expected_key
            ):
                yield f"anchor {anchor_id}: signed by another key than yours"
        if stamp is not None:
            result = timestamp.verify_token(json.loads(stamp), signed)
            if result.ok is False:
                yield f"anchor {anchor_id}: its timestamp does not hold ({result.detail})"
    if unsigned:
        yield (
            f"note: {unsigned} anchors are unsigned (no signing key when they were made: run "
            "woo keys init), so a rewrite that recomputed them too would not show"
        )
