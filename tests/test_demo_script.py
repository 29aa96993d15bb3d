"""`make demo` before its long run: it stops at once when its port is taken, and it never
empties a directory it did not make (a real archive named by WOO_DATA)."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _demo(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "demo.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_a_taken_port_stops_the_demo_before_it_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = _demo("--data", str(tmp_path / "demo"), "--port", port)
    assert result.returncode != 0
    assert f"cannot serve on 127.0.0.1:{port}" in result.stderr and "PORT=" in result.stderr
    assert not (tmp_path / "demo").exists()  # nothing done


def test_a_directory_the_demo_did_not_make_is_not_emptied(tmp_path: Path) -> None:
    archive = tmp_path / "archief"
    archive.mkdir()
    (archive / "archive.db").write_text("the user's own archive")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    result = _demo("--data", str(archive), "--port", port)
    assert result.returncode != 0
    assert f"{archive} holds files the demo did not make; not emptied" in result.stderr
    assert (archive / "archive.db").read_text() == "the user's own archive"
