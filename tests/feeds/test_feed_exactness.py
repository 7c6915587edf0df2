"""Every feed the site offers, read as feed readers read it: feedparser, RFC 4287 / JSON Feed
1.1 validity, exact text, one author per person, stable `updated`, conditional GETs and the
pages' autodiscovery links. In-process (Django's test client) over the bundled sample."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone
from html import unescape

import feedparser
import pytest
from django.utils.http import http_date

from paperfeed.feeds.syndication import EXTENSION_NS
from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.personal.models import Preferences
from paperfeed.papers.record import PaperRecord
from tests.feeds.feed_rules import atom_problems, json_feed_problems

pytestmark = pytest.mark.django_db

BASE = "http://127.0.0.1:8000"
HOSTILE_TITLE = 'Projektor <script>alert("t")</script> & <b>bold</b>'
HOSTILE_ABSTRACT = (
    "We present a framework called <projektor> for redshifts 0.1<z<0.95; "
    'the string <img src=x onerror=alert(1)> is text & so is "&amp;".'
)
LISTED = date(2099, 1, 1)
PUBLISHED = datetime(2099, 1, 1, 17, 30, tzinfo=dt_timezone.utc)  # after the list day's 00:00


@pytest.fixture
def hostile(sample_db):
    """Two papers the way an ingest stores them, on the newest daily list: one hostile and
    without authors, one with three authors."""
    records = [
        PaperRecord(arxiv_id="2901.00001", title=HOSTILE_TITLE, abstract=HOSTILE_ABSTRACT,
                    categories=["cs.LG"], published=PUBLISHED),
        PaperRecord(arxiv_id="2901.00002", title="Three authors", abstract="Plain.",
                    authors=["Ada Lovelace", "Alan Turing", "Grace Hopper"], categories=["cs.LG"], published=PUBLISHED),
    ]  # fmt: skip
    ids = store_records(records).paper_ids
    list_papers([Listing(ids[r.arxiv_id], LISTED, upvotes=10_000) for r in records])
    from paperfeed.feeds.trending import refresh_paper

    for r in records:
        refresh_paper(ids[r.arxiv_id])
    return {arxiv_id: Paper.objects.get(pk=pk) for arxiv_id, pk in ids.items()}


@pytest.fixture
def reader(django_user_model):
    user = django_user_model.objects.create_user("feedreader", "reader@example.org", "a-long-password-1")
    # Cold-start picks come from the reader's categories: the newest cs.LG papers.
    prefs, _ = Preferences.objects.update_or_create(user=user, defaults={"categories": "cs.LG"})
    return user, prefs


def every_feed(prefs) -> list[str]:
    """Every feed URL the site offers (urls.py and personal/urls.py), in both formats."""
    paths = [
        "/feeds/daily",
        "/feeds/trending",
        "/feeds/category/cs.LG",
        f"/feeds/personal/{prefs.feed_token}",
    ]
    urls = [f"{path}.{fmt}" for path in paths for fmt in ("atom", "json")]
    return urls + ["/feeds/search.atom?q=projektor+redshift&min=0", "/feeds/search.json?q=projektor+redshift&min=0"]


def _get(client, url, **headers):
    return client.get(url, headers=headers)


def _atom(client, url):
    response = _get(client, url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert atom_problems(response.content) == [], url
    feed = feedparser.parse(response.content, response_headers={"content-type": response["Content-Type"]})
    assert feed.bozo == 0, (url, feed.get("bozo_exception"))
    return response, feed


def _json(client, url):
    response = _get(client, url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    assert json_feed_problems(response.content) == [], url
    return response, json.loads(response.content)


def test_every_feed_is_valid_and_keeps_hostile_text_as_text(client, hostile, reader):
    hostile_id = f"{BASE}/papers/2901.00001"
    for url in every_feed(reader[1]):
        if ".json" in url:
            _, document = _json(client, url)
            item = {i["id"]: i for i in document["items"]}[hostile_id]
            assert item["title"] == HOSTILE_TITLE and item["content_text"] == HOSTILE_ABSTRACT, url
            assert item["authors"] == [] and document["authors"] == [{"name": "paperfeed", "url": f"{BASE}/"}]
            continue
        response, feed = _atom(client, url)
        assert b"<script" not in response.content and b"<img" not in response.content and b"<projektor" not in response.content
        entry = {e.id: e for e in feed.entries}[hostile_id]
        assert entry.title == HOSTILE_TITLE, url
        assert entry.title_detail.type == "text/plain"
        assert entry.summary == HOSTILE_ABSTRACT, url  # "<projektor>", "0.1<z<0.95" intact
        assert entry.summary_detail.type == "text/plain"
        assert "authors" not in entry or entry.authors == [{"name": "paperfeed", "href": f"{BASE}/"}]
        assert feed.feed.author_detail.name == "paperfeed"  # the author of entries without one


def test_one_author_element_per_person(client, hostile):
    response, feed = _atom(client, "/feeds/daily.atom")
    entry = next(e for e in feed.entries if e.id.endswith("2901.00002"))
    assert [a["name"] for a in entry.authors] == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    assert entry["pf_authorcount"] == "3"
    _, document = _json(client, "/feeds/daily.json")
    item = next(i for i in document["items"] if i["id"].endswith("2901.00002"))
    assert item["authors"] == [{"name": "Ada Lovelace"}, {"name": "Alan Turing"}, {"name": "Grace Hopper"}]


def test_updated_is_the_content_change_and_never_before_published(client, hostile, reader):
    from paperfeed.feeds.trending import recompute

    for url in every_feed(reader[1]):
        if url.endswith(".json") or ".json?" in url:
            for item in _json(client, url)[1]["items"]:
                assert item["date_modified"] >= item["date_published"] or (
                    datetime.fromisoformat(item["date_modified"]) >= datetime.fromisoformat(item["date_published"])
                ), (url, item["id"])
            continue
        for entry in _atom(client, url)[1].entries:
            assert entry.updated_parsed >= entry.published_parsed, (url, entry.id)
    daily = {e.id: e for e in _atom(client, "/feeds/daily.atom")[1].entries}
    hostile_entry = daily[f"{BASE}/papers/2901.00001"]
    assert hostile_entry.published == hostile_entry.updated == "2099-01-01T17:30:00+00:00"
    assert hostile_entry["pf_listedon"] == "2099-01-01"

    # A trending run changes scores and their time, not the entries: readers see no change.
    before = [(e.id, e.updated) for e in _atom(client, "/feeds/trending.atom")[1].entries]
    recompute(now=datetime.now(dt_timezone.utc) + timedelta(hours=1), days=None)
    after = dict((e.id, e.updated) for e in _atom(client, "/feeds/trending.atom")[1].entries)
    assert all(after[i] == updated for i, updated in before if i in after)


def test_upvotes_travel_beside_the_summary(client, hostile):
    response, feed = _atom(client, "/feeds/trending.atom")
    assert f'xmlns:pf="{EXTENSION_NS}"'.encode() in response.content
    entry = next(e for e in feed.entries if e.id.endswith("2901.00001"))
    assert entry.summary == HOSTILE_ABSTRACT  # no "10000 upvotes." in front
    assert entry["pf_upvotes"] == "10000"
    item = next(i for i in _json(client, "/feeds/trending.json")[1]["items"] if i["id"].endswith("2901.00001"))
    assert item["_paperfeed"]["upvotes"] == 10_000 and item["content_text"] == HOSTILE_ABSTRACT


def test_self_links_keep_their_query_and_lead_back(client, sample_db):
    url = "/feeds/search.atom?q=quantum+error+correction&min=0.3"
    _, feed = _atom(client, url)
    self_link = next(link.href for link in feed.feed.links if link.rel == "self")
    assert self_link == BASE + url
    assert _get(client, self_link.removeprefix(BASE)).status_code == 200
    _, document = _json(client, "/feeds/search.json?q=quantum+error+correction&min=0.3")
    assert document["feed_url"] == f"{BASE}/feeds/search.json?q=quantum+error+correction&min=0.3"
    assert _get(client, document["feed_url"].removeprefix(BASE)).status_code == 200


def test_every_feed_answers_conditional_gets(client, hostile, reader):
    for url in every_feed(reader[1]):
        first = _get(client, url)
        etag, last_modified = first["ETag"], first["Last-Modified"]
        assert "max-age=300" in first["Cache-Control"], url
        assert ("private" if "personal" in url else "public") in first["Cache-Control"]
        again = _get(client, url, if_none_match=etag)
        assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag, url
        assert _get(client, url, if_modified_since=last_modified).status_code == 304, url
        earlier = http_date(datetime.strptime(last_modified, "%a, %d %b %Y %H:%M:%S GMT").timestamp() - 3600 * 24)
        assert _get(client, url, if_modified_since=earlier).status_code == 200, url
        assert _get(client, url, if_none_match='"something-else"').status_code == 200, url


def test_a_vote_or_an_ingest_makes_the_feeds_new(client, hostile, django_user_model):
    from paperfeed.community.votes.services import set_vote

    etags = {url: _get(client, url)["ETag"] for url in ("/feeds/daily.atom", "/feeds/trending.json")}
    set_vote(django_user_model.objects.create_user("voter"), hostile["2901.00002"], True)
    for url, etag in etags.items():
        response = _get(client, url, if_none_match=etag)
        assert response.status_code == 200 and response["ETag"] != etag, url
    item = next(i for i in json.loads(response.content)["items"] if i["id"].endswith("2901.00002"))
    assert item["_paperfeed"]["upvotes"] == 10_001

    # A new version of the paper: a new ETag and a later `updated` for that entry only.
    etag = _get(client, "/feeds/daily.atom")["ETag"]
    revised = PUBLISHED + timedelta(days=3)
    store_records([PaperRecord(arxiv_id="2901.00002", title="Three authors, revised", abstract="Plain.",
                               authors=["Ada Lovelace", "Alan Turing", "Grace Hopper"], categories=["cs.LG"],
                               published=PUBLISHED, updated=revised, latest_version=2)])  # fmt: skip
    response = _get(client, "/feeds/daily.atom", if_none_match=etag)
    assert response.status_code == 200
    entries = {e.id: e for e in feedparser.parse(response.content).entries}
    assert entries[f"{BASE}/papers/2901.00002"].title == "Three authors, revised"
    assert entries[f"{BASE}/papers/2901.00002"].updated == "2099-01-04T17:30:00+00:00"
    assert entries[f"{BASE}/papers/2901.00001"].updated == "2099-01-01T17:30:00+00:00"


def _alternates(html: str) -> list[tuple[str, str]]:
    links = re.findall(r'<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)">', html)
    return [(kind, unescape(href)) for kind, href in links]


def test_pages_link_their_own_feeds_first(client, hostile, reader):
    user, prefs = reader
    expected = {
        "/papers": "/feeds/daily",
        "/papers/week/2024-W43": "/feeds/daily",
        "/papers/month/2024-10": "/feeds/daily",
        "/papers/trending": "/feeds/trending",
        "/papers/search?q=projektor": "/feeds/search",
        "/papers/search?q=projektor&category=cs.LG": "/feeds/search",
    }
    client.force_login(user)
    expected["/for-you"] = f"/feeds/personal/{prefs.feed_token}"
    expected["/settings/personal"] = f"/feeds/personal/{prefs.feed_token}"
    for page, feed in expected.items():
        html = client.get(page).content.decode()
        links = _alternates(html)
        assert links[:2] == [
            ("application/atom+xml", links[0][1]),
            ("application/feed+json", links[1][1]),
        ], page
        assert links[0][1].startswith(feed + ".atom") and links[1][1].startswith(feed + ".json"), (page, links)
        for _, href in links:  # every advertised feed is there and valid
            (_json if ".json" in href else _atom)(client, href)
        if page.startswith(("/papers/search", "/settings")):
            continue  # the search box's own chips and the settings page show these feeds
        assert 'class="feed-links"' in html and f'href="{links[0][1]}"' in html, page
    search = _alternates(client.get("/papers/search?q=projektor&category=cs.LG").content.decode())
    assert ("application/atom+xml", "/feeds/category/cs.LG.atom") in search


def test_the_validity_checks_can_fail():
    """The checks above are only worth their passes if they catch what readers trip on."""
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>http://x/</id>'
        b"<updated>2024-10-25T00:00:00Z</updated><link rel='self' href='http://x/f'/>"
        b"<entry><title>e</title><id>http://x/1</id><updated>2024-10-25</updated>"
        b"<link href='http://x/1'/><summary type='html'>a</summary><summary>b</summary></entry></feed>"
    )
    problems = atom_problems(atom)
    assert any(p.startswith("RELAX NG") for p in problems)  # the second summary, the date
    assert "entry 0: no author, and the feed has none (§4.1.1)" in problems
    assert "entry 0 updated: '2024-10-25' is not an RFC 3339 date-time" in problems
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"url": "http://x/1"}], "upvotes": 1}
    assert json_feed_problems(json.dumps(feed).encode()) == [
        "unknown top-level member 'upvotes'",
        "item 0: no id string",
        "item 0: neither content_text nor content_html",
    ]
