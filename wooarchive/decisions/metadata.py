"""What a Woo decision says, from its pages: when it was decided, when the request was received,
under which law, with what outcome, how many documents, which grounds, whether the term was
extended (verdaging). Every value comes with its evidence: the page and the sentence it was read
from. A value that cannot be found stays empty with the reason; a date in the future is not
believed. Nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from wooarchive.decisions.grounds import Ground, find_grounds
from wooarchive.dutch import MONTHS, long_date

# What the notes of a decision call its values (they are shown on the Dutch site as they are)
VALUE_NAMES = {
    "decided_on": "datum van het besluit",
    "received_on": "datum waarop het verzoek is ontvangen",
    "law": "wet (Woo of Wob)",
    "outcome": "uitkomst",
}

# month names as letters write them, in full or abbreviated ("20 SEP. 2016", "3 mrt 2026")
ABBREVIATIONS = {
    "jan": 1,
    "feb": 2,
    "mrt": 3,
    "maa": 3,
    "apr": 4,
    "mei": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "okt": 10,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
DATE = re.compile(
    r"\b(?P<day>\d{1,2})\s+(?P<month>"
    + "|".join(MONTHS)
    + r"|(?:"
    + "|".join(ABBREVIATIONS)
    + r")[a-z]*\.?)\s+(?P<year>(?:19|20)\d{2})\b"
    r"|\b(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>(?:19|20)\d{2})\b",
    re.I,
)
DATE_LABEL = re.compile(r"^(datum|verzenddatum|verzonden|dagtekening)\s*:?$", re.I)
DECIDED = re.compile(r"\b(datum|verzenddatum|dagtekening)\b\s*:?\s*$|\bdatum\s*:", re.I)
RECEIVED = re.compile(
    r"ontvangen|ontving(en)?|ingekomen|binnengekomen|hebben\s+(wij|we)\s+uw\s+(woo-|wob-)?verzoek|"
    r"uw\s+(woo-|wob-)?verzoek\b.{0,40}\b(d\.\s?d\.|gedateerd)|"
    r"uw\s+(woo-|wob-)?verzoek\s+(van|d\.?d\.?|gedateerd)",
    re.I,
)
OUTCOMES = [  # first that fires wins: a partial grant mentions both openbaar and niet openbaar
    (
        "gedeeltelijk openbaar",
        re.compile(
            r"(gedeeltelijk|deels|ten\s+dele)\s+(openbaar|toe\s*te\s*wijzen|in\s+te\s+willigen)"
            r"|gedeeltelijk\s+toe"
            # what is published with passages blacked out is published in part
            r"|(passages|gegevens|delen)\s+(zijn\s+)?(onleesbaar\s+gemaakt|(zwart|weg)gelakt)",
            re.I,
        ),
    ),
    ("reeds openbaar", re.compile(r"(reeds|al)\s+openbaar", re.I)),
    (
        "niet in bezit",
        re.compile(
            r"geen\s+documenten\s+(aangetroffen|gevonden)|niet\s+(in\s+(ons|het)\s+bezit|onder\s+(ons|het\s+college)\s+berust)|beschikken\s+niet\s+over",
            re.I,
        ),
    ),
    (
        "niet openbaar",
        re.compile(
            r"(niet|geen)\s+openbaar\s+te\s+maken|verzoek\s+af\s+te\s+wijzen|weiger|wijs\s+.{0,30}\s+af\b",
            re.I,
        ),
    ),
    (
        "geheel openbaar",
        re.compile(
            r"(geheel|volledig)?\s*openbaar\s+te\s+maken|openbaar\s+gemaakt|toe\s+te\s+wijzen|in\s+te\s+willigen",
            re.I,
        ),
    ),
]
COUNT = re.compile(r"\b(?P<n>\d{1,5})\s+(relevante\s+)?documenten\b(?![^.]{0,40}\bper\b)", re.I)
VERDAGING = re.compile(
    r"verdaagd|verdaging|(termijn|beslistermijn)\s+.{0,40}verlengd|verlengd\s+met", re.I
)
WOO = re.compile(r"\bWoo\b|Wet\s+open\s+overheid", re.I)
WOB = re.compile(r"\bWob\b|Wet\s+openbaarheid\s+van\s+bestuur", re.I)


@dataclass(frozen=True)
class Evidence:
    page: int
    sentence: str


@dataclass
class Decision:
    decided_on: date | None = None
    received_on: date | None = None
    law: str | None = None  # woo | wob
    outcome: str | None = None
    documents: int | None = None
    verdaging: bool = False
    grounds: list[tuple[Ground, Evidence]] = field(default_factory=list)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _sentences(pages: list[tuple[int, str]]):
    for number, text in pages:
        # a sentence ends before a capital, not at "d.d." or "art." before a number
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z])|\n{2,}|\n(?=[A-Z])", text or ""):
            sentence = " ".join(sentence.split())
            if sentence:
                yield number, sentence


def _date(match: re.Match) -> date | None:
    try:
        if match.group("day"):
            name = match.group("month").lower().rstrip(".")
            month = MONTHS.index(name) + 1 if name in MONTHS else ABBREVIATIONS[name[:3]]
            return date(int(match.group("year")), month, int(match.group("day")))
        return date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    except ValueError:
        return None


def read_decision(pages: list[tuple[int, str]], today: date | None = None) -> Decision:
    """A decision's metadata from its pages [(page number, text)], with evidence."""
    today = today or date.today()
    result = Decision()
    sentences = list(_sentences(pages))
    head = sentences[:40]  # the letterhead: where a decision is dated

    def keep(name: str, value, page: int, sentence: str):
        if getattr(result, name) in (None, False):
            setattr(result, name, value)
            result.evidence[name] = Evidence(page, sentence[:400])

    first_page = [(p, s) for p, s in sentences if p == sentences[0][0]] if sentences else []
    for index, (page, sentence) in enumerate(first_page):
        # "Datum: 12 maart 2026", or a "Verzenddatum" label with the date on the next line
        # (anywhere on the first page: OCR reads a letterhead's side column last)
        labelled = index > 0 and DATE_LABEL.match(first_page[index - 1][1])
        for match in DATE.finditer(sentence):
            when = _date(match)
            if when and (labelled or DECIDED.search(sentence[: match.start()] or sentence)):
                evidence = f"{first_page[index - 1][1]} {sentence}" if labelled else sentence
                keep("decided_on", when, page, evidence)
    for page, sentence in sentences:
        if RECEIVED.search(sentence):
            for match in DATE.finditer(sentence):
                when = _date(match)
                if when:
                    keep("received_on", when, page, sentence)
                    break
    if result.decided_on is None:  # else the first date of the letterhead, as letters are dated
        for page, sentence in head:
            match = DATE.search(sentence)
            if match and _date(match) and not RECEIVED.search(sentence):
                keep("decided_on", _date(match), page, sentence)
                break
    for name in ("decided_on", "received_on"):
        when = getattr(result, name)
        if when and when > today:
            result.problems.append(
                f"{VALUE_NAMES[name]} gelezen als {long_date(when)}, maar die dag moet nog "
                f"komen: niet gebruikt (p. {result.evidence[name].page}: "
                f"{result.evidence[name].sentence[:120]})"
            )
            setattr(result, name, None)
            result.evidence.pop(name)
    if result.decided_on and result.received_on and result.received_on > result.decided_on:
        result.problems.append(
            "het verzoek zou na de datum van het besluit zijn ontvangen: datums niet gebruikt"
        )
        result.received_on = None
        result.evidence.pop("received_on")
    woo = sum(len(WOO.findall(s)) for _, s in sentences)
    wob = sum(len(WOB.findall(s)) for _, s in sentences)
    if woo or wob:
        law = "woo" if woo >= wob else "wob"
        pattern = WOO if law == "woo" else WOB
        page, sentence = next((p, s) for p, s in sentences if pattern.search(s))
        keep("law", law, page, sentence)
    for outcome, pattern in OUTCOMES:
        hit = next(((p, s) for p, s in sentences if pattern.search(s)), None)
        if hit:
            keep("outcome", outcome, *hit)
            break
    for page, sentence in sentences:
        match = COUNT.search(sentence)
        if match:
            keep("documents", int(match.group("n")), page, sentence)
            break
    hit = next(((p, s) for p, s in sentences if VERDAGING.search(s)), None)
    if hit:
        keep("verdaging", True, *hit)
    seen = set()
    for page, sentence in sentences:
        for ground in find_grounds(sentence):
            if (ground.code, page) in seen:
                continue
            seen.add((ground.code, page))
            result.grounds.append((ground, Evidence(page, sentence[:400])))
    for name in ("decided_on", "received_on", "law", "outcome"):
        if getattr(result, name) is None:
            result.problems.append(f"geen {VALUE_NAMES[name]} gevonden in de tekst")
    return result
