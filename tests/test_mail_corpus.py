"""Real mail from two FOI platforms' test suites (../shared/mail), imported as files, as a
folder, as an mbox and over IMAP: no traceback, every message stored once and byte for byte,
a second import adds nothing; and filed against a request, every attachment arrives in its
dossier."""

from __future__ import annotations

import hashlib
import json
import zipfile
from email.utils import formatdate
from pathlib import Path

import pytest
from click.testing import CliRunner

from wooarchive.cli import cli
from wooarchive.config import settings
from wooarchive.requests.store import RequestStore

MAIL = Path(__file__).resolve().parent.parent.parent / "shared" / "mail"


def woo(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def corpus() -> list[Path]:
    if not MAIL.is_dir():
        pytest.skip("../shared/mail is not present (only in the developers' checkout)")
    return sorted(p for p in MAIL.iterdir() if p.name != "SOURCES.tsv")


@pytest.fixture
def requester(monkeypatch, data_dir: Path) -> Path:
    monkeypatch.setenv("WOO_REQUESTER_NAME", "Fenna de Vries")
    monkeypatch.setenv("WOO_REQUESTER_EMAIL", "fenna@onderzoek.example")
    return data_dir


def mbox_of(paths: list[Path]) -> bytes:
    """An mboxrd file: a From_ line per message, lines starting with (>)*From escaped."""
    out = bytearray()
    for path in paths:
        raw = path.read_bytes()
        out += f"From woo@example.nl {formatdate(0, usegmt=False)[5:]} 1970\n".encode()
        for line in raw.splitlines(keepends=True):
            out += b">" + line if line.lstrip(b">").startswith(b"From ") else line
        if not raw.endswith(b"\n"):
            out += b"\n"
        out += b"\n"
    return bytes(out)


def test_the_real_corpus_is_stored_once_byte_for_byte_in_every_form(
    corpus: list[Path], requester: Path, tmp_path: Path, imap
) -> None:
    store = RequestStore(settings())
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in corpus}
    for path in corpus:
        result = woo("mail", "import", str(path))
        assert result.exit_code == 0, result.output
    held = {sha: raw for sha, raw in store.db.execute("select raw_sha256, raw from quarantine")}
    assert set(held) == set(digests.values())
    for name, sha in digests.items():
        assert hashlib.sha256(held[sha]).hexdigest() == sha, name  # byte for byte
    count = store.db["quarantine"].count
    assert count == len(corpus)

    folder = woo("mail", "import", str(MAIL))
    assert f"0 filed, {len(corpus)} duplicates skipped, 0 in quarantine, 1 refused" in folder.output
    assert "SOURCES.tsv: refused (not a mail message" in folder.output

    mbox = tmp_path / "alles"
    mbox.write_bytes(mbox_of(corpus))
    again = woo("mail", "import", str(mbox))
    assert f"0 filed, {len(corpus)} duplicates skipped, 0 in quarantine, 0 refused" in again.output

    for path in corpus:
        imap.append("INBOX", None, None, path.read_bytes())
    fetched = woo("mail", "fetch")
    assert fetched.exit_code == 0, fetched.output
    assert "0 in quarantine, 0 refused" in fetched.output, fetched.output
    assert store.db["quarantine"].count == count


def test_real_bounces_and_auto_replies_are_recognised(corpus: list[Path], requester: Path) -> None:
    store = RequestStore(settings())
    woo("mail", "import", str(MAIL))
    kinds = dict(store.db.execute("select source, kind from quarantine"))
    by_name = {Path(source).name: kind for source, kind in kinds.items()}
    assert by_name["froide__bounce_002.txt"] == "bounce"
    assert by_name["alaveteli__humberside-police-odd-mime-type.eml"] == "bounce"
    assert by_name["alaveteli__track-response-ms-bounce.eml"] == "delivery_delayed"
    for name in (
        "alaveteli__track-response-exchange-oof-1.eml",
        "alaveteli__track-response-generic-oof.eml",
        "alaveteli__track-response-messageclass-oof.eml",
        "alaveteli__track-response-outlook-oof.eml",
    ):
        assert by_name[name] == "auto_reply", name
    assert by_name["alaveteli__normal-contact-reply.eml"] == "reply"


def test_every_real_message_files_and_its_dossier_holds_every_attachment(
    corpus: list[Path], requester: Path, tmp_path: Path
) -> None:
    assert woo("keys", "init").exit_code == 0
    woo("request", "new", "-t", "woo_dpia", "-m", "GM0363")
    store = RequestStore(settings())
    woo("mail", "import", str(MAIL))
    for (quarantine_id,) in store.db.execute("select id from quarantine").fetchall():
        result = woo("mail", "assign", str(quarantine_id), "1")
        assert result.exit_code == 0, result.output
    assert store.db.execute("select count(*) from messages where direction = 'in'").fetchone()[
        0
    ] == len(corpus)
    same_name = store.db.execute(
        "select a.filename, count(*) from attachments a join messages m on m.id = a.message_id "
        "where m.raw_sha256 = ? group by a.filename having count(*) > 1",
        [
            hashlib.sha256(
                (MAIL / "alaveteli__incoming-request-two-same-name.eml").read_bytes()
            ).hexdigest()
        ],
    ).fetchall()
    assert same_name, "both attachments of the same name are kept"
    tnef = {
        r[0]
        for r in store.db.execute(
            "select a.note from attachments a join messages m on m.id = a.message_id "
            "where m.raw_sha256 = ?",
            [
                hashlib.sha256(
                    (MAIL / "alaveteli__incoming-request-tnef-attachments.eml").read_bytes()
                ).hexdigest()
            ],
        )
    }
    assert any(note and "winmail.dat" in note.lower() for note in tnef), tnef
    total = store.db["attachments"].count
    dossier = tmp_path / "dossier.zip"
    assert woo("request", "dossier", "1", "-o", str(dossier)).exit_code == 0
    with zipfile.ZipFile(dossier) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        names = [n for n in zf.namelist() if n.startswith("bijlagen/")]
    assert manifest["attachment_count"] == total == len(names) == len(set(names))
    verified = woo("export", "verify", str(dossier))
    assert verified.exit_code == 0, verified.output
    assert f"{total} of {total} attachments present" in verified.output
