"""The contract of search.engines.base, run against each database's engine: the SQLite
engine on the SQLite run, the PostgreSQL engine on the PostgreSQL run (each `search_engine`
parameter is marked for its run; the other is left out)."""

import ast
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

import paperfeed
from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.search.engines import current_index, engine
from paperfeed.search.engines.base import MARK_END, MARK_START, Engine
from paperfeed.search.impact import impact_store
from paperfeed.search.models import PaperVector, TermImpactBuild
from paperfeed.sources.normalize import build_record

ENGINES = [
    pytest.param("sqlite", marks=[pytest.mark.sqlite, pytest.mark.django_db], id="sqlite"),
    pytest.param("postgresql", marks=[pytest.mark.postgres, pytest.mark.django_db], id="postgresql"),
]
SOURCE = Path(paperfeed.__file__).parent


@pytest.fixture(params=ENGINES)
def search_engine(request) -> Engine:
    chosen = engine()
    assert chosen.vendor == request.param == connection.vendor  # the database gets its own engine
    return chosen


def add(arxiv_id, title, abstract="", authors=""):
    store_records([build_record(arxiv_id=arxiv_id, title=title, abstract=abstract, authors=authors)])
    return Paper.objects.get(arxiv_id=arxiv_id).pk


def ids(result) -> list[int]:
    return [h.paper_id for h in result.hits]


# The lexical part.


def test_index_follows_inserts_updates_and_deletes(search_engine):
    pk = add("2611.10001", "Zymurgical fermentation kinetics")
    lexical = search_engine.lexical
    assert ids(lexical.search("zymurgical")) == [pk]
    store_records([build_record(arxiv_id="2611.10001", title="Oenological fermentation kinetics",
                                versions=[{"version": "v2", "created": "2026-11-02"}])])
    assert lexical.search("zymurgical").hits == []
    assert ids(lexical.search("oenological")) == [pk]
    Paper.objects.filter(pk=pk).delete()
    assert lexical.search("oenological").hits == []


def test_a_batch_of_new_papers_is_indexed_by_the_insert_hook(search_engine):
    """store_records inserts many papers in one statement, around the engine's batch_insert."""
    store_records([build_record(arxiv_id=f"2611.{10100 + i}", title=f"Tardigrade desiccation {i}") for i in range(5)])
    assert search_engine.lexical.search("tardigrade").total == 5


def test_title_outweighs_abstract_and_authors_are_searchable(search_engine):
    in_title = add("2611.10002", "Quokka population dynamics")
    in_abstract = add("2611.10003", "Marsupial studies", "We also count the quokka and other animals.")
    by_author = add("2611.10004", "Unrelated", authors="Quentin Quokkason")
    assert ids(search_engine.lexical.search("quokka"))[:2] == [in_title, in_abstract]
    assert ids(search_engine.lexical.search("Quokkason")) == [by_author]


def test_stemming_diacritics_and_highlights(search_engine):
    pk = add("2611.10005", "Optimizers for Gödel machines", "Stateless optimizers.")
    hit = search_engine.lexical.search("optimizer godel").hits[0]
    assert hit.paper_id == pk
    assert f"{MARK_START}Optimizers{MARK_END}" in hit.title_highlight
    assert f"{MARK_START}Gödel{MARK_END}" in hit.title_highlight


def test_all_words_first_then_any_word(search_engine):
    both = add("2611.10006", "Capybara thermoregulation")
    one = add("2611.10007", "Wombat burrows")
    assert ids(search_engine.lexical.search("capybara thermoregulation")) == [both]
    assert set(ids(search_engine.lexical.search("capybara wombat"))) == {both, one}


def test_limit_offset_and_total(search_engine):
    for i in range(5):
        add(f"2611.{10010 + i}", f"Axolotl regeneration study {i}")
    page = search_engine.lexical.search("axolotl", limit=2, offset=2)
    assert page.total == 5 and len(page.hits) == 2


def test_query_syntax_in_user_text_is_just_words(search_engine):
    pk = add("2611.10020", "Pangolin scales and keratin")
    for text in ['pangolin" OR "', "pangolin & !keratin", "pangolin'); DROP TABLE papers_paper; --", "pangolin:*"]:
        assert pk in ids(search_engine.lexical.search(text)), text
    assert Paper.objects.filter(pk=pk).exists()


def test_candidates_and_highlights_for_the_hybrid_leg(search_engine):
    pk = add("2611.10030", "Narwhal tusk sensing", "Whales " + "swim far and deep in cold water. " * 20 + "Narwhal tusks sense salinity.")
    other = add("2611.10031", "Beluga song", "Belugas sing; narwhals listen.")
    scores = dict(search_engine.lexical.candidates("narwhal tusks"))
    assert set(scores) >= {pk, other} and scores[pk] > scores[other]
    title, snippet = search_engine.lexical.highlights("narwhal tusks", [pk])[pk]
    assert title == f"{MARK_START}Narwhal{MARK_END} {MARK_START}tusk{MARK_END} sensing"
    # A long abstract is cut to a window around the matches, with the matches marked.
    assert snippet.startswith("…") and snippet.endswith(f"{MARK_START}Narwhal{MARK_END} {MARK_START}tusks{MARK_END} sense salinity.")


def _title_terms_held(vendor: str, paper_id: int) -> set[str]:
    """The terms the index holds for a paper's title, read from the index itself."""
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.test_occurrences USING fts5vocab(main, paper_fts, instance)"
            )
            cursor.execute("SELECT term FROM temp.test_occurrences WHERE doc = %s AND col = 'title'", [paper_id])
        else:
            cursor.execute(
                "SELECT u.lexeme FROM papers_paper AS p, unnest(p.search_document) AS u "
                "WHERE p.id = %s AND 'A' = ANY(u.weights)",
                [paper_id],
            )
        return {row[0] for row in cursor.fetchall()}


# Stop words: FTS5 indexes them, PostgreSQL's English configuration drops them.
STOPWORD_TERMS = {"sqlite": ("the",), "postgresql": ()}


def test_words_map_to_the_terms_the_index_holds(search_engine):
    """The tokenizer the impact lists are keyed by says what the index holds for a word."""
    words = ["Optimizers", "Gödel", "NAÏVE", "Straße", "running", "ÆSIR", "İstanbul", "foo_bar", "1e-5", "x²"]
    store_records([build_record(arxiv_id=f"2612.{90000 + i}", title=w) for i, w in enumerate(words)])
    tokenizer = search_engine.lexical.tokenizer()
    for paper_id, title in Paper.objects.filter(arxiv_id__startswith="2612.9000").values_list("id", "title"):
        assert set(tokenizer.terms(title)) == _title_terms_held(search_engine.vendor, paper_id), title
    assert tokenizer.terms("Optimizers") == ("optim",)  # stemmed, lower-cased
    assert tokenizer.terms("Gödel") == ("godel",)  # diacritics folded
    assert tokenizer.terms("foo_bar") == ("foo", "bar")  # two terms: the lists leave it to the database
    assert tokenizer.terms("the") == STOPWORD_TERMS[search_engine.vendor]


# The impact-list part.


def test_index_builds_impact_lists_and_search_reads_them(search_engine, settings, capsys):
    settings.PAPERFEED_IMPACT_THRESHOLD = 2
    Paper.objects.all().delete()
    impact_store.clear()
    store_records([build_record(arxiv_id=f"2612.{70001 + i}", title=f"Quokka census {i}") for i in range(4)])
    call_command("index", "--no-embed")
    assert "impact lists: 2 common terms, 8 postings" in capsys.readouterr().out  # quokka, census
    stems = {search_engine.lexical.tokenizer().terms(word)[0] for word in ("quokka", "census")}
    assert impact_store.current().terms == stems
    assert len(search_engine.lexical.candidates("quokka census")) == 4
    impact_store.clear()


def test_at_most_one_build_is_current(search_engine):
    """The switch of builds relies on it; the same constraint on both databases."""
    started = timezone.now()
    fields = {"built_max_rowid": 1, "papers": 1, "threshold": 1, "list_length": 1, "fingerprint": "x", "started_at": started}
    TermImpactBuild.objects.create(generation=9001, state="current", **fields)
    TermImpactBuild.objects.create(generation=9002, state="retired", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        TermImpactBuild.objects.create(generation=9003, state="current", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        TermImpactBuild.objects.create(generation=9004, state="finished", **fields)


def test_the_impact_threshold_is_the_engines_unless_configured(search_engine, settings):
    settings.PAPERFEED_IMPACT_THRESHOLD = None
    assert search_engine.impact_threshold == {"sqlite": 1_000, "postgresql": 100}[search_engine.vendor]
    settings.PAPERFEED_IMPACT_THRESHOLD = 0
    assert search_engine.impact_threshold == 0  # lists turned off


# The vector part.


def test_a_model_without_vectors_has_no_index_yet(search_engine):
    assert search_engine.vectors.current_index("some-other-model") is None


def test_the_vector_index_says_whether_it_is_searched_in_the_database(search_engine, sample_vectors):
    index = current_index()
    assert index and index.in_database is (search_engine.vectors.name == "pgvector")
    first = PaperVector.objects.order_by("paper_id").values_list("paper_id", flat=True)[0]
    query = index.vector_of(first)
    nearest = index.search(query, 3)[0]
    assert nearest.paper_id == first and nearest.score == pytest.approx(1.0, abs=1e-2)
    assert index.similarities(query, [first]) == {first: pytest.approx(1.0, abs=1e-2)}


# Where the engines sit: read from the source, no database needed.


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_sqlite_and_postgresql_engines_never_import_each_other():
    engines = SOURCE / "search" / "engines"
    sides = {
        "sqlite": ["sqlite.py", "sqlite_terms.py"],
        "postgresql": ["postgres.py", "postgres_bm25.py", "postgres_impacts.py", "pgvector.py"],
    }
    for side, files in sides.items():
        other = {f"paperfeed.search.engines.{name[:-3]}" for s, names in sides.items() if s != side for name in names}
        for name in files:
            assert not _imports(engines / name) & other, name
    for shared in ("base.py", "faiss_file.py"):
        every_engine = {f"paperfeed.search.engines.{name[:-3]}" for names in sides.values() for name in names}
        assert not _imports(engines / shared) & every_engine, shared


# Who may ask which database it is: search.engines.engine(); ops/ (backups, migrate-data and
# the database checks it hands to core.preflight are about the database itself) and
# migrations. The rate limits lock a row that works the same on both databases.
VENDOR_READERS = {"search/engines/__init__.py"}


def test_one_search_module_reads_the_database_vendor():
    readers = {
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if "migrations" not in path.parts
        and path.relative_to(SOURCE).parts[0] != "ops"
        and ".vendor" in path.read_text()
    }
    assert readers == VENDOR_READERS
