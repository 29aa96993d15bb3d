"""How much of a page is blacked out: the redaction boxes of a Woo document, measured.

A redaction box is a solid rectangle laid over text: black, grey or coloured. On a page image
(a scan, or a PDF page rendered small) the page's non-white pixels are eroded, which wipes out
the thin strokes of text and leaves what is solid, then grown back; every remaining connected
region that is evenly filled and at least a word in size is a box. The share
is the boxes' area over the area the page's content covers (its margins do not count), so a
page that is all redaction scores near 1 whatever its margins. The method follows what research
on Dutch Woo pages did ("Detection of Redacted Text in Legal Documents", TPDL 2023), with
Pillow alone.

Redaction tools print the exception ground in the box: white on a black or grey fill, or black
in a white box with a thin border (what the national Woo platform's documents show). The
inside of every box, and of every bordered white rectangle, is read by Tesseract (one call per
page, the insides stacked in one image); a white rectangle counts as a box only when all it
holds is ground codes, so a table's cell or a form's field is no redaction.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from dataclasses import dataclass, field, replace

from PIL import Image, ImageFilter, ImageOps

from wooarchive.decisions.grounds import find_grounds

WIDTH = 800  # pixels a page is measured at: enough for a word-sized box, cheap to scan
INK = 235  # darker than this is content
ERODE = 5  # a square this wide is wiped out of text strokes but not of a box
MIN_WIDTH, MIN_HEIGHT = 14, 7  # smaller than a short word is not a box
FLAT = 0.85  # share of a box's inside within a few shades of its median: an even fill
DARKER = 0.02  # share darker than the fill: more is dark text on a shading, not a box
SHADES = 24


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int
    area: int  # pixels it covers (a stack of boxes is not its bounding rectangle)
    filled: bool = True  # False: a white box with a thin border
    codes: tuple[str, ...] = ()  # the grounds printed in it, canonical


@dataclass
class Redaction:
    share: float  # 0..1 of the content area
    boxes: list[Box] = field(default_factory=list)  # in the measured image's pixels
    scale: float = 1.0  # measured pixels per original pixel
    error: str | None = None  # why the codes in the boxes were not read

    @property
    def codes(self) -> list[str]:
        return [code for box in self.boxes for code in box.codes]


def _components(mask: Image.Image) -> list[tuple[int, int, int, int, int]]:
    """Connected regions of set pixels: (left, top, right, bottom, pixel count), from runs per
    row joined across rows (union-find)."""
    width, height = mask.size
    data = mask.tobytes()
    parent: list[int] = []

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    runs: list[tuple[int, int, int]] = []  # (row, start, end)
    previous: list[tuple[int, int, int]] = []  # (start, end, run index) of the row above
    for y in range(height):
        row = data[y * width : (y + 1) * width]
        current = []
        x = row.find(b"\xff")
        while x != -1:
            end = row.find(b"\x00", x)
            end = width if end == -1 else end
            index = len(runs)
            runs.append((y, x, end))
            parent.append(index)
            for start, stop, other in previous:
                if start < end and x < stop:
                    a, b = find(index), find(other)
                    if a != b:
                        parent[a] = b
            current.append((x, end, index))
            x = row.find(b"\xff", end)
        previous = current
    regions: dict[int, list[int]] = {}
    for index, (y, start, end) in enumerate(runs):
        root = find(index)
        region = regions.setdefault(root, [start, y, end, y + 1, 0])
        region[0] = min(region[0], start)
        region[2] = max(region[2], end)
        region[3] = y + 1
        region[4] += end - start
    return [tuple(r) for r in regions.values()]


def _flat(region: Image.Image, mask: Image.Image) -> bool:
    """Whether most of the region is one even fill with nothing darker on it. A code printed
    in white inside a black box ("5.1.2e") leaves the fill even; a photo, a logo, or a heading
    printed on a grey bar is not."""
    histogram = region.histogram(mask)
    total = sum(histogram)
    median, seen = 0, 0
    while seen + histogram[median] < total / 2:
        seen += histogram[median]
        median += 1
    near = sum(histogram[max(0, median - SHADES) : median + SHADES + 1])
    darker = sum(histogram[: max(0, median - SHADES)])
    return near >= FLAT * total and darker <= DARKER * total


LINE = 30  # a horizontal run this long (measured pixels) may be the edge of a bordered box
THIN = 4  # a border at most this thick
MAX_BOX_HEIGHT = 120  # a bordered white box a few lines high at most
READ_TIMEOUT = 60  # seconds Tesseract may take for one page's boxes
# what a box may hold: codes, and the letters and digits of any other text (so that a white
# rectangle with a caption in it is still seen to hold more than codes); no "¢" for a "c"
WHITELIST = (
    "tessedit_char_whitelist=0123456789.,;:()-/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
UPSCALE = 3  # measured pixels are small for reading; the insides are enlarged before OCR


def _rules(content: Image.Image) -> list[tuple[int, int, int]]:
    """Horizontal lines (top row, left, right) of at least LINE pixels, each line once."""
    width, height = content.size
    data = content.tobytes()
    found: list[tuple[int, int, int]] = []
    previous: set[tuple[int, int]] = set()
    for y in range(height):
        row = data[y * width : (y + 1) * width]
        current = set()
        x = row.find(b"\xff")
        while x != -1:
            end = row.find(b"\x00", x)
            end = width if end == -1 else end
            if end - x >= LINE:
                current.add((x, end))
                if not any(abs(x - a) <= 2 and abs(end - b) <= 2 for a, b in previous):
                    found.append((y, x, end))
            x = row.find(b"\xff", end)
        previous = current
    return found


def _bordered(content: Image.Image) -> list[Box]:
    """White rectangles with a thin dark border and no rule inside (tables have rules)."""
    rules = _rules(content)
    pixels = content.load()
    boxes = []
    for index, (top, left, right) in enumerate(rules):
        for bottom, other_left, other_right in rules[index + 1 :]:
            if bottom - top > MAX_BOX_HEIGHT:
                break
            if bottom - top < MIN_HEIGHT + 2 * THIN or abs(other_left - left) > 2:
                continue
            if abs(other_right - right) > 2:
                continue
            sides = [
                sum(pixels[x, y] > 0 for y in range(top, bottom)) / (bottom - top)
                for x in (left + 1, right - 2)
            ]
            if min(sides) < 0.9:
                continue
            inner = content.crop((left + THIN, top + THIN, right - THIN, bottom - THIN))
            columns = inner.resize((inner.width, 1), Image.Resampling.BOX)
            if any(v > 230 for v in columns.tobytes()):
                continue  # a rule runs from top to bottom inside: a table's cell, not a box
            area = (right - left) * (bottom - top)
            boxes.append(Box(left, top, right, bottom, area, filled=False))
            break
    return boxes


def _read_codes(
    page: Image.Image, scale: float, boxes: list[Box]
) -> tuple[list[tuple[str, ...] | None], str | None]:
    """The ground codes printed inside each box (None for a bordered box that holds other text
    too), read by one Tesseract call over their insides cut from the page at full size and
    stacked in one image (a filled box inverted, so the code is dark on light)."""
    if shutil.which("tesseract") is None:
        return [() for _ in boxes], "tesseract is not installed: codes in boxes not read"
    crops, spans, y = [], [], 0
    enlarge = max(1.0, UPSCALE * scale)
    for box in boxes:
        margin = 2 if box.filled else THIN
        crop = page.crop(
            tuple(
                round(v / scale)
                for v in (
                    box.left + margin,
                    box.top + margin,
                    box.right - margin,
                    box.bottom - margin,
                )
            )
        )
        if box.filled:
            crop = ImageOps.invert(crop)
        crop = ImageOps.autocontrast(crop).resize(
            (round(crop.width * enlarge), round(crop.height * enlarge)), Image.Resampling.BICUBIC
        )
        crops.append(crop)
        spans.append((y, y + crop.height + 40))
        y += crop.height + 40
    sheet = Image.new("L", (max(c.width for c in crops) + 40, y + 20), 255)
    for crop, (top, _) in zip(crops, spans, strict=True):
        sheet.paste(crop, (20, top + 20))
    buffer = io.BytesIO()
    sheet.save(buffer, format="PNG")
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "--psm", "6", "-l", "eng", "-c", WHITELIST, "tsv"],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=READ_TIMEOUT,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [() for _ in boxes], f"codes in boxes not read: Tesseract took over {READ_TIMEOUT} s"
    words: list[list[str]] = [[] for _ in boxes]
    for line in done.stdout.decode("utf-8", "replace").splitlines()[1:]:
        cells = line.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        middle = int(cells[7]) + int(cells[9]) // 2
        for index, (top, bottom) in enumerate(spans):
            if top <= middle < bottom:
                words[index].append(cells[11])
    codes = []
    for box, found in zip(boxes, words, strict=True):
        text = " ".join(found)
        grounds = [g for g in find_grounds(text, bare=True) if g.valid]
        codes.append(tuple(g.code for g in grounds))
        if not box.filled:
            rest = text
            for ground in grounds:
                rest = rest.replace(ground.notation, " ", 1)
            if any(ch.isalnum() for ch in rest):
                codes[-1] = None  # text besides codes: a form field or a caption, no box
    return codes, None


def measure(image: Image.Image, read_codes: bool = True) -> Redaction:
    """The redaction boxes on a page image, the share of its content they cover, and the
    ground codes printed in them (``read_codes``: with Tesseract)."""
    page = grey = image.convert("L")
    scale = min(1.0, WIDTH / max(grey.width, 1))
    if scale < 1.0:
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)))
    content = grey.point(lambda v: 255 if v < INK else 0)
    solid = content.filter(ImageFilter.MinFilter(ERODE)).filter(ImageFilter.MaxFilter(ERODE))
    # evenness is judged inside a region, away from its edges (softened by scanning and scaling)
    core = solid.filter(ImageFilter.MinFilter(ERODE))
    boxes = []
    for left, top, right, bottom, count in _components(solid):
        width, height = right - left, bottom - top
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            continue
        region = (left, top, right, bottom)
        inside = core.crop(region)
        if not inside.getbbox():
            continue  # nothing left inside: a thick line, not a box
        if not _flat(grey.crop(region), inside):
            continue  # a photo, a logo, a table's shading with text in it
        boxes.append(Box(left, top, right, bottom, count))
    error = None
    if read_codes:
        boxes += _bordered(content)
        if boxes:
            codes, error = _read_codes(page, scale, boxes)
            boxes = [
                replace(box, codes=found or ())
                for box, found in zip(boxes, codes, strict=True)
                if box.filled or found  # a bordered box only with nothing but codes in it
            ]
    else:
        boxes = [box for box in boxes if box.filled]
    bbox = content.getbbox()
    area = (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]) if bbox else 0
    covered = sum(b.area for b in boxes)
    share = round(min(1.0, covered / area), 4) if area else 0.0
    return Redaction(share, boxes, scale, error)
