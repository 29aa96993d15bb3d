"""The ranked Dutch search index (Whoosh): stemming, stop words, highlights, "did you mean",
and "more like this". Rebuilt from archive.db's pages table alone; never the only copy of
anything.

We use whoosh-reloaded, the maintained fork (imported as ``whoosh``): the original 2.7.4 has
not had a release since 2016 and emits invalid-escape warnings on current Python.
"""

from __future__ import annotations

import ctypes
import os
import re
import shutil
import signal
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.collectors import TimeLimit, TimeLimitCollector
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.qparser import MultifieldParser
from whoosh.query import And, AndNot, ConstantScoreQuery, NullQuery, Or, Prefix, Term
from whoosh.support.charset import accent_map

from wooarchive.indexer.isolation import PR_SET_PDEATHSIG


def _remember_missing_columns() -> None:
    """whoosh-reloaded asks the file system, for every posting of a field without a lengths
    column (the ID and numeric fields), whether that column's file exists: 86 stat calls a page,
    a fifth of the time a build takes. A segment's files do not change once written, so the
    per-document reader remembers the answer, "no such column" included."""
    from whoosh.codec import whoosh3

    reader = whoosh3.W3PerDocReader
    if getattr(reader, "woo_remembers", False):
        return
    original = reader._cached_reader

    def cached_reader(self, fieldname, column):
        if fieldname not in self._readers:
            self._readers[fieldname] = original(self, fieldname, column)
        return self._readers[fieldname]

    reader._cached_reader = cached_reader
    reader.woo_remembers = True


_remember_missing_columns()
_snowball = stemmer_for_language("nl")
# Pairs Snowball Dutch stems apart although a searcher means the same word.
STEM_OVERRIDES = {
    "gegevens": "gegev",
    "persoonsgegevens": "persoonsgegev",
    "verwerkingsregisters": "verwerkingsregister",
}


# The analyzer's version, stored beside each index: an index made with another is rebuilt by the
# next `woo index` (its pages would keep their old stems, and a search for a word would miss them).
ANALYZER_VERSION = "2"
ANALYZER_FILE = "woo-analyzer"


def dutch_stem(word: str) -> str:
    """Snowball's Dutch stem, with two mendings: pairs it keeps apart (STEM_OVERRIDES), and the
    plural -s after an e, which Snowball strips only after a consonant: `algoritmes`,
    `machines`, `websites` kept it while `algoritme` and `algoritmen` lost their ending, so a
    search for one form missed the other. Short words (adres, proces) are left as they were."""
    override = STEM_OVERRIDES.get(word)
    if override:
        return override
    stem = _snowball(word)
    if stem == word and len(word) >= 7 and word.endswith("es"):
        return _snowball(word[:-1])
    return stem


def dutch_analyzer():
    return (
        RegexTokenizer(r"\w+")
        | LowercaseFilter()
        | StopFilter(stoplist=frozenset(stopwords_for_language("nl")), minsize=1)
        | CharsetFilter(accent_map)
        | StemFilter(stemfn=dutch_stem, cachesize=50000)
    )


SCHEMA = Schema(
    key=ID(unique=True, stored=True),
    sha256=ID(stored=True),
    page=NUMERIC(int, stored=True),
    municipality=ID(stored=True),
    kind=ID(stored=True),
    title=TEXT(stored=True, analyzer=dutch_analyzer()),
    text=TEXT(analyzer=dutch_analyzer(), spelling=True),
)


SNIPPET = 160  # characters of a hit's text shown around its first match


def snippet(text: str, stems: list[str]) -> str:
    """The part of ``text`` around the first word that starts with one of the query's stems,
    every such word marked with «» (plain text; the web page escapes it and styles the marks).
    Whoosh's own highlighter analyses the whole page again for every hit, which cost more
    than the search itself; words start with their stem, so a pattern finds them."""
    text = " ".join(text.split())
    words = sorted({s for s in stems if len(s) >= 2}, key=len, reverse=True)
    if not words:
        return text[:SNIPPET]
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\w*", re.I)
    first = pattern.search(text)
    start = max(0, first.start() - SNIPPET // 3) if first else 0
    if start:
        start = text.find(" ", start) + 1 or start
    part = text[start : start + SNIPPET]
    marked = pattern.sub(lambda m: f"«{m.group(0)}»", part)
    return ("… " if start else "") + marked + (" …" if start + SNIPPET < len(text) else "")


@dataclass
class WhooshHit:
    sha256: str
    page: int
    title: str
    municipality: str
    kind: str
    score: float
    snippet: str


def exists(directory: Path) -> bool:
    return whoosh_index.exists_in(directory)


def open_index(directory: Path, create: bool = False):
    if create or not whoosh_index.exists_in(directory):
        directory.mkdir(parents=True, exist_ok=True)
        made = whoosh_index.create_in(directory, SCHEMA)
        (directory / ANALYZER_FILE).write_text(ANALYZER_VERSION)
        return made
    return whoosh_index.open_dir(directory)


def analyzer_current(directory: Path) -> bool:
    """Whether the index was made with this analyzer (an index of before the stamp: no)."""
    try:
        return (directory / ANALYZER_FILE).read_text().strip() == ANALYZER_VERSION
    except OSError:
        return False


def _fields(row: dict) -> dict:
    return dict(
        key=f"{row['sha256']}:{row['page']}",
        sha256=row["sha256"],
        page=row["page"],
        municipality=row["municipality_code"] or "",
        kind=row["kind"] or "other",
        title=row["title"] or "",
        text=row["text"] or "",
    )


def _subwriters_die_with_parent() -> None:
    """Whoosh's multi-process writer forks its sub-writers and feeds them through a queue: a
    `woo index` killed while building would leave them waiting on that queue for ever. Each
    asks the kernel to be killed with its parent (PR_SET_PDEATHSIG; Linux), and leaves at once
    if the parent is gone already."""
    from whoosh import multiproc

    task = multiproc.SubWriterTask
    if getattr(task, "woo_dies_with_parent", False):
        return
    original = task.run

    def run(self) -> None:
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # not Linux
            pass
        if os.getppid() != self._parent_pid:
            os._exit(1)
        original(self)

    task.run = run
    task.woo_dies_with_parent = True


def _write(ix, rows: Iterable[dict], delete: Iterable[tuple[str, str]] = (), procs: int = 1) -> int:
    """Delete the (field, term) pairs, add ``rows``, commit; all or nothing. With ``procs`` > 1
    the documents are analysed in that many processes, each writing a segment of its own
    (Whoosh's multi-process writer): 1.7 times the pages/s on two cores."""
    if procs > 1:
        _subwriters_die_with_parent()
        writer = ix.writer(procs=procs, multisegment=True, limitmb=128)
    else:
        writer = ix.writer(limitmb=256)
    count = 0
    try:
        for field_name, term in delete:
            writer.delete_by_term(field_name, term)
        for row in rows:
            writer.add_document(**_fields(row))
            count += 1
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    return count


def replace_documents(
    directory: Path, shas: Iterable[str], rows: Iterable[dict], drop_keys: Iterable[str] = ()
) -> int:
    """Make the index hold exactly ``rows`` (dicts with sha256, page, title, municipality_code,
    kind, text) for the documents ``shas``: their old pages are deleted first, so running it
    twice gives the same index. ``drop_keys`` are single pages (``sha256:page``) to delete."""
    deletions = [("sha256", sha) for sha in shas] + [("key", key) for key in drop_keys]
    return _write(open_index(directory), rows, deletions)


def rebuild(directory: Path, rows: Iterable[dict]) -> int:
    """A new index of ``rows``, built beside the live one and swapped in atomically: the path
    ``directory`` is a symbolic link to the current build, replaced in one rename. A rebuild
    that is killed leaves the old index in place and serving (and its half-built directory,
    removed by the next rebuild)."""
    parent = directory.parent
    for stale in parent.glob(f"{directory.name}.build-*"):
        if stale.resolve() != directory.resolve():
            shutil.rmtree(stale, ignore_errors=True)
    build = parent / f"{directory.name}.build-{time.time_ns()}"
    count = _write(open_index(build, create=True), rows, procs=os.cpu_count() or 1)
    old = directory.resolve() if directory.is_symlink() else None
    if directory.exists() and not directory.is_symlink():
        legacy = parent / f"{directory.name}.build-legacy"
        os.rename(directory, legacy)  # once, for an index made before indexes were swapped
        old = legacy
    link = parent / f"{directory.name}.swap"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(build.name)
    os.replace(link, directory)
    if old is not None and old != build:
        shutil.rmtree(old, ignore_errors=True)
    return count


def stored_keys(directory: Path) -> set[str]:
    """Every page key the index holds (deleted documents excluded)."""
    with open_index(directory).searcher() as searcher:
        return {fields["key"] for fields in searcher.all_stored_fields()}


def page_count(directory: Path) -> int:
    """Pages in the index (deleted ones not counted), from its table of contents: a searcher
    would open every segment's readers (250 MB at 100,000 pages) for one number, on every
    `woo index` that finds nothing new."""
    return open_index(directory).doc_count()


_searchers: dict[str, tuple[tuple, object]] = {}
EXACT_TOTAL_UP_TO = 1000
MAX_QUERY_CHARS = 200  # a search box query, not a document: longer is cut
MAX_TERMS = 12
MAX_SUGGEST_TERMS = 4  # spelling suggestions compare words with the vocabulary: bounded
PHRASE = re.compile(r'"([^"]+)"')


@dataclass(frozen=True)
class Clause:
    """One thing a visitor asked for: a word, an "exact phrase" or a prefix (`verwerk*`)."""

    kind: str  # word | phrase | prefix
    text: str


@dataclass
class VisitorQuery:
    """A search box's text as clauses: every group must match (a group is one clause, or
    clauses joined by OR), no negative may (NOT x, -x)."""

    groups: list[list[Clause]]
    negatives: list[Clause]

    def words(self) -> list[str]:
        return [c.text for group in self.groups for c in group if c.kind == "word"]


# a minus before a word says NOT; a hyphen inside one joins its parts (Súdwest-Fryslân, Woo-besluit)
TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)([\w*]+(?:-[\w*]+)*)', re.UNICODE)
OR_WORDS = {"OR", "OF"}  # written in capitals: "of" in lower case is a Dutch word
NOT_WORDS = {"NOT", "NIET"}
AND_WORDS = {"AND", "EN"}  # what every search does anyway
MIN_PREFIX = 3


def visitor_query(text: str) -> VisitorQuery:
    """The operators researchers type, in both searches' syntax: `privacy OR dpia`, `NOT camera`
    (or `-camera`), `"exacte zin"`, `verwerk*` (at least three letters before the star). Any
    other character is a space; the text and the number of clauses are bounded."""
    text = text[:MAX_QUERY_CHARS]
    groups: list[list[Clause]] = []
    negatives: list[Clause] = []
    join = negate = False
    count = 0
    for match in TOKEN.finditer(text):
        minus_phrase, phrase, minus_word, word = match.groups()
        if word in OR_WORDS:
            join = bool(groups)  # a leading OR joins nothing
            continue
        if word in NOT_WORDS:
            negate = True
            continue
        if word in AND_WORDS:
            continue
        if phrase is not None:
            words = " ".join(re.findall(r"\w+", phrase))
            clause = Clause("phrase", words) if " " in words else Clause("word", words)
            minus = bool(minus_phrase)
        elif "-" in word:  # the parts of a hyphenated word, one after the other
            parts = [part for part in word.replace("*", "").split("-") if part]
            clause = (
                Clause("phrase", " ".join(parts)) if len(parts) > 1 else Clause("word", parts[0])
            )
            minus = bool(minus_word)
        else:
            stem = word.rstrip("*")
            if "*" in stem:
                stem = stem.replace("*", "")
            if not re.search(r"\w", stem or ""):
                continue
            prefix = word.endswith("*") and len(stem) >= MIN_PREFIX
            clause = Clause("prefix" if prefix else "word", stem)
            minus = bool(minus_word)
        if not clause.text:
            continue
        count += 1
        if count > MAX_TERMS:
            break
        if negate or minus:
            negatives.append(clause)
        elif join:
            groups[-1].append(clause)
        else:
            groups.append([clause])
        join = negate = False
    return VisitorQuery(groups, negatives)


def _folded(text: str) -> str:
    """Lower case without accents, as the index's analyzer writes its words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def searcher_for(directory: Path):
    """A searcher kept open per index (a web server asks many times), opened again when the
    index has changed: judged by its table-of-contents files, because an index rebuilt from
    scratch can carry the same generation number as the one it replaced."""
    key = str(directory)
    stamp = tuple(
        sorted(
            (p.name, p.stat().st_mtime_ns, p.stat().st_ino) for p in Path(directory).glob("*.toc")
        )
    )
    cached = _searchers.get(key)
    if cached and cached[0] == stamp:
        return cached[1]
    if cached:
        cached[1].close()
    searcher = open_index(directory).searcher()
    _searchers[key] = (stamp, searcher)
    return searcher


@dataclass
class Found:
    hits: list[WhooshHit]
    total: int
    exact: bool  # False: the total is Whoosh's estimate (beyond EXACT_TOTAL_UP_TO hits)
    suggestion: str | None  # real words of the index's vocabulary, or None
    nothing_to_search: bool  # the query was only stop words ("de", "het")
    compounds: list[str]  # "verwerkingsregister -> verwerking register": searched for both


MAX_PAGE = 50  # deeper pages cost a search of all the hits before them
SEARCH_SECONDS = 0.02  # scoring stops here (the hits so far are ranked, the total estimated)
MIN_PART = 5  # the shortest word a compound is split into
# endings that are no word of their own: "werkelijk" is no "werke" + "lijk"
SUFFIXES = frozenset(
    "lijk lijke heid heden schap schappen baar bare isch ische loos loze tje".split()
)


class DeadlineCollector(TimeLimitCollector):
    """Whoosh's time limit, kept by the search itself: Whoosh's own starts a timer thread per
    search, which on a busy server (the GIL, a thread to start) noticed a 15 ms limit after up
    to 56 ms. This one looks at the clock every 64 matched documents (a few hundred
    microseconds apart) and stops there, with at least the first hit."""

    EVERY = 64

    def prepare(self, top_searcher, q, context):
        self.child.prepare(top_searcher, q, context)
        self.timedout = False
        self.deadline = time.perf_counter() + self.timelimit

    def collect_matches(self):
        child, deadline, clock = self.child, self.deadline, time.perf_counter
        for count, sub_docnum in enumerate(child.matches()):
            child.collect(sub_docnum)  # the first hit is always kept
            if not count % self.EVERY and clock() > deadline:
                self.timedout = True
                raise TimeLimit


def _analysed(searcher, word: str) -> str | None:
    """The index term of ``word`` (stemmed, folded), or None for a stop word."""
    terms = [t.text for t in searcher.schema["text"].analyzer(word)]
    return terms[0] if terms else None


def split_compound(searcher, word: str) -> tuple[str, str] | None:
    """A Dutch compound as two words the index knows ("verwerkingsregister" -> "verwerking",
    "register"; a linking s or e(n) dropped), the split whose rarer part is commonest; None
    when no split has both parts in the index."""
    word = word.lower()
    if len(word) < 2 * MIN_PART or len(word) > 40:
        return None
    best, best_frequency = None, 0
    for cut in range(MIN_PART, len(word) - MIN_PART + 1):
        right = word[cut:]
        if right in SUFFIXES:
            continue
        head = word[:cut]
        for left in {head, head.removesuffix("s"), head.removesuffix("e"), head.removesuffix("en")}:
            if len(left) < MIN_PART:
                continue
            terms = [_analysed(searcher, part) for part in (left, right)]
            if None in terms:
                continue
            frequency = min(searcher.doc_frequency("text", term) for term in terms)
            if frequency > best_frequency:
                best, best_frequency = (left, right), frequency
    return best


MIN_HEAD = 5  # the shortest stem searched as the head of compounds
MAX_HEADS = 20  # compounds a word is searched in at most: the commonest of them
MAX_HEAD_CANDIDATES = 200  # compounds looked at to find the commonest (the lexicon, in order)
HEAD_BOOST = 0.5


def _compounds_headed_by(searcher, word: str) -> list:
    """Text terms of the index that begin with ``word``'s stem and are longer (its compounds
    and other forms: algoritme -> algoritmeregister, algoritmes), the MAX_HEADS commonest; none
    for a short stem (it would begin too many words). Each term is scored like a word of the
    query, so their number is what a search costs: bounded."""
    stem = _analysed(searcher, word)
    if stem is None or len(stem) < MIN_HEAD:
        return []
    reader = searcher.reader()
    candidates = []
    for term in reader.expand_prefix("text", stem):
        term = term.decode() if isinstance(term, bytes) else term
        if term != stem:
            candidates.append(term)
        if len(candidates) >= MAX_HEAD_CANDIDATES:
            break
    commonest = sorted(candidates, key=lambda t: -reader.doc_frequency("text", t))[:MAX_HEADS]
    return [Term("text", term, boost=HEAD_BOOST) for term in commonest]


def search(
    directory: Path,
    query: str,
    text_of,
    *,
    municipality: str | None = None,
    kind: str | None = None,
    limit: int = 10,
    page: int = 1,
    seconds: float = SEARCH_SECONDS,
) -> Found:
    """Ranked hits (``limit`` a page, page ``page``), the total, a "did you mean" of real words,
    and which compounds were also searched as their parts. ``text_of(sha256, page)`` gives a
    page's text for the highlighted snippet. Scoring stops after ``seconds`` (a page of the
    site: SEARCH_SECONDS; a download of every hit may take longer)."""
    searcher = searcher_for(directory)
    # every clause must occur (in the title or the text), as researchers expect of a search box
    parser = MultifieldParser(["title", "text"], searcher.schema, fieldboosts={"title": 2.0})
    typed = query[:MAX_QUERY_CHARS]
    asked = visitor_query(typed)
    compounds: list[str] = []

    def clause_query(clause: Clause, split_compounds: bool):
        if clause.kind == "prefix":
            folded = _folded(clause.text)
            return Or([Prefix("text", folded), Prefix("title", folded)])
        together = parser.parse(f'"{clause.text}"')
        if together is NullQuery or not list(together.iter_all_terms()):
            return None  # a stop word
        heads = _compounds_headed_by(searcher, clause.text) if clause.kind == "word" else []
        if heads:
            # the word as the head of compounds (algoritme: algoritmeregister), below the word
            together = Or([together, *heads])
        # a compound is also found written apart: verwerkingsregister, "register van verwerkingen"
        split = split_compound(searcher, clause.text) if split_compounds else None
        if clause.kind == "word" and split:
            compounds.append(f"{clause.text} -> {' '.join(split)}")
            return Or([together, And([parser.parse(f'"{part}"') for part in split])])
        return together

    clauses = []
    for group in asked.groups:
        parts = [q for q in (clause_query(c, True) for c in group) if q is not None]
        if parts:
            clauses.append(parts[0] if len(parts) == 1 else Or(parts))
    if not clauses:  # nothing but stop words, or only what must not occur
        return Found([], 0, True, None, True, [])
    positive = And(clauses) if len(clauses) > 1 else clauses[0]
    negatives = [q for q in (clause_query(c, False) for c in asked.negatives) if q is not None]
    parsed = AndNot(positive, Or(negatives)) if negatives else positive
    filters = [Term("municipality", municipality.upper())] if municipality else []
    if kind:
        filters.append(Term("kind", kind))
    page = max(1, min(page, MAX_PAGE))
    allowed = And(filters) if filters else None
    if allowed is not None and next(iter(searcher.docs_for_query(allowed)), None) is None:
        # Whoosh takes a filter that allows nothing for no filter at all
        return Found([], 0, True, None, False, compounds)
    # a word on most pages has a posting for most of a million pages, and Whoosh scores them
    # all: the search stops after SEARCH_SECONDS with the best hits scored so far, and the total
    # is then an estimate
    collector = DeadlineCollector(
        searcher.collector(limit=page * limit),
        timelimit=seconds,
        use_alarm=False,  # signals belong to the main thread; Datasette searches in others
    )
    # the filter is part of the query (at a constant score, so the ranking is the query's):
    # a filter collector would sit outside the time limit and never be stopped
    searched = And([parsed, ConstantScoreQuery(allowed)]) if allowed is not None else parsed
    try:
        searcher.search_with_collector(searched, collector)
        cut = False
    except TimeLimit:
        cut = True
    results = collector.results()
    stems = [text for field, text in positive.iter_all_terms() if field == "text"]
    stems = [s.decode() if isinstance(s, bytes) else s for s in stems]
    hits = []
    for hit in results[(page - 1) * limit : page * limit]:
        text = text_of(hit["sha256"], hit["page"])
        shown = snippet(text, stems)
        hits.append(
            WhooshHit(
                hit["sha256"],
                hit["page"],
                hit["title"],
                hit["municipality"],
                hit["kind"],
                round(hit.score, 3),
                shown,
            )
        )
    suggestion = _suggestion(searcher, parser, asked, typed) if not compounds else None
    # Whoosh's estimate counts deleted (updated) documents too, so small totals are counted
    # exactly, also when the time limit cut the scoring short (a busy machine can pass it at
    # the first hit: the estimate then said 29 for 28 pages); only beyond a thousand hits,
    # where counting costs more than the search, is the estimate given
    estimate = results.estimated_length()
    if estimate <= EXACT_TOTAL_UP_TO:
        total = sum(1 for _ in searcher.docs_for_query(searched)) if cut else len(results)
        return Found(hits, total, True, suggestion, False, compounds)
    return Found(hits, estimate, False, suggestion, False, compounds)


def _suggestion(searcher, parser, asked: VisitorQuery, typed: str) -> str | None:
    """Did you mean: the visitor's own text with its unknown words corrected, and nothing
    else: operators, phrases and prefixes stay as typed. Spelling correction is the costly
    part of a search, so only when a word is unknown, and for a few words; the corrections come
    from the unstemmed words of the index, so they are words, not stems."""
    words = asked.words()
    if not words or len(words) > 2 * MAX_SUGGEST_TERMS:
        return None
    written = parser.parse(" ".join(f'"{w}"' for w in words))
    terms = list(written.iter_all_terms())
    if not any(field == "text" and searcher.doc_frequency(field, t) == 0 for field, t in terms):
        return None
    corrections = {}
    for word in words:
        one = parser.parse(f'"{word}"')
        known = [
            searcher.doc_frequency(field, t) > 0
            for field, t in one.iter_all_terms()
            if field == "text"
        ]
        if not known or all(known):
            continue
        corrected = searcher.correct_query(one, f'"{word}"')
        fixed = corrected.string.replace('"', "").strip()
        if corrected.query != one and fixed and fixed != word:
            corrections[word] = fixed
    if not corrections:
        return None
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in corrections) + r")\b")
    return pattern.sub(lambda m: corrections[m.group(1)], typed)


def more_like(
    directory: Path, sha256: str, text: str, limit: int = 10
) -> list[tuple[str, int, float]]:
    """Pages like ``text`` in other documents: (sha256, page, score), best first."""
    ix = open_index(directory)
    with ix.searcher() as searcher:
        docnum = searcher.document_number(sha256=sha256)
        if docnum is None:
            return []
        results = searcher.more_like(docnum, "text", text=text, top=limit * 3, numterms=40)
        seen, found = {sha256}, []
        for hit in results:
            if hit["sha256"] in seen:
                continue
            seen.add(hit["sha256"])
            found.append((hit["sha256"], hit["page"], round(hit.score, 3)))
            if len(found) == limit:
                break
        return found


def shingles(text: str, size: int = 5) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}


def similarity(a: str, b: str) -> float:
    """Share of five-word runs two texts have in common (Jaccard): 1.0 is the same text."""
    left, right = shingles(a), shingles(b)
    if not left or not right:
        return 0.0
    return round(len(left & right) / len(left | right), 3)
