"""`woo serve` publishes archive.db with Datasette: a real server answering over HTTP."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from tests.fixtures.documents import build
from tests.servers import woo_serve
from wooarchive.archive.store import Archive


@pytest.fixture
def server(archive: Archive, tmp_path: Path):
    for doc in build(tmp_path / "docs"):
        archive.record_file(
            doc.path, municipality_code=doc.municipality, kind=doc.kind, title=doc.title
        )
    with woo_serve(archive.settings.data_dir) as base:
        yield base


def test_the_archive_is_served_with_municipalities_and_documents(server: str) -> None:
    documents = httpx.get(server + "/archive/documents.json?_shape=array&_sort=title").json()
    assert [(d["kind"], d["municipality_code"]) for d in documents] == [
        ("woo_decision", "GM1963"),
        ("privacy_statement", "GM0400"),
        ("processing_register", "GM0917"),
    ]
    count = httpx.get(
        server + "/archive.json?sql=select+count(*)+as+n+from+municipalities&_shape=array"
    )
    assert count.json() == [{"n": 342}]


def test_the_document_permalink_of_a_citation_resolves(server: str, archive: Archive) -> None:
    sha = next(archive.db["documents"].rows)["sha256"]
    page = httpx.get(f"{server}/-/document/{sha}")
    assert page.status_code == 200
    assert sha in page.text


def test_the_tables_are_described_for_researchers(server: str) -> None:
    page = httpx.get(server + "/archive/documents").text
    assert "Eén rij per unieke inhoud" in page
    assert "Facet" in page or "facet" in page


def test_the_private_requests_database_is_not_served(server: str, data_dir: Path) -> None:
    (data_dir / "requests.db").write_bytes(b"")
    assert httpx.get(server + "/requests").status_code == 404
    assert httpx.get(server + "/requests.json").status_code == 404
    assert httpx.get(server + "/archive").status_code == 200


def test_serving_without_an_archive_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from wooarchive.cli import cli

    monkeypatch.setenv("WOO_DATASETTE_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("WOO_DATA", str(tmp_path / "data"))
    result = CliRunner().invoke(cli, ["serve"])
    assert result.exit_code == 1
    assert "nowhere/metadata.yml: Datasette configuration not found" in result.output


@pytest.mark.parametrize("asked", [False, True])
def test_visitors_and_their_search_terms_are_not_logged_unless_asked(
    archive: Archive, monkeypatch, asked: bool
) -> None:
    if asked:
        monkeypatch.setenv("WOO_ACCESS_LOG", "1")
    with woo_serve(archive.settings.data_dir, log=True) as (base, log):
        assert httpx.get(base + "/-/search?q=schuldhulpverlening+buurman").status_code == 200
        httpx.get(base + "/archive/documents?_search=huisarts")
    logged = log()
    visitor = re.search(r"127\.0\.0\.1:\d+ - \"GET", logged)  # uvicorn's line per request
    if asked:
        assert visitor and "schuldhulpverlening" in logged and "huisarts" in logged, logged
    else:
        assert not visitor and "schuldhulpverlening" not in logged and "huisarts" not in logged
        assert "Uvicorn running" in logged  # the server did write its own lines
