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
reads a list the first time one of its queries needs it and keeps it: by default every list
of the current build, each read once per process and build (PAPERFEED_IMPACT_CACHE_MB sets a
smaller budget, and then the recently used ones stay).
"""

from __future__ import annotations

import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

# numpy (~0.1 s of CPU) is imported by the functions that compute: every `paperfeed` command
# loads this module (the search app's start-up hook), and most never search.
if TYPE_CHECKING:
    import numpy as np

# numpy dtypes, by name.
ID_TYPE = "<u4"  # paper ids; the build refuses ids that do not fit
IMPACT_TYPE = "<u2"  # contributions in steps of scale = best / 65,535
IMPACT_STEPS = 2**16 - 1  # the largest IMPACT_TYPE
POSTING_BYTES = 4 + 2  # an id and an impact
BEST_BYTES = 4  # a best paper's id, when only some of a list's papers are its best
MEGABYTE = 1024 * 1024
# The lists of the words held by at least this share of the papers are read as soon as a
# process meets a build, before its queries need them: they are the longest lists (at 100k
# papers on PostgreSQL 1,150 of 5,553 lists, 78 % of the bytes) and the ones most queries
# meet, so a query that met one first would have paid for the whole read (docs/benchmarks.md,
# "Impact lists in memory").
RESIDENT_SHARE = 0.01
PRELOAD_BYTES = 16 * MEGABYTE  # of lists read per query while preloading


@dataclass(frozen=True)
class ImpactList:
    ids: np.ndarray  # every paper holding the term when the list was built, ascending
    impacts: np.ndarray  # their contributions, in steps of `scale`
    scale: float
    best: np.ndarray  # the papers with the highest contributions (ascending ids)

    @property
    def nbytes(self) -> int:
        # `best` is `ids` itself when every paper is among the best (most lists): counted once.
        return self.ids.nbytes + self.impacts.nbytes + (0 if self.best is self.ids else self.best.nbytes)

    @classmethod
    def from_row(cls, scale: float, best_impact: int, ids: bytes, impacts: bytes) -> ImpactList:
        """The best papers are stored as a bar to clear rather than as a list (which would
        add 4 bytes per best paper: 280 MB at a million papers) and picked out on loading."""
        import numpy as np

        ids_array, impacts_array = np.frombuffer(ids, dtype=ID_TYPE), np.frombuffer(impacts, dtype=IMPACT_TYPE)
        best = ids_array if best_impact <= 0 else ids_array[impacts_array >= best_impact]
        return cls(ids_array, impacts_array, scale, best)


@dataclass(frozen=True)
class Generation:
    """One finished build of the lists, which terms have one and how many papers hold each,
    and the collection statistics it was scored with (PostgreSQL's BM25 scores the rare words
    with the same ones; FTS5 keeps its own, and there `average_length` is 0)."""

    number: int
    frequencies: dict[str, int]  # term → papers holding it at the build
    papers: int = 0
    average_length: float = 0.0
    list_length: int = 0  # best papers per list

    @property
    def terms(self) -> frozenset[str]:
        return frozenset(self.frequencies)

    @property
    def held_bytes(self) -> int:
        """At most what all the build's lists take in memory once read (ImpactList.nbytes):
        every posting, and the best papers' ids of the lists where only some are best — about
        `list_length` of them (more where several tie at the bar), at most every paper."""
        return sum(
            papers * (POSTING_BYTES + (BEST_BYTES if papers > self.list_length else 0))
            for papers in self.frequencies.values()
        )


def cache_budget(generation: Generation | None, configured_megabytes: int | None) -> int:
    """The bytes of lists a process keeps: PAPERFEED_IMPACT_CACHE_MB when set, else all of
    the current build's lists — each is read from the database once per process and build,
    never again (a list read again costs a few ms per MB, and the large lists are the
    commonest words': an LRU smaller than the lists evicted exactly those and made the slow
    queries; docs/benchmarks.md)."""
    if configured_megabytes is not None:
        return configured_megabytes * MEGABYTE
    return generation.held_bytes if generation is not None else 0


def commonest(generation: Generation, budget: int) -> list[str]:
    """The terms whose lists a process reads on meeting the build: those held by at least
    RESIDENT_SHARE of its papers, commonest first, as many as fit the budget."""
    bar = max(1, RESIDENT_SHARE * generation.papers)
    chosen, held = [], 0
    for term, papers in sorted(generation.frequencies.items(), key=lambda item: (-item[1], item[0])):
        if papers < bar:
            break
        held += papers * (POSTING_BYTES + (BEST_BYTES if papers > generation.list_length else 0))
        if held > budget:
            break
        chosen.append(term)
    return chosen


@dataclass
class CacheCounts:
    """What a store's lookups cost since it was made (bench/ prints them)."""

    hits: int = 0  # lists found in memory
    misses: int = 0  # lists read from the database
    bytes_read: int = 0  # of those lists, as held (ImpactList.nbytes)
    read_seconds: float = 0.0  # in the queries that read them
    evictions: int = 0
    preloaded: int = 0  # the commonest words' lists, read on meeting a build
    preload_seconds: float = 0.0

    def line(self) -> str:
        lookups = self.hits + self.misses
        return (
            f"impact lists: {lookups:,} looked up, {self.hits:,} in memory, {self.misses:,} read "
            f"({self.bytes_read / MEGABYTE:,.1f} MB in {self.read_seconds * 1000:,.0f} ms), {self.evictions:,} evicted; "
            f"{self.preloaded:,} read on meeting the build in {self.preload_seconds * 1000:,.0f} ms"
        )


class ImpactStore:
    """The current generation's lists, loaded on demand and kept within a byte budget:
    PAPERFEED_IMPACT_CACHE_MB, by default the whole of the current build's lists."""

    def __init__(self, cache_bytes: int | None = None, using: str = DEFAULT_DB_ALIAS):
        self._using = using
        self._fixed_budget = cache_bytes  # None: from the setting, else from the build
        self._cache_bytes = cache_bytes or 0
        self._lists: OrderedDict[tuple[int, str], ImpactList] = OrderedDict()
        self._held = 0
        self._generation: Generation | None = None
        self._lock = threading.Lock()
        self.counts = CacheCounts()
        # The engine's cursor for reading lists back (engines.base.LexicalIndex.lists_cursor:
        # PostgreSQL's asks for binary results); None: Django's.
        self.read_cursor: Callable[[], Any] | None = None

    def current(self) -> Generation | None:
        """The generation searches use now (one indexed lookup per query, so a new build is
        seen by every worker at once); None before the first build."""
        with connections[self._using].cursor() as cursor:
            cursor.execute(
                "SELECT generation, papers, average_length, list_length "
                "FROM search_term_impact_build WHERE state = 'current'"
            )
            row = cursor.fetchone()
            if row is None:
                return None
            with self._lock:
                if self._generation is not None and self._generation.number == row[0]:
                    return self._generation
            cursor.execute("SELECT term, papers FROM search_term_impact WHERE generation = %s", [row[0]])
            generation = Generation(row[0], dict(cursor.fetchall()), row[1], float(row[2]), row[3])
        met = False
        with self._lock:
            if self._generation is None or self._generation.number != generation.number:
                self._lists.clear()  # the old generation's lists are about to be deleted
                self._held = 0
                self._cache_bytes = (
                    self._fixed_budget
                    if self._fixed_budget is not None
                    else cache_budget(generation, settings.PAPERFEED_IMPACT_CACHE_MB)
                )
                self._generation = generation
                met = True
            generation = self._generation  # one object per build, whichever thread read it first
        if met:
            self._preload(generation)
        return generation

    def _preload(self, generation: Generation) -> None:
        """Read the commonest words' lists now, in the query that met the build (the other
        threads' queries go on meanwhile, reading what they need themselves)."""
        started = time.perf_counter()
        terms = commonest(generation, self._cache_bytes)
        chunk: list[str] = []
        chunk_bytes = 0
        for number, term in enumerate(terms, start=1):
            chunk.append(term)
            chunk_bytes += generation.frequencies[term] * POSTING_BYTES
            if chunk_bytes >= PRELOAD_BYTES or number == len(terms):
                loaded = self._read(generation, chunk)
                with self._lock:
                    if self._generation is None or self._generation.number != generation.number:
                        return  # a newer build was met meanwhile, or the store was cleared
                    for loaded_term, impact_list in loaded.items():
                        self._remember((generation.number, loaded_term), impact_list)
                    self.counts.preloaded += len(loaded)
                    self.counts.preload_seconds += time.perf_counter() - started
                started = time.perf_counter()
                chunk, chunk_bytes = [], 0

    def lists(self, generation: Generation, terms: list[str]) -> dict[str, ImpactList]:
        found: dict[str, ImpactList] = {}
        with self._lock:
            for term in terms:
                cached = self._lists.get((generation.number, term))
                if cached is not None:
                    self._lists.move_to_end((generation.number, term))
                    found[term] = cached
            self.counts.hits += len(found)
        missing = [t for t in terms if t not in found]
        if missing:
            started = time.perf_counter()
            loaded = self._read(generation, missing)
            found.update(loaded)
            seconds = time.perf_counter() - started
            with self._lock:
                self.counts.misses += len(loaded)
                self.counts.bytes_read += sum(impact_list.nbytes for impact_list in loaded.values())
                self.counts.read_seconds += seconds
                for term, impact_list in loaded.items():
                    self._remember((generation.number, term), impact_list)
        return found

    def _read(self, generation: Generation, terms: list[str]) -> dict[str, ImpactList]:
        marks = ", ".join(["%s"] * len(terms))
        sql = (
            f"SELECT term, scale, best_impact, ids, impacts FROM search_term_impact "
            f"WHERE generation = %s AND term IN ({marks})"
        )
        with (self.read_cursor or connections[self._using].cursor)() as cursor:
            cursor.execute(sql, [generation.number, *terms])
            return {
                term: ImpactList.from_row(scale, best_impact, bytes(ids), bytes(impacts))
                for term, scale, best_impact, ids, impacts in cursor
            }

    def _remember(self, key: tuple[int, str], impact_list: ImpactList) -> None:
        if key in self._lists or self._generation is None or key[0] != self._generation.number:
            return  # kept already, or of a build no longer current here
        self._lists[key] = impact_list
        self._held += impact_list.nbytes
        while self._held > self._cache_bytes and len(self._lists) > 1:
            _, dropped = self._lists.popitem(last=False)
            self._held -= dropped.nbytes
            self.counts.evictions += 1

    def cached_bytes(self) -> int:
        return self._held

    def budget_bytes(self) -> int:
        """The bytes of lists this process keeps at most, for the current generation."""
        return self._cache_bytes

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
    rare: list[str]  # keywords the database scores itself
    # Keywords the database reads as all of several terms, each with a list (see split_keywords).
    joined: list[tuple[str, ...]] = field(default_factory=list)


def split_keywords(
    words: list[str], generation: Generation | None, tokenizer, join_terms: bool = False
) -> KeywordSplit:  # engines.base.Terms
    """Common keywords are those the index reads as one term that has a list; all others —
    rare terms, terms that became common after the lists were built, words read as several
    terms ("foo_bar") — stay with the database, which scores them exactly.

    With `join_terms` (PostgreSQL: a word matches where all of its lexemes are, and each
    lexeme scores on its own — "F_r" is 'f' & 'r'), a word whose terms all have lists is
    `joined` instead: the lists give both which papers hold all of them and what each adds.
    Without it (FTS5 reads "foo_bar" as a phrase and scores the phrase) such words stay rare.
    Left to the database, "F_r" made it score the 18,000 papers holding both one-letter
    lexemes at a million papers: 0.6 s.

    A count, not a set: FTS5 adds one contribution per phrase of the query, so two keywords
    with one stem ("optimizer optimizers") count that term twice, there as here."""
    if generation is None or not generation.frequencies:
        return KeywordSplit(Counter(), list(words))
    common: Counter[str] = Counter()
    rare, joined = [], []
    for word in words:
        terms = tokenizer.terms(word)
        if len(terms) == 1 and terms[0] in generation.frequencies:
            common[terms[0]] += 1
        elif join_terms and len(terms) > 1 and all(term in generation.frequencies for term in terms):
            joined.append(terms)
        else:
            rare.append(word)
    return KeywordSplit(common, rare, joined)


def holding_all(impact_lists: list[ImpactList]) -> np.ndarray:
    """The papers (ascending ids) in every one of the lists: each list holds every paper
    with its term at the build, so these are the papers holding all the terms."""
    import numpy as np

    shortest, *others = sorted(impact_lists, key=lambda impact_list: len(impact_list.ids))
    held = shortest.ids
    for impact_list in others:  # each step searches the fewer ids left in the longer list
        if not len(held) or not len(impact_list.ids):
            return held[:0]
        at = np.minimum(np.searchsorted(impact_list.ids, held), len(impact_list.ids) - 1)
        held = held[impact_list.ids[at] == held]
    return held


def sum_top(
    exact: list[tuple[int, float]],
    lists: list[tuple[ImpactList, int]],
    k: int,
    found: list[np.ndarray] | None = None,
) -> list[tuple[int, float]]:
    """The `k` best candidates — the papers of `exact` (paper id, FTS5 score of the rare
    words) and those the lists found: the arrays of `found` (ascending ids), by default the
    best papers of each list — by FTS5 score plus list contributions (each list counted as
    many times as given), best first.

    Exact, but not every candidate is looked up in every list. The lists are added largest
    possible contribution first: the rarer common words, whose lists are short. Before each
    next list, a candidate that could not reach the k-th best total so far even if every
    list still to come gave it its largest contribution is dropped. The commonest words
    come last — the longest lists and the smallest contributions — and by then a few
    hundred candidates are left of a hundred thousand, so those lists are searched for a
    few hundred ids instead of being read whole (at a million papers the sum's p99 went from
    16 to 7 ms; docs/benchmarks.md)."""
    import numpy as np

    exact_ids = np.fromiter((pid for pid, _ in exact), dtype=ID_TYPE, count=len(exact))  # as the lists: no casts
    exact_scores = np.fromiter((score for _, score in exact), dtype=np.float64, count=len(exact))
    if found is None:
        found = [impact_list.best for impact_list, _ in lists]
    candidates = np.sort(np.concatenate([exact_ids, *found]))
    if not len(candidates):
        return []
    candidates = candidates[np.concatenate(([True], candidates[1:] != candidates[:-1]))]  # np.unique, 4× faster
    totals = np.zeros(len(candidates))
    totals[np.searchsorted(candidates, exact_ids)] += exact_scores  # FTS5 returns each paper once
    largest = max(
        [int(candidates[-1]), *(int(impact_list.ids[-1]) for impact_list, _ in lists if len(impact_list.ids))]
    )
    ordered = sorted(lists, key=lambda item: -_ceiling(*item))
    still_to_come = sum(_ceiling(*item) for item in ordered)
    best_possible = float(exact_scores.max()) if len(exact) else 0.0  # no total is above it so far
    alive = np.arange(len(candidates))  # the candidates still in the running, by position
    slots = _slots.cover(largest)
    slots[candidates] = alive.astype(np.int32)
    try:
        for impact_list, times in ordered:
            # Nothing can be dropped while the best total so far is within reach of every
            # candidate (all start at zero at worst): skip the k-th-best search until then.
            if len(alive) > k and best_possible > still_to_come:
                so_far = totals[alive]
                kth = np.partition(so_far, len(alive) - k)[len(alive) - k]
                alive = alive[so_far + still_to_come >= kth - ROUNDING * max(1.0, abs(kth))]
            _add_contributions(totals, candidates, alive, slots, impact_list, times)
            ceiling = _ceiling(impact_list, times)
            still_to_come -= ceiling
            best_possible += ceiling
    finally:
        slots[candidates] = -1
    # The k best, ties by paper id as FTS5's ORDER BY leaves them (near-duplicates tie a lot).
    chosen = alive
    if len(chosen) > k:
        chosen = chosen[totals[chosen] >= np.partition(totals[chosen], len(chosen) - k)[len(chosen) - k]]
    ranked = chosen[np.lexsort((candidates[chosen], -totals[chosen]))][:k]
    return [(int(candidates[i]), float(totals[i])) for i in ranked]


# A candidate is dropped only when it falls short of the k-th best by more than float
# rounding could account for (totals add the same contributions in another order).
ROUNDING = 1e-9


def _ceiling(impact_list: ImpactList, times: int) -> float:
    """The most the list can add to any paper's total."""
    return times * impact_list.scale * IMPACT_STEPS


# A list's papers are looked up among the candidates when it holds fewer than this many per
# candidate, else the candidates are looked up in the list (measured crossover at 1M papers).
GATHER_PER_CANDIDATE = 4


def _add_contributions(totals, candidates, alive, slots, impact_list: ImpactList, times: int) -> None:
    """Add the term's contribution to each candidate still in the running (positions
    `alive`) that holds it: through `slots` (cost in proportion to the list's length; the
    dropped candidates get it too, which is harmless) or by binary search of each such
    candidate in the list (in proportion to them), whichever is less work."""
    import numpy as np

    ids = impact_list.ids
    if not len(ids):
        return
    if len(ids) <= GATHER_PER_CANDIDATE * len(alive):
        at = slots[ids]
        held = at >= 0
        totals[at[held]] += (times * impact_list.scale) * impact_list.impacts[held]
    else:
        wanted = candidates[alive]
        at = np.minimum(np.searchsorted(ids, wanted), len(ids) - 1)
        held = ids[at] == wanted
        totals[alive[held]] += (times * impact_list.scale) * impact_list.impacts[at[held]]


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
