"""Token-authenticated writes go through the site's own services and rules."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from paperfeed.community.collections.models import Collection
from paperfeed.community.discussion.models import Comment
from paperfeed.community.votes.models import Vote
from paperfeed.digests.models import Subscription
from paperfeed.papers.models import DailyEntry

from .conftest import auth


@pytest.fixture
def writer(make_user, token_for):
    user = make_user("ada")
    return user, auth(token_for(user))


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_upvote_is_one_per_user_and_idempotent(client, writer, make_paper):
    user, headers = writer
    make_paper("2611.00001", listed=date(2026, 11, 20), upvotes=4)
    first = client.post("/api/papers/2611.00001/upvote", **headers)
    again = client.post("/api/papers/2611.00001/upvote", **headers)
    assert first.json() == again.json() == {"id": "2611.00001", "upvoted": True, "upvotes": 5}
    assert Vote.objects.filter(user=user).count() == 1
    assert client.delete("/api/papers/2611.00001/upvote", **headers).json()["upvotes"] == 4
    assert client.post("/api/papers/2611.09999/upvote", **headers).status_code == 404


def test_comments_and_replies(client, writer, make_paper):
    user, headers = writer
    make_paper("2611.00001")
    created = post(client, "/api/papers/2611.00001/comments", {"body": "Nice **result** <script>x</script>"}, headers)
    assert created.status_code == 201
    comment = created.json()
    assert comment["author"] == {"name": "ada"} and "<script>" not in comment["bodyHtml"]
    reply = post(client, "/api/papers/2611.00001/comments", {"body": "Thanks", "parentId": comment["id"]}, headers)
    assert reply.json()["parentId"] == comment["id"]
    thread = client.get("/api/papers/2611.00001/comments").json()
    assert [c["body"] for c in thread] == ["Nice **result** <script>x</script>", "Thanks"]
    assert Comment.objects.filter(author=user).count() == 2
    assert client.get("/api/papers/2611.00001").json()["numComments"] == 2
    empty = post(client, "/api/papers/2611.00001/comments", {"body": ""}, headers)
    assert empty.status_code == 400 and empty.json() == {"error": "Write something first: the comment is empty."}
    assert post(client, "/api/papers/2611.00001/comments", {"body": "x", "parentId": "nope"}, headers).status_code == 400
    # Only the ids the API hands out: int(…, 16) alone would read "0x…" or " …" as one.
    lookalike = "0x" + comment["id"][2:]
    assert post(client, "/api/papers/2611.00001/comments", {"body": "x", "parentId": lookalike}, headers).status_code == 400


def test_comment_rate_limit_is_the_sites(client, writer, make_paper, settings):
    settings.PAPERFEED_COMMENTS_PER_HOUR = 1
    make_paper("2611.00001")
    _, headers = writer
    assert post(client, "/api/papers/2611.00001/comments", {"body": "one"}, headers).status_code == 201
    second = post(client, "/api/papers/2611.00001/comments", {"body": "two"}, headers)
    assert second.status_code == 429 and int(second["Retry-After"]) > 3500


def test_submit_follows_the_submission_rules(client, writer, make_paper):
    user, headers = writer
    yesterday = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    make_paper("2611.00001", created=yesterday)
    listed = post(client, "/api/papers/submit", {"arxivId": "https://arxiv.org/abs/2611.00001"}, headers)
    assert listed.status_code == 201
    assert listed.json()["submittedBy"]["name"] == "ada"
    assert DailyEntry.objects.get(paper__arxiv_id="2611.00001").submitter == user
    again = post(client, "/api/papers/submit", {"arxivId": "2611.00001"}, headers)
    assert again.status_code == 400 and "already on the list" in again.json()["error"]
    assert post(client, "/api/papers/submit", {"arxivId": "not an id"}, headers).status_code == 400


def test_index_returns_a_known_paper_without_fetching(client, writer, make_paper):
    make_paper("2611.00001")
    _, headers = writer
    known = post(client, "/api/papers/index", {"arxivId": "2611.00001v3"}, headers)
    assert known.status_code == 200 and known.json()["id"] == "2611.00001"
    assert post(client, "/api/papers/index", {"arxivId": 5}, headers).json() == {
        "error": "arxivId must be an arXiv identifier such as 2410.17243."
    }
    broken = client.post("/api/papers/index", "{not json", content_type="application/json", **headers)
    assert broken.json() == {"error": "The request body is not valid JSON."}


def test_collections_by_paperfeeds_first_fields_and_routes(client, writer, make_paper):
    # The Hugging Face-shaped routes are tested with huggingface_hub itself (test_hf_collections.py).
    user, headers = writer
    make_paper("2611.00001")
    created = post(client, "/api/collections", {"name": "To read", "public": True}, headers)
    assert created.status_code == 201
    assert (created.json()["slug"], created.json()["name"], created.json()["public"]) == ("ada/to-read", "To read", True)
    assert post(client, "/api/collections", {"name": "To read"}, headers).json()["slug"] == "ada/to-read"
    added = post(client, "/api/collections/to-read/papers", {"arxivId": "2611.00001"}, headers)
    assert added.json()["added"] is True and added.json()["collection"]["papers"] == ["2611.00001"]
    assert post(client, "/api/collections/to-read/papers", {"arxivId": "2611.00001"}, headers).json()["added"] is False
    assert [c["papers"] for c in client.get("/api/collections", **headers).json()] == [["2611.00001"]]
    removed = client.delete("/api/collections/to-read/papers/2611.00001", **headers)
    assert removed.json()["removed"] is True
    assert Collection.objects.get(owner=user).items.count() == 0
    # The list is public, as Hugging Face's is: anonymous readers see public collections only.
    assert [c["slug"] for c in client.get("/api/collections").json()] == ["ada/to-read"]
    Collection.objects.filter(owner=user).update(public=False)
    assert client.get("/api/collections").json() == []
    assert [c["slug"] for c in client.get("/api/collections", **headers).json()] == ["ada/to-read"]
    assert post(client, "/api/collections/nope/papers", {"arxivId": "2611.00001"}, headers).status_code == 404


def test_subscription_is_double_opt_in(client, writer):
    user, headers = writer
    assert client.get("/api/subscription", **headers).status_code == 404
    subscribed = post(client, "/api/subscription", {"period": "weekly"}, headers)
    assert subscribed.json()["result"] == "confirmation mail sent"
    assert subscribed.json()["subscription"]["status"] == "pending"
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert Subscription.objects.get(user=user).period == "weekly"
    assert client.delete("/api/subscription", **headers).json()["status"] == "unsubscribed"
    assert post(client, "/api/subscription", {"period": "hourly"}, headers).status_code == 400
