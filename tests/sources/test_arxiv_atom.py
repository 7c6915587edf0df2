"""The arXiv API (Atom) parser, on recorded API responses and on hostile variants of them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from paperfeed.papers.record import PaperRecord
from paperfeed.sources.formats import Problem
from paperfeed.sources.formats.arxiv_atom import FeedPaging, parse_atom

from .hostile import EXTERNAL_ENTITY, HUGE_TITLE, bomb


@pytest.fixture(scope="module")
def api(fixtures):
    def read(name: str) -> bytes:
        (path,) = (fixtures / "arxiv-api").glob(f"{name}_*.xml")
        return path.read_bytes()

    return read


def test_single_id_lookup(api):
    page = parse_atom(api("id_2104.12255v1_s0_m100"), "2104.12255v1")
    assert page.paging == FeedPaging(total_results=1, start_index=0, items_per_page=100)
    (r,) = page.items
    assert r.arxiv_id == "2104.12255"
    assert r.title == "0"  # the paper really is called "0"
    assert r.authors == ["Quan Thoi Minh Nguyen"]
    assert r.categories == ["cs.CR"]
    assert r.latest_version == 1
    assert [(v.number, v.created) for v in r.versions] == [(1, datetime(2021, 4, 20, 16, 7, 14, tzinfo=UTC))]
    assert r.published == datetime(2021, 4, 20, 16, 7, 14, tzinfo=UTC)
    assert r.abstract.startswith("What is the funniest number in cryptography? 0.")


def test_old_style_id_with_comment_and_journal_ref(api):
    (r,) = parse_atom(api("id_astro-ph_0601001_s0_m100")).items
    assert r.arxiv_id == "astro-ph/0601001"
    assert r.title == (
        "Frequency of Hot Jupiters and Very Hot Jupiters from the OGLE-III Transit Surveys "
        "Toward the Galactic Bulge and Carina"
    )
    assert r.authors == ["Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski"]  # no affiliations
    assert r.categories == ["astro-ph"]
    assert r.journal_ref == "ActaAstron.56:1-50,2006"
    assert r.comments.startswith("62 pages including 16 figures and 9 tables.")
    assert r.published == datetime(2006, 1, 2, 14, 57, 58, tzinfo=UTC)


def test_primary_category_first(api):
    (r,) = parse_atom(api("id_quant-ph_0201082v1_s0_m100")).items
    assert r.arxiv_id == "quant-ph/0201082"
    assert r.categories == ["quant-ph", "cs.PL"]
    assert r.authors == ["Stephen Blaha"]


def test_search_page_with_paging_versions_and_doi(api):
    page = parse_atom(api("q_testing_s0_m10"))
    assert page.paging == FeedPaging(total_results=214881, start_index=0, items_per_page=10)
    assert [r.arxiv_id for r in page.items] == [
        "2202.12139", "2405.13786", "2005.14124", "2204.08348", "2302.03287",
        "1202.4527", "2503.05378", "1205.1866", "2502.07719", "1812.11470",
    ]  # fmt: skip
    first = page.items[0]
    assert first.doi == "10.1109/ICSTW55395.2022.00035"
    assert first.categories == ["cs.SE", "cs.LG"]
    assert first.journal_ref.startswith("Artificial Intelligence in Software Testing @ 2022 IEEE")
    # Entry "2204.08348v3": published is v1's date, updated the date of v3.
    v3 = page.items[3]
    assert v3.latest_version == 3
    assert [(v.number, v.created) for v in v3.versions] == [
        (1, datetime(2022, 4, 18, 14, 46, 24, tzinfo=UTC)),
        (3, datetime(2022, 7, 6, 5, 12, 56, tzinfo=UTC)),
    ]


def test_later_pages_report_their_start(api):
    assert parse_atom(api("q_testing_s10_m10")).paging == FeedPaging(214881, 10, 10)
    assert parse_atom(api("q_testing_s9_m15")).paging == FeedPaging(214881, 9, 15)
    assert len(parse_atom(api("q_testing_s0_m100")).items) == 100


def test_utf8_read_as_latin1_is_repaired(api):
    r = parse_atom(api("q_testing_s0_m10")).items[1]  # the response says "Aurora RamÃ\xadrez"
    assert r.authors == ["Aurora Ramírez", "Mario Berrios", "José Raúl Romero", "Robert Feldt"]


def test_empty_result(api):
    page = parse_atom(api("id_0000.0000_s0_m100"))
    assert page.items == []
    assert page.paging.total_results == 0


def test_error_feed_is_a_problem(api):
    page = parse_atom(api("id_abc_s0_m100"), "id_list=abc")
    (problem,) = page.items
    assert isinstance(problem, Problem)
    assert problem.reason == "arXiv API error: incorrect id format for abc"
    assert problem.location == "id_list=abc entry 1"
    assert "api/errors#incorrect_id_format_for_abc" in problem.raw


# -- hostile variants -------------------------------------------------------------------------


def test_truncated_feed_keeps_the_complete_entries(api):
    body = api("q_testing_s0_m10")
    cut = body[: body.index(b"<entry>", body.index(b"2005.14124")) + 200]  # inside the 4th entry
    page = parse_atom(cut, "cut")
    assert [type(i) for i in page.items] == [PaperRecord, PaperRecord, PaperRecord, Problem]
    assert page.items[-1].reason.startswith("malformed XML")


def test_billion_laughs_is_refused_unexpanded():
    # Refused before any entity is expanded (expanding it would take minutes and gigabytes).
    page = parse_atom(bomb("feed"), "bomb")
    (problem,) = page.items
    assert isinstance(problem, Problem)
    assert problem.reason.startswith("refused unsafe XML")


def test_external_entity_is_refused():
    (problem,) = parse_atom(EXTERNAL_ENTITY, "xxe").items
    assert problem.reason.startswith("refused unsafe XML")


def test_bad_entries_are_problems_and_good_ones_still_read(api):
    body = api("q_testing_s0_m10").decode()
    body = body.replace("http://arxiv.org/abs/2405.13786v1</id>", "http://example.org/nothing</id>", 1)
    body = body.replace(
        "<title>Active Fuzzing for Testing and Securing Cyber-Physical Systems</title>",
        f"<title>{HUGE_TITLE}</title>",
        1,
    )
    page = parse_atom(body, "edited")
    kinds = [type(i).__name__ for i in page.items]
    assert kinds == ["PaperRecord", "Problem", "Problem"] + ["PaperRecord"] * 7
    assert "not an arXiv abs URL" in page.items[1].reason
    assert "title is 100,000 characters long" in page.items[2].reason
    assert page.items[2].location == "edited entry 3 (2005.14124v2)"
