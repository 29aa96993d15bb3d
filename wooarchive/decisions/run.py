"""Read every Woo decision in the archive into `woo_decisions` and `woo_grounds`, and judge its
timeliness against the law: days from the request's receipt to the decision, and the legal
deadline the deadline engine computes (the statutory period, extended when the decision says
it was verdaagd). These are decided requests only, as the municipality itself published them;
they are never mixed with the Kaplan-Meier statistics of our own requests.

Idempotent: a decision's rows are replaced whenever it is read again (a better OCR, a newer
reader), in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from wooarchive.archive.store import Archive, now, utc_iso
from wooarchive.decisions.metadata import Decision, read_decision
from wooarchive.requests.deadlines import DeadlineError, Events, timeline

TOOL = "woo-archive decisions 1"


@dataclass
class DecisionsReport:
    decisions: int = 0
    grounds: int = 0
    with_problems: int = 0


def _timeliness(decision: Decision) -> tuple[int | None, date | None, bool | None, str | None]:
    """(days to decision, legal deadline, late, why not judged)."""
    if not (decision.received_on and decision.decided_on):
        return None, None, None, "receipt or decision date unknown"
    days = (decision.decided_on - decision.received_on).days
    if decision.law != "woo":
        return days, None, None, "only Woo deadlines are computed (the Wob's were different)"
    events = Events(
        # the decision says it was extended, not when: any day within the first term will do
        extended_on=decision.received_on if decision.verdaging else None,
        decided_on=decision.decided_on,
    )
    try:
        t = timeline("woo", decision.received_on, events, today=decision.decided_on)
    except DeadlineError as exc:
        return days, None, None, str(exc)
    return days, t.due, decision.decided_on > t.due, None


def extract_decisions(
    archive: Archive, today: date | None = None, *, everything: bool = False
) -> DecisionsReport:
    """Read the decisions not read yet (or read from an older extraction or by an older
    version of this code); ``everything`` reads them all again. Rows of documents that are no
    longer classified as decisions go."""
    db = archive.db
    report = DecisionsReport()
    with db.conn:
        db.execute(
            "delete from woo_grounds where sha256 not in "
            "(select sha256 from documents where kind = 'woo_decision')"
        )
        db.execute(
            "delete from woo_decisions where sha256 not in "
            "(select sha256 from documents where kind = 'woo_decision')"
        )
    documents = db.execute(
        "select d.sha256, d.municipality_code from documents d join extractions e "
        "on e.sha256 = d.sha256 left join woo_decisions w on w.sha256 = d.sha256 "
        "where d.kind = 'woo_decision' and (? or w.sha256 is null or w.tool != ? "
        "or w.extracted_at < e.extracted_at or w.municipality_code is not d.municipality_code)",
        [everything, TOOL],
    ).fetchall()
    for sha256, municipality in documents:
        pages = db.execute(
            "select page, text from pages where sha256 = ? order by page", [sha256]
        ).fetchall()
        decision = read_decision(pages, today)
        days, due, late, unjudged = _timeliness(decision)
        problems = decision.problems + ([f"timeliness not judged: {unjudged}"] if unjudged else [])
        evidence = decision.evidence
        row = {
            "sha256": sha256,
            "municipality_code": municipality,
            "decided_on": decision.decided_on.isoformat() if decision.decided_on else None,
            "received_on": decision.received_on.isoformat() if decision.received_on else None,
            "law": decision.law,
            "outcome": decision.outcome,
            "documents": decision.documents,
            "verdaging": int(decision.verdaging),
            "days_to_decision": days,
            "legal_due": due.isoformat() if due else None,
            "late": None if late is None else int(late),
            "problems": "; ".join(problems) or None,
            "extracted_at": utc_iso(now()),
            "tool": TOOL,
        }
        for name in ("decided_on", "received_on", "law", "outcome", "documents", "verdaging"):
            found = evidence.get(name)
            row[f"{name}_page"] = found.page if found else None
            row[f"{name}_evidence"] = found.sentence if found else None
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            db.execute("delete from woo_grounds where sha256 = ?", [sha256])
            db["woo_decisions"].upsert(row, pk="sha256")
            db.conn.executemany(
                "insert into woo_grounds (sha256, code, valid, reason, notation, page, sentence) "
                "values (?, ?, ?, ?, ?, ?, ?)",
                [
                    (sha256, g.code, int(g.valid), g.reason, g.notation, e.page, e.sentence)
                    for g, e in decision.grounds
                ],
            )
        report.decisions += 1
        report.grounds += len(decision.grounds)
        report.with_problems += bool(problems)
    return report
