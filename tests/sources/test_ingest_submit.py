"""`paperfeed submit` as a real child process: a paper the database lacks is fetched from the
loopback arXiv API (the RECORDED id_list=1707.08567 answer) and put on a day's list, once."""

from __future__ import annotations

from tests.helpers import run_cli

TITLE = "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"


def entries(child_db, data_dir) -> list[tuple]:
    return child_db(
        data_dir,
        "SELECT d.date, p.arxiv_id, d.submitted_by, d.upvotes FROM papers_dailyentry d"
        " JOIN papers_paper p ON p.id = d.paper_id",
    )


def test_submit_fetches_an_unknown_paper_and_lists_it_once(fixture_server, ingest_env, child_db, data_dir):
    result = run_cli(data_dir, "submit", "1707.08567", "--date", "2026-11-20", "--by", "alice", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"1707.08567 listed on 2026-11-20: {TITLE}"
    assert [q for _, _, _, q in fixture_server.requests_to("/api/query")] == [
        {"search_query": "", "id_list": "1707.08567", "start": "0", "max_results": "100"}
    ]
    assert entries(child_db, data_dir) == [("2026-11-20", "1707.08567", "alice", 0)]
    assert child_db(data_dir, "SELECT arxiv_id, title, num_authors FROM papers_paper") == [("1707.08567", TITLE, 34)]
    assert child_db(data_dir, "SELECT source, status, new, requests FROM sources_ingestrun") == [("submit", "ok", 1, 1)]

    again = run_cli(data_dir, "submit", "1707.08567", "--date", "2026-11-21", "--by", "bob", **ingest_env)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "1707.08567 is already on the list of 2026-11-20"
    assert len(fixture_server.requests) == 1  # known now: not fetched again
    assert entries(child_db, data_dir) == [("2026-11-20", "1707.08567", "alice", 0)]


def test_submit_resolves_an_abs_url_with_version(fixture_server, ingest_env, child_db, data_dir):
    result = run_cli(
        data_dir, "submit", "https://arxiv.org/abs/1707.08567v2", "--date", "2026-11-20", "--by", "alice", **ingest_env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"1707.08567 listed on 2026-11-20: {TITLE}"
    assert [q["id_list"] for _, _, _, q in fixture_server.requests_to("/api/query")] == ["1707.08567"]
    assert entries(child_db, data_dir) == [("2026-11-20", "1707.08567", "alice", 0)]


def test_submit_of_something_that_is_no_arxiv_reference_is_exit_2(fixture_server, ingest_env, child_db, data_dir):
    result = run_cli(data_dir, "submit", "https://example.org/abs/1707.08567", **ingest_env)
    assert result.returncode == 2
    assert "not an arXiv id or URL" in result.stderr
    assert fixture_server.requests == []
