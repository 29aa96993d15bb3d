"""WACZ exports: selected captures as a web archive a third party can check without us.

The WARC inside holds byte-exact copies of our own records (each response with its request, or a
file's resource record), so every WARC digest and every SHA-256 in archive.db still holds. The
`wacz` package (Webrecorder's) writes the index, the page list and datapackage.json the way
replay tools expect; we then add our anonymous signature over the datapackage digest
(keys.py). `verify_wacz` re-checks every file's hash, the digest and the signature.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from wooarchive import __version__
from wooarchive.archive import chain, keys, timestamp
from wooarchive.archive.bundle import Bundle, BundleError, Check, verify_with
from wooarchive.archive.store import Archive, ArchiveError, now, utc_iso


@dataclass
class Selection:
    municipality: str | None = None
    kind: str | None = None
    since: str | None = None  # ISO date: documents first seen on or after it
    documents: tuple[str, ...] = ()


def select_captures(archive: Archive, selection: Selection) -> list[dict]:
    """The successful captures (and files added by hand) of the selected documents."""
    where, params = ["(c.status between 200 and 299 or c.method = 'file')"], []
    if selection.municipality:
        where.append("d.municipality_code = ?")
        params.append(selection.municipality.upper())
    if selection.kind:
        where.append("d.kind = ?")
        params.append(selection.kind)
    if selection.since:
        where.append("d.first_seen >= ?")
        params.append(selection.since)
    if selection.documents:
        where.append(f"d.sha256 in ({','.join('?' * len(selection.documents))})")
        params.extend(selection.documents)
    return list(
        archive.db.query(
            "select c.*, d.title from captures c join documents d on d.sha256 = c.sha256 "
            f"where {' and '.join(where)} order by c.fetched_at, c.id",
            params,
        )
    )


def record_bytes(path: Path, offset: int, with_request: bool) -> bytes:
    """The raw gzip member(s) of the record at ``offset`` (and of its request record)."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        iterator = ArchiveIterator(fh)
        record = next(iterator)
        record.content_stream().read()
        iterator.read_to_end(record)
        ends = [offset + iterator.get_record_length()]
        if with_request:
            try:
                following = next(iterator)
                if following.rec_type == "request":
                    iterator.read_to_end(following)
                    ends.append(iterator.get_record_offset() + iterator.get_record_length())
            except StopIteration:
                pass
        fh.seek(offset)
        return fh.read(max(ends) - offset)


def write_warc(archive: Archive, captures: list[dict], target: Path) -> None:
    with open(target, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(
                target.name,
                {
                    "software": f"woo-archive/{__version__}",
                    "description": "export of archived captures",
                },
            )
        )
        for capture in captures:
            source = archive.settings.warc_dir / capture["warc_file"]
            out.write(
                record_bytes(
                    source, capture["warc_offset"], with_request=capture["method"] == "http"
                )
            )


def _pages_jsonl(captures: list[dict]) -> str:
    lines = [json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Archived documents"})]
    seen = set()
    for capture in captures:
        if capture["url"] in seen:
            continue
        seen.add(capture["url"])
        lines.append(
            json.dumps(
                {"url": capture["url"], "ts": capture["fetched_at"], "title": capture["title"]},
                ensure_ascii=False,
            )
        )
    return "\n".join(lines) + "\n"


def export_wacz(
    archive: Archive, selection: Selection, output: Path, title: str | None = None
) -> dict:
    """Write the WACZ; returns a summary. Nothing appears under ``output`` until it is complete."""
    from wacz.main import main as wacz_main

    selected = select_captures(archive, selection)
    # a file added by hand has no web address, so no replay tool (pywb, ReplayWeb.page) can
    # show it: left out, and said so, rather than exported unreachable
    captures = [c for c in selected if c["method"] != "file"]
    files_left_out = len({c["sha256"] for c in selected if c["method"] == "file"})
    if not captures:
        raise ArchiveError(
            "nothing to export: no archived web capture matches the selection"
            + (
                f" ({files_left_out} files added by hand cannot be replayed)"
                if files_left_out
                else ""
            )
        )
    key = keys.load_key(
        keys.key_path(archive.settings)
    )  # before any work: a key problem is the user's to fix
    output = Path(output)
    with tempfile.TemporaryDirectory(
        prefix="woo-wacz-", dir=output.parent if output.parent.exists() else None
    ) as tmp:
        work = Path(tmp)
        warc = work / "woo-archive-export.warc.gz"
        write_warc(archive, captures, warc)
        pages = work / "pages.jsonl"
        pages.write_text(_pages_jsonl(captures), "utf-8")
        unsigned = work / "unsigned.wacz"
        with contextlib.redirect_stdout(io.StringIO()) as chatter:
            code = wacz_main(
                [
                    "create",
                    "-o",
                    str(unsigned),
                    "-p",
                    str(pages),
                    "--title",
                    title or "woo-archive export",
                    "--desc",
                    f"{len(captures)} captures exported by woo-archive {__version__}",
                    str(warc),
                ]
            )
        if code:
            raise ArchiveError(
                f"wacz could not package the export: {chatter.getvalue().strip()[-300:]}"
            )
        signed = work / "signed.wacz"
        head = _sign(unsigned, signed, key, archive)
        os.replace(signed, output)
    return {
        "captures": len(captures),
        "documents": len({c["sha256"] for c in captures}),
        "output": str(output),
        "chain_head": head,
        "files_left_out": files_left_out,
    }


def _sign(source: Path, target: Path, key, archive: Archive) -> str | None:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        datapackage = json.loads(zin.read("datapackage.json"))
        digest = json.loads(zin.read("datapackage-digest.json"))
        head = chain.head(archive.db.conn)
        digest["signedData"] = keys.signed_data(
            key,
            digest["hash"],
            datapackage.get("created") or utc_iso(now()),
            f"woo-archive {__version__}",
        )
        url = timestamp.tsa_url()
        if url:
            digest["woo:timestamp"] = timestamp.request_token(url, digest["hash"])
        if head:
            # the capture log's head when this was exported: a later check of the archive can
            # prove that none of these captures was removed or rewritten since
            digest["woo:captureChainHead"] = {"capture_id": head[0], "hash": head[1]}
        for item in zin.infolist():
            data = (
                json.dumps(digest, indent=2).encode()
                if item.filename == "datapackage-digest.json"
                else zin.read(item)
            )
            zout.writestr(item, data, compress_type=item.compress_type)
    return head[1] if head else None


def verify_wacz(path: Path, expected_key: str | None = None) -> list[Check]:
    """Every file's SHA-256 against datapackage.json, the datapackage's against the digest, and
    the signature; one Check each. Read as a stranger's file: streamed, bounded, and a broken
    or forged part is a failed check, never a traceback."""
    return verify_with(path, lambda bundle: _wacz_checks(bundle, expected_key))


def _wacz_checks(bundle: Bundle, expected_key: str | None) -> list[Check]:
    checks: list[Check] = []
    names = set(bundle.names)
    if not {"datapackage.json", "datapackage-digest.json"} <= names:
        return [
            Check(str(bundle.path), False, "datapackage.json or datapackage-digest.json is missing")
        ]
    try:
        raw_package = bundle.read("datapackage.json")
        package = bundle.json("datapackage.json")
        digest = bundle.json("datapackage-digest.json")
        resources = [(r["path"], r["hash"]) for r in package.get("resources", [])]
    except (BundleError, KeyError, TypeError, AttributeError) as exc:
        return [*checks, Check("datapackage.json", False, f"cannot be read ({exc})")]
    for name, expected in resources:
        if name not in names:
            checks.append(Check(name, False, "listed in datapackage.json but missing"))
            continue
        try:
            actual = "sha256:" + bundle.sha256(name)
        except BundleError as exc:  # a CRC failure: the bytes changed
            checks.append(Check(name, False, str(exc)))
            continue
        checks.append(
            Check(
                name,
                actual == expected,
                "hash matches"
                if actual == expected
                else f"hash is {actual}, datapackage.json says {expected}",
            )
        )
    for extra in sorted(
        names - {name for name, _ in resources} - {"datapackage.json", "datapackage-digest.json"}
    ):
        checks.append(Check(extra, False, "not listed in datapackage.json"))
    package_hash = "sha256:" + hashlib.sha256(raw_package).hexdigest()
    checks.append(
        Check(
            "datapackage.json",
            package_hash == digest.get("hash"),
            "matches datapackage-digest.json"
            if package_hash == digest.get("hash")
            else "hash differs from datapackage-digest.json",
        )
    )
    signed = digest.get("signedData")
    if not signed:
        checks.append(Check("signature", False, "the export is not signed"))
    else:
        valid = keys.check_signed(digest, package_hash)
        checks.append(signer_check(signed.get("publicKey", ""), expected_key))
        checks.append(
            Check(
                "signature",
                valid,
                "valid ECDSA signature over the datapackage digest"
                if valid
                else "does not verify: the digest or signature was changed",
            )
        )
    checks.extend(timestamp_checks(digest))
    return checks


def signer_check(public_key: str, expected: str | None) -> Check:
    """Who signed: the key's fingerprint, named whatever else holds (a bundle re-signed with
    another key verifies under that key); with ``expected`` (--key), any other signer fails."""
    found = keys.fingerprint(public_key)
    if expected is None:
        return Check("signer", True, f"key {found} (pass --key FINGERPRINT to require it)")
    wanted = expected.strip().lower().removeprefix("sha256:").replace(":", "")
    if found == wanted:
        return Check("signer", True, f"key {found}, the one expected")
    return Check("signer", False, f"key {found}, not the expected {wanted}")


def timestamp_checks(digest: dict) -> list[Check]:
    """The check of an RFC 3161 timestamp in a digest or manifest signature, if it has one; a
    timestamp that cannot be checked here (no CA file) is reported, not failed."""
    stamp = digest.get("woo:timestamp")
    if not stamp:
        return []
    result = timestamp.verify_token(stamp, digest["hash"])
    return [Check("timestamp", result.ok is not False, result.detail)]
