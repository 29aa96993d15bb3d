"""Deadlines as an iCalendar feed (RFC 5545): one all-day event per date a requester must
watch.

Calendar clients keep an event by its UID and take a changed one only when its SEQUENCE is
higher, so the feed remembers each event's date in requests.db and raises the sequence when a
verdaging or opschorting moves it. DTSTAMP is the moment the feed was made, in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from icalendar import Calendar, Event

from wooarchive.requests.store import RequestStore, _now


def _sequence(store: RequestStore, uid: str, day: date) -> int:
    """The event's sequence number: 0 when new, one more each time its date changed."""
    row = store.db.execute(
        "select dtstart, sequence from calendar_events where uid = ?", [uid]
    ).fetchone()
    if row and row[0] == day.isoformat():
        return row[1]
    sequence = row[1] + 1 if row else 0
    with store.db.conn:
        store.db.execute(
            "insert or replace into calendar_events (uid, dtstart, sequence, changed_at) "
            "values (?, ?, ?, ?)",
            [uid, day.isoformat(), sequence, _now()],
        )
    return sequence


def feed(store: RequestStore, today: date | None = None) -> bytes:
    """Decision deadlines of open requests, bezwaar deadlines of decided ones, and the day
    beroep becomes possible, each naming its rule. No requester data goes in, nor the
    request's subject (which the requester may have written about themselves): the feed is
    often shared with a calendar service."""
    today = today or date.today()
    stamp = datetime.now(UTC).replace(microsecond=0)
    calendar = Calendar()
    calendar.add("prodid", "-//woo-archive//deadlines//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "woo-archive termijnen")
    for item in store.overview(today):
        t = store.timeline(item.id, today)
        if t is None:
            continue
        rules = {b.what: b.rule for b in t.basis}
        wanted = []
        if t.status in ("open", "overdue"):
            wanted.append(
                (
                    "due",
                    t.due,
                    f"Uiterste beslisdatum {item.reference} ({item.municipality})",
                    rules.get("due") or rules.get("original_due"),
                )
            )
        if t.objection_due:
            wanted.append(
                (
                    "objection_due",
                    t.objection_due,
                    f"Laatste dag bezwaar {item.reference} ({item.municipality})",
                    rules.get("objection_due"),
                )
            )
        if t.appeal_possible_from:
            wanted.append(
                (
                    "appeal",
                    t.appeal_possible_from,
                    f"Beroep mogelijk {item.reference} ({item.municipality})",
                    rules.get("appeal_possible_from"),
                )
            )
        for what, day, summary, rule in wanted:
            uid = f"{item.reference}-{what}@woo-archive"
            event = Event()
            event.add("uid", uid)
            event.add("summary", summary)
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
            event.add("dtstamp", stamp)
            event.add("sequence", _sequence(store, uid, day))
            event.add(
                "description",
                f"{item.law.capitalize()}-verzoek {item.reference} aan {item.municipality}\n"
                f"{rule or ''}\nStatus: {item.status}; {item.next_step}",
            )
            calendar.add_component(event)
    return calendar.to_ical()
