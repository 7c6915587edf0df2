"""`paperfeed ingest hf-daily` as a real child process against the loopback Hugging Face.

The 2024-10-25 list is the RECORDED daily_papers response (29 items). The day used for paging is
DERIVED in the test from it and from the recorded arXiv API fixture (see ``_paged_day``).
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET

from tests.helpers import run_cli

from .fixture_server import FIXTURES

RECORDED = json.loads((FIXTURES / "hf" / "daily_papers_2024-10-25.json").read_text(encoding="utf-8"))
ATOM = "{http://www.w3.org/2005/Atom}"


def hf_requests(server) -> list[dict]:
    return [query for _, _, _, query in server.requests_to("/api/daily_papers")]


def listing(child_db, data_dir) -> list[tuple]:
    return child_db(
        data_dir,
        "SELECT d.date, p.arxiv_id, d.upvotes, d.submitted_by, d.organization_id FROM papers_dailyentry d"
        " JOIN papers_paper p ON p.id = d.paper_id ORDER BY p.arxiv_id",
    )


def test_recorded_day_is_listed_with_its_upvotes_and_submitters(fixture_server, ingest_env, child_db, data_dir):
    result = run_cli(data_dir, "ingest", "hf-daily", "--date", "2024-10-25", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert "hf-daily: 29 new, 0 updated, 0 unchanged, 0 quarantined, 0 deleted, 29 newly listed" in result.stdout
    assert result.stdout.strip().endswith("29 items on Hugging Face's list")
    assert hf_requests(fixture_server) == [{"date": "2024-10-25", "p": "0", "limit": "100"}]

    expected = sorted(
        ("2024-10-25", item["paper"]["id"], item["paper"]["upvotes"], item["submittedBy"]["name"], None)
        for item in RECORDED
    )
    assert len(expected) == 29
    assert listing(child_db, data_dir) == expected
    first = RECORDED[0]["paper"]
    assert child_db(data_dir, "SELECT title, num_authors, published FROM papers_paper WHERE arxiv_id = ?", (first["id"],)) == [
        ("Breaking the Memory Barrier: Near Infinite Batch Size Scaling for Contrastive Loss", len(first["authors"]),
         "2024-10-22 17:59:30")
    ]
    authors = child_db(
        data_dir,
        "SELECT a.name FROM papers_paperauthor pa JOIN papers_author a ON a.id = pa.author_id"
        " JOIN papers_paper p ON p.id = pa.paper_id WHERE p.arxiv_id = ? ORDER BY pa.position",
        (first["id"],),
    )
    assert [name for (name,) in authors] == [author["name"] for author in first["authors"]]
    assert child_db(data_dir, "SELECT count(*) FROM papers_organization") == [(0,)]  # none in this response

    before = [listing(child_db, data_dir), child_db(data_dir, "SELECT * FROM papers_paper ORDER BY id")]
    again = run_cli(data_dir, "ingest", "hf-daily", "--date", "2024-10-25", **ingest_env)
    assert again.returncode == 0, again.stderr
    assert "hf-daily: 0 new, 0 updated, 29 unchanged, 0 quarantined, 0 deleted, 0 newly listed" in again.stdout
    assert [listing(child_db, data_dir), child_db(data_dir, "SELECT * FROM papers_paper ORDER BY id")] == before


def test_a_day_without_papers_is_an_empty_success(fixture_server, ingest_env, child_db, data_dir):
    result = run_cli(data_dir, "ingest", "hf-daily", "--date", "2024-10-26", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert "hf-daily: 0 new, 0 updated, 0 unchanged, 0 quarantined, 0 deleted, 0 newly listed" in result.stdout
    assert hf_requests(fixture_server) == [{"date": "2024-10-26", "p": "0", "limit": "100"}]
    assert child_db(data_dir, "SELECT count(*) FROM papers_dailyentry") == [(0,)]


def test_malformed_json_fails_the_run_and_is_quarantined(fixture_server, ingest_env, child_db, data_dir):
    # DERIVED: the recorded body cut in the middle.
    body = (FIXTURES / "hf" / "daily_papers_2024-10-25.json").read_bytes()
    fixture_server.malformed_next(body[: len(body) // 3])
    result = run_cli(data_dir, "ingest", "hf-daily", "--date", "2024-10-25", **ingest_env)
    assert result.returncode == 1
    assert "hf-daily: the source failed: Hugging Face sent malformed JSON" in result.stderr
    problems = child_db(data_dir, "SELECT source, location, reason, length(raw) FROM sources_ingestproblem")
    assert len(problems) == 1
    source, location, reason, raw_length = problems[0]
    assert source == "hf-daily"
    assert location == f"{fixture_server.url}/api/daily_papers?date=2024-10-25&p=0&limit=100"
    assert reason.startswith("malformed JSON:")
    assert raw_length == len(body) // 3
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper") == [(0,)]
    assert child_db(data_dir, "SELECT status, quarantined FROM sources_ingestrun") == [("failed", 1)]


def _paged_day(day: str) -> list[dict]:
    """DERIVED daily_papers items for `day`: 105 items shaped like the recorded ones.

    The first recorded item is the template; its paper is replaced, in turn, by each of the 100
    REAL papers of the recorded arXiv API body q_testing_s0_m100 and by 5 recorded HF papers;
    upvotes count down from 105, the listing date is `day`.
    """
    feed = ET.parse(FIXTURES / "arxiv-api" / "q_testing_s0_m100_cfe7536492ca.xml").getroot()
    papers = []
    for entry in feed.findall(f"{ATOM}entry"):
        papers.append({
            "id": entry.findtext(f"{ATOM}id").split("/abs/")[1].rsplit("v", 1)[0],
            "title": " ".join(entry.findtext(f"{ATOM}title").split()),
            "summary": entry.findtext(f"{ATOM}summary").strip(),
            "authors": [{"name": a.findtext(f"{ATOM}name")} for a in entry.findall(f"{ATOM}author")],
            "publishedAt": entry.findtext(f"{ATOM}published"),
        })
    papers += [copy.deepcopy(item["paper"]) for item in RECORDED[:5]]
    items = []
    for position, paper in enumerate(papers):
        item = copy.deepcopy(RECORDED[0])
        item["paper"] = {**paper, "upvotes": len(papers) - position}
        item["publishedAt"] = f"{day}T08:00:00.000Z"
        item["submittedBy"] = {**item["submittedBy"], "name": f"user{position}"}
        items.append(item)
    return items


def test_a_long_day_is_read_in_pages_of_100(fixture_server, ingest_env, child_db, data_dir):
    items = _paged_day("2024-11-01")
    assert len(items) == len({item["paper"]["id"] for item in items}) == 105
    fixture_server.add_hf_day("2024-11-01", json.dumps(items))
    result = run_cli(data_dir, "ingest", "hf-daily", "--date", "2024-11-01", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert hf_requests(fixture_server) == [
        {"date": "2024-11-01", "p": "0", "limit": "100"},
        {"date": "2024-11-01", "p": "1", "limit": "100"},
    ]
    assert "hf-daily: 105 new, 0 updated, 0 unchanged, 0 quarantined, 0 deleted, 105 newly listed" in result.stdout
    assert result.stdout.strip().endswith("105 items on Hugging Face's list")
    expected = sorted(("2024-11-01", i["paper"]["id"], i["paper"]["upvotes"], i["submittedBy"]["name"], None) for i in items)
    assert listing(child_db, data_dir) == expected
