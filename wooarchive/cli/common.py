"""What the command groups share: click parameter types, opening the archive (with the move of an
earlier layout's private files), so that no group imports the root module."""

from __future__ import annotations

import sqlite3
from datetime import date

import click

from wooarchive.archive.store import Archive
from wooarchive.config import settings
from wooarchive.requests.deadlines import Span


class IsoDate(click.ParamType):
    """A calendar date written YYYY-MM-DD; an impossible one (2026-02-30) is refused by name."""

    name = "DATE"

    def convert(self, value, param, ctx) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD) that exists", param, ctx)


class DateSpan(click.ParamType):
    """FROM:TO, two ISO dates."""

    name = "FROM:TO"

    def convert(self, value, param, ctx) -> Span:
        if isinstance(value, Span):
            return value
        start, sep, end = value.partition(":")
        if not sep:
            self.fail(f"{value!r} is not FROM:TO (two dates YYYY-MM-DD)", param, ctx)
        return Span(IsoDate().convert(start, param, ctx), IsoDate().convert(end, param, ctx))


def move_private_files() -> None:
    """Move an earlier layout's private files out of the data directory (once), saying so. The
    commands that open the archive or the requests do it; a worker never does (it shares the
    data directory and must never touch the requester's files)."""
    from wooarchive.config import move_private, settings

    for line in move_private(settings()):
        click.echo(f"moved to the private directory: {line}", err=True)


def open_archive() -> Archive:
    move_private_files()
    try:
        return Archive()
    except OSError as exc:
        raise click.ClickException(f"{exc.filename or 'data directory'}: {exc.strerror}") from exc
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{settings().archive_db}: cannot be opened ({exc})") from exc
