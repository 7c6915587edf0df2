"""The Hugging Face daily_papers parser and the seed parser, on the recorded response and the
seed file, plus broken variants of both."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from paperfeed.sources.formats import DailyItem, Problem
from paperfeed.sources.formats.hf_daily import parse_hf_daily
from paperfeed.sources.formats.seed import iter_seed, month_of_id, parse_seed_line, split_organization

from .hostile import HUGE_TITLE


@pytest.fixture(scope="module")
def hf_body(fixtures):
    return (fixtures / "hf" / "daily_papers_2024-10-25.json").read_bytes()


@pytest.fixture(scope="module")
def hf_items(hf_body):
    return list(parse_hf_daily(hf_body, "daily"))


def test_daily_list_items(hf_items):
    assert len(hf_items) == 29
    assert all(isinstance(i, DailyItem) for i in hf_items)
    assert {i.date for i in hf_items} == {date(2024, 10, 25)}
    top = hf_items[0]
    assert top.record.arxiv_id == "2410.17243"
    assert top.record.title == "Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss"
    assert top.record.authors == [
        "Zesen Cheng", "Hang Zhang", "Kehan Li", "Sicong Leng", "Zhiqiang Hu",
        "Fei Wu", "Deli Zhao", "Xin Li", "Lidong Bing",
    ]  # fmt: skip
    assert top.record.published == datetime(2024, 10, 22, 17, 59, 30, tzinfo=UTC)
    assert top.upvotes == 64
    assert top.submitted_by == "ClownRat"  # the username, not the display name "Zesen Cheng"
    assert top.organization == "" and top.organization_slug == ""
    assert [i.upvotes for i in hf_items][-3:] == [2, 2, 2]


def test_repository_and_hidden_authors(hf_items):
    by_id = {i.record.arxiv_id: i for i in hf_items}
    assert by_id["2410.18798"].record.github_repo == "https://github.com/hewei2001/ReachQA"
    # An author who hid the link to their profile is still an author.
    assert "Zhanchao Zhou" in by_id["2410.17897"].record.authors
    # Listed just before midnight UTC: still the 25th.
    assert by_id["2410.16429"].date == date(2024, 10, 25)


def test_organization_withdrawal_and_newer_date_field(hf_body):
    item = json.loads(hf_body)[0]
    item["organization"] = {"_id": "x", "name": "facebook", "fullname": "AI at Meta"}
    item["submittedOnDailyAt"] = "2024-10-26T01:00:00.000Z"
    item["paper"]["withdrawnAt"] = "2024-11-01T00:00:00.000Z"
    item["paper"]["projectPage"] = "https://example.org/project"
    (result,) = parse_hf_daily(json.dumps([item]))
    assert (result.organization, result.organization_slug) == ("AI at Meta", "facebook")
    assert result.date == date(2024, 10, 26)
    assert result.record.withdrawn is True
    assert result.record.project_page == "https://example.org/project"


def test_organization_on_the_paper(hf_body):
    item = json.loads(hf_body)[1]
    item["paper"]["organization"] = {"name": "google", "fullname": "Google"}
    (result,) = parse_hf_daily(json.dumps([item]))
    assert (result.organization, result.organization_slug) == ("Google", "google")


def test_broken_responses_are_problems(hf_body):
    (problem,) = parse_hf_daily(hf_body[: len(hf_body) // 2], "cut")
    assert problem.location == "cut" and problem.reason.startswith("malformed JSON")
    (problem,) = parse_hf_daily(b'{"error": "rate limited"}', "dict")
    assert problem.reason == "expected a JSON list, got dict"


def test_broken_items_are_problems_and_the_rest_is_read(hf_body):
    items = json.loads(hf_body)[:4]
    items[0] = {"title": "no paper"}
    items[1]["paper"]["title"] = HUGE_TITLE
    del items[2]["publishedAt"]
    results = list(parse_hf_daily(json.dumps(items), "daily"))
    assert [type(r) for r in results] == [Problem, Problem, Problem, DailyItem]
    assert results[0].reason == "item has no paper object"
    assert "title is 100,000 characters long" in results[1].reason
    assert results[1].location == "daily item 2 (2410.16251)"
    assert "no listing date" in results[2].reason


# -- seed ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_items(seed_file):
    return list(iter_seed(seed_file))


def test_seed_papers(seed_items):
    assert len(seed_items) == 51
    assert all(isinstance(i, DailyItem) for i in seed_items)
    swan = seed_items[0]
    assert swan.record.arxiv_id == "2412.13148"
    assert swan.record.title == "SWAN: SGD with Normalization and Whitening Enables Stateless LLM Training"
    assert swan.record.authors == [] and swan.record.num_authors == 4 and swan.record.author_count == 4
    assert swan.date == date(2024, 12, 17)
    assert swan.record.published == datetime(2024, 12, 17, tzinfo=UTC)
    assert swan.upvotes == 0


def test_seed_paper_without_date_is_listed_on_its_ids_month(seed_items):
    agile = seed_items[2]
    assert agile.record.arxiv_id == "2510.01304"
    assert agile.date == date(2025, 10, 1)
    assert agile.record.published is None
    assert agile.record.num_authors is None
    assert agile.record.github_repo == "https://github.com/yuzeng0-0/AGILE"
    assert [i.date for i in seed_items if i.record.published is None] == [
        date(2025, 10, 1), date(2025, 4, 1), date(2025, 12, 1), date(2025, 12, 1),
    ]  # fmt: skip


def test_seed_organization_and_upvotes(seed_items, seed_file):
    meta = next(i for i in seed_items if i.record.arxiv_id == "2510.13786")
    assert (meta.organization, meta.organization_slug) == ("AI at Meta", "facebook")
    assert meta.upvotes == 2
    expected = [json.loads(line)["upvotes"] for line in seed_file.read_text(encoding="utf-8").splitlines()]
    assert [i.upvotes for i in seed_items] == expected


def test_month_of_id():
    assert month_of_id("2510.01304") == date(2025, 10, 1)
    assert month_of_id("0704.0001v2") == date(2007, 4, 1)
    assert month_of_id("hep-th/9901001") == date(1999, 1, 1)
    assert month_of_id("nonsense") is None


def test_split_organization():
    assert split_organization("facebook AI at Meta") == ("AI at Meta", "facebook")
    assert split_organization("Google") == ("Google", "")
    assert split_organization("Allen Institute for AI") == ("Allen Institute for AI", "")
    assert split_organization(None) == ("", "")


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"title": "cut', "malformed JSON"),
        ('{"title": "No id", "date": null}', "malformed arXiv id"),
        (json.dumps({"title": HUGE_TITLE, "arxiv_id": "2412.13148"}), "title is 100,000 characters long"),
        (json.dumps({"title": "T", "arxiv_id": "2412.13148", "date": "someday"}), "unreadable date"),
        ("[]", "expected a JSON object"),
    ],
)
def test_bad_seed_lines_are_problems(line, reason):
    problem = parse_seed_line(line, "seed.jsonl:7")
    assert isinstance(problem, Problem)
    assert reason in problem.reason
    assert problem.location.startswith("seed.jsonl:7")
