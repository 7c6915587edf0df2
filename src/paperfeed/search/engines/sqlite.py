"""The SQLite engine: FTS5 keyword index, impact lists scored by FTS5.

`paper_fts` (migration search/0001_initial) is an external-content FTS5 table over papers_paper,
kept in sync by triggers; its tokenizer (porter, diacritics folded) is asked directly for what
it makes of a word (engines.sqlite_terms). Vectors are in the faiss file (engines.faiss_file).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from paperfeed.search.engines.base import (
    FIELD_WEIGHTS,
    MARK_END,
    MARK_START,
    RARE_ROWS,
    Engine,
    Hit,
    ImpactLists,
    LexicalIndex,
    Progress,
    SearchResult,
)
from paperfeed.search.engines.sqlite_terms import INDEX_TABLE, index_tokenizer, surface_tokenizer
from paperfeed.search.impact import Generation
from paperfeed.search.query import fts5_match, keywords, tokens
from paperfeed.search.rarity import FrequencyCache

# numpy is imported where the impact lists are scored: a store's insert hook reaches this
# module in every ingest, which need not pay for it.
if TYPE_CHECKING:
    import numpy as np

INDEXED_COLUMNS = ("title", "abstract", "authors_text")  # paper_fts columns, named as in papers_paper
# Per process and database alias (see search.rarity); FTS5 counts the papers holding a word.
_frequencies: dict[str, FrequencyCache] = {}


class Fts5Index(LexicalIndex):
    """FTS5 as an external-content table over papers_paper, kept in sync by triggers."""

    table = INDEX_TABLE

    def __init__(self, using: str):
        super().__init__(using)
        if using not in _frequencies:
            _frequencies[using] = FrequencyCache(lambda word: Fts5Index(using)._papers_with(word))
        self.frequencies = _frequencies[using]

    def _papers_with(self, word: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.table} WHERE {self.table} MATCH %s", [fts5_match([word])])
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
        with self.connection.cursor() as cursor:
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
        return index_tokenizer(self.using)

    def _bm25(self, words: list[str], limit: int, generation: Generation | None) -> list[tuple[int, float]]:
        weights = ", ".join(str(w) for w in FIELD_WEIGHTS)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, -bm25({self.table}, {weights}) AS score FROM {self.table} "
                f"WHERE {self.table} MATCH %s ORDER BY bm25({self.table}, {weights}) LIMIT %s",
                [fts5_match(words, "OR"), limit],
            )
            return [(row[0], row[1]) for row in cursor.fetchall()]

    def _every_match(self, words: list[str], k: int, generation: Generation | None) -> list[tuple[int, float]]:
        """Unsorted, which spares FTS5 a sort of every row."""
        weights = ", ".join(str(w) for w in FIELD_WEIGHTS)
        with self.connection.cursor() as cursor:
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
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, highlight({self.table}, 0, %s, %s), snippet({self.table}, 1, %s, %s, '…', 40) "
                f"FROM {self.table} WHERE {self.table} MATCH %s AND rowid IN ({marks})",
                [MARK_START, MARK_END, MARK_START, MARK_END, fts5_match(words, "OR"), *paper_ids],
            )
            return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}

    def rebuild(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {self.table}({self.table}) VALUES('rebuild')")

    def size(self) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.table}")
            return cursor.fetchone()[0]


class Fts5ImpactLists(ImpactLists):
    """FTS5 says which terms are common (its vocabulary table) and scores each with a
    one-word query: exactly that word's contribution to any query's BM25."""

    def fingerprint(self, cursor, max_rowid: int, papers: int, parameters: str) -> tuple[str, float]:
        """The index's row count and column totals (FTS5's own 'averages' record, rewritten
        by every insert, update and delete), the largest paper id, and the build's parameters.
        An edit that keeps every column's token count the same is not seen — `paperfeed index
        --rebuild` rebuilds the lists regardless. FTS5 keeps its own average length."""
        cursor.execute(f"SELECT block FROM {INDEX_TABLE}_data WHERE id = 1")
        row = cursor.fetchone()
        averages = bytes(row[0]) if row else b""
        text = f"{averages.hex()}|{max_rowid}|{parameters}|{index_tokenizer(self.using).options}"
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest(), 0.0

    def common_terms(self, cursor, threshold: int) -> list[tuple[str, int]]:
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.impact_vocabulary USING fts5vocab(main, {INDEX_TABLE}, row)"
        )
        cursor.execute("SELECT term, doc FROM temp.impact_vocabulary WHERE doc > %s ORDER BY term", [threshold])
        return [(term, df) for term, df in cursor.fetchall()]

    def scored_lists(
        self,
        common: list[tuple[str, int]],
        papers: int,
        average_length: float,
        weights: tuple[float, ...],
        max_rowid: int,
        progress: Progress,
    ) -> Iterator[tuple[str, int, np.ndarray, np.ndarray] | None]:
        weight_args = ", ".join(str(w) for w in weights)
        for term, df in common:
            with self.connection.cursor() as cursor:
                word = self.surface_word(cursor, term)
                yield None if word is None else (term, df, *self._scores(cursor, word, weight_args))

    @staticmethod
    def _scores(cursor, word: str, weight_args: str) -> tuple[np.ndarray, np.ndarray]:
        """Every paper FTS5 finds for the word, by id (FTS5's order without ORDER BY, which
        spares it a sort), and its BM25 contribution."""
        import numpy as np

        cursor.execute(
            f"SELECT rowid, -bm25({INDEX_TABLE}, {weight_args}) FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH %s",
            [fts5_match([word])],
        )
        rows = cursor.fetchall()
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        scores = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
        order = np.argsort(ids, kind="stable")  # already ascending; cheap insurance
        return ids[order], scores[order]

    def surface_word(self, cursor, term: str) -> str | None:
        """A word that FTS5 reads as `term`, to ask FTS5 for the term's papers with.

        A term is usually its own word ("quantum"), but Porter stems are not always stable —
        "propos" (from "proposed") stems again to "propo" — so for those a word that made the
        term is looked up: where the term first occurs, in which column at which position, and
        the unstemmed word at that position of that text. None if even that fails (text and
        index out of step): the term then gets no list and FTS5 keeps scoring it."""
        tokenizer = index_tokenizer(self.using)
        if tokenizer.terms(term) == (term,):
            return term
        cursor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.impact_occurrences USING fts5vocab(main, {INDEX_TABLE}, instance)"
        )
        cursor.execute("SELECT doc, col, offset FROM temp.impact_occurrences WHERE term = %s LIMIT 1", [term])
        row = cursor.fetchone()
        if row is None or row[1] not in INDEXED_COLUMNS:
            return None
        doc, column, offset = row
        cursor.execute(f"SELECT {column} FROM papers_paper WHERE id = %s", [doc])
        text = cursor.fetchone()
        words = surface_tokenizer(self.using).tokenize(text[0] or "") if text else ()  # a whole abstract: not cached
        if offset >= len(words) or tokenizer.terms(words[offset]) != (term,):
            return None
        return words[offset]

    def remove_generations_before(self, keep: int) -> None:
        """A few hundred rows per transaction: SQLite's one writer is never held up long."""
        from django.db import transaction

        while True:
            with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
                cursor.execute(
                    "DELETE FROM search_term_impact WHERE id IN "
                    "(SELECT id FROM search_term_impact WHERE generation < %s LIMIT 500)",
                    [keep],
                )
                if cursor.rowcount == 0:
                    cursor.execute("DELETE FROM search_term_impact_build WHERE generation < %s", [keep])
                    return


class SqliteEngine(Engine):
    vendor = "sqlite"
    # FTS5 scores a posting in ~0.75 µs: below 1,000 papers a word it is as fast as a list.
    default_impact_threshold = 1_000

    @contextmanager
    def batch_insert(self) -> Iterator[None]:
        """Index a batch of newly inserted papers with one statement instead of one per row.

        The row trigger costs about three times what indexing the same rows in one pass does.
        While the flag row exists, the insert trigger stands aside (search/0001_initial); afterwards
        the rows inserted meanwhile — those with ids above the largest id before, as SQLite
        hands out rowids in increasing order and the IMMEDIATE transaction keeps other writers
        out — are indexed together. All of it happens inside the store's transaction.
        """
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM papers_paper")
            before = cursor.fetchone()[0]
            cursor.execute("INSERT INTO paper_fts_deferred(flag) VALUES (1)")
        try:
            yield
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute("DELETE FROM paper_fts_deferred")
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {INDEX_TABLE}(rowid, title, abstract, authors_text) "
                "SELECT id, title, abstract, authors_text FROM papers_paper WHERE id > %s",
                [before],
            )

    @contextmanager
    def bulk_load(self) -> Iterator[None]:
        """The deferred-trigger flag as in batch_insert, then one 'rebuild' of the whole
        index. On an error the caller's rollback undoes all."""
        with self.connection.cursor() as cursor:
            cursor.execute("INSERT INTO paper_fts_deferred(flag) VALUES (1)")
        yield
        with self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM paper_fts_deferred")
        self.lexical.rebuild()

    def prepare_bulk_writes(self) -> None:
        # Big loads touch every index; 128 MB of page cache (instead of 2 MB) keeps them in
        # memory. Only for this connection, only as much as is used.
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size=-131072")
