"""The search-backend interface: lexical search over title, abstract and authors.

One contract for every database: SQLite FTS5 here, PostgreSQL full-text search in
backends_postgres, both checked by the same contract tests.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from paperfeed.search.fts_terms import index_tokenizer
from paperfeed.search.impact import Generation, impact_store, split_keywords, sum_top
from paperfeed.search.query import fts5_match, keywords, tokens
from paperfeed.search.rarity import FrequencyCache, within_budget

# Relative weight of a match in the title, the abstract and the author list (BM25 columns):
# tuned on SciFact's train split (docs/benchmarks.md), where a title weight of 3 won in
# cross-validation; authors count like abstract words.
FIELD_WEIGHTS = (3.0, 1.0, 1.0)

# The database's query for the rare words returns at most this many papers (see
# LexicalBackend._every_match); and it asks the impact lists for a few more than it
# needs, in case some of their papers were deleted since the lists were built.
RARE_ROWS = 20_000
DELETED_MARGIN = 20

# Private-use characters mark highlights inside snippets; they cannot occur in stored text
# (normalisation strips nothing, but no real abstract uses them), and the page escapes the
# snippet first and only then turns them into <mark> tags.
MARK_START, MARK_END = "\ue000", "\ue001"


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


class LexicalBackend:
    """The lexical leg is one algorithm on every database (BM25 over title, abstract and
    authors; common words from the impact lists of search.impact, rare words scored by the
    database); a backend says what its index makes of a word and scores the rare ones."""

    # How many papers hold a word: a FrequencyCache over the backend's own index.
    frequencies: FrequencyCache

    def tokenizer(self):
        """word → the index's terms for it (`.terms(word)`), as search.impact.split_keywords needs."""
        raise NotImplementedError

    def search(self, text: str, limit: int = 30, offset: int = 0) -> SearchResult:
        """Keyword search for people: papers with all the words first, then any of them."""
        raise NotImplementedError

    def lexical_terms(self, text: str) -> list[str]:
        """The keywords the lexical leg searches for: those with an impact list always (they
        cost the database nothing); of the others — the ones the database scores — the
        rarest within PAPERFEED_LEXICAL_POSTINGS, when set."""
        words = keywords(text)
        split = split_keywords(words, impact_store.current(), self.tokenizer())
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
            generation = impact_store.current()
            split = split_keywords(words, generation, self.tokenizer())
            lists = impact_store.lists(generation, list(split.common)) if split.common else {}
            if len(lists) == len(split.common):
                break
            # A build switched generations and removed this one's lists meanwhile: once more.
        rare = within_budget(split.rare, settings.PAPERFEED_LEXICAL_POSTINGS, self.frequencies.frequency)
        if not split.common:
            return self._bm25(rare, k, generation)
        exact = self._every_match(rare, k, generation) if rare else []
        ranked = sum_top(exact, [(lists[t], n) for t, n in split.common.items() if t in lists], k + DELETED_MARGIN)
        return self._existing(ranked, {pid for pid, _ in exact})[:k]

    def _bm25(self, words: list[str], limit: int, generation: Generation | None) -> list[tuple[int, float]]:
        """The best `limit` papers with any of the words, by BM25, best first (ties: lower id).
        `generation` is the impact-list build the query reads (PostgreSQL scores with its
        statistics, so that rare and common words add up to one BM25)."""
        raise NotImplementedError

    def _every_match(self, words: list[str], k: int, generation: Generation | None) -> list[tuple[int, float]]:
        """Every paper with any of the (rare) words and its BM25 — not only the best k: one
        with a weak rare match may still lead once its common words are added. While the lists
        are fresh each rare word is held by at most PAPERFEED_IMPACT_THRESHOLD papers; should
        the words match more than RARE_ROWS papers (they became common after the build), the
        best RARE_ROWS it is."""
        raise NotImplementedError

    @staticmethod
    def _existing(ranked: list[tuple[int, float]], live: set[int]) -> list[tuple[int, float]]:
        """Without papers deleted since the lists were built (the index's own rows are live)."""
        listed = [pid for pid, _ in ranked if pid not in live]
        if not listed:
            return ranked
        marks = ", ".join(["%s"] * len(listed))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id FROM papers_paper WHERE id IN ({marks})", listed)
            present = live | {row[0] for row in cursor.fetchall()}
        return [(pid, score) for pid, score in ranked if pid in present]

    def highlights(self, text: str, paper_ids: list[int]) -> dict[int, tuple[str, str]]:
        """Highlighted title and abstract snippet of the given papers for the query's words."""
        raise NotImplementedError

    def rebuild(self) -> None:
        """Rebuild the index from the papers table (after a restore or a bulk load)."""
        raise NotImplementedError


class SqliteFtsBackend(LexicalBackend):
    """FTS5 as an external-content table over papers_paper, kept in sync by triggers."""

    table = "paper_fts"
    # Per process, shared by every backend instance (see search.rarity).
    frequencies = FrequencyCache(lambda word: SqliteFtsBackend._papers_with(word))

    @classmethod
    def _papers_with(cls, word: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {cls.table} WHERE {cls.table} MATCH %s", [fts5_match([word])])
            return cursor.fetchone()[0]

    def search(self, text: str, limit: int = 30, offset: int = 0) -> SearchResult:
        words = tokens(text)
        if not words:
            return SearchResult()
        # All words first; if no paper has every word, any word, ranked by BM25.
        for operator in ("AND", "OR"):
            result = self._run(fts5_match(words, operator), limit, offset)
            if result.total:
                return result
        return SearchResult()

    def _run(self, match: str, limit: int, offset: int) -> SearchResult:
        weights = ", ".join(str(w) for w in FIELD_WEIGHTS)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.table} WHERE {self.table} MATCH %s", [match])
            total = cursor.fetchone()[0]
            if not total:
                return SearchResult()
            cursor.execute(
                f"""
                SELECT rowid, -bm25({self.table}, {weights}),
                       highlight({self.table}, 0, %s, %s),
                       snippet({self.table}, 1, %s, %s, '…', 40)
                FROM {self.table} WHERE {self.table} MATCH %s
                ORDER BY bm25({self.table}, {weights}) LIMIT %s OFFSET %s
                """,
                [MARK_START, MARK_END, MARK_START, MARK_END, match, limit, offset],
            )
            hits = [Hit(row[0], row[1], row[2], row[3]) for row in cursor.fetchall()]
        return SearchResult(hits, total)

    def tokenizer(self):
        return index_tokenizer()

    def _bm25(self, words: list[str], limit: int, generation: Generation | None) -> list[tuple[int, float]]:
        weights = ", ".join(str(w) for w in FIELD_WEIGHTS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -bm25({self.table}, {weights}) AS score FROM {self.table} "
                f"WHERE {self.table} MATCH %s ORDER BY bm25({self.table}, {weights}) LIMIT %s",
                [fts5_match(words, "OR"), limit],
            )
            return [(row[0], row[1]) for row in cursor.fetchall()]

    def _every_match(self, words: list[str], k: int, generation: Generation | None) -> list[tuple[int, float]]:
        """Unsorted, which spares FTS5 a sort of every row."""
        weights = ", ".join(str(w) for w in FIELD_WEIGHTS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -bm25({self.table}, {weights}) FROM {self.table} WHERE {self.table} MATCH %s LIMIT %s",
                [fts5_match(words, "OR"), RARE_ROWS + 1],
            )
            rows = [(row[0], row[1]) for row in cursor.fetchall()]
        return rows if len(rows) <= RARE_ROWS else self._bm25(words, max(k, RARE_ROWS), generation)

    def highlights(self, text: str, paper_ids: list[int]) -> dict[int, tuple[str, str]]:
        words = keywords(text)
        if not words or not paper_ids:
            return {}
        marks = ", ".join(["%s"] * len(paper_ids))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, highlight({self.table}, 0, %s, %s), snippet({self.table}, 1, %s, %s, '…', 40) "
                f"FROM {self.table} WHERE {self.table} MATCH %s AND rowid IN ({marks})",
                [MARK_START, MARK_END, MARK_START, MARK_END, fts5_match(words, "OR"), *paper_ids],
            )
            return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}

    def rebuild(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {self.table}({self.table}) VALUES('rebuild')")


@contextmanager
def fts_batch_insert():
    """Index a batch of newly inserted papers with one statement instead of one per row.

    The row trigger costs about three times what indexing the same rows in one pass does.
    While the flag row exists, the insert trigger stands aside (migration 0002); afterwards
    the rows inserted meanwhile — those with ids above the largest id before, as SQLite
    hands out rowids in increasing order and the IMMEDIATE transaction keeps other writers
    out — are indexed together. All of it happens inside the store's transaction.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM papers_paper")
        before = cursor.fetchone()[0]
        cursor.execute("INSERT INTO paper_fts_deferred(flag) VALUES (1)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM paper_fts_deferred")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO paper_fts(rowid, title, abstract, authors_text) "
            "SELECT id, title, abstract, authors_text FROM papers_paper WHERE id > %s",
            [before],
        )


def lexical_backend() -> LexicalBackend:
    if connection.vendor == "sqlite":
        return SqliteFtsBackend()
    # PostgreSQL support (issue 8): its backend lives in backends_postgres, imported here
    # lazily because it builds on this module.
    if connection.vendor == "postgresql":
        from paperfeed.search.backends_postgres import PostgresFtsBackend

        return PostgresFtsBackend()
    raise NotImplementedError(f"lexical search on {connection.vendor} is not supported")
