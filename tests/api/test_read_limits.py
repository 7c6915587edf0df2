"""The cache-counted read limit (core/cache_limits.py) on the backends a site runs with: the
per-process memory cache of the tests and the file cache shared by workers (whose `incr`
is get-then-set and resets the entry's timeout)."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import override_settings

from paperfeed.core.cache_limits import CacheLimit


@pytest.fixture(params=["locmem", "file"])
def cache_backend(request, tmp_path):
    backend = {
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "read-limits"},
        "file": {"BACKEND": "paperfeed.core.file_cache.LazyFileCache", "LOCATION": str(tmp_path)},
    }[request.param]
    with override_settings(CACHES={"default": backend}):
        caches["default"].clear()
        yield request.param


def test_a_key_gets_its_count_then_waits_for_the_end_of_its_window(cache_backend):
    limit = CacheLimit("test-reads", count=3, window=60)
    verdicts = [limit.hit("10.0.0.1") for _ in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert all(59 <= v.retry_after <= 61 for v in verdicts[3:])
    # Another key, and the same key under another scope, count apart.
    assert limit.hit("10.0.0.2").allowed
    assert CacheLimit("other", count=3, window=60).hit("10.0.0.1").allowed


def test_a_new_window_starts_afresh(cache_backend):
    limit = CacheLimit("test-reads", count=1, window=60)
    assert limit.hit("2001:db8::1 with spaces and\ncontrol").allowed
    assert not limit.hit("2001:db8::1 with spaces and\ncontrol").allowed
    limit.clear("2001:db8::1 with spaces and\ncontrol")  # what the window's end does
    assert limit.hit("2001:db8::1 with spaces and\ncontrol").allowed
