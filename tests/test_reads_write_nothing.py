"""Anonymous reads of pages, feeds and the API leave the database untouched.

Every statement the reads send is watched (a connection execute_wrapper): one that writes
fails the test, with the statement and the path in the message. The site's real limits
stay on: the API's read limit is counted (in the cache) on every read here.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client

from paperfeed.papers.models import DailyEntry

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE|CREATE|DROP|ALTER|TRUNCATE)\b", re.I)


class WriteWatcher:
    """Records the writing statements run on the connection, with the path being read."""

    def __init__(self):
        self.path = ""
        self.writes: list[tuple[str, str]] = []

    def __call__(self, execute, sql, params, many, context):
        if WRITE.match(sql):
            self.writes.append((self.path, sql[:200]))
        return execute(sql, params, many, context)


@pytest.fixture
def reads(sample_db, db):
    entry = DailyEntry.objects.select_related("paper").order_by("-date").first()
    day, arxiv_id = entry.date, entry.paper.arxiv_id
    year, week, _ = day.isocalendar()
    return [
        "/papers",
        f"/papers/date/{day}",
        f"/papers/week/{year}-W{week:02d}",
        f"/papers/month/{day:%Y-%m}",
        "/papers/trending",
        f"/papers/{arxiv_id}",
        f"/papers/{arxiv_id}.md",
        "/papers/search?q=language+models",
        "/feeds/daily.atom",
        "/feeds/daily.json",
        "/feeds/trending.atom",
        "/feeds/search.json?q=diffusion",
        "/organizations",
        f"/api/daily_papers?date={day}",
        "/api/daily_papers",
        "/api/papers",
        f"/api/papers/{arxiv_id}",
        "/api/papers/search?q=transformer",
        f"/api/papers/{arxiv_id}/comments",
        "/api/collections",
        "/api/docs",
        "/api/openapi.json",
        "/healthz",
    ]


@pytest.fixture
def empty_page_cache():
    """Pages are rendered here, by these reads; those of this test's rows must not outlive
    its rollback."""
    caches["pages"].clear()
    yield
    caches["pages"].clear()


@pytest.mark.usefixtures("empty_page_cache")
@pytest.mark.parametrize("page_cache", [0, 300], ids=["page-cache-off", "page-cache-on"])
def test_anonymous_reads_write_nothing(reads, settings, page_cache):
    """With the page cache on, each page is read twice: rendered into the cache, then served
    from it — both write only cache files, never the database."""
    settings.PAPERFEED_API_ANON_RATE = 1000  # counted, never reached
    settings.PAPERFEED_PAGE_CACHE = page_cache
    client = Client(HTTP_HOST="127.0.0.1")
    sessions = Session.objects.count()
    watcher = WriteWatcher()
    with connection.execute_wrapper(watcher):
        for path in reads * (2 if page_cache else 1):
            watcher.path = path
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert "sessionid" not in response.cookies, path
    assert watcher.writes == []
    assert Session.objects.count() == sessions


def test_the_read_limit_still_answers_429_without_writing(reads, settings):
    settings.PAPERFEED_API_ANON_RATE = 2
    client = Client(HTTP_HOST="127.0.0.1", REMOTE_ADDR="10.1.2.3")
    watcher = WriteWatcher()
    watcher.path = "/api/daily_papers, /api/papers"
    with connection.execute_wrapper(watcher):
        statuses = [client.get("/api/daily_papers").status_code for _ in range(3)]
        refused = client.get("/api/papers")
    assert statuses == [200, 200, 429]
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert watcher.writes == []
