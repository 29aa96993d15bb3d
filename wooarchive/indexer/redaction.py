"""How much of a page is blacked out: the redaction boxes of a Woo document, measured.

A redaction box is a rectangle laid over text: black, grey, coloured or pale, or white with a
thin frame. The page is measured small (WIDTH pixels wide) and judged against its own paper (a
scan's paper is grey): what differs from the paper in shade or colour is ink. Ink is eroded,
which wipes out the thin strokes of text and leaves what is solid, then grown back; a solid
region that is rectangular, evenly filled and at least a word in size is a box. A region whose
outline steps (boxes on consecutive lines that touch) is cut where its width changes, one box
per line. Dark regions are found apart from pale ones, so a name blacked out inside a grey chat
bubble is found and the bubble is not.

What is printed inside a candidate decides the rest, as the research found the difference
between a redaction and a shaded table header or a message bubble to be ("Detection of
Redacted Text in Legal Documents", TPDL 2023): its inside is read by Tesseract (one call per
page, the insides stacked in one image) and a region holding words other than exception
grounds and the labels redaction tools print ("buiten verzoek", "niet relevant") is no box.
The grounds read are kept per box. White rectangles with a thin frame are found from their
rules, whatever their height, and count only when they hold grounds or such labels: a form's
field or a table's cell holds other text. The share is the boxes' area over the area the
page's content covers (its margins do not count), so a page that is all redaction scores near
1 whatever its margins. Pillow alone.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field, replace

from PIL import Image, ImageChops, ImageFilter, ImageOps

from wooarchive.decisions.grounds import find_grounds

WIDTH = 800  # pixels a page is measured at: enough for a word-sized box, cheap to scan
INK = 24  # this much darker than the paper is ink (a pale grey box on white is 25 darker)
DARK = 80  # this much darker than the paper is dark ink: black and grey boxes, text strokes
BLACK = 180  # this much darker is black: a box blacked out inside a blue or grey bubble
SATURATED = 48  # channels this far apart: coloured (a yellow or blue box, a blue bubble)
ERODE = 5  # a square this wide is wiped out of text strokes but not of a box
MIN_WIDTH, MIN_HEIGHT = 14, 9  # smaller than a short word in small print (7 pt) is not a box
RECTANGULAR = 0.85  # share of its bounding rectangle a box fills (a bold letter fills less)
STEP = 3  # pixels an outline may move between rows and still be one box's side
SHADES = 24  # within this many shades of the fill is the fill
APART = 70  # further than this from the fill is something printed on it
MIXED = 0.12  # share of the fill not near its median: more is a photo or a gradient
PRINTED = 0.004  # share of the inside printed on: less is an empty box (or scan noise)
MAX_SHARE = 0.9  # of the page's area: a larger region is the page itself (a dark scan)


@dataclass(frozen=True)
class Box:
    left: int
    top: int
    right: int
    bottom: int
    area: int  # pixels it covers (a stack of boxes is not its bounding rectangle)
    style: str = "black"  # black, grey, colour (any coloured or pale fill), framed (white)
    printed: bool = False  # something is printed on it: read before it counts
    codes: tuple[str, ...] = ()  # the grounds printed in it, canonical

    def rect(self, scale: float) -> tuple[int, int, int, int]:
        """Where the box is in the page image measured (``scale``: measured per original
        pixel): left, top, right, bottom."""
        return tuple(round(v / scale) for v in (self.left, self.top, self.right, self.bottom))

    def as_dict(self, scale: float) -> dict:
        left, top, right, bottom = self.rect(scale)
        return {
            "x": left,
            "y": top,
            "width": right - left,
            "height": bottom - top,
            "style": self.style,
            "codes": list(self.codes),
        }


@dataclass
class Redaction:
    share: float  # 0..1 of the content area
    boxes: list[Box] = field(default_factory=list)  # in the measured image's pixels
    scale: float = 1.0  # measured pixels per original pixel
    error: str | None = None  # why the codes in the boxes were not read
    size: tuple[int, int] = (0, 0)  # the page image's pixels, as measured from

    @property
    def codes(self) -> list[str]:
        return [code for box in self.boxes for code in box.codes]

    def boxes_as_dicts(self) -> list[dict]:
        """The boxes in the page image's own pixels, with their style and grounds."""
        return [box.as_dict(self.scale) for box in self.boxes]


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


def _paper(grey: Image.Image) -> int:
    """The paper's shade: the commonest of the lighter half (a scan's paper is not white)."""
    histogram = grey.histogram()
    return max(range(128, 256), key=lambda v: histogram[v])


def _threshold(image: Image.Image, below: int) -> Image.Image:
    return image.point(lambda v: 255 if v < below else 0)


def _solid(mask: Image.Image) -> Image.Image:
    return _dilate(_erode(mask))


def _erode(mask: Image.Image) -> Image.Image:
    """What of a 0/255 mask fills the ERODE-wide square around it. A box average is full only
    where every pixel of its square is set: Pillow's box blur costs the same whatever the
    square, where its rank (min) filter sorts every square (ten times slower here)."""
    return mask.filter(ImageFilter.BoxBlur(ERODE // 2)).point(lambda v: 255 if v > 250 else 0)


def _dilate(mask: Image.Image) -> Image.Image:
    """The mask grown by the ERODE-wide square: set wherever any pixel of its square is."""
    return mask.filter(ImageFilter.BoxBlur(ERODE // 2)).point(lambda v: 255 if v > 4 else 0)


def _bands(
    solid: Image.Image, region: tuple[int, int, int, int]
) -> list[tuple[int, int, int, int, int]]:
    """A solid region cut where its outline steps: boxes on consecutive lines that touch are
    one region whose left or right side moves between them. Returns (left, top, right, bottom,
    pixels) per band of rows whose sides stay within STEP pixels."""
    left, top, right, bottom = region
    crop = solid.crop(region)
    width = right - left
    data = crop.tobytes()
    extents = []
    for y in range(bottom - top):
        row = data[y * width : (y + 1) * width]
        first = row.find(b"\xff")
        if first == -1:
            extents.append(None)
            continue
        extents.append((first, width - row[::-1].find(b"\xff"), row.count(b"\xff")))
    runs: list[list[int]] = []  # [first row, last row, left, right, pixels]
    for y, extent in enumerate(extents):
        if extent is None:
            continue
        a, b, count = extent
        run = runs[-1] if runs else None
        previous = extents[y - 1] if y else None
        # a side that jumps from one row to the next is a new box; one that drifts (a
        # rounded corner, a tilted scan) is the same box
        if run and previous and abs(a - previous[0]) <= STEP and abs(b - previous[1]) <= STEP:
            run[1] = y
            run[2], run[3] = min(run[2], a), max(run[3], b)
            run[4] += count
        else:
            runs.append([y, y, a, b, count])
    # rows whose sides keep moving (a rounded corner, a soft edge) belong to the steady run
    # beside them; only two steady runs, each a line high, are two boxes
    firm = [run[1] - run[0] + 1 >= MIN_HEIGHT for run in runs]
    if sum(firm) < 2:
        return [(left, top, right, bottom, sum(run[4] for run in runs))]
    bands: list[list[int]] = []
    pending: list[list[int]] = []  # soft runs before the first steady one
    for run, steady in zip(runs, firm, strict=True):
        if steady:
            band = list(run)
            for soft in pending:
                band = [
                    min(band[0], soft[0]),
                    band[1],
                    min(band[2], soft[2]),
                    max(band[3], soft[3]),
                    band[4] + soft[4],
                ]
            pending = []
            bands.append(band)
        elif bands and bands[-1][1] == run[0] - 1:
            last = bands[-1]
            bands[-1] = [
                last[0],
                run[1],
                min(last[2], run[2]),
                max(last[3], run[3]),
                last[4] + run[4],
            ]
        else:
            pending.append(run)
    return [
        (left + a, top + first, left + b, top + last + 1, count)
        for first, last, a, b, count in bands
    ]


def _inside(
    grey: Image.Image,
    core: Image.Image,
    region: tuple[int, int, int, int],
    full: Image.Image,
    scale: float,
):
    """How a region is filled: (fill shade, share printed on it, share mixed). The fill is
    judged away from its edges (softened by scanning and scaling), on the eroded mask; what is
    printed on it, of either shade (a white code on black, dark text on a bubble), on the page
    at full size (scaled down, a thin white code on grey is grey), over its inside but a rim."""
    histogram = grey.crop(region).histogram(core.crop(region))
    total = sum(histogram)
    if not total:
        return None
    median, seen = 0, 0
    while seen + histogram[median] < total / 2:
        seen += histogram[median]
        median += 1
    near = sum(histogram[max(0, median - SHADES) : median + SHADES + 1])
    left, top, right, bottom = region
    rim = 2 if min(right - left, bottom - top) > 8 else 0
    inner = tuple(round(v / scale) for v in (left + rim, top + rim, right - rim, bottom - rim))
    whole = full.crop(inner).histogram()
    apart = sum(whole[: max(0, median - APART)]) + sum(whole[median + APART + 1 :])
    return median, apart / max(1, sum(whole)), (total - near) / total


def _style(rgb: Image.Image, core: Image.Image, region, fill: int, paper: int) -> str:
    red, green, blue = (band.crop(region).histogram(core.crop(region)) for band in rgb.split())

    def mean(histogram: list[int]) -> float:
        total = sum(histogram) or 1
        return sum(v * n for v, n in enumerate(histogram)) / total

    channels = [mean(h) for h in (red, green, blue)]
    if max(channels) - min(channels) > SATURATED / 2:
        return "colour"
    if fill < 80:
        return "black"
    return "grey" if fill < paper - INK * 2 else "colour"


def _candidates(
    small: Image.Image, grey: Image.Image, paper: int, full: Image.Image, scale: float
) -> list[Box]:
    """Solid, rectangular, evenly filled regions: boxes, and what only reading tells from
    boxes (a shaded header, a bubble with a message)."""
    red, green, blue = small.split()
    spread = ImageChops.subtract(
        ImageChops.lighter(ImageChops.lighter(red, green), blue),
        ImageChops.darker(ImageChops.darker(red, green), blue),
    )
    coloured = spread.point(lambda v: 255 if v > SATURATED else 0)
    ink = ImageChops.lighter(_threshold(grey, paper - INK + 1), coloured)
    dark = _threshold(grey, paper - DARK + 1)
    black = _threshold(grey, paper - BLACK + 1)
    page_area = grey.width * grey.height
    found: list[Box] = []
    for mask in (black, dark, ink):
        solid = _solid(mask)
        core = _erode(solid)
        for component in _components(solid):
            if (component[2] - component[0]) * (
                component[3] - component[1]
            ) > MAX_SHARE * page_area:
                continue
            for left, top, right, bottom, count in _bands(solid, component[:4]):
                width, height = right - left, bottom - top
                if width < MIN_WIDTH or height < MIN_HEIGHT:
                    continue
                if count < RECTANGULAR * width * height:
                    continue  # a letter of a large heading, a logo's shape
                region = (left, top, right, bottom)
                inside = _inside(grey, core, region, full, scale)
                if inside is None:
                    continue  # nothing left inside: a thick line, not a box
                fill, printed, mixed = inside
                if mixed > MIXED or fill >= paper - INK // 2:
                    continue  # a photo, a gradient; or paper between the ink
                box = Box(
                    left,
                    top,
                    right,
                    bottom,
                    count,
                    style=_style(small, core, region, fill, paper),
                    printed=printed > PRINTED,
                )
                if not any(_same(box, other) for other in found):
                    found.append(box)
    return found


def _same(a: Box, b: Box) -> bool:
    """Whether two regions are one box found twice (dark and pale ink both hold a black box)."""
    width = min(a.right, b.right) - max(a.left, b.left)
    height = min(a.bottom, b.bottom) - max(a.top, b.top)
    if width <= 0 or height <= 0:
        return False
    smaller = min((a.right - a.left) * (a.bottom - a.top), (b.right - b.left) * (b.bottom - b.top))
    return width * height >= 0.8 * smaller


LINE = 30  # a horizontal run this long (measured pixels) may be the edge of a bordered box
THIN = 4  # a border at most this thick
READ_TIMEOUT = 60  # seconds Tesseract may take for one page's boxes
# what a box may hold: codes, and the letters and digits of any other text (so that a white
# rectangle with a caption in it is still seen to hold more than codes); no "¢" for a "c"
WHITELIST = (
    "tessedit_char_whitelist=0123456789.,;:()-/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
UPSCALE = 3  # measured pixels are small for reading; the insides are enlarged before OCR
# what redaction tools print in a box besides the ground: why it was taken out
LABELS = re.compile(
    r"buiten\s*(?:het\s*|de\s*)?(?:verzoek|reikwijdte|scope)|niet\s*relevant|dubbel|"
    r"reeds\s*openbaar|\b(?:woo|wob|artikel|art|lid|onder|sub|en)\b",
    re.I,
)


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


def _bordered(content: Image.Image, page_height: int) -> list[Box]:
    """White rectangles with a thin dark border, of any height up to the page, and no rule
    inside (a table's cell has rules)."""
    rules = _rules(content)
    pixels = content.load()
    boxes = []

    def side(x: int, top: int, bottom: int) -> float:
        # the side's column may fall a pixel either way of the rule's end when scaled
        return max(
            sum(pixels[c, y] > 0 for y in range(top, bottom)) / (bottom - top)
            for c in range(max(0, x - 1), min(content.width, x + 2))
        )

    for index, (top, left, right) in enumerate(rules):
        for bottom, other_left, other_right in rules[index + 1 :]:
            if bottom - top > page_height:
                break
            if bottom - top < MIN_HEIGHT + 2 * THIN or abs(other_left - left) > 2:
                continue
            if abs(other_right - right) > 2:
                continue
            if min(side(left, top, bottom), side(right - 1, top, bottom)) < 0.9:
                continue
            inner = content.crop((left + THIN, top + THIN, right - THIN, bottom - THIN))
            columns = inner.resize((inner.width, 1), Image.Resampling.BOX)
            if any(v > 230 for v in columns.tobytes()):
                break  # a rule runs from top to bottom inside: a table's cell, not a box
            area = (right - left) * (bottom - top)
            boxes.append(Box(left, top, right, bottom, area, style="framed", printed=True))
            break
    return boxes


def _tesseract(image: Image.Image, psm: str, *options: str) -> list[list[str]] | None:
    """Tesseract's words on an image: its TSV rows of level 5 (word) with text, or None when it
    took over READ_TIMEOUT seconds. One thread: pages are measured in parallel already."""
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    try:
        done = subprocess.run(
            ["tesseract", "stdin", "stdout", "--psm", psm, "-l", "eng", *options, "tsv"],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=READ_TIMEOUT,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    rows = (line.split("\t") for line in done.stdout.decode("utf-8", "replace").splitlines()[1:])
    return [cells for cells in rows if len(cells) >= 12 and cells[0] == "5" and cells[11].strip()]


def _read(
    page: Image.Image, scale: float, boxes: list[Box]
) -> tuple[list[tuple[str, ...] | None], str | None]:
    """The ground codes printed inside each box, or None for a box that holds other words
    too, read by one Tesseract call over their insides cut from the page at full size and
    stacked in one image (dark prints inverted, so the text is dark on light)."""
    if shutil.which("tesseract") is None:
        return [() for _ in boxes], "tesseract is not installed: codes in boxes not read"
    crops, spans, y = [], [], 0
    enlarge = max(1.0, UPSCALE * scale)
    for box in boxes:
        margin = THIN if box.style == "framed" else 2
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
        crop = ImageOps.autocontrast(crop)
        if sum(crop.histogram()[:128]) > crop.width * crop.height / 2:
            crop = ImageOps.invert(crop)  # light print on a darker fill
        crop = crop.resize(
            (round(crop.width * enlarge), round(crop.height * enlarge)), Image.Resampling.BICUBIC
        )
        crops.append(crop)
        spans.append((y, y + crop.height + 40))
        y += crop.height + 40
    sheet = Image.new("L", (max(c.width for c in crops) + 40, y + 20), 255)
    for crop, (top, _) in zip(crops, spans, strict=True):
        sheet.paste(crop, (20, top + 20))
    found = _tesseract(sheet, "11", "-c", WHITELIST)
    if found is None:
        return [() for _ in boxes], f"codes in boxes not read: Tesseract took over {READ_TIMEOUT} s"
    words: list[list[str]] = [[] for _ in boxes]
    for cells in found:
        middle = int(cells[7]) + int(cells[9]) // 2
        for index, (top, bottom) in enumerate(spans):
            if top <= middle < bottom:
                words[index].append(cells[11])
    return [_grounds_only(" ".join(found)) for found in words], None


def _grounds_only(text: str) -> tuple[str, ...] | None:
    """The grounds in a box's text (with "" for a redaction label: "buiten verzoek"), or None
    when it says more: a word of four letters or more, or two of three, besides grounds and
    labels (a message, a caption, a table's header). Shorter leftovers are what OCR makes of
    a box's edge."""
    grounds = [g for g in find_grounds(text, bare=True) if g.valid]
    rest = text
    for ground in grounds:
        rest = rest.replace(ground.notation, " ", 1)
    words = [w for w in re.findall(r"[^\W\d_]+", LABELS.sub(" ", rest))]
    if any(len(w) >= 4 for w in words) or sum(len(w) >= 3 for w in words) >= 2:
        return None
    return tuple(g.code for g in grounds) + (("",) if LABELS.search(rest) else ())


# a ground as redaction tools print it, in a box or in place of the words: 5.1.2e, 10.2.g
PRINTED_GROUND = re.compile(r"(?<![\d.])(?:5\.1\.[12]\.?\s?[a-i]|10\.[12]\.?\s?[a-g])\b", re.I)
# a word before a ground that cites it rather than stands for what was taken out
CITING = re.compile(
    r"^(?:artikel|art\.?|grond|gronden|weigeringsgrond(en)?|uitzonderingsgrond(en)?|lid|onder|"
    r"sub|zie|ex|conform|jo\.?)$",
    re.I,
)
# words after a ground that cite it: "5.1.2e Woo", "5.1.2e van de Woo"
CITED = re.compile(r"^(?:woo|wob|lid)\b|^van\s+de\s+(?:woo|wob|wet)\b", re.I)
LOCATE_WIDTH = 1700  # pixels a page is read at to find where an unboxed ground stands


def _stands_in(words: list[str], index: int) -> bool:
    """Whether the ground at ``words[index]`` (a line's words) stands in place of words taken
    out ("Geachte 5.1.2e,", "Aan: 5.1.2e"), not cites the law ("artikel 5.1.2e", "5.1.2e Woo",
    "(5.1.2e)", "artikel 5.1.2e en 5.1.2i"): the second of a list as the first. A ground
    opening its line is a list of grounds."""
    word = words[index]
    before = words[index - 1] if index else None
    if before is None or CITING.match(before) or word.startswith("("):
        return False
    if before.endswith(",") and _is_ground(before):
        return _stands_in(words, index - 1)  # "5.1.2e, 5.1.2i": as the list's first
    if before.lower() in ("en", "of", "t/m") and index >= 2 and _is_ground(words[index - 2]):
        return _stands_in(words, index - 2)  # "gronden 5.1.2e en 5.1.2i", "met 5.1.2e en 5.1.2e"
    return not CITED.match(" ".join(words[index + 1 : index + 4]))


def _is_ground(word: str) -> bool:
    return bool(PRINTED_GROUND.fullmatch(word.strip(",.;:[]")))


def unboxed_grounds(text: str) -> int:
    """How many grounds in a page's text stand in place of words."""
    count = 0
    for line in text.splitlines():
        words = line.split()
        count += sum(_is_ground(w) and _stands_in(words, i) for i, w in enumerate(words))
    return count


def _unboxed(full: Image.Image, scale: float, boxes: list[Box]) -> list[Box]:
    """Grounds printed in place of words without a box, found where they stand on the page by
    Tesseract, as boxes of the style "code" (in measured pixels)."""
    factor = min(1.0, LOCATE_WIDTH / max(full.width, 1))
    image = (
        full
        if factor == 1.0
        else full.resize((round(full.width * factor), round(full.height * factor)))
    )
    lines: dict[tuple[str, str, str], list[list[str]]] = {}
    for cells in _tesseract(image, "3") or []:
        lines.setdefault((cells[2], cells[3], cells[4]), []).append(cells)
    found = []
    to_measured = scale / factor
    for words in lines.values():
        texts = [cells[11] for cells in words]
        for index, cells in enumerate(words):
            code = PRINTED_GROUND.fullmatch(texts[index].strip(",.;:[]"))
            if not code or not _stands_in(texts, index):
                continue
            left, top, width, height = (int(v) for v in cells[6:10])
            box = Box(
                *(round(v * to_measured) for v in (left, top, left + width, top + height)),
                area=round(width * height * to_measured**2),
                style="code",
                codes=tuple(g.code for g in find_grounds(code.group(0), bare=True) if g.valid),
            )
            if not any(_same(box, other) for other in boxes):
                found.append(box)
    return found


def measure(image: Image.Image, read_codes: bool = True, text: str | None = None) -> Redaction:
    """The redaction boxes on a page image, the share of its content they cover, and the
    ground codes printed in them (``read_codes``: with Tesseract; without it a box with
    something printed on it counts only when the print is light on a dark fill). With the
    page's ``text``, grounds printed in place of words without a box are found too, where the
    text has more of them than the boxes hold."""
    page = image.convert("RGB")
    scale = min(1.0, WIDTH / max(page.width, 1))
    small = page
    if scale < 1.0:
        small = page.resize((round(page.width * scale), round(page.height * scale)))
    grey = small.convert("L")
    paper = _paper(grey)
    full = page.convert("L")
    boxes = _candidates(small, grey, paper, full, scale)
    content = _threshold(grey, paper - INK + 1)
    error = None
    if read_codes:
        boxes += [
            box for box in _bordered(content, grey.height) if not any(_same(box, b) for b in boxes)
        ]
        printed = [box for box in boxes if box.printed]
        if printed:
            codes, error = _read(full, scale, printed)
            read = dict(zip(printed, codes, strict=True))
            boxes = [
                replace(box, codes=tuple(c for c in read[box] if c)) if box in read else box
                for box in boxes
                # what holds other words is no box; a frame counts only with a ground or a
                # label in it (an empty one is a form's field)
                if box not in read or read[box] is not None and (box.style != "framed" or read[box])
            ]
        if text and unboxed_grounds(text) > len([c for b in boxes for c in b.codes]):
            if shutil.which("tesseract") is not None:
                boxes += _unboxed(full, scale, boxes)
    else:
        boxes = [b for b in boxes if not b.printed or b.style in ("black", "grey")]
    bbox = content.getbbox()
    area = (bbox[2] - bbox[0]) * (bbox[3] - bbox[1]) if bbox else 0
    covered = sum(b.area for b in boxes)
    share = round(min(1.0, covered / area), 4) if area else 0.0
    return Redaction(share, boxes, scale, error, image.size)
