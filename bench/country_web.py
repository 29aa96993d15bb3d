"""The country on loopback, for bench_country.py: one small municipal site per port.

Each site answers 30 URLs (robots.txt with ``Crawl-delay``, a home page, privacy with its FG
section, a DPIA page and file, five news pages, a Woo page and a Woo listing of three pages
with five decisions each). An asyncio server in a process of its own, so that serving costs the
crawler's process nothing; it prints its base URLs as one JSON line, logs every request with its
site and time, and writes the log (JSON) to the file named on its command line when it is
stopped with SIGTERM.

    python bench/country_web.py SITES DELAY LOGFILE
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.documents import text_pdf  # noqa: E402

LISTING_PAGES, PER_PAGE, NEWS = 3, 5, 5


def html(title: str, body: str) -> bytes:
    nav = '<nav><a href="/">Home</a> <a href="/privacy">Privacy</a> <a href="/woo">Woo</a></nav>'
    return (
        f"<!doctype html><html><head><title>{title}</title></head><body>{nav}"
        f"<main><h1>{title}</h1>{body}</main></body></html>"
    ).encode()


def site(delay: float, templates: list[bytes], port: int) -> dict[str, tuple[bytes, str]]:
    pages: dict[str, tuple[bytes, str]] = {
        "/robots.txt": (f"User-agent: *\nCrawl-delay: {delay:g}\n".encode(), "text/plain"),
        "/": (
            html(
                "Gemeente",
                '<a href="/organisatie">Organisatie</a> '
                + " ".join(f'<a href="/nieuws/{n}">Nieuws {n}</a>' for n in range(NEWS)),
            ),
            "text/html",
        ),
        "/privacy": (
            html(
                "Privacyverklaring",
                "<p>Wij verwerken persoonsgegevens zorgvuldig.</p><h2 id='fg'>Functionaris "
                "gegevensbescherming</h2><p><a href='mailto:fg@example.org'>fg@example.org</a></p>",
            ),
            "text/html",
        ),
        "/organisatie": (
            html("Organisatie", '<a href="/organisatie/dpia">DPIA\'s</a>'),
            "text/html",
        ),
        "/organisatie/dpia": (
            html("DPIA's", '<a href="/organisatie/dpia-jeugd.pdf">DPIA jeugdzorg</a>'),
            "text/html",
        ),
        "/organisatie/dpia-jeugd.pdf": (
            templates[0] + f"%{port}-dpia\n".encode(),
            "application/pdf",
        ),
        "/woo": (
            html("Wet open overheid", '<a href="/woo/besluiten">Woo-besluiten</a>'),
            "text/html",
        ),
    }
    for n in range(NEWS):
        pages[f"/nieuws/{n}"] = (html(f"Nieuws {n}", "<p>De brug gaat open.</p>"), "text/html")
    for page in range(1, LISTING_PAGES + 1):
        links = "".join(
            f'<li><a href="/woo/besluit-{page}-{i}.pdf">Besluit {page}-{i}</a></li>'
            for i in range(PER_PAGE)
        )
        more = f'<a rel="next" href="/woo/besluiten?pagina={page + 1}">Volgende</a>'
        path = "/woo/besluiten" if page == 1 else f"/woo/besluiten?pagina={page}"
        pages[path] = (
            html("Woo-besluiten", f"<ul>{links}</ul>{more if page < LISTING_PAGES else ''}"),
            "text/html",
        )
        for i in range(PER_PAGE):
            body = templates[1 + (page * PER_PAGE + i) % (len(templates) - 1)]
            pages[f"/woo/besluit-{page}-{i}.pdf"] = (
                body + f"%{port}-{page}-{i}\n".encode(),
                "application/pdf",
            )
    return pages


async def main(count: int, delay: float, logfile: Path) -> None:
    templates = [text_pdf(["DPIA jeugdzorg", "Gegevensbeschermingseffectbeoordeling"])] + [
        text_pdf([f"Besluit op uw Woo-verzoek {n}", "Gemeente Bench", "x" * (n * 30)])
        for n in range(8)
    ]
    log: list[tuple[int, str, float]] = []

    sites: dict[int, dict[str, tuple[bytes, str]]] = {}

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        port = writer.get_extra_info("sockname")[1]
        pages = sites[port]
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode("latin-1")
                log.append((port, path, time.time()))
                body, kind = pages.get(path, (b"niet gevonden", "text/plain"))
                status = "200 OK" if path in pages else "404 Not Found"
                writer.write(
                    f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    servers = [await asyncio.start_server(handle, "127.0.0.1", 0) for _ in range(count)]
    for server in servers:
        port = server.sockets[0].getsockname()[1]
        sites[port] = site(delay, templates, port)
    print(json.dumps([f"http://127.0.0.1:{s.sockets[0].getsockname()[1]}" for s in servers]))
    sys.stdout.flush()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    logfile.write_text(json.dumps(log))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2]), Path(sys.argv[3])))
