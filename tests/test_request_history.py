"""A request's history cannot be impossible: a day still to come, 'received' before 'sent', a
second 'sent' for a letter that did not bounce, a second 'received' are each refused with the
rule they break, and nothing is stored."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner

from wooarchive.cli import cli
from wooarchive.config import settings
from wooarchive.requests.store import RequestStore


def woo(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_impossible_events_are_refused_with_their_rule(monkeypatch, data_dir: Path) -> None:
    monkeypatch.setenv("WOO_REQUESTER_NAME", "Fenna de Vries")
    monkeypatch.setenv("WOO_REQUESTER_EMAIL", "fenna@onderzoek.example")
    assert woo("request", "new", "-t", "woo_dpia", "-m", "GM0363").exit_code == 0
    store = RequestStore(settings())
    reference = store.get(1)["reference"]
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    refused = {
        ("sent", tomorrow): "is in the future",
    }
    for (kind, day), rule in refused.items():
        result = woo("request", "event", reference, kind, "--on", day)
        assert result.exit_code == 1 and rule in result.output, result.output
    assert woo("request", "event", reference, "sent", "--on", "2026-02-02").exit_code == 0
    for kind, day, rule in (
        ("received", "2026-02-01", "is before it was sent (2026-02-02)"),
        ("sent", "2026-02-05", "was sent on 2026-02-02 already"),
        ("sent", "2026-02-02", "was sent on 2026-02-02 already"),
    ):
        result = woo("request", "event", reference, kind, "--on", day)
        assert result.exit_code == 1 and rule in result.output, (kind, day, result.output)
        assert len(result.output.strip().splitlines()) == 1
    assert woo("request", "event", reference, "received", "--on", "2026-02-03").exit_code == 0
    again = woo("request", "event", reference, "received", "--on", "2026-02-04")
    assert again.exit_code == 1 and "was received on 2026-02-03 already" in again.output
    kinds = [e["kind"] for e in store.events(1)]
    assert kinds.count("sent") == 1 and kinds.count("received") == 1  # nothing else stored
    # a letter that bounced may be sent again
    assert woo("request", "new", "-t", "woo_dpia", "-m", "GM0344").exit_code == 0
    second = store.get(2)["reference"]
    for kind, day in (
        ("sent", "2026-03-02"),
        ("undelivered", "2026-03-03"),
        ("sent", "2026-03-04"),
    ):
        result = woo("request", "event", second, kind, "--on", day)
        assert result.exit_code == 0, result.output
