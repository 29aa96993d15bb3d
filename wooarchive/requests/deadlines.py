"""The deadline engine: when a Woo or AVG request must be answered, and what follows.

A pure function of (law, date of receipt, events, today) to a timeline: no clock, no I/O, so
every case in ../shared/law.md is a test and every answer can be recomputed by anyone. Each date
returned carries the rule that produced it, in Dutch: the timeline goes into a dossier a Dutch
court reads.

Counting, as the law does it:
- Woo: four weeks (28 days) from the day after receipt (Woo art. 4.4 lid 1), plus a verdaging of
  at most two weeks noticed in time (lid 2; 14 days unless the notice names fewer), plus
  suspended days, then the Algemene termijnenwet.
- Suspensions are a set of days, so overlapping periods never count twice: a zienswijze
  suspends from the day after the requester was told up to and including the day the view came
  (Woo art. 4.4 lid 3); an opschorting from the day after the invitation until, not including,
  the day the request was completed (Awb 4:15). Days after the period ran out do not revive it.
- AVG: one month after receipt, plus an extension of at most two further months noticed within
  the first month (AVG art. 12 lid 3), counted under Regulation 1182/71 art. 3; the Atw does not
  apply to EU periods.
- Bezwaar: six weeks from the day after the decision was sent (Awb 6:7, 6:8), then the Atw.
- Beroep niet tijdig beslissen: two weeks after the day the body received an ingebrekestelling
  sent once the deadline had passed (Awb 6:12 lid 2).
- Dwangsom (AVG only: UAVG art. 34 makes the answer a besluit; Woo art. 8.2 excludes it for the
  Woo): Awb 4:17, from the fifteenth day after the ingebrekestelling was received, at most 42
  days, no Atw; see docs/deadlines.md for how "de dag waarop twee weken zijn verstreken na de
  dag waarop ... ontvangen" is read.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from wooarchive.requests.holidays import last_decreed_year, non_working_day

Law = Literal["woo", "avg"]
LAWS: tuple[str, ...] = ("woo", "avg")
DAY = timedelta(days=1)
MAX_VERDAGING_DAYS = 14  # Woo art. 4.4 lid 2: "ten hoogste twee weken"
MAX_AVG_EXTENSION_MONTHS = 2  # AVG art. 12 lid 3: "met nog eens twee maanden"
DWANGSOM_DAYS = 42  # Awb 4:17 lid 1
DWANGSOM_RATES = ((14, 23), (14, 35), (14, 45))  # Awb 4:17 lid 2: days at euros per day


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
    """What happened to a request, each on the day it happened.

    ``extended_days`` is the length of a Woo verdaging (14 when the notice names none),
    ``extended_months`` that of an AVG extension (2 when it names none). The day an
    ingebrekestelling was received defaults to the day it was sent (e-mail arrives that day).
    """

    extended_on: date | None = None
    suspended: tuple[Span, ...] = ()
    zienswijze: tuple[Span, ...] = ()
    decided_on: date | None = None
    ingebrekestelling_on: date | None = None
    extended_days: int | None = None
    extended_months: int | None = None
    ingebrekestelling_received: date | None = None
    withdrawn_on: date | None = None


@dataclass(frozen=True)
class Basis:
    date: date
    what: str
    rule: str

    def as_dict(self) -> dict:
        return {"date": self.date.isoformat(), "what": self.what, "rule": self.rule}


@dataclass(frozen=True)
class Dwangsom:
    """Awb 4:17 for a late AVG decision: from ``first_day`` for at most 42 days.

    ``last_day`` is the last day it runs: the day before the decision (or withdrawal), else the
    42nd day. ``days`` and ``amount`` are what has been forfeited as of the timeline's day;
    ``final`` says they cannot grow any more.
    """

    first_day: date
    last_day: date
    days: int
    amount: int
    final: bool
    received: date
    received_assumed: bool

    def as_dict(self) -> dict:
        return {
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "days": self.days,
            "amount_eur": self.amount,
            "final": self.final,
            "ingebrekestelling_received": self.received.isoformat(),
            "received_assumed": self.received_assumed,
        }


def dwangsom_amount(days: int) -> int:
    """Awb 4:17 lid 2: 23 euros a day for the first fourteen days, 35 for the next fourteen,
    45 for the rest (at most 42 days: 1,442 euros)."""
    total, left = 0, min(days, DWANGSOM_DAYS)
    for band, rate in DWANGSOM_RATES:
        total += min(left, band) * rate
        left -= min(left, band)
    return total


def euros(amount: int) -> str:
    """1442 -> "EUR 1.442" (the Dutch thousands separator)."""
    return f"EUR {amount:,}".replace(",", ".")


@dataclass(frozen=True)
class Timeline:
    law: str
    received: date
    today: date
    due: date
    original_due: date
    extension_valid: bool | None
    status: str  # open | overdue | decided_on_time | decided_late | withdrawn
    days_late: int
    objection_due: date | None
    appeal_possible_from: date | None
    suspended_days: int
    basis: tuple[Basis, ...] = field(default_factory=tuple)
    dwangsom: Dwangsom | None = None

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
            "dwangsom": self.dwangsom.as_dict() if self.dwangsom else None,
            "basis": [b.as_dict() for b in self.basis],
        }


def _undecreed(day: date) -> str:
    """A warning when ``day`` lies in a year no shipped decree covers yet."""
    if day.year <= last_decreed_year():
        return ""
    return (
        f"voor {day.year} is nog geen besluit gelijkstelling bekend (Atw art. 3 lid 3); een dag "
        "die later wordt gelijkgesteld kan deze datum nog verschuiven"
    )


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
            notes.append(f"verlengd tot {end} om twee werkdagen te bevatten (Atw art. 2)")
    reason = non_working_day(end)
    if reason:
        moved = end
        while non_working_day(moved):
            moved += DAY
        notes.append(
            f"{end} is {reason}, dus loopt de termijn door tot en met {moved} (Atw art. 1, 3)"
        )
        end = moved
    notes.append(_undecreed(end))
    return end, "; ".join(n for n in notes if n)


def eu_last_day(last: date) -> tuple[date, str]:
    """Regulation 1182/71 art. 3 lid 4: a period ending on a Saturday, Sunday or holiday ends
    at the end of the next working day."""
    reason = non_working_day(last)
    if not reason:
        return last, _undecreed(last)
    moved = last
    while non_working_day(moved):
        moved += DAY
    note = (
        f"{last} is {reason}, dus eindigt de termijn op {moved} (Verordening 1182/71 art. 3 lid 4)"
    )
    return moved, "; ".join(n for n in (note, _undecreed(moved)) if n)


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


def _check(law: str, received: date, events: Events) -> None:
    def not_before_receipt(label: str, day: date | None) -> None:
        if day is not None and day < received:
            raise DeadlineError(f"{label} {day} is before the request was received ({received})")

    not_before_receipt("--extended-on", events.extended_on)
    not_before_receipt("--decided-on", events.decided_on)
    not_before_receipt("--ingebrekestelling-on", events.ingebrekestelling_on)
    not_before_receipt("--withdrawn-on", events.withdrawn_on)
    for label, spans in (("--suspended", events.suspended), ("--zienswijze", events.zienswijze)):
        for span in spans:
            not_before_receipt(label, span.start)
            not_before_receipt(label, span.end)
            if span.end < span.start:
                raise DeadlineError(f"{label} {span.start}:{span.end} ends before it starts")
    if events.extended_days is not None:
        if law != "woo":
            raise DeadlineError(
                "--extended-by counts the days of a Woo verdaging; an AVG extension is counted "
                "in months (--extended-months, AVG art. 12 lid 3)"
            )
        if not 1 <= events.extended_days <= MAX_VERDAGING_DAYS:
            raise DeadlineError(
                f"--extended-by {events.extended_days}: Woo art. 4.4 lid 2 allows a verdaging of "
                f"one day up to two weeks ({MAX_VERDAGING_DAYS} days)"
            )
    if events.extended_months is not None:
        if law != "avg":
            raise DeadlineError(
                "--extended-months counts an AVG extension (art. 12 lid 3); a Woo verdaging is "
                "counted in days (--extended-by)"
            )
        if not 1 <= events.extended_months <= MAX_AVG_EXTENSION_MONTHS:
            raise DeadlineError(
                f"--extended-months {events.extended_months}: AVG art. 12 lid 3 allows an "
                f"extension of one or two further months"
            )
    if (events.extended_days or events.extended_months) and events.extended_on is None:
        raise DeadlineError(
            "an extension's length needs the day its notice was sent (--extended-on)"
        )
    if events.ingebrekestelling_received is not None:
        if events.ingebrekestelling_on is None:
            raise DeadlineError(
                "--ingebrekestelling-received needs the day it was sent (--ingebrekestelling-on)"
            )
        if events.ingebrekestelling_received < events.ingebrekestelling_on:
            raise DeadlineError(
                f"--ingebrekestelling-received {events.ingebrekestelling_received} is before it "
                f"was sent ({events.ingebrekestelling_on})"
            )


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
                    f"Woo art. 4.4 lid 3: zienswijze van een derde gevraagd; de termijn is opgeschort "
                    f"vanaf de dag nadat de verzoeker dit hoorde tot en met {span.end}, de dag van de "
                    f"zienswijze ({len(own)} dagen)"
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
                    f"Awb 4:15 lid 1 (a), Woo art. 4.1 lid 5: uitnodiging het verzoek aan te vullen; de "
                    f"termijn is opgeschort vanaf de dag daarna tot {span.end}, de dag van aanvulling, "
                    f"niet meegerekend ({len(own)} dagen)"
                ),
            )
        )
    return days, basis


def _plus(counted: int) -> str:
    return f" plus {counted} opgeschorte dagen" if counted else ""


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
                "Woo art. 4.4 lid 1: verzoek ontvangen; de beslistermijn van vier weken loopt vanaf "
                "de volgende dag"
            ),
        )
    )
    raw = _count(received, 28, suspended)
    original_due, moved = atw_last_day(received + DAY, raw)
    counted = sum(1 for d in suspended if received < d <= raw)
    basis.append(
        Basis(
            original_due,
            "original_due",
            (
                f"Woo art. 4.4 lid 1: laatste dag van de beslistermijn, vier weken na ontvangst"
                f"{_plus(counted)}{_with(moved)}"
            ),
        )
    )
    due, valid = original_due, None
    if events.extended_on is not None:
        valid = events.extended_on <= original_due
        length = events.extended_days or MAX_VERDAGING_DAYS
        weeks = "twee weken" if length == MAX_VERDAGING_DAYS else f"{length} dagen"
        if valid:
            raw = _count(received, 28 + length, suspended)
            counted = sum(1 for d in suspended if received < d <= raw)
            due, moved = atw_last_day(received + DAY, raw)
            basis.append(
                Basis(
                    events.extended_on,
                    "verdaging",
                    (
                        f"Woo art. 4.4 lid 2: verdaging met {weeks} meegedeeld voordat de eerste "
                        f"termijn eindigde: geldig (ten hoogste twee weken)"
                    ),
                )
            )
            basis.append(
                Basis(
                    due,
                    "due",
                    (
                        f"Woo art. 4.4 lid 2: laatste dag van de verdaagde termijn, vier weken en "
                        f"{weeks} na ontvangst{_plus(counted)}{_with(moved)}"
                    ),
                )
            )
        else:
            basis.append(
                Basis(
                    events.extended_on,
                    "verdaging",
                    (
                        f"Woo art. 4.4 lid 2: verdaging meegedeeld nadat de eerste termijn op "
                        f"{original_due} was verstreken: ongeldig, de eerste termijn blijft staan"
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
                "AVG art. 12 lid 3: verzoek ontvangen; een maand om te antwoorden, geteld volgens "
                "Verordening 1182/71 art. 3 (de dag van ontvangst telt niet mee)"
            ),
        )
    )
    original_due, moved = eu_last_day(add_months(received, 1))
    basis.append(
        Basis(
            original_due,
            "original_due",
            (
                f"AVG art. 12 lid 3, Verordening 1182/71 art. 3 lid 2 (c): een maand na ontvangst"
                f"{_with(moved)}"
            ),
        )
    )
    due, valid = original_due, None
    if events.extended_on is not None:
        valid = events.extended_on <= original_due
        months = events.extended_months or MAX_AVG_EXTENSION_MONTHS
        length = "twee maanden" if months == 2 else "een maand"
        if valid:
            due, moved = eu_last_day(add_months(received, 1 + months))
            basis.append(
                Basis(
                    events.extended_on,
                    "extension",
                    (
                        f"AVG art. 12 lid 3: verlenging met {length} meegedeeld binnen de eerste "
                        f"maand: geldig (ten hoogste twee maanden)"
                    ),
                )
            )
            basis.append(
                Basis(
                    due,
                    "due",
                    (
                        f"AVG art. 12 lid 3: laatste dag van de verlengde termijn, {1 + months} "
                        f"maanden na ontvangst{_with(moved)}"
                    ),
                )
            )
        else:
            basis.append(
                Basis(
                    events.extended_on,
                    "extension",
                    (
                        f"AVG art. 12 lid 3: verlenging meegedeeld nadat de eerste maand op "
                        f"{original_due} was verstreken: ongeldig, de eerste termijn blijft staan"
                    ),
                )
            )
    return due, original_due, valid, 0


def timeline(law: Law, received: date, events: Events = Events(), *, today: date) -> Timeline:
    """Compute the deadlines of a request from the law and what happened; see the module doc."""
    if law not in LAWS:
        raise DeadlineError(f"unknown law {law!r}: choose woo or avg")
    _check(law, received, events)
    basis: list[Basis] = []
    periods = _woo_periods if law == "woo" else _avg_periods
    due, original_due, valid, suspended_days = periods(received, events, basis)

    decided = events.decided_on
    withdrawn = events.withdrawn_on if decided is None else None
    objection_due = None
    if decided is not None:
        late = (decided - due).days
        status = "decided_late" if late > 0 else "decided_on_time"
        days_late = max(late, 0)
        basis.append(
            Basis(
                decided,
                "decided",
                (
                    f"besluit verzonden, {late} dagen na de termijn"
                    if late > 0
                    else "besluit verzonden binnen de termijn"
                ),
            )
        )
        objection_due, moved = atw_last_day(decided + DAY, decided + 42 * DAY)
        why = "UAVG art. 34: het antwoord is een besluit, dus " if law == "avg" else ""
        basis.append(
            Basis(
                objection_due,
                "objection_due",
                (
                    f"{why}Awb 6:7, 6:8 lid 1: laatste dag voor bezwaar, zes weken vanaf de dag na "
                    f"verzending van het besluit{_with(moved)}"
                ),
            )
        )
    elif withdrawn is not None:
        late = (withdrawn - due).days
        status, days_late = "withdrawn", 0
        basis.append(
            Basis(
                withdrawn,
                "withdrawn",
                "verzoek ingetrokken door de verzoeker"
                + (f", {late} dagen na de termijn" if late > 0 else ", binnen de termijn"),
            )
        )
    else:
        late = (today - due).days
        status = "overdue" if late > 0 else "open"
        days_late = max(late, 0)
    if late > 0:
        basis.append(
            Basis(
                due + DAY,
                "in_default",
                (
                    "de termijn is verstreken zonder besluit: het bestuursorgaan is in gebreke; de "
                    "verzoeker kan het in gebreke stellen (Awb 6:12 lid 2)"
                ),
            )
        )
        if law == "woo":
            basis.append(
                Basis(
                    due + DAY,
                    "no_dwangsom",
                    (
                        "Woo art. 8.2: paragraaf 4.1.3.2 Awb is niet van toepassing, dus geen "
                        "dwangsom bij een te laat Woo-besluit"
                    ),
                )
            )
        else:
            basis.append(
                Basis(
                    due + DAY,
                    "complaint",
                    "AVG art. 77: een klacht bij de Autoriteit Persoonsgegevens is mogelijk",
                )
            )

    notice = _notice(events, due, decided or withdrawn, basis)
    appeal = _appeal(notice, decided or withdrawn, basis)
    ended_by = "het besluit" if decided else "de intrekking"
    dwangsom = _dwangsom(law, events, notice, decided or withdrawn, ended_by, today, basis)
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
        dwangsom=dwangsom,
    )


def _notice(events: Events, due: date, ended: date | None, basis: list[Basis]) -> date | None:
    """The day a valid ingebrekestelling was received, or None (none sent, sent too early, or
    sent after the decision). Awb 4:17 lid 3 and 6:12 lid 2 count from receipt; a letter sent
    by e-mail is taken as received the day it was sent unless a receipt day is recorded."""
    sent = events.ingebrekestelling_on
    if sent is None:
        return None
    if sent <= due:
        basis.append(
            Basis(
                sent,
                "ingebrekestelling",
                (
                    f"ingebrekestelling verzonden voordat de termijn van {due} was verstreken: te "
                    f"vroeg, zij opent geen beroep en geen dwangsom (Awb 6:12 lid 2, 4:17 lid 3)"
                ),
            )
        )
        return None
    if ended is not None and ended <= sent:
        basis.append(
            Basis(
                sent,
                "ingebrekestelling",
                "ingebrekestelling verzonden na het besluit of de intrekking: zonder gevolg",
            )
        )
        return None
    received = events.ingebrekestelling_received
    basis.append(Basis(sent, "ingebrekestelling", "ingebrekestelling verzonden na de termijn"))
    basis.append(
        Basis(
            received or sent,
            "ingebrekestelling_received",
            (
                "ingebrekestelling ontvangen door het bestuursorgaan"
                if received
                else "ingebrekestelling ontvangen: aangenomen op de dag van verzending (per e-mail); "
                "leg een andere dag van ontvangst vast als die bekend is"
            ),
        )
    )
    return received or sent


def _appeal(notice: date | None, ended: date | None, basis: list[Basis]) -> date | None:
    if notice is None:
        return None
    appeal = notice + 15 * DAY
    if ended is not None and ended < appeal:
        basis.append(
            Basis(
                ended,
                "appeal_moot",
                (
                    "besluit (of intrekking) binnen twee weken na ontvangst van de "
                    "ingebrekestelling: geen beroep wegens niet tijdig beslissen (Awb 6:12 lid 2)"
                ),
            )
        )
        return None
    basis.append(
        Basis(
            appeal,
            "appeal_possible_from",
            (
                "Awb 6:12 lid 2 (b): beroep wegens niet tijdig beslissen kan worden ingesteld nu "
                "twee weken zijn verstreken na de dag waarop de ingebrekestelling werd ontvangen"
            ),
        )
    )
    return appeal


def _dwangsom(
    law: str,
    events: Events,
    notice: date | None,
    ended: date | None,
    ended_by: str,
    today: date,
    basis: list[Basis],
) -> Dwangsom | None:
    """Awb 4:17 for an AVG request: the first day is the day on which two weeks have passed
    after the day of receipt of the ingebrekestelling, read as receipt + 15 (the body may
    still decide on the fourteenth day after receipt), the last the day before the decision
    or the 42nd day, whichever comes first; the Atw does not apply (lid 1)."""
    if law != "avg" or notice is None:
        return None
    first = notice + 15 * DAY
    if ended is not None and ended <= first:
        basis.append(
            Basis(
                ended,
                "no_dwangsom",
                (
                    "Awb 4:17 lid 3: besloten (of ingetrokken) voordat de dwangsom begon te lopen, "
                    f"op {first}: geen dwangsom"
                ),
            )
        )
        return None
    cap = first + (DWANGSOM_DAYS - 1) * DAY
    last = min(ended - DAY, cap) if ended is not None else cap
    counted_to = min(last, today)
    days = max((counted_to - first).days + 1, 0)
    amount = dwangsom_amount(days)
    final = ended is not None or today >= cap
    basis.append(
        Basis(
            first,
            "dwangsom_from",
            (
                "Awb 4:17 lid 3 (UAVG art. 34): eerste dag van de dwangsom, de dag waarop twee "
                f"weken zijn verstreken na de dag van ontvangst van de ingebrekestelling ({notice}); "
                "EUR 23 per dag de eerste 14 dagen, 35 de volgende 14, 45 daarna (lid 2)"
            ),
        )
    )
    basis.append(
        Basis(
            last,
            "dwangsom_until",
            (
                "Awb 4:17 lid 1: laatste dag van de dwangsom, "
                + (
                    f"de dag voor {ended_by}"
                    if ended is not None and ended - DAY <= cap
                    else "de 42e dag (ten hoogste 42 dagen, de Atw is niet van toepassing)"
                )
                + f"; {days} dagen, {euros(amount)}"
                + (" (eindbedrag)" if final else f" tot en met {counted_to} (loopt nog)")
            ),
        )
    )
    return Dwangsom(
        first_day=first,
        last_day=last,
        days=days,
        amount=amount,
        final=final,
        received=notice,
        received_assumed=events.ingebrekestelling_received is None,
    )
