"""The fields a Hugging Face item carries beyond the paper, as the parser keeps them, and the
rules that merge them: on the RECORDED 2024-10-25 response and values DERIVED from it."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, datetime

import pytest

from paperfeed.sources.formats import DailyItem
from paperfeed.sources.formats.hf_daily import parse_hf_item
from paperfeed.papers.record_merge import merge_records
from paperfeed.sources.normalize import clean_source_url, clean_source_user

from .fixture_server import FIXTURES

RECORDED = json.loads((FIXTURES / "hf" / "daily_papers_2024-10-25.json").read_text(encoding="utf-8"))


def parsed(item: dict) -> DailyItem:
    result = parse_hf_item(item, "test")
    assert isinstance(result, DailyItem), result
    return result


def test_the_first_recorded_item_is_kept_as_given():
    item = RECORDED[0]
    daily = parsed(item)
    assert daily.listed_at == datetime(2024, 10, 25, 0, 57, 9, 392000, tzinfo=UTC)
    assert daily.num_comments == item["numComments"] == 3
    assert daily.submitter_profile == item["submittedBy"]
    assert daily.thumbnail == item["thumbnail"]
    assert daily.media_urls == item["mediaUrls"]
    kept = daily.record.source_authors
    assert [a["name"] for a in kept] == daily.record.authors
    assert [{k: v for k, v in a.items() if k != "_id"} for a in item["paper"]["authors"]] == kept


def test_authors_without_claims_keep_nothing_beyond_their_names():
    item = next(i for i in RECORDED if not any("user" in a or a["hidden"] for a in i["paper"]["authors"]))
    assert parsed(item).record.source_authors == []


@pytest.mark.parametrize(
    "url, kept",
    [
        ("https://cdn-avatars.huggingface.co/v1/a.png", True),
        ("http://example.org:8080/a.png?x=1#y", True),
        ("/avatars/1b09e2742aecce1bbdc57f0c4504cf38.svg", True),  # a path on the source's site, as given
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        (" javascript:alert(1)", False),
        ("data:image/svg+xml,<svg onload=alert(1)>", False),
        ("vbscript:msgbox", False),
        ("//evil.example/a.png", False),
        ("/\\evil.example/a.png", False),
        ("https://evil.example/a b.png", False),
        ("https://evil.example/\na.png", False),
        ("https://" + "a" * 600, False),
        ("", False),
    ],
)
def test_source_urls(url, kept):
    assert clean_source_url(url) == (url.strip() if kept else "")


def test_a_user_keeps_known_keys_of_the_right_type():
    user = clean_source_user({"name": "mallory", "fullname": "<b>M</b>\x00 Ory", "avatarUrl": "javascript:x",
                              "isPro": "true", "isHf": True, "followerCount": True, "type": "org", "extra": "x"})
    assert user == {"name": "mallory", "fullname": "<b>M</b> Ory", "avatarUrl": "", "isHf": True}
    assert clean_source_user({"avatarUrl": "https://a.example/x.png"}) == {}  # names nobody
    assert clean_source_user("mallory") == {}


def _record(**changes):
    item = copy.deepcopy(RECORDED[0])
    item["paper"].update(changes)
    return parsed(item).record


def test_records_merge_by_the_first_non_empty_value_of_the_most_complete():
    plain = dataclasses.replace(_record(), github_stars=None, ai_summary="", ai_keywords=[], source_authors=[])
    rich = _record(githubStars=7, ai_summary="Short.", ai_keywords=["a", "b"])
    merged = merge_records([plain, rich])
    assert (merged.github_stars, merged.ai_summary, merged.ai_keywords) == (7, "Short.", ["a", "b"])
    assert merged.source_authors == rich.source_authors
    assert merge_records([_record(githubStars=0), _record(githubStars=5)]).github_stars == 5  # 0 is no news


def test_wrong_types_are_left_out_not_a_reason_to_refuse_the_paper():
    record = _record(githubStars="many", ai_summary={"text": "x"}, ai_keywords="one, two", authors=[
        {"name": "A. Author", "hidden": "no", "user": "alice", "status": 1, "statusLastChangedAt": "soon"},
        {"name": "B. Author", "hidden": True},
    ])
    assert (record.github_stars, record.ai_summary, record.ai_keywords) == (None, "", [])
    assert record.source_authors == [{"name": "A. Author", "hidden": False}, {"name": "B. Author", "hidden": True}]
