"""An existing data directory upgrades in place when a newer woo-archive opens it."""

from __future__ import annotations

from pathlib import Path

from wooarchive.archive import db as schema


def test_an_old_archive_is_upgraded_in_place_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    old = schema.connect(path, upto=1)
    assert "fetch_errors" not in old.table_names()
    old.execute("insert into documents (sha256, kind, title) values ('ab', 'dpia', 'DPIA')")
    old.conn.close()

    upgraded = schema.connect(path)
    assert upgraded.execute("pragma user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert "fetch_errors" in upgraded.table_names()
    assert [r["title"] for r in upgraded["documents"].rows] == ["DPIA"]


def test_opening_an_up_to_date_archive_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "archive.db"
    schema.connect(path).conn.close()
    before = path.read_bytes()
    schema.connect(path).conn.close()
    assert (
        schema.connect(path).execute("pragma user_version").fetchone()[0] == schema.SCHEMA_VERSION
    )
    assert path.read_bytes() == before
