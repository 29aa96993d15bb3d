"""Is this text something a person wrote, or noise?

A PDF's text layer can be empty, a scanner's stamp on an otherwise image-only page, or glyph-ID
noise from a Type3 font without a ToUnicode map. Length alone cannot tell these from a short
real page, so the decision uses what real Dutch (or English) text looks like: words made of
letters with vowels, a share of the most common function words, few stray symbols.
"""

from __future__ import annotations

import re
import unicodedata

COMMON = set(
    """de het een en van in op te dat die voor met is zijn aan er niet als bij door of om ook
    naar uit over tot dan nog wel dit deze wordt worden werd kan zal heeft hebben u uw wij we
    ons onze hun zij ze hij haar geen meer maar na tegen onder al zo wat wie waar hoe
    the of and to in is for on that with by as be are this from or at an it not""".split()
)
WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
VOWELS = set("aeiouyáéíóúàèëïöüâêîôû")


def _stray(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category in ("Co", "Cn", "Cs") or ch == "\ufffd":
        return True  # private use, unassigned, surrogate, replacement character
    if category == "Cc" and ch not in "\n\r\t\f":
        return True
    return ch.isalpha() and ord(ch) > 0x24F  # letters outside Latin: not Dutch text


def text_quality(text: str) -> float:
    """A score from 0 (noise) to 1 (ordinary prose)."""
    stripped = "".join(text.split())
    if not stripped:
        return 0.0
    tokens = WORD.findall(text)
    if not tokens:
        return 0.0
    stray = sum(_stray(ch) for ch in stripped) / len(stripped)
    wordlike = sum(1 for t in tokens if 1 < len(t) <= 25 and set(t.lower()) & VOWELS) / len(tokens)
    common = sum(1 for t in tokens if t.lower() in COMMON) / len(tokens)
    letters = sum(ch.isalpha() for ch in stripped) / len(stripped)
    score = 0.4 * wordlike + 0.3 * min(1.0, common * 5) + 0.3 * letters
    return round(max(0.0, score - 3 * stray), 3)


def needs_ocr(
    text: str, has_images: bool, *, threshold: float = 0.5, scan_words: int = 25
) -> str | None:
    """Why a page should be OCR'd, or None when its text layer will do."""
    words = len(WORD.findall(text))
    if words == 0:
        return "no text layer"
    quality = text_quality(text)
    if quality < threshold:
        return f"text layer looks like noise (quality {quality:.2f})"
    if has_images and words < scan_words:
        return f"an image with only {words} words of text: a scan"
    return None
