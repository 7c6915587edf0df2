"""Django's file-based cache, making its directory when it first writes instead of when loaded.

Django makes the directory as soon as the backend is created, which its system checks do for
every command: `paperfeed status` on a data directory that `init` has not made yet would make
one (and an unusable one would fail with a traceback before the commands' own readable
check, core/preflight.py). Writes make the directory anyway (`set` calls `_createdir`, as a
cache directory may be deleted at any time); reads of a missing directory find nothing.
"""

from __future__ import annotations

import os

from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.filebased import FileBasedCache


class LazyFileCache(FileBasedCache):
    def __init__(self, dir, params):
        BaseCache.__init__(self, params)
        self._dir = os.path.abspath(dir)
