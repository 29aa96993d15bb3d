"""The main text of an HTML page: what the page says, without menus, cookie bars and footers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

NOISE_TAGS = (
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "template",
    "svg",
)
NOISE_ATTR = re.compile(r"cookie|breadcrumb|skip-?link|menu|navbar|footer|header", re.I)
BLOCKS = {
    "p",
    "div",
    "li",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "br",
    "section",
    "article",
    "table",
    "dt",
    "dd",
}


CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.I)


def decode_html(data: bytes) -> str:
    """The page as text: its declared charset, else UTF-8, else Windows-1252 (what old
    municipal pages without a declaration are usually in). lxml would guess Latin-1."""
    declared = CHARSET.search(data[:4096])
    for encoding in ([declared.group(1).decode("ascii")] if declared else []) + ["utf-8", "cp1252"]:
        try:
            return data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("utf-8", "replace")


def _main_node(data: bytes):
    """The page's <main> (or <article>, or <body>) with menus, cookie bars and footers gone;
    None for what lxml cannot parse."""
    text = decode_html(data)
    text = re.sub(
        r"^\s*<\?xml[^>]*\?>", "", text
    )  # lxml refuses str input with an encoding declaration
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None
    for element in root.iter(*NOISE_TAGS):
        element.drop_tree()
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')} {element.get('role', '')}"
        if element.tag not in ("body", "html", "main") and NOISE_ATTR.search(marker):
            element.drop_tree()
    main = next(iter(root.xpath("//main | //article | //*[@role='main']")), None)
    return (
        main if main is not None else (root.find("body") if root.find("body") is not None else root)
    )


def read_html(data: bytes) -> tuple[str, list[tuple[str, str | None, str, str]]]:
    """The page's main text and its sections' findings, from one parse of the page."""
    node = _main_node(data)
    return _text_of(node), _findings_of(_sections_of(node))


def _text_of(node) -> str:
    """Visible text of <main> (or <article>, or <body>), one line per block."""
    if node is None:
        return ""
    parts: list[str] = []
    for element in node.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in BLOCKS:
            parts.append("\n")
        elif element.tag in ("td", "th"):
            parts.append("\t")
        if element.text:
            parts.append(element.text)
        if element.tail:
            parts.append(element.tail)
    # fold spaces but keep the tabs between table cells
    lines = (re.sub(r"[^\S\t]+", " ", line).strip(" \t") for line in "".join(parts).splitlines())
    return "\n".join(re.sub(r" ?\t ?", "\t", line) for line in lines if line)


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
MAX_SECTIONS = 200  # a page is not a book: the rest is not classified
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
PHONE = re.compile(r"\b0\d{1,3}[ -]?\d{3}[ -]?\d{3,4}\b|\b14\s?0\d{2,3}\b")


@dataclass
class Section:
    heading: str
    anchor: str | None  # the heading's id (or its section's), for a link to it
    text: str
    mailtos: list[str] = field(default_factory=list)
    table_rows: int = 0


def _sections_of(node) -> list[Section]:
    """The page's headed sections in order: each heading with the text, mail links and table
    rows that follow it up to the next heading."""
    if node is None:
        return []
    found: list[Section] = []
    for element in node.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in HEADINGS:
            if len(found) == MAX_SECTIONS:
                break
            parent = element.getparent()
            anchor = element.get("id") or (
                parent.get("id") if parent is not None and parent.tag == "section" else None
            )
            heading = " ".join(element.text_content().split())
            found.append(Section(heading, anchor, ""))
            continue
        if not found:
            continue
        section = found[-1]
        if element.tag == "a" and (element.get("href") or "").lower().startswith("mailto:"):
            section.mailtos.append(element.get("href")[7:].split("?")[0])
        if element.tag == "tr":
            section.table_rows += 1
        if len(section.text) < 4000:
            inside = element.getparent() is not None and element.getparent().tag in HEADINGS
            if not inside:
                section.text += " " + " ".join(
                    ((element.text or "") + " " + (element.tail or "")).split()
                )
    return found


def _findings_of(sections: list[Section]) -> list[tuple[str, str | None, str, str]]:
    """What the page's sections are, beside what the page is: (kind, anchor, heading, evidence)
    for each section whose heading names a kind and whose content bears it out: an FG section
    gives a way to reach the FG (a mail address or a phone number), a register section holds a
    table (a table of DPIAs is a list of them, not one: DPIAs count as files only). A privacy page with a section "Functionaris
    gegevensbescherming" and a mailto is an FG contact too."""
    from wooarchive.cues import classify

    findings = []
    for section in sections:
        kind = classify(url="", title=section.heading, text=section.text[:2000]).kind
        if kind == "fg_contact":
            contact = section.mailtos or EMAIL.findall(section.text) or PHONE.findall(section.text)
            if not contact:
                continue
            mail = section.mailtos[0] if section.mailtos else None
            evidence = f"section {section.heading!r}" + (
                f" with mailto:{mail}" if mail else " with a mail address or phone number"
            )
        elif kind in ("processing_register", "algorithm_register"):
            if section.table_rows < 2:
                continue
            evidence = f"section {section.heading!r} with a table of {section.table_rows} rows"
        else:
            continue
        findings.append((kind, section.anchor, section.heading, evidence))
    return findings
