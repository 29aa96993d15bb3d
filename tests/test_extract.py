"""`woo extract`: text per page from one file, by its real type, OCR where the text layer is
missing or noise, and a clear problem report for files that cannot be read."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from click.testing import CliRunner

from tests.fixtures.documents import scanned_pdf, text_pdf
from wooarchive.cli import cli
from wooarchive.config import settings
from wooarchive.indexer.extract import extract_file, read_document


def woo(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def extract_json(path: Path) -> dict:
    result = woo("extract", str(path), "--json")
    return json.loads(result.stdout)


def test_the_json_has_exactly_the_promised_shape(data_dir: Path, tmp_path: Path) -> None:
    pdf = tmp_path / "besluit.pdf"
    pdf.write_bytes(text_pdf(["Besluit op uw Woo-verzoek", "Wij maken de documenten openbaar."]))
    out = extract_json(pdf)
    assert list(out) == ["sha256", "mime", "kind", "pages", "errors"]
    assert (
        out["mime"] == "application/pdf" and out["kind"] == "woo_decision" and out["errors"] == []
    )
    assert out["pages"] == [
        {
            "page": 1,
            "method": "text",
            "text": "Besluit op uw Woo-verzoek\nWij maken de documenten openbaar.",
            # an A4 page rendered at 200 dpi, nothing blacked out
            "redaction": {
                "share": 0.0,
                "codes": [],
                "width": 1655,
                "height": 2340,
                "dpi": 200.1,
                "boxes": [],
            },
        }
    ]
    assert not data_dir.exists()  # extracting does not archive


def test_text_pdfs_are_read_from_their_text_layer_without_ocr(
    shared_corpus: Path, data_dir: Path
) -> None:
    den_helder = extract_json(
        shared_corpus / "pdf" / "denhelder_besluitenlijst_raad_2015-06-29.pdf"
    )
    assert len(den_helder["pages"]) == 4 and {p["method"] for p in den_helder["pages"]} == {"text"}
    assert "Besluitenlijst raadsvergadering 29 juni 2015" in den_helder["pages"][0]["text"]
    heerlen = extract_json(shared_corpus / "pdf" / "heerlen_lijst_ingekomen_stukken_2025-01.pdf")
    assert {p["method"] for p in heerlen["pages"]} == {"text"}
    assert "Het vaststellen van de lijst van Ingekomen Stukken" in heerlen["pages"][0]["text"]


def test_a_scanned_woo_request_is_ocrd_into_readable_dutch(
    shared_corpus: Path, data_dir: Path
) -> None:
    out = extract_json(
        shared_corpus / "pdf" / "hoekschewaard_woo_verzoek_geredigeerd_scanned_2022-12.pdf"
    )
    assert [p["method"] for p in out["pages"]] == [
        "ocr",
        "ocr",
    ]  # despite the stamp in its text layer
    text = " ".join(p["text"] for p in out["pages"])
    assert "Gemeente Hoeksche Waard" in text
    assert (
        "algoritmeregister"
        in text.replace("-\n", "").replace("al-\ngoritmeregister", "algoritmeregister")
        or "algoritmes" in text
    )
    assert "Geachte heer/mevrouw" in text


def test_an_image_only_pdf_is_ocrd(shared_corpus: Path, data_dir: Path) -> None:
    out = extract_json(shared_corpus / "pdf" / "image_only_no_textlayer.pdf")
    assert out["pages"][0]["method"] == "ocr"
    assert "Melkveestapel" in out["pages"][0]["text"] and "Jongvee" in out["pages"][0]["text"]


def test_a_text_layer_of_noise_is_replaced_by_ocr(tmp_path: Path, data_dir: Path) -> None:
    from fpdf import FPDF
    from PIL import Image

    scan = Image.open(io.BytesIO(_page_image(["Besluit op uw Woo-verzoek", "Gemeente Voorbeeld"])))
    pdf = FPDF()
    pdf.add_page()
    pdf.image(scan, x=0, y=0, w=210, h=297)
    pdf.set_font("helvetica", size=6)
    pdf.set_text_color(255, 255, 255)  # invisible, as a broken Type3 text layer is
    pdf.multi_cell(0, 3, "ÿþýüûúùø÷ ±²³´µ¶·¸¹ º»¼½¾¿ ×ÞßðÐ " * 12)
    path = tmp_path / "noise.pdf"
    path.write_bytes(bytes(pdf.output()))
    extraction = read_document(path, "x" * 64, settings())
    assert "noise" in extraction.ocr_needed[1]
    out = extract_json(path)
    assert out["pages"][0]["method"] == "ocr" and "Woo-verzoek" in out["pages"][0]["text"]


def _page_image(lines: list[str]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    page = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(page)
    for n, line in enumerate(lines):
        draw.text((150, 200 + n * 60), line, fill=0, font=ImageFont.load_default(size=40))
    out = io.BytesIO()
    page.save(out, format="PNG")
    return out.getvalue()


def test_html_gives_the_main_text_without_menus_scripts_or_footer(
    tmp_path: Path, data_dir: Path
) -> None:
    page = tmp_path / "privacy.html"
    page.write_text(
        "<html><head><title>Privacy</title><script>var x='menu';</script></head><body>"
        "<nav>Home | Contact</nav><div class='cookie-banner'>Wij gebruiken cookies</div>"
        "<main><h1>Privacyverklaring</h1><p>Wij verwerken persoonsgegevens.</p>"
        "<table><tr><td>Doel</td><td>Grondslag</td></tr></table></main><footer>Adres</footer></body></html>"
    )
    [page_one] = extract_json(page)["pages"]
    assert page_one["method"] == "html"
    assert page_one["text"] == "Privacyverklaring\nWij verwerken persoonsgegevens.\nDoel\tGrondslag"


def test_a_register_spreadsheet_keeps_its_rows_and_columns(tmp_path: Path, data_dir: Path) -> None:
    from tests.fixtures.documents import REGISTER_ROWS
    from tests.fixtures.web.sites import xlsx

    path = tmp_path / "register.xlsx"
    path.write_bytes(xlsx(REGISTER_ROWS).body)
    extraction = extract_file(path, settings())
    assert extraction.pages[0].method == "office"
    assert (
        "Parkeervergunningen\tVerlenen van vergunningen\tPublieke taak" in extraction.pages[0].text
    )
    assert (
        "Verwerkingsregister",
        2,
        3,
        "Grondslag (art. 6 AVG)",
        "Publieke taak",
    ) in extraction.cells


def test_a_docx_is_split_at_its_page_breaks(tmp_path: Path, data_dir: Path) -> None:
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = (
        f"<w:document {w}><w:body><w:p><w:r><w:t>DPIA zaaksysteem</w:t></w:r></w:p>"
        '<w:p><w:r><w:br w:type="page"/><w:t>Bijlage 1</w:t></w:r></w:p></w:body></w:document>'
    )
    path = tmp_path / "dpia.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", body)
    out = extract_json(path)
    assert [(p["page"], p["text"]) for p in out["pages"]] == [
        (1, "DPIA zaaksysteem"),
        (2, "Bijlage 1"),
    ]
    assert out["kind"] == "dpia"


def test_an_odt_is_read(tmp_path: Path, data_dir: Path) -> None:
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
        "<text:h>Privacyverklaring</text:h><text:p>Wij verwerken persoonsgegevens.</text:p>"
        "</office:text></office:body></office:document-content>"
    )
    path = tmp_path / "privacy.odt"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        zf.writestr("content.xml", content)
    out = extract_json(path)
    assert out["pages"] == [
        {
            "page": 1,
            "method": "office",
            "text": "Privacyverklaring\nWij verwerken persoonsgegevens.",
        }
    ]


def test_an_encrypted_pdf_opens_with_the_empty_password_or_is_marked(
    tmp_path: Path, data_dir: Path
) -> None:
    from pypdf import PdfReader, PdfWriter

    source = PdfReader(io.BytesIO(text_pdf(["Vertrouwelijk besluit"])))
    for name, user_password in (("open.pdf", ""), ("locked.pdf", "geheim")):
        writer = PdfWriter(clone_from=source)
        writer.encrypt(user_password=user_password, owner_password="eigenaar", algorithm="AES-128")
        with open(tmp_path / name, "wb") as fh:
            writer.write(fh)
    assert "Vertrouwelijk besluit" in extract_json(tmp_path / "open.pdf")["pages"][0]["text"]
    locked = woo("extract", str(tmp_path / "locked.pdf"), "--json")
    assert locked.exit_code == 1
    out = json.loads(locked.stdout)
    assert out["pages"] == [] and out["errors"] == [
        "encrypted, and the empty password does not open it"
    ]


def test_a_malformed_pdf_is_repaired(tmp_path: Path, data_dir: Path) -> None:
    body = text_pdf(["Woo-besluit na reparatie"])
    start = body.rindex(b"startxref")
    broken = (
        body[:start] + b"startxref\n999999\n%%EOF\n"
    )  # a cross-reference table pointing nowhere
    path = tmp_path / "kapot.pdf"
    path.write_bytes(broken.replace(b"xref\n0 ", b"xrof\n0 "))
    out = extract_json(path)
    assert "Woo-besluit na reparatie" in out["pages"][0]["text"]


def test_zero_bytes_and_garbage_are_reported_not_raised(tmp_path: Path, data_dir: Path) -> None:
    empty = tmp_path / "leeg.pdf"
    empty.write_bytes(b"")
    result = woo("extract", str(empty), "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["errors"] == ["zero bytes"]
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20)
    result = woo("extract", str(junk), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["errors"][0].startswith("malformed PDF")


def test_a_missing_file_is_a_one_line_error(tmp_path: Path, data_dir: Path) -> None:
    result = woo("extract", str(tmp_path / "weg.pdf"))
    assert (
        result.exit_code == 1
        and result.stderr.strip() == f"Error: {tmp_path / 'weg.pdf'}: no such file"
    )


def test_a_document_over_the_page_limit_is_read_up_to_the_limit(
    tmp_path: Path, data_dir: Path, monkeypatch
) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    page = PdfReader(io.BytesIO(text_pdf(["Bijlage bij het besluit"]))).pages[0]
    for _ in range(12):
        writer.add_page(page)
    path = tmp_path / "lang.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    monkeypatch.setenv("WOO_MAX_PAGES", "5")
    out = extract_json(path)
    assert len(out["pages"]) == 5
    assert out["errors"] == ["12 pages, more than the limit of 5: only the first 5 read"]


def test_an_image_over_the_pixel_limit_is_refused_not_ocrd(
    tmp_path: Path, data_dir: Path, monkeypatch
) -> None:
    from PIL import Image

    path = tmp_path / "bom.png"
    Image.new("1", (6000, 6000), 1).save(path)  # 36 megapixels, a few kilobytes
    monkeypatch.setenv("WOO_OCR_MAX_MPIXELS", "10")
    result = woo("extract", str(path), "--json")
    out = json.loads(result.stdout)
    # judged from the header, before anything is decoded
    assert out["pages"] == []
    assert out["errors"] == ["an image of 6000x6000 pixels, over the limit of 10 megapixels"]
    assert result.exit_code == 1


def test_a_tesseract_that_runs_out_of_time_leaves_a_problem_not_a_hang(
    tmp_path: Path, data_dir: Path, monkeypatch
) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf(["Besluit op uw Woo-verzoek"] * 30))
    monkeypatch.setenv("WOO_OCR_TIMEOUT", "0.01")
    out = extract_json(path)
    assert any("OCR recognised no text" in e or "OCR failed" in e for e in out["errors"]), out[
        "errors"
    ]


def test_text_is_text_in_any_encoding_a_municipality_writes(tmp_path) -> None:
    from wooarchive.archive.sniff import sniff

    cut = tmp_path / "utf8.txt"  # the 4096-byte head ends inside an "ë"
    cut.write_bytes(b"a" * 4095 + "ë en meer tekst".encode())
    legacy = tmp_path / "excel.csv"
    legacy.write_bytes("Nr;Omschrijving\n1;Geïnventariseerd café\n".encode("cp1252"))
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 8)
    assert [sniff(p) for p in (cut, legacy, binary)] == [
        "text/plain",
        "text/plain",
        "application/octet-stream",
    ]
