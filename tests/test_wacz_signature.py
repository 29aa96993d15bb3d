"""The export's signature is checked by the tool that checks anonymous WACZ signatures in the
browser: wabac.js (inside ReplayWeb.page), its own code, run in node. And `woo export verify`
accepts a valid signature in either encoding, never calling it changed."""

from __future__ import annotations

import base64
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from tests.fixtures.documents import PRIVACY_HTML
from wooarchive.archive.fetch import fetch
from wooarchive.archive.keys import SigningKeyError, load_key
from wooarchive.archive.store import Archive
from wooarchive.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BUNDLE = ROOT / ".make" / "wabac" / "certutils.mjs"


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def export(archive: Archive, site, tmp_path: Path) -> Path:
    site.body("/privacy", PRIVACY_HTML.encode(), "text/html; charset=utf-8")
    fetch(archive, site.url("/privacy"), municipality_code="GM0400", kind="privacy_statement")
    assert woo("keys", "init").exit_code == 0
    out = tmp_path / "export.wacz"
    assert woo("export", "wacz", "-o", str(out)).exit_code == 0
    return out


def wabac(digest: dict, tmp_path: Path) -> dict[str, object]:
    assert BUNDLE.exists(), f"{BUNDLE} is missing: `make install` bundles wabac.js"
    path = tmp_path / "digest.json"
    path.write_text(json.dumps(digest))
    result = subprocess.run(
        ["node", str(ROOT / "tests" / "js" / "verify-wacz-signature.mjs"), str(BUNDLE), str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return {item["id"]: item for item in json.loads(result.stdout)}


def digest_of(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("datapackage-digest.json"))


def rewrite_digest(path: Path, digest: dict, target: Path) -> Path:
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = (
                json.dumps(digest).encode()
                if item.filename == "datapackage-digest.json"
                else zin.read(item)
            )
            zout.writestr(item, data, compress_type=item.compress_type)
    return target


def test_wabac_js_reports_the_signature_valid(export: Path, tmp_path: Path) -> None:
    digest = digest_of(export)
    results = wabac(digest, tmp_path)
    assert results["signature"]["matched"] is True
    assert results["publicKey"]["expected"] == digest["signedData"]["publicKey"]


def test_wabac_js_rejects_a_changed_hash(export: Path, tmp_path: Path) -> None:
    digest = digest_of(export)
    digest["signedData"]["hash"] = "sha256:" + "0" * 64
    assert wabac(digest, tmp_path)["signature"]["matched"] is False


def test_an_archiveweb_page_style_and_a_der_signature_both_verify(
    export: Path, tmp_path: Path
) -> None:
    """ArchiveWeb.page signs with WebCrypto (raw r||s); older exports carry DER. Both valid."""
    digest = digest_of(export)
    key = ec.generate_private_key(ec.SECP384R1())
    der = key.sign(digest["hash"].encode(), ec.ECDSA(hashes.SHA256()))
    r, s = decode_dss_signature(der)
    public = base64.b64encode(
        key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).decode()
    for n, signature in enumerate((r.to_bytes(48, "big") + s.to_bytes(48, "big"), der)):
        digest["signedData"].update(
            publicKey=public, signature=base64.b64encode(signature).decode()
        )
        other = rewrite_digest(export, digest, tmp_path / f"other-{n}.wacz")
        result = woo("export", "verify", str(other))
        assert result.exit_code == 0, result.output
        assert "changed" not in result.output
    assert wabac(digest_of(tmp_path / "other-0.wacz"), tmp_path)["signature"]["matched"] is True


def test_a_wrong_key_is_named_and_exits_1(export: Path, tmp_path: Path) -> None:
    digest = digest_of(export)
    other = ec.generate_private_key(ec.SECP384R1()).public_key()
    digest["signedData"]["publicKey"] = base64.b64encode(
        other.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).decode()
    result = woo("export", "verify", str(rewrite_digest(export, digest, tmp_path / "x.wacz")))
    assert (
        result.exit_code == 1 and "signature" in result.output and "Traceback" not in result.output
    )


def test_an_old_p256_key_is_refused_with_a_one_line_explanation(data_dir: Path) -> None:
    path = data_dir / "keys" / "signing-key.pem"
    path.parent.mkdir(parents=True)
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    path.chmod(0o600)
    with pytest.raises(SigningKeyError, match="P-256 key from an older woo-archive.*P-384"):
        load_key(path)
