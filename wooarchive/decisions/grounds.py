"""Exception grounds, however a decision writes them, as canonical codes.

Decisions cite the same ground in many ways: "artikel 5.1, tweede lid, aanhef en onder e, van de
Woo", "5.1 lid 2 sub e", "5.1.2.e", "art. 5.1, lid 2, onder e Woo", "5.1.2e" in an inventory.
All of them are `5.1.2e`. Canonical codes: Woo `5.1.1a`-`5.1.1e` (absolute grounds),
`5.1.2a`-`5.1.2i` (relative grounds), `5.1.5`, `5.2` (personal policy opinions), `5.4`; the old
Wob `10.1a`-`10.1d`, `10.2a`-`10.2g` and `11.1`. A code that does not exist in the law (5.1.2k)
is kept with a reason, never silently dropped or guessed into an existing one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ORDINALS = {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5}
LETTERS = {"5.1.1": "abcde", "5.1.2": "abcdefghi", "10.1": "abcd", "10.2": "abcdefg"}
WHOLE = {"5.1.5", "5.2", "5.4", "11.1"}  # grounds without letters

PATTERN = re.compile(
    r"""
    (?P<prefix>\b(?:artikel|art\.?)\s*)?
    (?<![\d.])(?P<art>5\.[1-4]|10|11)(?![\d])
    (?:
        \.(?P<lid_d>[1-5])(?:\s*\.\s*|\s*,?\s*(?:aanhef\s+en\s+)?(?:onder|sub|letter)\s*|\s*)
            (?P<let_d>[a-k])\b
      | \.(?P<lid_only>[1-5])(?![\d.a-z])
      | [\s,]*(?:
            (?P<lid_w>eerste|tweede|derde|vierde|vijfde)\s+lid
          | lid\s*(?P<lid_n>[1-5])(?:\s*(?P<let_n>[a-k])\b)?
          | (?P<lid_o>[1-5])e\s+lid
        )
        (?:[\s,]*(?:aanhef\s+en\s+)?(?:onder|sub|letter)\s*(?P<let_w>[a-k])\b)?
    )?
    """,
    re.X | re.I,
)


MORE_LETTERS = re.compile(r"(?:\s*(?:,|en|of)\s*(?:onder\s+|sub\s+)?[a-k]\b(?![.\-]\w))+", re.I)


@dataclass(frozen=True)
class Ground:
    code: str  # canonical, e.g. 5.1.2e
    notation: str  # as the decision wrote it
    valid: bool
    reason: str | None = None  # why it is not a valid code


def _code(art: str, lid: int | None, letter: str | None) -> str | None:
    if art == "5.1":
        if lid is None:
            return None  # "artikel 5.1 Woo" names the article, not a ground
        base = f"5.1.{lid}"
        return base + (letter or "") if lid in (1, 2) else base
    if art in ("5.2", "5.3", "5.4"):
        return art
    if art == "10":
        return f"10.{lid}{letter or ''}" if lid else None
    if art == "11":
        return "11.1" if lid in (None, 1) else f"11.{lid}"
    return None


def _check(code: str) -> str | None:
    """Why ``code`` is not a ground in the law, or None."""
    if code in WHOLE:
        return None
    base, letter = code[:-1], code[-1]
    if base in LETTERS:
        return None if letter in LETTERS[base] else f"the law has no letter {letter} in {base}"
    if code in LETTERS:
        return None  # a paragraph named without its letter: valid, but not precise
    return f"{code} is not an exception ground of the Woo or the Wob"


def find_grounds(text: str, bare: bool = False) -> list[Ground]:
    """Every ground cited in ``text``, in order. ``bare``: the text is a grounds column (an
    inventory's "5.2; 10.2e"), where a number without "artikel" is a citation too."""
    found: list[Ground] = []
    for match in PATTERN.finditer(text):
        groups = match.groupdict()
        lid = int(
            groups["lid_d"] or groups["lid_only"] or groups["lid_n"] or groups["lid_o"] or 0
        ) or ORDINALS.get((groups["lid_w"] or "").lower())
        letter = (groups["let_d"] or groups["let_n"] or groups["let_w"] or "").lower() or None
        if not bare and not groups["prefix"] and not (lid or letter):
            continue  # a bare "5.1" or "10" is a section number or a count, not a citation
        if not bare and groups["art"] in ("10", "11") and not groups["prefix"]:
            continue  # "10" without "artikel" is a number
        code = _code(groups["art"], lid, letter)
        if code is None:
            continue
        reason = _check(code)
        found.append(Ground(code, " ".join(match.group(0).split()), reason is None, reason))
        if letter and code.endswith(letter):
            # "onder e en i", "sub b, c en g": the same paragraph, more letters
            more = MORE_LETTERS.match(text, match.end())
            for extra in re.findall(r"([a-k])\b", more.group(0) if more else ""):
                code = code[:-1] + extra.lower()
                reason = _check(code)
                found.append(Ground(code, f"... {extra}", reason is None, reason))
    return found


def normalise(notation: str) -> str | None:
    """The canonical code of one notation ("5.1 lid 2 sub e" -> "5.1.2e"), or None."""
    grounds = find_grounds(notation)
    return grounds[0].code if grounds else None
