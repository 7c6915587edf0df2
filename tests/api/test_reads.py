"""The read endpoints in-process: Hugging Face's shapes, parameters, errors and CORS."""

from __future__ import annotations

import json
from datetime import date

import pytest

from paperfeed.api.papers import encode_cursor

FIXTURE = "fixtures/hf/daily_papers_2024-10-25.json"


@pytest.fixture
def listed(make_paper):
    """Three papers on 2026-11-20 (upvotes 5, 9, 1), one on 2026-11-21, one in the next week."""
    return {
        "a": make_paper("2611.00001", listed=date(2026, 11, 20), upvotes=5, submitted_by="ada", organization="Lab One"),
        "b": make_paper("2611.00002", listed=date(2026, 11, 20), upvotes=9, github_repo="https://github.com/x/y"),
        "c": make_paper("2611.00003", listed=date(2026, 11, 20), upvotes=1),
        "d": make_paper("2611.00004", listed=date(2026, 11, 21), upvotes=2, submitted_by="Ada"),
        "e": make_paper("2611.00005", listed=date(2026, 11, 30), upvotes=7),
    }


def ids(response) -> list[str]:
    return [item["paper"]["id"] for item in response.json()]


def test_a_day_is_ranked_by_upvotes_like_its_page(client, listed):
    response = client.get("/api/daily_papers", {"date": "2026-11-20"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert ids(response) == ["2611.00002", "2611.00001", "2611.00003"]


def test_the_default_is_the_latest_day(client, listed):
    assert ids(client.get("/api/daily_papers")) == ["2611.00005"]


def test_week_month_submitter_sort_and_pages(client, listed):
    assert ids(client.get("/api/daily_papers", {"week": "2026-W47"})) == [
        "2611.00002", "2611.00001", "2611.00004", "2611.00003"
    ]
    assert len(client.get("/api/daily_papers", {"month": "2026-11"}).json()) == 5
    # Hugging Face user names are case-insensitive.
    assert ids(client.get("/api/daily_papers", {"submitter": "ADA"})) == ["2611.00001", "2611.00004"]
    newest_first = ids(client.get("/api/daily_papers", {"sort": "publishedAt"}))
    assert newest_first[:2] == ["2611.00005", "2611.00004"]
    pages = [ids(client.get("/api/daily_papers", {"month": "2026-11", "limit": 2, "p": p})) for p in range(4)]
    assert pages == [["2611.00002", "2611.00005"], ["2611.00001", "2611.00004"], ["2611.00003"], []]


def test_items_have_hugging_faces_fields(client, listed, shared_dir):
    recorded = json.loads((shared_dir / FIXTURE).read_text())
    item = client.get("/api/daily_papers", {"date": "2026-11-20"}).json()[1]
    # Every field the recorded response has on every item is there, with the same nesting.
    always = set.intersection(*(set(entry) for entry in recorded))
    paper_always = set.intersection(*(set(entry["paper"]) for entry in recorded))
    assert always <= set(item)
    assert paper_always <= set(item["paper"])
    assert item["paper"]["authors"][0] == {"_id": item["paper"]["authors"][0]["_id"], "name": "Ada Lovelace", "hidden": False}
    assert item["submittedBy"]["name"] == "ada"
    assert item["organization"]["fullname"] == "Lab One" and item["organization"]["name"] == "lab-one"
    assert item["paper"]["upvotes"] == 5 and item["paper"]["submittedOnDailyAt"] == "2026-11-20T00:00:00.000Z"
    assert item["publishedAt"] == "2026-11-20T00:00:00.000Z"
    assert item["paper"]["publishedAt"] == "2026-11-20T10:00:00.000Z"


def test_a_paper_by_id_and_a_local_vote_counts(client, listed, make_user):
    from paperfeed.community.votes.services import set_vote

    set_vote(make_user(), listed["b"], True)
    body = client.get("/api/papers/2611.00002v1").json()
    assert body["id"] == "2611.00002" and body["upvotes"] == 10
    assert body["githubRepo"] == "https://github.com/x/y"
    assert body["title"] == "Paper 2611.00002" and body["summary"] == "The abstract of 2611.00002."
    missing = client.get("/api/papers/2611.09999")
    assert missing.status_code == 404 and missing.json() == {"error": "Paper not found."}


@pytest.mark.parametrize(
    "query, message",
    [
        ({"limit": "0"}, "limit must be an integer between 1 and 100."),
        ({"limit": "101"}, "limit must be an integer between 1 and 100."),
        ({"limit": "ten"}, "limit must be an integer between 1 and 100."),
        ({"p": "-1"}, "p must be an integer between 0 and 10000."),
        ({"date": "garbage"}, "date must be a valid YYYY-MM-DD."),
        ({"date": "2026-02-30"}, "date must be a valid YYYY-MM-DD."),
        ({"week": "2026-W54"}, "week must be a valid YYYY-Www."),
        ({"month": "2026-13"}, "month must be a valid YYYY-MM."),
        ({"sort": "upvotes"}, "sort must be one of: publishedAt, trending."),
        ({"date": "2026-11-20", "month": "2026-11"}, "Give only one of date, week and month."),
    ],
)
def test_bad_parameters_are_400_json(client, db, query, message):
    response = client.get("/api/daily_papers", query)
    assert response.status_code == 400
    assert response.json() == {"error": message}


def test_cursor_pages_walk_every_paper_once(client, listed):
    # Newest first: this test's papers come before any the session loaded earlier (the
    # bundled sample, when other tests ran first), so five of them are the first five.
    seen, url = [], "/api/papers?limit=2"
    while url and len(seen) < 5:
        response = client.get(url)
        assert response.status_code == 200
        seen += [paper["id"] for paper in response.json()]
        link = response.get("Link")
        url = link[link.index("/api/") : link.index(">")] if link else None
    assert seen[:5] == ["2611.00005", "2611.00004", "2611.00003", "2611.00002", "2611.00001"]
    assert client.get("/api/papers", {"cursor": "bm9wZQ"}).json() == {"error": "cursor is not one this server gave out."}
    after_c = [p["id"] for p in client.get("/api/papers", {"cursor": encode_cursor(listed["c"].pk)}).json()]
    assert after_c[:2] == ["2611.00002", "2611.00001"] and "2611.00003" not in after_c


def test_search_finds_by_words_and_by_id(client, make_paper):
    # Words of no paper of the bundled sample, which may be loaded in this process already.
    make_paper("2611.00011", title="Sparse attention for very long quokka documents")
    make_paper("2611.00012", title="Graph coloring with few colors")
    found = [i["paper"]["id"] for i in client.get("/api/papers/search", {"q": "quokka sparse attention"}).json()]
    # Found by its words; once an earlier test has loaded the sample's vectors, sample papers
    # close in meaning may rank above this one, which has no vector of its own.
    assert "2611.00011" in found and "2611.00012" not in found
    by_url = client.get("/api/papers/search", {"q": "https://arxiv.org/abs/2611.00012v2"}).json()
    assert [i["paper"]["id"] for i in by_url] == ["2611.00012"]
    assert client.get("/api/papers/search", {"q": "x" * 501}).status_code == 400


def test_cors_on_reads_only(client, listed, make_user, token_for):
    read = client.get("/api/daily_papers")
    assert read["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/papers/2611.00001", HTTP_ORIGIN="https://elsewhere.example")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert preflight["Access-Control-Allow-Methods"] == "GET, OPTIONS"
    write = client.post("/api/papers/2611.00001/upvote", HTTP_AUTHORIZATION=f"Bearer {token_for(make_user())}")
    assert write.status_code == 200
    assert "Access-Control-Allow-Origin" not in write
    write_preflight = client.options("/api/papers/index")
    assert "Access-Control-Allow-Origin" not in write_preflight


def test_unknown_api_paths_and_methods_answer_json(client, db):
    assert client.get("/api/nothing/here").json() == {"error": "Not found."}
    wrong = client.put("/api/daily_papers")
    assert wrong.status_code == 405 and wrong.json() == {"error": "Method PUT not allowed."}
    assert wrong["Allow"] == "GET, HEAD, OPTIONS"


def test_a_paper_listed_on_two_days_is_one_item_with_one_count(client, make_paper):
    """Listed on the 20th with 3 upvotes, on the 21st with 35 (the source's grown count):
    the week, the month, a submitter's and the paper answer hold it once, with 35."""
    from paperfeed.papers.daily import Listing, list_papers

    twice = make_paper("2611.00031", listed=date(2026, 11, 20), upvotes=3, submitted_by="ada")
    list_papers([Listing(twice.pk, date(2026, 11, 21), 35, "ada")])
    make_paper("2611.00032", listed=date(2026, 11, 21), upvotes=9)

    for query in ({"week": "2026-W47"}, {"month": "2026-11"}, {"submitter": "ada"}, {"sort": "publishedAt"}):
        items = client.get("/api/daily_papers", query).json()
        counts = [item["paper"]["upvotes"] for item in items if item["paper"]["id"] == "2611.00031"]
        assert counts == [35], query
    for day in ("2026-11-20", "2026-11-21"):
        (item,) = [i for i in client.get("/api/daily_papers", {"date": day}).json() if i["paper"]["id"] == "2611.00031"]
        assert item["paper"]["upvotes"] == 35
    assert client.get("/api/papers/2611.00031").json()["upvotes"] == 35
