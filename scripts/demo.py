"""`make demo`: the main job on the embedded default, then Datasette.

The fixture web (six municipal sites and a publication platform, made by the project itself) is
served on 127.0.0.1 and crawled with `woo crawl`, exactly as a user crawls the real sites;
`woo index` reads every document (OCR for the scanned Woo decision), `woo verify` checks the
evidence, and `woo serve` publishes it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WOO = str(Path(sys.executable).with_name("woo"))
# The fixture web runs on this machine: no need to wait between requests to it, except where a
# site's robots.txt asks for a Crawl-delay (which the crawler always honours).
LOCAL = [
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="demo-data")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8001")
    args = parser.parse_args()
    data = Path(args.data).resolve()
    shutil.rmtree(data, ignore_errors=True)
    env = {
        **os.environ,
        "WOO_DATA": str(data),
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
        start_urls = json.loads(web.stdout.readline())["start_urls"]
        print(f"fixture web: {len(start_urls)} municipal sites on 127.0.0.1", flush=True)
        woo("init")
        woo("crawl", *[f"--start-url={code}={url}" for code, url in start_urls.items()], *LOCAL)
    finally:
        web.stdin.close()
        web.wait(timeout=10)
    woo("index")
    woo("verify")
    print(
        f"\nOpen http://{args.host}:{args.port}/archive/documents (Ctrl-C stops the server)\n",
        flush=True,
    )
    os.execve(WOO, [WOO, "serve", "--host", args.host, "--port", args.port], env)


if __name__ == "__main__":
    main()
