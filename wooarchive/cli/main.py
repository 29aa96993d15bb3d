"""The `woo` command: one click group per part, each command a thin layer over the library."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import click

from wooarchive import __version__
from wooarchive.archive import municipalities as municipalities_lib
from wooarchive.archive.cite import cite as cite_lib
from wooarchive.archive.db import KINDS
from wooarchive.archive.fetch import fetch
from wooarchive.archive.store import ArchiveError
from wooarchive.archive.verify import verify as verify_lib
from wooarchive.cli.common import DateSpan, IsoDate, open_archive
from wooarchive.config import settings
from wooarchive.requests.cli_format import render
from wooarchive.requests.deadlines import LAWS, DeadlineError, Events, Span, timeline
from wooarchive.web.serve import datasette_command


class WooGroup(click.Group):
    """Turns a damaged database met anywhere into one line, not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(
                f"database error in {settings().data_dir} ({exc}): run `woo verify`"
            ) from exc


@click.group(cls=WooGroup)
@click.version_option(__version__, prog_name="woo-archive")
def cli() -> None:
    """woo-archive: what Dutch municipalities publish on privacy and openness, as evidence.

    The data directory is ./data, or WOO_DATA; your requests and keys are in its private
    sibling (./data-private, or WOO_PRIVATE), never served and never shared with workers.
    """


@cli.command()
def init() -> None:
    """Create the data directory and archive.db, and load the municipalities."""
    archive = open_archive()
    count = municipalities_lib.load(archive.db)
    click.echo(f"{archive.settings.data_dir}: archive ready, {count} municipalities")


@cli.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--search", help="Only those whose name or place contains this text.")
@click.pass_context
def municipalities(ctx: click.Context, as_json: bool, search: str | None) -> None:
    """List the municipalities (CBS code, name, website).

    \b
    Examples:
        woo municipalities --search utrecht
        woo municipalities show GM0363
    """
    if ctx.invoked_subcommand:
        return
    archive = open_archive()
    where, params = None, []
    if search:
        where, params = "name like ? or plaats like ?", [f"%{search}%"] * 2
    rows = list(archive.db["municipalities"].rows_where(where, params, order_by="name"))
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['code']}  {row['name']:<36} {row['website']}")


@municipalities.command("show")
@click.argument("code")
def municipalities_show(code: str) -> None:
    """Everything the archive knows about one municipality, e.g. GM0363."""
    row = municipalities_lib.get(open_archive().db, code)
    if row is None:
        raise click.ClickException(f"unknown municipality code {code!r}")
    width = max(len(k) for k in row)
    for key, value in row.items():
        click.echo(f"{key:<{width}}  {value or ''}")


@cli.group()
def archive() -> None:
    """Put files and web pages into the evidence archive."""


@archive.command("add")
@click.argument("targets", nargs=-1, required=True)
@click.option("--municipality", "-m", help="CBS code of the publisher, e.g. GM0363.")
@click.option("--kind", type=click.Choice(KINDS), help="What the document is.")
@click.option("--title", help="Title for citations (otherwise taken from the document).")
def archive_add(
    targets: tuple[str, ...], municipality: str | None, kind: str | None, title: str | None
) -> None:
    """Archive local files or URLs. A URL is fetched and archived exactly as a crawl would.

    An HTTP error response is archived too (it is evidence), and the command then exits 1.

    \b
    Examples:
        woo archive add besluit.pdf -m GM0363 --kind woo_decision
        woo archive add https://www.amsterdam.nl/privacy
    """
    store = open_archive()
    failed = 0
    try:
        municipality = store.check_municipality(municipality)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    for target in targets:
        try:
            if "://" in target:
                captures = fetch(
                    store, target, municipality_code=municipality, kind=kind, title=title
                ).captures
            else:
                captures = [
                    store.record_file(
                        target, municipality_code=municipality, kind=kind, title=title
                    )
                ]
        except ArchiveError as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
            continue
        final = captures[-1]
        state = "new" if final.new_blob else "already stored, new capture"
        click.echo(
            f"archived {final.sha256}  {final.size:>9} bytes  {final.mime}  {target} ({state})"
        )
        for problem in final.problems:
            click.echo(f"warning: {target}: {problem}", err=True)
    if failed:
        sys.exit(1)


@cli.command("index")
@click.option(
    "--rebuild", is_flag=True, help="Recreate the FTS5 and Whoosh indexes from archive.db."
)
@click.option("--jobs", "-j", type=int, help="Reader processes (default: one per core).")
@click.option(
    "--broker",
    help="Read on Celery workers instead (redis://HOST:6379/0; default WOO_BROKER, if set).",
)
@click.option(
    "--remeasure",
    is_flag=True,
    help="Measure redaction again on Woo documents an older version measured (or did not).",
)
def index_command(rebuild: bool, jobs: int | None, broker: str | None, remeasure: bool) -> None:
    """Read every archived document not read yet (OCR where needed) and update the indexes.

    Incremental: a document is read and OCR'd once; running it again costs seconds. Each
    document is read in a process of its own under limits (WOO_READ_MAX_MEMORY_MB,
    WOO_READ_MAX_CPU, WOO_READ_TIMEOUT, WOO_OCR_MAX_PAGES, WOO_OCR_MAX_MPIXELS,
    WOO_MAX_UNZIPPED_MB): a document that breaks one is recorded with its status and reason,
    and the run goes on. Exits 0 when the run did its work, unreadable documents included.

    With --broker (or WOO_BROKER) the documents are read by `woo worker`s on any number of
    machines that share the data directory; this command still writes everything.

    With --remeasure the redaction boxes are measured again on the pages of Woo documents
    that an older version measured without keeping where the boxes are (or did not measure).
    """
    from wooarchive.indexer.run import index as run_index
    from wooarchive.workers.app import broker_url

    store = open_archive()
    broker = broker_url(broker)
    state: dict = {}
    reader = None
    broker_errors: tuple[type[Exception], ...] = ()
    if broker:
        from wooarchive.workers.remote import BrokerError, read_remote

        broker_errors = (BrokerError,)

        def reader(jobs):
            return read_remote(jobs, store.settings, broker, state)

    todo = store.db.execute(
        "select count(*) from documents d left join extractions e on e.sha256 = d.sha256 where e.sha256 is null"
    ).fetchone()[0]
    started = time.monotonic()
    try:
        with click.progressbar(
            length=todo, label="reading", show_eta=True, show_pos=True, file=sys.stderr
        ) as bar:

            def progress(done: int, page_count: int, failed: int, in_flight: int) -> None:
                rate = page_count / max(time.monotonic() - started, 1e-6)
                flying = state.get("in_flight", in_flight)
                bar.label = f"reading ({flying} in flight, {failed} not read, {rate:.1f} pages/s)"
                bar.update(done + failed - bar.pos)

            report = run_index(
                store, workers=jobs, progress=progress, rebuild=rebuild, reader=reader
            )
    except broker_errors as exc:
        raise click.ClickException(str(exc)) from exc
    for sha256, status, error in report.failures[:SHOWN_FAILURES]:
        click.echo(f"{status}: {sha256}: {error}", err=True)
    if len(report.failures) > SHOWN_FAILURES:
        click.echo(
            f"... and {len(report.failures) - SHOWN_FAILURES} more: see the extractions table",
            err=True,
        )
    for sha256 in report.missing:
        click.echo(f"missing: {sha256}: blob not in the store (woo verify); not read", err=True)
    for sha256, reason in report.skipped:
        click.echo(f"not read: {sha256}: {reason}; tried again next run", err=True)
    if remeasure:
        from wooarchive.indexer.run import remeasure as run_remeasure

        click.echo(f"redaction measured again in {run_remeasure(store, jobs)} documents", err=True)
    from wooarchive.decisions.run import extract_decisions

    decided = extract_decisions(store)
    statuses = ", ".join(f"{n} {status}" for status, n in sorted(report.statuses.items()))
    click.echo(
        f"indexed {report.documents} documents ({statuses or 'none new'}), {report.pages} pages "
        f"(OCR: {report.ocr_pages} pages in {report.ocr_documents} documents), "
        f"{report.problems} with problems; search index: {report.whoosh_pages} pages updated"
        + (f", {report.drift} pages of drift repaired" if report.drift else "")
        + f" in {report.seconds:.1f} s; {decided.decisions} Woo decisions read"
    )


@cli.command()
@click.option("--broker", help="redis://HOST:6379/0 (default WOO_BROKER).")
@click.option(
    "--concurrency", "-c", type=int, default=None, help="Documents at once (default: cores)."
)
@click.option("--queues", "-Q", default=None, help="Queues to take work from (default woo-read).")
@click.option("--name", "-n", default=None, help="Worker name (default woo@HOSTNAME).")
def worker(
    broker: str | None, concurrency: int | None, queues: str | None, name: str | None
) -> None:
    """Read documents for a `woo index --broker` on this machine (Celery worker).

    The data directory (WOO_DATA) must be the coordinator's, shared (NFS or alike): the worker
    reads blobs there and writes searchable PDFs to derived/; it never writes archive.db. Logs
    one line per document.
    """
    from wooarchive.workers.app import QUEUE, broker_url, make_app

    url = broker_url(broker)
    if not url:
        raise click.ClickException("give --broker redis://HOST:6379/0 or set WOO_BROKER")
    app = make_app(url)
    try:
        app.backend.client.ping()
    except Exception as exc:
        raise click.ClickException(f"broker {url}: unreachable ({exc})") from exc
    argv = [
        "worker",
        "--loglevel=INFO",
        f"--queues={queues or QUEUE}",
        f"--concurrency={concurrency or os.cpu_count() or 1}",
        "--pool=prefork",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if name:
        argv.append(f"--hostname={name}")
    app.worker_main(argv)


SHOWN_FAILURES = 20


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option(
    "--redaction/--no-redaction",
    default=True,
    help="Measure each page's redaction boxes (PDFs and images; on by default).",
)
def extract(file: Path, as_json: bool, redaction: bool) -> None:
    """Text per page from one file (OCR where needed); the file need not be archived.

    Each page of a PDF or an image is measured for redaction: the boxes (x, y, width and
    height in the pixels of the page image, whose size and dpi are given), their style, the
    grounds printed in them, and the share of the page's content they cover.

    \b
    Example:
        woo extract besluit.pdf --json
    """
    from wooarchive.config import settings as current_settings
    from wooarchive.cues import classify
    from wooarchive.indexer.extract import extract_file

    if not file.exists():
        raise click.ClickException(f"{file}: no such file")
    try:
        result = extract_file(file, current_settings(), redaction=redaction)
    except OSError as exc:
        raise click.ClickException(f"{file}: {exc.strerror or exc}") from exc
    text = "\n".join(p.text for p in result.pages)
    # a document's first line is usually its title ("Besluit op uw Woo-verzoek ...")
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    kind = classify(
        url=file.name, title=first_line, text=text[:20000], is_document=result.mime != "text/html"
    ).kind
    if as_json:
        click.echo(
            json.dumps(
                {
                    "sha256": result.sha256,
                    "mime": result.mime,
                    "kind": kind,
                    "pages": [p.as_dict() for p in result.pages],
                    "errors": result.errors,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        click.echo(
            f"{file}: {result.mime}, {kind}, {len(result.pages)} pages, status {result.status}"
        )
        for page in result.pages:
            measured = ""
            if page.redacted_share is not None:
                grounds = f", grounds {page.redaction_codes}" if page.redaction_codes else ""
                measured = (
                    f"; redacted {page.redacted_share:.1%} in {page.redaction_boxes} boxes{grounds}"
                )
            click.echo(f"--- page {page.page} ({page.method}{measured}) ---\n{page.text}")
        for error in result.errors:
            click.echo(f"problem: {error}", err=True)
    if result.status not in ("ok", "partial"):
        sys.exit(1)


@cli.command()
@click.argument("query")
@click.option("--municipality", "-m", help="Only this municipality (CBS code).")
@click.option("--kind", type=click.Choice(KINDS), help="Only documents of this kind.")
@click.option("--limit", default=10, show_default=True, help="Hits at most.")
@click.option("--json", "as_json", is_flag=True, help="Print the hits as JSON.")
def search(
    query: str, municipality: str | None, kind: str | None, limit: int, as_json: bool
) -> None:
    """Ranked Dutch full-text search: stemmed, with the page, a snippet and a citation.

    \b
    Examples:
        woo search verwerkingsregister --kind processing_register
        woo search "camera toezicht" -m GM0363 --json
    """
    from wooarchive.indexer.search import search as run_search

    store = open_archive()
    try:
        results = run_search(store, query, municipality=municipality, kind=kind, limit=limit)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(
            json.dumps(
                {
                    "query": query,
                    "total": results.total,
                    "total_is_exact": results.exact,
                    "suggestion": results.suggestion,
                    "compounds": results.compounds,
                    "hits": [h.as_dict() for h in results.hits],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    if results.nothing_to_search:
        click.echo(
            f"{query!r} has only stop words (de, het, een...): search for a word of substance"
        )
        return
    if results.suggestion:
        click.echo(f"did you mean: {results.suggestion}")
    for compound in results.compounds:
        click.echo(f"also searched apart: {compound}")
    about = "" if results.exact else "about "
    click.echo(f"{about}{results.total} hits for {query!r}")
    for n, hit in enumerate(results.hits, start=1):
        click.echo(f"\n{n}. {hit.title} ({hit.municipality_code}, {hit.kind}), p. {hit.page}")
        click.echo(f"   {hit.snippet}")
        click.echo(f"   {hit.citation}")


@cli.command()
@click.argument("sha256")
@click.option("--limit", default=10, show_default=True, help="Documents at most.")
def similar(sha256: str, limit: int) -> None:
    """Documents like this one, with the share of text they have in common (many privacy
    statements copy the same model text)."""
    from wooarchive.indexer.search import similar as run_similar

    store = open_archive()
    try:
        found = run_similar(store, sha256, limit)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    for item in found:
        click.echo(
            f"{item.similarity:6.1%}  {item.sha256[:12]}  {item.municipality_code or '-':6}  {item.title}"
        )


@cli.group()
def keys() -> None:
    """Your signing key (ECDSA P-384) for exports that anyone can check."""


@keys.command("init")
@click.option("--force", is_flag=True, help="Replace an existing key.")
def keys_init(force: bool) -> None:
    """Make a signing key: WOO_SIGNING_KEY (default PRIVATE/keys/signing-key.pem), mode 600,
    encrypted with WOO_KEY_PASSPHRASE when set."""
    from wooarchive.archive import keys as keys_lib

    store = open_archive()
    path = keys_lib.key_path(store.settings)
    try:
        public = keys_lib.init_key(path, force=force)
    except keys_lib.SigningKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{path}: new key; fingerprint {keys_lib.fingerprint(public)}")


@keys.command("show")
def keys_show() -> None:
    """Your signing key's fingerprint (give it to whoever checks your exports: `woo export
    verify --key FINGERPRINT`) and its public key."""
    from wooarchive.archive import keys as keys_lib

    store = open_archive()
    path = keys_lib.key_path(store.settings)
    try:
        key = keys_lib.load_key(path)
    except keys_lib.SigningKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    public = keys_lib.public_key_b64(key)
    click.echo(f"{path}\nfingerprint {keys_lib.fingerprint(public)}\npublic key  {public}")


@cli.group()
def export() -> None:
    """Evidence for others: signed WACZ web archives."""


@export.command("wacz")
@click.option("--municipality", "-m", help="Only documents of this municipality.")
@click.option("--kind", type=click.Choice(KINDS), help="Only documents of this kind.")
@click.option("--since", type=IsoDate(), help="Only documents first seen on or after this day.")
@click.option("--document", "documents", multiple=True, help="This document (SHA-256); repeatable.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The .wacz to write.",
)
@click.option("--title", help="A title for the archive.")
def export_wacz(
    municipality: str | None,
    kind: str | None,
    since: date | None,
    documents: tuple[str, ...],
    output: Path,
    title: str | None,
) -> None:
    """Export captures as a signed WACZ (WARC, index, pages, datapackage with SHA-256 of every
    file) that `wacz validate` accepts and ReplayWeb.page can replay.

    \b
    Example:
        woo export wacz -m GM0363 --kind privacy_statement -o amsterdam-privacy.wacz
    """
    from wooarchive.archive.export import Selection
    from wooarchive.archive.export import export_wacz as run_export
    from wooarchive.archive.keys import SigningKeyError
    from wooarchive.archive.timestamp import TimestampError

    store = open_archive()
    selection = Selection(municipality, kind, since.isoformat() if since else None, documents)
    try:
        summary = run_export(store, selection, output, title=title)
    except (ArchiveError, SigningKeyError, TimestampError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"{output}: {summary['documents']} documents, {summary['captures']} captures, signed"
    )
    if summary["files_left_out"]:
        click.echo(
            f"note: {summary['files_left_out']} files added by hand are not in the WACZ: replay "
            "tools need a web address; cite them from the archive (woo cite)",
            err=True,
        )


@export.command("verify")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--key",
    "expected_key",
    metavar="FINGERPRINT",
    help="The signer's key fingerprint you were given (woo keys show): any other signer fails.",
)
def export_verify(file: Path, expected_key: str | None) -> None:
    """Check a WACZ or a request dossier (directory or .zip): every file's hash, the manifest
    or datapackage digest, the signature; one line each."""
    from wooarchive.archive.export import verify_wacz
    from wooarchive.requests.dossier import MANIFEST
    from wooarchive.requests.dossier import verify as verify_dossier

    if not file.exists():
        raise click.ClickException(f"{file}: no such file")
    is_dossier = file.is_dir()
    if not is_dossier and zipfile.is_zipfile(file):
        with zipfile.ZipFile(file) as zf:
            is_dossier = MANIFEST in zf.namelist()
    checks = verify_dossier(file, expected_key) if is_dossier else verify_wacz(file, expected_key)
    for check in checks:
        click.echo(check.line())
    if not all(c.ok for c in checks):
        raise click.ClickException(
            f"{file}: " + ", ".join(c.name for c in checks if not c.ok) + " failed"
        )


@cli.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print the citation's fields as JSON.")
@click.option(
    "--lang",
    type=click.Choice(["en", "nl"]),
    default="en",
    show_default=True,
    help="English, or Dutch as Dutch journalism and case law cite web sources.",
)
@click.option(
    "--base-url",
    help="Public address of your archive site, for the permalink (default WOO_BASE_URL, "
    "else http://127.0.0.1:8001).",
)
def cite(ref: str, as_json: bool, lang: str, base_url: str | None) -> None:
    """A citation for a document, by SHA-256 (or a prefix), by URL, or capture:ID (a capture
    that made no document, such as an HTTP 404, is evidence and citable too).

    The permalink is on your public site: set WOO_BASE_URL (or --base-url) to its address.

    \b
    Examples:
        woo cite 3f5a9c1e
        woo cite https://www.gemeentehw.nl/privacy --lang nl
        woo cite capture:42
    """
    store = open_archive()
    config = store.settings
    if base_url:
        config = dataclasses.replace(config, base_url=base_url.rstrip("/"))
    try:
        citation = cite_lib(store.db, config, ref)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(citation.as_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(citation.text_nl() if lang == "nl" else citation.text())


@cli.command()
@click.option(
    "--municipality",
    "-m",
    "codes",
    multiple=True,
    help="CBS code(s) to crawl; repeat or separate with commas.",
)
@click.option(
    "--start-url",
    "start_urls",
    multiple=True,
    help="Where to start: URL (with one --municipality) or CODE=URL. Default: the website on file.",
)
@click.option("--all", "everything", is_flag=True, help="Crawl all 342 municipalities.")
@click.option("--max-pages", type=int, help="Pages per municipality at most (default 500).")
@click.option(
    "--set",
    "-s",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a Scrapy setting, e.g. -s DOWNLOAD_DELAY=2.",
)
@click.option(
    "--fresh", is_flag=True, help="Start a new run instead of resuming an unfinished one."
)
@click.option(
    "--allow-internal",
    "allow_internal",
    multiple=True,
    metavar="HOST:PORT",
    help="An internal address the crawl may reach besides the start URLs' own (an intranet "
    "platform, a local test web); host and port, each one named.",
)
def crawl(
    codes: tuple[str, ...],
    start_urls: tuple[str, ...],
    everything: bool,
    max_pages: int | None,
    overrides: tuple[str, ...],
    fresh: bool,
    allow_internal: tuple[str, ...],
) -> None:
    """Crawl municipal websites for what they must publish on privacy and openness.

    Every response is archived (WARC, original, capture row); documents are classified. An
    interrupted run is resumed when started again with the same sites (--fresh starts anew).

    \b
    Examples:
        woo crawl -m GM0363,GM0344
        woo crawl -m GM1963 --start-url https://www.gemeentehw.nl/
        woo crawl --all
    """
    from wooarchive.crawlers.run import crawl as run_crawl
    from wooarchive.crawlers.run import sites_for

    store = open_archive()
    settings: dict[str, str] = {}
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint="--set")
        settings[key.strip()] = value
    if max_pages:
        settings["WOO_MAX_PAGES"] = str(max_pages)
    for target in allow_internal:
        host, sep, port = target.strip().rpartition(":")
        if not sep or not host or not port.isdigit():
            raise click.BadParameter(f"{target!r} is not HOST:PORT", param_hint="--allow-internal")
    if allow_internal:
        settings["WOO_ALLOW_INTERNAL"] = ",".join(t.strip().lower() for t in allow_internal)
    split = [c.strip() for code in codes for c in code.split(",") if c.strip()]
    try:
        sites = sites_for(store, split, list(start_urls), everything)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        report = run_crawl(store, sites, overrides=settings, fresh=fresh)
    except ArchiveError as exc:  # the archive could not be written before the crawl began
        raise click.ClickException(str(exc)) from exc
    for code, notes in sorted(report.notes.items()):
        for note in notes:
            click.echo(f"{code}: {note}")
    for code in report.empty:
        click.echo(f"{code}: error: nothing archived")
    click.echo(
        f"crawl run {report.run_id}: {len(report.crawled)} crawled, "
        f"{len(report.skipped)} already done, {len(report.unfinished)} unfinished"
    )
    if report.error:
        raise click.ClickException(
            f"{report.error}; {len(report.unfinished)} sites left unfinished: make room and run "
            "the same `woo crawl` again to resume"
        )
    if report.unfinished:
        raise click.ClickException("unfinished: " + ", ".join(report.unfinished))
    if report.empty:
        raise click.ClickException(
            "nothing archived for " + ", ".join(report.empty) + " (see the lines above)"
        )


@cli.command()
@click.argument("law", type=click.Choice(LAWS))
@click.argument("received", type=IsoDate())
@click.option(
    "--extended-on", type=IsoDate(), help="Day the verdaging (AVG: extension) notice was sent."
)
@click.option(
    "--suspended",
    type=DateSpan(),
    multiple=True,
    help="Opschorting: day of the invitation to complete the request, and day it was completed.",
)
@click.option(
    "--zienswijze",
    type=DateSpan(),
    multiple=True,
    help="Day the requester was told a third party is asked for its view, and day the view was given.",
)
@click.option(
    "--extended-by",
    type=int,
    help="Woo: days the verdaging adds, when the notice names fewer than two weeks (1-14).",
)
@click.option(
    "--extended-months",
    type=int,
    help="AVG: months the extension adds, when the notice names fewer than two (1-2).",
)
@click.option("--decided-on", type=IsoDate(), help="Day the decision was sent.")
@click.option("--ingebrekestelling-on", type=IsoDate(), help="Day the notice of default was sent.")
@click.option(
    "--ingebrekestelling-received",
    type=IsoDate(),
    help="Day the body received the notice of default (default: the day it was sent, as for e-mail).",
)
@click.option("--withdrawn-on", type=IsoDate(), help="Day the requester withdrew the request.")
@click.option(
    "--dwangsom",
    "dwangsom_only",
    is_flag=True,
    help="Print only the dwangsom of a late AVG decision (Awb 4:17): days, euros, first and last day.",
)
@click.option(
    "--today", type=IsoDate(), help="Count status and days late as of this day (default: today)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the timeline as one JSON object.")
def deadline(
    law: str,
    received: date,
    extended_on: date | None,
    suspended: tuple[Span, ...],
    zienswijze: tuple[Span, ...],
    extended_by: int | None,
    extended_months: int | None,
    decided_on: date | None,
    ingebrekestelling_on: date | None,
    ingebrekestelling_received: date | None,
    withdrawn_on: date | None,
    dwangsom_only: bool,
    today: date | None,
    as_json: bool,
) -> None:
    """When a Woo or AVG request must be decided, from the law, with the article behind each date.

    \b
    Examples:
        woo deadline woo 2026-02-02 --extended-on 2026-02-20 --extended-by 7
        woo deadline woo 2026-02-02 --zienswijze 2026-02-10:2026-02-17 --json
        woo deadline avg 2026-05-10 --decided-on 2026-06-20
        woo deadline avg 2026-05-10 --ingebrekestelling-on 2026-06-15 --dwangsom
    """
    if dwangsom_only and law == "woo":
        raise click.ClickException(
            "--dwangsom: Woo art. 8.2 excludes the dwangsom of Awb 4:17 for Woo requests; "
            "it applies to AVG requests (UAVG art. 34)"
        )
    if dwangsom_only and ingebrekestelling_on is None:
        raise click.ClickException(
            "--dwangsom needs --ingebrekestelling-on: the dwangsom runs only after a notice of "
            "default (Awb 4:17 lid 3)"
        )
    events = Events(
        extended_on=extended_on,
        suspended=suspended,
        zienswijze=zienswijze,
        decided_on=decided_on,
        ingebrekestelling_on=ingebrekestelling_on,
        extended_days=extended_by,
        extended_months=extended_months,
        ingebrekestelling_received=ingebrekestelling_received,
        withdrawn_on=withdrawn_on,
    )
    try:
        result = timeline(law, received, events, today=today or date.today())
    except DeadlineError as exc:
        raise click.ClickException(str(exc)) from exc
    if dwangsom_only:
        click.echo(_dwangsom_text(result, as_json))
    else:
        click.echo(json.dumps(result.as_dict(), indent=2) if as_json else render(result))


def _dwangsom_text(result, as_json: bool) -> str:
    from wooarchive.requests.cli_format import dwangsom_lines

    if as_json:
        return json.dumps(result.dwangsom.as_dict() if result.dwangsom else None, indent=2)
    if result.dwangsom:
        return "\n".join(dwangsom_lines(result.dwangsom))
    why = [b.rule for b in result.basis if b.what in ("ingebrekestelling", "no_dwangsom")]
    return "geen dwangsom: " + (why[-1] if why else "geen geldige ingebrekestelling")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, help="Port to listen on.")
@click.option(
    "--private",
    is_flag=True,
    help="Also serve requests.db, to you only: sign in with the link printed at start.",
)
@click.option(
    "--base-url",
    help="The address readers reach the site at, used in every permalink and citation "
    "(default WOO_BASE_URL, else http://HOST:PORT).",
)
@click.option(
    "--expose-private",
    is_flag=True,
    help="With --private, listen on an address other machines reach all the same (behind your "
    "own TLS and firewall only).",
)
def serve(host: str, port: int, private: bool, base_url: str | None, expose_private: bool) -> None:
    """Publish the public archive (archive.db only) with Datasette.

    Citations on the site link to --base-url (or WOO_BASE_URL): set it to the public address
    when the site runs behind a proxy or under a domain name.

    With --private, requests.db is served too, readable only after signing in as root with the
    one-time link Datasette prints. Keep it on 127.0.0.1.
    """
    if private and not expose_private and not _loopback(host):
        raise click.ClickException(
            f"--private on {host}: the requests (names, addresses) would be reachable from other "
            "machines; serve them on 127.0.0.1, or add --expose-private if you mean it"
        )
    os.environ["WOO_BASE_URL"] = (
        base_url or os.environ.get("WOO_BASE_URL") or f"http://{host}:{port}"
    ).rstrip("/")
    store = open_archive()
    try:
        command = datasette_command(store.settings, host, port, private=private)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"serving {store.settings.archive_db} at http://{host}:{port}/", err=True)
    os.execv(command[0], command)


def _loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@cli.command()
@click.option(
    "--full", is_flag=True, help="SQLite's full integrity_check instead of quick_check (slower)."
)
def verify(full: bool) -> None:
    """Re-hash every blob and WARC payload and check archive.db (its pages, full-text index,
    capture log and document ledger); exit 1 naming each damaged item."""
    report = verify_lib(open_archive(), full=full)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for problem in report.problems:
        click.echo(f"damaged: {problem}", err=True)
    summary = f"{report.blobs} blobs, {report.captures} captures, {report.warc_files} WARC files"
    if not report.ok:
        raise click.ClickException(f"{len(report.problems)} problem(s) in {summary}")
    click.echo(f"ok: {summary} verified")


def _register() -> None:
    """The command groups join the root group; they import nothing from this module."""
    from wooarchive.cli.decisions import COMMANDS as DECISIONS
    from wooarchive.cli.requests import COMMANDS as REQUESTS

    for command in REQUESTS + DECISIONS:
        cli.add_command(command)


_register()
