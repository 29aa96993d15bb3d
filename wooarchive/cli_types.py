"""Click parameter types shared by the commands."""

from __future__ import annotations

from datetime import date

import click

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
