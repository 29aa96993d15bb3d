"""Shared fixtures: a fresh data directory per test, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import imaplib
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.servers import free_port
from wooarchive.archive.store import Archive
from wooarchive.config import settings

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture
def shared_corpus() -> Path:
    """The real documents in ../shared/corpus; tests using it skip where it is absent."""
    corpus = SHARED / "corpus"
    if not corpus.is_dir():
        pytest.skip("../shared/corpus is not present (only in the developers' checkout)")
    return corpus


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    monkeypatch.setenv("WOO_DATA", str(data))
    monkeypatch.setenv("WOO_BASE_URL", "http://archive.test")
    return data


@pytest.fixture
def archive(data_dir: Path) -> Archive:
    return Archive(settings())


Route = Callable[[BaseHTTPRequestHandler], None]


class Site:
    """A tiny web server whose routes tests declare; it logs every request path."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                site.log.append(self.path)
                route = site.routes.get(self.path)
                if route is None:
                    self.send_response(404, "Not Found")
                    body = b"<html><title>Niet gevonden</title>Pagina niet gevonden</html>"
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                route(self)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def url(self, path: str) -> str:
        return self.base + path

    def body(
        self,
        path: str,
        content: bytes,
        content_type: str,
        *,
        gzipped: bool = False,
        chunked: bool = False,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        def route(handler: BaseHTTPRequestHandler) -> None:
            payload = gzip.compress(content) if gzipped else content
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            for key, value in (headers or {}).items():
                handler.send_header(key, value)
            if gzipped:
                handler.send_header("Content-Encoding", "gzip")
            if chunked:
                handler.send_header("Transfer-Encoding", "chunked")
                handler.end_headers()
                half = len(payload) // 2
                for piece in (payload[:half], payload[half:]):
                    handler.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                handler.wfile.write(b"0\r\n\r\n")
            else:
                handler.send_header("Content-Length", str(len(payload)))
                handler.end_headers()
                handler.wfile.write(payload)

        self.routes[path] = route

    def redirect(self, path: str, to: str, status: int = 301) -> None:
        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(status)
            handler.send_header("Location", to)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        self.routes[path] = route


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture
def imap(monkeypatch):
    """A real IMAP server (pymap, in-memory backend) on 127.0.0.1."""
    port = free_port()
    pymap = str(Path(sys.executable).with_name("pymap"))
    proc = subprocess.Popen(
        [
            pymap,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-tls",
            "dict",
            "--demo-user",
            "onderzoek",
            "--demo-password",
            "geheim",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = None
    for _ in range(100):
        try:
            client = imaplib.IMAP4("127.0.0.1", port)
            break
        except OSError:
            time.sleep(0.1)
    assert client is not None, "pymap did not start"
    client.login("onderzoek", "geheim")
    for key, value in {
        "WOO_IMAP_HOST": "127.0.0.1",
        "WOO_IMAP_PORT": str(port),
        "WOO_IMAP_USER": "onderzoek",
        "WOO_IMAP_PASSWORD": "geheim",
        "WOO_IMAP_SECURITY": "none",
    }.items():
        monkeypatch.setenv(key, value)
    yield client
    client.logout()
    proc.terminate()
    proc.wait(timeout=10)
