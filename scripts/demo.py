"""`make demo`: the main job on the embedded default, then Datasette.

The fixture web (six municipal sites and a publication platform, made by the project itself) is
served on 127.0.0.1 and crawled with `woo crawl`, exactly as a user crawls the real sites;
`woo index` reads every document (OCR for the scanned Woo decision) and the Woo decisions as
data (dates, outcome, grounds, an annexed inventory, codes in redaction boxes), `woo verify` checks
the evidence. Then a sample campaign: Woo requests for DPIAs to three of the fixture
municipalities, written to an outbox (the demo sends no mail), dated as if sent six weeks ago,
with replies imported from .eml files; its statistics are published for the scorecard. Last,
`woo serve` publishes the archive.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
WOO = str(Path(sys.executable).with_name("woo"))
# The fixture web runs on this machine: no need to wait between requests to it, except where a
# site's robots.txt asks for a Crawl-delay (which the crawler always honours).
LOCAL = [
    "-s",
    "WOO_ALGORITHM_REGISTER=",  # the demo web is all on 127.0.0.1: the real register is not asked
    "-s",
    "WOO_INDEX=",  # nor the real Woo-index
    "-s",
    "DOWNLOAD_DELAY=0",
    "-s",
    "AUTOTHROTTLE_START_DELAY=0",
    "-s",
    "DOWNLOAD_TIMEOUT=2",
    "-s",
    "RETRY_TIMES=1",
    "-s",
    "DOWNLOAD_MAXSIZE=2000000",
    "-s",
    "LOG_LEVEL=WARNING",
]


DEMO_REQUESTER = {
    "WOO_REQUESTER_NAME": "Demo Onderzoeker",
    "WOO_REQUESTER_EMAIL": "demo@woo-archive.invalid",
    "WOO_REQUESTER_ADDRESS": "Voorbeeldstraat 1;1234 AB Demodorp",
}


# the campaign's municipalities: six, so that the country's statistics pass the threshold under
# which a published cell could point at its requester (requests/stats.py MIN_CELL)
CAMPAIGN = "GM0400,GM0917,GM0193,GM0363,GM0344,GM1963"


def sample_campaign(woo, data: Path, env: dict) -> None:
    """Six requests, as if sent six weeks ago: one acknowledged and decided on time, one
    extended, two decided (one early, one late), two never answered; plus a reply that matches
    nothing (quarantine)."""
    from email.message import EmailMessage
    from email.parser import BytesParser

    env.update(DEMO_REQUESTER)
    sent = date.today() - timedelta(days=42)
    woo(
        "campaign",
        "new",
        "-t",
        "woo_dpia",
        "--to",
        CAMPAIGN,
        "--name",
        "demo: DPIA's",
    )
    woo("request", "send", "--campaign", "1", "--outbox", str(data / "outbox"))
    inbox = data / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    year = date.today().year
    replies = [
        (
            f"WOO-{year}-0001",
            "info@denhelder.nl",
            "Ontvangstbevestiging",
            "Wij hebben uw verzoek in goede orde ontvangen.",
        ),
        (
            f"WOO-{year}-0001",
            "info@denhelder.nl",
            "Besluit op uw Woo-verzoek",
            "Hierbij ontvangt u ons besluit op uw Woo-verzoek.",
        ),
        (
            f"WOO-{year}-0002",
            "gemeente@heerlen.nl",
            "Verdaging",
            "Wij verdagen de beslistermijn met twee weken.",
        ),
        (None, "nieuwsbrief@example.org", "Nieuwsbrief", "Lees ons nieuws."),
    ]
    for n, (reference, sender, subject, body) in enumerate(replies, start=1):
        message = EmailMessage()
        message["From"], message["To"] = sender, DEMO_REQUESTER["WOO_REQUESTER_EMAIL"]
        message["Subject"] = subject
        message["Message-ID"] = f"<demo-{n}@woo-archive.invalid>"
        if reference:
            original = BytesParser().parsebytes((data / "outbox" / f"{reference}.eml").read_bytes())
            message["In-Reply-To"] = original["Message-ID"]
        message.set_content(body)
        (inbox / f"{n}.eml").write_bytes(bytes(message))
    for number in range(1, 7):
        woo("request", "event", f"WOO-{year}-{number:04d}", "sent", "--on", sent.isoformat())
    woo("mail", "import", str(inbox))
    for number, days in ((1, 20), (4, 9), (5, 33)):  # the fifth one past its four weeks
        woo(
            "request",
            "event",
            f"WOO-{year}-{number:04d}",
            "besluit",
            "--on",
            (sent + timedelta(days=days)).isoformat(),
        )
    woo(
        "request",
        "event",
        f"WOO-{year}-0002",
        "verdaging",
        "--on",
        (sent + timedelta(days=14)).isoformat(),
    )
    woo("requests")
    woo("requests", "publish-stats")


MARK = ".woo-demo"  # in a directory the demo made, and may empty again


def _made_by_demo(directory: Path) -> bool:
    """Whether the demo made ``directory``: its mark, or (a demo of before the mark) the inbox
    and outbox of its sample campaign."""
    return (directory / MARK).exists() or all(
        (directory / name).is_dir() for name in ("inbox", "outbox")
    )


def _fresh(directory: Path, made: bool) -> None:
    """Empty a directory the demo made before (``made``); refuse one that holds something else
    (a real archive named by WOO_DATA, say): the demo never deletes what it did not make."""
    if directory.exists() and any(directory.iterdir()) and not made:
        sys.exit(
            f"error: {directory} holds files the demo did not make; not emptied. Name another "
            "directory (make demo WOO_DATA=DIR, or DEMO_DATA=DIR)"
        )
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    (directory / MARK).write_text("made by `make demo`; it empties this directory when run again\n")


def _port_free(host: str, port: str) -> None:
    """Fail at once, not after the crawl, when the server could not start there."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as sock:
        try:
            sock.bind((host, int(port)))
        except OSError as exc:
            sys.exit(
                f"error: cannot serve on {host}:{port} ({exc.strerror}); "
                "choose another port: make demo PORT=8002"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="demo-data")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8001")
    args = parser.parse_args()
    _port_free(args.host, args.port)
    data = Path(args.data).resolve()
    private = Path(f"{data}-private")
    made = _made_by_demo(data)
    _fresh(data, made)
    _fresh(private, made or (private / MARK).exists())
    env = {
        **os.environ,
        "WOO_DATA": str(data),
        # the demo's requests in a private directory of its own, never the user's WOO_PRIVATE
        "WOO_PRIVATE": str(private),
        "WOO_BASE_URL": f"http://{args.host}:{args.port}",
        "WOO_CONTACT": os.environ.get("WOO_CONTACT", "demo@woo-archive.invalid"),
    }

    def woo(*argv: str) -> None:
        print("$ woo " + " ".join(argv), flush=True)
        subprocess.run([WOO, *argv], env=env, check=True)

    web = subprocess.Popen(
        [sys.executable, "-m", "tests.fixtures.web.server"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        announced = json.loads(web.stdout.readline())
        start_urls = announced["start_urls"]
        print(f"fixture web: {len(start_urls)} municipal sites on 127.0.0.1", flush=True)
        woo("init")
        # its publication platform's port on 127.0.0.1 is ours to crawl, as an intranet's would be
        allow = [f"--allow-internal={urlsplit(base).netloc}" for base in announced["hosts"]]
        starts = [f"--start-url={code}={url}" for code, url in start_urls.items()]
        woo("crawl", *starts, *allow, *LOCAL)
    finally:
        web.stdin.close()
        web.wait(timeout=10)
    woo("index")
    woo("verify")
    woo("decisions", "stats")
    sample_campaign(woo, data, env)
    base = f"http://{args.host}:{args.port}"
    print(
        f"\nOpen {base}/-/scorecard (what each municipality publishes), "
        f"{base}/-/search?q=verwerkingsregister (search), {base}/-/besluiten (what the published "
        f"Woo decisions say), {base}/-/statistieken (how the requests fared) or {base}/archive "
        "(all tables). Ctrl-C stops the server.\n"
        "To use the demo's archive with the woo command and `make serve` afterwards:\n"
        f"  export WOO_DATA={shlex.quote(str(data))} WOO_PRIVATE={shlex.quote(str(private))}\n",
        flush=True,
    )
    os.execve(WOO, [WOO, "serve", "--host", args.host, "--port", args.port], env)


if __name__ == "__main__":
    main()
