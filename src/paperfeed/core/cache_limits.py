"""Rate limits counted in Django's cache, for requests that must not write the database.

    limit = CacheLimit("api-anon", count=120, window=60)
    verdict = limit.hit(client_ip(request))    # counts this request
    if not verdict.allowed:
        return too_many(verdict.retry_after)

The durable limits (community/accounts/throttle.py) add a database row per counted
attempt: right for log-ins, sign-ups and other writes, which must hold exactly under any
concurrency and survive a restart. A read that inserts a row turns every GET into a write
(on SQLite, a wait for the database's one write lock), so read limits live here instead,
in `caches["default"]`: the backend every worker shares (a file cache, Redis or memcached;
see docs/configuration.md).

The window is fixed and starts at a key's first counted request: the key's start time is
stored once (`add`, with the window as its timeout) and names the counter of that window,
so a counter never outlives its window even on backends whose `incr` resets the entry's
timeout (the file and database caches implement `incr` as get-then-set). A client may
therefore make up to `count` requests at the end of one window and `count` more at the
start of the next.

Counts are approximate where the backend's `incr` is not atomic (the file cache: two
workers incrementing at once may both write the same value): a burst across processes may
pass the limit by a few requests; and a full cache that evicts or culls an entry starts that
client's window afresh. For a read limit, whose job is to keep one client from crowding out
the others, that is enough; Redis and memcached count exactly. A cache that keeps nothing
(Django's dummy backend) lets every request through.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import caches

CACHE_ALIAS = "default"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int  # seconds until the key's window ends (at least 1); 0 when allowed


@dataclass(frozen=True)
class CacheLimit:
    scope: str
    count: int
    window: int  # seconds

    def _base(self, key: object) -> str:
        # Hashed: any text (an IPv6 address, an account id) becomes a key every backend
        # accepts (memcached refuses spaces, control characters and keys over 250 bytes).
        digest = hashlib.sha256(str(key).encode("utf-8", "backslashreplace")).hexdigest()[:32]
        return f"paperfeed:limit:{self.scope}:{digest}"

    def hit(self, key: object) -> Verdict:
        """Count one request of `key`; whether it is within the limit of its window."""
        cache = caches[CACHE_ALIAS]
        base, now = self._base(key), time.time()
        # The common case reads the start and increments the counter: 3 cache operations (a
        # file cache writes one file); a key's first request of a window also adds both.
        start = cache.get(f"{base}:start")
        if start is None:  # a new window
            cache.add(f"{base}:start", now, timeout=self.window)
            start = cache.get(f"{base}:start", now)
        counter = f"{base}:{int(start * 1000)}"
        try:
            used = cache.incr(counter)
        except ValueError:  # the window's first request (or its counter was evicted)
            used = 1 if cache.add(counter, 1, timeout=self.window + 1) else _incr_or_one(cache, counter, self.window)
        if used <= self.count:
            return Verdict(True, 0)
        # Clamped: a clock stepped back must not announce a wait longer than a window.
        return Verdict(False, min(self.window + 1, max(1, int(start + self.window - now) + 1)))

    def clear(self, key: object) -> None:
        """Forget a key's window (tests, or an operator lifting a limit)."""
        cache, base = caches[CACHE_ALIAS], self._base(key)
        start = cache.get(f"{base}:start")
        if start is not None:
            cache.delete(f"{base}:{int(start * 1000)}")
        cache.delete(f"{base}:start")


def _incr_or_one(cache, counter: str, window: int) -> int:
    # Another worker added the counter between our incr and add.
    try:
        return cache.incr(counter)
    except ValueError:
        cache.set(counter, 1, timeout=window + 1)
        return 1
