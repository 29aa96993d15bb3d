"""How municipalities answer: share on time and median days to decision, computed honestly.

Requests still open are not dropped (that would flatter the slowest municipalities): they are
censored observations in a Kaplan-Meier estimate of the time to decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from wooarchive.requests.store import RequestStore

MIN_CELL = 5  # fewer requests than this in a published cell could point at their requester


@dataclass(frozen=True)
class Step:
    """The Kaplan-Meier curve at one day: the share still undecided after it (exact), how
    many were at risk, decided that day, and censored (still open) that day."""

    days: int
    survival: Fraction
    at_risk: int
    decided: int
    censored: int


def kaplan_meier(durations: list[tuple[int, bool]]) -> list[Step]:
    """The survival curve of time to decision from (days, decided) pairs, where decided=False
    means still open after that many days. Exact fractions: a curve that reaches one half
    exactly must be seen to reach it (floating point lands on either side)."""
    survival = Fraction(1)
    at_risk = len(durations)
    steps = []
    for days in sorted({d for d, _ in durations}):
        decided = sum(1 for d, done in durations if d == days and done)
        censored = sum(1 for d, done in durations if d == days and not done)
        if decided:
            survival *= 1 - Fraction(decided, at_risk)
        steps.append(Step(days, survival, at_risk, decided, censored))
        at_risk -= decided + censored
    return steps


def kaplan_meier_median(durations: list[tuple[int, bool]]) -> int | None:
    """Median time to decision: the first day the curve is at or below one half; None when
    fewer than half are known to have been decided."""
    return next(
        (s.days for s in kaplan_meier(durations) if s.decided and s.survival <= Fraction(1, 2)),
        None,
    )


@dataclass
class MunicipalityStats:
    municipality_code: str
    municipality: str
    requests: int
    decided: int
    on_time: int
    late: int  # decided late or overdue now
    on_time_share: float | None
    median_days: int | None


def _durations(store: RequestStore, today: date) -> tuple[dict[str, list], dict[str, str]]:
    """Per municipality: the timelines of requests that reached it, and its name."""
    groups: dict[str, list] = {}
    names = {}
    for item in store.overview(today):
        if item.status in ("draft", "undelivered"):
            continue
        groups.setdefault(item.municipality_code, []).append(store.timeline(item.id, today))
        names[item.municipality_code] = item.municipality
    return groups, names


def _summary(code: str, name: str, timelines: list, today: date) -> MunicipalityStats:
    decided = [t for t in timelines if t.status.startswith("decided")]
    on_time = sum(1 for t in timelines if t.status == "decided_on_time")
    late = sum(1 for t in timelines if t.status in ("decided_late", "overdue"))
    judged = on_time + late
    return MunicipalityStats(
        code,
        name,
        len(timelines),
        len(decided),
        on_time,
        late,
        round(on_time / judged, 3) if judged else None,
        kaplan_meier_median(durations_of(timelines, today)),
    )


def durations_of(timelines: list, today: date) -> list[tuple[int, bool]]:
    """(days from receipt to decision, or to the withdrawal or today (censored), decided) per
    request: a withdrawn request waited for a decision only until it was withdrawn."""
    durations = []
    for t in timelines:
        decided_day = next((b.date for b in t.basis if b.what == "decided"), None)
        withdrawn = next((b.date for b in t.basis if b.what == "withdrawn"), None)
        end = decided_day or withdrawn or today
        durations.append(((end - t.received).days, decided_day is not None))
    return durations


def per_municipality(store: RequestStore, today: date | None = None) -> list[MunicipalityStats]:
    today = today or date.today()
    groups, names = _durations(store, today)
    return [_summary(code, names[code], t, today) for code, t in sorted(groups.items())]


def publish(store: RequestStore, today: date | None = None) -> tuple[int, int]:
    """Write the aggregates into the public archive.db (replacing what was published before):
    per municipality with at least MIN_CELL requests, and for the whole country (code NL), with
    the Kaplan-Meier curve of each. A smaller cell is left out, since a count of one or two can
    point at its requester. Returns (cells published, cells suppressed)."""
    from wooarchive.archive.db import transaction
    from wooarchive.archive.store import now, utc_iso

    today = today or date.today()
    groups, names = _durations(store, today)
    everything = [t for timelines in groups.values() for t in timelines]
    cells = {code: t for code, t in groups.items() if len(t) >= MIN_CELL}
    if len(everything) >= MIN_CELL:
        cells["NL"] = everything
        names["NL"] = "Nederland"
    published = utc_iso(now())
    db = store.archive.db
    with transaction(db.conn):  # a reader sees the old statistics or the new, never none
        db.execute("delete from request_stats")
        db.execute("delete from request_survival")
        for code, timelines in sorted(cells.items()):
            s = _summary(code, names[code], timelines, today)
            db.execute(
                "insert into request_stats (municipality_code, requests, decided, judged, on_time, "
                "on_time_share, median_days, published_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    code,
                    s.requests,
                    s.decided,
                    s.on_time + s.late,
                    s.on_time,
                    s.on_time_share,
                    s.median_days,
                    published,
                ],
            )
            db.conn.executemany(
                "insert into request_survival (municipality_code, days, survival, at_risk, "
                "decided, censored, published_at) values (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        code,
                        step.days,
                        float(step.survival),
                        step.at_risk,
                        step.decided,
                        step.censored,
                        published,
                    )
                    for step in kaplan_meier(durations_of(timelines, today))
                ],
            )
    return len(cells), len(groups) - sum(1 for code in cells if code != "NL")
