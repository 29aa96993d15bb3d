"""What the spider reports about a document; the archive already holds its bytes."""

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
