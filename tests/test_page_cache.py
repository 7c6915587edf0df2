"""Pages from the cache (core/page_cache.py) through Django's test client: served without the
database, fresh after every write that changes them, nobody else's state or CSRF token."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperfeed.community.discussion.services import create_comment
from paperfeed.community.votes.services import set_vote
from paperfeed.config import cache_settings
from paperfeed.core import file_cache, page_cache
from paperfeed.core.file_cache import LazyFileCache
from paperfeed.feeds.trending import recompute
from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record
from tests.helpers import run_cli

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 21)
DAY_URL = "/papers/date/2026-11-21"
ARXIV_ID = "2611.05555"
HOSTILE = 'Cached <script>alert("x")</script> & <b>bold</b>'
PAGES = [
    "/papers",
    DAY_URL,
    "/papers/week/2026-W47",
    "/papers/month/2026-11",
    "/papers/trending",
    f"/papers/{ARXIV_ID}",
    f"/papers/{ARXIV_ID}.md",
    "/feeds/daily.atom",
    "/feeds/daily.json",
    "/feeds/trending.atom",
]
# A masked CSRF token, in a form field or in htmx's request headers (base.html).
TOKEN = re.compile(rb'(?<=csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}|(?<="X-CSRFToken": ")[A-Za-z0-9]{64}')


def store(arxiv_id: str, title: str, upvotes: int = 0) -> Paper:
    record = build_record(
        arxiv_id=arxiv_id,
        title=title,
        abstract="An abstract of a cached paper.",
        authors=["Ada Lovelace"],
        categories="cs.LG",
        versions=[{"version": "v1", "created": "2026-11-21T10:00:00Z"}],
    )
    result = store_records([record])
    list_papers([Listing(result.paper_ids[arxiv_id], DAY, upvotes, "", "")])
    return Paper.objects.get(arxiv_id=arxiv_id)


@pytest.fixture
def paper(db) -> Paper:
    return store(ARXIV_ID, HOSTILE, upvotes=3)


@pytest.fixture
def cached(settings):
    settings.PAPERFEED_PAGE_CACHE = 300
    caches["pages"].clear()
    yield
    caches["pages"].clear()


def without_tokens(body: bytes) -> bytes:
    return TOKEN.sub(b"TOKEN", body)


def queries_of(client: Client, url: str, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    return response, len(captured.captured_queries)


def count_on(html: str) -> int:
    return int(re.search(rf'action="/papers/{ARXIV_ID}/upvote".*?data-count="(\d+)"', html, re.S)[1])


def test_a_second_anonymous_read_runs_no_query(client, paper, cached):
    for url in PAGES:
        first, _ = queries_of(client, url)
        assert first.status_code == 200, url
        second, queries = queries_of(client, url)
        assert (second.status_code, queries) == (200, 0), url
        assert without_tokens(second.content) == without_tokens(first.content), url
        assert second["ETag"] == first["ETag"], url


def test_a_zero_page_cache_renders_every_time(client, paper, settings):
    settings.PAPERFEED_PAGE_CACHE = 0
    client.get(DAY_URL)
    _, queries = queries_of(client, DAY_URL)
    assert queries > 0


def test_an_undeclared_query_parameter_or_a_pending_message_is_rendered_not_cached(client, paper, cached):
    client.get(f"{DAY_URL}?utm_source=x")
    assert queries_of(client, f"{DAY_URL}?utm_source=x")[1] > 0
    client.get(f"{DAY_URL}?p=1")
    assert queries_of(client, f"{DAY_URL}?p=1")[1] == 0
    client.cookies["messages"] = "anything"
    assert queries_of(client, f"{DAY_URL}?p=1")[1] > 0


def test_a_vote_shows_on_the_next_anonymous_read(client, paper, cached, django_user_model):
    assert count_on(client.get(DAY_URL).content.decode()) == 3
    set_vote(django_user_model.objects.create_user("voter"), paper, True)
    assert count_on(client.get(DAY_URL).content.decode()) == 4
    assert count_on(client.get(f"/papers/{ARXIV_ID}").content.decode()) == 4


def test_a_comment_shows_on_the_next_anonymous_read(client, paper, cached, django_user_model):
    client.get(f"/papers/{ARXIV_ID}")
    create_comment(paper, django_user_model.objects.create_user("writer"), "A freshly written remark")
    assert "A freshly written remark" in client.get(f"/papers/{ARXIV_ID}").content.decode()


def test_an_ingest_shows_on_the_next_anonymous_read(client, paper, cached):
    client.get(DAY_URL), client.get(f"/papers/{ARXIV_ID}"), client.get("/feeds/daily.json")
    store("2611.06666", "A Newly Listed Paper")
    assert "A Newly Listed Paper" in client.get(DAY_URL).content.decode()
    assert "A Newly Listed Paper" in client.get("/feeds/daily.json").content.decode()
    store(ARXIV_ID, "A Corrected Title")
    assert "A Corrected Title" in client.get(f"/papers/{ARXIV_ID}").content.decode()


def test_a_batch_of_listings_draws_one_generation_not_one_per_entry(paper, cached, monkeypatch):
    # Each new generation is a write to the shared cache (with the file cache, a listing of
    # its directory too): an ingest that raises the upvotes of a day's listed papers must not
    # pay that once per entry.
    ids = [f"2611.0{n:04d}" for n in range(1, 21)]
    papers = [store(arxiv_id, f"Paper {arxiv_id}", upvotes=1) for arxiv_id in ids]
    drawn = []
    monkeypatch.setattr(page_cache, "_new_generation", lambda: drawn.append(1))
    list_papers([Listing(paper.pk, DAY, 5, "", "") for paper in papers])
    assert len(drawn) <= 2  # at once, and at the commit
    assert set(Paper.objects.filter(arxiv_id__in=ids).values_list("daily_entries__upvotes", flat=True)) == {5}


def test_a_trending_run_shows_on_the_next_anonymous_read(client, paper, cached):
    assert ARXIV_ID not in client.get("/papers/trending").content.decode()
    recompute(now=datetime(2026, 11, 21, 12, tzinfo=UTC))
    assert ARXIV_ID in client.get("/papers/trending").content.decode()


def test_signed_in_readers_see_their_own_vote_at_once_and_nobody_elses(client, paper, cached, django_user_model):
    ada, bob = django_user_model.objects.create_user("ada"), django_user_model.objects.create_user("bob")
    client.get(DAY_URL)  # the anonymous page is in the cache
    reader = Client()
    reader.force_login(ada)
    reader.get(DAY_URL)
    token = reader.cookies["csrftoken"].value
    answer = reader.post(f"/papers/{ARXIV_ID}/upvote", {"action": "up", "csrfmiddlewaretoken": token})
    assert answer.status_code == 303  # back to the page
    mine = reader.get(DAY_URL).content.decode()
    assert 'aria-pressed="true"' in mine and count_on(mine) == 4
    assert "Signed in as <strong class=\"user-menu-name\">ada</strong>" in mine
    other = Client()
    other.force_login(bob)
    theirs = other.get(DAY_URL).content.decode()
    anonymous = client.get(DAY_URL).content.decode()
    for html in (theirs, anonymous):
        assert 'aria-pressed="true"' not in html and count_on(html) == 4
        assert "ada" not in html
    assert "Log in" in anonymous


@pytest.mark.parametrize("url", [url for url in PAGES if "feeds" not in url and not url.endswith(".md")])
def test_a_cached_page_carries_each_visitors_own_csrf_token(client, paper, cached, url):
    pages = []
    for visitor in (client, Client(), Client()):
        body = visitor.get(url).content
        assert page_cache._placeholder().encode() not in body
        found = TOKEN.findall(body)
        assert found  # htmx's header at least
        tokens = {_unmask_cipher_token(t.decode()) for t in found}
        assert tokens == {visitor.cookies["csrftoken"].value}
        pages.append(body)
    assert len(set(pages)) == 3  # the same cached page, three tokens


def test_a_page_that_asks_for_the_real_csrf_token_is_not_cached(rf, cached):
    # A template or view that calls get_token() itself, bypassing the placeholder: the page
    # holds the first visitor's token and must not be served to the next one.
    @page_cache.cached_page()
    def form(request):
        return HttpResponse(f"<form><input name=csrfmiddlewaretoken value={get_token(request)}></form>")

    bodies = []
    for _ in range(2):
        request = rf.get("/a-form")
        request.user = AnonymousUser()
        bodies.append(form(request).content)
    assert bodies[0] != bodies[1]


def test_a_cached_page_is_still_escaped(client, paper, cached):
    for _ in range(2):
        html = client.get(DAY_URL).content.decode()
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert '<script>alert("x")' not in html and "<b>bold</b>" not in html


def test_if_none_match_and_if_modified_since_get_304_until_a_write(client, paper, cached, django_user_model):
    first = client.get(DAY_URL)
    assert first["ETag"].startswith('W/"') and "Last-Modified" in first
    assert "private" in first["Cache-Control"]
    again = client.get(DAY_URL, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    since = client.get(DAY_URL, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    set_vote(django_user_model.objects.create_user("voter"), paper, True)
    fresh = client.get(DAY_URL, headers={"If-None-Match": first["ETag"]})
    assert fresh.status_code == 200 and fresh["ETag"] != first["ETag"]


def test_feeds_keep_their_own_validators_from_the_cache(client, paper, cached):
    first = client.get("/feeds/daily.atom")
    assert first["ETag"].startswith('"') and "public" in first["Cache-Control"]
    assert client.get("/feeds/daily.atom", headers={"If-None-Match": first["ETag"]}).status_code == 304


# -- PAPERFEED_CACHE_URL ------------------------------------------------------------------------


def test_the_file_cache_stays_bounded_without_listing_its_directory_on_every_write(tmp_path):
    cache = LazyFileCache(str(tmp_path / "cache"), {"OPTIONS": {"MAX_ENTRIES": 50}})
    listings = []
    list_files = cache._list_cache_files
    cache._list_cache_files = lambda: listings.append(1) or list_files()
    for n in range(1000):
        cache.set(f"page-{n}", b"a page", 300)
    assert len(listings) <= 1000 // file_cache.CULL_EVERY + 1
    assert len(list_files()) <= 50 + file_cache.CULL_EVERY
    assert cache.get("page-999") == b"a page"


def test_cache_urls_map_to_django_backends(tmp_path):
    default = cache_settings("", tmp_path)
    assert default["default"]["BACKEND"].endswith("LazyFileCache")
    assert Path(default["pages"]["LOCATION"]) == tmp_path / "cache" / "pages"
    assert default["default"]["LOCATION"] != default["pages"]["LOCATION"]
    assert cache_settings("file:///var/cache/pf", tmp_path)["default"]["LOCATION"] == "/var/cache/pf/default"
    assert cache_settings("locmem://", tmp_path)["pages"]["BACKEND"].endswith("LocMemCache")
    assert cache_settings("dummy://", tmp_path)["default"]["BACKEND"].endswith("DummyCache")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("gopher://x", "must start with"),
        ("nonsense", "must start with"),
        ("file://", "needs a directory"),
        ("memcached://", "needs a host"),
        ("memcached://h:notaport", "Port"),
    ],
)
def test_bad_cache_urls_are_refused(url, says, tmp_path):
    with pytest.raises(ImproperlyConfigured, match=says):
        cache_settings(url, tmp_path)


def test_redis_and_memcached_name_the_package_they_need(tmp_path):
    import importlib.util

    cases = (
        ("redis://127.0.0.1:6379/0", "redis", "redis"),
        ("rediss://cache.example.org:6380/1", "redis", "redis"),
        ("memcached://127.0.0.1:11211", "pymemcache", "memcached"),
    )
    for url, package, extra in cases:
        if importlib.util.find_spec(package) is not None:
            assert cache_settings(url, tmp_path)["pages"]["LOCATION"]
            continue
        with pytest.raises(ImproperlyConfigured, match=rf"needs the {package} package \(pip install 'paperfeed\[{extra}\]'\)"):
            cache_settings(url, tmp_path)


def test_a_bad_cache_url_stops_the_program_with_exit_2(tmp_path):
    out = run_cli(tmp_path, "status", PAPERFEED_CACHE_URL="gopher://cache.example.org")
    assert out.returncode == 2
    assert "PAPERFEED_CACHE_URL" in out.stderr and "Traceback" not in out.stderr


# -- signed-in readers: their page rendered, the cards' shared parts from the worker's store ------


def card_title(html: str) -> str:
    return re.search(r'class="card-title math">(.*?)</a>', html, re.S)[1]


def signed_in(user) -> Client:
    reader = Client()
    reader.force_login(user)
    return reader


@pytest.mark.parametrize("url", [DAY_URL, "/papers/trending", "/papers/month/2026-11"])
def test_a_signed_in_page_is_the_same_with_the_cache_as_without(paper, settings, django_user_model, url):
    recompute(now=datetime(2026, 11, 21, 12, tzinfo=UTC))
    ada = django_user_model.objects.create_user("ada")
    set_vote(ada, paper, True)
    reader = signed_in(ada)
    bodies = []
    for seconds in (0, 300, 300):
        settings.PAPERFEED_PAGE_CACHE = seconds
        bodies.append(without_tokens(reader.get(url).content))
    assert bodies[0] == bodies[1] == bodies[2]
    assert b'aria-pressed="true"' in bodies[0]


def test_signed_in_readers_share_the_cards_parts_until_a_write(paper, cached, django_user_model):
    ada, bob = django_user_model.objects.create_user("ada"), django_user_model.objects.create_user("bob")
    set_vote(ada, paper, True)
    signed_in(ada).get(DAY_URL)
    # Changed behind the writes' back (no new generation): the card's shared part stays as it was.
    Paper.objects.filter(pk=paper.pk).update(title="Changed Quietly")
    html = signed_in(bob).get(DAY_URL).content.decode()
    assert card_title(html).startswith("Cached &lt;script&gt;")  # the vote box says the new title
    assert 'aria-pressed="true"' not in html  # bob's own vote box, not ada's
    assert 'aria-pressed="true"' in signed_in(ada).get(DAY_URL).content.decode()
    create_comment(paper, bob, "A remark")  # a write: a new generation
    html = signed_in(bob).get(DAY_URL).content.decode()
    assert card_title(html) == "Changed Quietly" and re.search(r'class="chip comment-chip"[^>]*>.*?1<span', html, re.S)
