"""`woo deadline`: the exact interface scripts depend on."""

from __future__ import annotations

import json

from click.testing import CliRunner

from wooarchive.cli import cli


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_json_has_the_promised_fields() -> None:
    result = woo(
        "deadline",
        "woo",
        "2026-02-02",
        "--extended-on",
        "2026-02-20",
        "--zienswijze",
        "2026-02-10:2026-02-17",
        "--decided-on",
        "2026-03-30",
        "--ingebrekestelling-on",
        "2026-03-24",
        "--today",
        "2026-11-23",
        "--json",
    )
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["due"] == "2026-03-23" and out["original_due"] == "2026-03-09"
    assert out["extension_valid"] is True
    assert (out["status"], out["days_late"]) == ("decided_late", 7)
    assert out["objection_due"] == "2026-05-11"
    assert out["appeal_possible_from"] is None  # decided within two weeks of the notice
    assert all(set(b) >= {"date", "rule"} for b in out["basis"])


def test_open_request_reports_nulls_and_zero() -> None:
    out = json.loads(woo("deadline", "avg", "2026-05-10", "--today", "2026-05-20", "--json").output)
    assert out == {
        **out,
        "status": "open",
        "days_late": 0,
        "extension_valid": None,
        "objection_due": None,
        "appeal_possible_from": None,
        "due": "2026-06-10",
    }


def test_suspended_may_be_given_more_than_once() -> None:
    out = json.loads(
        woo(
            "deadline",
            "woo",
            "2026-02-02",
            "--suspended",
            "2026-02-05:2026-02-08",
            "--suspended",
            "2026-02-20:2026-02-23",
            "--today",
            "2026-02-10",
            "--json",
        ).output
    )
    assert out["suspended_days"] == 4 and out["due"] == "2026-03-06"


def test_readable_timeline_uses_dutch_legal_terms() -> None:
    result = woo(
        "deadline", "woo", "2026-02-02", "--extended-on", "2026-02-20", "--today", "2026-03-20"
    )
    assert result.output.splitlines()[0] == (
        "Woo-verzoek ontvangen op 2026-02-02; stand op 2026-03-20: "
        "termijn verstreken, nog geen besluit (4 dagen te laat)"
    )
    assert "beslistermijn loopt tot en met 2026-03-16 (oorspronkelijk 2026-03-02)" in result.output
    assert "verdaging" in result.output and "Woo art. 4.4 lid 2" in result.output


def test_an_impossible_date_is_refused_by_name() -> None:
    result = woo("deadline", "woo", "2026-02-30")
    assert result.exit_code == 2
    assert (
        "Error: Invalid value for 'RECEIVED': '2026-02-30' is not a date (YYYY-MM-DD) that exists"
        in result.output
    )


def test_a_decision_before_the_request_is_a_one_line_error() -> None:
    result = woo("deadline", "woo", "2026-02-02", "--decided-on", "2026-01-05")
    assert result.exit_code == 1
    assert (
        result.output.strip()
        == "Error: --decided-on 2026-01-05 is before the request was received (2026-02-02)"
    )


def test_a_malformed_span_is_refused() -> None:
    result = woo("deadline", "woo", "2026-02-02", "--suspended", "2026-02-05")
    assert result.exit_code == 2
    assert "'2026-02-05' is not FROM:TO" in result.output


def test_a_shorter_verdaging_and_the_dwangsom_on_the_command_line() -> None:
    # 2 Feb + 28 + 7 days (Woo art. 4.4 lid 1, 2) = Mon 9 Mar
    out = json.loads(
        woo(
            "deadline",
            "woo",
            "2026-02-02",
            "--extended-on",
            "2026-02-20",
            "--extended-by",
            "7",
            "--today",
            "2026-03-01",
            "--json",
        ).output
    )
    assert out["due"] == "2026-03-09" and out["dwangsom"] is None
    # AVG received 10 May, due 10 Jun; ingebrekestelling received 15 Jun by post (sent 12 Jun):
    # dwangsom from 30 Jun; decided 10 Jul: 10 days x EUR 23
    result = woo(
        "deadline",
        "avg",
        "2026-05-10",
        "--ingebrekestelling-on",
        "2026-06-12",
        "--ingebrekestelling-received",
        "2026-06-15",
        "--decided-on",
        "2026-07-10",
        "--dwangsom",
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "ingebrekestelling ontvangen op 2026-06-15",
        "dwangsom (Awb 4:17) loopt vanaf 2026-06-30, ten hoogste tot en met 2026-07-09",
        "dwangsom: 10 dagen, EUR 230 (eindbedrag)",
    ]


def test_what_the_law_does_not_allow_is_a_one_line_error() -> None:
    for args, message in (
        (("woo", "2026-02-02", "--extended-on", "2026-02-20", "--extended-by", "21"), "14 days"),
        (
            ("avg", "2026-02-02", "--extended-on", "2026-02-20", "--extended-months", "3"),
            "two further",
        ),
        (
            ("woo", "2026-02-02", "--ingebrekestelling-on", "2026-03-10", "--dwangsom"),
            "Woo art. 8.2",
        ),
        (("avg", "2026-02-02", "--dwangsom"), "needs --ingebrekestelling-on"),
    ):
        result = woo("deadline", *args)
        assert result.exit_code == 1 and message in result.output, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1
