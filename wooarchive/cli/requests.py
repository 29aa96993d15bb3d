"""The `woo request`, `woo campaign`, `woo mail` and `woo requests` commands."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from wooarchive.cli.common import IsoDate, move_private_files
from wooarchive.config import settings
from wooarchive.requests.db import EVENT_KINDS
from wooarchive.requests.identity import NoRequester, requester
from wooarchive.requests.letters import OPENING, LetterError, Requester, render
from wooarchive.requests.store import RequestError, RequestStore


def open_store() -> RequestStore:
    move_private_files()
    return RequestStore(settings())


def fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


ISO_DATE = IsoDate()


@click.group()
def request() -> None:
    """Woo and AVG requests: write, send, record what happened, write the next letter."""


@request.command("new")
@click.option(
    "--template", "-t", type=click.Choice(OPENING), required=True, help="Which request to write."
)
@click.option("--municipality", "-m", required=True, help="CBS code of the municipality.")
@click.option("--subject", help="What you ask for (needed for woo_algemeen).")
@click.option(
    "--to", "to_address", help="E-mail address to send it to, instead of the one on file."
)
def request_new(
    template: str, municipality: str, subject: str | None, to_address: str | None
) -> None:
    """Write a request to one municipality (it is sent with `woo request send`).

    \b
    Example:
        woo request new -t woo_verwerkingsregister -m GM0363
    """
    try:
        row = open_store().new_request(
            template=template,
            municipality_code=municipality,
            requester=requester(),
            subject=subject,
            to_address=to_address,
        )
    except (RequestError, NoRequester, LetterError) as exc:
        raise fail(exc) from exc
    click.echo(
        f"{row['reference']} (id {row['id']}) written to {row['to_address'] or 'no e-mail address on file'}"
    )


@request.command("show")
@click.argument("ref")
@click.option("--today", type=ISO_DATE, help="Count as of this day.")
def request_show(ref: str, today: date | None) -> None:
    """A request: its letter, events, deadlines with their articles, and messages."""
    from wooarchive.requests.cli_format import length_text
    from wooarchive.requests.cli_format import render as render_timeline

    store = open_store()
    try:
        row = store.get(ref)
    except RequestError as exc:
        raise fail(exc) from exc
    click.echo(f"{row['reference']}  {row['law']}  {row['municipality_code']}  {row['subject']}")
    click.echo(f"to: {row['to_address'] or 'no e-mail address on file (woo request send --to)'}")
    click.echo("\n" + row["body"].rstrip() + "\n")
    for event in store.events(row["id"]):
        click.echo(
            f"  #{event['number']:<3} {event['on_date']}  {event['kind']}"
            + (f" ({length_text(row['law'], event['length'])})" if event["length"] else "")
            + (f"  {event['note']}" if event["note"] else "")
        )
    for change in store.changes(row["id"]):
        click.echo(
            f"  changed {change['changed_at']}: #{change['event_number']} {change['action']} "
            f"(was {change['before']}{', now ' + change['after'] if change['after'] else ''}): "
            f"{change['reason']}"
        )
    bounced = store.undelivered(row["id"])
    t = None if bounced else store.timeline(row["id"], today)
    if bounced:
        click.echo(f"\nnot delivered: {bounced['note']}")
    else:
        click.echo("\n" + (render_timeline(t) if t else "not sent yet"))
    for message in store.db.query(
        "select id, direction, date, from_address, subject, kind, case_number, suggested_event, "
        "suggested_reason from messages where request_id = ?",
        [row["id"]],
    ):
        hint = (
            f" -> suggests {message['suggested_event']} ({message['suggested_reason']})"
            if message["suggested_event"]
            else ""
        )
        kind = f" [{message['kind']}]" if message["kind"] and message["kind"] != "reply" else ""
        case = f" (their case number {message['case_number']})" if message["case_number"] else ""
        click.echo(
            f"  message {message['id']} {message['direction']} {message['date']}"
            + (f" from {message['from_address']}" if message["direction"] == "in" else "")
            + f"{kind}: {message['subject']}{case}{hint}"
        )
        for attachment in store.db.query(
            "select stored_name, size, sha256 from attachments where message_id = ? order by position",
            [message["id"]],
        ):
            click.echo(
                f"    {attachment['stored_name']}  {attachment['size']} bytes  {attachment['sha256']}"
            )


@request.command("send")
@click.argument("refs", nargs=-1)
@click.option("--campaign", type=int, help="Send every unsent request of this campaign.")
@click.option(
    "--outbox",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write .eml files here instead of sending over SMTP.",
)
@click.option("--to", "to_address", help="Send to this address (and keep it for the request).")
def request_send(
    refs: tuple[str, ...], campaign: int | None, outbox: Path | None, to_address: str | None
) -> None:
    """Send requests over SMTP (WOO_SMTP_HOST, ...) with the reference in the subject.

    The day it is sent starts the legal period. With --outbox the .eml is written for you to
    send; record the day you did with `woo request event ID sent --on DATE`. A request whose
    letter bounced can be sent again, with --to when the address was wrong.
    """
    from wooarchive.requests.mail import send

    store = open_store()
    targets = list(refs)
    if campaign is not None:
        targets += [
            str(r["id"])
            for r in store.db.query(
                "select id from requests where campaign_id = ? and id not in "
                "(select request_id from messages where direction = 'out') order by id",
                [campaign],
            )
        ]
    if not targets:
        raise click.ClickException("nothing to send: give request ids or --campaign")
    failed = 0
    for ref in targets:
        try:
            written = send(store, ref, outbox=outbox, to_address=to_address)
        except RequestError as exc:
            click.echo(f"error: {exc}", err=True)
            failed += 1
            continue
        row = store.get(ref)
        click.echo(
            f"{row['reference']}: "
            + (f"written to {written}" if written else f"sent to {row['to_address']}")
        )
    if failed:
        sys.exit(1)


@request.command("event")
@click.argument("ref")
@click.argument("kind", type=click.Choice(EVENT_KINDS))
@click.option("--on", "on_date", type=ISO_DATE, required=True, help="The day it happened.")
@click.option("--note", help="A note to keep with the event.")
@click.option(
    "--extended-by",
    type=int,
    help="verdaging of a Woo request: the days it adds, when the notice names fewer than 14.",
)
@click.option(
    "--extended-months",
    type=int,
    help="verdaging (extension) of an AVG request: the months it adds, when fewer than 2.",
)
def request_event(
    ref: str,
    kind: str,
    on_date: date,
    note: str | None,
    extended_by: int | None,
    extended_months: int | None,
) -> None:
    """Record what happened to a request (e.g. the verdaging a reply announced).

    Each event gets a number (#1, #2, ...) that `woo request show` lists and
    `woo request correct` and `woo request remove-event` take.

    \b
    Example:
        woo request event WOO-2026-0001 verdaging --on 2026-02-20 --extended-by 7
    """
    store = open_store()
    try:
        event = store.add_event(
            ref, kind, on_date, note, length=_length(extended_by, extended_months)
        )
        t = store.timeline(store.get(ref)["id"])
    except RequestError as exc:
        raise fail(exc) from exc
    click.echo(
        f"#{event['number']} {kind} on {on_date} recorded"
        + (f"; due {t.due}, status {t.status}" if t else "")
    )


def _length(extended_by: int | None, extended_months: int | None) -> int | None:
    if extended_by is not None and extended_months is not None:
        raise click.UsageError(
            "give --extended-by (Woo, days) or --extended-months (AVG), not both"
        )
    return extended_by if extended_by is not None else extended_months


@request.command("correct")
@click.argument("ref")
@click.argument("number", type=int)
@click.option("--on", "on_date", type=ISO_DATE, help="The day it really happened.")
@click.option("--note", help="A new note for the event.")
@click.option("--extended-by", type=int, help="The verdaging's length in days (Woo).")
@click.option("--extended-months", type=int, help="The extension's length in months (AVG).")
@click.option("--reason", required=True, help="Why: kept in the audit trail and the dossier.")
def request_correct(
    ref: str,
    number: int,
    on_date: date | None,
    note: str | None,
    extended_by: int | None,
    extended_months: int | None,
    reason: str,
) -> None:
    """Correct event NUMBER of a request (its date, note or length); the old form is kept.

    \b
    Example:
        woo request correct WOO-2026-0001 3 --on 2026-02-21 --reason "datum van de brief"
    """
    store = open_store()
    try:
        event = store.correct_event(
            ref,
            number,
            reason=reason,
            on_date=on_date,
            note=note,
            length=_length(extended_by, extended_months),
        )
        row = store.get(ref)
        t = store.timeline(row["id"])
    except RequestError as exc:
        raise fail(exc) from exc
    click.echo(
        f"{row['reference']} #{number} {event['kind']} now on {event['on_date']}"
        + (f"; due {t.due}, status {t.status}" if t else "")
    )


@request.command("remove-event")
@click.argument("ref")
@click.argument("number", type=int)
@click.option("--reason", required=True, help="Why: kept in the audit trail and the dossier.")
def request_remove_event(ref: str, number: int, reason: str) -> None:
    """Take event NUMBER, recorded by mistake, out of a request's history (kept in the audit
    trail)."""
    store = open_store()
    try:
        event = store.remove_event(ref, number, reason=reason)
        row = store.get(ref)
    except RequestError as exc:
        raise fail(exc) from exc
    click.echo(f"{row['reference']} #{number} {event['kind']} on {event['on_date']} removed")


@request.command("withdraw")
@click.argument("ref")
@click.option("--on", "on_date", type=ISO_DATE, required=True, help="The day you withdrew it.")
@click.option("--note", help="A note, e.g. why.")
def request_withdraw(ref: str, on_date: date, note: str | None) -> None:
    """Record that you withdrew a request: its deadlines stop, it is no longer overdue."""
    store = open_store()
    try:
        store.withdraw(ref, on_date, note)
        row = store.get(ref)
    except RequestError as exc:
        raise fail(exc) from exc
    click.echo(f"{row['reference']} withdrawn on {on_date}")


@request.command("letter")
@click.argument("ref")
@click.argument("template")
@click.option("--today", type=ISO_DATE, help="Date the letter as of this day.")
def request_letter(ref: str, template: str, today: date | None) -> None:
    """Fill in the next letter for a request: ingebrekestelling, bezwaarschrift, klacht_ap.

    \b
    Example:
        woo request letter WOO-2026-0001 ingebrekestelling
    """
    store = open_store()
    today = today or date.today()
    try:
        row = store.get(ref)
        if template == "ingebrekestelling":
            template = f"ingebrekestelling_{row['law']}"
        t = store.timeline(row["id"], today)
        if t is None:
            raise RequestError(
                f"{row['reference']} has not been sent: there is nothing to follow up yet"
            )
        if template.startswith("ingebrekestelling") and t.status != "overdue":
            raise RequestError(
                f"{row['reference']} is {t.status} (due {t.due}): an ingebrekestelling fits only once the deadline has passed"
            )
        if template == "bezwaarschrift" and not t.objection_due:
            raise RequestError(
                f"{row['reference']} has no decision recorded: record it with `woo request event {row['reference']} besluit --on DATE`"
            )
        decided = next((b.date for b in t.basis if b.what == "decided"), None)
        municipality = store.archive.db["municipalities"].get(row["municipality_code"])
        letter = render(
            template,
            requester=Requester(
                row["requester_name"], row["requester_email"], row["requester_address"] or ""
            ),
            municipality=municipality,
            reference=row["reference"],
            subject=row["subject"],
            today=today,
            received=t.received,
            due=t.due,
            extension_valid=t.extension_valid,
            # sent by e-mail today, received today: both count from the day after receipt
            appeal_from=date.fromordinal(today.toordinal() + 15),
            dwangsom_from=date.fromordinal(today.toordinal() + 15),
            decided=decided,
            objection_due=t.objection_due,
        )
    except (RequestError, LetterError) as exc:
        raise fail(exc) from exc
    click.echo(letter, nl=False)


@request.command("dossier")
@click.argument("ref")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="A new directory, or a .zip file.",
)
def request_dossier(ref: str, output: Path) -> None:
    """Everything about one request, signed: letters and replies as raw .eml, attachments,
    the timeline with every deadline and its article (HTML and PDF), and a signed manifest.

    Check it with `woo export verify`. It holds your own data: keep it private.
    """
    from wooarchive.archive.keys import SigningKeyError
    from wooarchive.archive.timestamp import TimestampError
    from wooarchive.requests.dossier import build

    try:
        summary = build(open_store(), ref, output)
    except (RequestError, SigningKeyError, TimestampError) as exc:
        raise fail(exc) from exc
    click.echo(f"{output}: dossier of {summary['reference']}, {summary['files']} files, signed")


@click.group()
def campaign() -> None:
    """The same request to many municipalities."""


@campaign.command("new")
@click.option(
    "--template", "-t", type=click.Choice(OPENING), required=True, help="Which request to write."
)
@click.option("--to", "to", required=True, help="all, or CBS codes separated by commas.")
@click.option("--subject", help="What you ask for (needed for woo_algemeen).")
@click.option("--name", help="A name for the campaign.")
def campaign_new(template: str, to: str, subject: str | None, name: str | None) -> None:
    """Write one request per municipality; send them with `woo request send --campaign ID`.

    \b
    Example:
        woo campaign new -t woo_dpia --to GM0363,GM0344,GM0599
    """
    store = open_store()
    if to.strip().lower() == "all":
        codes = [
            r[0] for r in store.archive.db.execute("select code from municipalities order by code")
        ]
    else:
        codes = [c.strip().upper() for c in to.split(",") if c.strip()]
    try:
        campaign_id, created, skipped = store.new_campaign(
            template=template, codes=codes, requester=requester(), subject=subject, name=name
        )
    except (RequestError, NoRequester, LetterError) as exc:
        raise fail(exc) from exc
    click.echo(
        f"campaign {campaign_id}: {len(created)} requests written ({created[0]['reference'] if created else '-'} ...)"
    )
    for code, reason in skipped:
        click.echo(f"skipped {code}: {reason}", err=True)


@click.group()
def mail() -> None:
    """File the replies of municipalities against your requests."""


@mail.command("import")
@click.argument("path", type=click.Path(path_type=Path))
def mail_import(path: Path) -> None:
    """Import replies from an .eml file, a folder of them, a Maildir or an mbox file.

    Matched by In-Reply-To/References, then the reference in subject or body, then the
    sender's domain; a message imported before is skipped; the rest goes to quarantine.
    """
    from wooarchive.requests.mail import import_mail

    try:
        results = import_mail(open_store(), path)
    except RequestError as exc:
        raise fail(exc) from exc
    report(results)


@mail.command("fetch")
def mail_fetch() -> None:
    """Read new mail from an IMAP folder (WOO_IMAP_HOST, ...) and file it like `woo mail import`.

    Read-only: messages are not marked or moved. Only mail newer than the last fetch is read.
    """
    from wooarchive.requests.mail import fetch_imap

    try:
        results = fetch_imap(open_store())
    except RequestError as exc:
        raise fail(exc) from exc
    report(results)


def report(results) -> None:
    """One line per message, whatever became of it, then the counts."""
    for item in results:
        kind = f" [{item.kind}]" if item.kind and item.kind != "reply" else ""
        if item.outcome == "filed":
            hint = (
                f"; suggests: woo request event {item.reference} {item.suggestion} --on DATE"
                if item.suggestion
                else ""
            )
            if item.kind == "bounce" and not item.warning:
                hint = f"; not delivered: woo request show {item.reference}"
            if item.warning:
                hint += f" (warning: {item.warning})"
            click.echo(
                f"{item.source}: filed with {item.reference}{kind} (by {item.matched_by}){hint}"
            )
        else:
            click.echo(f"{item.source}: {item.outcome}{kind} ({item.reason})")
    counts = {
        o: sum(1 for i in results if i.outcome == o)
        for o in ("filed", "duplicate", "quarantined", "refused")
    }
    kinds = {
        k: sum(1 for i in results if i.kind == k and i.outcome != "duplicate")
        for k in ("bounce", "auto_reply")
    }
    click.echo(
        f"{counts['filed']} filed, {counts['duplicate']} duplicates skipped, "
        f"{counts['quarantined']} in quarantine, {counts['refused']} refused "
        f"({kinds['bounce']} bounces, {kinds['auto_reply']} auto-replies)"
    )


@mail.command("quarantine")
def mail_quarantine() -> None:
    """Messages that matched no request, waiting for `woo mail assign`."""
    for row in open_store().db.query(
        "select id, date, from_address, subject, reason, candidates from quarantine "
        "where assigned_request_id is null order by id"
    ):
        candidates = f"; candidates: {row['candidates']}" if row["candidates"] else ""
        click.echo(
            f"{row['id']}  {row['date']}  {row['from_address']}  {row['subject']}  "
            f"({row['reason']}{candidates})"
        )


@mail.command("assign")
@click.argument("quarantine_id", type=int)
@click.argument("ref")
def mail_assign(quarantine_id: int, ref: str) -> None:
    """File a quarantined message with the request you name."""
    from wooarchive.requests.mail import assign

    try:
        result = assign(open_store(), quarantine_id, ref)
    except RequestError as exc:
        raise fail(exc) from exc
    click.echo(
        f"filed with {result.reference}"
        + (f"; suggests {result.suggestion}" if result.suggestion else "")
        + (f" (warning: {result.warning})" if result.warning else "")
    )


@click.group(invoke_without_command=True)
@click.option("--overdue", is_flag=True, help="Only requests past their deadline.")
@click.option(
    "--due-within", type=int, metavar="DAYS", help="Only open requests due within this many days."
)
@click.option("--today", type=ISO_DATE, help="Count as of this day.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def requests(
    ctx: click.Context, overdue: bool, due_within: int | None, today: date | None, as_json: bool
) -> None:
    """Your requests at a glance: status, deadline, days late, what to do next."""
    if ctx.invoked_subcommand:
        return
    today = today or date.today()
    rows = open_store().overview(today)
    if overdue:
        rows = [r for r in rows if r.status == "overdue"]
    if due_within is not None:
        rows = [r for r in rows if r.status == "open" and (r.due - today).days <= due_within]
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        **r.__dict__,
                        "received": r.received and r.received.isoformat(),
                        "due": r.due and r.due.isoformat(),
                    }
                    for r in rows
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    from wooarchive.requests.cli_format import STATUS_SHORT

    # one language: the table is Dutch like its next steps (the JSON keeps the status codes)
    for r in rows:
        late = (
            f"{r.days_late} {'dag' if r.days_late == 1 else 'dagen'} te laat" if r.days_late else ""
        )
        status = STATUS_SHORT.get(r.status, r.status)
        click.echo(
            f"{r.reference:14} {r.municipality_code} {r.municipality[:22]:22} {status:15} "
            f"{r.due.isoformat() if r.due else '-':10} {late:16} {r.next_step}"
        )


@requests.command("ics")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: stdout).",
)
@click.option("--today", type=ISO_DATE, help="Count as of this day.")
def requests_ics(output: Path | None, today: date | None) -> None:
    """The deadlines as an iCalendar feed (decision, bezwaar, beroep)."""
    from wooarchive.requests.calendar import feed

    data = feed(open_store(), today)
    if output:
        tmp = output.with_name(output.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(output)
        click.echo(f"wrote {output}")
    else:
        sys.stdout.buffer.write(data)


@requests.command("stats")
@click.option("--today", type=ISO_DATE, help="Count as of this day.")
def requests_stats(today: date | None) -> None:
    """Per municipality: answered on time (share) and median days to decision (Kaplan-Meier,
    open requests counted as censored)."""
    from wooarchive.requests.stats import per_municipality

    for s in per_municipality(open_store(), today):
        share = f"{s.on_time_share:.0%}" if s.on_time_share is not None else "-"
        median = f"{s.median_days} d" if s.median_days is not None else "not yet known"
        click.echo(
            f"{s.municipality_code} {s.municipality[:24]:24} {s.requests:3} requests, {s.decided} decided, "
            f"on time {share}, median {median}"
        )


@requests.command("publish-stats")
@click.option("--today", type=ISO_DATE, help="Count as of this day.")
def requests_publish_stats(today: date | None) -> None:
    """Publish the statistics (aggregates only) in archive.db, for the scorecard and the
    statistics page: per municipality with at least five requests, and for the whole country,
    each with its Kaplan-Meier curve. Nothing that identifies a request or a requester is
    copied; a smaller cell is left out, since a count of one can point at its requester."""
    from wooarchive.requests.stats import MIN_CELL, publish

    cells, suppressed = publish(open_store(), today)
    click.echo(
        f"published request statistics: {cells} cells"
        + (
            f"; {suppressed} municipalities with fewer than {MIN_CELL} requests left out"
            if suppressed
            else ""
        )
    )


COMMANDS = [request, campaign, mail, requests]
