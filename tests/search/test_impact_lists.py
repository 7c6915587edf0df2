"""Impact lists for common words (search.impact): exact where they hold a paper, built and
swapped by `paperfeed index`, and never the only way to find a paper — on both databases
(FTS5's BM25 on SQLite, engines.postgres_bm25's on PostgreSQL)."""

import dataclasses
import re
import subprocess
import sys

import numpy as np
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.search.engines import engine, read_ahead_in_background
from paperfeed.search.engines.base import FIELD_WEIGHTS
from paperfeed.search.impact import (
    ID_TYPE,
    IMPACT_TYPE,
    Generation,
    ImpactList,
    ImpactStore,
    commonest,
    impact_store,
    split_keywords,
    sum_top,
)
from paperfeed.search.impact_build import build_impact_lists
from paperfeed.search.query import keywords
from paperfeed.sources.normalize import build_record

from ..helpers import child_query, cli_env

pytestmark = pytest.mark.django_db

# Words by how many of the 40 papers hold them: "lattice" all, "spectral" half (in titles or
# abstracts, once to three times), "proposed" a quarter (a stem FTS5 stems again: propos →
# propo), "zeolite" three. With a threshold of 5 the first three are common (with the filler
# words; FTS5 keeps stopwords, PostgreSQL does not), "zeolite" is rare.
PAPERS = 40


def corpus(extra: int = 0) -> list[int]:
    records = []
    for i in range(PAPERS):
        title = f"Lattice study {i}" + (" spectral" if i % 4 == 0 else "")
        abstract = "We measure lattice constants " + "and more " * (i % 7)
        if i % 2 == 0:
            abstract += " spectral" * (1 + i % 3)
        if i % 4 == 1:
            abstract += " as proposed"
        if i in (3, 17, 30):
            abstract += " in a zeolite"
        records.append(build_record(arxiv_id=f"2612.{i + 1 + extra:05d}", title=title, abstract=abstract))
    store_records(records)
    return list(Paper.objects.order_by("id").values_list("id", flat=True))


def build(threshold=5, length=1000, **kwargs):
    built = build_impact_lists(threshold, length, FIELD_WEIGHTS, **kwargs)
    impact_store.clear()
    return built


def exact_bm25(text: str) -> dict[int, float]:
    """The database's own BM25 of the whole query, every keyword scored by the database."""
    return dict(engine().lexical._bm25(keywords(text), 10_000, impact_store.current()))


def terms(word: str) -> tuple[str, ...]:
    return engine().lexical.tokenizer().terms(word)


@pytest.fixture(autouse=True)
def _only_this_tests_papers():
    """Without the sample another test may have loaded (rolled back afterwards): counts of
    lists and candidates are then this module's own."""
    Paper.objects.all().delete()
    forget_frequencies()
    yield
    forget_frequencies()


def forget_frequencies():
    """Lists and the per-process document-frequency caches: another test's papers counted."""
    impact_store.clear()
    backend = engine().lexical
    for cache in (backend.frequencies, getattr(backend, "lexeme_frequencies", None)):
        if cache is not None:
            cache.clear()


def quantum(text: str) -> float:
    """How far the lists' sum may be from FTS5's: half a step per common word's list (the
    lists keep contributions in steps of 1/65,535 of the word's best), and float rounding."""
    generation = impact_store.current()
    words = [terms(w) for w in keywords(text)]
    lists = impact_store.lists(generation, [t[0] for t in words if len(t) == 1 and t[0] in generation.terms])
    return sum(impact_list.scale for impact_list in lists.values()) + 1e-9


def test_with_complete_best_lists_the_ranking_is_the_databases_own():
    corpus()
    built = build(length=1000)  # more than any term's papers: every paper is among the best
    terms = impact_store.current().terms
    assert {"lattic", "spectral", "propos"} <= terms and "zeolit" not in terms and built.unmatched == 0
    for text in ["lattice spectral zeolite", "spectral zeolite", "proposed lattice", "lattice"]:
        exact = exact_bm25(text)
        got = dict(engine().lexical.candidates(text, k=1000))
        assert set(got) == set(exact), text
        for paper_id, score in exact.items():
            assert got[paper_id] == pytest.approx(score, abs=quantum(text)), text


def test_with_short_best_lists_every_candidate_still_has_its_whole_bm25():
    corpus()
    build(length=3)
    for text in ["lattice spectral zeolite", "lattice spectral", "proposed spectral"]:
        exact = exact_bm25(text)
        got = dict(engine().lexical.candidates(text, k=1000))
        assert 3 <= len(got) < len(exact)  # candidates: papers with "zeolite", and 3 best per word
        for paper_id, score in got.items():
            assert score == pytest.approx(exact[paper_id], abs=quantum(text)), text
    # Papers with a rare word are always candidates, whatever their common words.
    assert {pid for pid, score in exact_bm25("zeolite").items()} <= set(
        dict(engine().lexical.candidates("lattice spectral zeolite", k=1000))
    )


def test_a_stem_counts_once_per_keyword_as_in_fts5():
    """On both databases: FTS5 adds one contribution per phrase; PostgreSQL's BM25 does the same."""
    corpus()
    build()
    exact = exact_bm25("spectral spectrally")  # two phrases, one term: FTS5 counts it twice
    got = dict(engine().lexical.candidates("spectral spectrally", k=1000))
    assert set(got) == set(exact)
    assert all(got[pid] == pytest.approx(score, abs=2 * quantum("spectral")) for pid, score in exact.items())


def test_a_word_of_several_common_terms_is_scored_from_their_lists():
    """"lattice_spectral": on PostgreSQL 'lattic' & 'spectral', both with lists — the papers
    holding both are candidates (all of them, not only the lists' best), each term adds its
    contribution; on SQLite FTS5 reads a phrase and scores it itself."""
    corpus()
    build(length=3)
    split = split_keywords(["lattice_spectral"], impact_store.current(), engine().lexical.tokenizer(), True)
    assert split.joined == [("lattic", "spectral")] and not split.rare and not split.common
    for text in ["lattice_spectral", "lattice_spectral zeolite"]:
        exact = exact_bm25(text)
        got = dict(engine().lexical.candidates(text, k=1000))
        assert set(got) == set(exact), text
        assert len(got) >= 10 or connection.vendor == "sqlite", text  # FTS5: no paper has the phrase
        for paper_id, score in exact.items():
            assert got[paper_id] == pytest.approx(score, abs=quantum("lattice spectral")), text
    joined = engine().lexical.joins_terms
    assert joined == (connection.vendor == "postgresql")
    if joined:  # the database scored none of the 20 papers holding both words
        with CaptureQueriesContext(connection) as queries:
            engine().lexical.candidates("lattice_spectral", k=1000)
        assert not any("plainto_tsquery" in query["sql"] for query in queries.captured_queries)


def test_index_builds_reuses_and_swaps_lists(settings, capsys):
    settings.PAPERFEED_IMPACT_THRESHOLD = 5
    corpus()
    call_command("index", "--no-embed")
    # lattic spectral propos studi measur constant + FTS5's stopwords we, and, more, as
    common = 10 if connection.vendor == "sqlite" else 6
    assert f"impact lists: {common} common terms" in capsys.readouterr().out
    first = impact_store.current().number
    call_command("index", "--no-embed")
    assert "impact lists: up to date" in capsys.readouterr().out
    assert impact_store.current().number == first
    corpus(extra=100)  # 40 more papers: every IDF changes
    call_command("index", "--no-embed")
    assert re.search(r"impact lists: \d+ common terms", capsys.readouterr().out)
    assert impact_store.current().number > first
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT generation FROM search_term_impact")
        assert [row[0] for row in cursor.fetchall()] == [impact_store.current().number]  # the old one is gone
        cursor.execute("SELECT count(*) FROM search_term_impact_build WHERE state = 'current'")
        assert cursor.fetchone()[0] == 1


def test_searches_use_the_old_lists_until_a_build_is_complete():
    corpus()
    build()
    before = engine().lexical.candidates("lattice spectral")
    old = impact_store.current().number
    seen = []

    def search_meanwhile(done, total, label):
        seen.append(impact_store.current().number)
        assert engine().lexical.candidates("lattice spectral") == before
        if done == 2:
            raise KeyboardInterrupt  # interrupted half-way

    store_records([build_record(arxiv_id="2612.09999", title="Unrelated wording")])
    with pytest.raises(KeyboardInterrupt):
        build(progress=search_meanwhile, force=True)
    assert set(seen) == {old}
    assert impact_store.current().number == old
    finished = build(force=True)  # the next build clears the interrupted one away
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT generation FROM search_term_impact")
        assert [row[0] for row in cursor.fetchall()] == [finished.generation]


def test_papers_added_after_the_build_are_found_by_their_rare_words():
    corpus()
    build()
    store_records([build_record(arxiv_id="2612.05000", title="Lattice spectral anomalies in narwhal tusks")])
    new = Paper.objects.get(arxiv_id="2612.05000").pk
    assert new in dict(engine().lexical.candidates("spectral lattice narwhal"))
    # By common words alone it waits for the next build, which puts it in their lists.
    assert new not in dict(engine().lexical.candidates("spectral lattice", k=1000))
    build()
    assert new in dict(engine().lexical.candidates("spectral lattice", k=1000))


def test_papers_deleted_after_the_build_are_not_candidates():
    ids = corpus()
    build()
    top = engine().lexical.candidates("lattice spectral")[0][0]
    Paper.objects.filter(pk=top).delete()
    found = dict(engine().lexical.candidates("lattice spectral", k=1000))
    assert top not in found and set(found) <= set(ids)


def test_small_collections_have_no_lists_and_search_as_before():
    corpus()
    built = build(threshold=PAPERS)  # no term is held by more than 40 papers
    assert built.generation is None and built.terms == 0
    assert impact_store.current().terms == frozenset()
    exact = engine().lexical._bm25(["lattice", "zeolite"], 100, impact_store.current())
    assert engine().lexical.candidates("lattice zeolite") == exact


def test_hostile_queries_with_lists():
    corpus()
    build()
    backend = engine().lexical
    for text in [
        'lattice" OR "',
        "lattice_constants",
        "NEAR(lattice spectral)",
        "spectral*",
        "'; DROP TABLE x; --",
        "lattice " * 50,
        "_ _ _",
        "the of and",
        "",
    ]:
        backend.candidates(text)
    # FTS5 reads "lattice_constants" as a phrase of two common terms: it scores it itself.
    assert len(backend.candidates("lattice_constants", k=1000)) == PAPERS
    assert Paper.objects.count() == PAPERS


def test_the_postings_budget_applies_to_words_without_a_list(settings):
    corpus()
    build()
    settings.PAPERFEED_LEXICAL_POSTINGS = 1
    engine().lexical.frequencies.clear()
    # "lattice" has a list and stays; of the words FTS5 would score, only the rarest does.
    assert engine().lexical.lexical_terms("lattice zeolite wording") == ["lattice", "wording"]
    engine().lexical.frequencies.clear()


def test_ties_go_to_the_lower_paper_id():
    # Near-duplicate papers score alike; FTS5's ORDER BY leaves them in id order, so do the lists.
    ids = np.array([5, 7, 9], dtype=ID_TYPE)
    same = ImpactList(ids, np.array([10, 10, 10], dtype=IMPACT_TYPE), 0.5, ids)
    assert sum_top([], [(same, 1)], 2) == [(5, 5.0), (7, 5.0)]
    assert sum_top([(9, 1.0)], [(same, 2)], 2) == [(9, 11.0), (5, 10.0)]


# Two processes build the lists of one database and meet at their last list, so both switch
# generations at the same moment; the papers are stored first by a third.
STORE_PAPERS = """
import django; django.setup()
from paperfeed.core import preflight; preflight.migrate()
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record
store_records([build_record(arxiv_id=f"2612.{i + 1:05d}", title=f"Lattice spectral study {i}") for i in range(12)])
"""
BUILD_AND_MEET = """
import pathlib, sys, time
import django; django.setup()
from paperfeed.search.engines.base import FIELD_WEIGHTS
from paperfeed.search.impact_build import build_impact_lists
me, other = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
def meet(done, total, label):
    if label == "impact lists" and total and done == total:
        me.touch()
        deadline = time.monotonic() + 60
        while not other.exists() and time.monotonic() < deadline:
            pass  # spin: both must leave at the same moment
build_impact_lists(5, 1000, FIELD_WEIGHTS, progress=meet, force=True)
"""


@pytest.mark.both_databases
def test_two_builds_finishing_at_once_leave_one_current_generation(tmp_path):
    """On PostgreSQL the switch takes a table lock: without it both builds retired the old
    generation and the second failed on the one-current-build index (1 run in 4). SQLite's
    IMMEDIATE transactions queue the two switches by themselves."""
    data = tmp_path / "data"
    env = cli_env(data, DJANGO_SETTINGS_MODULE="paperfeed.settings")
    stored = subprocess.run([sys.executable, "-c", STORE_PAPERS], env=env, capture_output=True, text=True)
    assert stored.returncode == 0, stored.stderr
    builds = [
        subprocess.Popen(
            [sys.executable, "-c", BUILD_AND_MEET, str(tmp_path / me), str(tmp_path / other)],
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me, other in (("a", "b"), ("b", "a"))
    ]
    for build in builds:
        _, errors = build.communicate(timeout=120)
        assert build.returncode == 0, errors
    current = child_query(data, "SELECT generation FROM search_term_impact_build WHERE state = 'current'")
    listed = child_query(data, "SELECT DISTINCT generation FROM search_term_impact")
    assert len(current) == 1 and listed == current


def test_by_default_a_process_keeps_every_list_of_the_build_once_read():
    """The automatic budget is the build's lists' total (search.impact.cache_budget): no list
    is read from the database twice, and none is dropped — also with short best lists, whose
    best papers are held beside their ids."""
    corpus()
    build(length=3)
    store = ImpactStore()
    generation = store.current()
    assert store.budget_bytes() == generation.held_bytes > 0
    terms = sorted(generation.terms)
    lists = store.lists(generation, terms)
    assert sum(impact_list.nbytes for impact_list in lists.values()) == store.cached_bytes() <= store.budget_bytes()
    assert any(impact_list.best is not impact_list.ids for impact_list in lists.values())  # some lists are partial
    preloaded = store.counts.preloaded  # the commonest words' (every one here holds 1 % of the papers)
    assert preloaded == len(commonest(generation, store.budget_bytes())) == len(terms)
    assert (store.counts.misses, store.counts.evictions) == (0, 0)
    assert store.lists(generation, terms).keys() == lists.keys()
    assert store.counts.hits == 2 * len(terms) and store.counts.misses == 0


def test_a_new_build_brings_its_own_budget():
    corpus()
    build()
    store = ImpactStore()
    first = store.current()
    store.lists(first, sorted(first.terms))
    corpus(extra=PAPERS)  # twice the papers: longer lists
    build()
    second = store.current()
    assert second.number > first.number
    assert store.budget_bytes() == second.held_bytes > first.held_bytes
    # The first build's lists are gone; the second's commonest were read in their place.
    assert store.counts.preloaded == len(first.terms) + len(second.terms)
    new_lists = store.lists(second, sorted(second.terms))
    assert store.counts.misses == 0
    assert store.cached_bytes() == sum(impact_list.nbytes for impact_list in new_lists.values())


def test_the_setting_caps_the_lists_kept_and_the_least_recently_used_go(settings):
    corpus()
    build()
    settings.PAPERFEED_IMPACT_CACHE_MB = 3
    store = ImpactStore()
    generation = store.current()
    assert store.budget_bytes() == 3 * 1024 * 1024
    # A budget of one list (the engine's own stores take theirs from the setting, as here).
    small = ImpactStore(cache_bytes=1)
    small.current()  # too small for any list to be read ahead
    assert small.counts.preloaded == 0
    first, second = sorted(generation.terms)[:2]
    small.lists(generation, [first])
    small.lists(generation, [second])
    assert small.counts.evictions == 1
    small.lists(generation, [first])  # read again
    assert (small.counts.hits, small.counts.misses) == (0, 3)
    # What is read back is what was dropped: the same ranking with any budget.
    kept = store.lists(generation, [first])[first]
    again = small.lists(generation, [first])[first]
    assert np.array_equal(kept.ids, again.ids) and np.array_equal(kept.impacts, again.impacts)


def test_a_list_whose_papers_are_all_best_is_held_once():
    ids = np.arange(1, 6, dtype=ID_TYPE)
    impacts = np.array([5, 1, 4, 2, 3], dtype=IMPACT_TYPE)
    whole = ImpactList.from_row(0.1, 0, ids.tobytes(), impacts.tobytes())
    assert whole.best is whole.ids and whole.nbytes == ids.nbytes + impacts.nbytes
    head = ImpactList.from_row(0.1, 4, ids.tobytes(), impacts.tobytes())
    assert list(head.best) == [1, 3] and head.nbytes == ids.nbytes + impacts.nbytes + 2 * 4


def test_the_commonest_words_lists_are_read_on_meeting_a_build():
    generation = Generation(1, {"model": 500, "graph": 40, "lattice": 10, "zeolite": 9}, papers=1000, list_length=100)
    everything = generation.held_bytes
    assert commonest(generation, everything) == ["model", "graph", "lattice"]  # held by 1 % of the papers or more
    assert commonest(generation, 500 * (6 + 4)) == ["model"]  # as many as the budget holds, commonest first
    assert commonest(generation, 100) == []


@pytest.mark.django_db(transaction=True)
def test_a_web_worker_reads_the_commonest_lists_as_it_starts():
    """ops/server.py starts this in each worker: its own thread and connection."""
    corpus()
    build()
    impact_store.clear()
    before = dataclasses.replace(impact_store.counts)
    read_ahead_in_background().join(timeout=30)
    generation = impact_store.current()  # met already: nothing read again
    assert impact_store.counts.preloaded - before.preloaded == len(generation.terms) > 0
    impact_store.lists(generation, sorted(generation.terms))
    assert impact_store.counts.misses == before.misses
