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
def woo_serve(data: Path, *extra: str, base_url: str | None = "own", log: bool = False) -> Iterator:
    """`woo serve` on a free port for ``data``; yields its base URL (with ``log``: the URL and
    a function giving what the server wrote to its output so far, after it stopped). The site
    is told its address with --base-url (``own``: its own), or not at all (None: it must work
    it out)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "WOO_BASE_URL"}
    env["WOO_DATA"] = str(data)
    woo = str(Path(sys.executable).with_name("woo"))
    told = [] if base_url is None else ["--base-url", base if base_url == "own" else base_url]
    output = data.parent / f"serve-{port}.log"
    with open(output, "wb") as sink:
        proc = subprocess.Popen(
            [woo, "serve", "--port", str(port), *told, *extra],
            env=env,
            stdout=sink if log else subprocess.DEVNULL,
            stderr=sink if log else subprocess.PIPE,
        )
    try:
        for _ in range(150):
            try:
                httpx.get(base + "/-/versions.json", timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None:
                    died = output.read_text() if log else proc.stderr.read().decode()
                    raise RuntimeError(died) from None
                time.sleep(0.1)
        else:
            raise RuntimeError("woo serve did not answer within 15 s")
        yield (base, lambda: output.read_text("utf-8", "replace")) if log else base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def start_redis(directory: Path) -> tuple[subprocess.Popen, str]:
    """Debian's redis-server on a free port of 127.0.0.1, keeping nothing on disk; returns the
    process and its URL once it answers (bounded wait)."""
    port = free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(directory),
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return server, f"redis://127.0.0.1:{port}/0"
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("redis-server did not answer within 10 s")
