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


def test_robots_txt_and_sitemaps_of_an_old_archive_become_crawl_records_out_of_search(
    tmp_path: Path,
) -> None:
    from wooarchive.archive import ledger

    path = tmp_path / "archive.db"
    old = schema.connect(path, upto=schema.MIGRATIONS.index(schema._crawl_records))
    for sha, evidence in (
        ("aa", '["robots.txt of the site"]'),
        ("bb", '["sitemap named in robots.txt"]'),
        ("cc", "[\"title matches 'privacyverklaring'\"]"),
    ):
        kind = "privacy_statement" if sha == "cc" else "other"
        old.execute(
            "insert into documents (sha256, kind, kind_evidence, title) values (?, ?, ?, ?)",
            [sha, kind, evidence, sha],
        )
        old.execute(
            "insert into pages (sha256, page, method, text, text_sha256) "
            "values (?, 1, 'text', 'User-agent: * Sitemap verwerkingsregister', 'x')",
            [sha],
        )
        old.execute("insert into extractions (sha256, status) values (?, 'ok')", [sha])
        ledger.record_document(old.conn, sha)
        ledger.record_extraction(old.conn, sha)
    old.conn.commit()
    old.conn.close()

    upgraded = schema.connect(path)
    kinds = dict(upgraded.execute("select sha256, kind from documents"))
    assert kinds == {"aa": "crawl_record", "bb": "crawl_record", "cc": "privacy_statement"}
    searchable = upgraded.execute(
        "select sha256 from pages where rowid in "
        "(select rowid from pages_fts where pages_fts match 'verwerkingsregister')"
    ).fetchall()
    assert searchable == [("cc",)]  # out of FTS5; the queue takes them out of Whoosh
    assert {r[0] for r in upgraded.execute("select sha256 from search_queue")} == {"aa", "bb"}
    assert list(ledger.check(upgraded.conn)) == []  # the new kind is in the ledger


def test_pages_of_an_old_archive_stay_searchable_and_new_ones_join_them(tmp_path: Path) -> None:
    from wooarchive.archive.db import transaction
    from wooarchive.indexer.run import insert_pages

    path = tmp_path / "archive.db"
    old = schema.connect(path, upto=schema.MIGRATIONS.index(schema._pages_fts_by_insert))
    old.execute(
        "insert into pages (sha256, page, method, text) values ('aa', 1, 'text', 'oude camera')"
    )
    old.conn.close()
    upgraded = schema.connect(path)
    with transaction(upgraded.conn):
        insert_pages(
            upgraded.conn,
            [("bb", 1, "text", 1.0, "nieuwe camera", None, None, None, None, None, None, None)],
        )
        upgraded.execute("delete from pages where sha256 = 'aa'")  # the delete trigger still works
    found = upgraded.execute(
        "select p.sha256 from pages_fts join pages p on p.rowid = pages_fts.rowid "
        "where pages_fts match 'camera'"
    ).fetchall()
    assert found == [("bb",)]
    upgraded.execute("insert into pages_fts(pages_fts, rank) values ('integrity-check', 1)")
