"""The site in Dutch for a newcomer: the home page's figures and latest documents, Dutch names
for kinds of document in every template and table (and in SQL: kind_nl), and every document id
in a table or a query's results a link to the document's page (where its citation and original
are); a digest that names no document (a page's text, the body of a redirect or an error) leads
nowhere that would answer 404."""

import re
from datetime import UTC, datetime

from markupsafe import Markup, escape

from datasette import hookimpl
from wooarchive.dutch import AMSTERDAM, KIND_LABELS, kind_label, local_time, long_date

SHA = re.compile(r"^[0-9a-f]{64}$")


# Datasette's own words, as its views write them into the pages (its templates are ours, in
# Dutch: templates/table.html and the others copied from Datasette 0.65)
LOOKUPS_NL = {
    "contains": "bevat",
    "ends with": "eindigt op",
    "starts with": "begint met",
    "like": "lijkt op (like)",
    "not like": "lijkt niet op (not like)",
    "glob": "patroon (glob)",
    "in": "een van",
    "not in": "geen van",
    "array contains": "lijst bevat",
    "array does not contain": "lijst bevat niet",
    "date": "datum",
    "is null": "is leeg (null)",
    "is not null": "is niet leeg (null)",
    "is blank": "is leeg",
    "is not blank": "is niet leeg",
    "hide": "verbergen",
    "show": "tonen",
}
# the phrases of Datasette's description of a table's rows ("where kind = "dpia" and ...,
# sorted by title descending"), outside the quoted values
DESCRIPTION_NL = [
    (re.compile(r"\bsearch matches\b"), "zoekvraag"),
    (re.compile(r"\bsorted by\b"), "gesorteerd op"),
    (re.compile(r"\bdescending\b"), "aflopend"),
    (re.compile(r"\bdoes not contain\b"), "bevat niet"),
    (re.compile(r"\barray contains\b"), "lijst bevat"),
    (re.compile(r"\bcontains\b"), "bevat"),
    (re.compile(r"\bstarts with\b"), "begint met"),
    (re.compile(r"\bends with\b"), "eindigt op"),
    (re.compile(r"\bis not null\b"), "is niet leeg"),
    (re.compile(r"\bis null\b"), "is leeg"),
    (re.compile(r"\bis not blank\b"), "is niet leeg"),
    (re.compile(r"\bis blank\b"), "is leeg"),
    (re.compile(r"\bis on date\b"), "valt op"),
    (re.compile(r"\bnot in\b"), "geen van"),
    (re.compile(r"\bwhere\b"), "waar"),
    (re.compile(r"\band\b"), "en"),
    (re.compile(r"\bin\b"), "een van"),
]


def lookup_nl(text: str) -> str:
    return LOOKUPS_NL.get(text, text)


def description_nl(text: str) -> str:
    """Datasette's English description of a table's rows in Dutch; the quoted values (what a
    visitor typed) stay as they are."""
    parts = re.split(r'("(?:[^"\\]|\\.)*")', text or "")
    for index in range(0, len(parts), 2):  # the parts outside quotes
        for pattern, dutch in DESCRIPTION_NL:
            parts[index] = pattern.sub(dutch, parts[index])
    return "".join(parts)


def _moment(value) -> datetime | None:
    """An archive timestamp ("2026-12-03T06:50:12Z", "2026-12-03 06:50:12", a date) read as a
    moment in UTC, or None."""
    text = str(value or "").strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def date_nl(value) -> str:
    """An archive timestamp as the day in the Netherlands ("3 december 2026")."""
    moment = _moment(value)
    if moment is None:
        return str(value or "")
    if len(str(value).strip()) <= 10:  # a day, not a moment
        return long_date(moment.date())
    return long_date(moment.astimezone(AMSTERDAM).date())


def time_nl(value) -> str:
    """An archive timestamp as the time in the Netherlands ("3 december 2026 om 07.50 uur")."""
    moment = _moment(value)
    return local_time(moment) if moment is not None else str(value or "")


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["kind_nl"] = kind_label
    env.filters["date_nl"] = date_nl
    env.filters["time_nl"] = time_nl
    env.filters["lookup_nl"] = lookup_nl
    env.filters["description_nl"] = description_nl


@hookimpl
def prepare_connection(conn):
    # the same Dutch names in SQL, for what a query writes out (the Atom feed's entries)
    conn.create_function("kind_nl", 1, kind_label, deterministic=True)


@hookimpl
def extra_template_vars(view_name, datasette):
    if view_name != "index":
        return {}

    async def home():
        db = datasette.get_database("archive")
        shown = "kind not in ('crawl_record', 'soft_404', 'other')"
        latest = await db.execute(
            "select d.sha256, d.title, d.first_url, d.kind, d.first_seen, m.name "
            "from documents d left join municipalities m on m.code = d.municipality_code "
            f"where {shown} order by d.first_seen desc limit 10"
        )
        counts = await db.execute(
            f"select count(*), count(distinct municipality_code) from documents where {shown}"
        )
        last = await db.execute("select max(finished_at) from crawl_runs")
        documents, municipalities = counts.first()
        return {
            "home": {
                "latest": [dict(r) for r in latest.rows],
                "documents": documents,
                "municipalities": municipalities,
                "last_crawl": last.first()[0],
            }
        }

    return home


@hookimpl
def render_cell(value, column, table, database, datasette, row):
    if database == "archive" and table == "documents" and column == "title" and row:
        # the table's key links to the row; its title, to the document page with the citation
        href = datasette.urls.path(f"/-/document/{row['sha256']}")
        return Markup(f'<a href="{href}">{escape(value or "(zonder titel)")}</a>')
    if not isinstance(value, str):
        return None
    if column == "kind" and value in KIND_LABELS:
        return Markup(f'<span title="{escape(value)}">{escape(KIND_LABELS[value])}</span>')
    if database == "archive" and SHA.match(value) and (
        column == "sha256" or column.endswith("_sha256")
    ):
        if column in NOT_DOCUMENTS:
            return None
        if column == "sha256" and row and not _made_a_document(row):
            # the body of a redirect or an error is kept, but is no document: its capture says
            # what it was (a row of captures, in the table or in a query's results)
            if _has(row, "warc_record_id") and _has(row, "id"):
                href = datasette.urls.path(f"/-/capture/{row['id']}")
                return Markup(f'<a href="{href}" title="opname, geen document">{value[:12]}…</a>')
            return None
        href = datasette.urls.path(f"/-/document/{value}")
        return Markup(f'<a href="{href}">{value[:12]}…</a>')
    return None


# digests that name no document (a page's text), shown as they are
NOT_DOCUMENTS = {"text_sha256"}


def _has(row, column: str) -> bool:
    try:
        row[column]
    except (KeyError, IndexError):
        return False
    return True


def _made_a_document(row) -> bool:
    """Whether the row's digest can name a document: a row without an HTTP status (a
    document, a page), a file added by hand, or a 2xx answer."""
    if not _has(row, "status"):
        return True
    status = row["status"]
    return not isinstance(status, int) or 200 <= status < 300
