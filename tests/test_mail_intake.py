"""Mail as it really arrives, made here in the patterns real mail takes: raw 8-bit headers,
no or reused Message-IDs, a saved message with a From_ line, mbox bodies that say "From",
bounces of our own letter, auto-replies, acknowledgements quoting our letter, references from
the wrong municipality, plus-addresses, oddly named attachments, and things that are not mail.
Each is filed once, byte for byte, or refused with a reason; none stops the import."""

from __future__ import annotations

import email
import os
import stat
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.test_mail_corpus import mbox_of
from wooarchive.cli import cli
from wooarchive.config import settings
from wooarchive.requests.store import RequestStore

ME = "fenna@onderzoek.example"


def woo(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


@pytest.fixture
def sent(monkeypatch, data_dir: Path, tmp_path: Path) -> tuple[RequestStore, bytes]:
    """WOO-<year>-0001 to Amsterdam, written to an outbox and recorded as sent."""
    monkeypatch.setenv("WOO_REQUESTER_NAME", "Fenna de Vries")
    monkeypatch.setenv("WOO_REQUESTER_EMAIL", ME)
    assert woo("request", "new", "-t", "woo_dpia", "-m", "GM0363").exit_code == 0
    outbox = tmp_path / "outbox"
    assert woo("request", "send", "1", "--outbox", str(outbox)).exit_code == 0
    assert woo("request", "event", "1", "sent", "--on", "2026-02-02").exit_code == 0
    store = RequestStore(settings())
    return store, next(outbox.iterdir()).read_bytes()


def ref(store: RequestStore) -> str:
    return store.get(1)["reference"]


def message(
    *, sender: str, subject: str, body: str, message_id: str | None = None, **headers: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = headers.pop("to", ME)
    msg["Subject"] = subject
    msg["Date"] = "Mon, 09 Feb 2026 10:00:00 +0100"
    if message_id:
        msg["Message-ID"] = message_id
    for key, value in headers.items():
        msg[key.replace("_", "-")] = value
    msg.set_content(body)
    return msg


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_a_reply_with_raw_8bit_headers_is_filed_and_shown_as_text(sent, tmp_path: Path) -> None:
    store, _ = sent
    raw = (
        b"From: Gemeente Amsterdam \xc3\xa9\xc3\xa9n loket <woo@amsterdam.nl>\r\n"
        b"To: Fenna \xe9 <fenna@onderzoek.example>\r\n"
        b"Date: Mon, 09 Feb 2026 10:00:00 +0100 \xff\r\n"
        b"Subject: Re: [" + ref(store).encode() + b"] uw verzoek \xc3\xbc\r\n\r\n"
        b"Wij nemen uw verzoek in behandeling.\r\n"
    )
    result = woo("mail", "import", str(write(tmp_path / "8bit.eml", raw)))
    assert "1 filed" in result.output, result.output
    row = next(
        store.db.query(
            "select from_address, to_address, subject, raw from messages where direction = 'in'"
        )
    )
    assert row["from_address"] == "Gemeente Amsterdam één loket <woo@amsterdam.nl>"
    assert (
        row["to_address"] == "Fenna \u00e9 <fenna@onderzoek.example>"
    )  # Latin-1 byte read as such
    assert row["subject"].endswith("uw verzoek ü") and row["raw"] == raw
    assert "Gemeente Amsterdam één loket" in woo("request", "show", "1").output


def test_without_a_message_id_a_message_is_filed_once_and_a_reused_id_loses_nothing(
    sent, tmp_path: Path
) -> None:
    store, _ = sent
    first = message(sender="woo@amsterdam.nl", subject=f"[{ref(store)}] vraag", body="Een vraag.")
    write(tmp_path / "in" / "a.eml", bytes(first))
    shared = "<same@amsterdam.nl>"
    for n, text in enumerate(["Eerste bericht.", "Tweede, ander bericht."]):
        msg = message(
            sender="woo@amsterdam.nl", subject=f"[{ref(store)}] {n}", body=text, message_id=shared
        )
        write(tmp_path / "in" / f"b{n}.eml", bytes(msg))
    assert "3 filed, 0 duplicates skipped" in woo("mail", "import", str(tmp_path / "in")).output
    assert "0 filed, 3 duplicates skipped" in woo("mail", "import", str(tmp_path / "in")).output
    assert (
        store.db.execute("select count(*) from messages where message_id = ?", [shared]).fetchone()[
            0
        ]
        == 2
    )


def test_a_saved_message_with_a_from_line_stays_whole(sent, tmp_path: Path) -> None:
    store, _ = sent
    body = message(
        sender="woo@amsterdam.nl",
        subject=f"[{ref(store)}] besluit",
        body="Geachte mevrouw,\n\nFrom the minutes: het besluit volgt.\nFrom 1 maart geldt dit.\n",
    )
    raw = b"From woo@amsterdam.nl Mon Feb  9 10:00:00 2026\n" + bytes(body)
    path = write(tmp_path / "bericht.eml", raw)
    assert "1 filed" in woo("mail", "import", str(path)).output
    [stored] = [r[0] for r in store.db.execute("select raw from messages where direction = 'in'")]
    assert stored == raw  # the From_ line kept, nothing cut


def test_an_mbox_is_split_only_at_real_separators(sent, tmp_path: Path) -> None:
    store, _ = sent
    texts = [
        "Eerste antwoord.\n\nFrom the start we said no.\n>From escaped in the file.\n",
        "Tweede antwoord.\n",
    ]
    files = []
    for n, text in enumerate(texts):
        msg = message(sender="woo@amsterdam.nl", subject=f"[{ref(store)}] {n}", body=text)
        files.append(write(tmp_path / f"m{n}.eml", bytes(msg)))
    mbox = write(tmp_path / "postvak", mbox_of(files))
    assert "2 filed" in woo("mail", "import", str(mbox)).output
    raws = [
        r[0]
        for r in store.db.execute("select raw from messages where direction = 'in' order by id")
    ]
    assert raws == [f.read_bytes() for f in files]  # >From unescaped, nothing split
    assert "0 filed, 2 duplicates skipped" in woo("mail", "import", str(mbox)).output


def test_a_bounce_of_our_letter_marks_it_undelivered_and_it_can_be_sent_again(
    sent, tmp_path: Path
) -> None:
    store, letter = sent
    bounce = email.message_from_string(
        "From: Mail Delivery System <MAILER-DAEMON@mx.provider.example>\n"
        f"To: {ME}\nSubject: Undelivered Mail Returned to Sender\n"
        "Date: Tue, 03 Feb 2026 09:00:00 +0100\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
        "--B\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.provider.example\n\n"
        "Final-Recipient: rfc822; woo.ondersteuning@amsterdam.nl\nAction: failed\n"
        "Status: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 <woo.ondersteuning@amsterdam.nl>: "
        "Recipient address rejected: User unknown\n\n"
        "--B\nContent-Type: message/rfc822\n\n" + letter.decode() + "\n--B--\n"
    )
    result = woo("mail", "import", str(write(tmp_path / "bounce.eml", bytes(bounce))))
    assert f"filed with {ref(store)} [bounce] (by In-Reply-To/References)" in result.output
    assert "1 bounces" in result.output
    overview = woo("requests", "--json", "--today", "2026-02-10").output
    assert '"status": "undelivered"' in overview
    assert "User unknown" in overview and "woo request send WOO-2026-0001 --to ADRES" in overview
    assert '"suggestion"' not in overview or "verdaging" not in overview
    again = woo(
        "request", "send", "1", "--outbox", str(tmp_path / "o2"), "--to", "woo@amsterdam.nl"
    )
    assert again.exit_code == 0, again.output
    assert store.get(1)["to_address"] == "woo@amsterdam.nl"


def test_an_auto_reply_is_filed_as_such_and_suggests_nothing(sent, tmp_path: Path) -> None:
    store, _ = sent
    auto = message(
        sender="j.jansen@amsterdam.nl",
        subject=f"Automatisch antwoord: [{ref(store)}] Woo-verzoek",
        body="Ik ben afwezig tot 20 februari. Uw bericht over verdaging wordt daarna behandeld.",
        Auto_Submitted="auto-replied",
    )
    result = woo("mail", "import", str(write(tmp_path / "oof.eml", bytes(auto))))
    assert "[auto_reply]" in result.output and "suggests" not in result.output
    [row] = store.db.query("select kind, suggested_event from messages where direction = 'in'")
    assert row == {"kind": "auto_reply", "suggested_event": None}


def test_an_acknowledgement_quoting_our_letter_records_their_case_number_not_a_verdaging(
    sent, tmp_path: Path
) -> None:
    store, letter = sent
    ours = email.message_from_bytes(letter).get_payload(decode=True).decode()
    rewrapped = " ".join(ours.split())  # their client re-wraps our letter, without > marks
    ack = message(
        sender="woo@amsterdam.nl",
        subject=f"RE: [{ref(store)}] Woo-verzoek",
        body=(
            "Geachte mevrouw De Vries,\n\nWij hebben uw Woo-verzoek in goede orde ontvangen. "
            "Uw zaaknummer is Z/26/004711.\n\nMet vriendelijke groet,\nTeam Woo\n\n"
            + "\n".join(rewrapped[i : i + 70] for i in range(0, len(rewrapped), 70))
        ),
    )
    result = woo("mail", "import", str(write(tmp_path / "ack.eml", bytes(ack))))
    assert "[acknowledgement]" in result.output
    assert f"suggests: woo request event {ref(store)} received" in result.output
    [row] = store.db.query("select case_number from messages where direction = 'in'")
    assert row["case_number"] == "Z/26/004711"
    assert "their case number Z/26/004711" in woo("request", "show", "1").output


def test_our_reference_from_another_municipality_goes_to_quarantine_with_the_candidate(
    sent, tmp_path: Path
) -> None:
    store, _ = sent
    other = message(
        sender="post@utrecht.nl",
        subject=f"Uw zaak {ref(store)}",  # their own case number happens to equal ours
        body="Over uw melding openbare ruimte.",
    )
    result = woo("mail", "import", str(write(tmp_path / "utrecht.eml", bytes(other))))
    assert "1 in quarantine" in result.output
    assert "the sender's domain utrecht.nl is not that municipality's" in result.output
    assert f"candidates: {ref(store)}" in woo("mail", "quarantine").output


def test_a_reference_in_a_plus_address_matches(sent, tmp_path: Path) -> None:
    store, _ = sent
    reply = message(
        sender="woo@amsterdam.nl",
        subject="Uw verzoek",
        body="Zie bijlage.",
        to=f"fenna+{ref(store).lower()}@onderzoek.example",
    )
    result = woo("mail", "import", str(write(tmp_path / "plus.eml", bytes(reply))))
    assert f"filed with {ref(store)} (by reference in the address)" in result.output


def test_every_attachment_arrives_with_its_name_decoded_and_its_extension_kept(
    sent, tmp_path: Path
) -> None:
    store, _ = sent
    raw = (
        "From: woo@amsterdam.nl\nTo: " + ME + f"\nSubject: [{ref(store)}] besluit\n"
        'MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="X"\n\n'
        "--X\nContent-Type: text/plain\n\nZie de bijlagen.\n"
        "--X\nContent-Type: application/pdf\n"
        "Content-Disposition: attachment; filename*=UTF-8''besluit%20W%C3%B6%C3%B6.pdf\n\n%PDF-1\n"
        '--X\nContent-Type: application/pdf; name="=?utf-8?q?inventaris_l=C3=BCst.pdf?="\n'
        'Content-Disposition: attachment; filename="=?utf-8?q?inventaris_l=C3=BCst.pdf?="\n\n%PDF-2\n'
        "--X\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=bijlage.pdf\n\n%PDF-3\n"
        "--X\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=bijlage.pdf\n\n%PDF-4\n"
        '--X\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="'
        + "heel-lange-naam-" * 20
        + 'einde.pdf"\n\n%PDF-5\n--X--\n'
    )
    assert (
        "1 filed"
        in woo("mail", "import", str(write(tmp_path / "bijlagen.eml", raw.encode()))).output
    )
    rows = list(store.db.query("select filename, stored_name from attachments order by position"))
    assert [r["filename"] for r in rows[:4]] == [
        "besluit Wöö.pdf",
        "inventaris lüst.pdf",
        "bijlage.pdf",
        "bijlage.pdf",
    ]
    names = [r["stored_name"] for r in rows]
    assert len(set(names)) == 5 and all(n.endswith(".pdf") for n in names)
    assert len(names[4]) <= 203


def test_what_is_not_mail_is_refused_with_a_reason_and_other_names_are_read(
    sent, tmp_path: Path, monkeypatch
) -> None:
    store, _ = sent
    folder = tmp_path / "map"
    write(folder / "leeg.eml", b"")
    write(folder / "notulen.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n")
    write(folder / "groot.eml", b"From: a@b.nl\nSubject: groot\n\n" + b"x" * (2 * 1024 * 1024))
    ok = message(sender="woo@amsterdam.nl", subject=f"[{ref(store)}] a", body="a")
    write(folder / "antwoord.email", bytes(ok))
    write(
        folder / "zonder-extensie",
        bytes(message(sender="woo@amsterdam.nl", subject=f"[{ref(store)}] b", body="b")),
    )
    monkeypatch.setenv("WOO_MAIL_MAX_MB", "1")
    result = woo("mail", "import", str(folder))
    assert result.exit_code == 0
    assert "leeg.eml: refused (empty)" in result.output
    assert "notulen.pdf: refused (not a mail message" in result.output
    assert "groot.eml: refused (larger than 1 MB" in result.output
    assert "2 filed, 0 duplicates skipped, 0 in quarantine, 3 refused" in result.output
    assert store.db["quarantine"].count == 0


def test_requests_db_and_private_attachments_are_readable_by_their_owner_only(
    sent, tmp_path: Path
) -> None:
    store, _ = sent
    reply = message(
        sender="woo@amsterdam.nl", subject=f"[{ref(store)}] besluit", body="Zie bijlage."
    )
    reply.add_attachment(
        b"%PDF-1.4 besluit", maintype="application", subtype="pdf", filename="besluit.pdf"
    )
    woo("mail", "import", str(write(tmp_path / "b.eml", bytes(reply))))
    private = settings().private_dir
    assert stat.S_IMODE(os.stat(private / "requests.db").st_mode) == 0o600
    for suffix in ("-wal", "-shm"):
        path = private / f"requests.db{suffix}"
        if path.exists():
            assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o700
    [blob] = [p for p in (private / "blobs" / "sha256").rglob("*") if p.is_file()]
    assert stat.S_IMODE(os.stat(blob).st_mode) == 0o400
    assert RequestStore(settings()).get(1)["reference"] == ref(store)


def test_an_outboxed_letter_asks_to_record_the_day_and_an_address_can_be_given(
    monkeypatch, data_dir: Path, tmp_path: Path
) -> None:
    monkeypatch.setenv("WOO_REQUESTER_NAME", "Fenna de Vries")
    monkeypatch.setenv("WOO_REQUESTER_EMAIL", ME)
    refused = woo("request", "new", "-t", "woo_dpia", "-m", "GM0599", "--to", "geen adres")
    assert refused.exit_code == 1 and "'geen adres' is not an e-mail address" in refused.output
    made = woo("request", "new", "-t", "woo_dpia", "-m", "GM0599", "--to", "woo@rotterdam.nl")
    assert "written to woo@rotterdam.nl" in made.output  # Rotterdam has none on file
    assert woo("request", "send", "1", "--outbox", str(tmp_path / "uit")).exit_code == 0
    overview = woo("requests").output
    assert (
        "woo request event WOO-2026-0001 sent --on DATUM" in overview
        and "woo request send" not in overview
    )
    shown = woo("request", "show", "1").output
    assert "to: woo@rotterdam.nl" in shown and "Op grond van de Wet open overheid" in shown


def test_a_letter_in_the_outbox_is_readable_by_its_owner_only(sent, tmp_path: Path) -> None:
    letter = next((tmp_path / "outbox").iterdir())
    assert stat.S_IMODE(letter.stat().st_mode) == 0o600  # it holds the requester's address
    assert stat.S_IMODE((tmp_path / "outbox").stat().st_mode) == 0o700
    assert b"Fenna de Vries" in letter.read_bytes()


def test_the_private_site_is_not_served_to_other_machines_without_a_deliberate_flag(
    data_dir: Path,
) -> None:
    for host in ("0.0.0.0", "::", "192.168.1.5"):
        result = CliRunner().invoke(cli, ["serve", "--private", "--host", host])
        assert result.exit_code != 0
        assert "--expose-private" in result.output and "Traceback" not in result.output


def _raw_utf8_reply(
    subject: str, filename: str, in_reply_to: str | None, sender: str = "woo@amsterdam.nl"
) -> bytes:
    """A reply as some mail systems send it: the attachment's name in raw UTF-8 bytes inside
    the header, not encoded as RFC 2231 asks."""
    threading = f"In-Reply-To: {in_reply_to}\r\n" if in_reply_to else ""
    return (
        f"From: {sender}\r\nTo: {ME}\r\nSubject: {subject}\r\n"
        f"Message-ID: <raw-{len(subject)}@amsterdam.nl>\r\n{threading}"
        "Date: Mon, 09 Feb 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nHierbij het besluit.\r\n--XX\r\n"
        f'Content-Type: application/pdf; name="{filename}"\r\n'
        f'Content-Disposition: attachment; filename="{filename}"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--XX--\r\n"
    ).encode()


def test_a_raw_utf8_attachment_name_is_filed_and_a_long_subject_fits_a_dossier(
    sent, tmp_path: Path
) -> None:
    import zipfile

    store, letter = sent
    reference = ref(store)
    original = email.message_from_bytes(letter)["Message-ID"]
    # 60 non-ASCII characters and more: 300 bytes and more as a file name
    subject = "Beslissing op uw verzoek — één, twéé, drië; Fryslân " * 6
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.eml").write_bytes(_raw_utf8_reply(subject, "Besluit: café [def].pdf", original))
    imported = woo("mail", "import", str(inbox))
    assert "1 filed" in imported.output, imported.output
    [stored] = [r["filename"] for r in store.db.query("select filename from attachments")]
    assert stored == "Besluit: café [def].pdf"
    assert woo("keys", "init").exit_code == 0
    for target in (tmp_path / "dossier.zip", tmp_path / "dossier"):
        made = woo("request", "dossier", reference, "-o", str(target))
        assert made.exit_code == 0, made.output
    names = zipfile.ZipFile(tmp_path / "dossier.zip").namelist()
    for name in names:
        for part in name.split("/"):
            assert len(part.encode("utf-8")) <= 255, part
            assert not set(part) & set('<>:"|?*[]'), part
            assert not part.endswith((".", " ")), part
    assert any(n.endswith("Besluit_ café (def).pdf") for n in names), names
    assert woo("export", "verify", str(tmp_path / "dossier.zip")).exit_code == 0
    assert woo("export", "verify", str(tmp_path / "dossier")).exit_code == 0


def test_a_quarantined_message_with_a_raw_utf8_attachment_name_can_be_assigned(
    sent, tmp_path: Path
) -> None:
    store, _ = sent
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "b.eml").write_bytes(
        _raw_utf8_reply("Uw bericht", "notitie café.pdf", None, "iemand@voorbeeld.nl")
    )
    assert "1 in quarantine" in woo("mail", "import", str(inbox)).output
    [quarantined] = list(store.db.query("select id from quarantine"))
    assigned = woo("mail", "assign", str(quarantined["id"]), ref(store))
    assert assigned.exit_code == 0, assigned.output
    assert [r["filename"] for r in store.db.query("select filename from attachments")] == [
        "notitie café.pdf"
    ]


def test_a_bounce_that_quotes_none_of_our_letters_changes_nothing_and_only_suggests(
    sent, tmp_path: Path
) -> None:
    """The body held to account can send a bounce from its own domain with the (sequential,
    guessable) reference in the subject; without one of our Message-IDs it resets nothing."""
    store, _ = sent
    forged = email.message_from_string(
        "From: Mail Delivery System <MAILER-DAEMON@amsterdam.nl>\n"
        f"To: {ME}\nSubject: Undelivered Mail Returned to Sender [{ref(store)}]\n"
        "Date: Tue, 03 Feb 2026 09:00:00 +0100\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; amsterdam.nl\n\n"
        "Final-Recipient: rfc822; woo.ondersteuning@amsterdam.nl\nAction: failed\n"
        "Status: 5.1.1\n\n--B--\n"
    )
    result = woo("mail", "import", str(write(tmp_path / "vals.eml", bytes(forged))))
    assert f"filed with {ref(store)} [bounce]" in result.output, result.output
    assert f"suggests: woo request event {ref(store)} undelivered --on DATE" in result.output
    assert "quotes none of our letters' Message-IDs; it may be forged" in result.output
    assert not list(store.db.query("select 1 from events where kind = 'undelivered'"))
    overview = woo("requests", "--json", "--today", "2026-02-10").output
    assert '"status": "undelivered"' not in overview


def test_a_reply_whose_sender_failed_authentication_is_filed_with_a_warning(
    sent, tmp_path: Path
) -> None:
    store, _ = sent
    spoofed = message(
        sender="woo@amsterdam.nl",
        subject=f"[{ref(store)}] Besluit op uw Woo-verzoek",
        body="Hierbij ontvangt u ons besluit op uw verzoek.",
        message_id="<spoof-1@elders.example>",
    )
    spoofed["Authentication-Results"] = (
        "mx.onderzoek.example; spf=fail smtp.mailfrom=amsterdam.nl; dmarc=fail header.from=amsterdam.nl"
    )
    result = woo("mail", "import", str(write(tmp_path / "spoof.eml", bytes(spoofed))))
    assert f"filed with {ref(store)}" in result.output
    assert "warning: the sender could not be verified (spf=fail, dmarc=fail)" in result.output
    [reason] = [
        r[0]
        for r in store.db.execute("select suggested_reason from messages where direction = 'in'")
    ]
    assert "could not be verified" in reason


def _bounce(letter: bytes, date_header: str) -> bytes:
    return bytes(
        email.message_from_string(
            "From: Mail Delivery System <MAILER-DAEMON@mx.provider.example>\n"
            f"To: {ME}\nSubject: Undelivered Mail Returned to Sender\n"
            f"Date: {date_header}\nMIME-Version: 1.0\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
            "--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
            "--B\nContent-Type: message/delivery-status\n\n"
            "Reporting-MTA: dns; mx.provider.example\n\n"
            "Final-Recipient: rfc822; woo@amsterdam.nl\nAction: failed\nStatus: 5.1.1\n\n"
            "--B\nContent-Type: message/rfc822\n\n" + letter.decode() + "\n--B--\n"
        )
    )


def test_a_bounce_dated_in_the_future_or_after_a_withdrawal_is_filed_not_fatal(
    sent, tmp_path: Path
) -> None:
    from datetime import date

    store, letter = sent
    # a clock (or a forger) dating the bounce in 2031: recorded, as of today at the latest
    result = woo(
        "mail",
        "import",
        str(write(tmp_path / "b1.eml", _bounce(letter, "Mon, 06 Jan 2031 09:00:00 +0100"))),
    )
    assert result.exit_code == 0 and "1 filed" in result.output, result.output
    [event] = [e for e in store.events(1) if e["kind"] == "undelivered"]
    assert event["on_date"] <= date.today().isoformat()
    # sent again, then withdrawn; a late bounce is filed with its suggestion, nothing recorded
    assert woo("request", "send", "1", "--outbox", str(tmp_path / "o2")).exit_code == 0
    assert woo("request", "event", "1", "sent", "--on", date.today().isoformat()).exit_code == 0
    assert woo("request", "withdraw", "1", "--on", date.today().isoformat()).exit_code == 0
    result = woo(
        "mail",
        "import",
        str(write(tmp_path / "b2.eml", _bounce(letter, "Tue, 03 Feb 2026 09:00:00 +0100"))),
    )
    assert result.exit_code == 0 and "1 filed" in result.output, result.output
    assert [e["kind"] for e in store.events(1)].count("undelivered") == 1
    reason = store.db.execute(
        "select suggested_reason from messages where direction = 'in' order by id desc limit 1"
    ).fetchone()[0]
    assert "not recorded" in reason and "withdrawn" in reason
