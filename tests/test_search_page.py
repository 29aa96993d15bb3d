"""The search page as a researcher uses it: right totals with filters, pages, suggestions of
real words that keep the filters, Dutch compounds found written apart, stop words explained,
results as JSON and CSV."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from urllib.parse import urlencode

import pytest

from wooarchive.archive.store import Archive
from wooarchive.config import settings
from wooarchive.indexer.run import index
from wooarchive.web.serve import datasette_app

PAGE = "<html><head><title>{title}</title></head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>"


@pytest.fixture(scope="module")
def ds(tmp_path_factory):
    root = tmp_path_factory.mktemp("searchpage")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WOO_DATA", str(root / "data"))
        mp.setenv("WOO_BASE_URL", "http://archive.test")
        archive = Archive(settings())

        def add(name: str, municipality: str, kind: str, title: str, text: str) -> None:
            path = root / f"{name}.html"
            path.write_text(PAGE.format(title=title, text=text), encoding="utf-8")
            archive.record_file(path, municipality_code=municipality, kind=kind)

        for n in range(45):
            add(
                f"camera-{n}", "GM0400", "dpia", f"DPIA camera {n}", f"Cameratoezicht op plein {n}."
            )
        for n in range(3):
            add(f"utrecht-{n}", "GM0344", "other", f"Camera's {n}", f"Cameratoezicht Utrecht {n}.")
        add(
            "denhelder",
            "GM0400",
            "processing_register",
            "Register van verwerkingen",
            "Het register van verwerkingen van de gemeente Den Helder.",
        )
        add(
            "heerlen",
            "GM0917",
            "processing_register",
            "Verwerkingsregister",
            "Ons verwerkingsregister staat hier.",
        )
        add("zwolle", "GM0193", "privacy_statement", "Privacy", "Eenmalig woord: zeldzaamheid.")
        index(archive, workers=1)
        yield datasette_app(settings())


def get(ds, path: str):
    return asyncio.run(ds.client.get(path))


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())


def test_totals_are_right_and_pages_follow_with_the_filters(ds) -> None:
    first = get(ds, "/-/search?q=cameratoezicht")
    assert "48 resultaten voor cameratoezicht , pagina 1 van 3" in text(first)
    assert first.text.count('<div class="hit">') == 20
    filtered = get(ds, "/-/search?q=cameratoezicht&municipality=GM0400")
    assert "45 resultaten voor cameratoezicht in Den Helder" in text(filtered)
    following = re.search(r'<a href="([^"]+)" rel="next">', filtered.text).group(1)
    assert "municipality=GM0400" in following and "page=2" in following
    last = get(ds, "/-/search" + following.replace("&amp;", "&").replace("page=2", "page=3"))
    assert last.text.count('<div class="hit">') == 5 and 'rel="next"' not in last.text
    nothing = get(ds, "/-/search?q=cameratoezicht&kind=woo_decision")
    assert "0 resultaten" in text(nothing) and '<div class="hit">' not in nothing.text
    single = get(ds, "/-/search?q=zeldzaamheid")
    assert "1 resultaat voor zeldzaamheid" in text(single)


def test_an_unknown_municipality_or_kind_is_said_not_ignored(ds) -> None:
    page = get(ds, "/-/search?q=cameratoezicht&municipality=GM9999")
    assert page.status_code == 200
    assert "Geen gemeente met code GM9999" in page.text and '<div class="hit">' not in page.text
    kind = get(ds, "/-/search?q=cameratoezicht&kind=bogus")
    assert "Onbekende soort document: bogus" in kind.text


def test_a_compound_is_found_written_apart(ds) -> None:
    page = get(ds, "/-/search?q=verwerkingsregister")
    assert "2 resultaten" in text(page)
    assert "Register van verwerkingen" in page.text and "Ook los gezocht" in page.text


def test_a_word_with_a_suffix_is_no_compound_and_hits_are_marked(ds) -> None:
    page = get(ds, "/-/search?q=gemeentelijk")  # gemeente + lijk: an ending, not a word
    assert "Ook los gezocht" not in page.text
    marked = get(ds, "/-/search?q=verwerkingen").text
    assert "<mark>verwerkingen</mark>" in marked


def test_stop_words_alone_are_explained(ds) -> None:
    page = get(ds, "/-/search?q=de+het+een")
    assert 'id="stopwords"' in page.text and '<div class="hit">' not in page.text


def test_a_suggestion_is_a_real_word_and_keeps_the_filters(ds) -> None:
    page = get(ds, "/-/search?q=cameratoezcht&municipality=GM0344")
    link = re.search(r'<p id="suggestion">Bedoelde u: <a href="([^"]+)">([^<]+)</a>', page.text)
    assert link.group(2) == "cameratoezicht"
    assert "municipality=GM0344" in link.group(1)


@pytest.mark.parametrize("query", ["O'Brien", "a:b:c", '"', "AND OR NOT", "x" * 5000, "(*)"])
def test_any_query_is_answered(ds, query: str) -> None:
    assert get(ds, "/-/search?q=" + query.replace('"', "%22")).status_code == 200


def test_results_download_as_json_and_csv_with_citations(ds) -> None:
    data = get(ds, "/-/search.json?q=cameratoezicht&municipality=GM0344").json()
    assert data["total"] == 3 and data["total_is_exact"] is True
    hit = data["hits"][0]
    assert hit["municipality_code"] == "GM0344"
    assert hit["document"].startswith("http://archive.test/-/document/")  # absolute
    assert "Gemeente Utrecht" in hit["citation"] and "«" not in hit["snippet"]
    exported = get(ds, "/-/search.csv?q=cameratoezicht")
    assert exported.headers["content-type"].startswith("text/csv")
    # as a Dutch Excel opens it: a byte-order mark, semicolons, a decimal comma
    assert exported.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 48  # every hit, not one page of them
    assert rows[0].keys() == {
        *"sha256 page title municipality_code kind score snippet citation document".split()
    }
    assert all(re.fullmatch(r"\d+,\d{3}", r["score"]) for r in rows)
    assert all(r["document"].startswith("http://archive.test/-/document/") for r in rows)
    page = get(ds, "/-/search?q=cameratoezicht").text
    assert 'href="http://archive.test/-/search.csv?q=cameratoezicht"' in page


def test_a_search_cut_by_its_time_limit_shows_the_best_so_far_and_an_estimate(
    ds, monkeypatch
) -> None:
    """A word on most of a million pages would be scored on all of them: the search stops at
    its time limit (here at once, after the first hit) and says its total is an estimate."""
    from wooarchive.indexer import whoosh_index

    monkeypatch.setattr(whoosh_index, "SEARCH_SECONDS", -1.0)  # over before it starts
    # a total this small is counted exactly even after a cut (see the test below): here the
    # 48 hits stand for the many a common word has on a large archive
    monkeypatch.setattr(whoosh_index, "EXACT_TOTAL_UP_TO", 10)
    page = get(ds, "/-/search?q=cameratoezicht")
    assert page.status_code == 200
    assert "ongeveer 48 resultaten" in text(page)  # Whoosh's estimate, said to be one
    assert page.text.count('<div class="hit">') == 1


def test_a_small_search_cut_by_a_busy_machine_still_has_its_exact_total(ds, monkeypatch) -> None:
    """A busy machine can pass the time limit at the first hit; Whoosh's estimate then counts
    deleted (updated) pages too: one more than there are. Small totals are counted exactly."""
    from wooarchive.indexer import whoosh_index

    monkeypatch.setattr(whoosh_index, "SEARCH_SECONDS", -1.0)
    data = get(ds, "/-/search.json?q=cameratoezicht").json()
    assert data["total"] == 48 and data["total_is_exact"] is True


def _pages(ds, search: str) -> list[str]:
    query = urlencode({"_search": search, "_shape": "array", "_size": "100"})
    rows = get(ds, f"/archive/pages.json?{query}").json()
    return sorted(" ".join(row["text"].split()) for row in rows)


def test_the_tables_search_means_what_the_search_page_means(ds) -> None:
    """Datasette's search of the pages takes the same operators as the search page, and a word
    finds its forms and the compounds it begins."""
    assert _pages(ds, "verwerkingsregisters") == [
        "Verwerkingsregister Ons verwerkingsregister staat hier."
    ]
    assert len(_pages(ds, "camera")) == 48  # cameratoezicht: a compound it begins
    assert len(_pages(ds, "verwerk*")) == 2
    assert len(_pages(ds, "verwerkingsregister OR zeldzaamheid")) == 2
    assert len(_pages(ds, "cameratoezicht NOT utrecht")) == 45
    assert len(_pages(ds, "cameratoezicht -utrecht")) == 45
    assert len(_pages(ds, '"register van verwerkingen"')) == 1
    assert _pages(ds, "-cameratoezicht") == []  # only what must not occur: nothing, not it
    # a search as Datasette's own (raw FTS5) is left as it is
    raw = urlencode({"_search": "verwerkingsregister", "_searchmode": "raw", "_shape": "array"})
    assert len(get(ds, f"/archive/pages.json?{raw}").json()) == 1
