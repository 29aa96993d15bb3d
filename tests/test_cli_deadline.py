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
