"""Servers the tests start on 127.0.0.1, with bounded waits."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def woo_serve(data: Path, *extra: str) -> Iterator[str]:
    """`woo serve` on a free port for ``data``; yields its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "WOO_DATA": str(data), "WOO_BASE_URL": base}
    woo = str(Path(sys.executable).with_name("woo"))
    proc = subprocess.Popen(
        [woo, "serve", "--port", str(port), *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(150):
            try:
                httpx.get(base + "/-/versions.json", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    raise RuntimeError(proc.stderr.read().decode()) from None
                time.sleep(0.1)
        else:
            raise RuntimeError("woo serve did not answer within 15 s")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
