"""Which of a query's keywords are rare: the lexical leg keeps only the rarest few.

FTS5 scores every paper that holds any word of an OR query (about 0.75 µs per posting on
the benchmark machine), and its BM25 first counts the papers holding each word, so a common
word ("model", "learning") costs time in proportion to the papers holding it — most of the
lexical leg's time at 100k papers and far over budget at a million. Common words also carry
the least BM25 weight (low IDF), so past a budget of postings they are the ones left out.
It is a trade: on SciFact, leaving out words costs ranking quality (docs/benchmarks.md).
The impact lists (search.impact) take the common words off the database's hands without that
cost, so the budget only applies to the words the database still scores.

Document frequencies come from the index itself (`count(*)` of a one-word MATCH, which
FTS5 answers from the word's posting list without scoring, and which applies the same
stemmer as the index, so no stemming is repeated in Python). They are cached per process:
a word's frequency changes slowly, and common words — the costly ones to count — are
exactly those that recur across queries.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

CACHE_WORDS = 20_000  # ~2 MB per process at most
CACHE_SECONDS = 3_600  # new papers shift frequencies slowly; an hour-old count is good enough


class FrequencyCache:
    """word → number of papers holding it, LRU-bounded, entries expiring after a while."""

    def __init__(self, count: Callable[[str], int], size: int = CACHE_WORDS, seconds: float = CACHE_SECONDS):
        self._count = count
        self._size = size
        self._seconds = seconds
        self._entries: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def frequency(self, word: str) -> int:
        key = word.lower()
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and now - entry[1] < self._seconds:
                self._entries.move_to_end(key)
                return entry[0]
        value = self._count(word)  # outside the lock: a slow count must not block other threads
        with self._lock:
            self._entries[key] = (value, now)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def within_budget(words: list[str], budget: int, frequency: Callable[[str], int]) -> list[str]:
    """The rarest words whose posting lists together hold at most `budget` entries, in the
    query's order; always at least the rarest word. `budget` 0 keeps every word.

    A budget in postings rather than a count of words keeps small collections exact: while
    every word together is within budget nothing is dropped, and only where a query's words
    hold many papers do the commonest go first.
    """
    if budget <= 0 or len(words) <= 1:
        return words
    counts = {w: frequency(w) for w in words}
    kept: set[str] = set()
    spent = 0
    for word in sorted(words, key=lambda w: (counts[w], words.index(w))):
        if kept and spent + counts[word] > budget:
            break
        kept.add(word)
        spent += counts[word]
    return [w for w in words if w in kept]
