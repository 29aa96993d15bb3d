"""Deadline cases worked out by hand, per topic of issue 24: the days decreed equal to holidays,
the length of a verdaging and of an AVG extension, the dwangsom of a late AVG decision, and the
day an ingebrekestelling was received. Each case's comment counts its days with the article
behind each; the engine must agree.

Calendar facts used below (all checked against a printed calendar):
Hemelvaartsdag 25 May 2017, 10 May 2018, 30 May 2019, 14 May 2026, 6 May 2027, 25 May 2028;
Koningsdag on a Thursday (27 April) in 2017, 2023 and 2028.
"""

from __future__ import annotations

from datetime import date

import pytest

from wooarchive.requests.deadlines import (
    DeadlineError,
    Events,
    Span,
    dwangsom_amount,
    timeline,
)
from wooarchive.requests.holidays import last_decreed_year, shipped_days

d = date.fromisoformat
TODAY = d("2026-11-23")


def on_days(events: dict[str, str]) -> Events:
    """Events from ISO dates, as a case table writes them."""
    return Events(**{k: d(v) for k, v in events.items()})


def woo_due(received: str, **events) -> date:
    return timeline("woo", d(received), Events(**events), today=TODAY).due


# -- 1. Days made equal to holidays by royal decree (Atw art. 3 lid 3) --------------------------
DECREE_CASES = [
    # 31 Mar 2017 + 28 days (Woo 4.4 lid 1) = Fri 28 Apr 2017, decreed (Besluit van 24 oktober
    # 2016); Sat 29, Sun 30 (Atw 1): Mon 1 May
    ("woo", "2017-03-31", "2017-05-01", "Besluit van 24 oktober 2016"),
    # 28 Apr 2017 + 28 = Fri 26 May 2017, decreed (day after Hemelvaartsdag); weekend: Mon 29 May
    ("woo", "2017-04-28", "2017-05-29", "Besluit van 24 oktober 2016"),
    # 13 Apr 2018 + 28 = Fri 11 May 2018, decreed; weekend: Mon 14 May
    ("woo", "2018-04-13", "2018-05-14", "Besluit van 24 oktober 2016"),
    # 26 Nov 2018 + 28 = Mon 24 Dec 2018, decreed; 25, 26 Dec Kerstdagen (Atw 3 lid 1): Thu 27 Dec
    ("woo", "2018-11-26", "2018-12-27", "Besluit van 24 oktober 2016"),
    # 3 Dec 2018 + 28 = Mon 31 Dec 2018, decreed; 1 Jan Nieuwjaarsdag: Wed 2 Jan 2019
    ("woo", "2018-12-03", "2019-01-02", "Besluit van 24 oktober 2016"),
    # 3 May 2019 + 28 = Fri 31 May 2019, decreed; weekend: Mon 3 June
    ("woo", "2019-05-03", "2019-06-03", "Besluit van 24 oktober 2016"),
    # 29 Nov 2019 + 28 = Fri 27 Dec 2019, decreed; weekend: Mon 30 Dec
    ("woo", "2019-11-29", "2019-12-30", "Besluit van 24 oktober 2016"),
    # 29 Apr 2022 + 28 = Fri 27 May 2022, decreed; weekend: Mon 30 May
    ("woo", "2022-04-29", "2022-05-30", "27 mei 2022"),
    # 31 Mar 2023 + 28 = Fri 28 Apr 2023, decreed; weekend: Mon 1 May
    ("woo", "2023-03-31", "2023-05-01", "28 april 2023"),
    # 29 Nov 2024 + 28 = Fri 27 Dec 2024, decreed; weekend: Mon 30 Dec
    ("woo", "2024-11-29", "2024-12-30", "27 december 2024"),
    # 5 Dec 2025 + 28 = Fri 2 Jan 2026, decreed; weekend: Mon 5 Jan
    ("woo", "2025-12-05", "2026-01-05", "2 januari 2026"),
    # 9 Apr 2027 + 28 = Fri 7 May 2027, decreed; weekend: Mon 10 May
    ("woo", "2027-04-09", "2027-05-10", "2 januari 2026"),
    # 31 Mar 2028 + 28 = Fri 28 Apr 2028, decreed; weekend: Mon 1 May
    ("woo", "2028-03-31", "2028-05-01", "2 januari 2026"),
    # AVG: 2 Dec 2025 + one month (AVG 12 lid 3, Reg. 1182/71 art. 3 lid 2 c) = Fri 2 Jan 2026,
    # decreed, a holiday for the Dutch calendar Reg. 1182/71 art. 3 lid 4 refers to: Mon 5 Jan
    ("avg", "2025-12-02", "2026-01-05", "2 januari 2026"),
]


@pytest.mark.parametrize(("law", "received", "expected", "decree"), DECREE_CASES)
def test_a_decreed_day_moves_the_deadline_and_names_its_decree(
    law: str, received: str, expected: str, decree: str
) -> None:
    t = timeline(law, d(received), today=TODAY)
    assert t.due == d(expected)
    rule = next(b.rule for b in t.basis if b.what == "original_due")
    assert "gelijkgesteld met een algemeen erkende feestdag" in rule and decree in rule


def test_bezwaar_ending_on_a_decreed_day_runs_on() -> None:
    # decision sent Fri 14 Apr 2028 + 42 days (Awb 6:7, 6:8) = Fri 26 May 2028, decreed (day
    # after Hemelvaartsdag 25 May); weekend: Mon 29 May
    t = timeline("woo", d("2028-03-20"), Events(decided_on=d("2028-04-14")), today=d("2028-06-01"))
    assert t.objection_due == d("2028-05-29")


def test_a_year_no_decree_covers_counts_its_bridging_day_and_says_so() -> None:
    # Hemelvaartsdag 2029 is Thursday 10 May; no decree for 2029 is known, so Friday 11 May is a
    # working day: 12 Apr 2029 + 28 = 10 May, Atw 1: Fri 11 May, with a warning
    t = timeline("woo", d("2029-04-12"), today=d("2029-06-01"))
    assert t.due == d("2029-05-11")
    assert "voor 2029 is nog geen besluit gelijkstelling bekend" in next(
        b.rule for b in t.basis if b.what == "original_due"
    )


def test_the_decree_table_covers_this_year() -> None:
    year = date.today().year
    assert last_decreed_year() >= year, (
        f"wooarchive/data/atw_extra_days.csv ends in {last_decreed_year()}: the table needs the "
        f"next Besluit gelijkstelling (Atw art. 3 lid 3) for {year}"
    )


def test_every_shipped_decree_row_is_a_weekday_with_its_decree() -> None:
    days = shipped_days()
    assert min(days).year <= 2017 and len(days) >= 20
    for day, row in days.items():
        assert day.weekday() < 5, day
        assert row.decree.startswith("Besluit") and row.checked, day


# -- 2a. The length of a Woo verdaging (Woo art. 4.4 lid 2: "ten hoogste twee weken") -----------
VERDAGING_CASES = [
    # received Mon 2 Feb 2026; 28 days (4.4 lid 1) + 14 (lid 2) = Mon 16 Mar (law.md example)
    ("2026-02-02", "2026-02-20", None, (), "2026-03-16"),
    # + 7 days: 35 days after 2 Feb = Mon 9 Mar
    ("2026-02-02", "2026-02-20", 7, (), "2026-03-09"),
    # + 1 day: 29 days = Tue 3 Mar
    ("2026-02-02", "2026-02-20", 1, (), "2026-03-03"),
    # + 5 days: 33 days = Sat 7 Mar; Atw 1: Mon 9 Mar
    ("2026-02-02", "2026-02-20", 5, (), "2026-03-09"),
    # + 10 days: 38 days = Thu 12 Mar
    ("2026-02-02", "2026-02-20", 10, (), "2026-03-12"),
    # + 7 days with a zienswijze asked 10 Feb, given 17 Feb (4.4 lid 3: 11..17 Feb, 7 days
    # suspended): 35 + 7 = 42 counted days = Mon 16 Mar
    ("2026-02-02", "2026-02-20", 7, (("2026-02-10", "2026-02-17"),), "2026-03-16"),
    # received Fri 10 Apr 2026; + 28 = Fri 8 May; + 7 = Fri 15 May, decreed; weekend: Mon 18 May
    ("2026-04-10", "2026-05-01", 7, (), "2026-05-18"),
    # received Thu 9 Apr; + 35 = Thu 14 May Hemelvaartsdag, Fri 15 decreed, weekend: Mon 18 May
    ("2026-04-09", "2026-05-01", 7, (), "2026-05-18"),
    # received Tue 31 Mar; + 35 = Tue 5 May, 5 mei (Atw 3 lid 1, every year): Wed 6 May
    ("2026-03-31", "2026-04-20", 7, (), "2026-05-06"),
    # noticed Tue 3 Mar, after the first period ended Mon 2 Mar: invalid, 2 Mar stands
    ("2026-02-02", "2026-03-03", 7, (), "2026-03-02"),
]


@pytest.mark.parametrize(("received", "noticed", "days", "zienswijze", "expected"), VERDAGING_CASES)
def test_a_verdaging_of_its_own_length(
    received: str, noticed: str, days: int | None, zienswijze: tuple, expected: str
) -> None:
    spans = tuple(Span(d(a), d(b)) for a, b in zienswijze)
    assert woo_due(received, extended_on=d(noticed), extended_days=days, zienswijze=spans) == d(
        expected
    )


@pytest.mark.parametrize(
    ("law", "events", "message"),
    [
        ("woo", {"extended_on": d("2026-02-20"), "extended_days": 15}, "at most|up to two weeks"),
        ("woo", {"extended_on": d("2026-02-20"), "extended_days": 0}, "up to two weeks"),
        ("woo", {"extended_days": 7}, "needs the day its notice was sent"),
        ("avg", {"extended_on": d("2026-02-20"), "extended_days": 7}, "counted in months"),
        ("avg", {"extended_on": d("2026-02-20"), "extended_months": 3}, "one or two further"),
        ("avg", {"extended_on": d("2026-02-20"), "extended_months": 0}, "one or two further"),
        ("woo", {"extended_on": d("2026-02-20"), "extended_months": 1}, "counted in days"),
    ],
)
def test_a_length_the_law_does_not_allow_is_refused_by_its_rule(
    law: str, events: dict, message: str
) -> None:
    with pytest.raises(DeadlineError, match=message):
        timeline(law, d("2026-02-02"), Events(**events), today=TODAY)


# -- 2b. The length of an AVG extension (AVG art. 12 lid 3: "met nog eens twee maanden") -------
AVG_EXTENSION_CASES = [
    # received 10 May 2026 + 1 + 2 months (Reg. 1182/71 art. 3 lid 2 c) = Mon 10 Aug (law.md)
    ("2026-05-10", "2026-05-20", None, "2026-08-10"),
    # + 1 + 1 month = Fri 10 Jul
    ("2026-05-10", "2026-05-20", 1, "2026-07-10"),
    # received 31 Jan 2026 + 2 months = 31 Mar (March has a 31st): Tue 31 Mar
    ("2026-01-31", "2026-02-10", 1, "2026-03-31"),
    # + 3 months = April has no 31st: its last day, Thu 30 Apr
    ("2026-01-31", "2026-02-10", 2, "2026-04-30"),
    # received 31 Aug + 2 months = 31 Oct, a Saturday (art. 3 lid 4): Mon 2 Nov
    ("2026-08-31", "2026-09-10", 1, "2026-11-02"),
    # received 30 Oct + 2 months = Wed 30 Dec
    ("2026-10-30", "2026-11-02", 1, "2026-12-30"),
    # received 26 Nov 2026 + 2 months = Tue 26 Jan 2027
    ("2026-11-26", "2026-11-30", 1, "2027-01-26"),
    # received 2 Dec 2025 + 2 months = Mon 2 Feb 2026
    ("2025-12-02", "2025-12-10", 1, "2026-02-02"),
    # received 15 Mar + 2 months = Fri 15 May 2026, decreed; weekend: Mon 18 May
    ("2026-03-15", "2026-03-20", 1, "2026-05-18"),
    # noticed 11 Jun, after the first month ended on 10 Jun: invalid, 10 Jun stands
    ("2026-05-10", "2026-06-11", 1, "2026-06-10"),
]


@pytest.mark.parametrize(("received", "noticed", "months", "expected"), AVG_EXTENSION_CASES)
def test_an_avg_extension_of_its_own_length(
    received: str, noticed: str, months: int | None, expected: str
) -> None:
    t = timeline(
        "avg",
        d(received),
        Events(extended_on=d(noticed), extended_months=months),
        today=TODAY,
    )
    assert t.due == d(expected)


# -- 2c. The dwangsom of a late AVG decision (Awb 4:17, UAVG art. 34) ---------------------------
# AVG request received Sun 10 May 2026, due Wed 10 Jun. R is the day the ingebrekestelling was
# received; the first dwangsom day is R + 15 (docs/deadlines.md), the last the day before the
# decision or the 42nd day (R + 56), no Atw (4:17 lid 1); EUR 23 x 14, 35 x 14, 45 x 14 (lid 2).
DWANGSOM_CASES = [
    # R = 15 Jun (sent by e-mail, taken as received); first 30 Jun; no decision by 1 Sep: the 42nd
    # day is 10 Aug; 322 + 490 + 630 = 1,442
    ({"ingebrekestelling_on": "2026-06-15"}, "2026-09-01", ("2026-06-30", "2026-08-10", 42, 1442)),
    # the same on 5 Jul: 30 Jun..5 Jul = 6 days x 23 = 138, still running
    ({"ingebrekestelling_on": "2026-06-15"}, "2026-07-05", ("2026-06-30", "2026-08-10", 6, 138)),
    # decided Fri 10 Jul: 30 Jun..9 Jul = 10 days x 23 = 230
    (
        {"ingebrekestelling_on": "2026-06-15", "decided_on": "2026-07-10"},
        "2026-09-01",
        ("2026-06-30", "2026-07-09", 10, 230),
    ),
    # received by post two days later, 17 Jun: first 2 Jul; decided 20 Jul: 2..19 Jul = 18 days,
    # 14 x 23 + 4 x 35 = 322 + 140 = 462
    (
        {
            "ingebrekestelling_on": "2026-06-15",
            "ingebrekestelling_received": "2026-06-17",
            "decided_on": "2026-07-20",
        },
        "2026-09-01",
        ("2026-07-02", "2026-07-19", 18, 462),
    ),
    # decided 28 Jul: 30 Jun..27 Jul = 28 days, 322 + 490 = 812
    (
        {"ingebrekestelling_on": "2026-06-15", "decided_on": "2026-07-28"},
        "2026-09-01",
        ("2026-06-30", "2026-07-27", 28, 812),
    ),
    # decided 29 Jul: 29 days, 812 + 45 = 857
    (
        {"ingebrekestelling_on": "2026-06-15", "decided_on": "2026-07-29"},
        "2026-09-01",
        ("2026-06-30", "2026-07-28", 29, 857),
    ),
    # withdrawn 15 Jul: 30 Jun..14 Jul = 15 days, 322 + 35 = 357
    (
        {"ingebrekestelling_on": "2026-06-15", "withdrawn_on": "2026-07-15"},
        "2026-09-01",
        ("2026-06-30", "2026-07-14", 15, 357),
    ),
    # extended by two months (12 lid 3): due Mon 10 Aug; notice 12 Aug; first 27 Aug; decided
    # 1 Sep: 27..31 Aug = 5 days x 23 = 115
    (
        {
            "extended_on": "2026-05-20",
            "ingebrekestelling_on": "2026-08-12",
            "decided_on": "2026-09-01",
        },
        "2026-09-10",
        ("2026-08-27", "2026-08-31", 5, 115),
    ),
    # notice sent on Saturday 20 Jun: first day Sunday 5 Jul and the 42nd Saturday 15 Aug, the
    # Atw moves neither (4:17 lid 1)
    ({"ingebrekestelling_on": "2026-06-20"}, "2026-12-01", ("2026-07-05", "2026-08-15", 42, 1442)),
    # on the day before the first day nothing is forfeited yet
    ({"ingebrekestelling_on": "2026-06-15"}, "2026-06-29", ("2026-06-30", "2026-08-10", 0, 0)),
]


@pytest.mark.parametrize(("events", "today", "expected"), DWANGSOM_CASES)
def test_the_dwangsom_of_a_late_avg_decision(events: dict, today: str, expected: tuple) -> None:
    t = timeline("avg", d("2026-05-10"), on_days(events), today=d(today))
    first, last, days, amount = expected
    assert t.dwangsom is not None
    assert (t.dwangsom.first_day, t.dwangsom.last_day, t.dwangsom.days, t.dwangsom.amount) == (
        d(first),
        d(last),
        days,
        amount,
    )


@pytest.mark.parametrize(
    ("law", "events"),
    [
        # decided 29 Jun = R + 14: within the two weeks
        ("avg", {"ingebrekestelling_on": "2026-06-15", "decided_on": "2026-06-29"}),
        # decided on the first day itself: not a day in default (docs/deadlines.md)
        ("avg", {"ingebrekestelling_on": "2026-06-15", "decided_on": "2026-06-30"}),
        # sent 5 Jun, before the deadline of 10 Jun: premature
        ("avg", {"ingebrekestelling_on": "2026-06-05"}),
        # the Woo excludes it (Woo art. 8.2)
        ("woo", {"ingebrekestelling_on": "2026-06-15"}),
    ],
)
def test_no_dwangsom_where_the_law_gives_none(law: str, events: dict) -> None:
    t = timeline(law, d("2026-05-10"), on_days(events), today=d("2026-12-01"))
    assert t.dwangsom is None
    assert any(b.what in ("no_dwangsom", "ingebrekestelling") for b in t.basis)


def test_the_dwangsom_never_passes_42_days_or_1442_euros() -> None:
    assert [dwangsom_amount(n) for n in (0, 1, 14, 15, 28, 29, 42, 43, 400)] == [
        0,
        23,
        322,
        357,
        812,
        857,
        1442,
        1442,
        1442,
    ]


# -- 2d. The day the ingebrekestelling was received (Awb 6:12 lid 2, 4:17 lid 3) --------------
# Woo request received Mon 2 Feb 2026, due Mon 2 Mar.
RECEIPT_CASES = [
    # sent Tue 10 Mar by e-mail, taken as received that day: beroep from 10 + 15 = Wed 25 Mar
    ({"ingebrekestelling_on": "2026-03-10"}, "2026-03-25"),
    # received Thu 12 Mar (by post): 12 + 15 = Fri 27 Mar
    (
        {"ingebrekestelling_on": "2026-03-10", "ingebrekestelling_received": "2026-03-12"},
        "2026-03-27",
    ),
    # received 12 Mar, decided Thu 26 Mar, within two weeks of receipt: no beroep
    (
        {
            "ingebrekestelling_on": "2026-03-10",
            "ingebrekestelling_received": "2026-03-12",
            "decided_on": "2026-03-26",
        },
        None,
    ),
    # received 12 Mar, decided Fri 27 Mar: the two weeks had passed, beroep was possible
    (
        {
            "ingebrekestelling_on": "2026-03-10",
            "ingebrekestelling_received": "2026-03-12",
            "decided_on": "2026-03-27",
        },
        "2026-03-27",
    ),
    # sent Mon 2 Mar, the last day of the period: premature, nothing follows
    ({"ingebrekestelling_on": "2026-03-02"}, None),
    # sent Fri 13 Mar, received Mon 16 Mar: 16 + 15 = Tue 31 Mar (the Atw does not move the day
    # beroep becomes possible: it is no last day of a period)
    (
        {"ingebrekestelling_on": "2026-03-13", "ingebrekestelling_received": "2026-03-16"},
        "2026-03-31",
    ),
    # decided Thu 5 Mar, ingebrekestelling sent 10 Mar, after the decision: nothing follows
    ({"decided_on": "2026-03-05", "ingebrekestelling_on": "2026-03-10"}, None),
    # with a verdaging noticed 20 Feb the period runs to Mon 16 Mar; sent Tue 17 Mar, received
    # Thu 19 Mar: 19 + 15 = Fri 3 Apr
    (
        {
            "extended_on": "2026-02-20",
            "ingebrekestelling_on": "2026-03-17",
            "ingebrekestelling_received": "2026-03-19",
        },
        "2026-04-03",
    ),
    # the same verdaging; sent 10 Mar, before 16 Mar: premature
    ({"extended_on": "2026-02-20", "ingebrekestelling_on": "2026-03-10"}, None),
    # sent Tue 3 Mar, the first day after the period, by e-mail: 3 + 15 = Wed 18 Mar
    ({"ingebrekestelling_on": "2026-03-03"}, "2026-03-18"),
]


@pytest.mark.parametrize(("events", "appeal"), RECEIPT_CASES)
def test_beroep_counts_from_the_day_the_ingebrekestelling_was_received(
    events: dict, appeal: str | None
) -> None:
    t = timeline("woo", d("2026-02-02"), on_days(events), today=d("2026-06-01"))
    assert t.appeal_possible_from == (d(appeal) if appeal else None)


def test_the_assumed_day_of_receipt_is_shown() -> None:
    t = timeline(
        "avg",
        d("2026-05-10"),
        Events(ingebrekestelling_on=d("2026-06-15")),
        today=d("2026-07-01"),
    )
    assert t.dwangsom and t.dwangsom.received_assumed
    rule = next(b.rule for b in t.basis if b.what == "ingebrekestelling_received")
    assert "aangenomen op de dag van verzending" in rule


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (
            {"ingebrekestelling_on": "2026-03-10", "ingebrekestelling_received": "2026-03-09"},
            "before it was sent",
        ),
        ({"ingebrekestelling_received": "2026-03-12"}, "needs the day it was sent"),
        ({"withdrawn_on": "2026-01-20"}, "--withdrawn-on 2026-01-20 is before the request"),
    ],
)
def test_an_impossible_receipt_or_withdrawal_is_refused(events: dict, message: str) -> None:
    with pytest.raises(DeadlineError, match=message):
        timeline("woo", d("2026-02-02"), on_days(events), today=TODAY)


def test_a_withdrawn_request_is_not_overdue() -> None:
    # due 2 Mar; withdrawn 20 Mar; on 1 Jun it is withdrawn, not 91 days late
    t = timeline(
        "woo", d("2026-02-02"), Events(withdrawn_on=d("2026-03-20")), today=d("2026-06-01")
    )
    assert (t.status, t.days_late) == ("withdrawn", 0)
    assert "18 dagen na de termijn" in next(b.rule for b in t.basis if b.what == "withdrawn")


def test_a_withdrawn_request_waited_only_until_its_withdrawal() -> None:
    from wooarchive.requests.stats import durations_of

    t = timeline(
        "woo", d("2026-02-02"), Events(withdrawn_on=d("2026-03-20")), today=d("2026-06-01")
    )
    assert durations_of([t], d("2026-06-01")) == [(46, False)]  # 2 Feb..20 Mar, censored


def test_a_dwangsom_ended_by_withdrawal_says_so() -> None:
    t = timeline(
        "avg",
        d("2026-05-10"),
        on_days({"ingebrekestelling_on": "2026-06-15", "withdrawn_on": "2026-07-15"}),
        today=d("2026-09-01"),
    )
    rule = next(b.rule for b in t.basis if b.what == "dwangsom_until")
    assert "de dag voor de intrekking" in rule and "15 dagen, EUR 357 (eindbedrag)" in rule
