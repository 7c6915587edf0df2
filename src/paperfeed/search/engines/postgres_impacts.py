"""The PostgreSQL engine's impact-list build: every common lexeme's BM25 from one read of each paper.

Which lexemes are common, and how many papers hold each, PostgreSQL's ts_stat says (one scan
of the tsvectors). Then the papers are read in ranges of ids: one query per range unpacks each
tsvector once, keeps the entries of common lexemes, scores each under engines.postgres_bm25's
BM25 (all but the IDF, a factor per lexeme applied here) and gathers them per lexeme as two
byteas, paper ids and scores. Per-lexeme queries would unpack each tsvector once per lexeme it
holds, some 60 times over; one query over all papers made PostgreSQL spill tens of GB of
grouped rows to temporary files at a million papers. The ranges' pieces are joined here, 8
bytes per posting (~450 MB at a million papers), and each list is written once all ranges
are read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import numpy as np

from paperfeed.search.engines import postgres_bm25

RANGE_PAPERS = 50_000  # paper ids per query: ~25 MB of postings, ~8 s each at a million papers
# Memory for one range's groups: with the default 4 MB PostgreSQL spills the grouped tuples,
# whole tsvectors and all, to temporary files (~600 MB per range at a million papers).
WORK_MEM = "128MB"


def length_statistics(cursor, papers: int) -> tuple[float, int]:
    """(average length in distinct lexemes, total length) of the `papers` papers."""
    cursor.execute("SELECT coalesce(sum(length(search_document)), 0) FROM papers_paper")
    total = int(cursor.fetchone()[0])
    return (total / papers if papers else 0.0), total


def fingerprint(max_rowid: int, papers: int, total_length: int, settings_text: str) -> str:
    """What every list depends on: the number of papers, the largest id and the total length
    (an edit that keeps every paper's number of distinct lexemes is not seen — `paperfeed index
    --rebuild` rebuilds the lists regardless), and the build's parameters."""
    text = f"{papers}|{max_rowid}|{total_length}|{settings_text}|{postgres_bm25.CONFIG}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def common_terms(cursor, threshold: int) -> list[tuple[str, int]]:
    """(lexeme, papers holding it) of every lexeme held by more than `threshold` papers."""
    cursor.execute(
        "SELECT word, ndoc FROM ts_stat('SELECT search_document FROM papers_paper') WHERE ndoc > %s ORDER BY word",
        [threshold],
    )
    return [(word, ndoc) for word, ndoc in cursor.fetchall()]


def scored_lists(
    common: list[tuple[str, int]],
    papers: int,
    average_length: float,
    weights: tuple[float, ...],
    max_rowid: int,
    progress=None,
    *,
    connection,
) -> Iterator[tuple[str, int, np.ndarray, np.ndarray]]:
    """(lexeme, papers holding it, ascending paper ids, their scores) of every common lexeme,
    for the papers with ids up to `max_rowid`; `progress(done, total, label)` per id range."""
    if not common:
        return
    terms = [term for term, _ in common]
    idfs = [postgres_bm25.idf(df, papers) for _, df in common]
    pieces: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {term: [] for term in terms}
    ranges = range(0, max_rowid, RANGE_PAPERS)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('work_mem')")
        work_mem = cursor.fetchone()[0]
        cursor.execute(f"SET work_mem = '{WORK_MEM}'")
    try:
        for done, low in enumerate(ranges, start=1):
            _score_range(connection, pieces, terms, average_length, weights, low, min(low + RANGE_PAPERS, max_rowid))
            if progress:
                progress(done * RANGE_PAPERS, len(ranges) * RANGE_PAPERS, "impact lists: scoring papers by id")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, false)", [work_mem])
    for (term, df), idf in zip(common, idfs, strict=True):
        parts = pieces.pop(term)
        ids = np.concatenate([part[0] for part in parts]) if parts else np.empty(0, dtype=">u4")
        scores = np.concatenate([part[1] for part in parts]) if parts else np.empty(0, dtype=">f4")
        order = np.argsort(ids, kind="stable")
        yield term, df, ids[order], idf * scores[order].astype(np.float64)


def _score_range(connection, pieces, terms: list[str], average_length: float, weights, low: int, high: int) -> None:
    """Add the (ids, scores without the IDF) of the papers with low < id ≤ high to their
    lexemes' pieces. `= ANY` of a constant array is a hash lookup in PostgreSQL (14+); the two
    aggregates of a group read its rows in one order, so ids and scores stay paired."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT term, string_agg(int4send(id), ''::bytea), string_agg(float4send(score), ''::bytea) FROM (
                SELECT u.lexeme AS term, p.id::int4 AS id, u.score
                FROM papers_paper AS p
                CROSS JOIN LATERAL (
                    SELECT entry.lexeme, (f * {postgres_bm25.K1 + 1} / (f + {postgres_bm25.K1} * ({1 - postgres_bm25.B}
                            + {postgres_bm25.B} * length(p.search_document) / %(average)s)))::float4 AS score
                    FROM unnest(p.search_document) AS entry,
                         LATERAL (SELECT {postgres_bm25.weighted_frequency(weights, "entry")} AS f) AS frequency
                    WHERE entry.lexeme = ANY(%(terms)s::text[])
                ) AS u
                WHERE p.id > %(low)s AND p.id <= %(high)s
            ) AS scored GROUP BY term""",
            {"terms": terms, "average": average_length, "low": low, "high": high},
        )
        for term, ids, scores in cursor.fetchall():
            pieces[term].append((np.frombuffer(bytes(ids), dtype=">u4"), np.frombuffer(bytes(scores), dtype=">f4")))


def binary_cursor(connection):
    """A cursor that brings the lists' bytes back as bytes. Django's PostgreSQL cursors ask
    for text results, in which a bytea comes as hexadecimal — twice the bytes to send, then
    decoded: reading lists back took 2.5 times as long (docs/benchmarks.md, "Impact lists in
    memory"). A psycopg cursor that binds on the server can ask for binary results."""
    import psycopg

    connection.ensure_connection()
    return _BinaryResults(psycopg.Cursor(connection.connection))


class _BinaryResults:
    """A psycopg cursor whose every execute asks for binary results."""

    def __init__(self, cursor):
        self._cursor = cursor

    def execute(self, sql: str, params: list) -> None:
        self._cursor.execute(sql, params, binary=True)

    def __iter__(self):
        return iter(self._cursor)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._cursor.close()
