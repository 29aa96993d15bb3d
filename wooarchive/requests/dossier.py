"""A request's dossier: everything about one request, for bezwaar or court.

The letters as sent and every reply as received (raw .eml, byte for byte), the attachments, the
timeline with each deadline and the article behind it (HTML and PDF), the letter text, and a
manifest with the SHA-256 of every file, signed with the user's key. The requester's own data
is in it: it is the requester's dossier, and it never goes to the public site.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import shutil
import tempfile
import zipfile
from datetime import date
from pathlib import Path

from wooarchive import __version__
from wooarchive.archive import keys, timestamp
from wooarchive.archive.bundle import Bundle, BundleError, Check, verify_with
from wooarchive.archive.export import signer_check, timestamp_checks
from wooarchive.archive.names import file_name
from wooarchive.archive.store import now, utc_iso
from wooarchive.requests.mail import private_blobs
from wooarchive.requests.store import RequestError, RequestStore

MANIFEST, SIGNATURE = "manifest.json", "manifest-signature.json"
# what a reader checks with openssl and sha256sum alone (see VERIFY.txt)
SUMS, SUMS_SIGNATURE, PUBLIC_KEY, VERIFY = (
    "SHA256SUMS",
    "SHA256SUMS.sig",
    "public-key.pem",
    "VERIFY.txt",
)

VERIFY_TEXT = """Dit dossier controleren / How to check this dossier
==================================================

Alles wat hier staat is ondertekend. Controleer het met OpenSSL en sha256sum (standaard op Linux
en macOS; op macOS: shasum -a 256 -c SHA256SUMS), in deze map (pak een .zip eerst uit):

1. De handtekening over de lijst met hashes:

   openssl dgst -sha256 -verify public-key.pem -signature SHA256SUMS.sig SHA256SUMS

   Verwacht: "Verified OK".

2. Elk bestand tegen die lijst:

   sha256sum -c SHA256SUMS

   Verwacht: "OK" achter elk bestand.

3. Wie heeft ondertekend? De vingerafdruk van de sleutel:

   openssl pkey -pubin -in public-key.pem -outform DER | sha256sum

   Vergelijk die met de vingerafdruk die de verzoeker u apart geeft (woo keys show noemt hem;
   woo export verify --key VINGERAFDRUK laat elke andere ondertekenaar afkeuren).

manifest.json en manifest-signature.json zeggen hetzelfde in het formaat van webarchieven
(WACZ); `woo export verify` controleert beide.

In English: step 1 checks the ECDSA signature over SHA256SUMS with the public key, step 2 every
file against SHA256SUMS, step 3 gives the key's fingerprint to compare with the one the
requester gives you separately (`woo keys show` prints it; `woo export verify --key FINGERPRINT`
fails any other signer).
"""


def _timeline_html(request: dict, events: list[dict], timeline) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(str(b.date))}</td><td>{html.escape(b.what)}</td><td>{html.escape(b.rule)}</td></tr>"
        for b in (timeline.basis if timeline else [])
    )
    happened = "".join(
        f"<li>{html.escape(e['on_date'])}: {html.escape(e['kind'])}{(' - ' + html.escape(e['note'])) if e['note'] else ''}</li>"
        for e in events
    )
    status = (
        f"{timeline.status}, termijn tot en met {timeline.due}" if timeline else "niet verzonden"
    )
    return f"""<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>Tijdlijn {html.escape(request["reference"])}</title></head><body>
<h1>Tijdlijn {html.escape(request["reference"])}</h1>
<p>{html.escape(request["subject"])} &middot; gemeente {html.escape(request["municipality_code"])} &middot; {html.escape(request["law"].upper())}</p>
<p>Stand: {html.escape(status)}</p>
<h2>Wat er gebeurde</h2><ul>{happened}</ul>
<h2>Termijnen en hun grondslag</h2>
<table border="1" cellpadding="4"><tr><th>Datum</th><th>Wat</th><th>Grondslag</th></tr>{rows}</table>
<p><small>Opgesteld door woo-archive {__version__} op {date.today().isoformat()}.</small></p>
</body></html>
"""


def _timeline_pdf(request: dict, events: list[dict], timeline, target: Path) -> None:
    from fpdf import FPDF

    def text(value: str) -> str:  # the PDF core fonts speak Latin-1
        return value.encode("latin-1", "replace").decode("latin-1")

    pdf = FPDF()
    pdf.set_creation_date(now())
    pdf.add_page()
    pdf.set_font("helvetica", "B", 14)
    pdf.multi_cell(0, 8, text(f"Tijdlijn {request['reference']}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=10)
    pdf.multi_cell(
        0,
        6,
        text(f"{request['subject']} - gemeente {request['municipality_code']}"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if timeline:
        pdf.multi_cell(
            0,
            6,
            text(f"Stand: {timeline.status}, termijn tot en met {timeline.due}"),
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(3)
    for event in events:
        pdf.multi_cell(
            0, 6, text(f"{event['on_date']}  {event['kind']}"), new_x="LMARGIN", new_y="NEXT"
        )
    pdf.ln(3)
    for basis in timeline.basis if timeline else []:
        pdf.multi_cell(
            0, 5, text(f"{basis.date}  {basis.what}: {basis.rule}"), new_x="LMARGIN", new_y="NEXT"
        )
    pdf.output(str(target))


def _manifest(root: Path, request: dict, attachments: list[dict]) -> bytes:
    files = []
    for path in sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.name not in (MANIFEST, SIGNATURE, SUMS, SUMS_SIGNATURE)
    ):
        data = path.read_bytes()
        files.append(
            {
                "path": path.relative_to(root).as_posix(),
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
        )
    return json.dumps(
        {
            "dossier": request["reference"],
            "created": utc_iso(now()),
            "software": f"woo-archive {__version__}",
            "files": files,
            "attachment_count": len(attachments),
            "attachments": attachments,
        },
        indent=2,
        ensure_ascii=False,
    ).encode()


def _sums(root: Path) -> bytes:
    """Every file's SHA-256 in `sha256sum` format, so `sha256sum -c` checks the dossier."""
    lines = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        name = path.relative_to(root).as_posix()
        lines.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}\n")
    return "".join(lines).encode()


def build(store: RequestStore, ref: int | str, output: Path) -> dict:
    """Write the dossier to ``output`` (a directory, or a .zip); never half-written under that
    name."""
    request = store.get(ref)
    key = keys.load_key(keys.key_path(store.settings))
    output = Path(output)
    if output.exists():
        raise RequestError(f"{output}: exists already")
    events = store.events(request["id"])
    timeline = store.timeline(request["id"])
    parent = output.parent if output.parent.exists() else None
    with tempfile.TemporaryDirectory(prefix="woo-dossier-", dir=parent) as tmp:
        root = Path(tmp) / "dossier"
        for sub in ("brieven", "antwoorden", "bijlagen"):
            (root / sub).mkdir(parents=True)
        (root / "verzoek.txt").write_text(request["body"], "utf-8")
        messages = list(
            store.db.query(
                "select * from messages where request_id = ? order by id", [request["id"]]
            )
        )
        blobs = private_blobs(store)
        listed = []
        for n, message in enumerate(messages, start=1):
            folder = "brieven" if message["direction"] == "out" else "antwoorden"
            eml = f"{folder}/{n:02d}-{file_name(message['subject'] or 'bericht')}.eml"
            (root / eml).write_bytes(message["raw"])
            for attachment in store.db.query(
                "select * from attachments where message_id = ? order by position, id",
                [message["id"]],
            ):
                # message number, then the attachment's own number: two files of one name
                # in one message both arrive
                name = attachment["stored_name"] or file_name(attachment["filename"] or "bijlage")
                path = f"bijlagen/{n:02d}-{name}"
                shutil.copyfile(blobs.path_for(attachment["sha256"]), root / path)
                os.chmod(root / path, 0o600)
                listed.append(
                    {
                        "message": eml,
                        "filename": attachment["filename"],
                        "path": path,
                        "sha256": attachment["sha256"],
                        "bytes": attachment["size"],
                    }
                )
        (root / "tijdlijn.html").write_text(_timeline_html(request, events, timeline), "utf-8")
        _timeline_pdf(request, events, timeline, root / "tijdlijn.pdf")
        (root / VERIFY).write_text(VERIFY_TEXT, "utf-8")
        (root / PUBLIC_KEY).write_bytes(keys.public_key_pem(key))
        manifest = _manifest(root, request, listed)
        (root / MANIFEST).write_bytes(manifest)
        digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
        signature = {
            "path": MANIFEST,
            "hash": digest,
            "signedData": keys.signed_data(
                key, digest, utc_iso(now()), f"woo-archive {__version__}"
            ),
        }
        if timestamp.tsa_url():
            signature["woo:timestamp"] = timestamp.request_token(timestamp.tsa_url(), digest)
        (root / SIGNATURE).write_text(json.dumps(signature, indent=2), "utf-8")
        sums = _sums(root)
        (root / SUMS).write_bytes(sums)
        (root / SUMS_SIGNATURE).write_bytes(keys.sign_der(key, sums))
        if output.suffix.lower() == ".zip":
            staging = Path(tmp) / "dossier.zip"
            with zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in sorted(root.rglob("*")):
                    if path.is_file():
                        zf.write(path, path.relative_to(root).as_posix())
            os.replace(staging, output)
        else:
            os.replace(root, output)
    return {
        "reference": request["reference"],
        "files": len(json.loads(manifest)["files"]),
        "output": str(output),
    }


def verify(path: Path, expected_key: str | None = None) -> list[Check]:
    """Check a dossier (a directory or a .zip): every file against the manifest, the manifest
    against its signature, SHA256SUMS against its signature and the files. Read as a stranger's
    file: streamed, bounded; a broken or forged part is a failed check, never a traceback."""
    return verify_with(path, lambda bundle: _checks(bundle, expected_key))


def _checks(bundle: Bundle, expected_key: str | None) -> list[Check]:
    checks: list[Check] = []
    names = set(bundle.names)
    if MANIFEST not in names or SIGNATURE not in names:
        return [
            *checks,
            Check("dossier", False, "manifest.json or manifest-signature.json is missing"),
        ]
    try:
        raw_manifest = bundle.read(MANIFEST)
        manifest = bundle.json(MANIFEST)
        signature = bundle.json(SIGNATURE)
        listed = {item["path"]: item["sha256"] for item in manifest["files"]}
        attachments = [(a["path"], a["sha256"]) for a in manifest.get("attachments", [])]
    except (BundleError, KeyError, TypeError, AttributeError) as exc:
        return [*checks, Check(MANIFEST, False, f"cannot be read ({exc})")]
    hashes: dict[str, str] = {}
    for path, expected in listed.items():
        if path not in names:
            checks.append(Check(path, False, "listed in the manifest but missing"))
            continue
        try:
            hashes[path] = actual = bundle.sha256(path)
        except BundleError as exc:
            checks.append(Check(path, False, str(exc)))
            continue
        checks.append(
            Check(
                path,
                actual == expected,
                "hash matches"
                if actual == expected
                else f"hash is {actual}, the manifest says {expected}",
            )
        )
    for path in sorted(names - set(listed) - {MANIFEST, SIGNATURE, SUMS, SUMS_SIGNATURE}):
        checks.append(Check(path, False, "not in the manifest"))
    if "attachment_count" in manifest:
        held = [p for p, digest in attachments if hashes.get(p) == digest]
        checks.append(
            Check(
                "attachments",
                len(held) == manifest["attachment_count"] == len(attachments),
                f"{len(held)} of {manifest['attachment_count']} attachments present with their SHA-256",
            )
        )
    digest = "sha256:" + hashlib.sha256(raw_manifest).hexdigest()
    valid = keys.check_signed(signature, digest)
    checks.append(
        Check(
            "signature",
            valid,
            "valid ECDSA signature over the manifest"
            if valid
            else "does not verify: the manifest or its signature was changed",
        )
    )
    public_key = (signature.get("signedData") or {}).get("publicKey", "")
    checks.append(signer_check(public_key, expected_key))
    checks.extend(timestamp_checks(signature))
    if SUMS in names:
        checks.append(_sums_check(bundle, hashes, public_key))
    return checks


def _sums_check(bundle: Bundle, hashes: dict[str, str], public_key: str) -> Check:
    """SHA256SUMS, what VERIFY.txt has a reader check with openssl and sha256sum."""
    try:
        sums = bundle.read(SUMS)
        sums_signature = bundle.read(SUMS_SIGNATURE) if SUMS_SIGNATURE in bundle.names else b""
    except BundleError as exc:
        return Check(SUMS, False, str(exc))
    signed = keys.verify(public_key, base64.b64encode(sums_signature).decode(), sums)
    wrong = []
    for line in sums.decode("utf-8", "replace").splitlines():
        digest, _, name = line.partition("  ")
        if name not in bundle.names:
            wrong.append(name)
            continue
        try:
            actual = hashes.get(name) or bundle.sha256(name)
        except BundleError:
            actual = None
        if actual != digest:
            wrong.append(name)
    ok = signed and not wrong
    detail = (
        "SHA256SUMS signed and every file matches (see VERIFY.txt)"
        if ok
        else "SHA256SUMS "
        + ("signature does not verify" if not signed else f"does not match {', '.join(wrong[:5])}")
    )
    return Check(SUMS, ok, detail)
