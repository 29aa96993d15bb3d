"""How well redaction boxes were found, scored as the research scores it.

A found box is correct when it overlaps a true box by an intersection over union of at least
0.5 (each true box matched once, best overlap first); precision, recall and F1 follow. The share
of a page redacted is compared as the area error: the absolute difference, in points of the
page, between the area of the boxes found and the area of the true boxes. Annotations are read
from the VGG Image Annotator's JSON (what the TPDL 2023 research published its gold standard
in), so anyone can score woo-archive on their own annotated pages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

Rect = tuple[int, int, int, int]  # left, top, right, bottom
IOU = 0.5


@dataclass
class Score:
    found: int = 0
    true: int = 0
    correct: int = 0
    area_error: float = 0.0  # summed over pages, in points of the page (0..100)
    pages: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.true if self.true else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def mean_area_error(self) -> float:
        return self.area_error / self.pages if self.pages else 0.0

    def add(self, other: Score) -> None:
        self.found += other.found
        self.true += other.true
        self.correct += other.correct
        self.area_error += other.area_error
        self.pages += other.pages


def iou(a: Rect, b: Rect) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def _area(rects: list[Rect], size: tuple[int, int]) -> float:
    """Share of the page the rectangles cover (their union, counted on a coarse grid)."""
    width, height = size
    step = max(1, min(width, height) // 400)
    covered = 0
    for y in range(0, height, step):
        spans = sorted((r[0], r[2]) for r in rects if r[1] <= y < r[3])
        x = 0
        for left, right in spans:
            left = max(left, x)
            if right > left:
                covered += right - left
                x = right
    return covered * step / (width * height)


def score_page(found: list[Rect], true: list[Rect], size: tuple[int, int]) -> Score:
    """Score one page's found boxes against its true boxes (both in the page's pixels)."""
    pairs = sorted(
        ((iou(f, t), i, j) for i, f in enumerate(found) for j, t in enumerate(true)),
        reverse=True,
    )
    used_found, used_true, correct = set(), set(), 0
    for overlap, i, j in pairs:
        if overlap < IOU:
            break
        if i in used_found or j in used_true:
            continue
        used_found.add(i)
        used_true.add(j)
        correct += 1
    error = abs(_area(found, size) - _area(true, size)) * 100
    return Score(len(found), len(true), correct, error, 1)


def read_via(path: Path) -> dict[str, list[Rect]]:
    """True boxes per image file name from a VGG Image Annotator export (rectangles only)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: not a VIA annotation file ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: not a VIA annotation file (no object of images)")
    boxes: dict[str, list[Rect]] = {}
    for entry in data.values():
        if not isinstance(entry, dict) or "filename" not in entry:
            raise ValueError(f"{path}: not a VIA annotation file (an image without filename)")
        rects = boxes.setdefault(entry["filename"], [])
        for region in entry.get("regions") or []:
            shape = region.get("shape_attributes") or {}
            if shape.get("name") != "rect":
                continue
            x, y, w, h = (int(shape[k]) for k in ("x", "y", "width", "height"))
            rects.append((x, y, x + w, y + h))
    return boxes
