"""A request dossier anyone can check with openssl and sha256sum alone, as its VERIFY.txt says."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from click.testing import CliRunner

from wooarchive.cli import cli


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_the_commands_in_verify_txt_check_a_dossier_and_catch_a_change(
    monkeypatch, data_dir: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("WOO_REQUESTER_NAME", "Fenna de Vries")
    monkeypatch.setenv("WOO_REQUESTER_EMAIL", "fenna@onderzoek.example")
    assert woo("keys", "init").exit_code == 0
    woo("request", "new", "-t", "woo_dpia", "-m", "GM0363")
    folder = tmp_path / "dossier"
    assert woo("request", "dossier", "1", "-o", str(folder)).exit_code == 0
    commands = re.findall(
        r"^   ((?:openssl|sha256sum) .+)$", (folder / "VERIFY.txt").read_text(), re.M
    )
    assert len(commands) == 3
    for command in commands:
        run = subprocess.run(command, shell=True, cwd=folder, capture_output=True, text=True)
        assert run.returncode == 0, (command, run.stdout, run.stderr)
    assert (
        "Verified OK"
        in subprocess.run(
            commands[0], shell=True, cwd=folder, capture_output=True, text=True
        ).stdout
    )
    letter = folder / "verzoek.txt"
    letter.write_text(letter.read_text() + "\nachteraf toegevoegd\n")
    changed = subprocess.run(commands[1], shell=True, cwd=folder, capture_output=True, text=True)
    assert changed.returncode != 0 and "verzoek.txt: FAILED" in changed.stdout


def _verify(target: Path, data: Path, *extra: str) -> subprocess.CompletedProcess:
    import os
    import sys

    woo_bin = str(Path(sys.executable).with_name("woo"))
    return subprocess.run(
        [woo_bin, "export", "verify", str(target), *extra],
        env={**os.environ, "WOO_DATA": str(data)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_member_that_inflates_to_hundreds_of_megabytes_is_hashed_in_bounded_memory(
    data_dir: Path, tmp_path: Path
) -> None:
    import hashlib
    import json
    import resource
    import zipfile

    zeros, size = b"\0" * (1 << 20), 400
    digest = hashlib.sha256()
    bomb = tmp_path / "dossier.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        with zf.open("bijlagen/groot.pdf", "w", force_zip64=True) as member:
            for _ in range(size):
                member.write(zeros)
                digest.update(zeros)
        manifest = {"files": [{"path": "bijlagen/groot.pdf", "sha256": digest.hexdigest()}]}
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("manifest-signature.json", "{}")
    assert bomb.stat().st_size < 3_000_000
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = _verify(bomb, data_dir)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    assert "ok   bijlagen/groot.pdf: hash matches" in result.stdout, result.stdout + result.stderr
    assert "FAIL signature" in result.stdout and result.returncode == 1
    if peak > before:  # this verify is the largest child so far: its own peak
        assert peak < 250_000, f"{peak // 1024} MB for a {size} MB member"


def test_a_forged_or_broken_dossier_is_a_fail_line_never_a_traceback(
    monkeypatch, data_dir: Path, tmp_path: Path
) -> None:
    import zipfile

    monkeypatch.setenv("WOO_REQUESTER_NAME", "Fenna de Vries")
    monkeypatch.setenv("WOO_REQUESTER_EMAIL", "fenna@onderzoek.example")
    assert woo("keys", "init").exit_code == 0
    woo("request", "new", "-t", "woo_dpia", "-m", "GM0363")
    real = tmp_path / "echt.zip"
    assert woo("request", "dossier", "1", "-o", str(real)).exit_code == 0
    assert _verify(real, data_dir).returncode == 0
    # a second member of an existing name: an unzip shows one, the verifier might hash the other
    doubled = tmp_path / "dubbel.zip"
    with zipfile.ZipFile(real) as source, zipfile.ZipFile(doubled, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        with __import__("warnings").catch_warnings():
            __import__("warnings").simplefilter("ignore")
            target.writestr("verzoek.txt", b"een ander verzoek")
    result = _verify(doubled, data_dir)
    assert result.returncode == 1
    assert "FAIL verzoek.txt: more than one member of this name" in result.stdout
    for name, content in (("manifest.json", b"{niet json"), ("manifest.json", b"[1, 2]")):
        broken = tmp_path / "kapot.zip"
        with zipfile.ZipFile(broken, "w") as zf:
            zf.writestr(name, content)
            zf.writestr("manifest-signature.json", b"{}")
        result = _verify(broken, data_dir)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "FAIL manifest.json: cannot be read" in result.stdout, result.stdout
    wacz = tmp_path / "kapot.wacz"
    with zipfile.ZipFile(wacz, "w") as zf:
        zf.writestr("datapackage.json", b"{kapot")
        zf.writestr("datapackage-digest.json", b"{}")
    result = _verify(wacz, data_dir)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "FAIL datapackage.json: cannot be read" in result.stdout


def test_a_dossier_re_signed_with_another_key_names_that_signer_and_fails_with_key(
    monkeypatch, data_dir: Path, tmp_path: Path
) -> None:
    import hashlib
    import json

    from cryptography.hazmat.primitives.asymmetric import ec

    from wooarchive.archive import keys

    monkeypatch.setenv("WOO_REQUESTER_NAME", "Fenna de Vries")
    monkeypatch.setenv("WOO_REQUESTER_EMAIL", "fenna@onderzoek.example")
    assert woo("keys", "init").exit_code == 0
    mine = woo("keys", "show").output.split("fingerprint ", 1)[1].split()[0]
    woo("request", "new", "-t", "woo_dpia", "-m", "GM0363")
    folder = tmp_path / "dossier"
    assert woo("request", "dossier", "1", "-o", str(folder)).exit_code == 0
    # someone changes the letter and signs it all again with a key of their own
    (folder / "verzoek.txt").write_text("Een ander verzoek.", "utf-8")
    manifest = json.loads((folder / "manifest.json").read_text())
    for item in manifest["files"]:
        item["sha256"] = hashlib.sha256((folder / item["path"]).read_bytes()).hexdigest()
    (folder / "manifest.json").write_text(json.dumps(manifest))
    theirs = ec.generate_private_key(ec.SECP384R1())
    digest = "sha256:" + hashlib.sha256((folder / "manifest.json").read_bytes()).hexdigest()
    signature = {"path": "manifest.json", "hash": digest}
    signature["signedData"] = keys.signed_data(theirs, digest, "2026-12-03T00:00:00Z", "x")
    (folder / "manifest-signature.json").write_text(json.dumps(signature))
    (folder / "SHA256SUMS").unlink()
    their_print = keys.fingerprint(keys.public_key_b64(theirs))
    plain = _verify(folder, data_dir)
    assert f"ok   signer: key {their_print}" in plain.stdout  # named, for a reader to compare
    assert their_print != mine
    strict = _verify(folder, data_dir, "--key", mine)
    assert strict.returncode == 1
    assert f"FAIL signer: key {their_print}, not the expected {mine}" in strict.stdout
