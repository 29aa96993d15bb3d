"""How municipalities answer: share on time and median days to decision, computed honestly.

Requests still open are not dropped (that would flatter the slowest municipalities): they are
censored observations in a Kaplan-Meier estimate of the time to decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wooarchive.requests.store import RequestStore


def kaplan_meier_median(durations: list[tuple[int, bool]]) -> int | None:
    """Median time from (days, decided) pairs, where decided=False means still open after that
    many days; None when fewer than half are known to have been decided."""
    survival = 1.0
    at_risk = len(durations)
    for days in sorted({d for d, _ in durations}):
        events = sum(1 for d, decided in durations if d == days and decided)
        if events:
            survival *= 1 - events / at_risk
            if survival <= 0.5:
                return days
        at_risk -= sum(1 for d, _ in durations if d == days)
    return None


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


def per_municipality(store: RequestStore, today: date | None = None) -> list[MunicipalityStats]:
    today = today or date.today()
    groups: dict[str, list] = {}
    names = {}
    for item in store.overview(today):
        if item.status == "draft":
            continue
        t = store.timeline(item.id, today)
        groups.setdefault(item.municipality_code, []).append(t)
        names[item.municipality_code] = item.municipality
    result = []
    for code, timelines in sorted(groups.items()):
        decided = [t for t in timelines if t.status.startswith("decided")]
        on_time = sum(1 for t in timelines if t.status == "decided_on_time")
        late = sum(1 for t in timelines if t.status in ("decided_late", "overdue"))
        durations = []
        for t in timelines:
            decided_day = next((b.date for b in t.basis if b.what == "decided"), None)
            end = decided_day or today
            durations.append(((end - t.received).days, decided_day is not None))
        judged = on_time + late
        result.append(
            MunicipalityStats(
                code,
                names[code],
                len(timelines),
                len(decided),
                on_time,
                late,
                round(on_time / judged, 3) if judged else None,
                kaplan_meier_median(durations),
            )
        )
    return result


def publish(store: RequestStore, today: date | None = None) -> int:
    """Write the per-municipality aggregates into the public archive.db (replacing what was
    published before). Only counts, shares and medians leave requests.db."""
    from wooarchive.archive.store import now, utc_iso

    rows = per_municipality(store, today)
    db = store.archive.db
    with db.conn:
        db.execute("delete from request_stats")
        db.conn.executemany(
            "insert into request_stats (municipality_code, requests, decided, judged, on_time, on_time_share, "
            "median_days, published_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    s.municipality_code,
                    s.requests,
                    s.decided,
                    s.on_time + s.late,
                    s.on_time,
                    s.on_time_share,
                    s.median_days,
                    utc_iso(now()),
                )
                for s in rows
            ],
        )
    return len(rows)
