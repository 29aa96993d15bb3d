"""The main text of an HTML page: what the page says, without menus, cookie bars and footers."""

from __future__ import annotations

import re

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


def main_text(data: bytes) -> str:
    """Visible text of <main> (or <article>, or <body>), one line per block."""
    text = decode_html(data)
    text = re.sub(
        r"^\s*<\?xml[^>]*\?>", "", text
    )  # lxml refuses str input with an encoding declaration
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return ""
    for element in root.iter(*NOISE_TAGS):
        element.drop_tree()
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        marker = f"{element.get('class', '')} {element.get('id', '')} {element.get('role', '')}"
        if element.tag not in ("body", "html", "main") and NOISE_ATTR.search(marker):
            element.drop_tree()
    main = next(iter(root.xpath("//main | //article | //*[@role='main']")), None)
    node = (
        main if main is not None else (root.find("body") if root.find("body") is not None else root)
    )
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
