"""RFC 3161 timestamps from a real timestamp authority on 127.0.0.1 (openssl ts -reply with a
CA made in the test), checked with openssl ts -verify."""

from __future__ import annotations

import json
import subprocess
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.fixtures.documents import PRIVACY_HTML
from tests.servers import free_port
from wooarchive.archive.fetch import fetch
from wooarchive.archive.store import Archive
from wooarchive.cli import cli

TS_CONFIG = """
[ tsa ]
default_tsa = tsa_config
[ tsa_config ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    """A timestamp authority: URL and the CA certificate to check its tokens against."""
    d = tmp_path_factory.mktemp("tsa")
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-subj",
        "/CN=woo-archive test CA",
        "-days",
        "2",
        cwd=d,
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "tsa.key",
        "-out",
        "tsa.csr",
        "-subj",
        "/CN=woo-archive test TSA",
        cwd=d,
    )
    (d / "ext.cnf").write_text("extendedKeyUsage = critical,timeStamping\n")
    openssl(
        "x509",
        "-req",
        "-in",
        "tsa.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "tsa.crt",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        cwd=d,
    )
    (d / "serial").write_text("01\n")
    (d / "ts.cnf").write_text(TS_CONFIG.format(dir=d))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            query = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                (d / "request.tsq").write_bytes(query)
                openssl(
                    "ts",
                    "-reply",
                    "-config",
                    "ts.cnf",
                    "-queryfile",
                    "request.tsq",
                    "-out",
                    "response.tsr",
                    cwd=d,
                )
                answer = (d / "response.tsr").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/tsa", d / "ca.crt"
    server.shutdown()


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_an_export_carries_a_timestamp_that_openssl_verifies(
    archive: Archive, site, tsa, tmp_path: Path, monkeypatch
) -> None:
    url, ca = tsa
    site.body("/privacy", PRIVACY_HTML.encode(), "text/html")
    fetch(archive, site.url("/privacy"), municipality_code="GM0400")
    woo("keys", "init")
    monkeypatch.setenv("WOO_TSA_URL", url)
    out = tmp_path / "stamped.wacz"
    assert woo("export", "wacz", "-o", str(out)).exit_code == 0
    with zipfile.ZipFile(out) as zf:
        digest = json.loads(zf.read("datapackage-digest.json"))
    stamp = digest["woo:timestamp"]
    token = tmp_path / "token.tsr"
    import base64

    token.write_bytes(base64.b64decode(stamp["token"]))
    verified = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-digest",
            digest["hash"].removeprefix("sha256:"),
            "-in",
            str(token),
            "-CAfile",
            str(ca),
        ],
        capture_output=True,
        text=True,
    )
    assert "Verification: OK" in verified.stdout, verified.stderr

    unchecked = woo("export", "verify", str(out))
    assert unchecked.exit_code == 0 and "not checked: set WOO_TSA_CA_FILE" in unchecked.output
    monkeypatch.setenv("WOO_TSA_CA_FILE", str(ca))
    checked = woo("export", "verify", str(out))
    assert checked.exit_code == 0
    assert "ok   timestamp: RFC 3161 timestamp of" in checked.output


def test_a_timestamp_from_another_authority_fails(
    archive: Archive, site, tsa, tmp_path: Path, monkeypatch
) -> None:
    url, _ = tsa
    site.body("/p", b"<title>P</title>", "text/html")
    fetch(archive, site.url("/p"))
    woo("keys", "init")
    monkeypatch.setenv("WOO_TSA_URL", url)
    out = tmp_path / "stamped.wacz"
    woo("export", "wacz", "-o", str(out))
    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "other.key",
        "-out",
        "other.crt",
        "-subj",
        "/CN=another CA",
        "-days",
        "1",
        cwd=tmp_path,
    )
    monkeypatch.setenv("WOO_TSA_CA_FILE", str(tmp_path / "other.crt"))
    result = woo("export", "verify", str(out))
    assert result.exit_code == 1 and "FAIL timestamp: does not verify" in result.output


def test_an_unreachable_timestamp_authority_is_named_and_nothing_is_written(
    archive: Archive, site, tmp_path: Path, monkeypatch
) -> None:
    site.body("/p", b"<title>P</title>", "text/html")
    fetch(archive, site.url("/p"))
    woo("keys", "init")
    dead = f"http://127.0.0.1:{free_port()}/tsa"
    monkeypatch.setenv("WOO_TSA_URL", dead)
    out = tmp_path / "x.wacz"
    result = woo("export", "wacz", "-o", str(out))
    assert result.exit_code == 1
    assert f"{dead}: timestamp authority unreachable" in result.output
    assert not out.exists()
