"""The `woo decisions` commands: Woo decisions as data, listed, filtered and counted."""

from __future__ import annotations

import csv
import json
import sys

import click

from wooarchive.archive.store import Archive
from wooarchive.decisions.grounds import normalise
from wooarchive.decisions.run import extract_decisions
from wooarchive.decisions.stats import per_municipality

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
    from wooarchive.cli import open_archive

    rows = _rows(open_archive(), municipality, ground, outcome)
    if fmt != "table":
        _write(rows, fmt)
        return
    for r in rows:
        click.echo(
            f"{r['decided_on'] or '?':10}  {r['municipality_code'] or '-':6}  "
            f"{r['outcome'] or 'uitkomst onbekend':22}  "
            f"{(str(r['days_to_decision']) + ' d') if r['days_to_decision'] is not None else '-':>6}"
            f"{' (te laat)' if r['late'] else ''}  {r['grounds'] or '-'}  {r['title']}"
        )
    click.echo(f"{len(rows)} decisions")


@decisions.command("extract")
def decisions_extract() -> None:
    """Read every woo_decision document again into woo_decisions and woo_grounds."""
    from wooarchive.cli import open_archive

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
    from wooarchive.cli import open_archive

    rows = per_municipality(open_archive().db)
    if fmt != "table":
        _write(rows, fmt)
        return
    for r in rows:
        late = (
            f"{r['late_share']:.0%} van {r['judged']} te laat"
            if r["late_share"] is not None
            else "-"
        )
        click.echo(
            f"{r['municipality_code'] or '-':6} {r['decisions']:4} besluiten, mediaan "
            f"{r['median_days'] if r['median_days'] is not None else '-'} dagen, {late}, "
            f"weggelakt {r['redacted_share'] if r['redacted_share'] is not None else '-'}; "
            f"{r['grounds'] or '-'}"
        )


COMMANDS = [decisions]
