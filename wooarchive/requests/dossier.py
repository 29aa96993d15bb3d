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
import re
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
from wooarchive.dutch import long_date
from wooarchive.requests.cli_format import WHAT, length_text, render
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


EVENT_WORDS = {
    "sent": "verzonden",
    "received": "ontvangen door het bestuursorgaan",
    "verdaging": "verdaging / verlenging meegedeeld",
    "opschorting": "uitnodiging om aan te vullen (opschorting)",
    "aangevuld": "verzoek aangevuld",
    "zienswijze_gevraagd": "zienswijze van een derde gevraagd",
    "zienswijze_gegeven": "zienswijze gegeven",
    "besluit": "besluit verzonden",
    "ingebrekestelling": "ingebrekestelling verzonden",
    "ingebrekestelling_ontvangen": "ingebrekestelling ontvangen door het bestuursorgaan",
    "bezwaar": "bezwaar ingediend",
    "beroep": "beroep ingesteld",
    "undelivered": "niet bezorgd",
    "ingetrokken": "verzoek ingetrokken",
    "note": "notitie",
}
ACTIONS = {"corrected": "gecorrigeerd", "removed": "verwijderd"}


def _dutch(value: str | None) -> str:
    """An ISO date as a Dutch reader writes it ("2 februari 2026"); anything else as it is."""
    try:
        return long_date(date.fromisoformat(value or ""))
    except ValueError:
        return value or ""


def _dutch_dates(text: str) -> str:
    """Every ISO date inside a rule's text written out as well."""
    return re.sub(r"\b\d{4}-\d{2}-\d{2}\b", lambda m: _dutch(m.group(0)), text)


def _change_text(change: dict, law: str) -> str:
    def form(raw: str | None) -> str:
        if not raw:
            return ""
        event = json.loads(raw)
        return (
            f"{EVENT_WORDS.get(event['kind'], event['kind'])} op {_dutch(event['on_date'])}"
            + (f" ({length_text(law, event['length'])})" if event.get("length") else "")
            + (f", notitie: {event['note']}" if event.get("note") else "")
        )

    after = form(change["after"])
    return (
        f"{_dutch(change['changed_at'][:10])} {change['changed_at'][11:16]} UTC: gebeurtenis "
        f"#{change['event_number']} {ACTIONS.get(change['action'], change['action'])}; was: "
        f"{form(change['before'])}"
        + (f"; nu: {after}" if after else "")
        + f". Reden: {change['reason']}"
    )


def timeline_text(
    request: dict, municipality: str, events: list[dict], changes: list[dict], timeline
) -> dict:
    """Everything the dossier's timeline says, in Dutch, as a Dutch court reads it: the
    municipality by name, dates written out, every status, label and rule in Dutch."""
    law = "Woo-verzoek" if request["law"] == "woo" else "AVG-verzoek"
    return {
        "title": f"Tijdlijn {request['reference']}",
        "about": f"{law} aan de gemeente {municipality}: {request['subject']}",
        "status": _dutch_dates(render(timeline, long_date).split("\n\n", 1)[0]).splitlines()
        if timeline
        else ["Niet verzonden."],
        "events": [
            f"#{e['number']} {_dutch(e['on_date'])}: {EVENT_WORDS.get(e['kind'], e['kind'])}"
            + (f" ({length_text(request['law'], e['length'])})" if e["length"] else "")
            + (f" - {e['note']}" if e["note"] else "")
            for e in events
        ],
        "changes": [_change_text(c, request["law"]) for c in changes],
        "basis": [
            (_dutch(b.date.isoformat()), WHAT.get(b.what, b.what), _dutch_dates(b.rule))
            for b in (timeline.basis if timeline else [])
        ],
    }


def _timeline_html(text: dict) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(day)}</td><td>{e(what)}</td><td>{e(rule)}</td></tr>"
        for day, what, rule in text["basis"]
    )
    changes = (
        "<h2>Wijzigingen in deze tijdlijn</h2><ul>"
        + "".join(f"<li>{e(c)}</li>" for c in text["changes"])
        + "</ul>"
        if text["changes"]
        else ""
    )
    return f"""<!doctype html><html lang="nl"><head><meta charset="utf-8">
<title>{e(text["title"])}</title></head><body>
<h1>{e(text["title"])}</h1>
<p>{e(text["about"])}</p>
<h2>Stand</h2><p>{"<br>".join(e(line) for line in text["status"])}</p>
<h2>Wat er gebeurde</h2><ul>{"".join(f"<li>{e(line)}</li>" for line in text["events"])}</ul>
{changes}
<h2>Termijnen en hun grondslag</h2>
<table border="1" cellpadding="4"><tr><th>Datum</th><th>Wat</th><th>Grondslag</th></tr>{rows}</table>
<p><small>Opgesteld door woo-archive {__version__} op {e(long_date(date.today()))}.</small></p>
</body></html>
"""


def _timeline_pdf(text: dict, target: Path) -> None:
    from fpdf import FPDF

    def latin(value: str) -> str:  # the PDF core fonts speak Latin-1
        return value.encode("latin-1", "replace").decode("latin-1")

    pdf = FPDF()
    pdf.set_creation_date(now())
    pdf.add_page()

    def line(value: str, size: int = 10, height: int = 6, style: str = "") -> None:
        pdf.set_font("helvetica", style, size)
        pdf.multi_cell(0, height, latin(value), new_x="LMARGIN", new_y="NEXT")

    line(text["title"], 14, 8, "B")
    line(text["about"])
    for heading, lines in (
        ("Stand", text["status"]),
        ("Wat er gebeurde", text["events"]),
        ("Wijzigingen in deze tijdlijn", text["changes"]),
    ):
        if lines:
            pdf.ln(3)
            line(heading, 11, 7, "B")
            for value in lines:
                line(value)
    pdf.ln(3)
    line("Termijnen en hun grondslag", 11, 7, "B")
    for day, what, rule in text["basis"]:
        line(f"{day}  {what}: {rule}", 9, 5)
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
        municipality = store.archive.db.execute(
            "select name from municipalities where code = ?", [request["municipality_code"]]
        ).fetchone()
        text = timeline_text(
            request,
            municipality[0] if municipality else request["municipality_code"],
            events,
            store.changes(request["id"]),
            timeline,
        )
        (root / "tijdlijn.html").write_text(_timeline_html(text), "utf-8")
        _timeline_pdf(text, root / "tijdlijn.pdf")
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
        # every file the reader gets, the manifest and signatures included
        files = sum(1 for path in root.rglob("*") if path.is_file())
        if output.suffix.lower() == ".zip":
            staging = Path(tmp) / "dossier.zip"
            with zipfile.ZipFile(staging, "w", zipfile.ZIP_DEFLATED) as zf:
                for path in sorted(root.rglob("*")):
                    if path.is_file():
                        zf.write(path, path.relative_to(root).as_posix())
            os.replace(staging, output)
        else:
            os.replace(root, output)
    return {"reference": request["reference"], "files": files, "output": str(output)}


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
