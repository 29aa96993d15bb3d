"""Redaction boxes found as researchers annotate them, on pages drawn in every style.

The pages (tests/fixtures/redacted_pages.py) are drawn box by box, so their true boxes are
known; each style is scored as the TPDL 2023 research scores its detector: a found box is
correct at an intersection over union of 0.5, and the share of the page redacted is compared
as the area error in points.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.redacted_pages import PAGES, text_of
from wooarchive.indexer.redaction import measure, unboxed_grounds
from wooarchive.indexer.redaction_score import read_via, score_page


@pytest.mark.parametrize("style", list(PAGES))
def test_each_style_of_box_is_found_as_a_researcher_annotates_it(style: str) -> None:
    image, truth = PAGES[style]()
    # a ground printed in place of words is found from the page's text (as read) and image
    found = measure(image, text=text_of(image) if style == "code zonder vlak" else None)
    score = score_page([box.rect(found.scale) for box in found.boxes], truth, image.size)
    assert score.precision >= 0.9, f"{style}: {score.found - score.correct} boxes invented"
    assert score.recall >= 0.9, f"{style}: {score.true - score.correct} boxes missed"
    assert score.mean_area_error < 1.0  # points of the page


def test_the_grounds_printed_in_boxes_of_every_colour_are_read() -> None:
    image, _ = PAGES["gekleurd en licht"]()
    codes = measure(image).codes
    assert codes and set(codes) <= {"5.1.2e", "5.1.1d"}
    image, _ = PAGES["zwart, grote code"]()
    assert set(measure(image).codes) == {"5.1.2e", "5.1.1c", "5.1.2a"}


@pytest.mark.parametrize(
    "line, standing",
    [
        ("Geachte 5.1.2e,", 1),
        ("Aan: 5.1.2e", 1),
        ("Wij spraken met 5.1.2e en 5.1.2e over de aanbesteding.", 2),
        ("heeft 5.1.2e van de gemeente gebeld", 1),
        ("op grond van artikel 5.1.2e Woo", 0),
        ("weggelakt op grond van 5.1.2e van de Woo", 0),
        ("de gronden 5.1.2e en 5.1.2i zijn toegepast", 0),
        ("persoonsgegevens (5.1.2e) zijn weggelakt", 0),
        ("5.1.2e Eerbiediging van de persoonlijke levenssfeer", 0),
        ("artikel 10.2.e Wob", 0),
        ("de gronden 5.1.2e, 5.1.2i en 5.1.1c", 0),
        ("Van: 5.1.2e, 5.1.2e", 2),
    ],
)
def test_a_ground_counts_as_redaction_only_where_it_stands_for_words(
    line: str, standing: int
) -> None:
    assert unboxed_grounds(line) == standing


def test_a_message_bubble_and_a_shaded_header_are_no_boxes() -> None:
    """What is filled but holds words is no redaction: chat bubbles, a table's shaded header,
    a coloured logo with the municipality's name."""
    for style in ("chat", "zonder lakken"):
        image, truth = PAGES[style]()
        found = measure(image)
        rects = [box.rect(found.scale) for box in found.boxes]
        assert score_page(rects, truth, image.size).found <= len(truth) + 1


def test_boxes_are_reported_in_the_page_images_pixels_with_their_style() -> None:
    image, truth = PAGES["tegen elkaar"]()
    found = measure(image)
    boxes = found.boxes_as_dicts()
    assert found.size == image.size
    assert {box["style"] for box in boxes} == {"black"}
    widest = max(boxes, key=lambda b: b["width"])
    true_widest = max(truth, key=lambda t: t[2] - t[0])
    assert abs(widest["width"] - (true_widest[2] - true_widest[0])) <= 6


def test_the_score_counts_a_box_correct_from_half_overlap() -> None:
    true = [(0, 0, 100, 20), (0, 40, 100, 60)]
    found = [(0, 0, 100, 20), (50, 40, 150, 60), (300, 300, 310, 310)]
    score = score_page(found, true, (1000, 1000))
    # the second found box overlaps its true box by a third (IoU 50/150): not correct
    assert (score.correct, score.precision, score.recall) == (1, 1 / 3, 0.5)
    assert score.area_error == pytest.approx(0.01, abs=0.002)


def test_annotations_are_read_from_the_vgg_image_annotators_json(tmp_path: Path) -> None:
    via = tmp_path / "gold.json"
    via.write_text(
        json.dumps(
            {
                "p1.png123": {
                    "filename": "p1.png",
                    "regions": [
                        {
                            "shape_attributes": {
                                "name": "rect",
                                "x": 5,
                                "y": 6,
                                "width": 7,
                                "height": 8,
                            }
                        },
                        {"shape_attributes": {"name": "polygon", "all_points_x": [1]}},
                    ],
                }
            }
        )
    )
    assert read_via(via) == {"p1.png": [(5, 6, 12, 14)]}
    broken = tmp_path / "broken.json"
    broken.write_text("[1, 2")
    with pytest.raises(ValueError, match="broken.json: not a VIA annotation file"):
        read_via(broken)


def _released_page_pdf(style: str) -> bytes:
    """A drawn page as a one-page PDF at 200 dpi (what a municipality publishes)."""
    import io

    from fpdf import FPDF

    image, _ = PAGES[style]()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = FPDF()
    pdf.add_page()
    pdf.image(buffer, x=0, y=0, w=210, h=297)
    return bytes(pdf.output())


def test_every_woo_document_is_measured_after_reading(data_dir: Path, tmp_path: Path) -> None:
    """Where most redaction is: the documents released beside a decision, and a decision added
    without a kind that only its text shows to be one. A privacy statement is not measured."""
    from click.testing import CliRunner

    from tests.fixtures.documents import DECISION_LINES, redacted_pdf
    from wooarchive.archive.store import Archive
    from wooarchive.cli import cli
    from wooarchive.config import settings

    archive = Archive(settings())
    released = tmp_path / "document-3.pdf"
    released.write_bytes(_released_page_pdf("wit met kader"))
    unkinded = tmp_path / "brief.pdf"
    unkinded.write_bytes(redacted_pdf(DECISION_LINES * 2, {1: "5.1.2e", 4: "5.1.2e"}))
    other = tmp_path / "privacy.pdf"
    other.write_bytes(redacted_pdf(["Privacyverklaring", "Wij verwerken persoonsgegevens."], {}))
    shas = {
        "released": archive.record_file(released, municipality_code="GM1963", kind="woo_document"),
        "unkinded": archive.record_file(unkinded, municipality_code="GM1963"),
        "other": archive.record_file(other, municipality_code="GM1963", kind="privacy_statement"),
    }
    assert CliRunner().invoke(cli, ["index", "--jobs", "1"]).exit_code == 0
    rows = {
        name: archive.db.execute(
            "select redaction_boxes, redaction_detail from pages where sha256 = ?", [r.sha256]
        ).fetchone()
        for name, r in shas.items()
    }
    assert rows["released"][0] == 9 and rows["unkinded"][0] == 2
    assert rows["other"] == (None, None)
    detail = json.loads(rows["released"][1])
    assert (detail["width"], detail["height"]) == (1655, 2340) and 199 < detail["dpi"] < 201
    assert {box["style"] for box in detail["boxes"]} == {"framed"}
    tall = max(detail["boxes"], key=lambda b: b["height"])
    assert tall["height"] > 200 and tall["codes"] == []  # "buiten verzoek": a label, no ground
    import asyncio

    from wooarchive.web.serve import datasette_app

    page = asyncio.run(
        datasette_app(settings()).client.get(f"/-/document/{shas['released'].sha256}")
    ).text
    assert "in 9 vlakken (9 wit met kader)" in page


def test_woo_extract_reports_each_pages_boxes_as_json(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from wooarchive.cli import cli

    page = tmp_path / "chat.png"
    image, truth = PAGES["chat"]()
    image.save(page, dpi=(326, 326))
    result = CliRunner().invoke(cli, ["extract", str(page), "--json"])
    assert result.exit_code == 0, result.output
    [measured] = [p["redaction"] for p in json.loads(result.output)["pages"]]
    # a phone's screenshot is taller than a rendered page: measured at 2,340 pixels high
    assert (measured["width"], measured["height"], measured["dpi"]) == (1081, 2340, 301.3)
    factor = 2340 / image.height
    truth = [tuple(round(v * factor) for v in rect) for rect in truth]
    rects = [(b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"]) for b in measured["boxes"]]
    assert score_page(rects, truth, (1081, 2340)).f1 >= 0.9
    assert 0 < measured["share"] < 0.2
    plain = CliRunner().invoke(cli, ["extract", str(page), "--no-redaction", "--json"])
    assert "redaction" not in json.loads(plain.output)["pages"][0]


CHAT_HTML = """<!doctype html><html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><style>
body { font: 17px system-ui, sans-serif; margin: 0; padding: 16px; background: #fff; }
.m { max-width: 70%; padding: 8px 14px; border-radius: 18px; margin: 6px 0; clear: both; }
.in { float: left; background: #e5e5ea; color: #000; }
.out { float: right; background: #0a84ff; color: #fff; }
.x { background: #000; color: #000; }
</style></head><body>
<div class="m in">Hoi <span class="x">Jan de Vries</span>, heb je de DPIA al gelezen?</div>
<div class="m out">Ja, ik bel <span class="x">Petra Jansen</span> morgen even</div>
<div class="m in">Top. De wethouder wil het voor vrijdag weten</div>
<div class="m out">Komt goed, groet <span class="x">Kees</span></div>
<div class="m in">Stuur je het ook naar <span class="x">m.bakker@gemeente.nl</span>?</div>
<div class="m out">Doe ik</div>
</body></html>"""


def test_a_chat_screenshot_from_a_browser_has_its_names_found_and_no_bubble(tmp_path) -> None:
    """A chat as a browser draws it (real fonts, anti-aliasing, rounded bubbles), screenshot
    by headless Chromium; the true boxes are where the browser put the blacked-out names."""
    from urllib.parse import quote

    from PIL import Image

    from tests.browser import Browser

    browser = Browser()
    try:
        browser.open("data:text/html;charset=utf-8," + quote(CHAT_HTML), width=390, height=520)
        rects = browser.evaluate(
            "[...document.querySelectorAll('.x')].map(e => { const r = e.getBoundingClientRect();"
            " return [r.left, r.top, r.right, r.bottom]; })"
        )
        shot = tmp_path / "chat.png"
        browser.screenshot(shot)
    finally:
        browser.close()
    truth = [tuple(round(v) for v in rect) for rect in rects]
    with Image.open(shot) as image:
        found = measure(image.convert("RGB"))
        score = score_page([box.rect(found.scale) for box in found.boxes], truth, image.size)
    assert (score.correct, score.found) == (len(truth), len(truth)), (truth, found.boxes)


def test_a_large_scan_is_measured_at_a_pages_size(tmp_path) -> None:
    """An image file of 5,000 by 7,000 pixels is measured as a PDF page is rendered (2,340
    pixels its longer side): its boxes in that image's pixels, its resolution scaled with it."""
    from wooarchive.indexer.extract import Extraction, Page, measure_redaction

    image, truth = PAGES["tegen elkaar"]()
    path = tmp_path / "scan.png"
    image.resize((image.width * 3, image.height * 3)).save(path, dpi=(600, 600))
    extraction = Extraction(Path(path), "0" * 64, "image/png", pages=[Page(1, "ocr", "")])
    measure_redaction(extraction, tmp_path)
    detail = extraction.pages[0].redaction_detail
    assert (detail["width"], detail["height"], detail["dpi"]) == (1655, 2340, 200.1)
    rects = [(b["x"], b["y"], b["x"] + b["width"], b["y"] + b["height"]) for b in detail["boxes"]]
    assert score_page(rects, truth, image.size).f1 >= 0.9  # the page's own size again


def test_an_archive_measured_by_an_older_version_is_measured_again(
    data_dir: Path, tmp_path: Path
) -> None:
    """An older woo-archive measured decisions only and kept no boxes: `woo index --remeasure`
    measures the pages of every Woo document again from the original, without reading it."""
    from click.testing import CliRunner

    from wooarchive.archive.store import Archive
    from wooarchive.cli import cli
    from wooarchive.config import settings

    archive = Archive(settings())
    released = tmp_path / "document-4.pdf"
    released.write_bytes(_released_page_pdf("tegen elkaar"))
    sha = archive.record_file(released, municipality_code="GM1963", kind="woo_document").sha256
    assert CliRunner().invoke(cli, ["index", "--jobs", "1"]).exit_code == 0
    text = archive.db.execute("select text from pages where sha256 = ?", [sha]).fetchone()
    with archive.db.conn:  # as an older version left it: this document unmeasured
        archive.db.execute(
            "update pages set redacted_share = null, redaction_boxes = null, "
            "redaction_detail = null where sha256 = ?",
            [sha],
        )
        archive.db.execute("update extractions set redacted_share = null where sha256 = ?", [sha])
    result = CliRunner().invoke(cli, ["index", "--jobs", "1", "--remeasure"])
    assert result.exit_code == 0, result.output
    assert "redaction measured again in 1 documents" in result.output
    boxes, detail, again = archive.db.execute(
        "select redaction_boxes, redaction_detail, text from pages where sha256 = ?", [sha]
    ).fetchone()
    assert boxes == 10 and json.loads(detail)["boxes"] and (again,) == text
    assert (
        archive.db.execute(
            "select redacted_share from extractions where sha256 = ?", [sha]
        ).fetchone()[0]
        > 0
    )
    again = CliRunner().invoke(cli, ["index", "--jobs", "1", "--remeasure"])
    assert "redaction measured again in 0 documents" in again.output  # nothing left to do
