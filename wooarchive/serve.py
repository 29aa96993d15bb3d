"""Publishing archive.db with Datasette, configured from the repository's datasette/ folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from wooarchive.config import Settings


def datasette_dir() -> Path:
    """The Datasette configuration (metadata, plugins, templates): WOO_DATASETTE_DIR, or the
    datasette/ folder beside the package in a source checkout."""
    configured = os.environ.get("WOO_DATASETTE_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "datasette"


def datasette_command(config: Settings, host: str, port: int) -> list[str]:
    """The command line that serves the public archive only (never requests.db)."""
    conf = datasette_dir()
    if not (conf / "metadata.yml").exists():
        raise FileNotFoundError(
            f"{conf}/metadata.yml: Datasette configuration not found (set WOO_DATASETTE_DIR)"
        )
    if not config.archive_db.exists():
        raise FileNotFoundError(f"{config.archive_db}: no archive here yet (run `woo init`)")
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        str(config.archive_db),
        "--metadata",
        str(conf / "metadata.yml"),
        "--plugins-dir",
        str(conf / "plugins"),
        "--template-dir",
        str(conf / "templates"),
        "--static",
        f"static:{conf / 'static'}",
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "default_page_size",
        "50",
        "--setting",
        "sql_time_limit_ms",
        "3000",
    ]
