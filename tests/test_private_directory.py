"""Private by design: the requester's part (requests.db, the replies' attachments, the signing
key) lives in a directory of its own (WOO_PRIVATE, default beside the archive), so the archive
directory can be shared with workers and served without it; data an earlier version kept inside
the archive directory is moved there once."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

from click.testing import CliRunner

from wooarchive.cli import cli
from wooarchive.config import settings


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _requester(monkeypatch) -> None:
    monkeypatch.setenv("WOO_REQUESTER_NAME", "Fenna de Vries")
    monkeypatch.setenv("WOO_REQUESTER_EMAIL", "fenna@onderzoek.example")


def test_nothing_of_the_requester_is_inside_the_archive_directory(
    monkeypatch, data_dir: Path
) -> None:
    _requester(monkeypatch)
    assert woo("request", "new", "-t", "woo_dpia", "-m", "GM0363").exit_code == 0
    assert woo("keys", "init").exit_code == 0
    private = settings().private_dir
    assert private == data_dir.with_name("data-private")
    assert (private / "requests.db").exists() and (private / "keys" / "signing-key.pem").exists()
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    for path in data_dir.rglob("*"):
        assert b"Fenna" not in (path.read_bytes() if path.is_file() else b""), path
        assert path.name not in ("requests.db", "signing-key.pem"), path


def test_woo_private_names_the_directory(monkeypatch, data_dir: Path, tmp_path: Path) -> None:
    _requester(monkeypatch)
    monkeypatch.setenv("WOO_PRIVATE", str(tmp_path / "kluis"))
    assert woo("request", "new", "-t", "woo_dpia", "-m", "GM0363").exit_code == 0
    assert (tmp_path / "kluis" / "requests.db").exists()


def test_an_earlier_layout_is_moved_out_of_the_archive_directory_once(
    monkeypatch, data_dir: Path
) -> None:
    _requester(monkeypatch)
    assert woo("request", "new", "-t", "woo_dpia", "-m", "GM0363").exit_code == 0
    assert woo("keys", "init").exit_code == 0
    fingerprint = woo("keys", "show").output.split("fingerprint ", 1)[1].split()[0]
    private = settings().private_dir
    # how an earlier version kept them: inside the archive directory
    shutil.move(private / "requests.db", data_dir / "requests.db")
    shutil.move(private / "keys", data_dir / "keys")
    (data_dir / "private" / "blobs").mkdir(parents=True)
    (data_dir / "private" / "blobs" / "x").write_bytes(b"bijlage")
    result = CliRunner().invoke(cli, ["requests"])
    assert result.exit_code == 0, result.output
    assert "moved to the private directory" in result.stderr
    assert not (data_dir / "requests.db").exists() and not (data_dir / "keys").exists()
    assert not (data_dir / "private").exists()
    assert (private / "blobs" / "x").read_bytes() == b"bijlage"
    assert woo("request", "show", "1").exit_code == 0
    assert fingerprint in woo("keys", "show").output
    again = CliRunner().invoke(cli, ["requests"])
    assert "moved" not in again.stderr
