"""Read every Woo decision in the archive into `woo_decisions` and `woo_grounds`, and judge its
timeliness against the law: days from the request's receipt to the decision, and the legal
deadline the deadline engine computes (the statutory period, extended when the decision says
it was verdaagd). These are decided requests only, as the municipality itself published them;
they are never mixed with the Kaplan-Meier statistics of our own requests.

Idempotent: a decision's rows are replaced whenever it is read again (a better OCR, a newer
reader), in one transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from wooarchive.archive.store import Archive, now, utc_iso
from wooarchive.decisions.inventory import parse_inventory
from wooarchive.decisions.metadata import Decision, read_decision
from wooarchive.requests.deadlines import DeadlineError, Events, timeline

TOOL = "woo-archive decisions 1"


@dataclass
class DecisionsReport:
    decisions: int = 0
    grounds: int = 0
    with_problems: int = 0
    inventories: int = 0
    inventory_items: int = 0


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
    _inventories(archive, report)
    return report


TABLES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/csv",
)


def _listing(evidence: str | None) -> str | None:
    """The Woo listing page a document was found on (from its kind evidence)."""
    found = re.search(r"listed on Woo page (\S+)", evidence or "")
    return found.group(1).rstrip('",]') if found else None


def _decision_for(db, sha256: str, municipality: str | None, url: str, evidence: str | None):
    """(the decision an inventory belongs to, how that was decided)."""
    kind = db.execute("select kind from documents where sha256 = ?", [sha256]).fetchone()[0]
    if kind == "woo_decision":
        return sha256, "the decision's own page (its table lists the documents)"
    listing = _listing(evidence)
    candidates = []
    if listing:
        candidates = [
            r[0]
            for r in db.execute(
                "select sha256 from documents where kind = 'woo_decision' and sha256 != ? "
                "and kind_evidence like ?",
                [sha256, f"%listed on Woo page {listing}%"],
            )
        ]
        how = f"listed on the same Woo page ({listing})"
    if not candidates:
        folder = url.rsplit("/", 1)[0] + "/"
        candidates = [
            r[0]
            for r in db.execute(
                "select sha256 from documents where kind = 'woo_decision' and sha256 != ? "
                "and municipality_code is ? and first_url like ? escape '\\'",
                [sha256, municipality, folder.replace("%", "\\%").replace("_", "\\_") + "%"],
            )
        ]
        how = f"published beside it ({folder})"
    if len(candidates) == 1:
        return candidates[0], how
    if candidates:
        return None, f"{len(candidates)} decisions {how.split(' (')[0]}: not linked"
    return None, "no decision found beside it"


def _inventories(archive: Archive, report: DecisionsReport) -> None:
    """Tables of documents with an assessment per document, as inventories of decisions:
    spreadsheets and CSV files of any kind, and HTML pages classified as Woo pages or decisions
    (a platform's detail page). Only what changed since it was last read is read again."""
    db = archive.db
    marks = ",".join("?" * len(TABLES))
    candidates = db.execute(
        f"select d.sha256, d.municipality_code, d.first_url, d.kind_evidence, d.mime "
        f"from documents d join extractions e on e.sha256 = d.sha256 "
        f"left join woo_inventories i on i.sha256 = d.sha256 "
        f"where (d.mime in ({marks}) or (d.mime = 'text/html' and d.kind in "
        f"('woo_decision', 'woo_page')) or (d.mime = 'text/plain' and "
        f"lower(d.first_url) like '%.csv')) and (i.sha256 is null or i.tool != ? "
        f"or i.extracted_at < e.extracted_at)",
        [*TABLES, TOOL],
    ).fetchall()
    for sha256, municipality, url, evidence, mime in candidates:
        pages = db.execute(
            "select page, text from pages where sha256 = ? order by page", [sha256]
        ).fetchall()
        # a CSV file is plain text by its bytes; its name says how to read it
        is_csv = mime == "text/csv" or (url or "").lower().endswith(".csv")
        items = parse_inventory(pages, "text/csv" if is_csv else mime)
        # a table that is no inventory is recorded as such (0 items), so the next run does not
        # read it again
        decision, link = (
            _decision_for(db, sha256, municipality, url or "", evidence)
            if items
            else (None, "not an inventory: no column of assessments or grounds")
        )
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            db.execute("delete from woo_inventory_items where inventory_sha256 = ?", [sha256])
            db["woo_inventories"].upsert(
                {
                    "sha256": sha256,
                    "decision_sha256": decision,
                    "items": len(items),
                    "link": link,
                    "extracted_at": utc_iso(now()),
                    "tool": TOOL,
                },
                pk="sha256",
            )
            db.conn.executemany(
                "insert into woo_inventory_items (inventory_sha256, decision_sha256, row, page, "
                "number, title, date, assessment, assessment_raw, grounds, invalid_grounds, "
                "suspended) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        sha256,
                        decision,
                        item.row,
                        item.page,
                        item.number,
                        item.title,
                        item.date,
                        item.assessment,
                        item.assessment_raw,
                        ", ".join(item.grounds) or None,
                        "; ".join(item.invalid_grounds) or None,
                        None if item.suspended is None else int(item.suspended),
                    )
                    for item in items
                ],
            )
        report.inventories += bool(items)
        report.inventory_items += len(items)
