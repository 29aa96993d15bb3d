"""Rebuild wooarchive/data/municipalities.csv from a joined reference list.

Usage: python scripts/build_municipalities.py ../shared/data/municipalities.csv

The reference list joins several public sources, and its website column sometimes points at a
municipality's Woo page or contact form instead of its homepage. This script keeps the homepage
(https, lower-case host) in ``website``, moves such a deep link to ``woo_info_url`` (it is where
the municipality explains how to file a Woo request), and checks every code, postcode, e-mail
and OIN. It is a maintainer's tool; the product reads only the CSV it writes.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

OUT = Path(__file__).resolve().parent.parent / "wooarchive" / "data" / "municipalities.csv"
FIELDS = [
    "code",
    "name",
    "website",
    "domain",
    "woo_info_url",
    "postbus",
    "postcode",
    "plaats",
    "email",
    "tooi_code",
    "oin",
]
# Hosts in the reference list that are not the municipality's public website.
HOST_FIXES = {"pki.utrecht.nl": "www.utrecht.nl"}
# Deep links that are not about Woo requests (contact forms, "/home") are dropped, not kept.
WOO_HINT = re.compile(r"woo|wet.open.overheid|openbaar", re.I)


def clean(row: dict[str, str]) -> dict[str, str]:
    parts = urlsplit(row["website"].strip())
    host = HOST_FIXES.get(parts.netloc.lower(), parts.netloc.lower())
    deep = parts.path.strip("/") or parts.query
    woo_info_url = ""
    if deep and WOO_HINT.search(parts.path):
        woo_info_url = f"https://{parts.netloc.lower()}{parts.path}"
    plaats = row["plaats"].strip().replace("'S-", "'s-")
    out = {
        "code": row["gemeentecode"].strip(),
        "name": row["cbs_naam"].strip(),
        "website": f"https://{host}",
        "domain": host,
        "woo_info_url": woo_info_url,
        "postbus": row["postbus"].strip(),
        "postcode": row["postcode"].strip().upper(),
        "plaats": plaats,
        # some cells hold two addresses; the first is the one the source lists for Woo
        "email": re.split(r"[,;\s]+", row["email"].strip().lower())[0],
        "tooi_code": row["tooi_code"].strip(),
        "oin": row["oin"].strip(),
    }
    assert re.fullmatch(r"GM\d{4}", out["code"]), out
    assert out["tooi_code"] == out["code"].lower(), out
    assert re.fullmatch(r"\d{4} [A-Z]{2}", out["postcode"]), out
    if out["email"] and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", out["email"]):
        print(f"{out['code']} {out['name']}: e-mail {out['email']!r} is not an address, left empty")
        out["email"] = ""
    assert not out["oin"] or re.fullmatch(r"\d{20}", out["oin"]), out
    return out


def main(source: str) -> None:
    with open(source, newline="", encoding="utf-8") as fh:
        rows = sorted((clean(r) for r in csv.DictReader(fh)), key=lambda r: r["code"])
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate codes"
    with open(OUT, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} municipalities to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
