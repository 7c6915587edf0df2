"""BM25 over PostgreSQL's tsvector: the PostgreSQL engine's lexical score.

PostgreSQL's own ranking functions (ts_rank, ts_rank_cd) are not sums over the query's
words, so no precomputed per-word score can stand in for them, and ranking every paper with
a common word took seconds at a million papers. BM25 is such a sum, and is what FTS5 ranks by
on SQLite — so the lexical leg has one scoring function on both databases and the impact
lists of search.impact serve both. Per lexeme of the query, in a paper:

    idf × f × (k1 + 1) / (f + k1 × (1 − b + b × length / average length))

with k1 = 1.2 and b = 0.75 (FTS5's), idf = ln((N − n + 0.5) / (n + 0.5)) (at least 1e-6, as
FTS5) for a lexeme held by n of N papers, and f its column-weighted frequency in the paper —
the title, abstract and author positions (tsvector weights A, B, C) counted with
FIELD_WEIGHTS. One difference from FTS5: a paper's length is its number of distinct lexemes
(`length(tsvector)`, which PostgreSQL stores), not its token count, which it would have to
recount from the positions of every lexeme.

N and the average length come from the current impact-list build, so that rare words scored
here and common words read from the lists add up to one BM25; before the first build they are
counted (the number of papers, and the average length of the newest papers) whenever the
largest paper id has changed.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache

from django.db import DEFAULT_DB_ALIAS, connections

from paperfeed.search.impact import Generation

K1, B = 1.2, 0.75
CONFIG = "english"
CACHE_WORDS = 20_000  # query words → lexemes, per process
AVERAGE_SAMPLE = 10_000  # papers the average length is taken over before the first build


def idf(papers_with: int, papers: int) -> float:
    return max(math.log((papers - papers_with + 0.5) / (papers_with + 0.5)), 1e-6)


def tsquery_literal(lexeme: str) -> str:
    """A tsquery of exactly this lexeme (no parsing, no stemming), as text for ::tsquery."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


@dataclass(frozen=True)
class Collection:
    papers: int
    average_length: float


def collection(generation: Generation | None, using: str = DEFAULT_DB_ALIAS) -> Collection:
    """The statistics BM25 is computed with: the build's, else counted (before the first
    build) — once per process for each largest paper id, so a search costs one index lookup
    rather than a count of every paper. Papers only deleted since are still counted."""
    if generation is not None and generation.papers and generation.average_length:
        return Collection(generation.papers, generation.average_length)
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM papers_paper")
        largest = cursor.fetchone()[0]
        with _counted_lock:
            if largest in _counted:
                return _counted[largest]
        cursor.execute("SELECT count(*) FROM papers_paper")
        papers = cursor.fetchone()[0]
        cursor.execute(
            "SELECT avg(length(search_document)) FROM "
            "(SELECT search_document FROM papers_paper ORDER BY id DESC LIMIT %s) AS newest",
            [AVERAGE_SAMPLE],
        )
        average = cursor.fetchone()[0]
    counted = Collection(papers, float(average or 1.0))
    with _counted_lock:
        _counted.clear()  # one entry: the newest
        _counted[largest] = counted
    return counted


_counted: dict[int, Collection] = {}  # largest paper id → its statistics, per process
_counted_lock = threading.Lock()


class Lexemes:
    """What the index makes of a query word: its lexemes (English stemming, diacritics folded,
    stopwords gone), asked of PostgreSQL so they are exactly the index's. The same interface
    as engines.sqlite_terms.Tokenizer (engines.base.Terms), for search.impact.split_keywords."""

    def __init__(self, using: str):
        self.using = using
        self.terms = lru_cache(maxsize=CACHE_WORDS)(self._terms)

    def _terms(self, word: str) -> tuple[str, ...]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(
                f"SELECT lexeme FROM unnest(to_tsvector('{CONFIG}', paperfeed_fold(%s))) ORDER BY positions[1]",
                [word],
            )
            return tuple(row[0] for row in cursor.fetchall())


_lexemes: dict[str, Lexemes] = {}  # per database alias, per process


def lexemes(using: str = DEFAULT_DB_ALIAS) -> Lexemes:
    if using not in _lexemes:
        _lexemes[using] = Lexemes(using)
    return _lexemes[using]


def weighted_frequency(weights: tuple[float, ...], entry: str = "u") -> str:
    """SQL for a tsvector entry's frequency with its positions in title (A), abstract (B) and
    authors (C) counted with the column weights."""
    return " + ".join(
        f"{float(w)!r} * cardinality(array_positions({entry}.weights, '{letter}'))"
        for letter, w in zip("ABC", weights, strict=True)
    )


def score_sql(weights: tuple[float, ...]) -> str:
    """SQL scoring `p.search_document` for the lexemes of %(terms)s with the idfs %(idfs)s
    (repeated lexemes count again, as FTS5 counts a repeated word), with %(average)s."""
    return f"""(SELECT coalesce(sum(t.idf * t.f * {K1 + 1} / (t.f + {K1} * ({1 - B}
                  + {B} * length(p.search_document) / %(average)s))), 0)
             FROM (SELECT q.idf, {weighted_frequency(weights)} AS f
                   FROM unnest(p.search_document) AS u
                   JOIN unnest(%(terms)s::text[], %(idfs)s::float8[]) AS q(term, idf) ON q.term = u.lexeme) AS t)"""
