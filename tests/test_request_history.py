"""A request's history cannot be impossible: a day still to come, 'received' before 'sent', a
second 'sent' for a letter that did not bounce, a second 'received', a second or too long
verdaging, anything after a withdrawal are each refused with the rule they break, and nothing
is stored. A mistake is corrected or removed, never lost: the audit trail keeps the old form and
the reason, and the dossier shows it. Hints name the request's reference, never an id."""

from __future__ import annotations

import json
import zipfile
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


def _requester(monkeypatch) -> None:
    monkeypatch.setenv("WOO_REQUESTER_NAME", "Fenna de Vries")
    monkeypatch.setenv("WOO_REQUESTER_EMAIL", "fenna@onderzoek.example")


def test_a_verdaging_is_one_and_no_longer_than_the_law_allows(monkeypatch, data_dir: Path) -> None:
    _requester(monkeypatch)
    assert woo("request", "new", "-t", "woo_dpia", "-m", "GM0363").exit_code == 0
    assert woo("request", "new", "-t", "avg_inzage", "-m", "GM0363").exit_code == 0
    store = RequestStore(settings())
    woo_ref, avg_ref = store.get(1)["reference"], store.get(2)["reference"]
    for ref in (woo_ref, avg_ref):
        assert woo("request", "event", ref, "sent", "--on", "2026-02-02").exit_code == 0
    for args, rule in (
        (
            (woo_ref, "verdaging", "--on", "2026-02-20", "--extended-by", "15"),
            "two weeks (14 days)",
        ),
        ((avg_ref, "verdaging", "--on", "2026-02-20", "--extended-months", "3"), "one or two"),
        ((woo_ref, "besluit", "--on", "2026-02-20", "--extended-by", "3"), "only a verdaging"),
        (
            (woo_ref, "ingebrekestelling_ontvangen", "--on", "2026-03-05"),
            "record 'ingebrekestelling'",
        ),
    ):
        result = woo("request", "event", *args)
        assert result.exit_code == 1 and rule in result.output, (args, result.output)
    made = woo("request", "event", woo_ref, "verdaging", "--on", "2026-02-20", "--extended-by", "7")
    # 2 Feb + 28 + 7 days (Woo art. 4.4 lid 1, 2) = Mon 9 Mar
    assert (
        made.exit_code == 0 and "#2 verdaging on 2026-02-20 recorded; due 2026-03-09" in made.output
    )
    again = woo("request", "event", woo_ref, "verdaging", "--on", "2026-02-21")
    assert again.exit_code == 1 and "extended on 2026-02-20 already" in again.output
    made = woo(
        "request", "event", avg_ref, "verdaging", "--on", "2026-02-20", "--extended-months", "1"
    )
    # 2 Feb + 1 + 1 months (AVG art. 12 lid 3) = Thu 2 Apr
    assert made.exit_code == 0 and "due 2026-04-02" in made.output
    assert [e["kind"] for e in store.events(1)] == ["sent", "verdaging"]  # nothing else stored


def test_a_correction_is_checked_kept_and_shown_in_the_dossier(
    monkeypatch, data_dir: Path, tmp_path: Path
) -> None:
    _requester(monkeypatch)
    assert woo("request", "new", "-t", "woo_dpia", "-m", "GM0363").exit_code == 0
    store = RequestStore(settings())
    ref = store.get(1)["reference"]
    for kind, day in (
        ("sent", "2026-02-02"),
        ("verdaging", "2026-02-20"),
        ("besluit", "2026-03-20"),
    ):
        assert woo("request", "event", ref, kind, "--on", day).exit_code == 0
    # the verdaging cannot move before the request was sent: refused, nothing changed
    refused = woo("request", "correct", ref, "2", "--on", "2026-01-20", "--reason", "typo")
    assert refused.exit_code == 1 and "is before" in refused.output
    assert store.events(1)[1]["on_date"] == "2026-02-20" and store.changes(1) == []
    # without a reason nothing changes either
    assert woo("request", "correct", ref, "2", "--on", "2026-02-21").exit_code == 2
    fixed = woo(
        "request",
        "correct",
        ref,
        "2",
        "--on",
        "2026-02-19",
        "--extended-by",
        "7",
        "--reason",
        "datum en duur uit de brief van de gemeente",
    )
    assert fixed.exit_code == 0, fixed.output
    # 2 Feb + 35 days = Mon 9 Mar: the decision of 20 Mar is now 11 days late
    timeline = store.timeline(1, date(2026, 11, 1))
    assert (timeline.due, timeline.days_late) == (date(2026, 3, 9), 11)
    [change] = store.changes(1)
    assert change["action"] == "corrected" and change["event_number"] == 2
    assert json.loads(change["before"])["on_date"] == "2026-02-20"
    assert json.loads(change["after"]) == {
        "kind": "verdaging",
        "on_date": "2026-02-19",
        "note": None,
        "length": 7,
    }
    # removing the 'sent' would leave a verdaging of a request never sent: refused
    refused = woo("request", "remove-event", ref, "1", "--reason", "oops")
    assert refused.exit_code == 1 and "has not been sent" in refused.output
    assert (
        woo(
            "request", "remove-event", ref, "3", "--reason", "besluit hoorde bij een ander verzoek"
        ).exit_code
        == 0
    )
    assert [e["number"] for e in store.events(1)] == [1, 2]
    shown = woo("request", "show", ref).output
    assert "#2   2026-02-19  verdaging (7 dagen)" in shown
    assert "#3 removed" in shown and "besluit hoorde bij een ander verzoek" in shown
    assert woo("keys", "init").exit_code == 0
    made = woo("request", "dossier", ref, "-o", str(tmp_path / "d.zip"))
    assert made.exit_code == 0, made.output
    with zipfile.ZipFile(tmp_path / "d.zip") as zf:
        html = zf.read("tijdlijn.html").decode()
        assert f"{len(zf.namelist())} files" in made.output
    assert "Wijzigingen in deze tijdlijn" in html
    assert (
        "gebeurtenis #2 gecorrigeerd; was: verdaging / verlenging meegedeeld op 20 februari 2026"
        in html
    )
    assert "nu: verdaging / verlenging meegedeeld op 19 februari 2026 (7 dagen)" in html
    assert "gebeurtenis #3 verwijderd; was: besluit verzonden op 20 maart 2026" in html


def test_a_withdrawn_request_stops_its_deadlines(monkeypatch, data_dir: Path) -> None:
    _requester(monkeypatch)
    assert woo("request", "new", "-t", "woo_dpia", "-m", "GM0363").exit_code == 0
    ref = RequestStore(settings()).get(1)["reference"]
    assert woo("request", "event", ref, "sent", "--on", "2026-02-02").exit_code == 0
    overdue = woo("requests", "--today", "2026-04-01").output
    assert " te laat " in overdue and "overdue" not in overdue
    assert f"woo request letter {ref} ingebrekestelling_woo" in overdue
    assert woo("request", "withdraw", ref, "--on", "2026-03-20").exit_code == 0
    listed = woo("requests", "--today", "2026-04-01", "--json").output
    assert '"status": "withdrawn"' in listed and '"days_late": 0' in listed
    assert woo("requests", "--overdue", "--today", "2026-04-01", "--json").output.strip() == "[]"
    after = woo("request", "event", ref, "besluit", "--on", "2026-03-25")
    assert after.exit_code == 1 and "withdrawn on 2026-03-20" in after.output


def test_hints_name_the_reference_never_an_id(monkeypatch, data_dir: Path) -> None:
    _requester(monkeypatch)
    # an AVG request first: id 1 is AVG-2026-0001, the Woo request is id 2 but WOO-2026-0001
    assert woo("request", "new", "-t", "avg_inzage", "-m", "GM0363").exit_code == 0
    assert woo("request", "new", "-t", "woo_dpia", "-m", "GM0363").exit_code == 0
    store = RequestStore(settings())
    woo_ref = store.get(2)["reference"]
    assert woo_ref == "WOO-2026-0001"
    listed = woo("requests").output
    assert f"verzenden: woo request send {woo_ref}" in listed
    assert "woo request send 2" not in listed and "woo request send 1" not in listed
    assert woo("request", "event", woo_ref, "sent", "--on", "2026-02-02").exit_code == 0
    letter_hint = woo("requests", "--today", "2026-04-01").output
    assert f"woo request letter {woo_ref} ingebrekestelling_woo" in letter_hint


def test_the_avg_ingebrekestelling_announces_the_dwangsom(monkeypatch, data_dir: Path) -> None:
    _requester(monkeypatch)
    assert woo("request", "new", "-t", "avg_inzage", "-m", "GM0363").exit_code == 0
    assert woo("request", "event", "AVG-2026-0001", "sent", "--on", "2026-02-02").exit_code == 0
    letter = woo("request", "letter", "AVG-2026-0001", "ingebrekestelling", "--today", "2026-04-01")
    assert letter.exit_code == 0, letter.output
    text = " ".join(letter.output.split())
    # sent and received by e-mail on 1 April: the dwangsom and beroep from 1 + 15 = 16 April
    assert "artikel 4:17 Awb" in text and "EUR 1.442" in text
    assert "loopt de dwangsom vanaf 16 april 2026" in text
    assert "beroep mogelijk vanaf 16 april 2026" in text
    assert (
        woo(
            "request", "event", "AVG-2026-0001", "ingebrekestelling", "--on", "2026-04-01"
        ).exit_code
        == 0
    )
    shown = woo("request", "show", "AVG-2026-0001", "--today", "2026-05-01").output
    # first day 16 April; 16 April..1 May = 16 days: 14 x 23 + 2 x 35 = 392
    assert "dwangsom: 16 dagen, EUR 392 (tot nu toe, loopt nog)" in shown


def test_a_withdrawn_draft_is_never_sent(monkeypatch, data_dir: Path, tmp_path: Path) -> None:
    _requester(monkeypatch)
    assert woo("request", "new", "-t", "woo_dpia", "-m", "GM0363").exit_code == 0
    assert woo("request", "event", "WOO-2026-0001", "sent", "--on", "2026-02-02").exit_code == 0
    assert (
        woo("request", "event", "WOO-2026-0001", "undelivered", "--on", "2026-02-03").exit_code == 0
    )
    assert woo("request", "withdraw", "WOO-2026-0001", "--on", "2026-02-04").exit_code == 0
    result = woo("request", "send", "WOO-2026-0001", "--outbox", str(tmp_path / "uit"))
    assert result.exit_code == 1 and "withdrawn on 2026-02-04: not sent" in result.output
    assert not (tmp_path / "uit").exists()
