"""Dutch cues (and Frisian and English ones): which links are worth following, and what a
document is.

Fryslân's municipalities publish in Frisian first (privacyferklearring, funksjonaris foar
gegevensbeskerming, ferwurkingsregister, Woo-fersyk, beslút) and many have English pages: the
cues know those words too, and a page's declared language is part of its evidence.

Both decisions are made from what a person would read: a page's title and heading, the link
text that led to it, its URL, and its text. Every classification returns the evidence (which cue
fired where) so that a researcher can check why a document was counted as, say, a processing
register.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Kind -> patterns. Order matters for ties: more specific kinds first.
KIND_CUES: dict[str, list[str]] = {
    "processing_register": [
        r"verwerkingsregister",
        r"register\s+van\s+verwerkings?(activiteiten|en)",
        r"verwerkingsactiviteiten",
        r"register\s+verwerkingen",
        r"ferwurkingsregister",
        r"register\s+fan\s+ferwurkings?(aktiviteiten|en)",
        r"record\s+of\s+processing\s+activities",
    ],
    "dpia": [
        r"\bdpia'?s?\b",
        r"gegevensbeschermingseffectbeoordeling",
        r"data\s+protection\s+impact\s+assessment",
    ],
    "fg_contact": [
        r"functionaris\s+(voor\s+de\s+|voor\s+)?gegevensbescherming",
        r"\bfg\b",
        r"data\s+protection\s+officer",
        r"funksjonaris\s+(foar\s+)?gegevensbeskerming",
    ],
    "algorithm_register": [
        r"algoritme[n]?register",
        r"algoritme[n]?\s*register",
        r"\balgoritmes?\b",
    ],
    "privacy_statement": [
        r"privacyverklaring",
        r"privacy\s*statement",
        r"privacybeleid",
        r"privacyreglement",
        r"privacyferklearring",
        r"privacy\s+(notice|policy)",
        r"\bprivacy\b",
    ],
    "woo_decision": [
        r"\b(woo|wob)[-\s]?besluit\b",
        r"besluit\s+op\s+(uw\s+|het\s+|een\s+)?(woo|wob)[-\s]?verzoek",
        r"beslissing\s+op\s+(uw\s+|het\s+|een\s+)?(woo|wob)[-\s]?verzoek",
        r"\bwoo[-\s]?besl[uú]t\b",
        r"besl[uú]t\s+op\s+(jo\s+|it\s+|in\s+)?woo[-\s]?fersyk",
    ],
    "woo_page": [
        r"wet\s+open\s+overheid",
        r"wet\s+iepen\s+oerheid",
        r"woo[-\s]?fersyk(en)?",
        r"open\s+government\s+act",
        r"(woo|wob)[-\s]?besluiten",
        r"(woo|wob)[-\s]?verzoek(en)?",
        r"openbaar\s+gemaakt",
        r"openbaarmaking(en)?",
        r"\bwoo\b(?!-archive)",
    ],
}
KINDS_IN_ORDER = list(KIND_CUES)
COMPILED = {kind: [re.compile(p, re.I) for p in pats] for kind, pats in KIND_CUES.items()}
ANY_CUE = {
    kind: re.compile("|".join(f"(?:{p})" for p in pats), re.I) for kind, pats in KIND_CUES.items()
}

# Words that lead towards what we look for without naming it: worth a link, not a kind.
NAVIGATION = re.compile(
    r"over\s+de\s+gemeente|bestuur|organisatie|openbaar|publicaties|documenten|bekendmaking|"
    r"persoonsgegevens|\bavg\b|gegevensbescherming|transparan|informatie\s+opvragen|"
    r"regelgeving|beleid",
    re.I,
)
PAGINATION = re.compile(r"^\s*(volgende|next|›|»|>|\d{1,3})\s*(pagina|page)?\s*[›»>]?\s*$", re.I)
DOCUMENT_EXTENSIONS = (".pdf", ".docx", ".doc", ".xlsx", ".xls", ".ods", ".odt", ".csv")

# what a decision's text says somewhere; a released document listed beside it need not
DECISION_WORDS = re.compile(
    r"besluit|beslissing|beschikking|verzoek|openbaarmaking|wet\s+open\s+overheid|\bwo[ob]\b",
    re.I,
)

WEIGHTS = {"title": 3, "anchor": 3, "url": 2, "text": 1}
TEXT_HITS_CAP = 3
# Below this, cues are passing mentions (a menu item in the body text), not what the page is.
MIN_SCORE = 3


@dataclass
class Classification:
    kind: str
    score: int
    evidence: list[str] = field(default_factory=list)


def url_words(url: str) -> str:
    """A URL's host-less path and query as words ("/woo-besluiten?p=2" -> "woo besluiten p 2")."""
    return re.sub(r"[/_.?=&%-]+", " ", url.split("://", 1)[-1].split("/", 1)[-1])


def classify(
    *,
    url: str,
    title: str = "",
    anchor: str = "",
    text: str = "",
    is_document: bool = False,
    from_woo_listing: str | None = None,
    document_links: int = 0,
) -> Classification:
    """The kind with the most weight of cues; ``other`` when nothing fired.

    ``from_woo_listing`` is the URL of a Woo listing that linked to a document: a PDF listed
    there is a Woo decision even when its own name says nothing. An HTML page whose cues say
    "Woo decision" but that links to several documents is a listing (``woo_page``), not a
    decision.
    """
    fields = {"title": title, "anchor": anchor, "url": url_words(url), "text": text}
    scores: dict[str, int] = {}
    evidence: dict[str, list[str]] = {}
    named: set[str] = set()  # kinds cued outside the body text
    for kind, patterns in COMPILED.items():
        if is_document and kind == "woo_page":
            continue  # a file is not a page about the Woo; Woo files are decisions or other
        for where, value in fields.items():
            if not value or not ANY_CUE[kind].search(value):
                continue  # most fields name no kind: one search says so
            # the best-matching pattern counts, so overlapping patterns do not add up
            hits, match = max(
                ((len(p.findall(value)), p.search(value)) for p in patterns), key=lambda h: h[0]
            )
            if not hits:
                continue
            evidence.setdefault(kind, []).append(f"{where} matches {match.group(0)!r}")
            if where != "text":
                named.add(kind)
            times = min(hits, TEXT_HITS_CAP) if where == "text" else 1
            scores[kind] = scores.get(kind, 0) + WEIGHTS[where] * times
    if is_document and from_woo_listing:
        listed = f"listed on Woo page {from_woo_listing}"
        if text.strip() and not scores and not DECISION_WORDS.search(text):
            # a file beside the decision on a platform's page (an e-mail, a memo): released
            # under the Woo, not a decision; a scan (no text yet) is given the benefit
            return Classification("woo_document", 3, [listed, "its text reads as no decision"])
        scores["woo_decision"] = scores.get("woo_decision", 0) + 3
        evidence.setdefault("woo_decision", []).append(listed)
    if not is_document:
        # a page is what its title, heading, URL or link text say; body text only supports that
        scores = {k: v for k, v in scores.items() if k in named}
    if not is_document and document_links >= 2 and scores.get("woo_decision"):
        scores["woo_page"] = scores.get("woo_page", 0) + scores.pop("woo_decision")
        evidence.setdefault("woo_page", []).extend(
            [*evidence.pop("woo_decision", []), f"lists {document_links} documents"]
        )
    best = max(KINDS_IN_ORDER, key=lambda k: (scores.get(k, 0), -KINDS_IN_ORDER.index(k)))
    if scores.get(best, 0) < MIN_SCORE:
        return Classification("other", scores.get(best, 0), evidence.get(best, []))
    return Classification(best, scores[best], evidence[best])


def listing_of(evidence: str | None) -> str | None:
    """The Woo listing page a document was found on, from its kind evidence."""
    found = re.search(r"listed on Woo page (\S+)", evidence or "")
    return found.group(1).rstrip('",]') if found else None


def link_score(anchor: str, url: str) -> int:
    """How strongly a link points at something we look for: 3 per kind cue in its text or URL,
    1 for a navigation cue, 0 for nothing."""
    score = 0
    words = f"{anchor} {url_words(url)}"
    for patterns in COMPILED.values():
        if any(p.search(words) for p in patterns):
            score += 3
    if NAVIGATION.search(words):
        score += 1
    return score


def is_pagination(anchor: str, rel: str = "") -> bool:
    return "next" in rel.lower().split() or bool(PAGINATION.match(anchor or ""))


# a page that answers 200 but says it is not there (a CMS's soft 404)
NOT_FOUND = re.compile(
    r"pagina\s+(is\s+)?niet\s+gevonden|niet\s+gevonden|bestaat\s+niet(\s+meer)?|"
    r"page\s+not\s+found|not\s+found|\b404\b|helaas.{0,40}(niet|geen).{0,40}(gevonden|beschikbaar)",
    re.I,
)
SOFT_404_MAX_TEXT = 1500  # characters of text: a real page says more than "not found"


def soft_404(title: str, heading: str, text: str) -> str | None:
    """Why a page answered with 200 is really a "not found" page, or None: not-found wording
    in its title or first heading, and little else on it."""
    for where, value in (("title", title), ("heading", heading)):
        found = NOT_FOUND.search(value or "")
        if found and len(text.strip()) <= SOFT_404_MAX_TEXT:
            return f"{where} says {found.group(0)!r} and the page has little else"
    return None


# Publication platforms municipalities put their Woo decisions on, recognised by host name:
# OpenWoo (openwoo.app, open.<gemeente>.nl), GPP-Woo and other "woo." hosts, iBabs, Notubiz and
# the council information systems built on them.
PLATFORM_HOST = re.compile(
    r"openwoo|(^|\.)(open|woo|wooverzoeken|publicaties)\.|gpp-?woo|ibabs|notubiz|"
    r"bestuurlijkeinformatie|raadsinformatie|besluitvorming",
    re.I,
)
WOO_KINDS = ("woo_page", "woo_decision")
# query parameters that page through a listing rather than filter it
PAGE_PARAMS = {"page", "pagina", "p", "pg", "start", "offset", "paginanummer", "pagenr", "from"}


def woo_cue(text: str) -> bool:
    """Whether ``text`` (link text and URL words) names the Woo or a Woo decision."""
    return any(p.search(text) for kind in WOO_KINDS for p in COMPILED[kind])


def is_platform_host(host: str) -> bool:
    return bool(PLATFORM_HOST.search(host))


def slug(name: str) -> str:
    """A municipality's name as hosts and paths write it: "Súdwest-Fryslân" -> "sudwestfryslan"."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.lower())


def names(text: str, municipality_slug: str) -> bool:
    """Whether ``text`` (a host, a path, a link text) names the municipality."""
    return bool(municipality_slug) and municipality_slug in slug(text)


def looks_like_document(url: str) -> bool:
    path = url.split("?", 1)[0].split("#", 1)[0].lower()
    return path.endswith(DOCUMENT_EXTENSIONS)
