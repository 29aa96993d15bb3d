"""Read every Woo decision in the archive into `woo_decisions` and `woo_grounds`, and judge its
timeliness against the law: days from the request's receipt to the decision, and the legal
deadline the deadline engine computes (the statutory period, extended when the decision says
it was verdaagd). These are decided requests only, as the municipality itself published them;
they are never mixed with the Kaplan-Meier statistics of our own requests.

Idempotent: a decision's rows are replaced whenever it is read again (a better OCR, a newer
reader), in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from wooarchive import cues
from wooarchive.archive.store import Archive, now, utc_iso
from wooarchive.decisions.inventory import (
    EXTRA_COLUMNS,
    Parsed,
    before_inventory,
    inventory_opens,
    parse_inventory,
)
from wooarchive.decisions.metadata import Decision, read_decision
from wooarchive.requests.deadlines import DeadlineError, Events, timeline

# 3: dates read as dates; 4: verdicts, platform columns; 5: the notes in Dutch; 6: more of the
# platform's columns, merged cells, spreadsheets never decisions, unreadable ones rejected
TOOL = "woo-archive decisions 6"


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
    # inventories first: a PDF that turns out to be an inventory of its own is no decision
    _inventories(archive, report, everything)
    gone = (
        "sha256 not in (select sha256 from documents where kind = 'woo_decision') or sha256 in "
        "(select sha256 from woo_inventories where separate = 1)"
    )
    with db.conn:
        db.execute(f"delete from woo_grounds where {gone}")
        db.execute(f"delete from woo_decisions where {gone}")
    documents = db.execute(
        "select d.sha256, d.municipality_code from documents d join extractions e "
        "on e.sha256 = d.sha256 left join woo_decisions w on w.sha256 = d.sha256 "
        "where d.kind = 'woo_decision' and d.sha256 not in "
        "(select sha256 from woo_inventories where separate = 1) "
        "and (? or w.sha256 is null or w.tool != ? "
        "or w.extracted_at < e.extracted_at or w.municipality_code is not d.municipality_code)",
        [everything, TOOL],
    ).fetchall()
    annexed = {
        r[0]
        for r in db.execute(
            "select sha256 from woo_inventories where decision_sha256 = sha256 and items > 0 "
            "and form like 'pdf table%'"
        )
    }
    for sha256, municipality in documents:
        pages = db.execute(
            "select page, text from pages where sha256 = ? order by page", [sha256]
        ).fetchall()
        if sha256 in annexed:
            pages = before_inventory(pages)
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


TABLES = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    "text/csv",
    "application/x-ole-storage",  # an old .xls (a .doc among them has no pages to read)
)
# a PDF that is no decision is read as an inventory when its address or title says it is one
INVENTORY_NAMES = " or ".join(
    f"lower(d.{column}) like '%{word}%'"
    for column in ("first_url", "title")
    for word in ("inventar", "productierapport")
)
FORMS = {
    TABLES[0]: "spreadsheet",
    TABLES[1]: "spreadsheet",
    "text/csv": "csv",
    TABLES[3]: "spreadsheet (xls)",
}


DECISIONS = (
    "kind = 'woo_decision' and sha256 != ? and sha256 not in "
    "(select sha256 from woo_inventories where separate = 1)"
)


def _decision_for(db, sha256: str, municipality: str | None, url: str, evidence: str | None):
    """(the decision a separate inventory belongs to, how that was decided)."""
    listing = cues.listing_of(evidence)
    candidates = []
    if listing:
        candidates = [
            r[0]
            for r in db.execute(
                f"select sha256 from documents where {DECISIONS} and kind_evidence like ?",
                [sha256, f"%listed on Woo page {listing}%"],
            )
        ]
        how = f"listed on the same Woo page ({listing})"
    if not candidates:
        folder = url.rsplit("/", 1)[0] + "/"
        candidates = [
            r[0]
            for r in db.execute(
                f"select sha256 from documents where {DECISIONS} and municipality_code is ? "
                f"and first_url like ? escape '\\'",
                [sha256, municipality, folder.replace("%", "\\%").replace("_", "\\_") + "%"],
            )
        ]
        how = f"published beside it ({folder})"
    if len(candidates) == 1:
        return candidates[0], how
    if candidates:
        return None, f"{len(candidates)} decisions {how.split(' (')[0]}: not linked"
    return None, "no decision found beside it"


def _read_inventory(db, sha256: str, mime: str, url: str, kind: str):
    """(what was read, form, separate, how it belongs to a decision when that is itself)."""
    pages = db.execute(
        "select page, text, method from pages where sha256 = ? order by page", [sha256]
    ).fetchall()
    texts = [(page, text) for page, text, _ in pages]
    if mime == "application/pdf":
        parsed = parse_inventory(texts, mime)
        ocr = any(method == "ocr" for _, _, method in pages)
        form = "pdf table (OCR)" if ocr else "pdf table"
        separate = bool(parsed.items) and inventory_opens(texts)
        own = "an annex of the decision (its own pages list the documents)"
        return parsed, form, separate, None if separate else own
    # a CSV file is plain text by its bytes; its name says how to read it
    is_csv = mime == "text/csv" or url.lower().endswith(".csv")
    parsed = parse_inventory(texts, "text/csv" if is_csv else mime)
    form = "csv" if is_csv else FORMS.get(mime, "html table")
    if is_csv or mime in TABLES:
        # a spreadsheet is never the decision letter, whatever its title says ("Inventarislijst
        # bij het Woo-besluit ...") and so whatever the crawl called it
        return parsed, form, True, None
    own = "the decision's own page (its table lists the documents)"
    return parsed, form, kind != "woo_decision", own if kind == "woo_decision" else None


def _inventories(archive: Archive, report: DecisionsReport, everything: bool) -> None:
    """Tables of documents with an assessment per document, as inventories of decisions:
    spreadsheets and CSV files of any kind, HTML pages classified as Woo pages or decisions
    (a platform's detail page), and PDFs that are decisions or say they are an inventory (a
    table in the text layer or in the OCR'd text, alone or as the decision's annex). Only what
    changed since it was last read is read again; an inventory still without its decision is
    linked again on every run, since the decision may have been archived after it."""
    db = archive.db
    marks = ",".join("?" * len(TABLES))
    candidates = db.execute(
        f"select d.sha256, d.first_url, d.mime, d.kind, e.status, e.errors "
        f"from documents d join extractions e on e.sha256 = d.sha256 "
        f"left join woo_inventories i on i.sha256 = d.sha256 "
        f"where (d.mime in ({marks}) or (d.mime = 'text/html' and d.kind in "
        f"('woo_decision', 'woo_page')) or (d.mime = 'text/plain' and "
        f"lower(d.first_url) like '%.csv') or (d.mime = 'application/pdf' and "
        f"(d.kind in ('woo_decision', 'woo_document') or {INVENTORY_NAMES}))) and (? or i.sha256 is null or i.tool != ? "
        f"or i.extracted_at < e.extracted_at)",
        [*TABLES, everything, TOOL],
    ).fetchall()
    for sha256, url, mime, kind, status, errors in candidates:
        parsed, form, separate, own = _read_inventory(db, sha256, mime, url or "", kind)
        table = mime in TABLES or (url or "").lower().endswith(".csv")
        if table and status not in ("ok", "partial"):
            # a spreadsheet that could not be read is no "not an inventory": it was rejected
            why = "; ".join(json.loads(errors or "[]")[:1]) or "no reason recorded"
            parsed = Parsed([], "rejected", f"the file could not be read ({status}: {why})")
        items = parsed.items
        with db.conn:
            db.execute("BEGIN IMMEDIATE")
            db.execute("delete from woo_inventory_items where inventory_sha256 = ?", [sha256])
            db["woo_inventories"].upsert(
                {
                    "sha256": sha256,
                    "decision_sha256": sha256 if (items and own) else None,
                    "items": len(items),
                    # a table that is no inventory is recorded as such (0 items), so the next
                    # run does not read it again
                    "link": (own or "not linked yet") if items else parsed.verdict,
                    "verdict": parsed.verdict,
                    "reason": parsed.reason,
                    "form": form,
                    "separate": int(separate),
                    "extracted_at": utc_iso(now()),
                    "tool": TOOL,
                },
                pk="sha256",
            )
            db.conn.executemany(
                "insert into woo_inventory_items (inventory_sha256, decision_sha256, row, page, "
                "number, title, date, assessment, assessment_raw, grounds, invalid_grounds, "
                "suspended, date_iso, notes, "
                + ", ".join(EXTRA_COLUMNS)
                + ") values ("
                + ", ".join("?" * (14 + len(EXTRA_COLUMNS)))
                + ")",
                [
                    (
                        sha256,
                        sha256 if own else None,
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
                        item.date_iso,
                        "; ".join(item.notes) or None,
                        *(item.extra.get(name) for name in EXTRA_COLUMNS),
                    )
                    for item in items
                ],
            )
        report.inventories += bool(items)
        report.inventory_items += len(items)
    _link(db)


def _link(db) -> None:
    """Find the decision of every separate inventory that has none yet."""
    unlinked = db.execute(
        "select i.sha256, d.municipality_code, d.first_url, d.kind_evidence "
        "from woo_inventories i join documents d on d.sha256 = i.sha256 "
        "where i.items > 0 and i.decision_sha256 is null"
    ).fetchall()
    for sha256, municipality, url, evidence in unlinked:
        decision, link = _decision_for(db, sha256, municipality, url or "", evidence)
        with db.conn:
            db.execute(
                "update woo_inventories set decision_sha256 = ?, link = ? where sha256 = ?",
                [decision, link, sha256],
            )
            db.execute(
                "update woo_inventory_items set decision_sha256 = ? where inventory_sha256 = ?",
                [decision, sha256],
            )
