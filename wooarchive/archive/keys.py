"""The user's signing key: ECDSA P-384, for anonymous signatures on exports and dossiers.

Kept in WOO_SIGNING_KEY (default PRIVATE/keys/signing-key.pem, in the private directory), readable by its owner only, and
encrypted with WOO_KEY_PASSPHRASE when that is set. A WACZ signature is made exactly as
ArchiveWeb.page makes an anonymous one, because wabac.js (inside ReplayWeb.page) is the tool that
checks it: ECDSA P-384 with SHA-256 over the hash string ("sha256:HEX"), the signature as base64
of raw r||s (IEEE P1363, what WebCrypto produces and expects), the public key as base64 DER
SubjectPublicKeyInfo. Verification accepts raw and DER signatures, P-384 and (older exports)
P-256 keys, so a valid signature is never called changed.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from wooarchive.config import Settings


class SigningKeyError(Exception):
    """A problem with the key file; the message names it."""


def key_path(config: Settings) -> Path:
    return Path(os.environ.get("WOO_SIGNING_KEY") or config.keys_dir / "signing-key.pem")


def _passphrase() -> bytes | None:
    value = os.environ.get("WOO_KEY_PASSPHRASE")
    return value.encode() if value else None


def init_key(path: Path, force: bool = False) -> str:
    """Make a new key (mode 0600); returns the public key, base64. Never overwrites a key
    unless asked: signatures made with it could no longer be tied to you."""
    if path.exists() and not force:
        raise SigningKeyError(f"{path}: a key exists already (--force replaces it)")
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP384R1())
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
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
        raise SigningKeyError(
            f"{path}: an ECDSA P-256 key from an older woo-archive, which ReplayWeb.page cannot "
            "check (it needs P-384): move it aside (earlier exports still verify with the key "
            "they carry) and run `woo keys init`"
        )
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp384r1":
        raise SigningKeyError(f"{path}: not an ECDSA P-384 key")
    return key


def public_key_b64(key: ec.EllipticCurvePrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return base64.b64encode(der).decode("ascii")


def fingerprint(public_key: str) -> str:
    """The key's fingerprint, one format everywhere (woo keys init and show, export verify,
    VERIFY.txt): the SHA-256 of its DER SubjectPublicKeyInfo, 64 hex digits, which is what
    `openssl pkey -pubin -in public-key.pem -outform DER | sha256sum` prints."""
    try:
        der = base64.b64decode(public_key, validate=True)
    except ValueError:
        return "(geen geldige sleutel / not a valid key)"
    return hashlib.sha256(der).hexdigest()


def _size(curve: ec.EllipticCurve) -> int:
    return (curve.key_size + 7) // 8


def sign_der(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    """A DER ECDSA-SHA256 signature: what `openssl dgst -verify` reads."""
    return key.sign(data, ec.ECDSA(hashes.SHA256()))


def sign(key: ec.EllipticCurvePrivateKey, text: str) -> str:
    """Base64 of the raw r||s signature of ``text``, as WebCrypto (and so wabac.js) has it."""
    r, s = decode_dss_signature(sign_der(key, text.encode("ascii")))
    size = _size(key.curve)
    return base64.b64encode(r.to_bytes(size, "big") + s.to_bytes(size, "big")).decode("ascii")


def public_key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    """The public key as PEM, for `openssl dgst -verify`."""
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def verify(public_key: str, signature: str, text: str | bytes) -> bool:
    """Whether ``signature`` (base64, raw r||s or DER) signs ``text`` under ``public_key``
    (base64 DER SubjectPublicKeyInfo, P-384 or P-256)."""
    try:
        key = serialization.load_der_public_key(base64.b64decode(public_key))
        if not isinstance(key, ec.EllipticCurvePublicKey):
            return False
        raw = base64.b64decode(signature)
        size = _size(key.curve)
        # raw r||s is exactly twice the coordinate size; DER is longer (but for odds of 2^-48)
        if len(raw) == 2 * size:
            raw = encode_dss_signature(
                int.from_bytes(raw[:size], "big"), int.from_bytes(raw[size:], "big")
            )
        data = text.encode("ascii") if isinstance(text, str) else text
        key.verify(raw, data, ec.ECDSA(hashes.SHA256()))
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
