"""`woo export wacz`: a signed web archive that Webrecorder's validator accepts, that replays,
and whose every changed byte `woo export verify` names."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from tests.fixtures.documents import PRIVACY_HTML, decision_pdf
from wooarchive.archive.fetch import fetch
from wooarchive.archive.store import Archive
from wooarchive.cli import cli


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def exported(archive: Archive, site, tmp_path: Path) -> tuple[Path, dict]:
    site.body("/privacy", PRIVACY_HTML.encode(), "text/html; charset=utf-8", gzipped=True)
    site.redirect("/oud", "/besluit.pdf")
    site.body("/besluit.pdf", decision_pdf(), "application/pdf")
    privacy = fetch(
        archive, site.url("/privacy"), municipality_code="GM0400", kind="privacy_statement"
    ).final
    fetch(archive, site.url("/oud"), municipality_code="GM1963", kind="woo_decision")
    assert woo("keys", "init").exit_code == 0
    out = tmp_path / "export.wacz"
    result = woo("export", "wacz", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "2 documents, 2 captures, signed" in result.output
    return out, {"privacy": privacy.sha256, "url": site.url("/privacy")}


def test_webrecorders_validator_accepts_the_export(exported) -> None:
    path, _ = exported
    wacz = str(Path(sys.executable).with_name("wacz"))
    result = subprocess.run([wacz, "validate", "-f", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation succeeded" in result.stdout


def test_a_page_replays_from_the_export_byte_for_byte(exported) -> None:
    path, facts = exported
    with zipfile.ZipFile(path) as zf:
        assert zf.getinfo("archive/woo-archive-export.warc.gz").compress_type == zipfile.ZIP_STORED
        warc = zf.read("archive/woo-archive-export.warc.gz")
        index = zf.read("indexes/index.cdx.gz")
    assert index  # the CDXJ replay tools look pages up in
    for record in ArchiveIterator(io.BytesIO(warc), check_digests=True):
        if (
            record.rec_type == "response"
            and record.rec_headers.get_header("WARC-Target-URI") == facts["url"]
        ):
            body = (
                record.content_stream().read()
            )  # gzip transfer encoding undone, as a replayer does
            assert hashlib.sha256(body).hexdigest() == facts["privacy"]
            assert record.digest_checker.passed is not False
            break
    else:
        pytest.fail("the privacy statement is not in the exported WARC")


def test_verify_says_what_holds_in_one_line_per_check(exported) -> None:
    path, _ = exported
    result = woo("export", "verify", str(path))
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[-1].startswith("ok   signature: valid ECDSA signature")
    assert "ok   archive/woo-archive-export.warc.gz: hash matches" in lines


def test_one_flipped_byte_inside_the_zip_fails_and_is_named(exported, tmp_path: Path) -> None:
    path, _ = exported
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("archive/woo-archive-export.warc.gz")
        start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(path.read_bytes())
    data[start + info.compress_size // 2] ^= 0xFF
    tampered = tmp_path / "tampered.wacz"
    tampered.write_bytes(bytes(data))
    result = woo("export", "verify", str(tampered))
    assert result.exit_code == 1
    assert "FAIL archive/woo-archive-export.warc.gz" in result.output
    assert (
        result.output.strip().splitlines()[-1]
        == f"Error: {tampered}: archive/woo-archive-export.warc.gz failed"
    )


def test_a_changed_digest_breaks_the_signature(exported, tmp_path: Path) -> None:
    path, _ = exported
    forged = tmp_path / "forged.wacz"
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(forged, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "datapackage-digest.json":
                data = data.replace(b'"hash": "sha256:', b'"hash": "sha256:0', 1)
            zout.writestr(item, data, compress_type=item.compress_type)
    result = woo("export", "verify", str(forged))
    assert result.exit_code == 1 and "FAIL signature" in result.output


def test_an_export_of_nothing_is_refused_and_writes_nothing(
    archive: Archive, tmp_path: Path
) -> None:
    woo("keys", "init")
    out = tmp_path / "leeg.wacz"
    result = woo("export", "wacz", "-m", "GM0363", "-o", str(out))
    assert result.exit_code == 1
    assert "nothing to export: no archived web capture matches the selection" in result.output
    assert not out.exists()


def test_a_key_others_can_read_is_refused(archive: Archive, site, tmp_path: Path) -> None:
    site.body("/p", b"<title>P</title>", "text/html")
    fetch(archive, site.url("/p"))
    woo("keys", "init")
    key = archive.settings.keys_dir / "signing-key.pem"
    os.chmod(key, 0o644)
    result = woo("export", "wacz", "-o", str(tmp_path / "x.wacz"))
    assert (
        result.exit_code == 1
        and f"{key}: readable by others (mode 644); run chmod 600 {key}" in result.output
    )
    assert not (tmp_path / "x.wacz").exists()


def test_a_wrong_passphrase_is_named(archive: Archive, site, tmp_path: Path, monkeypatch) -> None:
    site.body("/p", b"<title>P</title>", "text/html")
    fetch(archive, site.url("/p"))
    monkeypatch.setenv("WOO_KEY_PASSPHRASE", "juist")
    woo("keys", "init")
    monkeypatch.setenv("WOO_KEY_PASSPHRASE", "fout")
    result = woo("export", "wacz", "-o", str(tmp_path / "x.wacz"))
    assert result.exit_code == 1 and "wrong passphrase" in result.output


def test_an_existing_key_is_not_overwritten(archive: Archive) -> None:
    assert woo("keys", "init").exit_code == 0
    again = woo("keys", "init")
    assert again.exit_code == 1 and "a key exists already (--force replaces it)" in again.output


def test_the_signer_is_named_by_one_fingerprint_and_another_signer_fails_with_key(
    exported, tmp_path: Path
) -> None:
    import subprocess

    path, _ = exported
    shown = woo("keys", "show")
    assert shown.exit_code == 0, shown.output
    fingerprint = shown.output.split("fingerprint ", 1)[1].split()[0]
    # the same digits openssl and sha256sum give for the public key (VERIFY.txt's step 3)
    pem = tmp_path / "public.pem"
    from wooarchive.archive import keys
    from wooarchive.config import settings

    pem.write_bytes(keys.public_key_pem(keys.load_key(keys.key_path(settings()))))
    openssl = subprocess.run(
        f"openssl pkey -pubin -in {pem} -outform DER | sha256sum",
        shell=True,
        capture_output=True,
        text=True,
        check=True,
    )
    assert openssl.stdout.split()[0] == fingerprint
    plain = woo("export", "verify", str(path))
    assert f"ok   signer: key {fingerprint} (pass --key FINGERPRINT to require it)" in plain.output
    assert woo("export", "verify", str(path), "--key", fingerprint).exit_code == 0
    other = woo("export", "verify", str(path), "--key", "0" * 64)
    assert other.exit_code == 1
    assert f"FAIL signer: key {fingerprint}, not the expected {'0' * 64}" in other.output
