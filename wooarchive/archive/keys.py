"""The user's signing key: ECDSA P-256, for anonymous signatures on exports and dossiers.

Kept in WOO_SIGNING_KEY (default DATA/keys/signing-key.pem), readable by its owner only, and
encrypted with WOO_KEY_PASSPHRASE when that is set. The signature covers the hash string of a
manifest (as the WACZ signing recommendation's anonymous signature does): base64 of the DER
ECDSA-SHA256 signature, with the public key as base64 DER SubjectPublicKeyInfo beside it, so
that anyone can check it without trusting us.
"""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from wooarchive.config import Settings


class SigningKeyError(Exception):
    """A problem with the key file; the message names it."""


def key_path(config: Settings) -> Path:
    return Path(os.environ.get("WOO_SIGNING_KEY") or config.data_dir / "keys" / "signing-key.pem")


def _passphrase() -> bytes | None:
    value = os.environ.get("WOO_KEY_PASSPHRASE")
    return value.encode() if value else None


def init_key(path: Path, force: bool = False) -> str:
    """Make a new key (mode 0600); returns the public key, base64. Never overwrites a key
    unless asked: signatures made with it could no longer be tied to you."""
    if path.exists() and not force:
        raise SigningKeyError(f"{path}: a key exists already (--force replaces it)")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    passphrase = _passphrase()
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.replace(tmp, path)
    return public_key_b64(key)


def load_key(path: Path) -> ec.EllipticCurvePrivateKey:
    if not path.exists():
        raise SigningKeyError(f"{path}: no signing key (run `woo keys init`)")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SigningKeyError(f"{path}: readable by others (mode {mode:o}); run chmod 600 {path}")
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=_passphrase())
    except (ValueError, TypeError) as exc:
        raise SigningKeyError(
            f"{path}: wrong passphrase (WOO_KEY_PASSPHRASE) or not a key"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise SigningKeyError(f"{path}: not an ECDSA P-256 key")
    return key


def public_key_b64(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


def sign(key: ec.EllipticCurvePrivateKey, text: str) -> str:
    return base64.b64encode(key.sign(text.encode("ascii"), ec.ECDSA(hashes.SHA256()))).decode(
        "ascii"
    )


def verify(public_key: str, signature: str, text: str) -> bool:
    try:
        key = serialization.load_der_public_key(base64.b64decode(public_key))
        key.verify(base64.b64decode(signature), text.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        return True
    except (InvalidSignature, ValueError, TypeError):
        return False


def signed_data(key: ec.EllipticCurvePrivateKey, digest: str, created: str, software: str) -> dict:
    """The `signedData` of a manifest digest ("sha256:HEX"), as the WACZ signing
    recommendation's anonymous signature has it; exports and dossiers share it."""
    return {
        "hash": digest,
        "created": created,
        "software": software,
        "signature": sign(key, digest),
        "publicKey": public_key_b64(key),
    }


def check_signed(container: dict, digest: str) -> bool:
    """Whether ``container`` (a datapackage digest or a manifest signature) is a valid signature
    of ``digest``, the hash recomputed from the signed file."""
    signed = container.get("signedData") or {}
    return digest == container.get("hash") == signed.get("hash") and verify(
        signed.get("publicKey", ""), signed.get("signature", ""), digest
    )
