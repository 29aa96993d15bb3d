"""`woo mail fetch` against an IMAP server that misbehaves: a UID list with a word in it, and a
message of a gigabyte. The word is a refused line, the huge message is recorded by its stated
size without its body being asked for, and the good message is filed."""

from __future__ import annotations

import re
import socketserver
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from wooarchive.cli import cli
from wooarchive.config import settings
from wooarchive.requests.store import RequestStore

MESSAGE = (
    b"From: woo@amsterdam.nl\r\nTo: fenna@onderzoek.example\r\nSubject: Re: [{ref}]\r\n"
    b"Message-ID: <h-3@amsterdam.nl>\r\nDate: Mon, 09 Feb 2026 10:00:00 +0100\r\n\r\n"
    b"Wij hebben uw verzoek in goede orde ontvangen.\r\n"
)


class HostileImap(socketserver.StreamRequestHandler):
    """Just enough IMAP4rev1 for imaplib, answering SEARCH with a word among the UIDs and
    stating a size of a gigabyte for UID 1."""

    asked: list[str] = []
    message = b""

    def reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("* OK IMAP4rev1 hostile test server ready")
        for line in self.rfile:
            tag, _, command = line.decode().strip().partition(" ")
            self.asked.append(command)
            verb = command.upper()
            if verb.startswith("CAPABILITY"):
                self.reply("* CAPABILITY IMAP4rev1")
            elif verb.startswith("EXAMINE") or verb.startswith("SELECT"):
                self.reply("* 3 EXISTS")
                self.reply("* OK [UIDVALIDITY 7] UIDs valid")
            elif verb.startswith("UID SEARCH"):
                self.reply("* SEARCH 1 x'; 3")
            elif verb.startswith("UID FETCH 1 ") and "RFC822.SIZE" in verb:
                self.reply("* 1 FETCH (UID 1 RFC822.SIZE 1073741824)")
            elif verb.startswith("UID FETCH 3 ") and "RFC822.SIZE" in verb:
                self.reply(f"* 3 FETCH (UID 3 RFC822.SIZE {len(self.message)})")
            elif verb.startswith("UID FETCH 3 "):
                self.wfile.write(
                    b"* 3 FETCH (UID 3 BODY[]<0> {%d}\r\n" % len(self.message)
                    + self.message
                    + b")\r\n"
                )
            elif verb.startswith("LOGOUT"):
                self.reply("* BYE")
                self.reply(f"{tag} OK done")
                return
            self.reply(f"{tag} OK done")


@pytest.fixture
def hostile(monkeypatch):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), HostileImap)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for key, value in {
        "WOO_IMAP_HOST": "127.0.0.1",
        "WOO_IMAP_PORT": str(server.server_address[1]),
        "WOO_IMAP_USER": "onderzoek",
        "WOO_IMAP_PASSWORD": "geheim",
        "WOO_IMAP_SECURITY": "none",
    }.items():
        monkeypatch.setenv(key, value)
    HostileImap.asked = []
    yield HostileImap
    server.shutdown()
    server.server_close()


def test_a_word_among_the_uids_and_a_huge_message_do_not_stop_the_fetch(
    hostile, data_dir: Path, monkeypatch
) -> None:
    monkeypatch.setenv("WOO_REQUESTER_NAME", "Fenna de Vries")
    monkeypatch.setenv("WOO_REQUESTER_EMAIL", "fenna@onderzoek.example")
    runner = CliRunner()
    assert runner.invoke(cli, ["request", "new", "-t", "woo_dpia", "-m", "GM0363"]).exit_code == 0
    reference = RequestStore(settings()).get(1)["reference"]
    hostile.message = MESSAGE.replace(b"{ref}", reference.encode())
    result = runner.invoke(cli, ["mail", "fetch"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert 'not a UID: b"x\';"' in result.output
    assert "larger than" in result.output and "imap:INBOX:1" in result.output
    assert f"filed with {reference}" in result.output
    # the gigabyte was never asked for: only its size
    assert not any(re.match(r"UID FETCH 1 \(BODY", asked, re.I) for asked in hostile.asked)
