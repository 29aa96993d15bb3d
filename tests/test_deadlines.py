"""The deadline engine implements ../shared/law.md: every worked example, and each rule."""

from __future__ import annotations

from datetime import date

import pytest

from wooarchive.requests.deadlines import (
    DeadlineError,
    Events,
    Span,
    add_months,
    timeline,
)

d = date.fromisoformat
TODAY = d("2026-11-23")


def due(law: str, received: str, **events) -> str:
    return timeline(law, d(received), Events(**events), today=TODAY).due.isoformat()


# The worked examples in law.md, one row each.
@pytest.mark.parametrize(
    ("law", "received", "events", "expected"),
    [
        ("woo", "2026-02-02", {}, "2026-03-02"),
        ("woo", "2026-04-10", {}, "2026-05-08"),
        ("woo", "2026-12-01", {}, "2026-12-29"),
        ("woo", "2025-11-28", {}, "2025-12-29"),
        ("woo", "2026-02-02", {"extended_on": d("2026-02-20")}, "2026-03-16"),
        (
            "woo",
            "2026-02-02",
            {"zienswijze": (Span(d("2026-02-10"), d("2026-02-17")),)},
            "2026-03-09",
        ),
        ("avg", "2026-05-10", {}, "2026-06-10"),
        ("avg", "2026-08-31", {}, "2026-09-30"),
        ("avg", "2026-05-10", {"extended_on": d("2026-05-20")}, "2026-08-10"),
    ],
)
def test_worked_examples_from_the_law(law: str, received: str, events: dict, expected: str) -> None:
    assert due(law, received, **events) == expected


def test_worked_example_of_a_late_woo_decision_and_its_bezwaar_period() -> None:
    t = timeline("woo", d("2026-02-02"), Events(decided_on=d("2026-03-05")), today=TODAY)
    assert (t.status, t.days_late, t.objection_due) == ("decided_late", 3, d("2026-04-16"))


def test_zienswijze_suspends_seven_days_up_to_and_including_the_view() -> None:
    t = timeline(
        "woo",
        d("2026-02-02"),
        Events(zienswijze=(Span(d("2026-02-10"), d("2026-02-17")),)),
        today=TODAY,
    )
    assert t.suspended_days == 7
    assert t.original_due == t.due == d("2026-03-09")


def test_opschorting_runs_until_not_including_the_day_of_completion() -> None:
    # invited 10 Feb, completed 17 Feb: 11..16 Feb suspended, 6 days; 8 March is a Sunday
    t = timeline(
        "woo",
        d("2026-02-02"),
        Events(suspended=(Span(d("2026-02-10"), d("2026-02-17")),)),
        today=TODAY,
    )
    assert t.suspended_days == 6
    assert t.due == d("2026-03-09")
    assert "2026-03-08 is zondag" in next(b.rule for b in t.basis if b.what == "original_due")


def test_a_request_completed_the_day_after_the_invitation_suspends_nothing() -> None:
    assert (
        due("woo", "2026-02-02", suspended=(Span(d("2026-02-10"), d("2026-02-11")),))
        == "2026-03-02"
    )


def test_overlapping_suspensions_count_each_day_once() -> None:
    # zienswijze 11..17 Feb and opschorting 13..15 Feb overlap entirely: 7 days, not 10
    t = timeline(
        "woo",
        d("2026-02-02"),
        Events(
            zienswijze=(Span(d("2026-02-10"), d("2026-02-17")),),
            suspended=(Span(d("2026-02-12"), d("2026-02-16")),),
        ),
        today=TODAY,
    )
    assert t.suspended_days == 7 and t.due == d("2026-03-09")


def test_a_suspension_after_the_deadline_does_not_revive_the_period() -> None:
    assert (
        due("woo", "2026-02-02", suspended=(Span(d("2026-03-05"), d("2026-03-12")),))
        == "2026-03-02"
    )


def test_suspension_also_extends_the_verdaging_period() -> None:
    assert (
        due(
            "woo",
            "2026-02-02",
            extended_on=d("2026-02-20"),
            zienswijze=(Span(d("2026-02-10"), d("2026-02-17")),),
        )
        == "2026-03-23"
    )


def test_verdaging_noticed_on_the_last_day_is_valid() -> None:
    t = timeline("woo", d("2026-02-02"), Events(extended_on=d("2026-03-02")), today=TODAY)
    assert (t.extension_valid, t.due) == (True, d("2026-03-16"))


def test_verdaging_noticed_after_the_period_is_void_and_the_first_deadline_stands() -> None:
    t = timeline("woo", d("2026-02-02"), Events(extended_on=d("2026-03-03")), today=TODAY)
    assert (t.extension_valid, t.due, t.original_due) == (False, d("2026-03-02"), d("2026-03-02"))
    assert "ongeldig" in next(b.rule for b in t.basis if b.what == "verdaging")


def test_no_extension_is_reported_as_null() -> None:
    assert timeline("woo", d("2026-02-02"), today=TODAY).extension_valid is None


def test_goede_vrijdag_and_tweede_paasdag_are_skipped() -> None:
    # 6 March + 28 days = Goede Vrijdag 3 April 2026; then a weekend and tweede Paasdag
    assert due("woo", "2026-03-06") == "2026-04-07"


def test_5_mei_is_a_holiday_every_year_not_only_every_fifth() -> None:
    assert due("woo", "2026-04-07") == "2026-05-06"


def test_hemelvaartsdag_is_skipped() -> None:
    # 16 April 2026 + 28 days = Thursday 14 May 2026, Hemelvaartsdag (Atw art. 3 lid 1); Friday
    # 15 May is made equal to a holiday (Besluit gelijkstelling van 2 januari 2026, ...), then a
    # weekend: Monday 18 May
    assert due("woo", "2026-04-16") == "2026-05-18"
    # in 2030 no decree is known yet: Hemelvaartsdag 30 May, Friday 31 May counts
    assert due("woo", "2030-05-02") == "2030-05-31"


def test_royal_decree_days_from_the_users_table_count_as_holidays(tmp_path, monkeypatch) -> None:
    table = tmp_path / "atw.csv"
    table.write_text("date,designation,source\n2026-03-02,brugdag,Stcrt. 2026 test\n")
    monkeypatch.setenv("WOO_ATW_EXTRA_DAYS", str(table))
    t = timeline("woo", d("2026-02-02"), today=TODAY)
    assert t.due == d("2026-03-03")
    assert "brugdag" in next(b.rule for b in t.basis if b.what == "original_due")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("dag\n2 maart\n", ": not a table of Atw days"),
        (
            "date,designation,source\n2026-03-02,brugdag,x\n2 maart,brugdag,x\n",
            " row 3: not a date",
        ),
        # a decree makes a weekday equal to a holiday (Atw art. 3 lid 3)
        (
            "date,designation,source\n2026-03-02,brugdag,x\n2026-03-07,brugdag,x\n",
            " row 3: 2026-03-07 is a Saturday",
        ),
        ("date,designation,source\n2026-03-02,brugdag,\n", " row 2: a day needs its designation"),
    ],
)
def test_a_bad_royal_decree_table_is_named(tmp_path, monkeypatch, content, message) -> None:
    table = tmp_path / "atw.csv"
    table.write_text(content)
    monkeypatch.setenv("WOO_ATW_EXTRA_DAYS", str(table))
    with pytest.raises(ValueError, match=f"{table}{message}"):
        timeline("woo", d("2026-02-02"), today=TODAY)


def test_avg_month_ends_on_the_last_day_of_a_shorter_month() -> None:
    assert add_months(d("2026-01-31"), 1) == d("2026-02-28")
    assert add_months(d("2028-01-31"), 1) == d("2028-02-29")
    assert add_months(d("2026-11-30"), 3) == d("2027-02-28")


def test_avg_period_ending_on_a_saturday_ends_on_the_next_working_day() -> None:
    t = timeline("avg", d("2026-09-10"), today=TODAY)
    assert t.due == d("2026-10-12")
    assert "Verordening 1182/71 art. 3 lid 4" in next(
        b.rule for b in t.basis if b.what == "original_due"
    )


def test_avg_extension_noticed_after_the_first_month_is_invalid() -> None:
    t = timeline("avg", d("2026-05-10"), Events(extended_on=d("2026-06-11")), today=TODAY)
    assert (t.extension_valid, t.due) == (False, d("2026-06-10"))


def test_avg_has_no_suspension() -> None:
    with pytest.raises(DeadlineError, match="AVG period .* has no suspension"):
        timeline(
            "avg",
            d("2026-05-10"),
            Events(suspended=(Span(d("2026-05-12"), d("2026-05-20")),)),
            today=TODAY,
        )


def test_avg_answer_is_a_besluit_so_bezwaar_follows_the_awb() -> None:
    t = timeline("avg", d("2026-05-10"), Events(decided_on=d("2026-06-05")), today=TODAY)
    assert t.status == "decided_on_time" and t.objection_due == d("2026-07-17")
    assert "UAVG art. 34" in next(b.rule for b in t.basis if b.what == "objection_due")


def test_a_late_avg_answer_points_to_the_autoriteit_persoonsgegevens() -> None:
    t = timeline("avg", d("2026-05-10"), today=d("2026-06-20"))
    assert (t.status, t.days_late) == ("overdue", 10)
    assert any("AVG art. 77" in b.rule for b in t.basis)


def test_status_is_open_until_the_end_of_the_last_day() -> None:
    on_the_day = timeline("woo", d("2026-02-02"), today=d("2026-03-02"))
    day_after = timeline("woo", d("2026-02-02"), today=d("2026-03-03"))
    assert (on_the_day.status, on_the_day.days_late) == ("open", 0)
    assert (day_after.status, day_after.days_late) == ("overdue", 1)


def test_a_late_woo_decision_promises_no_dwangsom() -> None:
    t = timeline("woo", d("2026-02-02"), today=d("2026-03-10"))
    assert any(b.what == "no_dwangsom" and "Woo art. 8.2" in b.rule for b in t.basis)
    assert not any(
        b.what == "no_dwangsom"
        for b in timeline("woo", d("2026-02-02"), today=d("2026-02-10")).basis
    )


def test_beroep_is_possible_two_weeks_after_an_ingebrekestelling() -> None:
    t = timeline(
        "woo", d("2026-02-02"), Events(ingebrekestelling_on=d("2026-03-10")), today=d("2026-04-01")
    )
    assert t.appeal_possible_from == d("2026-03-25")


def test_a_premature_ingebrekestelling_opens_no_beroep() -> None:
    t = timeline(
        "woo", d("2026-02-02"), Events(ingebrekestelling_on=d("2026-02-25")), today=d("2026-04-01")
    )
    assert t.appeal_possible_from is None
    assert "te vroeg" in next(b.rule for b in t.basis if b.what == "ingebrekestelling")


def test_a_decision_within_two_weeks_of_the_ingebrekestelling_makes_beroep_moot() -> None:
    t = timeline(
        "woo",
        d("2026-02-02"),
        Events(ingebrekestelling_on=d("2026-03-10"), decided_on=d("2026-03-20")),
        today=TODAY,
    )
    assert t.appeal_possible_from is None and t.status == "decided_late"


def test_every_date_names_its_rule() -> None:
    t = timeline(
        "woo",
        d("2026-02-02"),
        Events(
            extended_on=d("2026-02-20"),
            decided_on=d("2026-04-01"),
            ingebrekestelling_on=d("2026-03-17"),
        ),
        today=TODAY,
    )
    assert all(b.rule and b.date for b in t.basis)
    dates = {b.date for b in t.basis}
    assert {t.due, t.original_due, t.objection_due, t.appeal_possible_from} <= dates
    assert [b.date for b in t.basis] == sorted(b.date for b in t.basis)


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (
            {"decided_on": d("2026-01-30")},
            "--decided-on 2026-01-30 is before the request was received",
        ),
        ({"extended_on": d("2026-01-01")}, "--extended-on 2026-01-01 is before the request"),
        (
            {"suspended": (Span(d("2026-02-20"), d("2026-02-10")),)},
            "2026-02-20:2026-02-10 ends before it starts",
        ),
        ({"ingebrekestelling_on": d("2026-02-01")}, "--ingebrekestelling-on 2026-02-01 is before"),
    ],
)
def test_events_that_cannot_have_happened_are_refused_by_name(events: dict, message: str) -> None:
    with pytest.raises(DeadlineError, match=message):
        timeline("woo", d("2026-02-02"), Events(**events), today=TODAY)
