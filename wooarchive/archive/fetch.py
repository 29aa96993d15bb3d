"""Fetch a URL with httpx and archive it exactly as a crawl fetch is archived.

Redirects are followed by hand so that every hop is its own capture (a redirect is evidence of
where a municipality moved a document). The raw payload goes to the WARC; the decoded bytes
(gzip or deflate undone) are the original in the blob store.
"""

from __future__ import annotations

import socket
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import httpx

from wooarchive.archive import netguard
from wooarchive.archive.blobs import CHUNK
from wooarchive.archive.encoding import (
    ACCEPT_ENCODING,
    BoundedDecoder,
    DecodedTooLarge,
    UnsupportedEncoding,
)
from wooarchive.archive.store import Archive, ArchiveError, Exchange, Recorded, now

DEFAULT_MAX_SIZE = 256 << 20
DEFAULT_TIMEOUT = 30.0  # per network operation
MAX_SECONDS = 300.0  # per response, whole (headers and body): a server that drips is cut off
MAX_REDIRECTS = 10
MAX_RESPONSE_HEADERS = 200  # a server sending thousands of headers is hostile (crawl too)


class FetchError(ArchiveError):
    """The fetch did not end in a document; the message names the URL and why."""


@dataclass
class Fetched:
    """All captures one fetch made (redirect hops first) and the final one."""

    captures: list[Recorded] = field(default_factory=list)

    @property
    def final(self) -> Recorded:
        return self.captures[-1]


class _Deadline:
    """The whole of one response, headers included, within ``seconds``. httpx's timeouts are per
    read: a server that sends a byte a second never trips them, and would hold `woo archive add`
    for as long as it likes. The connection's socket is taken as it is made (httpcore's trace)
    and shut down when the time is up, which ends any read waiting on it."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def trace(self, event: str, info: dict) -> None:
        if event == "connection.connect_tcp.complete":
            sock = info["return_value"].get_extra_info("socket")
            if sock is not None:
                self._sockets.append(sock)

    def _expire(self) -> None:
        self.expired = True
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()


def _read_response(
    response: httpx.Response, workdir: Path, max_size: int, deadline: float
) -> tuple[Path, int, Path]:
    """Stream the payload to disk: raw (for the WARC) and decoded (for the blob)."""
    if len(response.headers.raw) > MAX_RESPONSE_HEADERS:
        raise FetchError(
            f"{response.url}: too many response headers "
            f"({len(response.headers.raw)}, more than {MAX_RESPONSE_HEADERS})"
        )
    raw_path, body_path = workdir / "raw", workdir / "body"
    try:
        decoder = BoundedDecoder(response.headers.get("content-encoding"), max_size)
    except UnsupportedEncoding as exc:
        raise FetchError(f"{response.url}: {exc}") from exc
    raw_size = 0
    with open(raw_path, "wb") as raw, open(body_path, "wb") as body:
        try:
            for chunk in response.iter_raw(CHUNK):
                raw_size += len(chunk)
                if raw_size > max_size:
                    raise FetchError(f"{response.url}: larger than the limit of {max_size} bytes")
                if time.monotonic() > deadline:
                    raise FetchError(
                        f"{response.url}: still sending after {MAX_SECONDS:g} s; cut off"
                    )
                raw.write(chunk)
                body.write(decoder.feed(chunk))
            body.write(decoder.flush())
        except zlib.error as exc:
            raise FetchError(f"{response.url}: corrupt compressed body ({exc})") from exc
        except DecodedTooLarge as exc:
            raise FetchError(f"{response.url}: {exc}") from exc
    return raw_path, raw_size, body_path


def _server_ip(response: httpx.Response) -> str | None:
    """The address the response came from, asked before the body is read: a server that
    closes the connection after the body (HTTP/1.0, Connection: close) leaves no socket to ask."""
    stream = response.extensions.get("network_stream")
    try:
        addr = stream.get_extra_info("server_addr") if stream is not None else None
    except OSError:
        return None
    return addr[0] if addr else None


def _exchange(
    requested: str, chain: list[str], response: httpx.Response, started, raw, size, ip
) -> Exchange:
    request = response.request
    target = request.url.raw_path.decode("ascii")
    return Exchange(
        requested_url=requested,
        url=str(response.url),
        redirect_chain=list(chain),
        fetched_at=started,
        request_line=f"{request.method} {target} {response.http_version}",
        request_headers=[
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
        ],
        http_version=response.http_version,
        status=response.status_code,
        reason=response.reason_phrase,
        response_headers=[
            (k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
        ],
        raw_body=raw,
        raw_size=size,
        ip_address=ip,
    )


def fetch(
    archive: Archive,
    url: str,
    *,
    municipality_code: str | None = None,
    kind: str | None = None,
    title: str | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    timeout: float = DEFAULT_TIMEOUT,
    client: httpx.Client | None = None,
) -> Fetched:
    """Fetch ``url`` and archive every response on the way (redirects, errors included).

    Raises FetchError after archiving when the outcome is not a document (an HTTP error, a
    redirect loop); a fetch that got no response at all is recorded in ``fetch_errors``.
    """
    try:
        netguard.check_scheme(url)  # checked again for every redirect, with the address
    except netguard.Forbidden as exc:
        raise FetchError(str(exc)) from exc
    allowed = netguard.allowed_for(url)  # the host the user typed, even an intranet one
    own_client = client is None
    # a connection per response, so that each response's deadline has its socket to end
    client = client or httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        limits=httpx.Limits(max_keepalive_connections=0),
    )
    headers = {
        "User-Agent": archive.user_agent,
        "Accept-Encoding": ACCEPT_ENCODING,
        "Accept": "*/*",
    }
    fetched = Fetched()
    chain: list[str] = []
    current = url
    try:
        while True:
            started = now()
            with tempfile.TemporaryDirectory(prefix="woo-fetch-") as tmp:
                deadline = _Deadline(MAX_SECONDS)
                try:
                    netguard.check_url(current, allowed)
                    with (
                        deadline,
                        client.stream(
                            "GET", current, headers=headers, extensions={"trace": deadline.trace}
                        ) as response,
                    ):
                        # through a proxy, the proxy answers: its address is not the server's
                        ip = None if netguard.proxy_for(current) else _server_ip(response)
                        netguard.check_peer(current, ip, allowed)
                        ends = time.monotonic() + MAX_SECONDS
                        raw, size, body = _read_response(response, Path(tmp), max_size, ends)
                        exchange = _exchange(url, chain, response, started, raw, size, ip)
                except httpx.HTTPError as exc:
                    if deadline.expired:
                        reason = f"still sending after {MAX_SECONDS:g} s; cut off"
                        archive.record_fetch_error(current, reason, municipality_code)
                        raise FetchError(f"{current}: {reason}") from exc
                    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                    archive.record_fetch_error(current, reason, municipality_code)
                    raise FetchError(f"{current}: no response ({reason})") from exc
                except netguard.Forbidden as exc:
                    archive.record_fetch_error(current, str(exc), municipality_code)
                    raise FetchError(str(exc)) from exc
                except FetchError as exc:
                    archive.record_fetch_error(current, str(exc), municipality_code)
                    raise
                recorded = archive.record_exchange(
                    exchange, body, municipality_code=municipality_code, kind=kind, title=title
                )
            fetched.captures.append(recorded)
            status = exchange.status
            location = exchange.header("location")
            if 300 <= status < 400 and location:
                chain.append(current)
                nxt = urljoin(current, location)
                if nxt in chain:
                    raise FetchError(f"{url}: redirect loop at {nxt}")
                if len(chain) > MAX_REDIRECTS:
                    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")
                current = nxt
                continue
            if status >= 400:
                raise FetchError(
                    f"{current}: HTTP {status} {exchange.reason} (archived as evidence)"
                )
            return fetched
    finally:
        if own_client:
            client.close()
