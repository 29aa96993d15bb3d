"""The deadline engine: when a Woo or AVG request must be answered, and what follows.

A pure function of (law, date of receipt, events, today) to a timeline: no clock, no I/O, so
every case in ../shared/law.md is a test and every answer can be recomputed by anyone. Each date
returned carries the rule that produced it.

Counting, as the law does it:
- Woo: four weeks (28 days) from the day after receipt (Woo art. 4.4 lid 1), six weeks with a
  verdaging noticed in time (lid 2), plus suspended days, then the Algemene termijnenwet.
- Suspensions are a set of days, so overlapping periods never count twice: a zienswijze
  suspends from the day after the requester was told up to and including the day the view came
  (Woo art. 4.4 lid 3); an opschorting from the day after the invitation until, not including,
  the day the request was completed (Awb 4:15). Days after the period ran out do not revive it.
- AVG: one month after receipt, three with an extension noticed within the first month (AVG art.
  12 lid 3), counted under Regulation 1182/71 art. 3; the Atw does not apply to EU periods.
- Bezwaar: six weeks from the day after the decision was sent (Awb 6:7, 6:8), then the Atw.
- Beroep niet tijdig beslissen: from two weeks after an ingebrekestelling sent once the deadline
  had passed (Awb 6:12 lid 2).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from wooarchive.requests.holidays import non_working_day

Law = Literal["woo", "avg"]
LAWS: tuple[str, ...] = ("woo", "avg")
DAY = timedelta(days=1)


class DeadlineError(ValueError):
    """The events cannot have happened as given; the message names the date at fault."""


@dataclass(frozen=True)
class Span:
    """Two dates as given on the command line: the act that starts a suspension and the act
    that ends it."""

    start: date
    end: date


@dataclass(frozen=True)
class Events:
    """What happened to a request, each on the day it happened."""

    extended_on: date | None = None
    suspended: tuple[Span, ...] = ()
    zienswijze: tuple[Span, ...] = ()
    decided_on: date | None = None
    ingebrekestelling_on: date | None = None


@dataclass(frozen=True)
class Basis:
    date: date
    what: str
    rule: str

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "what": self.what, "rule": self.rule}


@dataclass(frozen=True)
class Timeline:
    law: str
    received: date
    today: date
    due: date
    original_due: date
    extension_valid: bool | None
    status: str  # open | overdue | decided_on_time | decided_late
    days_late: int
    objection_due: date | None
    appeal_possible_from: date | None
    suspended_days: int
    basis: tuple[Basis, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {
            "law": self.law,
            "received": iso(self.received),
            "today": iso(self.today),
            "due": iso(self.due),
            "original_due": iso(self.original_due),
            "extension_valid": self.extension_valid,
            "status": self.status,
            "days_late": self.days_late,
            "objection_due": iso(self.objection_due),
            "appeal_possible_from": iso(self.appeal_possible_from),
            "suspended_days": self.suspended_days,
            "basis": [b.as_dict() for b in self.basis],
        }


def atw_last_day(first: date, last: date) -> tuple[date, str]:
    """Apply the Algemene termijnenwet to a period running from ``first`` to ``last``.

    Art. 2: a period of three days or more holds at least two days that are no Saturday,
    Sunday or holiday. Art. 1: a period ending on such a day runs on to the next day that is
    none. Returns the last day and a note saying what moved it ("" when nothing did).
    """
    notes = []
    end = last
    if (last - first).days + 1 >= 3:
        while (
            sum(1 for i in range((end - first).days + 1) if not non_working_day(first + i * DAY))
            < 2
        ):
            end += DAY
        if end != last:
            notes.append(f"extended to {end} to hold two working days (Atw art. 2)")
    reason = non_working_day(end)
    if reason:
        moved = end
        while non_working_day(moved):
            moved += DAY
        notes.append(f"{end} is {reason}, so the period runs to {moved} (Atw art. 1, 3)")
        end = moved
    return end, "; ".join(notes)


def eu_last_day(last: date) -> tuple[date, str]:
    """Regulation 1182/71 art. 3 lid 4: a period ending on a Saturday, Sunday or holiday ends
    at the end of the next working day."""
    reason = non_working_day(last)
    if not reason:
        return last, ""
    moved = last
    while non_working_day(moved):
        moved += DAY
    return moved, f"{last} is {reason}, so the period ends on {moved} (Reg. 1182/71 art. 3 lid 4)"


def add_months(day: date, months: int) -> date:
    """Regulation 1182/71 art. 3 lid 2 (c): the same date in the last month, or that month's
    last day when it has no such date (31 January + 1 month = 28/29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _count(received: date, days: int, suspended: set[date]) -> date:
    """The day on which ``days`` unsuspended days after receipt have run."""
    day, counted = received, 0
    while counted < days:
        day += DAY
        if day not in suspended:
            counted += 1
    return day


def _with(note: str) -> str:
    return f"; {note}" if note else ""


def _check(received: date, events: Events) -> None:
    def not_before_receipt(label: str, day: date | None) -> None:
        if day is not None and day < received:
            raise DeadlineError(f"{label} {day} is before the request was received ({received})")

    not_before_receipt("--extended-on", events.extended_on)
    not_before_receipt("--decided-on", events.decided_on)
    not_before_receipt("--ingebrekestelling-on", events.ingebrekestelling_on)
    for label, spans in (("--suspended", events.suspended), ("--zienswijze", events.zienswijze)):
        for span in spans:
            not_before_receipt(label, span.start)
            not_before_receipt(label, span.end)
            if span.end < span.start:
                raise DeadlineError(f"{label} {span.start}:{span.end} ends before it starts")


def _suspensions(events: Events) -> tuple[set[date], list[Basis]]:
    days: set[date] = set()
    basis = []
    for span in events.zienswijze:
        own = {span.start + i * DAY for i in range(1, (span.end - span.start).days + 1)}
        days |= own
        basis.append(
            Basis(
                span.start,
                "zienswijze",
                (
                    f"Woo art. 4.4 lid 3: zienswijze of a third party asked; the period is suspended from "
                    f"the day after the requester was told up to and including {span.end}, the day the "
                    f"view was given ({len(own)} days)"
                ),
            )
        )
    for span in events.suspended:
        own = {span.start + i * DAY for i in range(1, (span.end - span.start).days)}
        days |= own
        basis.append(
            Basis(
                span.start,
                "opschorting",
                (
                    f"Awb 4:15 lid 1 (a), Woo art. 4.1 lid 5: invitation to complete the request; the "
                    f"period is suspended from the day after until {span.end}, the day it was completed, "
                    f"not included ({len(own)} days)"
                ),
            )
        )
    return days, basis


def _woo_periods(
    received: date, events: Events, basis: list[Basis]
) -> tuple[date, date, bool | None, int]:
    suspended, notes = _suspensions(events)
    basis.extend(notes)
    basis.append(
        Basis(
            received,
            "received",
            (
                "Woo art. 4.4 lid 1: request received; the decision period of four weeks runs from the "
                "next day"
            ),
        )
    )
    raw = _count(received, 28, suspended)
    original_due, moved = atw_last_day(received + DAY, raw)
    counted = sum(1 for d in suspended if received < d <= raw)
    extra = f" plus {counted} suspended days" if counted else ""
    basis.append(
        Basis(
            original_due,
            "original_due",
            (
                f"Woo art. 4.4 lid 1: last day of the decision period, four weeks after receipt{extra}"
                f"{_with(moved)}"
            ),
        )
    )
    due, valid = original_due, None
    if events.extended_on is not None:
        valid = events.extended_on <= original_due
        if valid:
            raw = _count(received, 42, suspended)
            counted = sum(1 for d in suspended if received < d <= raw)
            due, moved = atw_last_day(received + DAY, raw)
            extra = f" plus {counted} suspended days" if counted else ""
            basis.append(
                Basis(
                    events.extended_on,
                    "verdaging",
                    (
                        "Woo art. 4.4 lid 2: verdaging noticed before the first period ended: valid, "
                        "by at most two weeks"
                    ),
                )
            )
            basis.append(
                Basis(
                    due,
                    "due",
                    (
                        f"Woo art. 4.4 lid 2: last day of the extended period, six weeks after receipt"
                        f"{extra}{_with(moved)}"
                    ),
                )
            )
        else:
            basis.append(
                Basis(
                    events.extended_on,
                    "verdaging",
                    (
                        f"Woo art. 4.4 lid 2: verdaging noticed after the first period ended on "
                        f"{original_due}: invalid, the first deadline stands"
                    ),
                )
            )
    return due, original_due, valid, counted


def _avg_periods(
    received: date, events: Events, basis: list[Basis]
) -> tuple[date, date, bool | None, int]:
    if events.suspended or events.zienswijze:
        raise DeadlineError(
            "--suspended and --zienswijze apply to Woo requests: the AVG period (art. 12 lid 3) "
            "has no suspension"
        )
    basis.append(
        Basis(
            received,
            "received",
            (
                "AVG art. 12 lid 3: request received; one month to answer, counted under Reg. 1182/71 "
                "art. 3 (the day of receipt does not count)"
            ),
        )
    )
    original_due, moved = eu_last_day(add_months(received, 1))
    basis.append(
        Basis(
            original_due,
            "original_due",
            (
                f"AVG art. 12 lid 3, Reg. 1182/71 art. 3 lid 2 (c): one month after receipt{_with(moved)}"
            ),
        )
    )
    due, valid = original_due, None
    if events.extended_on is not None:
        valid = events.extended_on <= original_due
        if valid:
            due, moved = eu_last_day(add_months(received, 3))
            basis.append(
                Basis(
                    events.extended_on,
                    "extension",
                    (
                        "AVG art. 12 lid 3: extension by two further months noticed within the first "
                        "month: valid"
                    ),
                )
            )
            basis.append(
                Basis(
                    due,
                    "due",
                    (
                        f"AVG art. 12 lid 3: last day of the extended period, three months after "
                        f"receipt{_with(moved)}"
                    ),
                )
            )
        else:
            basis.append(
                Basis(
                    events.extended_on,
                    "extension",
                    (
                        f"AVG art. 12 lid 3: extension noticed after the first month ended on "
                        f"{original_due}: invalid, the first deadline stands"
                    ),
                )
            )
    return due, original_due, valid, 0


def timeline(law: Law, received: date, events: Events = Events(), *, today: date) -> Timeline:
    """Compute the deadlines of a request from the law and what happened; see the module doc."""
    if law not in LAWS:
        raise DeadlineError(f"unknown law {law!r}: choose woo or avg")
    _check(received, events)
    basis: list[Basis] = []
    periods = _woo_periods if law == "woo" else _avg_periods
    due, original_due, valid, suspended_days = periods(received, events, basis)

    decided = events.decided_on
    if decided is not None:
        late = (decided - due).days
        status = "decided_late" if late > 0 else "decided_on_time"
        days_late = max(late, 0)
        basis.append(
            Basis(
                decided,
                "decided",
                (
                    f"decision sent {late} days after the deadline"
                    if late > 0
                    else "decision sent within the period"
                ),
            )
        )
        objection_due, moved = atw_last_day(decided + DAY, decided + 42 * DAY)
        why = "UAVG art. 34: the answer is a besluit, so " if law == "avg" else ""
        basis.append(
            Basis(
                objection_due,
                "objection_due",
                (
                    f"{why}Awb 6:7, 6:8 lid 1: last day for bezwaar, six weeks from the day after the "
                    f"decision was sent{_with(moved)}"
                ),
            )
        )
    else:
        objection_due = None
        late = (today - due).days
        status = "overdue" if late > 0 else "open"
        days_late = max(late, 0)
    if late > 0:
        basis.append(
            Basis(
                due + DAY,
                "in_default",
                (
                    "the deadline passed without a decision: the body is in default; the requester may "
                    "send an ingebrekestelling (Awb 6:12 lid 2)"
                ),
            )
        )
        if law == "woo":
            basis.append(
                Basis(
                    due + DAY,
                    "no_dwangsom",
                    (
                        "Woo art. 8.2: Awb paragraph 4.1.3.2 does not apply, so no dwangsom for a late "
                        "Woo decision"
                    ),
                )
            )
        else:
            basis.append(
                Basis(
                    due + DAY,
                    "complaint",
                    ("AVG art. 77: a complaint to the Autoriteit Persoonsgegevens is possible"),
                )
            )

    appeal = _appeal(events.ingebrekestelling_on, due, decided, basis)
    return Timeline(
        law=law,
        received=received,
        today=today,
        due=due,
        original_due=original_due,
        extension_valid=valid,
        status=status,
        days_late=days_late,
        objection_due=objection_due,
        appeal_possible_from=appeal,
        suspended_days=suspended_days,
        basis=tuple(sorted(basis, key=lambda b: b.date)),
    )


def _appeal(
    notice: date | None, due: date, decided: date | None, basis: list[Basis]
) -> date | None:
    if notice is None:
        return None
    if notice <= due:
        basis.append(
            Basis(
                notice,
                "ingebrekestelling",
                (
                    f"ingebrekestelling sent before the deadline of {due} had passed: premature, it "
                    f"does not open beroep (Awb 6:12 lid 2)"
                ),
            )
        )
        return None
    if decided is not None and decided <= notice:
        basis.append(
            Basis(
                notice,
                "ingebrekestelling",
                ("ingebrekestelling sent after the decision: no beroep for not deciding in time"),
            )
        )
        return None
    appeal = notice + 15 * DAY
    basis.append(Basis(notice, "ingebrekestelling", "ingebrekestelling sent after the deadline"))
    if decided is not None and decided < appeal:
        basis.append(
            Basis(
                decided,
                "appeal_moot",
                (
                    "decision sent within two weeks of the ingebrekestelling: no beroep for not deciding "
                    "in time (Awb 6:12 lid 2)"
                ),
            )
        )
        return None
    basis.append(
        Basis(
            appeal,
            "appeal_possible_from",
            (
                "Awb 6:12 lid 2 (b): beroep niet tijdig beslissen may be lodged two weeks after the "
                "ingebrekestelling"
            ),
        )
    )
    return appeal
