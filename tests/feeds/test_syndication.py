"""Atom and JSON feeds: valid for feedparser, ranked, escaped."""

from __future__ import annotations

import json
from datetime import date

import feedparser
import pytest

from paperfeed.papers.models import Category, DailyEntry, Paper

pytestmark = pytest.mark.django_db


def _parsed(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content, response_headers={"content-type": response["Content-Type"]})
    assert feed.bozo == 0, feed.get("bozo_exception")
    return response, feed


def test_daily_feed_lists_the_latest_days_most_upvoted_first(sample_db, client):
    latest = DailyEntry.objects.order_by("-date").values_list("date", flat=True).first()
    top = DailyEntry.objects.filter(date=latest).order_by("-upvotes", "paper__arxiv_id").select_related("paper").first()

    response, feed = _parsed(client, "/feeds/daily.atom")

    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert feed.feed.title == "Daily Papers"
    assert feed.entries[0].link == f"http://127.0.0.1:8000/papers/{top.paper.arxiv_id}"
    assert feed.entries[0].title == top.paper.title


def test_json_feed_is_json_feed_1_1(sample_db, client):
    response = client.get("/feeds/daily.json")
    document = json.loads(response.content)
    assert response["Content-Type"] == "application/feed+json; charset=utf-8"
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert document["items"] and {"id", "url", "title", "content_text"} <= set(document["items"][0])
    # feedparser 6.0 reads no JSON Feed: check the required members of the spec instead.
    assert all(isinstance(item["id"], str) and item["url"].startswith("http") for item in document["items"])
    assert document["feed_url"] == "http://127.0.0.1:8000/feeds/daily.json"


def test_hostile_titles_are_text_in_every_format(sample_db, client):
    title = '<script>alert(1)</script> & "quotes" \x0b'
    paper = Paper.objects.create(
        arxiv_id="3002.00001", title=title, abstract="<img src=x onerror=alert(1)>", published=None
    )
    paper.categories.add(Category.objects.get_or_create(code="zz.XS")[0])
    DailyEntry.objects.create(date=date(2099, 1, 1), paper=paper, upvotes=1)

    response, feed = _parsed(client, "/feeds/daily.atom")
    assert b"<script>" not in response.content and b"<img" not in response.content
    assert feed.entries[0].title == '<script>alert(1)</script> & "quotes"'  # the control character dropped
    _, category = _parsed(client, "/feeds/category/zz.XS.atom")
    assert [e.title for e in category.entries] == ['<script>alert(1)</script> & "quotes"']
    document = json.loads(client.get("/feeds/category/zz.XS.json").content)
    assert document["items"][0]["title"] == title


def test_unknown_category_and_format_are_404(sample_db, client):
    assert client.get("/feeds/category/no.SUCH.atom").status_code == 404
    assert client.get("/feeds/daily.rss2").status_code == 404


def test_a_search_is_a_feed_newest_first(sample_vectors, client):
    response, feed = _parsed(client, "/feeds/search.atom?q=quantum+error+correction&min=0.3")
    assert feed.feed.title == "Papers matching “quantum error correction”"
    assert 0 < len(feed.entries) <= 50
    dates = [entry.published_parsed for entry in feed.entries]
    assert dates == sorted(dates, reverse=True)
    strict = feedparser.parse(client.get("/feeds/search.atom?q=quantum+error+correction&min=0.99").content)
    assert len(strict.entries) < len(feed.entries)
    assert client.get("/feeds/search.atom").status_code == 404
