"""Django's file-based cache, making its directory when it first writes instead of when loaded.

Django makes the directory as soon as the backend is created, which its system checks do for
every command: `paperfeed status` on a data directory that `init` has not made yet would make
one (and an unusable one would fail with a traceback before the commands' own readable
check, core/preflight.py). Writes make the directory anyway (`set` calls `_createdir`, as a
cache directory may be deleted at any time); reads of a missing directory find nothing.

Django also lists the whole directory on every write, to decide whether to cull: 7 ms a
write at 5,000 files, paid by every page rendered for the cache, every counted API read
(core/cache_limits.py) and every new page generation. Here a process checks on its first
write to a directory and then on every CULL_EVERY-th, so a directory may pass MAX_ENTRIES by
at most CULL_EVERY files per worker before it is culled back under it.
"""

from __future__ import annotations

import itertools
import os
import random

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 100
# Per directory and process, not per backend object: Django makes one per thread.
_writes: dict[str, itertools.count] = {}


class LazyFileCache(FileBasedCache):
    def __init__(self, dir, params):
        BaseCache.__init__(self, params)
        self._dir = os.path.abspath(dir)

    def _cull(self):
        if next(_writes.setdefault(self._dir, itertools.count())) % CULL_EVERY:
            return
        files = self._list_cache_files()
        excess = len(files) - self._max_entries
        if excess < 0:
            return
        if self._cull_frequency == 0:
            return self.clear()
        # Django's share (1/CULL_FREQUENCY of the limit), and what the directory grew past the
        # limit since the last check.
        for name in random.sample(files, excess + self._max_entries // self._cull_frequency):
            self._delete(name)
