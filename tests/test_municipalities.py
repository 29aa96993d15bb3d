"""The product ships its own, cleaned list of the 342 municipalities."""

from __future__ import annotations

import csv
import json
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from wooarchive.archive.municipalities import shipped
from wooarchive.cli import cli


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_all_342_municipalities_are_shipped_with_unique_codes() -> None:
    rows = shipped()
    assert len(rows) == 342
    assert len({r["code"] for r in rows}) == 342
    assert all(r["code"].startswith("GM") and len(r["code"]) == 6 for r in rows)


def test_websites_are_homepages_and_woo_pages_are_kept_apart() -> None:
    rows = {r["code"]: r for r in shipped()}
    for row in rows.values():
        parts = urlsplit(row["website"])
        assert parts.scheme == "https" and parts.path == "" and parts.netloc == row["domain"], row
    assert rows["GM0363"]["woo_info_url"].startswith(
        "https://www.amsterdam.nl/bestuur-organisatie/"
    )
    assert rows["GM0344"]["website"] == "https://www.utrecht.nl"
    assert rows["GM0599"]["email"] is None  # the source said "nvt"


def test_the_shipped_list_agrees_with_the_shared_reference(shared_corpus) -> None:
    reference = shared_corpus.parent / "data" / "municipalities.csv"
    with open(reference, encoding="utf-8") as fh:
        ref = {r["gemeentecode"]: r for r in csv.DictReader(fh)}
    ours = {r["code"]: r for r in shipped()}
    assert set(ours) == set(ref)
    for code, row in ours.items():
        assert row["name"] == ref[code]["cbs_naam"]
        assert row["postcode"] == ref[code]["postcode"]


def test_listing_and_showing_municipalities(data_dir) -> None:
    listing = woo("municipalities", "--search", "Hoeksche")
    assert listing.output.split() == ["GM1963", "Hoeksche", "Waard", "https://www.gemeentehw.nl"]
    shown = woo("municipalities", "show", "gm0400")
    assert "name          Den Helder" in shown.output
    assert len(json.loads(woo("municipalities", "--json").output)) == 342


def test_showing_an_unknown_code_fails(data_dir) -> None:
    result = woo("municipalities", "show", "GM0001")
    assert result.exit_code == 1
    assert "unknown municipality code 'GM0001'" in result.output


@pytest.mark.parametrize("code", ["GM0518", "GM0014"])
def test_known_municipalities_have_a_postal_address(code: str) -> None:
    row = {r["code"]: r for r in shipped()}[code]
    assert row["postbus"].startswith("Postbus ") and row["postcode"] and row["plaats"]
