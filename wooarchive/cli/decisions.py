"""The `woo decisions` commands: Woo decisions as data, listed, filtered and counted."""

from __future__ import annotations

import csv
import json
import sys

import click

from wooarchive.archive.store import Archive
from wooarchive.cli.common import open_archive
from wooarchive.decisions.grounds import normalise
from wooarchive.decisions.run import extract_decisions
from wooarchive.decisions.stats import per_municipality
from wooarchive.dutch import counted, percent

OUTCOMES = (
    "geheel openbaar",
    "gedeeltelijk openbaar",
    "niet openbaar",
    "reeds openbaar",
    "niet in bezit",
)


def _rows(archive: Archive, municipality: str | None, ground: str | None, outcome: str | None):
    where, params = ["1"], []
    if municipality:
        where.append("d.municipality_code = ?")
        params.append(municipality.upper())
    if outcome:
        where.append("d.outcome = ?")
        params.append(outcome)
    if ground:
        code = normalise(ground) or ground
        where.append("d.sha256 in (select sha256 from woo_grounds where code = ? or code like ?)")
        params += [code, code + "_"]
    return list(
        archive.db.query(
            "select d.*, m.name as municipality, doc.title, "
            "(select group_concat(distinct g.code) from woo_grounds g where g.sha256 = d.sha256 "
            "and g.valid) as grounds from woo_decisions d "
            "left join municipalities m on m.code = d.municipality_code "
            f"join documents doc on doc.sha256 = d.sha256 where {' and '.join(where)} "
            "order by d.decided_on desc",
            params,
        )
    )


def _emit(rows: list[dict], fmt: str, line, total: str | None = None) -> None:
    """Rows as CSV or JSON, or as a table a line each (``line(row)``) and a total line."""
    if fmt != "table":
        _write(rows, fmt)
        return
    for row in rows:
        click.echo(line(row))
    if total is not None:
        click.echo(total)


def _write(rows: list[dict], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        if rows:
            writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)


@click.group(invoke_without_command=True)
@click.option("--municipality", "-m", help="Only this municipality (CBS code).")
@click.option("--ground", help="Only decisions citing this ground, in any notation (5.1.2e).")
@click.option("--outcome", type=click.Choice(OUTCOMES), help="Only decisions with this outcome.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
@click.pass_context
def decisions(ctx, municipality, ground, outcome, fmt) -> None:
    """Woo decisions as data: date, receipt, outcome, grounds, days to decision.

    Read from every woo_decision document (`woo index` reads them; `woo decisions extract`
    again). Every value has its evidence (page and sentence) in the woo_decisions table.

    \b
    Examples:
        woo decisions -m GM1963
        woo decisions --ground "5.1 lid 2 sub e" --format csv
    """
    if ctx.invoked_subcommand:
        return
    rows = _rows(open_archive(), municipality, ground, outcome)
    _emit(
        rows,
        fmt,
        lambda r: (
            f"{r['decided_on'] or '?':10}  {r['municipality_code'] or '-':6}  "
            f"{r['outcome'] or 'uitkomst onbekend':22}  "
            f"{(str(r['days_to_decision']) + ' d') if r['days_to_decision'] is not None else '-':>6}"
            f"{' (te laat)' if r['late'] else ''}  {r['grounds'] or '-'}  {r['title']}"
        ),
        f"{len(rows)} decisions",
    )


@decisions.command("extract")
def decisions_extract() -> None:
    """Read every woo_decision document again into woo_decisions and woo_grounds."""
    report = extract_decisions(open_archive(), everything=True)
    click.echo(
        f"{report.decisions} decisions read, {report.grounds} grounds cited, "
        f"{report.with_problems} with something not found (see woo_decisions.problems); "
        f"{report.inventories} inventories with {report.inventory_items} documents"
    )


@decisions.command("stats")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def decisions_stats(fmt: str) -> None:
    """Per municipality: decisions, median days to decision, share late, the grounds cited.

    Decided requests only, as the municipalities published them: not our own requests (see
    `woo requests stats`), and a municipality that never decides is not in here.
    """
    rows = per_municipality(open_archive().db)
    if fmt != "table":
        _write(rows, fmt)
        return
    for r in rows:
        late = (
            f"{percent(r['late_share'])} van {r['judged']} te laat"
            if r["late_share"] is not None
            else "te laat: onbekend"
        )
        median = (
            f"mediaan {counted(r['median_days'], 'dag', 'dagen')}"
            if r["median_days"] is not None
            else "mediaan onbekend"
        )
        redacted = (
            f"{percent(r['redacted_share'], 1)} weggelakt"
            if r["redacted_share"] is not None
            else "weggelakt: onbekend"
        )
        click.echo(
            f"{r['municipality_code'] or '-':6} {counted(r['decisions'], 'besluit', 'besluiten')}, "
            f"{median}, {late}, {redacted}; gronden: {r['grounds'] or 'geen'}"
        )


VERDICTS = ("inventory", "empty inventory", "not an inventory", "rejected")
ITEM_COLUMNS = (
    "row",
    "page",
    "number",
    "title",
    "date",
    "date_iso",
    "assessment",
    "assessment_raw",
    "grounds",
    "invalid_grounds",
    "suspended",
    "public_link",
    "remark",
    "related",
    "family",
    "thread",
    "case_number",
    "matter",
    "location",
    "notes",
)


@click.command("inventories")
@click.option("--municipality", "-m", help="Only this municipality (CBS code).")
@click.option("--decision", help="Only the inventory of this decision (its SHA-256 or a prefix).")
@click.option("--verdict", type=click.Choice(VERDICTS), help="Only files with this verdict.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def inventories(
    municipality: str | None, decision: str | None, verdict: str | None, fmt: str
) -> None:
    """Every file read as an inventory: its verdict and why, its rows, its decision.

    \b
    Examples:
        woo inventories -m GM1963
        woo inventories --verdict "not an inventory" --format csv
    """
    where, params = ["1"], []
    if municipality:
        where.append("d.municipality_code = ?")
        params.append(municipality.upper())
    if decision:
        where.append("i.decision_sha256 like ?")
        params.append(decision.lower() + "%")
    if verdict:
        where.append("i.verdict = ?")
        params.append(verdict)
    rows = list(
        open_archive().db.query(
            "select i.sha256, d.municipality_code, d.title, d.first_url as url, i.form, "
            "i.verdict, i.reason, i.items, i.decision_sha256, i.link from woo_inventories i "
            f"join documents d on d.sha256 = i.sha256 where {' and '.join(where)} "
            "order by d.municipality_code, d.first_url",
            params,
        )
    )
    _emit(
        rows,
        fmt,
        lambda r: (
            f"{r['sha256'][:12]}  {r['municipality_code'] or '-':6}  {r['verdict'] or '-':16}  "
            f"{r['items']:5} rows  {r['form'] or '-':14}  {r['title']}  ({r['reason']})"
        ),
        f"{len(rows)} files read as inventories",
    )


@click.command("inventory")
@click.argument("sha256")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def inventory(sha256: str, fmt: str) -> None:
    """The rows of one inventory (its SHA-256 or a prefix of it): number, document, date as
    written and as a date, assessment, grounds, the platform's columns, and the row's notes."""
    db = open_archive().db
    found = [
        r[0]
        for r in db.execute(
            "select sha256 from woo_inventories where sha256 like ? limit 2",
            [sha256.lower().strip() + "%"],
        )
    ]
    if len(found) != 1:
        raise click.ClickException(
            f"{sha256}: "
            + (
                "no inventory has this SHA-256"
                if not found
                else "more than one inventory starts so"
            )
            + " (see `woo inventories`)"
        )
    rows = list(
        db.query(
            f"select {', '.join(ITEM_COLUMNS)} from woo_inventory_items "
            "where inventory_sha256 = ? order by row",
            found,
        )
    )
    _emit(
        rows,
        fmt,
        lambda r: (
            f"{r['row']:4}  {r['number'] or '-':10}  {r['date_iso'] or r['date'] or '-':17}  "
            f"{r['assessment'] or 'onbekend':15}  {r['grounds'] or '-':14}  {r['title'] or '-'}"
            + (f"  [{r['notes']}]" if r["notes"] else "")
        ),
        f"{len(rows)} rows",
    )


COMMANDS = [decisions, inventories, inventory]
