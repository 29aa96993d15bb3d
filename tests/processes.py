"""Running `woo` as a user does (a separate process) and finding what it left running.

Every process a test starts gets a marker in its environment; Tesseract, Ghostscript and the
reader processes inherit it, so after a kill the test can name every survivor, whatever its
process group."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

WOO = str(Path(sys.executable).with_name("woo"))


def marked_env(data_dir: Path, **extra: str) -> tuple[dict[str, str], str]:
    marker = uuid.uuid4().hex
    env = {**os.environ, "WOO_DATA": str(data_dir), "WOO_TEST_MARKER": marker, **extra}
    return env, marker


def survivors(marker: str) -> list[str]:
    """Command lines of live processes whose environment carries ``marker``."""
    found = []
    needle = f"WOO_TEST_MARKER={marker}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle in (entry / "environ").read_bytes():
                status = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if status != "Z":
                    found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return found


def wait_for_no_survivors(marker: str, seconds: float = 10.0) -> list[str]:
    """Survivors after waiting up to ``seconds`` for them to die (bounded)."""
    deadline = time.monotonic() + seconds
    while (left := survivors(marker)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


MEASURE = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def run_woo(*args: str, env: dict[str, str], timeout: float = 600) -> tuple[int, str, int]:
    """Run `woo ARGS`; returns (exit code, output, peak memory in bytes: the largest resident
    set of the command or of any process it started, Tesseract included)."""
    peak_file = Path(env["WOO_DATA"]).parent / f"peak-{uuid.uuid4().hex}"
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(peak_file), WOO, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=timeout,
    )
    peak = int(peak_file.read_text()) * 1024 if peak_file.exists() else 0
    return result.returncode, result.stdout.decode("utf-8", "replace"), peak
