"""`make demo`: the main job on the embedded default, then Datasette.

At this stage the main job is: load the municipalities and archive the fixture documents, each
through the same `woo` commands a user runs. Later stages add the fixture web crawl, OCR and
indexing here.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fixtures.documents import build  # noqa: E402

WOO = str(Path(sys.executable).with_name("woo"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="demo-data")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8001")
    args = parser.parse_args()
    data = Path(args.data).resolve()
    shutil.rmtree(data, ignore_errors=True)
    env = {**os.environ, "WOO_DATA": str(data), "WOO_BASE_URL": f"http://{args.host}:{args.port}"}

    def woo(*argv: str) -> None:
        print("$ woo " + " ".join(argv), flush=True)
        subprocess.run([WOO, *argv], env=env, check=True)

    woo("init")
    for doc in build(data / "fixtures"):
        extra = ["--title", doc.title] if doc.title else []
        woo(
            "archive",
            "add",
            str(doc.path),
            "--municipality",
            doc.municipality,
            "--kind",
            doc.kind,
            *extra,
        )
    woo("verify")
    print(
        f"\nOpen http://{args.host}:{args.port}/archive/documents (Ctrl-C stops the server)\n",
        flush=True,
    )
    os.execve(WOO, [WOO, "serve", "--host", args.host, "--port", args.port], env)


if __name__ == "__main__":
    main()
