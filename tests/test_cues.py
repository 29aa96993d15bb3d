"""What a document is, decided from Dutch cues, with the evidence for the choice."""

from __future__ import annotations

from wooarchive.cues import classify, is_pagination, link_score, looks_like_document


def test_a_privacy_statement_is_known_by_its_title_despite_mentions_of_other_kinds() -> None:
    verdict = classify(
        url="https://www.gemeente.nl/over-de-gemeente/privacy",
        title="Privacyverklaring gemeente Voorbeeld",
        text="In het verwerkingsregister staat alles. De functionaris gegevensbescherming houdt toezicht.",
    )
    assert verdict.kind == "privacy_statement"
    assert "title matches 'Privacyverklaring'" in verdict.evidence


def test_register_dpia_fg_and_algorithms_by_their_own_words() -> None:
    assert (
        classify(url="https://x.nl/avg", title="Register van verwerkingsactiviteiten").kind
        == "processing_register"
    )
    assert (
        classify(
            url="https://x.nl/d/123.pdf",
            anchor="Gegevensbeschermingseffectbeoordeling Wmo",
            is_document=True,
        ).kind
        == "dpia"
    )
    assert (
        classify(url="https://x.nl/fg", title="Functionaris voor gegevensbescherming").kind
        == "fg_contact"
    )
    assert (
        classify(url="https://x.nl/algoritmeregister", title="Algoritmeregister").kind
        == "algorithm_register"
    )


def test_a_listing_of_woo_decisions_is_a_woo_page_and_its_files_are_decisions() -> None:
    listing = classify(
        url="https://x.nl/woo/besluiten", title="Woo-besluiten 2026", document_links=12
    )
    assert listing.kind == "woo_page"
    unnamed = classify(
        url="https://x.nl/files/2026-14.pdf",
        anchor="2026-14",
        is_document=True,
        from_woo_listing="https://x.nl/woo/besluiten",
    )
    assert unnamed.kind == "woo_decision"
    assert "listed on Woo page https://x.nl/woo/besluiten" in unnamed.evidence


def test_a_single_decision_page_is_a_woo_decision() -> None:
    assert (
        classify(
            url="https://x.nl/publicaties/123", title="Besluit op Woo-verzoek over de ringweg"
        ).kind
        == "woo_decision"
    )


def test_a_file_is_never_a_woo_page() -> None:
    verdict = classify(
        url="https://x.nl/woo/besluiten/werkinstructie.pdf",
        text="Wet open overheid",
        is_document=True,
    )
    assert verdict.kind == "other"


def test_passing_mentions_in_a_pages_body_do_not_make_its_kind() -> None:
    home = classify(
        url="https://www.gemeente.nl/",
        title="Gemeente Voorbeeld",
        text="Privacy Woo-verzoek indienen Algoritmeregister Verwerkingsregister Privacy Privacy",
    )
    assert home.kind == "other"


def test_link_scores_rank_cues_above_navigation_above_nothing() -> None:
    assert (
        link_score("Privacyverklaring", "/privacy")
        > link_score("Over de gemeente", "/over")
        > link_score("Agenda", "/agenda")
    )
    assert link_score("Agenda", "/agenda?maand=2026-12") == 0


def test_pagination_and_documents_are_recognised() -> None:
    assert (
        is_pagination("Volgende")
        and is_pagination("3")
        and is_pagination("»")
        and is_pagination("x", rel="next")
    )
    assert not is_pagination("Volgende maand")
    assert looks_like_document("https://x.nl/a/Besluit.PDF?download=1")
    assert not looks_like_document("https://x.nl/pdf-overzicht")


def test_a_real_council_decision_list_is_not_mistaken_for_privacy_or_woo(shared_corpus) -> None:
    from pypdf import PdfReader

    reader = PdfReader(shared_corpus / "pdf" / "denhelder_besluitenlijst_raad_2015-06-29.pdf")
    text = " ".join(page.extract_text() for page in reader.pages[:2])  # what the reader judges
    assert "raad" in text.lower()
    verdict = classify(
        url="https://www.denhelder.nl/besluitenlijst.pdf",
        anchor="Besluitenlijst raadsvergadering 29 juni 2015",
        text=text,
        is_document=True,
    )
    assert verdict.kind == "other", verdict


def test_a_real_gemeenteblad_publication_is_not_a_privacy_statement(shared_corpus) -> None:
    from parsel import Selector

    page = Selector((shared_corpus / "html" / "wetsuite_gmb.html").read_text("utf-8"))
    verdict = classify(
        url="https://zoek.officielebekendmakingen.nl/gmb-2022-1.html",
        title=page.xpath("normalize-space(//title)").get(""),
        text=" ".join(page.xpath("//body//text()").getall()),
    )
    assert verdict.kind != "privacy_statement", verdict
