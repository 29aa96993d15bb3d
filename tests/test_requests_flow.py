"""A campaign from letter to decision: sent to a real SMTP server, replies filed, deadlines and
statuses from the law, the calendar feed parsed back, and no requester data in archive.db."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.fixtures.documents import decision_pdf
from tests.servers import free_port
from wooarchive.cli import cli
from wooarchive.config import settings
from wooarchive.requests.mail import send
from wooarchive.requests.store import RequestStore

NAME, MAIL, ADDRESS = (
    "Fenna de Vries-Bakker",
    "fenna.devries@onderzoek.example",
    "Lindenlaan 12\n1234 AB Utrecht",
)
SENT = date(2026, 2, 2)
TODAY = "2026-03-10"


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch):
    from aiosmtpd.controller import Controller

    port = free_port()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("WOO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WOO_SMTP_PORT", str(port))
    monkeypatch.setenv("WOO_SMTP_SECURITY", "none")
    yield inbox
    controller.stop()


@pytest.fixture
def requester_env(monkeypatch, data_dir):
    monkeypatch.setenv("WOO_REQUESTER_NAME", NAME)
    monkeypatch.setenv("WOO_REQUESTER_EMAIL", MAIL)
    monkeypatch.setenv("WOO_REQUESTER_ADDRESS", ADDRESS.replace("\n", ";"))
    return data_dir


def parse(raw: bytes):
    """As a mail client reads it (long headers unfolded)."""
    return email.message_from_bytes(raw, policy=email.policy.default)


def reply(
    to_request: bytes | None,
    *,
    sender: str,
    subject: str,
    body: str,
    message_id: str,
    attachment: bytes | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = MAIL
    message["Subject"] = subject
    message["Date"] = "Mon, 09 Feb 2026 10:00:00 +0100"
    message["Message-ID"] = message_id
    if to_request is not None:
        original = email.message_from_bytes(to_request)
        message["In-Reply-To"] = original["Message-ID"]
        message["References"] = original["Message-ID"]
    message.set_content(body)
    if attachment:
        message.add_attachment(
            attachment, maintype="application", subtype="pdf", filename="besluit.pdf"
        )
    return bytes(message)


def test_a_campaign_from_letters_to_decisions(
    requester_env: Path, smtp: Inbox, tmp_path: Path
) -> None:
    created = woo("campaign", "new", "-t", "woo_dpia", "--to", "GM0363,GM0344,GM0599,GM1963")
    assert created.exit_code == 0, created.output
    assert "campaign 1: 3 requests written" in created.stdout
    assert "skipped GM0599: Rotterdam: no e-mail address on file" in created.stderr

    store = RequestStore(settings())
    references = [
        r["reference"] for r in store.db.query("select reference from requests order by id")
    ]
    year = date.today().year
    assert references == [f"WOO-{year}-0001", f"WOO-{year}-0002", f"WOO-{year}-0003"]
    for ref in references:
        send(store, ref, today=SENT)
    assert len(smtp.messages) == 3
    sent = {parse(m)["To"]: m for m in smtp.messages}
    amsterdam, utrecht, hoeksche_waard = (
        sent[a]
        for a in (
            "woo.ondersteuning@amsterdam.nl",
            "contactpersoonwoo@utrecht.nl",
            store.get(references[2])["to_address"],
        )
    )
    letter = parse(amsterdam)
    assert letter["Subject"].startswith(
        f"[{references[0]}] Woo-verzoek: gegevensbeschermingseffectbeoordelingen"
    )
    body = " ".join(letter.get_content().split())
    assert (
        "artikel 4.4, eerste lid, Woo" in body
        and "uiterlijk op 2 maart 2026" in body
        and NAME in body
    )

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    gemeente_hw = store.get(references[2])["to_address"].split("@")[1]
    (inbox / "1-ontvangst.eml").write_bytes(
        reply(
            amsterdam,
            sender="woo@amsterdam.nl",
            subject="Ontvangstbevestiging",
            body="Wij hebben uw Woo-verzoek in goede orde ontvangen.",
            message_id="<ack-1@amsterdam.nl>",
        )
    )
    (inbox / "2-verdaging.eml").write_bytes(
        reply(
            None,
            sender="post@utrecht.nl",
            subject=f"Re: [{references[1]}] uw verzoek",
            body="Wij verdagen de beslistermijn met twee weken vanwege de omvang.",
            message_id="<v-2@utrecht.nl>",
        )
    )
    (inbox / "3-besluit.eml").write_bytes(
        reply(
            None,
            sender=f"woo@{gemeente_hw}",
            subject="Besluit op uw Woo-verzoek",
            body="Hierbij ontvangt u ons besluit op uw Woo-verzoek.",
            message_id="<b-3@hw>",
            attachment=decision_pdf(),
        )
    )
    (inbox / "4-nieuwsbrief.eml").write_bytes(
        reply(
            None,
            sender="nieuws@example.org",
            subject="Nieuwsbrief",
            body="Lees ons nieuws.",
            message_id="<n-4@example.org>",
        )
    )
    (inbox / "5-dubbel.eml").write_bytes((inbox / "1-ontvangst.eml").read_bytes())
    (inbox / "6-kapot.eml").write_bytes(
        b"Subject: =?x-onbekend?q?Vreemd?=\nContent-Type: text/plain; charset=x-onbekend\n\n\xff\xfe kapot bericht"
    )

    imported = woo("mail", "import", str(inbox))
    assert imported.exit_code == 0, imported.output
    assert "3 filed, 1 duplicates skipped, 2 in quarantine" in imported.output
    assert (
        f"filed with {references[0]} [acknowledgement] (by In-Reply-To/References); suggests: woo request event {references[0]} received"
        in imported.output
    )
    assert (
        f"filed with {references[1]} (by reference in subject); suggests: woo request event {references[1]} verdaging"
        in imported.output
    )
    assert (
        f"filed with {references[2]} (by sender's domain); suggests: woo request event {references[2]} besluit"
        in imported.output
    )
    quarantined = woo("mail", "quarantine").output
    assert (
        "Nieuwsbrief" in quarantined and "no In-Reply-To, reference or known sender" in quarantined
    )
    [attachment] = store.db.query("select * from attachments")
    assert attachment["filename"] == "besluit.pdf"
    stored = (
        settings().private_blobs_dir
        / "sha256"
        / attachment["sha256"][:2]
        / attachment["sha256"][2:4]
        / attachment["sha256"]
    )
    assert stored.read_bytes() == decision_pdf()
    raw = next(
        store.db.query("select raw from messages where subject = 'Besluit op uw Woo-verzoek'")
    )["raw"]
    assert raw == (inbox / "3-besluit.eml").read_bytes()  # kept byte for byte

    assert woo("request", "event", references[0], "received", "--on", "2026-02-02").exit_code == 0
    assert woo("request", "event", references[1], "verdaging", "--on", "2026-02-20").exit_code == 0
    assert woo("request", "event", references[2], "besluit", "--on", "2026-03-05").exit_code == 0
    bad = woo("request", "event", references[2], "besluit", "--on", "2026-01-05")
    assert (
        bad.exit_code == 1
        and "besluit on 2026-01-05 is before WOO-2026-0003 was received (2026-02-02)" in bad.output
    )

    overview = {
        r["reference"]: r for r in json.loads(woo("requests", "--today", TODAY, "--json").output)
    }
    assert (
        overview[references[0]]["status"],
        overview[references[0]]["due"],
        overview[references[0]]["days_late"],
    ) == ("overdue", "2026-03-02", 8)
    assert (overview[references[1]]["status"], overview[references[1]]["due"]) == (
        "open",
        "2026-03-16",
    )
    assert (overview[references[2]]["status"], overview[references[2]]["days_late"]) == (
        "decided_late",
        3,
    )
    overdue = woo("requests", "--overdue", "--today", TODAY).output.strip().splitlines()
    assert len(overdue) == 1 and references[0] in overdue[0] and "ingebrekestelling" in overdue[0]
    assert references[1] in woo("requests", "--due-within", "7", "--today", TODAY).output

    letter = woo("request", "letter", references[0], "ingebrekestelling", "--today", TODAY)
    assert letter.exit_code == 0, letter.output
    assert (
        "Hierbij stel ik u in gebreke" in letter.output
        and "uiterlijk op 2 maart 2026" in letter.output
    )
    assert "artikel 8.2 Woo" in letter.output and "25 maart 2026" in letter.output
    refused = woo("request", "letter", references[1], "ingebrekestelling", "--today", TODAY)
    assert refused.exit_code == 1 and "is open (due 2026-03-16)" in refused.output

    from icalendar import Calendar

    calendar = Calendar.from_ical(woo("requests", "ics", "--today", TODAY).stdout_bytes)
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert events[f"{references[0]}-due@woo-archive"].decoded("dtstart") == date(2026, 3, 2)
    assert events[f"{references[1]}-due@woo-archive"].decoded("dtstart") == date(2026, 3, 16)
    assert events[f"{references[2]}-objection_due@woo-archive"].decoded("dtstart") == date(
        2026, 4, 16
    )
    assert "Woo art. 4.4 lid 2" in str(events[f"{references[1]}-due@woo-archive"]["description"])

    archive_bytes = (settings().data_dir / "archive.db").read_bytes()
    for personal in (NAME, MAIL, "Lindenlaan", "devries"):
        assert personal.encode() not in archive_bytes
    feed = woo("requests", "ics", "--today", TODAY).stdout
    assert NAME not in feed and MAIL not in feed


def test_a_quarantined_message_can_be_assigned_by_hand(requester_env: Path, tmp_path: Path) -> None:
    store = RequestStore(settings())
    woo("request", "new", "-t", "woo_verwerkingsregister", "-m", "GM0363")
    path = tmp_path / "los.eml"
    path.write_bytes(
        reply(
            None,
            sender="iemand@example.org",
            subject="Uw vraag",
            body="Wij hebben besloten de documenten openbaar te maken.",
            message_id="<los@example.org>",
        )
    )
    woo("mail", "import", str(path))
    [row] = store.db.query("select id from quarantine")
    result = woo("mail", "assign", str(row["id"]), "WOO-2026-0001")
    assert result.output.strip() == "filed with WOO-2026-0001; suggests besluit"
    assert woo("mail", "quarantine").output.strip() == ""


def test_a_request_without_a_requester_is_refused(data_dir: Path, monkeypatch) -> None:
    monkeypatch.delenv("WOO_REQUESTER_NAME", raising=False)
    result = woo("request", "new", "-t", "woo_dpia", "-m", "GM0363")
    assert result.exit_code == 1 and "set WOO_REQUESTER_NAME" in result.output


def test_sending_without_smtp_settings_names_what_to_set(requester_env: Path, monkeypatch) -> None:
    monkeypatch.delenv("WOO_SMTP_HOST", raising=False)
    woo("request", "new", "-t", "woo_dpia", "-m", "GM0363")
    result = woo("request", "send", "1")
    assert result.exit_code == 1 and "set WOO_SMTP_HOST" in result.output


def test_outbox_writes_an_eml_and_starts_no_period(requester_env: Path, tmp_path: Path) -> None:
    woo("request", "new", "-t", "avg_inzage", "-m", "GM0344")
    result = woo("request", "send", "AVG-2026-0001", "--outbox", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    written = parse((tmp_path / "out" / "AVG-2026-0001.eml").read_bytes())
    assert written["Subject"].startswith("[AVG-2026-0001] Verzoek om inzage")
    assert "artikel 12, derde lid, AVG" in written.get_payload(decode=True).decode()
    assert json.loads(woo("requests", "--json").output)[0]["status"] == "draft"


def test_statistics_count_open_requests_as_censored(requester_env: Path) -> None:
    from wooarchive.requests.stats import kaplan_meier_median

    # three decided after 10, 20 and 40 days, two still open after 30: dropping the open ones
    # would say 20 days; counting them as censored says 40
    assert kaplan_meier_median([(10, True), (20, True), (40, True), (30, False), (30, False)]) == 40
    # one of four decided, the rest still open: half are not known to be decided, no median yet
    assert kaplan_meier_median([(5, True), (6, False), (7, False), (8, False)]) is None
    assert kaplan_meier_median([(3, True), (5, True)]) == 3


def test_mail_fetch_reads_new_mail_from_imap_once(
    requester_env: Path, imap, tmp_path: Path
) -> None:
    woo("request", "new", "-t", "woo_dpia", "-m", "GM0363")
    store = RequestStore(settings())
    reference = store.get(1)["reference"]
    imap.append(
        "INBOX",
        None,
        None,
        reply(
            None,
            sender="woo@amsterdam.nl",
            subject=f"Re: [{reference}]",
            body="Wij hebben uw verzoek in goede orde ontvangen.",
            message_id="<i-1@amsterdam.nl>",
        ),
    )
    first = woo("mail", "fetch")
    assert first.exit_code == 0, first.output
    assert f"filed with {reference} [acknowledgement] (by reference in subject)" in first.output
    imap.append(
        "INBOX",
        None,
        None,
        reply(
            None,
            sender="x@example.org",
            subject="Nieuwsbrief",
            body="Nieuws.",
            message_id="<i-2@example.org>",
        ),
    )
    second = woo("mail", "fetch")
    assert (
        "0 filed, 0 duplicates skipped, 1 in quarantine" in second.output
    )  # only the new message read
    assert "i-1@amsterdam.nl" not in second.output


def test_mail_fetch_without_settings_names_them(requester_env: Path, monkeypatch) -> None:
    monkeypatch.delenv("WOO_IMAP_HOST", raising=False)
    result = woo("mail", "fetch")
    assert result.exit_code == 1 and "set WOO_IMAP_HOST" in result.output


def test_replies_are_read_from_mbox_and_maildir(requester_env: Path, tmp_path: Path) -> None:
    import mailbox

    woo("request", "new", "-t", "woo_dpia", "-m", "GM0363")
    reference = RequestStore(settings()).get(1)["reference"]
    box = mailbox.mbox(tmp_path / "antwoorden.mbox")
    box.add(
        reply(
            None,
            sender="woo@amsterdam.nl",
            subject=f"[{reference}] ontvangen",
            body="Ontvangen.",
            message_id="<m-1@a>",
        )
    )
    box.add(
        reply(
            None,
            sender="woo@amsterdam.nl",
            subject=f"[{reference}] verdaging",
            body="Wij verdagen.",
            message_id="<m-2@a>",
        )
    )
    box.flush()
    assert (
        "2 filed, 0 duplicates skipped, 0 in quarantine"
        in woo("mail", "import", str(tmp_path / "antwoorden.mbox")).output
    )
    maildir = mailbox.Maildir(tmp_path / "Maildir", create=True)
    maildir.add(
        reply(
            None,
            sender="woo@amsterdam.nl",
            subject=f"[{reference}] besluit",
            body="Ons besluit.",
            message_id="<m-3@a>",
        )
    )
    maildir.add(
        reply(
            None,
            sender="woo@amsterdam.nl",
            subject=f"[{reference}] ontvangen",
            body="Ontvangen.",
            message_id="<m-1@a>",
        )
    )
    assert (
        "1 filed, 1 duplicates skipped, 0 in quarantine"
        in woo("mail", "import", str(tmp_path / "Maildir")).output
    )


def test_a_50_mb_attachment_is_imported_whole(requester_env: Path, tmp_path: Path) -> None:
    import hashlib
    import os

    woo("request", "new", "-t", "woo_dpia", "-m", "GM0363")
    reference = RequestStore(settings()).get(1)["reference"]
    big = os.urandom(50 * 1024 * 1024)
    path = tmp_path / "groot.eml"
    path.write_bytes(
        reply(
            None,
            sender="woo@amsterdam.nl",
            subject=f"[{reference}] besluit met bijlagen",
            body="Hierbij ons besluit.",
            message_id="<groot@a>",
            attachment=big,
        )
    )
    result = woo("mail", "import", str(path))
    assert "1 filed" in result.output
    [attachment] = RequestStore(settings()).db.query("select sha256, size from attachments")
    assert (
        attachment["size"] == len(big) and attachment["sha256"] == hashlib.sha256(big).hexdigest()
    )


def test_a_request_dossier_holds_every_message_byte_for_byte_and_verifies(
    requester_env: Path, tmp_path: Path
) -> None:
    import zipfile

    woo("request", "new", "-t", "woo_dpia", "-m", "GM0363")
    store = RequestStore(settings())
    reference = store.get(1)["reference"]
    send(store, reference, outbox=tmp_path / "out")
    woo("request", "event", reference, "sent", "--on", "2026-02-02")
    sent_raw = (tmp_path / "out" / f"{reference}.eml").read_bytes()
    replies = {
        "verdaging.eml": reply(
            sent_raw,
            sender="woo@amsterdam.nl",
            subject="Verdaging",
            body="Wij verdagen de beslistermijn.",
            message_id="<d-1@a>",
        ),
        "besluit.eml": reply(
            sent_raw,
            sender="woo@amsterdam.nl",
            subject="Besluit op uw Woo-verzoek",
            body="Hierbij ons besluit.",
            message_id="<d-2@a>",
            attachment=decision_pdf(),
        ),
    }
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, raw in replies.items():
        (inbox / name).write_bytes(raw)
    woo("mail", "import", str(inbox))
    woo("request", "event", reference, "verdaging", "--on", "2026-02-20")
    woo("request", "event", reference, "besluit", "--on", "2026-03-10")
    assert woo("keys", "init").exit_code == 0

    result = woo("request", "dossier", reference, "-o", str(tmp_path / "dossier.zip"))
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "dossier.zip") as zf:
        names = zf.namelist()
        contents = {name: zf.read(name) for name in names}
    emls = [contents[n] for n in names if n.endswith(".eml")]
    assert sent_raw in emls and replies["verdaging.eml"] in emls and replies["besluit.eml"] in emls
    assert [contents[n] for n in names if n.startswith("bijlagen/")] == [decision_pdf()]
    timeline = contents["tijdlijn.html"].decode()
    # Dutch, as a court reads it: the municipality by name, dates written out, status in words
    assert (
        "Woo art. 4.4 lid 2" in timeline
        and "16 maart 2026" in timeline
        and "tijdig beslist" in timeline
        and "gemeente Amsterdam" in timeline
    )
    assert not any(
        word in timeline for word in ("decided_on_time", "objection_due", "GM0363", "2026-03-16")
    )
    assert f"dossier of {reference}, {len(names)} files" in result.output  # as many as the zip
    assert contents["tijdlijn.pdf"].startswith(b"%PDF")
    assert NAME.encode() in contents["verzoek.txt"]  # the requester's own dossier

    checked = woo("export", "verify", str(tmp_path / "dossier.zip"))
    assert checked.exit_code == 0, checked.output
    lines = checked.output.strip().splitlines()
    assert "ok   signature: valid ECDSA signature over the manifest" in lines
    assert lines[-1] == "ok   SHA256SUMS: SHA256SUMS signed and every file matches (see VERIFY.txt)"

    as_dir = tmp_path / "dossier-map"
    assert woo("request", "dossier", reference, "-o", str(as_dir)).exit_code == 0
    reply_file = next((as_dir / "antwoorden").iterdir())
    data = bytearray(reply_file.read_bytes())
    data[-5] ^= 0xFF
    reply_file.write_bytes(bytes(data))
    broken = woo("export", "verify", str(as_dir))
    assert broken.exit_code == 1
    assert f"FAIL antwoorden/{reply_file.name}" in broken.output


def test_a_dossier_is_never_written_over_an_existing_one(
    requester_env: Path, tmp_path: Path
) -> None:
    woo("request", "new", "-t", "woo_dpia", "-m", "GM0363")
    woo("keys", "init")
    (tmp_path / "d.zip").write_bytes(b"iets")
    result = woo("request", "dossier", "1", "-o", str(tmp_path / "d.zip"))
    assert result.exit_code == 1 and "exists already" in result.output
    assert (tmp_path / "d.zip").read_bytes() == b"iets"
