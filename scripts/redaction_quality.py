"""Score woo-archive's redaction boxes: precision, recall and F1 at IoU 0.5, and the area error.

    python scripts/redaction_quality.py                 # the drawn pages, per style
    python scripts/redaction_quality.py VIA.json DIR    # your own annotated page images

The drawn pages (tests/fixtures/redacted_pages.py) hold every style the research found hard;
a VGG Image Annotator export with the page images beside it scores real pages the same way.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PIL import Image  # noqa: E402

from wooarchive.indexer.redaction import measure  # noqa: E402
from wooarchive.indexer.redaction_score import Score, read_via, score_page  # noqa: E402


def found_boxes(image: Image.Image) -> list[tuple[int, int, int, int]]:
    """The boxes measure() finds, in the image's own pixels, given the page's text as
    woo-archive reads it (grounds printed without a box are found from it)."""
    from tests.fixtures.redacted_pages import text_of

    result = measure(image, text=text_of(image))
    return [box.rect(result.scale) for box in result.boxes]


def report(rows: list[tuple[str, Score]]) -> None:
    print(
        f"{'stijl':<22} {'pag.':>4} {'echt':>5} {'gev.':>5} {'P':>5} {'R':>5} {'F1':>5} {'opp.fout':>8}"
    )
    total = Score()
    for name, score in rows:
        total.add(score)
        print(
            f"{name:<22} {score.pages:>4} {score.true:>5} {score.found:>5} "
            f"{score.precision:>5.2f} {score.recall:>5.2f} {score.f1:>5.2f} "
            f"{score.mean_area_error:>7.2f}%"
        )
    print(
        f"{'alles':<22} {total.pages:>4} {total.true:>5} {total.found:>5} "
        f"{total.precision:>5.2f} {total.recall:>5.2f} {total.f1:>5.2f} "
        f"{total.mean_area_error:>7.2f}%"
    )


def drawn() -> list[tuple[str, Score]]:
    from tests.fixtures.redacted_pages import PAGES

    rows = []
    for name, make in PAGES.items():
        image, truth = make()
        rows.append((name, score_page(found_boxes(image), truth, image.size)))
    return rows


def annotated(via: Path, directory: Path) -> list[tuple[str, Score]]:
    rows = []
    for name, truth in sorted(read_via(via).items()):
        path = directory / name
        if not path.exists():
            print(f"{path}: annotated but not there, skipped", file=sys.stderr)
            continue
        with Image.open(path) as image:
            rows.append((name[:22], score_page(found_boxes(image), truth, image.size)))
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3:
        report(annotated(Path(sys.argv[1]), Path(sys.argv[2])))
    elif len(sys.argv) == 1:
        report(drawn())
    else:
        sys.exit(__doc__)
