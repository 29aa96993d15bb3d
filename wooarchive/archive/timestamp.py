"""RFC 3161 timestamps from a timestamp authority (TSA): proof that a digest existed at a time,
from a party other than us. The one place that runs `openssl ts`.

WOO_TSA_URL names the TSA; WOO_TSA_CA_FILE the certificate(s) to check its tokens against.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx


class TimestampError(Exception):
    """The TSA could not be reached or gave no valid answer; the message names it."""


def _openssl(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    if shutil.which("openssl") is None:
        raise TimestampError("openssl is not installed")
    return subprocess.run(["openssl", *args], capture_output=True, timeout=timeout)


def tsa_url() -> str | None:
    return os.environ.get("WOO_TSA_URL") or None


def request_token(url: str, digest: str, timeout: float = 30) -> dict:
    """Ask the TSA to timestamp ``digest`` ("sha256:HEX"); returns what goes into a manifest."""
    hexdigest = digest.removeprefix("sha256:")
    with tempfile.TemporaryDirectory(prefix="woo-tsa-") as tmp:
        query = Path(tmp) / "request.tsq"
        made = _openssl(
            "ts", "-query", "-digest", hexdigest, "-sha256", "-cert", "-out", str(query)
        )
        if made.returncode:
            raise TimestampError(f"openssl ts -query failed: {made.stderr.decode().strip()}")
        try:
            response = httpx.post(
                url,
                content=query.read_bytes(),
                timeout=timeout,
                headers={"Content-Type": "application/timestamp-query"},
            )
        except httpx.HTTPError as exc:
            raise TimestampError(
                f"{url}: timestamp authority unreachable ({type(exc).__name__})"
            ) from exc
        if response.status_code != 200:
            raise TimestampError(f"{url}: timestamp authority answered HTTP {response.status_code}")
        token = Path(tmp) / "response.tsr"
        token.write_bytes(response.content)
        shown = _openssl("ts", "-reply", "-in", str(token), "-text")
        if shown.returncode or b"Status: Granted" not in shown.stdout:
            raise TimestampError(f"{url}: the timestamp authority did not grant a timestamp")
    time = next(
        (
            line.split(":", 1)[1].strip()
            for line in shown.stdout.decode().splitlines()
            if line.startswith("Time stamp:")
        ),
        None,
    )
    return {"tsa": url, "time": time, "token": base64.b64encode(response.content).decode("ascii")}


@dataclass
class TimestampCheck:
    ok: bool | None  # None: present, but not checked (no CA file)
    detail: str


def verify_token(stamp: dict, digest: str, ca_file: str | None = None) -> TimestampCheck:
    """Check a timestamp with `openssl ts -verify` against the TSA's CA certificate."""
    ca_file = ca_file or os.environ.get("WOO_TSA_CA_FILE")
    if not ca_file:
        return TimestampCheck(
            None,
            f"present ({stamp.get('time')}, {stamp.get('tsa')}), not checked: set WOO_TSA_CA_FILE",
        )
    with tempfile.TemporaryDirectory(prefix="woo-tsa-") as tmp:
        token = Path(tmp) / "response.tsr"
        token.write_bytes(base64.b64decode(stamp["token"]))
        result = _openssl(
            "ts",
            "-verify",
            "-digest",
            digest.removeprefix("sha256:"),
            "-in",
            str(token),
            "-CAfile",
            ca_file,
        )
    if result.returncode == 0 and b"Verification: OK" in result.stdout:
        return TimestampCheck(
            True, f"RFC 3161 timestamp of {stamp.get('time')} by {stamp.get('tsa')} verifies"
        )
    return TimestampCheck(False, "does not verify against " + ca_file)
