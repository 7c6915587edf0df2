"""The contract every lexical backend keeps (PostgreSQL will run the same tests)."""

import pytest

from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.search.backends import MARK_END, MARK_START, lexical_backend
from paperfeed.sources.normalize import build_record

pytestmark = pytest.mark.django_db


def add(arxiv_id, title, abstract="", authors=""):
    store_records([build_record(arxiv_id=arxiv_id, title=title, abstract=abstract, authors=authors)])
    return Paper.objects.get(arxiv_id=arxiv_id).pk


def test_index_follows_inserts_updates_and_deletes():
    pk = add("2611.10001", "Zymurgical fermentation kinetics")
    backend = lexical_backend()
    assert [h.paper_id for h in backend.search("zymurgical").hits] == [pk]
    store_records([build_record(arxiv_id="2611.10001", title="Oenological fermentation kinetics",
                                versions=[{"version": "v2", "created": "2026-11-02"}])])
    assert backend.search("zymurgical").hits == []
    assert [h.paper_id for h in backend.search("oenological").hits] == [pk]
    Paper.objects.filter(pk=pk).delete()
    assert backend.search("oenological").hits == []


def test_title_outweighs_abstract_and_authors_are_searchable():
    in_title = add("2611.10002", "Quokka population dynamics")
    in_abstract = add("2611.10003", "Marsupial studies", "We also count the quokka and other animals.")
    by_author = add("2611.10004", "Unrelated", authors="Quentin Quokkason")
    hits = lexical_backend().search("quokka").hits
    assert [h.paper_id for h in hits[:2]] == [in_title, in_abstract]
    assert [h.paper_id for h in lexical_backend().search("Quokkason").hits] == [by_author]


def test_stemming_diacritics_and_highlights():
    pk = add("2611.10005", "Optimizers for Gödel machines", "Stateless optimizers.")
    hit = lexical_backend().search("optimizer godel").hits[0]
    assert hit.paper_id == pk
    assert f"{MARK_START}Optimizers{MARK_END}" in hit.title_highlight
    assert f"{MARK_START}Gödel{MARK_END}" in hit.title_highlight


def test_all_words_first_then_any_word():
    both = add("2611.10006", "Capybara thermoregulation")
    one = add("2611.10007", "Capybara social behaviour")
    assert [h.paper_id for h in lexical_backend().search("capybara thermoregulation").hits] == [both]
    assert {h.paper_id for h in lexical_backend().search("capybara wombat").hits} == {both, one}


def test_limit_offset_and_total():
    for i in range(5):
        add(f"2611.1010{i}", f"Axolotl regeneration study {i}")
    page = lexical_backend().search("axolotl", limit=2, offset=2)
    assert page.total == 5 and len(page.hits) == 2


def test_the_database_gets_its_own_backend():
    from django.db import connection

    expected = {"sqlite": "SqliteFtsBackend", "postgresql": "PostgresFtsBackend"}[connection.vendor]
    assert type(lexical_backend()).__name__ == expected


def test_query_syntax_in_user_text_is_just_words():
    pk = add("2611.10020", "Pangolin scales and keratin")
    for text in ['pangolin" OR "', "pangolin & !keratin", "pangolin'); DROP TABLE papers_paper; --", "pangolin:*"]:
        assert pk in [h.paper_id for h in lexical_backend().search(text).hits], text
    assert Paper.objects.filter(pk=pk).exists()


def test_candidates_and_highlights_for_the_hybrid_leg():
    pk = add("2611.10030", "Narwhal tusk sensing", "Whales " + "swim far and deep in cold water. " * 20 + "Narwhal tusks sense salinity.")
    other = add("2611.10031", "Beluga song", "Belugas sing; narwhals listen.")
    scores = dict(lexical_backend().candidates("narwhal tusks"))
    assert set(scores) >= {pk, other} and scores[pk] > scores[other]
    title, snippet = lexical_backend().highlights("narwhal tusks", [pk])[pk]
    assert title == f"{MARK_START}Narwhal{MARK_END} {MARK_START}tusk{MARK_END} sensing"
    # A long abstract is cut to a window around the matches, with the matches marked.
    assert snippet.startswith("…") and snippet.endswith(f"{MARK_START}Narwhal{MARK_END} {MARK_START}tusks{MARK_END} sense salinity.")
