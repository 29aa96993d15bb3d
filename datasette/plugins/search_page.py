"""Ranked Dutch search (the Whoosh index) as a page, and as JSON and CSV: stemming, Dutch
compounds also searched apart, highlights, did-you-mean of real words, filters, pages."""

import csv
import io
from urllib.parse import urlencode

import sqlite_utils
from datasette.utils.asgi import AsgiStream, Response

from datasette import hookimpl
from wooarchive.archive.cite import cite
from wooarchive.archive.db import KINDS
from wooarchive.archive.store import ArchiveError
from wooarchive.config import settings
from wooarchive.dutch import kind_label
from wooarchive.indexer import whoosh_index
from wooarchive.indexer.search import page_text
from wooarchive.web.pages import marked

PER_PAGE = 20
SHOWN_KINDS = [k for k in KINDS if k != "crawl_record"]
# A CSV holds every hit up to this many, scored for up to EXPORT_SECONDS (a page: 20 ms)
MAX_EXPORT_HITS = 5000
EXPORT_SECONDS = 5.0


def _page_number(value: str | None) -> int:
    try:
        return max(1, min(int(value or 1), whoosh_index.MAX_PAGE))
    except ValueError:
        return 1


async def search(datasette, request):
    query = request.args.get("q", "").strip()
    municipality = (request.args.get("municipality") or "").upper() or None
    kind = request.args.get("kind") or None
    page = _page_number(request.args.get("page"))
    fmt = request.url_vars.get("format")
    config = settings()
    db = datasette.get_database("archive")
    names = dict((await db.execute("select code, name from municipalities")).rows)
    problem = None
    if kind and kind not in SHOWN_KINDS:
        problem, kind = f"Onbekende soort document: {kind}.", None
    if municipality and municipality not in names:
        problem = f"Geen gemeente met code {municipality}; er is in geen enkele gezocht."
    found = None
    if query and not problem:
        if not whoosh_index.exists(config.whoosh_dir):
            problem = "Er is nog geen zoekindex (woo index)."
        else:
            everything = fmt == "csv"

            def run(conn):
                result = whoosh_index.search(
                    config.whoosh_dir,
                    query,
                    page_text(conn),
                    municipality=municipality,
                    kind=kind,
                    limit=MAX_EXPORT_HITS if everything else PER_PAGE,
                    page=1 if everything else page,
                    seconds=EXPORT_SECONDS if everything else whoosh_index.SEARCH_SECONDS,
                )
                database = sqlite_utils.Database(conn)
                citations = {}
                for hit in result.hits:
                    try:
                        citations[hit.sha256] = cite(database, config, hit.sha256)
                    except ArchiveError:
                        pass  # a document without a capture (only a broken archive has one)
                return result, citations

            found, citations = await db.execute_fn(run)
    results = []
    for hit in found.hits if found else []:
        results.append(
            {
                "hit": hit,
                "snippet": marked(hit.snippet),
                "municipality": names.get(hit.municipality, hit.municipality),
                "citation": citations[hit.sha256].text_nl().rstrip(".") + f", p. {hit.page}."
                if hit.sha256 in citations
                else None,
            }
        )
    if fmt:
        return _export(fmt, query, found, results, config.base_url)
    # the municipalities with documents, found in the index on documents' municipality
    codes = [
        r[0]
        for r in (
            await db.execute(
                "select code from municipalities m where exists (select 1 from documents d "
                "where d.municipality_code = m.code) order by code"
            )
        ).rows
    ]
    keep = {k: v for k, v in (("municipality", municipality), ("kind", kind)) if v}

    def link(**changes) -> str:
        return "?" + urlencode({"q": query, **keep, **changes})

    total = found.total if found else 0
    pages = min(whoosh_index.MAX_PAGE, -(-total // PER_PAGE))
    context = {
        "q": query,
        "found": found,
        "results": results,
        "total": total,
        "problem": problem,
        "municipality": municipality,
        "kind": kind,
        "kinds": [(k, kind_label(k)) for k in SHOWN_KINDS],
        "codes": codes,
        "names": names,
        "page": page,
        "pages": pages,
        "previous": link(page=page - 1) if page > 1 else None,
        "next": link(page=page + 1) if page < pages else None,
        "suggestion_link": link(q=found.suggestion) if found and found.suggestion else None,
        # absolute: a link copied out of the page, or a feed reader, has no page to be relative to
        "json_link": f"{config.base_url}/-/search.json" + link(),
        "csv_link": f"{config.base_url}/-/search.csv" + link(),
        "export_limit": MAX_EXPORT_HITS,
    }
    return Response.html(
        await datasette.render_template("woo_search.html", context, request=request)
    )


def _export(fmt, query, found, results, base_url: str):
    rows = [
        {
            "sha256": r["hit"].sha256,
            "page": r["hit"].page,
            "title": r["hit"].title,
            "municipality_code": r["hit"].municipality,
            "kind": r["hit"].kind,
            "score": r["hit"].score,
            "snippet": r["hit"].snippet.replace("«", "").replace("»", ""),
            "citation": r["citation"],
            "document": f"{base_url}/-/document/{r['hit'].sha256}#page-{r['hit'].page}",
        }
        for r in results
    ]
    if fmt == "json":
        return Response.json(
            {
                "query": query,
                "total": found.total if found else 0,
                "total_is_exact": found.exact if found else True,
                "suggestion": found.suggestion if found else None,
                "compounds": found.compounds if found else [],
                "hits": rows,
            }
        )
    fields = ["sha256", "page", "title", "municipality_code", "kind", "score", "snippet"]

    async def stream(out) -> None:
        """As a Dutch Excel opens a CSV: a byte-order mark (else it reads UTF-8 as cp1252),
        semicolons between the fields and a decimal comma (its list separator and decimal sign
        in Dutch); a hundred rows at a time."""
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=[*fields, "citation", "document"], delimiter=";")
        buffer.write("\ufeff")
        writer.writeheader()
        for number, row in enumerate(rows, start=1):
            writer.writerow({**row, "score": f"{row['score']:.3f}".replace(".", ",")})
            if number % 100 == 0:
                await out.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
        await out.write(buffer.getvalue())

    return AsgiStream(
        stream,
        headers={"Content-Disposition": 'attachment; filename="zoekresultaten.csv"'},
        content_type="text/csv; charset=utf-8",
    )


@hookimpl
def register_routes():
    return [(r"^/-/search$", search), (r"^/-/search\.(?P<format>json|csv)$", search)]
