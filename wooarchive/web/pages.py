"""What the Datasette plugins show, computed from archive.db: kept here, in the package, so
that the plugins stay thin and the logic is tested like the rest of the library."""

from __future__ import annotations

import difflib
import html
import json
import mimetypes
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import quote, unquote, urlsplit

import sqlite_utils
from markupsafe import Markup

from wooarchive import cues
from wooarchive.archive.cite import cite
from wooarchive.archive.names import file_name
from wooarchive.archive.store import ArchiveError
from wooarchive.config import Settings

SHA = re.compile(r"[0-9a-f]{64}")


def marked(text: str) -> Markup:
    """Escape text, then turn the search index's «» marks into <mark>: archived text can hold
    anything, and none of it may become markup."""
    escaped = html.escape(text)
    return Markup(escaped.replace("«", "<mark>").replace("»", "</mark>"))


def highlight(text: str, query: str) -> Markup:
    """Escaped text with the query's words (and what starts with them) marked."""
    escaped = html.escape(text)
    words = [w for w in re.findall(r"\w+", query or "") if len(w) >= 3]
    if not words:
        return Markup(escaped)
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\w*", re.I)
    return Markup(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))


@dataclass
class DocumentPage:
    document: dict
    municipality: dict | None
    citation: str
    citation_nl: str
    captures: list[dict]
    pages: list[dict]
    extraction: dict | None
    versions: list[dict]
    diff: list[tuple[str, str]]  # (css class, line)
    previous: str | None
    decision: list[dict]  # a Woo decision's values with their evidence, if it is one
    grounds: list[dict]
    inventory: list[dict] = field(default_factory=list)  # the rows of its inventory
    inventory_more: int = 0  # rows not shown (the table has them all)


def document_page(conn: sqlite3.Connection, config: Settings, sha256: str) -> DocumentPage | None:
    db = sqlite_utils.Database(conn)
    rows = list(db.query("select * from documents where sha256 = ?", [sha256]))
    if not rows:
        return None
    doc = rows[0]
    municipality = next(
        iter(db.query("select * from municipalities where code = ?", [doc["municipality_code"]])),
        None,
    )
    captures = [
        {**c, "redirects": json.loads(c["redirect_chain"] or "[]")}
        for c in db.query(
            "select id, requested_url, url, fetched_at, status, method, warc_file, warc_offset, warc_record_id, redirect_chain "
            "from captures where sha256 = ? or revisit_of = ? order by fetched_at, id",
            [sha256, sha256],
        )
    ]
    pages = list(
        db.query(
            "select page, method, quality, text, redacted_share, redaction_boxes, redaction_codes, "
            "redaction_detail from pages where sha256 = ? order by page",
            [sha256],
        )
    )
    for page in pages:
        page["redaction_styles"] = redaction_styles(page.pop("redaction_detail"))
    extraction = next(iter(db.query("select * from extractions where sha256 = ?", [sha256])), None)
    urls = sorted({c["url"] for c in captures})
    versions = []
    if urls:
        marks = ",".join("?" * len(urls))
        versions = list(
            db.query(
                f"select url, sha256, previous_sha256, first_seen, last_seen from url_versions where url in ({marks}) "
                "order by url, id",
                urls,
            )
        )
    previous = next(
        (v["previous_sha256"] for v in versions if v["sha256"] == sha256 and v["previous_sha256"]),
        None,
    )
    diff = []
    if previous:
        old = "\n".join(
            r[0]
            for r in conn.execute(
                "select text from pages where sha256 = ? order by page", [previous]
            )
        )
        new = "\n".join(p["text"] for p in pages)
        for line in difflib.unified_diff(
            old.splitlines(), new.splitlines(), "vorige versie", "deze versie", lineterm="", n=2
        ):
            css = "add" if line.startswith("+") else "del" if line.startswith("-") else "ctx"
            diff.append((css, line))
    try:
        citation = cite(db, config, sha256)
        cited = citation.text(), citation.text_nl()
    except ArchiveError as exc:  # a damaged archive: the page still shows what there is
        cited = (
            f"Not citable: {exc}",
            "Niet te citeren: het archief heeft geen opname van dit document.",
        )
    decision, grounds = decision_facts(db, sha256)
    inventory, more = inventory_rows(db, sha256) if decision else ([], 0)
    return DocumentPage(
        doc,
        municipality,
        *cited,
        captures,
        pages,
        extraction,
        versions,
        diff,
        previous,
        decision,
        grounds,
        inventory,
        more,
    )


MAX_INVENTORY_ROWS = 500  # on the decision's page; the table holds every row


def _tokens(text: str) -> set[str]:
    """Words and numbers of a name, numbers without their leading zeros ("0001" is "1")."""
    return {t.lstrip("0") or "0" if t.isdigit() else t for t in re.findall(r"\w+", text.lower())}


def inventory_rows(db: sqlite_utils.Database, sha256: str) -> tuple[list[dict], int]:
    """The rows of the decision's inventory (at most MAX_INVENTORY_ROWS, and how many more),
    each with the document released for it where the archive has it: the file at the row's
    public link, else one of the documents released beside the decision whose name carries the
    row's number or is its title; else the public link itself."""
    if "woo_inventory_items" not in db.table_names():
        return [], 0
    total = db.execute(
        "select count(*) from woo_inventory_items where decision_sha256 = ?", [sha256]
    ).fetchone()[0]
    rows = list(
        db.query(
            "select number, title, date, date_iso, coalesce(assessment, 'onbekend') as assessment,"
            # the platform's public inventory says where the released document is
            " grounds, coalesce(location, public_link) as public_link"
            " from woo_inventory_items where decision_sha256 = ? "
            "order by inventory_sha256, row limit ?",
            [sha256, MAX_INVENTORY_ROWS],
        )
    )
    beside = [fact["link"] for fact in _released_beside(db, sha256)]
    released = []
    if beside:
        marks = ",".join("?" * len(beside))
        released = [
            {
                "sha256": r["sha256"],
                "numbers": {t for t in _tokens(r["first_url"].rsplit("/", 1)[-1]) if t.isdigit()},
                "name": _plain_name(r["title"]),
            }
            for r in db.query(
                f"select sha256, title, first_url from documents where sha256 in ({marks})", beside
            )
        ]
    for row in rows:
        link = row["public_link"] or ""
        archived = (
            db.execute(
                "select sha256 from documents where first_url = ? limit 1", [link]
            ).fetchone()
            if link
            else None
        )
        numbers = {t for t in _tokens(row["number"] or "") if t.isdigit()}
        name = _plain_name(row["title"])
        row["released"] = (
            archived[0]
            if archived
            else next(
                (
                    d["sha256"]
                    for d in released
                    if (numbers and numbers <= d["numbers"]) or (name and name == d["name"])
                ),
                None,
            )
        )
        row["external"] = (
            link if not row["released"] and link.startswith(("http://", "https://")) else None
        )
    return rows, max(0, total - len(rows))


BOX_STYLES = {  # a redaction box's style as the site names it
    "black": "zwart",
    "grey": "grijs",
    "colour": "gekleurd of licht",
    "framed": "wit met kader",
    "code": "grond zonder vlak",
}


def redaction_styles(detail: str | None) -> str | None:
    """How a page's boxes look, in Dutch: "3 zwart, 1 wit met kader" (from pages.redaction_detail)."""
    if not detail:
        return None
    try:
        boxes = json.loads(detail).get("boxes") or []
    except (ValueError, AttributeError):
        return None
    counts: dict[str, int] = {}
    for box in boxes:
        style = BOX_STYLES.get(box.get("style"), box.get("style"))
        counts[style] = counts.get(style, 0) + 1
    return ", ".join(f"{n} {style}" for style, n in counts.items()) or None


def _plain_name(text: str | None) -> str:
    return " ".join(re.findall(r"\w+", (text or "").lower()))


DECISION_LABELS = [
    ("decided_on", "Datum besluit"),
    ("received_on", "Verzoek ontvangen"),
    ("law", "Wet"),
    ("outcome", "Uitkomst"),
    ("documents", "Aantal documenten"),
    ("verdaging", "Verdaagd"),
]


FORMS_NL = {
    "spreadsheet": "spreadsheet",
    "csv": "CSV-bestand",
    "html table": "tabel op de webpagina",
    "pdf table": "tabel in een PDF",
    "pdf table (OCR)": "tabel in een gescande PDF, met OCR gelezen",
}


def decision_facts(db: sqlite_utils.Database, sha256: str) -> tuple[list[dict], list[dict]]:
    """A Woo decision's values, each with the page and sentence it was read from, and the
    grounds it cites; empty lists for a document that is not a decision."""
    if "woo_decisions" not in db.table_names():
        return [], []
    row = next(iter(db.query("select * from woo_decisions where sha256 = ?", [sha256])), None)
    if row is None:
        return [], []
    facts = [
        {
            "label": label,
            "value": ("ja" if row[name] else "nee") if name == "verdaging" else row[name],
            "page": row[f"{name}_page"],
            "evidence": row[f"{name}_evidence"],
        }
        for name, label in DECISION_LABELS
    ]
    if row["days_to_decision"] is not None:
        late = {1: "te laat", 0: "op tijd"}.get(row["late"], "niet beoordeeld")
        facts.append(
            {
                "label": "Dagen tot besluit",
                "value": f"{row['days_to_decision']} ({late}"
                + (f"; wettelijke termijn tot {row['legal_due']})" if row["legal_due"] else ")"),
                "page": None,
                "evidence": None,
            }
        )
    redaction = db.execute(
        "select e.redacted_share, sum(p.redaction_boxes), count(p.redacted_share) "
        "from extractions e join pages p on p.sha256 = e.sha256 where e.sha256 = ?",
        [sha256],
    ).fetchone()
    if redaction and redaction[2]:
        from wooarchive.decisions.stats import printed_codes

        printed = printed_codes(
            db,
            "select redaction_codes from pages where sha256 = ? and redaction_codes is not null",
            [sha256],
        )
        in_boxes = (
            "; gronden in de vlakken: " + ", ".join(f"{c} {n}x" for c, n in printed)
            if printed
            else ""
        )
        facts.append(
            {
                "label": "Weggelakt",
                "value": f"{redaction[0]:.1%} van de tekst, {redaction[1]} vlakken op "
                f"{redaction[2]} pagina's{in_boxes} (per pagina hieronder)",
                "page": None,
                "evidence": None,
            }
        )
    if "woo_inventories" in db.table_names():
        inventories = list(
            db.query(
                "select sha256, items, link, form from woo_inventories "
                "where decision_sha256 = ? and items > 0",
                [sha256],
            )
        )
        if not inventories:
            facts.append(
                {
                    "label": "Inventaris",
                    "value": "geen gevonden: niet in het besluit, niet op dezelfde Woo-pagina "
                    "en niet ernaast gepubliceerd",
                    "page": None,
                    "evidence": None,
                }
            )
        for inventory in inventories:
            counts = db.execute(
                "select coalesce(assessment, 'onbekend'), count(*) from woo_inventory_items "
                "where inventory_sha256 = ? group by 1 order by 2 desc, 1",
                [inventory["sha256"]],
            ).fetchall()
            facts.append(
                {
                    "label": "Inventaris",
                    "value": f"{inventory['items']} documenten: "
                    + ", ".join(f"{n} {what}" for what, n in counts)
                    + f" ({FORMS_NL.get(inventory['form'], inventory['form'])})",
                    "page": None,
                    "evidence": None,
                    "link": inventory["sha256"],
                    "link_text": "de inventaris",
                }
            )
    facts.extend(_released_beside(db, sha256))
    if row["problems"]:
        facts.append(
            {"label": "Niet gevonden", "value": row["problems"], "page": None, "evidence": None}
        )
    grounds = list(
        db.query(
            "select code, valid, reason, notation, page, sentence from woo_grounds where sha256 = ?",
            [sha256],
        )
    )
    return facts, grounds


def _released_beside(db: sqlite_utils.Database, sha256: str) -> list[dict]:
    """The documents released under the Woo that the Woo page listing this decision lists beside
    it (a platform's detail page: the decision, its inventory, the documents)."""
    evidence = db.execute("select kind_evidence from documents where sha256 = ?", [sha256])
    listing = cues.listing_of((evidence.fetchone() or [None])[0])
    if not listing:
        return []
    return [
        {
            "label": "Openbaar gemaakt",
            "value": row["title"],
            "page": None,
            "evidence": None,
            "link": row["sha256"],
            "link_text": "het document",
        }
        for row in db.query(
            "select sha256, title from documents where kind = 'woo_document' "
            "and kind_evidence like ? order by first_url",
            [f'%listed on Woo page {listing}"%'],
        )
    ]


def capture_page(conn: sqlite3.Connection, config: Settings, capture_id: int) -> dict | None:
    """One capture as evidence: what was asked and answered (redirects, status, headers), when,
    where its WARC record is, its citation, and the document it made, if any."""
    db = sqlite_utils.Database(conn)
    capture = next(iter(db.query("select * from captures where id = ?", [capture_id])), None)
    if capture is None:
        return None
    citation = cite(db, config, f"capture:{capture_id}")
    document = next(
        iter(db.query("select sha256, title from documents where sha256 = ?", [capture["sha256"]])),
        None,
    )
    return {
        **capture,
        "headers": json.loads(capture["headers"] or "[]"),
        "redirects": json.loads(capture["redirect_chain"] or "[]"),
        "citation": citation.text(),
        "citation_nl": citation.text_nl(),
        "document": document
        if capture["status"] is None or 200 <= capture["status"] < 300
        else None,
    }


def download_name(url: str, title: str | None, mime: str | None, sha256: str) -> str:
    """The file name an original downloads as: the URL's own name (or the title), with the
    extension its type calls for, made safe for a header."""
    path = unquote(urlsplit(url).path if "://" in url else url.removeprefix("file:"))
    stem = path.rstrip("/").rsplit("/", 1)[-1] or (title or "")[:80] or sha256[:16]
    stem = file_name(stem, sha256[:16])
    wanted = mimetypes.guess_extension((mime or "").split(";")[0]) or ""
    if wanted == ".htm":
        wanted = ".html"
    if (
        wanted
        and not stem.lower().endswith(wanted)
        and not (wanted == ".html" and stem.lower().endswith(".htm"))
    ):
        stem += wanted
    return stem


def attachment_header(name: str) -> str:
    """Content-Disposition for a download: an ASCII fallback and the UTF-8 name (RFC 6266)."""
    fallback = "".join(c if c.isascii() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


SCORE_COLUMNS = [
    ("privacy_statement", "Privacyverklaring"),
    ("processing_register", "Verwerkingsregister"),
    ("fg_contact", "Contactgegevens FG"),
    ("dpia", "DPIA's"),
    ("algorithm_register", "Algoritmeregister"),
    ("woo_decision", "Woo-besluiten"),
]
# What the law asks of each column: publication, or only that it exists. "Not found" means
# something else for each: a register that is not published is no duty broken. Each column is
# its own finding; they are never added into one score.
PUBLISH, NOT_REQUIRED = "publish", "not_required"
DUTIES = {
    "privacy_statement": (
        PUBLISH,
        "informeren (AVG art. 12\u201114)",
        "AVG art. 12-14: betrokkenen begrijpelijk en makkelijk toegankelijk informeren; een "
        "privacyverklaring op de site is de gewone vorm",
    ),
    "processing_register": (
        NOT_REQUIRED,
        "bijhouden; publiceren hoeft niet (AVG art. 30)",
        "AVG art. 30: het register bijhouden en op verzoek aan de AP tonen; publiceren hoeft niet",
    ),
    "fg_contact": (
        PUBLISH,
        "contactgegevens openbaar (AVG art. 37 lid 7)",
        "AVG art. 37 lid 7: de contactgegevens van de FG openbaar maken; alleen de FG noemen is "
        "dat niet",
    ),
    "dpia": (
        NOT_REQUIRED,
        "uitvoeren waar nodig; publiceren hoeft niet (AVG art. 35)",
        "AVG art. 35: een DPIA uitvoeren waar een verwerking een hoog risico geeft; publiceren "
        "hoeft niet",
    ),
    "algorithm_register": (
        NOT_REQUIRED,
        "geen wettelijke plicht",
        "Geen wettelijke plicht: het Algoritmeregister van de overheid is kabinetsbeleid",
    ),
    "woo_decision": (
        PUBLISH,
        "actief openbaar (Woo art. 3.3)",
        "Woo art. 3.3 lid 2 onder i: besluiten op Woo-verzoeken actief openbaar maken (de plicht "
        "gaat in fasen in)",
    ),
}
# A cell's state as the page shows it: found, the FG named without a way to reach them, not
# found (where the law asks publication, or where it does not), never looked at.
CELL_CLASSES = {
    "found": "yes",
    "named": "part",
    ("not_found", PUBLISH): "no",
    ("not_found", NOT_REQUIRED): "open",
    "never": "never",
}
LEGEND = [
    ("yes", "gevonden (met het bewijs)"),
    ("part", "FG genoemd, maar geen contactgegevens gevonden"),
    ("no", "niet gevonden, terwijl de wet publicatie vraagt"),
    ("open", "niet gevonden; de wet vraagt niet om publicatie"),
    ("never", "nooit bekeken: hierover zegt de kaart niets"),
]
# filter values in the address (?dpia=gevonden) and the states they select
STATE_FILTERS = {
    "gevonden": "found",
    "genoemd": "named",
    "niet-gevonden": "not_found",
    "nooit": "never",
}
# what the Autoriteit Persoonsgegevens checks first: a processing register, DPIAs, an FG
AP_POINTS = ("processing_register", "dpia", "fg_contact")
# a page that lists DPIAs is not one: for DPIAs only files count (a page listing Woo decisions
# is a woo_page already; an HTML page classified a decision is a platform's detail page)
FILES_ONLY = ("dpia",)


def scorecard(conn: sqlite3.Connection, code: str | None = None) -> list[dict]:
    """One row per municipality, each cell in one of three states: ``found`` (how many
    publications, counted by address so that versions of one page count once; since when, last
    seen, and the latest as evidence), ``not_found`` at the last crawl of the municipality (with
    that crawl's date and errors), or ``never`` crawled. A page listing DPIAs is not counted as
    one. Plus the published request statistics."""
    db = sqlite_utils.Database(conn)
    where, params = ("where m.code = ?", [code]) if code else ("", [])
    municipalities = list(
        db.query(
            f"select m.code, m.name, m.website from municipalities m {where} order by m.name",
            params,
        )
    )
    if not municipalities:
        return []  # an unknown code: nothing to count (a bot asking costs no scan)
    files_only = ", ".join(f"'{kind}'" for kind in FILES_ONLY)
    one = "and d.municipality_code = ?" if code else ""
    facts: dict[tuple[str, str], dict] = {}
    # a document counts for its own kind, and for the kinds of its sections (an FG contact on
    # the privacy page)
    kinds = (
        "(select sha256, kind from documents where kind is not null "
        "union select sha256, kind from findings)"
    )
    for row in db.query(
        "select d.municipality_code, k.kind, count(distinct coalesce(d.first_url, d.sha256)) n, "
        "min(d.first_seen) since, max(d.last_seen) last_seen, "
        f"(select d2.sha256 from {kinds} k2 join documents d2 on d2.sha256 = k2.sha256 "
        " where d2.municipality_code = d.municipality_code and k2.kind = k.kind "
        " order by d2.last_seen desc limit 1) latest "
        f"from {kinds} k join documents d on d.sha256 = k.sha256 "
        f"where not (k.kind in ({files_only}) and d.mime = 'text/html') {one} "
        "group by d.municipality_code, k.kind",
        [m["code"] for m in municipalities] if code else [],
    ):
        facts[(row["municipality_code"], row["kind"])] = row
    crawls = {
        r["municipality_code"]: r
        for r in db.query(
            "select c.municipality_code, c.started_at, c.finished_at, c.pages, c.errors "
            "from crawl_sites c join (select municipality_code, max(started_at) started "
            "from crawl_sites group by municipality_code) l "
            "on l.municipality_code = c.municipality_code and l.started = c.started_at"
        )
    }
    stats = {}
    if "request_stats" in db.table_names():
        stats = {r["municipality_code"]: r for r in db.query("select * from request_stats")}
    reachable = _fg_reachable(db, code)
    result = []
    for m in municipalities:
        crawl = crawls.get(m["code"])
        cells = {}
        for kind, _ in SCORE_COLUMNS:
            found = facts.get((m["code"], kind))
            if found and kind == "fg_contact" and m["code"] not in reachable:
                cells[kind] = {**found, "state": "named"}
            elif found:
                cells[kind] = {**found, "state": "found"}
            elif crawl:
                cells[kind] = {"state": "not_found", "crawled": crawl["started_at"]}
            else:
                cells[kind] = {"state": "never"}
            state = cells[kind]["state"]
            cells[kind]["css"] = CELL_CLASSES.get(state) or CELL_CLASSES[(state, DUTIES[kind][0])]
        result.append(
            {
                **m,
                "cells": cells,
                "crawl": crawl,
                "crawled": crawl is not None,
                "stats": stats.get(m["code"]),
                "ap_score": sum(1 for k in AP_POINTS if cells[k]["state"] == "found"),
            }
        )
    return result


FG_PAGES, FG_CHARS = 3, 20000


def _fg_reachable(db: sqlite_utils.Database, code: str | None) -> set[str]:
    """The municipalities with a way to reach their FG on record: a page section naming the FG
    with a mail address or phone number (findings), or a page about the FG whose text holds one.
    A page that only names the FG is "named", not this."""
    from wooarchive.indexer.html import EMAIL, PHONE

    one = "and d.municipality_code = ?" if code else ""
    params = [code] if code else []
    reachable = {
        r[0]
        for r in db.execute(
            "select distinct d.municipality_code from findings f join documents d "
            f"on d.sha256 = f.sha256 where f.kind = 'fg_contact' {one}",
            params,
        )
    }
    # the scorecard is computed on every request: only what can still change the answer is read
    # (municipalities without such a section), and of each page about the FG its first
    # FG_PAGES pages and FG_CHARS characters each, where a way to reach the FG stands (an
    # annual report classified as the FG's would otherwise be scanned whole every time)
    for municipality, text in db.execute(
        "select d.municipality_code, substr(p.text, 1, ?) from documents d "
        "join pages p on p.sha256 = d.sha256 "
        f"where d.kind = 'fg_contact' and p.page <= ? {one} and not exists ("
        "select 1 from findings f join documents d2 on d2.sha256 = f.sha256 "
        "where f.kind = 'fg_contact' and d2.municipality_code = d.municipality_code)",
        [FG_CHARS, FG_PAGES, *params],
    ):
        if municipality not in reachable and (EMAIL.search(text or "") or PHONE.search(text or "")):
            reachable.add(municipality)
    return reachable


def scorecard_view(rows: list[dict], args) -> tuple[list[dict], dict]:
    """The rows a visitor asked for (``args``: the address's parameters) and what the page says
    of them: ``bekeken=ja|nee`` (crawled at least once or never), per column a state
    (``dpia=gevonden``, ``fg_contact=genoemd``, ``woo_decision=niet-gevonden``, ``...=nooit``),
    sorted by name or by a column (found first; ``richting=oplopend`` the other way round), and
    per column how many of the rows shown are in each state."""
    looked = args.get("bekeken")
    if looked in ("ja", "nee"):
        rows = [r for r in rows if r["crawled"] == (looked == "ja")]
    chosen = {}
    for kind, _ in SCORE_COLUMNS:
        state = STATE_FILTERS.get(args.get(kind) or "")
        if state:
            chosen[kind] = args.get(kind)
            rows = [r for r in rows if r["cells"][kind]["state"] == state]
    sort = args.get("sort") or "name"
    ascending = args.get("richting") == "oplopend"
    order = {"found": 0, "named": 1, "not_found": 2, "never": 3}
    if sort in DUTIES:
        rows = sorted(
            rows,
            key=lambda r: (order[r["cells"][sort]["state"]], -r["cells"][sort].get("n", 0)),
            reverse=ascending,
        )
    else:
        sort = "name"
        rows = sorted(rows, key=lambda r: r["name"], reverse=args.get("richting") == "aflopend")
    counts = {kind: Counter(r["cells"][kind]["state"] for r in rows) for kind, _ in SCORE_COLUMNS}
    summary = {
        "shown": len(rows),
        "crawled": sum(1 for r in rows if r["crawled"]),
        "never": sum(1 for r in rows if not r["crawled"]),
        "counts": counts,
        "sort": sort,
        "ascending": ascending,
        "chosen": chosen,
        "looked": looked if looked in ("ja", "nee") else "",
    }
    return rows, summary


def scorecard_table(rows: list[dict]) -> list[dict]:
    """The scorecard flat, one row per municipality, for CSV and JSON: per kind its state, the
    number found, since when, last seen and the evidence's document page."""
    flat = []
    for row in rows:
        record = {
            "code": row["code"],
            "name": row["name"],
            "last_crawl": row["crawl"]["started_at"] if row["crawl"] else None,
            "last_crawl_errors": row["crawl"]["errors"] if row["crawl"] else None,
            "crawled": int(row["crawled"]),
        }
        for kind, _ in SCORE_COLUMNS:
            cell = row["cells"][kind]
            record[f"{kind}_state"] = cell["state"]
            record[f"{kind}_law"] = DUTIES[kind][0]
            record[f"{kind}_count"] = cell.get("n", 0)
            record[f"{kind}_since"] = cell.get("since")
            record[f"{kind}_last_seen"] = cell.get("last_seen")
            record[f"{kind}_evidence"] = (
                f"/-/document/{cell['latest']}" if cell.get("latest") else None
            )
        stats = row["stats"] or {}
        record["requests_on_time_share"] = stats.get("on_time_share")
        record["requests_median_days"] = stats.get("median_days")
        flat.append(record)
    return flat


AP_COLOURS = ("#d7301f", "#fc8d59", "#91cf60", "#1a9850")  # 0..3 of the AP's three points
NEVER_CRAWLED = "#bdbdbd"
STATE_SEGMENTS = [
    ("gevonden", "#1a9850"),
    ("FG alleen genoemd", "#fdae61"),
    ("niet gevonden", "#d7301f"),
    ("nooit bekeken", NEVER_CRAWLED),
]


def national_picture(conn: sqlite3.Connection, path) -> dict:
    """The country at a glance: the map coloured by how many of the AP's three points each
    municipality publishes (grey where it was never crawled, so no colour claims what nobody
    checked), the states of every scorecard item across the country as bars, and both as a
    table for CSV. ``path`` makes a site path (Datasette's urls.path)."""
    from wooarchive.dutch import kind_label
    from wooarchive.web.charts import stacked_bars
    from wooarchive.web.maps import CREDIT, choropleth

    rows = scorecard(conn)
    fills, titles, links, table = {}, {}, {}, []
    for row in rows:
        crawled = row["crawled"] or any(c["state"] != "never" for c in row["cells"].values())
        found = [kind_label(k) for k in AP_POINTS if row["cells"][k]["state"] == "found"]
        fills[row["code"]] = AP_COLOURS[row["ap_score"]] if crawled else NEVER_CRAWLED
        titles[row["code"]] = (
            f"{row['name']}: {row['ap_score']} van 3" + (f" ({', '.join(found)})" if found else "")
            if crawled
            else f"{row['name']}: nog nooit bekeken"
        )
        links[row["code"]] = path(f"/-/scorecard/{row['code']}")
        table.append(
            {
                "code": row["code"],
                "name": row["name"],
                "crawled": int(crawled),
                "ap_points": row["ap_score"] if crawled else None,
                **{k: row["cells"][k]["state"] for k in AP_POINTS},
            }
        )
    bars = []
    for kind, label in SCORE_COLUMNS:
        counts = Counter(row["cells"][kind]["state"] for row in rows)
        bars.append(
            (label, [counts["found"], counts["named"], counts["not_found"], counts["never"]])
        )
    legend = [(f"{n} van 3", AP_COLOURS[n]) for n in range(4)] + [("nooit bekeken", NEVER_CRAWLED)]
    return {
        "map": Markup(
            choropleth(fills, titles, links, label="De drie punten van de AP per gemeente")
        ),
        "bars": Markup(
            stacked_bars(bars, STATE_SEGMENTS, title="Wat de gemeenten publiceren, heel Nederland")
        ),
        "legend": legend,
        "credit": CREDIT,
        "table": table,
        "crawled": sum(1 for t in table if t["crawled"]),
        "total": len(table),
    }


def crawl_history(conn: sqlite3.Connection, code: str) -> dict:
    """A municipality's crawls (newest first) and the errors of its latest: what a reader of
    "not found" needs to judge it."""
    db = sqlite_utils.Database(conn)
    crawls = list(
        db.query(
            "select started_at, finished_at, start_url, moved_to, pages, documents, errors "
            "from crawl_sites where municipality_code = ? order by started_at desc limit 20",
            [code],
        )
    )
    errors = []
    if crawls:
        errors = list(
            db.query(
                "select url, attempted_at, error from fetch_errors where municipality_code = ? "
                "and attempted_at >= ? order by attempted_at limit 50",
                [code, crawls[0]["started_at"]],
            )
        )
    return {"crawls": crawls, "errors": errors}


def request_statistics(conn: sqlite3.Connection) -> list[dict]:
    """The published request statistics, the country first: each cell's figures and its
    Kaplan-Meier curve as SVG (the data is the request_survival table, as CSV beside it)."""
    from wooarchive.web.charts import Point, survival_plot

    db = sqlite_utils.Database(conn)
    if "request_survival" not in db.table_names():
        return []
    names = dict(db.execute("select code, name from municipalities"))
    names["NL"] = "Nederland (alle gemeenten samen)"
    curves: dict[str, list[Point]] = {}
    for code, days, survival, censored in db.execute(
        "select municipality_code, days, survival, censored from request_survival "
        "order by municipality_code, days"
    ):
        curves.setdefault(code, []).append(Point(days, survival, censored))
    stats = {r["municipality_code"]: r for r in db.query("select * from request_stats")}
    cells = []
    for code in sorted(curves, key=lambda c: (c != "NL", names.get(c, c))):
        name = names.get(code, code)
        cells.append(
            {
                "code": code,
                "name": name,
                "stats": stats.get(code),
                "svg": Markup(
                    survival_plot([(name, curves[code])], title=f"Tijd tot besluit: {name}")
                ),
            }
        )
    return cells


# The Woo's terms in calendar days, drawn over the days to decision: four weeks (art. 4.4 lid 1)
# and six with a verdaging (lid 2); the Algemene termijnenwet can add a day or two.
LEGAL_TERMS = ((28, "28 dagen: de termijn"), (42, "42 dagen: met verdaging"))


def decision_statistics(conn: sqlite3.Connection) -> dict:
    """What the published Woo decisions say, per municipality, with the distribution of days
    to decision as a picture (the data is the woo_decisions table, as CSV beside it)."""
    from wooarchive.decisions.stats import days_to_decision, per_municipality
    from wooarchive.web.charts import histogram

    db = sqlite_utils.Database(conn)
    if "woo_decisions" not in db.table_names():
        return {"rows": [], "svg": ""}
    names = dict(db.execute("select code, name from municipalities"))
    days = days_to_decision(db)
    upto = max(days, default=0)
    rows = []
    for row in per_municipality(db):
        own = days_to_decision(db, row["municipality_code"]) if row["municipality_code"] else []
        name = names.get(row["municipality_code"], "?")
        # one small picture per municipality, all on the axis of the largest value
        small = histogram(
            own,
            width=240,
            height=90,
            title=f"Dagen tot besluit, {name}",
            upto=upto,
            marks=LEGAL_TERMS,
        )
        rows.append({**row, "name": name, "svg": Markup(small)})
    return {
        "rows": rows,
        "dated": len(days),
        "svg": Markup(
            histogram(
                days,
                title="Dagen van verzoek tot besluit, alle gepubliceerde besluiten",
                marks=LEGAL_TERMS,
            )
        ),
    }


def municipality_decisions(conn: sqlite3.Connection, code: str) -> dict | None:
    """One municipality's published decisions: its distribution of days to decision, and every
    decision with its dates, deadline, outcome and grounds, linked to its document page (where
    each value's sentence is shown). A municipality without any says so, and when it was last
    looked for (or that it never was); only an unknown code has no page."""
    from wooarchive.decisions.stats import days_to_decision, per_municipality
    from wooarchive.web.charts import histogram

    db = sqlite_utils.Database(conn)
    name = db.execute("select name from municipalities where code = ?", [code]).fetchone()
    if name is None:
        return None
    looked = db.execute(
        "select max(finished_at) from crawl_sites where municipality_code = ?", [code]
    ).fetchone()[0]
    summary = next((r for r in per_municipality(db) if r["municipality_code"] == code), None)
    if summary is None:  # none found, or never looked for: a page that says which
        return {"code": code, "name": name[0], "summary": None, "last_looked": looked}
    decisions = list(
        db.query(
            "select w.sha256, d.title, w.decided_on, w.received_on, w.days_to_decision, "
            "w.legal_due, w.late, w.outcome, w.law, w.problems, "
            "(select group_concat(code, ', ') from woo_grounds g "
            " where g.sha256 = w.sha256 and g.valid) as grounds "
            "from woo_decisions w join documents d on d.sha256 = w.sha256 "
            "where w.municipality_code = ? order by w.decided_on desc, d.title",
            [code],
        )
    )
    days = days_to_decision(db, code)
    return {
        "code": code,
        "name": name[0],
        "summary": summary,
        "last_looked": looked,
        "decisions": decisions,
        "svg": Markup(
            histogram(days, title=f"Dagen van verzoek tot besluit, {name[0]}", marks=LEGAL_TERMS)
        ),
    }
