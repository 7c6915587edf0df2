"""Building the impact lists of search.impact — a step of `paperfeed index`.

For every term of the keyword index held by more than `threshold` papers, every paper holding
it is scored under the lexical leg's BM25 for that one word — exactly that word's
contribution to the paper's score in any query — and the scores are stored by paper id, with
the bar its `length` best papers clear. Which terms are common, how each scores and what
the lists' fingerprint is are the engine's part (engines.base.ImpactLists: FTS5's vocabulary
and one-word queries on SQLite, one pass over the tsvectors on PostgreSQL); the build around
them — generations, batches, the switch — is this module's, the same on both.

Every list depends on the whole collection (a word's IDF on the number of papers, the length
normalisation on the average paper length), so a build recomputes all lists; it is skipped
when the index has not changed since the last one (same fingerprint). A build writes a new
generation in small committed batches — an ingest running meanwhile waits at most one batch
— and switches searches over to it in one short transaction; an interrupted build leaves a
generation nobody reads, removed by the next build.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from paperfeed.search.engines import engine
from paperfeed.search.engines.base import ImpactLists
from paperfeed.search.impact import ID_TYPE, IMPACT_STEPS, IMPACT_TYPE, impact_store
from paperfeed.search.models import TermImpact, TermImpactBuild

Progress = Callable[[int, "int | None", str], None]
BATCH_BYTES = 8 * 1024 * 1024  # lists written per transaction: a short write lock
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
    unmatched: int = 0  # common terms no word could be found for (left to the database; see engines.sqlite)
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
    hooks = engine().impacts
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0), count(*) FROM papers_paper")
        max_rowid, papers = cursor.fetchone()
        length = list_length(length, papers)
        parameters = f"{threshold}|{length}|{weights}"
        fingerprint, average_length = hooks.fingerprint(cursor, max_rowid, papers, parameters)
        cursor.execute("SELECT fingerprint FROM search_term_impact_build WHERE state = 'current'")
        current = cursor.fetchone()
        if current is not None and current[0] == fingerprint and not force:
            return ImpactBuild(reused=True)
        if max_rowid >= 2 ** (8 * np.dtype(ID_TYPE).itemsize):
            raise ValueError(f"paper id {max_rowid} does not fit the impact lists' {np.dtype(ID_TYPE)} ids")
        report(0, None, "impact lists: finding common terms")
        common = hooks.common_terms(cursor, threshold) if threshold > 0 else []
    generation = _start_generation(hooks, max_rowid, papers, average_length, threshold, length, fingerprint)
    summary = ImpactBuild(generation=generation)
    scored = hooks.scored_lists(common, papers, average_length, weights, max_rowid, report)
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
    if not _make_current(hooks, generation, summary.terms):
        summary.generation = None  # a newer build finished first; this one is dropped
    _remove_other_generations(hooks, _current_generation())
    impact_store.clear()
    summary.seconds = time.perf_counter() - started
    if summary.generation is not None and not summary.terms:
        summary.generation = None
    return summary


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


def _start_generation(
    hooks: ImpactLists,
    max_rowid: int, papers: int, average_length: float, threshold: int, length: int, fingerprint: str
) -> int:
    with transaction.atomic(), connection.cursor() as cursor:
        hooks.lock_builds(cursor)  # two builds at once must not take one number
        generation = (TermImpactBuild.objects.aggregate(last=Max("generation"))["last"] or 0) + 1
        TermImpactBuild.objects.create(
            generation=generation, state=TermImpactBuild.State.BUILDING, built_max_rowid=max_rowid, papers=papers,
            average_length=average_length, threshold=threshold, list_length=length, fingerprint=fingerprint,
            started_at=timezone.now(),
        )
    return generation


def _write(rows: list[tuple]) -> None:
    if not rows:
        return
    with transaction.atomic():
        TermImpact.objects.bulk_create(
            TermImpact(generation=generation, term=term, papers=df, scale=scale, best_impact=best, ids=ids, impacts=impacts)
            for generation, term, df, scale, best, ids, impacts in rows
        )


def _make_current(hooks: ImpactLists, generation: int, terms: int) -> bool:
    """Switch searches to `generation`, unless a newer build already finished."""
    builds = TermImpactBuild.objects
    with transaction.atomic(), connection.cursor() as cursor:
        hooks.lock_builds(cursor)  # two builds finishing at once: one switch at a time
        if builds.filter(state=TermImpactBuild.State.CURRENT, generation__gt=generation).exists():
            return False
        builds.filter(state=TermImpactBuild.State.CURRENT).update(state=TermImpactBuild.State.RETIRED)
        builds.filter(generation=generation).update(
            state=TermImpactBuild.State.CURRENT, terms=terms, finished_at=timezone.now()
        )
    return True


def _current_generation() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT generation FROM search_term_impact_build WHERE state = 'current'")
        row = cursor.fetchone()
    return row[0] if row else None


def _remove_other_generations(hooks: ImpactLists, keep: int | None) -> None:
    """Delete the lists of every generation older than the current one — retired builds and
    interrupted ones. Newer ones may be being built."""
    if keep is not None:
        hooks.remove_generations_before(keep)
