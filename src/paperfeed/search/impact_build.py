"""Building the impact lists of search.impact — a step of `paperfeed index`.

For every term of the keyword index held by more than `threshold` papers, every paper holding
it is scored under the lexical leg's BM25 for that one word — exactly that word's
contribution to the paper's score in any query — and the scores are stored by paper id, with
the bar its `length` best papers clear. On SQLite FTS5 says which terms are common (its
vocabulary table) and scores them (a one-word query per term); on PostgreSQL
search.impact_build_postgres scores all common lexemes in one pass over the tsvectors.

Every list depends on the whole collection (a word's IDF on the number of papers, the length
normalisation on the average paper length), so a build recomputes all lists; it is skipped
when the index has not changed since the last one (same fingerprint). A build writes a new
generation in small committed batches — an ingest running meanwhile waits at most one batch
— and switches searches over to it in one short transaction; an interrupted build leaves a
generation nobody reads, removed by the next build.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from paperfeed.search import impact_build_postgres
from paperfeed.search.fts_terms import INDEX_TABLE, index_tokenizer, surface_tokenizer
from paperfeed.search.impact import ID_TYPE, IMPACT_STEPS, IMPACT_TYPE, impact_store
from paperfeed.search.query import fts5_match

Progress = Callable[[int, "int | None", str], None]
BATCH_BYTES = 8 * 1024 * 1024  # lists written per transaction: a short write lock
INDEXED_COLUMNS = ("title", "abstract", "authors_text")  # paper_fts columns, named as in papers_paper
# The default length of the best-papers lists: AUTO_PERMILLE in 1,000 papers, at least
# AUTO_MINIMUM. Ranking quality depends on the share of a word's papers its list names
# (SciFact scaled to 1M papers: 1 % lost 0.002 nDCG@10, 1.5 % nothing; docs/benchmarks.md),
# so the lists grow with the collection; the floor keeps them generous on small ones.
AUTO_PERMILLE = 15
AUTO_MINIMUM = 1_000


def list_length(configured: int, papers: int) -> int:
    """How many best papers each list names: `configured`, or by default (0) 1.5 % of the papers."""
    return configured if configured > 0 else max(AUTO_MINIMUM, -(-papers * AUTO_PERMILLE // 1000))


@dataclass
class ImpactBuild:
    generation: int | None = None  # None: nothing was built (reused, or lists turned off)
    terms: int = 0  # lists written
    unmatched: int = 0  # common terms no word could be found for (left to FTS5; see surface_word)
    postings: int = 0  # (paper, score) pairs stored
    seconds: float = 0.0
    reused: bool = False  # the index had not changed since the current build

    def line(self) -> str:
        if self.reused:
            return "impact lists: up to date"
        if self.generation is None:
            return "impact lists: none (no term is common enough)"
        size = self.postings * (np.dtype(ID_TYPE).itemsize + np.dtype(IMPACT_TYPE).itemsize)
        return (
            f"impact lists: {self.terms:,} common terms, {self.postings:,} postings "
            f"({size / 1024 / 1024:,.1f} MB) in {self.seconds:,.1f} s"
        )


def build_impact_lists(
    threshold: int, length: int, weights: tuple[float, ...], progress: Progress | None = None, force: bool = False
) -> ImpactBuild:
    """Write the lists of every term held by more than `threshold` papers (0: none): each
    paper's contribution under BM25 with column `weights`, and the best papers — `length` of
    them, or by default (0) 1.5 % of the papers (list_length)."""
    started = time.perf_counter()
    report = progress or (lambda done, total, label: None)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0), count(*) FROM papers_paper")
        max_rowid, papers = cursor.fetchone()
        length = list_length(length, papers)
        parameters = f"{threshold}|{length}|{weights}"
        average_length = 0.0
        if postgres:
            average_length, total_length = impact_build_postgres.length_statistics(cursor, papers)
            fingerprint = impact_build_postgres.fingerprint(max_rowid, papers, total_length, parameters)
        else:
            fingerprint = _fingerprint(cursor, max_rowid, parameters)
        cursor.execute("SELECT fingerprint FROM search_term_impact_build WHERE state = 'current'")
        current = cursor.fetchone()
        if current is not None and current[0] == fingerprint and not force:
            return ImpactBuild(reused=True)
        if max_rowid >= 2 ** (8 * np.dtype(ID_TYPE).itemsize):
            raise ValueError(f"paper id {max_rowid} does not fit the impact lists' {np.dtype(ID_TYPE)} ids")
        report(0, None, "impact lists: finding common terms")
        if threshold <= 0:
            common = []
        elif postgres:
            common = impact_build_postgres.common_terms(cursor, threshold)
        else:
            common = _common_terms(cursor, threshold)
    generation = _start_generation(max_rowid, papers, average_length, threshold, length, fingerprint)
    summary = ImpactBuild(generation=generation)
    if postgres:
        scored = impact_build_postgres.scored_lists(common, papers, average_length, weights, max_rowid, report)
    else:
        scored = _fts5_lists(common, weights)
    batch: list[tuple] = []
    batch_bytes = 0
    report(0, len(common), "impact lists")
    for done, item in enumerate(scored, start=1):
        if item is None:
            summary.unmatched += 1
        else:
            term, df, ids, scores = item
            row = _quantized(ids, scores, length)
            batch.append((generation, term, df, *row))
            batch_bytes += len(row[2]) + len(row[3])
            summary.terms += 1
            summary.postings += len(ids)
        if batch_bytes >= BATCH_BYTES:
            _write(batch)
            batch, batch_bytes = [], 0
        report(done, len(common), "impact lists")
    _write(batch)
    if not _make_current(generation, summary.terms):
        summary.generation = None  # a newer build finished first; this one is dropped
    _remove_other_generations(_current_generation())
    impact_store.clear()
    summary.seconds = time.perf_counter() - started
    if summary.generation is not None and not summary.terms:
        summary.generation = None
    return summary


def _fts5_lists(common: list[tuple[str, int]], weights: tuple[float, ...]):
    """(term, papers holding it, ascending ids, scores) of each common term as FTS5 scores
    it, or None for a term no word could be found for (left to FTS5; see surface_word)."""
    weight_args = ", ".join(str(w) for w in weights)
    for term, df in common:
        with connection.cursor() as cursor:
            word = surface_word(cursor, term)
            yield None if word is None else (term, df, *_fts5_scores(cursor, word, weight_args))


def _fts5_scores(cursor, word: str, weight_args: str) -> tuple[np.ndarray, np.ndarray]:
    """Every paper FTS5 finds for the word, by id (FTS5's order without ORDER BY, which
    spares it a sort), and its BM25 contribution."""
    cursor.execute(
        f"SELECT rowid, -bm25({INDEX_TABLE}, {weight_args}) FROM {INDEX_TABLE} WHERE {INDEX_TABLE} MATCH %s",
        [fts5_match([word])],
    )
    rows = cursor.fetchall()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    scores = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
    order = np.argsort(ids, kind="stable")  # already ascending; cheap insurance
    return ids[order], scores[order]


def _quantized(ids: np.ndarray, scores: np.ndarray, length: int) -> tuple[float, int, bytes, bytes]:
    """(scale, best impact, ids, impacts) of one term: the contributions in steps of scale =
    best contribution / 65,535, and the impact the `length` best papers reach (a few more
    where several share the last step)."""
    scale = float(scores.max()) / IMPACT_STEPS if len(scores) and scores.max() > 0 else 1.0
    impacts = np.rint(scores / scale).astype(IMPACT_TYPE)
    best_impact = (
        int(np.partition(impacts, len(impacts) - length)[len(impacts) - length]) if len(impacts) > length else 0
    )
    return scale, best_impact, ids.astype(ID_TYPE).tobytes(), impacts.tobytes()


def _fingerprint(cursor, max_rowid: int, parameters: str) -> str:
    """What every list depends on: the index's row count and column totals (FTS5's own
    'averages' record, rewritten by every insert, update and delete), the largest paper id,
    and the build's parameters. An edit that keeps every column's token count the same is
    not seen — `paperfeed index --rebuild` rebuilds the lists regardless."""
    cursor.execute(f"SELECT block FROM {INDEX_TABLE}_data WHERE id = 1")
    row = cursor.fetchone()
    averages = bytes(row[0]) if row else b""
    text = f"{averages.hex()}|{max_rowid}|{parameters}|{index_tokenizer().options}"
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def _common_terms(cursor, threshold: int) -> list[tuple[str, int]]:
    """(term, papers holding it) of every term held by more than `threshold` papers."""
    cursor.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.impact_vocabulary USING fts5vocab(main, {INDEX_TABLE}, row)"
    )
    cursor.execute("SELECT term, doc FROM temp.impact_vocabulary WHERE doc > %s ORDER BY term", [threshold])
    return [(term, df) for term, df in cursor.fetchall()]


def surface_word(cursor, term: str) -> str | None:
    """A word that FTS5 reads as `term`, to ask FTS5 for the term's papers with.

    A term is usually its own word ("quantum"), but Porter stems are not always stable —
    "propos" (from "proposed") stems again to "propo" — so for those a word that made the
    term is looked up: where the term first occurs, in which column at which position, and
    the unstemmed word at that position of that text. None if even that fails (text and
    index out of step): the term then gets no list and FTS5 keeps scoring it."""
    tokenizer = index_tokenizer()
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
    words = surface_tokenizer().tokenize(text[0] or "") if text else ()  # a whole abstract: not cached
    if offset >= len(words) or tokenizer.terms(words[offset]) != (term,):
        return None
    return words[offset]


def _start_generation(
    max_rowid: int, papers: int, average_length: float, threshold: int, length: int, fingerprint: str
) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # two builds at once must not take one number
            cursor.execute("LOCK TABLE search_term_impact_build IN EXCLUSIVE MODE")
        cursor.execute("SELECT COALESCE(MAX(generation), 0) + 1 FROM search_term_impact_build")
        generation = cursor.fetchone()[0]
        cursor.execute(
            "INSERT INTO search_term_impact_build (generation, state, built_max_rowid, papers, average_length, "
            "threshold, list_length, fingerprint, started_at) VALUES (%s, 'building', %s, %s, %s, %s, %s, %s, %s)",
            [generation, max_rowid, papers, average_length, threshold, length, fingerprint, timezone.now().isoformat()],
        )
    return generation


def _write(rows: list[tuple]) -> None:
    if not rows:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO search_term_impact (generation, term, papers, scale, best_impact, ids, impacts) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            rows,
        )


def _make_current(generation: int, terms: int) -> bool:
    """Switch searches to `generation`, unless a newer build already finished."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # two builds finishing at once: one switch at a time
            cursor.execute("LOCK TABLE search_term_impact_build IN EXCLUSIVE MODE")
        cursor.execute(
            "SELECT 1 FROM search_term_impact_build WHERE state = 'current' AND generation > %s", [generation]
        )
        if cursor.fetchone():
            return False
        cursor.execute("UPDATE search_term_impact_build SET state = 'retired' WHERE state = 'current'")
        cursor.execute(
            "UPDATE search_term_impact_build SET state = 'current', terms = %s, finished_at = %s WHERE generation = %s",
            [terms, timezone.now().isoformat(), generation],
        )
    return True


def _current_generation() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT generation FROM search_term_impact_build WHERE state = 'current'")
        row = cursor.fetchone()
    return row[0] if row else None


def _remove_other_generations(keep: int | None) -> None:
    """Delete the lists of every generation older than the current one — retired builds and
    interrupted ones — a few hundred rows per transaction. Newer ones may be being built."""
    if keep is None:
        return
    if connection.vendor == "postgresql":  # readers are never blocked there: one statement
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM search_term_impact WHERE generation < %s", [keep])
            cursor.execute("DELETE FROM search_term_impact_build WHERE generation < %s", [keep])
        return
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM search_term_impact WHERE rowid IN "
                "(SELECT rowid FROM search_term_impact WHERE generation < %s LIMIT 500)",
                [keep],
            )
            if cursor.rowcount == 0:
                cursor.execute("DELETE FROM search_term_impact_build WHERE generation < %s", [keep])
                return
