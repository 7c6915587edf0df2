"""Impact lists: the BM25 of common words without FTS5 visiting their postings.

FTS5's BM25 is a sum over the query's phrases of one contribution each — the phrase's IDF
times its saturated, column-weighted, length-normalised frequency in the paper — and a
phrase's contribution does not depend on the other phrases. So a word's contribution to
every paper is what FTS5 returns for a one-word query with the same column weights.

For every term held by more than PAPERFEED_IMPACT_THRESHOLD papers, `paperfeed index`
stores (search.impact_build):
- every paper holding it, by id, with its contribution (to 1/65,535 of the term's best), and
- which of them are its best PAPERFEED_IMPACT_LIST_LENGTH papers.
The lexical leg then has FTS5 score the query's rare words exactly — cheap, each is held by
few papers — and takes the candidates to be the papers with a rare word plus the best
papers of each common word; each candidate's score is its FTS5 score plus its common words'
contributions looked up in their lists (`sum_top`): every candidate gets its whole BM25.
What the lists cost is recall at the margin: a paper with no rare word of the query that is
not among any common word's best papers is not a candidate, however its common words add up.

The lists are stored in the database (models TermImpactBuild and TermImpact), so every worker
reads the same build and a restored backup brings lists that match its papers. Each process
loads the lists its queries need and keeps the recently used ones, CACHE_BYTES at most.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS, connections

# numpy (~0.1 s of CPU) is imported by the functions that compute: every `paperfeed` command
# loads this module (the search app's start-up hook), and most never search.
if TYPE_CHECKING:
    import numpy as np

# numpy dtypes, by name.
ID_TYPE = "<u4"  # paper ids; the build refuses ids that do not fit
IMPACT_TYPE = "<u2"  # contributions in steps of scale = best / 65,535
IMPACT_STEPS = 2**16 - 1  # the largest IMPACT_TYPE
# Per process. The lists of all common words take ~6 bytes per posting (docs/benchmarks.md:
# ~37 MB at 100k papers, ~430 MB at 1M); queries come back to the same words, so a fraction
# of that serves most of them, and a list read again from SQLite costs a few ms per MB.
CACHE_BYTES = 128 * 1024 * 1024


@dataclass(frozen=True)
class ImpactList:
    ids: np.ndarray  # every paper holding the term when the list was built, ascending
    impacts: np.ndarray  # their contributions, in steps of `scale`
    scale: float
    best: np.ndarray  # the papers with the highest contributions (ascending ids)

    @property
    def nbytes(self) -> int:
        return self.ids.nbytes + self.impacts.nbytes + self.best.nbytes

    @classmethod
    def from_row(cls, scale: float, best_impact: int, ids: bytes, impacts: bytes) -> ImpactList:
        """The best papers are stored as a bar to clear rather than as a list (which would
        add 4 bytes per best paper: 280 MB at a million papers) and picked out on loading."""
        import numpy as np

        ids_array, impacts_array = np.frombuffer(ids, dtype=ID_TYPE), np.frombuffer(impacts, dtype=IMPACT_TYPE)
        return cls(ids_array, impacts_array, scale, ids_array[impacts_array >= best_impact])


@dataclass(frozen=True)
class Generation:
    """One finished build of the lists, which terms have one and how many papers hold each,
    and the collection statistics it was scored with (PostgreSQL's BM25 scores the rare words
    with the same ones; FTS5 keeps its own, and there `average_length` is 0)."""

    number: int
    frequencies: dict[str, int]  # term → papers holding it at the build
    papers: int = 0
    average_length: float = 0.0

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(self.frequencies)


class ImpactStore:
    """The current generation's lists, loaded on demand and kept within a byte budget."""

    def __init__(self, cache_bytes: int = CACHE_BYTES, using: str = DEFAULT_DB_ALIAS):
        self._using = using
        self._cache_bytes = cache_bytes
        self._lists: OrderedDict[tuple[int, str], ImpactList] = OrderedDict()
        self._held = 0
        self._generation: Generation | None = None
        self._lock = threading.Lock()

    def current(self) -> Generation | None:
        """The generation searches use now (one indexed lookup per query, so a new build is
        seen by every worker at once); None before the first build."""
        with connections[self._using].cursor() as cursor:
            cursor.execute(
                "SELECT generation, papers, average_length FROM search_term_impact_build WHERE state = 'current'"
            )
            row = cursor.fetchone()
            if row is None:
                return None
            with self._lock:
                if self._generation is not None and self._generation.number == row[0]:
                    return self._generation
            cursor.execute("SELECT term, papers FROM search_term_impact WHERE generation = %s", [row[0]])
            generation = Generation(row[0], dict(cursor.fetchall()), row[1], float(row[2]))
        with self._lock:
            if self._generation is None or self._generation.number != generation.number:
                self._lists.clear()  # the old generation's lists are about to be deleted
                self._held = 0
            self._generation = generation
        return generation

    def lists(self, generation: Generation, terms: list[str]) -> dict[str, ImpactList]:
        found: dict[str, ImpactList] = {}
        with self._lock:
            for term in terms:
                cached = self._lists.get((generation.number, term))
                if cached is not None:
                    self._lists.move_to_end((generation.number, term))
                    found[term] = cached
        missing = [t for t in terms if t not in found]
        if missing:
            marks = ", ".join(["%s"] * len(missing))
            with connections[self._using].cursor() as cursor:
                cursor.execute(
                    f"SELECT term, scale, best_impact, ids, impacts FROM search_term_impact "
                    f"WHERE generation = %s AND term IN ({marks})",
                    [generation.number, *missing],
                )
                loaded = {
                    term: ImpactList.from_row(scale, best_impact, bytes(ids), bytes(impacts))
                    for term, scale, best_impact, ids, impacts in cursor
                }
            found.update(loaded)
            with self._lock:
                for term, impact_list in loaded.items():
                    self._remember((generation.number, term), impact_list)
        return found

    def _remember(self, key: tuple[int, str], impact_list: ImpactList) -> None:
        if key in self._lists:
            return
        self._lists[key] = impact_list
        self._held += impact_list.nbytes
        while self._held > self._cache_bytes and len(self._lists) > 1:
            _, dropped = self._lists.popitem(last=False)
            self._held -= dropped.nbytes

    def cached_bytes(self) -> int:
        return self._held

    def clear(self) -> None:
        with self._lock:
            self._lists.clear()
            self._held = 0
            self._generation = None


# Per process, shared by every backend instance and thread.
impact_store = ImpactStore()


@dataclass
class KeywordSplit:
    common: Counter[str]  # term with a list → how many of the query's keywords map to it
    rare: list[str]  # keywords FTS5 scores itself


def split_keywords(words: list[str], generation: Generation | None, tokenizer) -> KeywordSplit:  # engines.base.Terms
    """Common keywords are those FTS5 reads as one term that has a list; all others —
    rare terms, words FTS5 reads as a phrase ("foo_bar"), terms that became common after
    the lists were built — stay with FTS5, which scores them exactly.

    A count, not a set: FTS5 adds one contribution per phrase of the query, so two keywords
    with one stem ("optimizer optimizers") count that term twice, there as here."""
    if generation is None or not generation.frequencies:
        return KeywordSplit(Counter(), list(words))
    common: Counter[str] = Counter()
    rare = []
    for word in words:
        terms = tokenizer.terms(word)
        if len(terms) == 1 and terms[0] in generation.frequencies:
            common[terms[0]] += 1
        else:
            rare.append(word)
    return KeywordSplit(common, rare)


def sum_top(exact: list[tuple[int, float]], lists: list[tuple[ImpactList, int]], k: int) -> list[tuple[int, float]]:
    """The `k` best candidates — the papers of `exact` (paper id, FTS5 score of the rare
    words) and the best papers of each list — by FTS5 score plus list contributions (each
    list counted as many times as given), best first."""
    import numpy as np

    exact_ids = np.fromiter((pid for pid, _ in exact), dtype=ID_TYPE, count=len(exact))  # as the lists: no casts
    exact_scores = np.fromiter((score for _, score in exact), dtype=np.float64, count=len(exact))
    candidates = np.sort(np.concatenate([exact_ids, *(impact_list.best for impact_list, _ in lists)]))
    if not len(candidates):
        return []
    candidates = candidates[np.concatenate(([True], candidates[1:] != candidates[:-1]))]  # np.unique, 4× faster
    totals = np.zeros(len(candidates))
    totals[np.searchsorted(candidates, exact_ids)] += exact_scores  # FTS5 returns each paper once
    largest = max(
        [int(candidates[-1]), *(int(impact_list.ids[-1]) for impact_list, _ in lists if len(impact_list.ids))]
    )
    slots = _slots.cover(largest)
    slots[candidates] = np.arange(len(candidates), dtype=np.int32)
    try:
        for impact_list, times in lists:
            _add_contributions(totals, candidates, slots, impact_list, times)
    finally:
        slots[candidates] = -1
    # The k best, ties by paper id as FTS5's ORDER BY leaves them (near-duplicates tie a lot).
    chosen = np.arange(len(candidates))
    if len(candidates) > k:
        chosen = np.flatnonzero(totals >= np.partition(totals, len(totals) - k)[len(totals) - k])
    ranked = chosen[np.lexsort((candidates[chosen], -totals[chosen]))][:k]
    return [(int(candidates[i]), float(totals[i])) for i in ranked]


# A list's papers are looked up among the candidates when it holds fewer than this many per
# candidate, else the candidates are looked up in the list (measured crossover at 1M papers).
GATHER_PER_CANDIDATE = 4


def _add_contributions(totals, candidates, slots, impact_list: ImpactList, times: int) -> None:
    """Add the term's contribution to each candidate that holds it: through `slots` (cost
    in proportion to the list's length) or by binary search of every candidate in the list
    (in proportion to the candidates), whichever is less work."""
    import numpy as np

    ids = impact_list.ids
    if not len(ids):
        return
    if len(ids) <= GATHER_PER_CANDIDATE * len(candidates):
        at = slots[ids]
        held = at >= 0
        totals[at[held]] += (times * impact_list.scale) * impact_list.impacts[held]
    else:
        at = np.minimum(np.searchsorted(ids, candidates), len(ids) - 1)
        held = ids[at] == candidates
        totals[held] += (times * impact_list.scale) * impact_list.impacts[at[held]]


class _CandidateSlots(threading.local):
    """Per thread, paper id → position among the current query's candidates (-1: none),
    kept between queries (4 bytes per paper id) and reset after each."""

    def __init__(self):
        self.slots = None  # made by the thread's first query

    def cover(self, largest_id: int) -> np.ndarray:
        import numpy as np

        if self.slots is None or len(self.slots) <= largest_id:
            self.slots = np.full(largest_id + 1 + largest_id // 8, -1, dtype=np.int32)  # room to grow
        return self.slots


_slots = _CandidateSlots()
