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
