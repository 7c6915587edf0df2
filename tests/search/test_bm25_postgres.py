"""PostgreSQL's lexical leg scores BM25 as engines.postgres_bm25 documents it, from the index's
own lexemes; the impact lists built from it add up to the same scores."""

import math

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.search.engines import engine
from paperfeed.search.engines.base import FIELD_WEIGHTS
from paperfeed.search.engines.postgres_bm25 import tsquery_literal
from paperfeed.search.impact import impact_store
from paperfeed.search.impact_build import build_impact_lists
from paperfeed.sources.normalize import build_record

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

TEXTS = [
    ("Graphene lattice phonons", "We compute phonons of graphene. Graphene phonons are soft.", "Ana Graphene"),
    ("Lattice models", "A lattice model of magnets and a second lattice.", "Bo Lattice"),
    ("Magnets", "Phonons in magnets, measured twice: phonons.", "Cy Dee"),
    ("Unrelated", "Nothing here matches the query words at all.", "Di Eff"),
]


@pytest.fixture(autouse=True)
def _only_these_papers():
    Paper.objects.all().delete()
    impact_store.clear()
    engine().lexical.lexeme_frequencies.clear()  # another test's papers counted
    store_records(
        [
            build_record(arxiv_id=f"2612.{80001 + i}", title=title, abstract=abstract, authors=[author])
            for i, (title, abstract, author) in enumerate(TEXTS)
        ]
    )
    yield
    impact_store.clear()


def index_entries() -> dict[int, dict[str, list[str]]]:
    """paper id → lexeme → the weights (A/B/C) of its positions, as the index holds them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT p.id, u.lexeme, u.weights FROM papers_paper AS p, unnest(p.search_document) AS u")
        entries: dict[int, dict[str, list[str]]] = {}
        for paper_id, lexeme, weights in cursor.fetchall():
            entries.setdefault(paper_id, {})[lexeme] = list(weights)
    return entries


def reference_bm25(query_lexemes: list[str]) -> dict[int, float]:
    """BM25 by the formula in engines.postgres_bm25's docstring, computed here in Python."""
    entries = index_entries()
    papers = len(entries)
    average = sum(len(e) for e in entries.values()) / papers
    weight = dict(zip("ABC", FIELD_WEIGHTS, strict=True))
    scores = {}
    for paper_id, lexemes in entries.items():
        if not any(lexeme in lexemes for lexeme in query_lexemes):
            continue
        score = 0.0
        for lexeme in query_lexemes:
            if lexeme not in lexemes:
                continue
            n = sum(1 for e in entries.values() if lexeme in e)
            idf = max(math.log((papers - n + 0.5) / (n + 0.5)), 1e-6)
            f = sum(weight[w] for w in lexemes[lexeme])
            score += idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * len(lexemes) / average))
        scores[paper_id] = score
    return scores


def test_scores_are_bm25_over_the_index_lexemes():
    backend = engine().lexical
    words = ["graphene", "phonons", "lattice"]
    lexemes = [lexeme for word in words for lexeme in backend.tokenizer().terms(word)]
    assert lexemes == ["graphen", "phonon", "lattic"]
    expected = reference_bm25(lexemes)
    got = dict(backend.candidates(" ".join(words)))
    assert set(got) == set(expected) and len(got) == 3
    for paper_id, score in expected.items():
        assert got[paper_id] == pytest.approx(score, rel=1e-9)
    # The title counts three times: graphene in a title beats it twice in an abstract elsewhere.
    assert max(got, key=got.get) == Paper.objects.get(arxiv_id="2612.80001").pk


def test_impact_lists_add_up_to_the_same_scores():
    backend = engine().lexical
    before = dict(backend.candidates("graphene phonons lattice magnets"))
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        work_mem = cursor.fetchone()[0]
    built = build_impact_lists(1, 1000, FIELD_WEIGHTS)  # every lexeme held by 2+ papers gets a list
    with connection.cursor() as cursor:
        cursor.execute("SHOW work_mem")
        assert cursor.fetchone()[0] == work_mem  # the build's own setting does not outlive it
    impact_store.clear()
    assert built.terms >= 3 and {"phonon", "lattic", "magnet"} <= impact_store.current().terms
    after = dict(backend.candidates("graphene phonons lattice magnets"))
    assert set(after) == set(before)
    for paper_id, score in before.items():
        assert after[paper_id] == pytest.approx(score, abs=4 * 1e-4 * max(before.values()))


def test_lexemes_with_quotes_and_backslashes_are_literals():
    for hostile in ["o'brien", "a\\b", "x' | 'y", "':*", "!"]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT numnode(%s::tsquery)", [tsquery_literal(hostile)])
            assert cursor.fetchone()[0] == 1  # one lexeme, whatever it holds: no operators
        assert engine().lexical._papers_with_lexeme(hostile) == 0
    store_records([build_record(arxiv_id="2612.80100", title="O'Brien's lattice")])
    assert Paper.objects.get(arxiv_id="2612.80100").pk in dict(engine().lexical.candidates("O'Brien's"))


def test_before_the_first_build_the_collection_is_counted_once_per_change():
    """No build yet: BM25's paper count and average length are counted, but not per search."""
    backend = engine().lexical
    backend.candidates("graphene phonons")
    with CaptureQueriesContext(connection) as queries:
        first = backend.candidates("graphene phonons")
    assert not any("count(*) FROM papers_paper" in q["sql"] and "@@" not in q["sql"] for q in queries)
    store_records([build_record(arxiv_id="2612.80200", title="Graphene again", abstract="More graphene phonons.")])
    with CaptureQueriesContext(connection) as queries:
        second = backend.candidates("graphene phonons")
    assert any("count(*) FROM papers_paper" in q["sql"] and "@@" not in q["sql"] for q in queries)
    assert len(second) == len(first) + 1
