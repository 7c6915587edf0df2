"""`paperfeed ingest arxiv-rss` as a real child process against the loopback arXiv.

No real arXiv RSS body is recorded: the feeds are CONSTRUCTED by fixture_server.py from arXiv's
published RSS specification, with the titles, authors, ids, versions and categories of REAL
papers of the recorded API fixture ``q_testing_s0_m100`` (entries 5 to 8); the announce types
are set here. The API answer used to complete those papers is DERIVED from the same recorded
body (those four entries kept). Two of the papers are first stored at v1 from a snapshot line
DERIVED from their recorded entries (later versions removed), so that the feed's ``replace``
announces a newer version of a paper the database already has.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from tests.helpers import run_cli

from .fixture_server import FIXTURES, derive_atom, rss_items_from_fixture

BODY = (FIXTURES / "arxiv-api" / "q_testing_s0_m100_cfe7536492ca.xml").read_bytes()
FEED = "cs.SE+cs.LG"
DAY = "2024-10-25"
# Entries 5..8 of the recorded body, with the announce type each gets in the constructed feed.
KINDS = {"1202.4527": "new", "2503.05378": "replace", "1205.1866": "cross", "2502.07719": "replace-cross"}
ID_LIST = ",".join(KINDS)  # the order of the feed, which is the order the completion asks in
ALREADY_AT_V1 = ("2503.05378", "2502.07719")


def announced_items() -> list[dict]:
    items = rss_items_from_fixture(9, ["new"])[5:9]
    assert [item["id"] for item in items] == list(KINDS)
    for item in items:
        item["announce_type"] = KINDS[item["id"]]
    assert [(item["id"], item["version"]) for item in items] == [
        ("1202.4527", 1), ("2503.05378", 2), ("1205.1866", 1), ("2502.07719", 2)
    ]
    return items


def store_at_v1(data_dir, ingest_env, ids) -> None:
    from paperfeed.sources.formats.arxiv_atom import parse_atom
    from paperfeed.sources.formats.snapshot import record_to_snapshot

    records = {r.arxiv_id: r for r in parse_atom(BODY).items}
    lines = []
    for arxiv_id in ids:
        record = records[arxiv_id]
        first = [v for v in record.versions if v.number == 1]
        lines.append(json.dumps(record_to_snapshot(dataclasses.replace(record, versions=first, latest_version=1, updated=None))))
    path = data_dir.parent / "v1.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli(data_dir, "ingest", "snapshot", str(path), "--workers", "0", **ingest_env)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def announcement(fixture_server, ingest_env, data_dir):
    store_at_v1(data_dir, ingest_env, ALREADY_AT_V1)
    fixture_server.set_rss(FEED, announced_items(), DAY)
    return data_dir


def test_announcement_is_stored_tagged_listed_and_completed_from_the_api(
    fixture_server, ingest_env, child_db, announcement
):
    data_dir = announcement
    assert child_db(data_dir, "SELECT arxiv_id, latest_version FROM papers_paper ORDER BY arxiv_id") == [
        ("2502.07719", 1), ("2503.05378", 1)
    ]
    fixture_server.add_api_response(
        {"search_query": "", "id_list": ID_LIST, "start": 0, "max_results": 100}, derive_atom(BODY, slice(5, 9), 4, 0, 100)
    )

    result = run_cli(data_dir, "ingest", "arxiv-rss", "--categories", "cs.SE,cs.LG", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(
        f"announcement of {DAY}: 1 cross, 1 new, 1 replace, 1 replace-cross; 4 completed from the API"
    )
    # The feed first, then one completion request for the four papers lacking the announced version.
    assert [(path, query) for _, _, path, query in fixture_server.requests] == [
        (f"/rss/{FEED}", {}),
        ("/api/query", {"search_query": "", "id_list": ID_LIST, "start": "0", "max_results": "100"}),
    ]

    announcements = child_db(
        data_dir,
        "SELECT a.date, p.arxiv_id, a.kind, a.version FROM papers_announcement a JOIN papers_paper p ON p.id = a.paper_id"
        " ORDER BY p.arxiv_id",
    )
    assert announcements == [
        (DAY, "1202.4527", "new", 1),
        (DAY, "1205.1866", "cross", 1),
        (DAY, "2502.07719", "replace-cross", 2),
        (DAY, "2503.05378", "replace", 2),
    ]
    # New papers and cross-lists go on the day's list; replacements do not.
    listed = child_db(
        data_dir,
        "SELECT d.date, p.arxiv_id FROM papers_dailyentry d JOIN papers_paper p ON p.id = d.paper_id ORDER BY p.arxiv_id",
    )
    assert listed == [(DAY, "1202.4527"), (DAY, "1205.1866")]
    assert child_db(data_dir, "SELECT date, feed, announced, new, cross, replaced FROM sources_announcementday") == [
        (DAY, FEED, 1, 1, 1, 2)
    ]
    papers = child_db(
        data_dir,
        "SELECT p.arxiv_id, p.latest_version, c.code FROM papers_paper p"
        " JOIN papers_category c ON c.id = p.primary_category_id ORDER BY p.arxiv_id",
    )
    # The replaced papers went from v1 to the announced v2; the cross-list keeps its own primary.
    assert papers == [("1202.4527", 1, "cs.SE"), ("1205.1866", 1, "cs.AR"), ("2502.07719", 2, "cs.SE"), ("2503.05378", 2, "cs.SE")]
    versions = child_db(
        data_dir,
        "SELECT p.arxiv_id, v.number FROM papers_paperversion v JOIN papers_paper p ON p.id = v.paper_id"
        " ORDER BY p.arxiv_id, v.number",
    )
    # Completed from the API: v1's date for every paper, and the dated v2 of the replacements.
    assert versions == [("1202.4527", 1), ("1205.1866", 1), ("2502.07719", 1), ("2502.07719", 2), ("2503.05378", 1), ("2503.05378", 2)]
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper WHERE published IS NULL") == [(0,)]

    # Two papers are new to the database; the two replacements are updates of stored papers.
    run = child_db(data_dir, "SELECT status, new, updated, listed FROM sources_ingestrun ORDER BY id DESC LIMIT 1")
    assert run == [("ok", 2, 2, 2)], result.stdout
    assert "arxiv-rss: 2 new, 2 updated, 0 unchanged, 0 quarantined, 0 deleted, 2 newly listed" in result.stdout


def test_the_same_announcement_again_changes_nothing_and_asks_the_api_nothing(
    fixture_server, ingest_env, child_db, announcement
):
    data_dir = announcement
    fixture_server.add_api_response(
        {"search_query": "", "id_list": ID_LIST, "start": 0, "max_results": 100}, derive_atom(BODY, slice(5, 9), 4, 0, 100)
    )
    first = run_cli(data_dir, "ingest", "arxiv-rss", "--categories", "cs.SE,cs.LG", **ingest_env)
    assert first.returncode == 0, first.stderr
    tables = ("papers_paper", "papers_paperversion", "papers_announcement", "papers_dailyentry", "papers_paperauthor")
    before = [child_db(data_dir, f"SELECT * FROM {table} ORDER BY id") for table in tables]

    fixture_server.reset()
    fixture_server.set_rss(FEED, announced_items(), DAY)
    again = run_cli(data_dir, "ingest", "arxiv-rss", "--categories", "cs.SE,cs.LG", **ingest_env)
    assert again.returncode == 0, again.stderr
    assert "arxiv-rss: 0 new, 0 updated, 4 unchanged, 0 quarantined, 0 deleted, 0 newly listed" in again.stdout
    assert again.stdout.strip().endswith("; 0 completed from the API")
    assert [path for _, _, path, _ in fixture_server.requests] == [f"/rss/{FEED}"]
    assert [child_db(data_dir, f"SELECT * FROM {table} ORDER BY id") for table in tables] == before


def test_completion_refused_by_the_api_fails_the_run_but_keeps_the_announcement(
    fixture_server, ingest_env, child_db, announcement
):
    data_dir = announcement
    # No API answer registered: the server answers the completion request with 404.
    result = run_cli(data_dir, "ingest", "arxiv-rss", "--categories", "cs.SE,cs.LG", **ingest_env)
    assert result.returncode == 1
    assert "arxiv-rss: the source failed: arXiv API answered HTTP 404" in result.stderr
    assert fixture_server.requests[-1][2:] == (
        "/api/query", {"search_query": "", "id_list": ID_LIST, "start": "0", "max_results": "100"}
    )
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper") == [(4,)]
    assert child_db(data_dir, "SELECT kind FROM papers_announcement ORDER BY kind") == [
        ("cross",), ("new",), ("replace",), ("replace-cross",)
    ]
    assert child_db(data_dir, "SELECT count(*) FROM papers_dailyentry") == [(2,)]
    assert child_db(data_dir, "SELECT status, new FROM sources_ingestrun ORDER BY id DESC LIMIT 1") == [("failed", 2)]


def test_a_day_without_announcement_is_recorded(fixture_server, ingest_env, child_db, data_dir):
    fixture_server.set_rss_empty("cs.SE", "2024-10-26")  # a Saturday
    result = run_cli(data_dir, "ingest", "arxiv-rss", "--categories", "cs.SE", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "arxiv-rss: 0 new, 0 updated, 0 unchanged, 0 quarantined, 0 deleted, 0 newly listed; "
        "no announcement on 2024-10-26 (weekend or holiday)"
    )
    assert [path for _, _, path, _ in fixture_server.requests] == ["/rss/cs.SE"]
    assert child_db(data_dir, "SELECT date, feed, announced, new, cross, replaced FROM sources_announcementday") == [
        ("2024-10-26", "cs.SE", 0, 0, 0, 0)
    ]
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper") == [(0,)]
    status = run_cli(data_dir, "status", "--json", **ingest_env)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["days_without_announcement"] == ["2024-10-26"]
