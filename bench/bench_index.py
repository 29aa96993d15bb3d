"""Indexing rate and search latency on a generated corpus of 100,000 pages.

Pages are generated (deterministically) from a Zipf-distributed vocabulary of 20,000 words, as
real text is: Dutch function words are on every page, municipal and privacy terms are
mid-frequency words, and most words are rare. (A small flat vocabulary would put every query term
on every page and measure nothing real.)
Measured in one run, each insert in one transaction: the pages into a plain SQLite table (the
baseline), into a bare FTS5 table with the same tokenizer (what the engine itself costs), into the
pages table with its FTS5 triggers, and into the Whoosh index (pages/s, and ratios against the
plain insert); then the latency of 50 searches on each index (p50/p95 in ms). Set
BENCH_PAGES to change the size.
"""

from __future__ import annotations

import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from wooarchive.archive import db as schema  # noqa: E402
from wooarchive.archive.db import transaction  # noqa: E402
from wooarchive.indexer import whoosh_index  # noqa: E402
from wooarchive.indexer.run import PAGE_COLUMNS, insert_pages  # noqa: E402

PAGES = int(os.environ.get("BENCH_PAGES", "100000"))
WORDS_PER_PAGE = 120
VOCABULARY = """gemeente besluit verzoek verwerking verwerkingen persoonsgegevens gegevens privacy
verwerkingsregister functionaris gegevensbescherming dpia algoritme algoritmeregister woo openbaar
openbaarmaking documenten bezwaar beroep termijn verdaging opschorting zienswijze college raad
wethouder burgemeester inwoners vergunning parkeren cameratoezicht jeugdzorg wmo bijstand subsidie
zaaksysteem beveiliging datalek melding autoriteit bewaartermijn grondslag doel categorieën
ontvangers doorgifte rechten inzage correctie verwijdering bezwaarschrift ingebrekestelling
de het een van en in op te dat die voor met is zijn aan er niet als bij door of om ook naar uit""".split()
FUNCTION_WORDS = set(
    "de het een van en in op te dat die voor met is zijn aan er niet als bij door of om ook naar uit".split()
)
QUERIES = [
    "verwerkingsregister",
    "persoonsgegevens",
    "cameratoezicht",
    "datalek melding",
    "functionaris gegevensbescherming",
    "bewaartermijn",
    "dpia zaaksysteem",
    "ingebrekestelling",
    "algoritmeregister",
    "bezwaar termijn",
]


def vocabulary() -> tuple[list[str], list[float]]:
    rng = random.Random(7)
    syllables = "ver wer king ge ven be sluit raad ter men heid lijk schap ing en de over aan zet dienst".split()
    filler = {"".join(rng.choices(syllables, k=rng.randint(2, 4))) for _ in range(40000)}
    function_words = [w for w in VOCABULARY if w in FUNCTION_WORDS]
    terms = [w for w in VOCABULARY if w not in FUNCTION_WORDS]
    words = function_words + sorted(filler - set(VOCABULARY))[: 20000 - len(VOCABULARY)]
    rare = words[len(function_words) :]
    rng.shuffle(rare)  # shuffle a copy, then put it back
    words[len(function_words) :] = rare
    for offset, term in enumerate(terms):  # domain terms at ranks 200..~2000: mid-frequency
        words.insert(200 + offset * 25, term)  # ranks 200..~1900
    cumulative, total = [], 0.0
    for rank in range(1, len(words) + 1):
        total += 1 / rank
        cumulative.append(total)
    return words, cumulative


def pages(n: int) -> list[dict]:
    """The corpus, made before any timing starts."""
    rng = random.Random(42)
    words, cumulative = vocabulary()
    corpus = []
    for i in range(n):
        text = " ".join(rng.choices(words, cum_weights=cumulative, k=WORDS_PER_PAGE))
        corpus.append(
            {
                "sha256": f"{i // 10:064x}",
                "page": i % 10 + 1,
                "text": text,
                "municipality_code": f"GM{rng.randrange(10000):04d}",
                "kind": "other",
                "title": f"Document {i // 10}",
            }
        )
    return corpus


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def main() -> None:
    corpus = pages(PAGES)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plain = sqlite3.connect(root / "plain.db")
        plain.execute(
            "create table pages (sha256 text, page int, text text, primary key (sha256, page))"
        )
        start = time.perf_counter()
        with plain:
            plain.executemany("insert into pages values (:sha256, :page, :text)", corpus)
        plain_rate = PAGES / (time.perf_counter() - start)

        bare = sqlite3.connect(root / "bare.db")
        bare.execute(
            "create virtual table fts using fts5(text, tokenize='unicode61 remove_diacritics 2')"
        )
        start = time.perf_counter()
        with bare:
            bare.executemany("insert into fts (text) values (:text)", corpus)
        bare_rate = PAGES / (time.perf_counter() - start)

        db = schema.connect(root / "archive.db")
        rows = [
            (p["sha256"], p["page"], "text", 1.0, p["text"], p["municipality_code"], p["kind"])
            + (None,) * (len(PAGE_COLUMNS) - 7)  # the measured columns: none
            for p in corpus
        ]
        start = time.perf_counter()
        with transaction(db.conn):  # one transaction: `with conn:` alone commits every row
            for first in range(0, len(rows), 10):  # the indexer's insert, a document at a time
                insert_pages(db.conn, rows[first : first + 10])
        fts_rate = PAGES / (time.perf_counter() - start)

        start = time.perf_counter()
        whoosh_index.rebuild(root / "whoosh", corpus)
        whoosh_rate = PAGES / (time.perf_counter() - start)

        fts_times, whoosh_times = [], []
        for query in QUERIES * 5:
            start = time.perf_counter()
            list(
                db.execute(
                    "select p.sha256, p.page, snippet(pages_fts, 0, '«', '»', '…', 12) from pages_fts "
                    "join pages p on p.rowid = pages_fts.rowid where pages_fts match ? order by rank limit 20",
                    [query],
                )
            )
            fts_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            whoosh_index.search(root / "whoosh", query, lambda sha, page: "", limit=20)
            whoosh_times.append(time.perf_counter() - start)

    print(f"index: {PAGES} generated pages of {WORDS_PER_PAGE} words")
    print(f"  plain SQLite insert (baseline): {plain_rate:9.0f} pages/s")
    print(
        f"  FTS5 fed directly (same tokenizer): {bare_rate:5.0f} pages/s  ratio {bare_rate / plain_rate:.2f}"
    )
    print(
        f"  pages + FTS5:                   {fts_rate:9.0f} pages/s  ratio {fts_rate / plain_rate:.2f}"
        f" ({fts_rate / bare_rate:.2f} of FTS5 fed directly; aim 0.5)"
    )
    print(
        f"  Whoosh (Dutch analyzer):        {whoosh_rate:9.0f} pages/s  ratio {whoosh_rate / plain_rate:.3f}"
    )
    fts50, fts95 = percentiles(fts_times)
    wh50, wh95 = percentiles(whoosh_times)
    print(f"  search FTS5:   p50 {fts50:7.1f} ms  p95 {fts95:7.1f} ms")
    print(f"  search Whoosh: p50 {wh50:7.1f} ms  p95 {wh95:7.1f} ms (highlights not included)")


if __name__ == "__main__":
    main()
