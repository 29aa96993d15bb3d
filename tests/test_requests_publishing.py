"""What leaves requests.db: a calendar feed that RFC 5545 parsers accept and that tells a
moved deadline as a new sequence, exact Kaplan-Meier statistics, small cells suppressed, and
the survival curves as pictures with their data beside them."""

from __future__ import annotations

import asyncio
import re
from datetime import date, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from wooarchive.cli import cli
from wooarchive.config import settings
from wooarchive.requests.letters import Requester
from wooarchive.requests.stats import kaplan_meier, kaplan_meier_median
from wooarchive.requests.store import RequestStore
from wooarchive.web.serve import datasette_app

SUBJECT = "Mijn eigen dossier bij de afdeling schulddienstverlening"


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def store(data_dir: Path) -> RequestStore:
    return RequestStore(settings())


def request(store: RequestStore, code: str, sent: date, subject: str | None = None) -> int:
    row = store.new_request(
        template="woo_algemeen",
        municipality_code=code,
        requester=Requester("Fenna de Vries", "fenna@onderzoek.example", "Lindenlaan 12"),
        subject=subject or "besluiten over cameratoezicht",
        today=sent,
    )
    store.add_event(row["id"], "sent", sent)
    return row["id"]


def test_the_calendar_is_rfc5545_and_a_moved_deadline_gets_a_higher_sequence(
    store: RequestStore,
) -> None:
    request_id = request(store, "GM0363", date(2026, 2, 2), SUBJECT)
    first = woo("requests", "ics", "--today", "2026-02-10").stdout_bytes
    again = woo("requests", "ics", "--today", "2026-02-11").stdout_bytes
    store.add_event(request_id, "verdaging", date(2026, 2, 20))
    moved = woo("requests", "ics", "--today", "2026-02-21").stdout_bytes

    def due(feed: bytes):
        calendar = Calendar.from_ical(feed)
        [event] = [e for e in calendar.walk("VEVENT") if str(e["uid"]).endswith("-due@woo-archive")]
        return event

    for feed in (first, again, moved):
        event = due(feed)
        stamp = event.decoded("dtstamp")
        assert isinstance(stamp, datetime) and stamp.utcoffset() == timedelta(0)
        assert re.search(rb"DTSTAMP:\d{8}T\d{6}Z\r\n", feed)
        assert SUBJECT.encode() not in feed and b"Fenna" not in feed
    assert (due(first)["sequence"], due(again)["sequence"], due(moved)["sequence"]) == (0, 0, 1)
    assert due(first).decoded("dtstart") == date(2026, 3, 2)
    assert due(moved).decoded("dtstart") == date(2026, 3, 16)


def test_the_kaplan_meier_median_is_exact_at_one_half() -> None:
    # six decided on days 1..6: after day 3 exactly half are undecided (5/6 * 4/5 * 3/4 = 1/2),
    # which floating point computes as a hair above 0.5 and so calls the median day 4
    durations = [(d, True) for d in range(1, 7)]
    steps = kaplan_meier(durations)
    assert steps[2].survival == Fraction(1, 2)
    assert kaplan_meier_median(durations) == 3
    censored = kaplan_meier([(10, True), (20, False), (30, True)])
    assert [s.survival for s in censored] == [Fraction(2, 3), Fraction(2, 3), Fraction(0)]
    assert [s.censored for s in censored] == [0, 1, 0]


def test_small_cells_are_suppressed_and_the_curves_are_published_as_pictures_with_data(
    store: RequestStore,
) -> None:
    for n in range(6):
        request_id = request(store, "GM0363", date(2026, 1, 5) + timedelta(days=n))
        if n < 4:
            store.add_event(request_id, "besluit", date(2026, 1, 20) + timedelta(days=3 * n))
    lone = request(store, "GM0599", date(2026, 1, 6))  # one AVG-like lone request: must not show
    store.add_event(lone, "besluit", date(2026, 1, 30))
    published = woo("requests", "publish-stats", "--today", "2026-03-01")
    assert (
        "2 cells" in published.output and "1 municipalities with fewer than 5" in published.output
    )
    archive = store.archive.db
    assert {r[0] for r in archive.execute("select municipality_code from request_stats")} == {
        "GM0363",
        "NL",
    }
    assert (
        archive.execute(
            "select requests from request_stats where municipality_code = 'NL'"
        ).fetchone()[0]
        == 7
    )

    ds = datasette_app(settings())
    page = asyncio.run(ds.client.get("/-/statistieken"))
    assert page.status_code == 200
    html = page.text
    assert html.count("<svg") == 2 and "Amsterdam" in html and "Rotterdam" not in html
    assert "request_survival.csv?municipality_code=GM0363" in html
    csv = asyncio.run(
        ds.client.get("/archive/request_survival.csv?municipality_code=GM0363&_size=max")
    )
    assert csv.status_code == 200 and csv.text.count("\n") == 1 + 6  # header + six days


def test_a_reader_never_sees_the_statistics_half_published(store: RequestStore) -> None:
    import sqlite3
    import threading

    from wooarchive.requests.stats import publish

    for n in range(6):
        request_id = request(store, "GM0363", date(2026, 1, 5) + timedelta(days=n))
        store.add_event(request_id, "besluit", date(2026, 1, 20) + timedelta(days=2 * n))
    publish(store, date(2026, 3, 1))
    reader = sqlite3.connect(store.archive.settings.archive_db, timeout=30, check_same_thread=False)
    expected = reader.execute(
        "select (select count(*) from request_stats), (select count(*) from request_survival)"
    ).fetchone()
    assert expected == (2, 12)  # GM0363 and NL, a curve of six steps each
    seen, done = set(), threading.Event()

    def read() -> None:
        while not done.is_set():
            seen.add(
                reader.execute(
                    "select (select count(*) from request_stats), "
                    "(select count(*) from request_survival)"
                ).fetchone()
            )

    thread = threading.Thread(target=read)
    thread.start()
    try:
        for _ in range(30):
            publish(store, date(2026, 3, 1))
    finally:
        done.set()
        thread.join(timeout=30)
    assert seen == {expected}  # never none, never a part
