"""What the spider reports: a document's kind (the archive already holds its bytes), and a link
to another organisation's host that it records but does not follow."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DocumentItem:
    url: str
    sha256: str
    municipality_code: str
    kind: str
    evidence: list[str] = field(default_factory=list)
    title: str | None = None


@dataclass
class OutlinkItem:
    municipality_code: str
    url: str
    from_url: str
    anchor: str
