"""The search-engine contract: what every database's engine provides to search.

An engine has three parts, each declared here and implemented once per database:
- `lexical` (LexicalIndex): keyword search over title, abstract and authors — people's
  keyword search, the lexical leg of hybrid search, highlights, rebuilding the index;
- `impacts` (ImpactLists): the database-specific steps of building the impact lists of
  search.impact (which terms are common, each one's BM25 per paper, a fingerprint of what
  the lists depend on); the build itself is search.impact_build, shared;
- `vectors` (VectorStore): where embeddings are searched — the faiss file (engines.faiss_file,
  any database) or pgvector (engines.pgvector, PostgreSQL).
and a few database-specific moves callers need (bulk loads, per-engine defaults).

Algorithms that do not depend on the database live here or beside it and call the parts'
hooks: the lexical leg's candidates (LexicalIndex.candidates), summing impact lists
(search.impact), switching builds (search.impact_build), fusion (search.hybrid).

`paperfeed.search.engines.engine(using)` picks the engine of a connection; nothing else
asks which database it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from paperfeed.search.impact import Generation, ImpactStore, holding_all, impact_store, split_keywords, sum_top
from paperfeed.search.query import keywords
from paperfeed.search.rarity import FrequencyCache, within_budget

if TYPE_CHECKING:
    import numpy as np

Progress = Callable[[int, "int | None", str], None]

# Relative weight of a match in the title, the abstract and the author list (BM25 columns):
# tuned on SciFact's train split (docs/benchmarks.md), where a title weight of 3 won in
# cross-validation; authors count like abstract words.
FIELD_WEIGHTS = (3.0, 1.0, 1.0)

# The database's query for the rare words returns at most this many papers (see
# LexicalIndex._every_match); and it asks the impact lists for a few more than it
# needs, in case some of their papers were deleted since the lists were built.
RARE_ROWS = 20_000
DELETED_MARGIN = 20

# Private-use characters mark highlights inside snippets; they cannot occur in stored text
# (normalisation strips nothing, but no real abstract uses them), and the page escapes the
# snippet first and only then turns them into <mark> tags.
MARK_START, MARK_END = "\ue000", "\ue001"

# Vector graphs (faiss HNSW, pgvector HNSW): degree and search breadth, the same on both.
HNSW_M = 16  # graph degree: 2 × 16 links × 4 bytes keeps a paper under 1 KB with its vector
HNSW_EF_SEARCH = 256


@dataclass(frozen=True)
class Hit:
    paper_id: int
    score: float  # higher is better
    title_highlight: str = ""  # with MARK_START/MARK_END around matches
    abstract_snippet: str = ""


@dataclass
class SearchResult:
    hits: list[Hit] = field(default_factory=list)
    total: int = 0


@dataclass
class Neighbour:
    paper_id: int
    score: float  # cosine similarity


class Terms(Protocol):
    """What an index makes of a word: `terms(word)` → the index's terms (stems, lexemes)."""

    def terms(self, word: str) -> tuple[str, ...]: ...


class LexicalIndex:
    """The lexical leg is one algorithm on every database (BM25 over title, abstract and
    authors; common words from the impact lists of search.impact, rare words scored by the
    database); an engine says what its index makes of a word and scores the rare ones."""

    # How many papers hold a word: a FrequencyCache over the engine's own index.
    frequencies: FrequencyCache
    # True where a word the index reads as several terms matches the papers holding all of
    # them and scores as the sum of its terms (PostgreSQL); False where it is one phrase,
    # scored as one (FTS5). See search.impact.split_keywords.
    joins_terms: bool = False

    def __init__(self, using: str = DEFAULT_DB_ALIAS):
        self.using = using
        # The default database's lists are cached per process; another one's per engine.
        self.impact_store = impact_store if using == DEFAULT_DB_ALIAS else ImpactStore(using=using)
        self.impact_store.read_cursor = self.lists_cursor

    @property
    def connection(self):
        """This thread's connection to the engine's database (Django's are per thread)."""
        return connections[self.using]

    def lists_cursor(self):
        """A cursor the impact-list store reads stored lists back with: their bytes as bytes."""
        return self.connection.cursor()

    def tokenizer(self) -> Terms:
        """word → the index's terms for it, as search.impact.split_keywords needs."""
        raise NotImplementedError

    def search(self, text: str, limit: int = 30, offset: int = 0) -> SearchResult:
        """Keyword search for people: papers with all the words first, then any of them."""
        raise NotImplementedError

    def lexical_terms(self, text: str) -> list[str]:
        """The keywords the lexical leg searches for: those with an impact list always (they
        cost the database nothing); of the others — the ones the database scores — the
        rarest within PAPERFEED_LEXICAL_POSTINGS, when set."""
        words = keywords(text)
        split = split_keywords(words, self.impact_store.current(), self.tokenizer(), self.joins_terms)
        rare = within_budget(split.rare, settings.PAPERFEED_LEXICAL_POSTINGS, self.frequencies.frequency)
        return [w for w in words if w in rare or w not in split.rare]

    def candidates(self, text: str, k: int = 100) -> list[tuple[int, float]]:
        """(paper id, BM25 score) of the best `k` papers with any of the query's keywords
        (stopwords dropped; title weighted) — the lexical leg of hybrid search. The database
        scores the rare keywords and the impact lists (search.impact) stand in for the common
        ones. A query without common words — every query before the first `paperfeed index`
        and on small collections — is scored by the database alone, exactly as without lists."""
        words = keywords(text)
        if not words:
            return []
        for _ in range(2):
            generation = self.impact_store.current()
            split = split_keywords(words, generation, self.tokenizer(), self.joins_terms)
            # A joined word's terms add their contributions as common words' do.
            common = split.common + Counter(term for terms in split.joined for term in terms)
            lists = self.impact_store.lists(generation, list(common)) if common else {}
            if len(lists) == len(common):
                break
            # A build switched generations and removed this one's lists meanwhile: once more.
        rare = within_budget(split.rare, settings.PAPERFEED_LEXICAL_POSTINGS, self.frequencies.frequency)
        if not common:
            return self._bm25(rare, k, generation)
        exact = self._every_match(rare, k, generation) if rare else []
        # Found: the best papers of each common word, and every paper holding a joined word.
        found = [lists[t].best for t in split.common if t in lists]
        found += [holding_all([lists[t] for t in terms]) for terms in split.joined if all(t in lists for t in terms)]
        scored = [(lists[t], n) for t, n in common.items() if t in lists]
        ranked = sum_top(exact, scored, k + DELETED_MARGIN, found)
        return self._existing(ranked, {pid for pid, _ in exact})[:k]

    def _bm25(self, words: list[str], limit: int, generation: Generation | None) -> list[tuple[int, float]]:
        """The best `limit` papers with any of the words, by BM25, best first (ties: lower id).
        `generation` is the impact-list build the query reads (PostgreSQL scores with its
        statistics, so that rare and common words add up to one BM25)."""
        raise NotImplementedError

    def _every_match(self, words: list[str], k: int, generation: Generation | None) -> list[tuple[int, float]]:
        """Every paper with any of the (rare) words and its BM25 — not only the best k: one
        with a weak rare match may still lead once its common words are added. While the lists
        are fresh each rare word is held by at most the impact threshold's papers; should the
        words match more than RARE_ROWS papers (they became common after the build), the
        best RARE_ROWS it is."""
        raise NotImplementedError

    def _existing(self, ranked: list[tuple[int, float]], live: set[int]) -> list[tuple[int, float]]:
        """Without papers deleted since the lists were built (the index's own rows are live)."""
        listed = [pid for pid, _ in ranked if pid not in live]
        if not listed:
            return ranked
        marks = ", ".join(["%s"] * len(listed))
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM papers_paper WHERE id IN ({marks})", listed)
            present = live | {row[0] for row in cursor.fetchall()}
        return [(pid, score) for pid, score in ranked if pid in present]

    def highlights(self, text: str, paper_ids: list[int]) -> dict[int, tuple[str, str]]:
        """Highlighted title and abstract snippet of the given papers for the query's words."""
        raise NotImplementedError

    def rebuild(self) -> None:
        """Rebuild the index from the papers table (after a restore or a bulk load)."""
        raise NotImplementedError

    def size(self) -> int | None:
        """Papers in the keyword index, when it is a table of its own (None: it is a column)."""
        return None


class ImpactLists:
    """The database's steps of an impact-list build (search.impact_build runs the build)."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS):
        self.using = using

    @property
    def connection(self):
        """This thread's connection to the engine's database (Django's are per thread)."""
        return connections[self.using]

    def fingerprint(self, cursor, max_rowid: int, papers: int, parameters: str) -> tuple[str, float]:
        """(fingerprint, average paper length) — the fingerprint of what every list depends
        on; a build is skipped when it equals the current build's. The average length is the
        one rare words are scored with at search time (0: the index keeps its own)."""
        raise NotImplementedError

    def common_terms(self, cursor, threshold: int) -> list[tuple[str, int]]:
        """(term, papers holding it) of every term held by more than `threshold` papers."""
        raise NotImplementedError

    def scored_lists(
        self,
        common: list[tuple[str, int]],
        papers: int,
        average_length: float,
        weights: tuple[float, ...],
        max_rowid: int,
        progress: Progress,
    ) -> Iterator[tuple[str, int, np.ndarray, np.ndarray] | None]:
        """Per common term: (term, papers holding it, ascending paper ids, their BM25
        contributions), or None when no word could be found for the term (it gets no list;
        the database keeps scoring it)."""
        raise NotImplementedError

    def lock_builds(self, cursor) -> None:
        """Inside a transaction: keep other builds out of the builds table until it ends
        (so two builds never take one generation number nor both become current)."""

    def remove_generations_before(self, keep: int) -> None:
        """Delete the lists and builds older than generation `keep`, without blocking readers long."""
        raise NotImplementedError


class VectorIndex:
    """The searchable vectors of one model (returned by VectorStore.current_index)."""

    # True when searching goes through the database connection: search then runs in the
    # request's own thread (a pool thread would open a connection of its own, outside the
    # request's transaction). False for an index in this process's memory.
    in_database: bool = False

    def __bool__(self) -> bool:
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def search(self, query: np.ndarray, k: int) -> list[Neighbour]:
        """The `k` papers nearest to the query vector, nearest first."""
        raise NotImplementedError

    def similarities(self, query: np.ndarray, paper_ids: list[int]) -> dict[int, float]:
        """Cosine of the query with each given paper that has a vector."""
        raise NotImplementedError

    def vector_of(self, paper_id: int) -> np.ndarray | None:
        raise NotImplementedError


class VectorStoreUnavailable(RuntimeError):
    """The configured vector store cannot be used here (the message says what to do)."""


class VectorStore:
    """Where the embeddings of search.models.PaperVector are made searchable."""

    name: str  # as PAPERFEED_VECTOR_STORE names it: "file" or "pgvector"

    def __init__(self, using: str = DEFAULT_DB_ALIAS):
        self.using = using

    def current_index(self, model: str) -> VectorIndex | None:
        """The model's index, None until `paperfeed index` made one (search is then lexical)."""
        raise NotImplementedError

    def write(self, model: str, progress: Progress | None = None) -> int:
        """Make every stored vector of `model` searchable; returns how many papers are."""
        raise NotImplementedError


class Engine:
    """One database's search: its lexical, impact-list and vector parts, and its defaults."""

    vendor: str
    # Words held by more than this many papers get an impact list (PAPERFEED_IMPACT_THRESHOLD
    # overrides it): where scoring a paper costs the database more, lists pay off sooner.
    default_impact_threshold: int

    def __init__(self, using: str, lexical: LexicalIndex, impacts: ImpactLists, vectors: VectorStore):
        self.using = using
        self.lexical = lexical
        self.impacts = impacts
        self.vectors = vectors

    @property
    def connection(self):
        """This thread's connection to the engine's database (Django's are per thread)."""
        return connections[self.using]

    @property
    def impact_threshold(self) -> int:
        configured = settings.PAPERFEED_IMPACT_THRESHOLD
        return self.default_impact_threshold if configured is None else configured

    @contextmanager
    def batch_insert(self) -> Iterator[None]:
        """Around a batch of newly inserted papers (the store's insert hook, inside its
        transaction): index them in as few statements as the database allows."""
        yield

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """Around filling an empty database's papers table (migrate-data, inside its
        transaction): index the papers once at the end rather than row by row."""
        yield

    def prepare_bulk_writes(self) -> None:
        """Tune this connection for a long run of writes (a big ingest)."""
