"""`woo search` and `woo similar`: Dutch stemming, suggestions, filters, highlights, citations,
and near-identical documents across municipalities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.fixtures.documents import PRIVACY_HTML
from wooarchive.archive.store import Archive
from wooarchive.cli import cli
from wooarchive.config import settings


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


PAGES = {
    "register.html": (
        "GM0400",
        "processing_register",
        "<title>Register</title><main>Overzicht van alle verwerkingen van de gemeente.</main>",
    ),
    "notulen.html": (
        "GM0344",
        None,
        "<title>Notulen</title><main>Het antwoord werd gegeven door de wethouder.</main>",
    ),
    "camera.html": (
        "GM0363",
        "dpia",
        "<title>DPIA camera's</title><main>Cameratoezicht in het centrum: een DPIA.</main>",
    ),
    "privacy-a.html": ("GM0400", "privacy_statement", PRIVACY_HTML),
    "privacy-b.html": (
        "GM0518",
        "privacy_statement",
        PRIVACY_HTML.replace("Den Helder", "Den Haag"),
    ),
    "afval.html": (
        "GM0193",
        None,
        "<title>Afval</title><main>De vuilniswagen komt op dinsdag.</main>",
    ),
    "algoritmes.html": (
        "GM0014",
        None,
        "<title>Slimme systemen</title><main>Welke algoritmes zet de gemeente in?</main>",
    ),
    "register-online.html": (
        "GM0014",
        "algorithm_register",
        "<title>Overzicht</title><main>Ons algoritmeregister staat online.</main>",
    ),
    "sites.html": (
        "GM0034",
        None,
        "<title>Adressen</title><main>De gemeente heeft drie websites voor inwoners.</main>",
    ),
}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WOO_DATA", str(root / "data"))
        mp.setenv("WOO_BASE_URL", "http://archive.test")
        store = Archive(settings())
        for name, (code, kind, html) in PAGES.items():
            path = root / name
            path.write_text(html)
            store.record_file(path, municipality_code=code, kind=kind)
        assert woo("index").exit_code == 0
        yield store


def hits(*args: str) -> dict:
    result = woo("search", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def urls(out: dict, archive: Archive) -> set[str]:
    return {archive.db["documents"].get(h["sha256"])["first_url"] for h in out["hits"]}


def test_a_stemmed_search_for_verwerking_finds_verwerkingen(archive: Archive) -> None:
    assert "file:register.html" in urls(hits("verwerking"), archive)


def test_gegevens_finds_gegeven(archive: Archive) -> None:
    assert "file:notulen.html" in urls(hits("gegevens"), archive)


def test_a_typo_gets_a_suggestion(archive: Archive) -> None:
    out = hits("cameratoezight")
    assert out["total"] == 0 and out["suggestion"] == "cameratoezicht"
    assert woo("search", "cameratoezight").output.startswith("did you mean: cameratoezicht")


def test_filters_by_municipality_and_kind(archive: Archive) -> None:
    assert urls(hits("persoonsgegevens", "-m", "GM0518"), archive) == {"file:privacy-b.html"}
    assert urls(hits("dpia", "--kind", "dpia"), archive) == {"file:camera.html"}


def test_a_hit_has_a_highlighted_snippet_its_page_and_a_citation(archive: Archive) -> None:
    [hit] = hits("cameratoezicht")["hits"]
    assert "«Cameratoezicht»" in hit["snippet"]
    assert hit["page"] == 1
    assert hit["citation"].startswith('Gemeente Amsterdam, "DPIA camera\'s". file:camera.html')
    assert hit["citation"].endswith(", p. 1.")


def test_an_empty_query_and_a_missing_index_are_clear_errors(
    archive: Archive, tmp_path: Path, monkeypatch
) -> None:
    assert woo("search", " ").output.strip() == "Error: empty query"
    monkeypatch.setenv("WOO_DATA", str(tmp_path / "leeg"))
    result = woo("search", "privacy")
    assert result.exit_code == 1 and "no search index yet (run `woo index`)" in result.output


def test_near_identical_privacy_statements_are_found_across_municipalities(
    archive: Archive,
) -> None:
    sha = next(
        archive.db.query("select sha256 from documents where first_url = 'file:privacy-a.html'")
    )["sha256"]
    result = woo("similar", sha)
    lines = result.output.strip().splitlines()
    assert "GM0518" in lines[0] and "Privacyverklaring gemeente Den Haag" in lines[0]
    assert float(lines[0].split("%")[0]) > 80


def test_operators_work_as_researchers_type_them(archive: Archive) -> None:
    either = urls(hits("cameratoezicht OR vuilniswagen"), archive)
    assert either == {"file:camera.html", "file:afval.html"}
    # NOT and -: the privacy statements without the one in Den Haag
    without = urls(hits("persoonsgegevens NOT Haag"), archive)
    assert "file:privacy-a.html" in without and "file:privacy-b.html" not in without
    assert urls(hits("persoonsgegevens -haag"), archive) == without
    # a prefix: verwerk* finds verwerkingen; an exact phrase only where it stands so
    assert "file:register.html" in urls(hits("verwerk*"), archive)
    assert urls(hits('"dinsdag vuilniswagen"'), archive) == set()
    assert urls(hits('"vuilniswagen komt"'), archive) == {"file:afval.html"}


def test_a_suggestion_corrects_words_and_never_an_operator(archive: Archive) -> None:
    out = hits("cameratoezight OR vuilniswagen")
    assert out["suggestion"] == "cameratoezicht OR vuilniswagen"
    out = hits("cameratoezight NOT haag")
    assert out["suggestion"] == "cameratoezicht NOT haag"


def test_a_word_finds_its_plural_in_e_s_and_the_compounds_it_begins(archive: Archive) -> None:
    found = hits("algoritme")
    assert [archive.db["documents"].get(h["sha256"])["first_url"] for h in found["hits"]] == [
        "file:algoritmes.html",  # the word itself (its plural) ranks above a compound
        "file:register-online.html",
    ]
    assert "file:register-online.html" in urls(hits("algoritmes"), archive)
    assert urls(hits("website"), archive) == {"file:sites.html"}
    assert hits("algoritme")["suggestion"] is None


def test_an_index_made_with_an_older_analyzer_is_rebuilt(archive: Archive) -> None:
    directory = archive.settings.whoosh_dir
    (directory / "woo-analyzer").write_text("1")
    before = directory.resolve()
    assert woo("index").exit_code == 0
    assert directory.resolve() != before
    assert (directory / "woo-analyzer").read_text() == "2"
    assert "file:algoritmes.html" in urls(hits("algoritme"), archive)
