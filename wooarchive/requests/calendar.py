"""Deadlines as an iCalendar feed: one all-day event per date a requester must watch."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar, Event

from wooarchive.requests.store import RequestStore


def feed(store: RequestStore, today: date | None = None) -> bytes:
    """Decision deadlines of open requests, bezwaar deadlines of decided ones, and the day
    beroep becomes possible, each naming its rule. No requester data goes in (the feed is
    often shared with a calendar service)."""
    today = today or date.today()
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
            event = Event()
            event.add("uid", f"{item.reference}-{what}@woo-archive")
            event.add("summary", summary)
            event.add("dtstart", day)
            event.add("dtend", day + timedelta(days=1))
            event.add("dtstamp", t.today)
            event.add(
                "description",
                f"{item.subject}\n{rule or ''}\nStatus: {item.status}; {item.next_step}",
            )
            calendar.add_component(event)
    return calendar.to_ical()
