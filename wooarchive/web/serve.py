"""Publishing archive.db with Datasette, configured from the repository's datasette/ folder."""

from __future__ import annotations

import json
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
    return Path(__file__).resolve().parent.parent.parent / "datasette"


# facet suggestions group every search result several times over; the configured facets stay
SETTINGS = {"default_page_size": 50, "sql_time_limit_ms": 3000, "suggest_facets": False}
PRIVATE = {
    "description": "Private: your requests, the letters and replies, and who you are. Only for you.",
    # nobody but the signed-in root user (datasette --root prints the sign-in link)
    "allow": {"id": "root"},
}


def metadata(private: bool = False) -> dict:
    """The site's metadata; the private site adds requests.db, readable only by root."""
    import yaml

    data = yaml.safe_load((datasette_dir() / "metadata.yml").read_text("utf-8"))
    if private:
        data.setdefault("databases", {})["requests"] = PRIVATE
    return data


def datasette_app(config: Settings, private: bool = False):
    """The same site `woo serve` runs, as an object (for tests through ``ds.client``)."""
    from datasette.app import Datasette

    conf = datasette_dir()
    files = [str(config.archive_db)] + ([str(config.requests_db)] if private else [])
    return Datasette(
        files,
        metadata=metadata(private),
        plugins_dir=str(conf / "plugins"),
        template_dir=str(conf / "templates"),
        static_mounts=[("static", str(conf / "static"))],
        settings=SETTINGS,
    )


def datasette_command(config: Settings, host: str, port: int, private: bool = False) -> list[str]:
    """The command line that serves the public archive only; with ``private``, also
    requests.db, behind Datasette's root sign-in (the link is printed when it starts)."""
    conf = datasette_dir()
    if not (conf / "metadata.yml").exists():
        raise FileNotFoundError(
            f"{conf}/metadata.yml: Datasette configuration not found (set WOO_DATASETTE_DIR)"
        )
    if not config.archive_db.exists():
        raise FileNotFoundError(f"{config.archive_db}: no archive here yet (run `woo init`)")
    files, meta, extra = [str(config.archive_db)], conf / "metadata.yml", []
    if private:
        if not config.requests_db.exists():
            raise FileNotFoundError(f"{config.requests_db}: no requests yet (woo request new)")
        files.append(str(config.requests_db))
        meta = config.private_dir / "private-metadata.json"  # regenerated each time
        meta.write_text(json.dumps(metadata(private=True)), "utf-8")
        extra = ["--root"]
    return [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        *files,
        *extra,
        "--metadata",
        str(meta),
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
        *[arg for key, value in SETTINGS.items() for arg in ("--setting", key, str(value))],
    ]
