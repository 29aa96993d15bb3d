"""Counting Woo decisions per municipality (for `woo decisions stats` and the site): how many,
median days to decision, the share decided late, how much was blacked out, the grounds cited.
Decided requests only, as the municipalities published them."""

from __future__ import annotations

import statistics
from collections import Counter

import sqlite_utils


def per_municipality(db: sqlite_utils.Database) -> list[dict]:
    rows = []
    for (code,) in db.execute(
        "select distinct municipality_code from woo_decisions order by municipality_code"
    ).fetchall():
        decided = list(db.query("select * from woo_decisions where municipality_code is ?", [code]))
        days = [d["days_to_decision"] for d in decided if d["days_to_decision"] is not None]
        judged = [d["late"] for d in decided if d["late"] is not None]
        shares = [
            r[0]
            for r in db.execute(
                "select e.redacted_share from extractions e join woo_decisions d "
                "on d.sha256 = e.sha256 where d.municipality_code is ? "
                "and e.redacted_share is not null",
                [code],
            )
        ]
        grounds = db.execute(
            "select code, count(*) from woo_grounds g join woo_decisions d on d.sha256 = g.sha256 "
            "where d.municipality_code is ? and g.valid group by code order by count(*) desc",
            [code],
        ).fetchall()
        assessed = db.execute(
            "select coalesce(i.assessment, 'onbekend'), count(*) from woo_inventory_items i "
            "join woo_decisions d on d.sha256 = i.decision_sha256 "
            "where d.municipality_code is ? group by 1 order by 2 desc",
            [code],
        ).fetchall()
        printed = printed_codes(
            db,
            "select p.redaction_codes from pages p join woo_decisions d on d.sha256 = p.sha256 "
            "where d.municipality_code is ? and p.redaction_codes is not null",
            [code],
        )
        quartiles = statistics.quantiles(days, n=4, method="inclusive") if len(days) > 1 else []
        rows.append(
            {
                "municipality_code": code,
                "decisions": len(decided),
                "dated": len(days),
                "min_days": min(days) if days else None,
                "q1_days": quartiles[0] if quartiles else None,
                "median_days": statistics.median(days) if days else None,
                "q3_days": quartiles[2] if quartiles else None,
                "max_days": max(days) if days else None,
                "late_share": round(sum(judged) / len(judged), 3) if judged else None,
                "judged": len(judged),
                "redacted_share": round(statistics.mean(shares), 4) if shares else None,
                "grounds": "; ".join(f"{c} {n}x" for c, n in grounds),
                "inventory": "; ".join(f"{a} {n}x" for a, n in assessed),
                "codes_in_boxes": "; ".join(f"{c} {n}x" for c, n in printed),
            }
        )
    return rows


def printed_codes(db: sqlite_utils.Database, sql: str, params: list) -> list[tuple[str, int]]:
    """How often each ground code was printed in the redaction boxes of the pages ``sql``
    selects (one column, pages.redaction_codes), commonest first."""
    counts = Counter(
        code.strip() for (codes,) in db.execute(sql, params) for code in codes.split(",")
    )
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def days_to_decision(db: sqlite_utils.Database, municipality: str | None = None) -> list[int]:
    """Days from receipt to decision of every dated decision (of one municipality): the
    distribution."""
    where = "" if municipality is None else " and municipality_code = ?"
    return [
        r[0]
        for r in db.execute(
            "select days_to_decision from woo_decisions where days_to_decision is not null" + where,
            [] if municipality is None else [municipality],
        )
    ]
