"""The PostgreSQL engine: full-text search over a weighted tsvector, BM25 computed from it.

`papers_paper.search_document` (migration search/0001_initial) is a generated column:
title weight A, abstract B, authors C, English stemming, diacritics folded; a GIN index
answers `@@`.

Two rankings: the lexical leg of hybrid search (`candidates`) is BM25, computed from the
tsvector (engines.postgres_bm25) for rare words and read from the impact lists for common
ones, as on SQLite; keyword search for people (`search`: all words first, then any) ranks
with ts_rank_cd and the weights of FIELD_WEIGHTS, higher is better.

User text never becomes tsquery syntax: each word goes through plainto_tsquery as a bind
parameter, and the per-word queries are joined with && (all words) or || (any word); lexemes
go in as quoted tsquery literals, never parsed.

Highlights are made here rather than by ts_headline: the index folds diacritics inside the
tsvector, which ts_headline cannot see, so it would not mark "Gödel" for "godel". Instead
PostgreSQL says which of the text's words match the query (the same stemming and folding
as the index) and Python marks those words in the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from django.db import transaction

from paperfeed.search.engines import postgres_bm25, postgres_impacts
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
from paperfeed.search.impact import Generation
from paperfeed.search.query import keywords, tokens
from paperfeed.search.rarity import FrequencyCache

CONFIG = "english"
SNIPPET_WORDS = 40  # as FTS5's snippet(…, 40) on SQLite
_WORD = re.compile(r"\w+", re.UNICODE)

# ts_rank_cd takes weights in the order D, C, B, A, each at most 1: title (A) = 1.
_TITLE, _ABSTRACT, _AUTHORS = FIELD_WEIGHTS
RANK_WEIGHTS = f"{{0, {_AUTHORS / _TITLE}, {_ABSTRACT / _TITLE}, 1}}"
# Normalisation 1 divides by 1 + log(document length): of two papers that match alike, the
# shorter ranks first, as with BM25's length normalisation.
RANK = f"ts_rank_cd('{RANK_WEIGHTS}'::float4[], search_document, q, 1)"


def _tsquery(words: list[str], operator: str) -> tuple[str, list[str]]:
    """SQL for a tsquery of the words joined by && or ||, and its parameters."""
    part = f"plainto_tsquery('{CONFIG}', paperfeed_fold(%s))"
    return f" {operator} ".join([part] * len(words)), list(words)


# Per process and database alias (see search.rarity): papers holding a word, and holding a
# lexeme (for its IDF, when the current impact-list build does not know it).
_frequencies: dict[str, tuple[FrequencyCache, FrequencyCache]] = {}


class TsvectorIndex(LexicalIndex):
    """`papers_paper.search_document` and its GIN index."""

    joins_terms = True  # plainto_tsquery('F_r') is 'f' & 'r'; _score adds each lexeme's BM25

    def __init__(self, using: str):
        super().__init__(using)
        if using not in _frequencies:
            _frequencies[using] = (
                FrequencyCache(lambda word: TsvectorIndex(using)._papers_with(word)),
                FrequencyCache(lambda lexeme: TsvectorIndex(using)._papers_with_lexeme(lexeme)),
            )
        self.frequencies, self.lexeme_frequencies = _frequencies[using]

    def _papers_with_lexeme(self, lexeme: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM papers_paper WHERE search_document @@ %s::tsquery",
                [postgres_bm25.tsquery_literal(lexeme)],
            )
            return cursor.fetchone()[0]

    def _papers_with(self, word: str) -> int:
        query, params = _tsquery([word], "||")
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM papers_paper WHERE search_document @@ ({query})", params)
            return cursor.fetchone()[0]

    def search(self, text: str, limit: int = 30, offset: int = 0) -> SearchResult:
        words = tokens(text)
        if not words:
            return SearchResult()
        # All words first; if no paper has every word, any word.
        for operator in ("&&", "||"):
            result = self._run(words, operator, limit, offset)
            if result.total:
                return result
        return SearchResult()

    def _run(self, words: list[str], operator: str, limit: int, offset: int) -> SearchResult:
        query, params = _tsquery(words, operator)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM papers_paper, (SELECT {query} AS q) AS query WHERE search_document @@ q", params
            )
            total = cursor.fetchone()[0]
            if not total:
                return SearchResult()
            cursor.execute(
                f"SELECT id, {RANK} AS score, title, abstract FROM papers_paper, (SELECT {query} AS q) AS query "
                "WHERE search_document @@ q ORDER BY score DESC, id LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            rows = cursor.fetchall()
        marked = _matching_words(self.connection, words, [w for row in rows for w in (row[2], row[3])])
        hits = [Hit(pk, score, _mark(title, marked), _snippet(abstract, marked)) for pk, score, title, abstract in rows]
        return SearchResult(hits, total)

    def tokenizer(self):
        return postgres_bm25.lexemes(self.using)

    def lists_cursor(self):
        return postgres_impacts.binary_cursor(self.connection)

    def _bm25(self, words: list[str], limit: int, generation: Generation | None) -> list[tuple[int, float]]:
        return self._score(words, "ORDER BY score DESC, p.id LIMIT %(limit)s", limit, generation)

    def _every_match(self, words: list[str], k: int, generation: Generation | None) -> list[tuple[int, float]]:
        rows = self._score(words, "LIMIT %(limit)s", RARE_ROWS + 1, generation)  # unsorted: no sort of every row
        return rows if len(rows) <= RARE_ROWS else self._bm25(words, max(k, RARE_ROWS), generation)

    def _score(self, words: list[str], tail: str, limit: int, generation: Generation | None) -> list[tuple[int, float]]:
        """BM25 (engines.postgres_bm25) of the papers with any of the words, for all the words'
        lexemes. A paper matches a word as plainto_tsquery reads it: a hyphenated word
        ("state-of-the-art") only where all its parts are, though each part scores."""
        tokenizer = self.tokenizer()
        terms = [lexeme for word in words for lexeme in tokenizer.terms(word)]
        if not terms:
            return []
        stats = postgres_bm25.collection(generation, self.using)
        known = generation.frequencies if generation is not None else {}
        idfs = [postgres_bm25.idf(known.get(t) or self.lexeme_frequencies.frequency(t), stats.papers) for t in terms]
        named = {f"w{i}": word for i, word in enumerate(words)}  # score_sql takes named parameters
        query = " || ".join(f"plainto_tsquery('{CONFIG}', paperfeed_fold(%({name})s))" for name in named)
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT p.id, {postgres_bm25.score_sql(FIELD_WEIGHTS)} AS score "
                f"FROM papers_paper AS p WHERE p.search_document @@ ({query}) {tail}",
                {**named, "terms": terms, "idfs": idfs, "average": stats.average_length, "limit": limit},
            )
            return [(row[0], row[1]) for row in cursor.fetchall()]

    def highlights(self, text: str, paper_ids: list[int]) -> dict[int, tuple[str, str]]:
        words = keywords(text)
        if not words or not paper_ids:
            return {}
        query, params = _tsquery(words, "||")
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, title, abstract FROM papers_paper, (SELECT {query} AS q) AS query "
                "WHERE search_document @@ q AND id = ANY(%s)",
                [*params, list(paper_ids)],
            )
            rows = cursor.fetchall()
        marked = _matching_words(self.connection, words, [t for row in rows for t in (row[1], row[2])])
        return {pk: (_mark(title, marked), _snippet(abstract, marked)) for pk, title, abstract in rows}

    def rebuild(self) -> None:
        # The column is generated, so it cannot be stale; rebuilding the GIN index and the
        # planner's statistics is what is left to do after a restore or a bulk load.
        with self.connection.cursor() as cursor:
            cursor.execute("REINDEX INDEX paper_search_document")
            cursor.execute("ANALYZE papers_paper")


def _matching_words(connection, words: list[str], texts: list[str]) -> set[str]:
    """The distinct words of `texts` that match one of the query's words, asked of
    PostgreSQL so stemming and folding are exactly the index's."""
    candidates = sorted({w for text in texts for w in _WORD.findall(text or "")})
    if not candidates:
        return set()
    # Whether the search wanted all words or any, a text word is marked if it is one of them.
    query, params = _tsquery(words, "||")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w FROM unnest(%s::text[]) AS w, (SELECT {query} AS q) AS query "
            f"WHERE to_tsvector('{CONFIG}', paperfeed_fold(w)) @@ q",
            [candidates, *params],
        )
        return {row[0] for row in cursor.fetchall()}


def _mark(text: str, marked: set[str]) -> str:
    return _WORD.sub(lambda m: f"{MARK_START}{m.group()}{MARK_END}" if m.group() in marked else m.group(), text or "")


def _snippet(text: str, marked: set[str], size: int = SNIPPET_WORDS) -> str:
    """The `size`-word window of the text with the most matches (the first such), marked,
    with '…' where text was cut — what FTS5's snippet() gives on SQLite."""
    spans = [m.span() for m in _WORD.finditer(text or "")]
    if len(spans) <= size:
        return _mark(text, marked)
    hits = [text[a:b] in marked for a, b in spans]
    count = sum(hits[:size])
    best, best_count = 0, count
    for start in range(1, len(spans) - size + 1):
        count += hits[start + size - 1] - hits[start - 1]
        if count > best_count:
            best, best_count = start, count
    # Centre the window on its matches, so they come with context on both sides.
    inside = [i for i in range(best, best + size) if hits[i]]
    if inside:
        best = max(0, min(len(spans) - size, (inside[0] + inside[-1]) // 2 - size // 2))
    begin = 0 if best == 0 else spans[best][0]
    end = spans[best + size - 1][1] if best + size < len(spans) else len(text)  # keep a final "."
    cut = _mark(text[begin:end], marked)
    return ("…" if begin else "") + cut + ("…" if end < len(text) else "")


class TsvectorImpactLists(ImpactLists):
    """ts_stat says which lexemes are common; every common lexeme's BM25 comes from one read
    of each paper's tsvector (engines.postgres_impacts)."""

    def fingerprint(self, cursor, max_rowid: int, papers: int, parameters: str) -> tuple[str, float]:
        """Rare words are scored at search time with the build's average length, so that
        rare and common words add up to one BM25."""
        average_length, total_length = postgres_impacts.length_statistics(cursor, papers)
        return postgres_impacts.fingerprint(max_rowid, papers, total_length, parameters), average_length

    def common_terms(self, cursor, threshold: int) -> list[tuple[str, int]]:
        return postgres_impacts.common_terms(cursor, threshold)

    def scored_lists(
        self,
        common: list[tuple[str, int]],
        papers: int,
        average_length: float,
        weights: tuple[float, ...],
        max_rowid: int,
        progress: Progress,
    ) -> Iterator:
        return postgres_impacts.scored_lists(
            common, papers, average_length, weights, max_rowid, progress, connection=self.connection
        )

    def lock_builds(self, cursor) -> None:
        cursor.execute("LOCK TABLE search_term_impact_build IN EXCLUSIVE MODE")

    def remove_generations_before(self, keep: int) -> None:
        """One statement: readers are never blocked by a writer on PostgreSQL."""
        with transaction.atomic(using=self.using), self.connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_term_impact WHERE generation < %s", [keep])
            cursor.execute("DELETE FROM search_term_impact_build WHERE generation < %s", [keep])


class PostgresEngine(Engine):
    vendor = "postgresql"
    # A paper is scored from its tsvector in ~17 µs where FTS5 takes ~0.75 µs a posting:
    # here 100 papers a word cost what 1,000 cost FTS5 (SciFact: the same ranking, hybrid
    # search 24 instead of 88 ms a query; docs/benchmarks.md).
    default_impact_threshold = 100

    # batch_insert, bulk_load: nothing to do — the generated search column is computed for
    # every row by PostgreSQL itself.
