"""`paperfeed ingest arxiv-oai` as a real child process against the loopback OAI-PMH server.

The records are REAL arXiv OAI records (fixture_server.py: ``oai_dc`` 1,000 distinct records in
pages of ``oai_page_size``; ``arXiv`` 52 records plus one DERIVED deleted header), in an envelope
the server constructs. A crash is a real SIGKILL of the child while it waits for a page.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import httpx
import pytest

from tests.helpers import PAPERFEED, child_query, cli_env, run_cli

from .fixture_server import FIXTURES

HARVEST = ("ingest", "arxiv-oai", "--set", "cs", "--prefix", "oai_dc")
# Pacing is tested in test_ingest_arxiv_api.py; here a shorter interval keeps 40-odd pages quick.
FAST = {"PAPERFEED_ARXIV_INTERVAL": "0.1"}


@pytest.fixture
def ingest_env(ingest_env):
    return {**ingest_env, **FAST}


def oai_requests(server) -> list[dict]:
    return [query for _, _, _, query in server.requests_to("/oai")]


def checkpoint(child_db, data_dir) -> list[tuple]:
    return child_db(
        data_dir,
        "SELECT resumption_token, cursor, complete_list_size, pages, records, finished FROM sources_harvestcheckpoint",
    )


def stored_ids(child_db, data_dir) -> list[str]:
    return [arxiv_id for (arxiv_id,) in child_db(data_dir, "SELECT arxiv_id FROM papers_paper ORDER BY arxiv_id")]


def dump(child_db, data_dir) -> list[list[tuple]]:
    return [
        child_db(data_dir, "SELECT * FROM papers_paper ORDER BY arxiv_id"),
        child_db(data_dir, "SELECT paper_id, number, created, size FROM papers_paperversion ORDER BY paper_id, number"),
        child_db(data_dir, "SELECT paper_id, author_id, position FROM papers_paperauthor ORDER BY paper_id, position"),
        child_db(data_dir, "SELECT paper_id, category_id FROM papers_papercategory ORDER BY paper_id, category_id"),
    ]


def test_full_oai_dc_harvest_stores_each_record_once_and_a_rerun_changes_nothing(
    fixture_server, ingest_env, child_db, data_dir
):
    expected = fixture_server.oai_identifiers("oai_dc")
    assert len(expected) == len(set(expected)) == 1000

    result = run_cli(data_dir, *HARVEST, **ingest_env)
    assert result.returncode == 0, result.stderr
    assert "arxiv-oai: 1,000 new, 0 updated, 0 unchanged, 0 quarantined, 0 deleted" in result.stdout
    assert result.stdout.strip().endswith("harvest complete: 10 pages, 1,000 records")
    sent = oai_requests(fixture_server)
    assert sent[0] == {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "cs"}
    assert all(set(q) == {"verb", "resumptionToken"} for q in sent[1:])
    assert len(sent) == 10
    assert stored_ids(child_db, data_dir) == sorted(expected)
    assert child_db(data_dir, "SELECT count(*), count(DISTINCT arxiv_id) FROM papers_paper") == [(1000, 1000)]
    assert checkpoint(child_db, data_dir) == [("", 900, 1000, 10, 1000, 1)]

    before = dump(child_db, data_dir)
    fixture_server.reset()
    again = run_cli(data_dir, *HARVEST, **ingest_env)
    assert again.returncode == 0, again.stderr
    assert "arxiv-oai: 0 new, 0 updated, 1,000 unchanged, 0 quarantined, 0 deleted" in again.stdout
    assert len(oai_requests(fixture_server)) == 10  # without --resume the harvest runs again
    assert dump(child_db, data_dir) == before


def test_arxiv_format_harvest_pages_and_marks_the_deleted_record_withdrawn(
    fixture_server, ingest_env, child_db, data_dir
):
    deleted = fixture_server.oai_deleted_id
    # Store the deleted paper first, from its real OAI record (invenio's sample_arxiv_response.xml,
    # a GetRecord in arXiv format) turned into one snapshot line by paperfeed's own writer.
    import json

    from paperfeed.sources.formats.oai import parse_oai
    from paperfeed.sources.formats.snapshot import record_to_snapshot

    (record,) = parse_oai((FIXTURES / "arxiv-oai/invenio-oaiharvester/sample_arxiv_response.xml").read_bytes()).items
    assert record.arxiv_id == deleted
    line = data_dir.parent / "deleted-paper.jsonl"
    line.write_text(json.dumps(record_to_snapshot(record)) + "\n", encoding="utf-8")
    stored = run_cli(data_dir, "ingest", "snapshot", str(line), "--workers", "0", **ingest_env)
    assert stored.returncode == 0, stored.stderr
    assert child_db(data_dir, "SELECT arxiv_id, withdrawn FROM papers_paper") == [(deleted, 0)]

    fixture_server.oai_page_size = 10
    expected = fixture_server.oai_identifiers("arXiv", include_deleted=False)
    assert len(expected) == 52
    result = run_cli(data_dir, "ingest", "arxiv-oai", "--set", "cs", "--prefix", "arXiv", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert "arxiv-oai: 52 new, 0 updated, 0 unchanged, 0 quarantined, 1 deleted" in result.stdout
    assert result.stdout.strip().endswith("harvest complete: 6 pages, 53 records")
    assert len(oai_requests(fixture_server)) == 6
    assert stored_ids(child_db, data_dir) == sorted([*expected, deleted])
    assert child_db(data_dir, "SELECT arxiv_id FROM papers_paper WHERE withdrawn") == [(deleted,)]
    assert child_db(data_dir, "SELECT status, new, deleted FROM sources_ingestrun ORDER BY id DESC LIMIT 1") == [
        ("ok", 52, 1)
    ]


def _wait_for_pages(data_dir, pages: int, process: subprocess.Popen, timeout: float = 20) -> None:
    """Poll the child's database (read-only) until its checkpoint has `pages` pages."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            rows = child_query(data_dir, "SELECT pages FROM sources_harvestcheckpoint")
        except Exception:  # noqa: BLE001 - not created yet, or locked for a moment (either driver's error)
            rows = []
        row = rows[0] if rows else None
        if row is not None and row[0] >= pages:
            assert row[0] == pages
            return
        time.sleep(0.05)
    raise AssertionError(f"the checkpoint did not reach {pages} pages within {timeout} s")


def _kill_during_page_5(fixture_server, ingest_env, data_dir) -> None:
    """Start a harvest, SIGKILL it while it waits for page 5 (4 pages committed), then clear the stall."""
    fixture_server.oai_stall_after_pages = 4
    child = subprocess.Popen(
        [*PAPERFEED, *HARVEST], env=cli_env(data_dir, **ingest_env), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        _wait_for_pages(data_dir, 4, child)
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.communicate(timeout=10)
    assert child.returncode == -signal.SIGKILL
    fixture_server.oai_stall_after_pages = None


@pytest.mark.both_databases
def test_kill_9_during_a_harvest_then_resume_continues_with_the_next_page(
    fixture_server, ingest_env, child_db, data_dir
):
    _kill_during_page_5(fixture_server, ingest_env, data_dir)
    ((token, cursor, size, pages, records, finished),) = checkpoint(child_db, data_dir)
    assert (cursor, size, pages, records, finished) == (300, 1000, 4, 400, 0)
    assert token.startswith("page-4-")
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper") == [(400,)]
    assert child_db(data_dir, "SELECT status FROM sources_ingestrun") == [("running",)]  # killed, never finished
    # ...but its process is gone, which `paperfeed status` says instead of "running" for ever.
    status = run_cli(data_dir, "status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["last_ingest"]["status"] == "interrupted"

    already = len(fixture_server.requests)
    result = run_cli(data_dir, *HARVEST, "--resume", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert child_db(data_dir, "SELECT status FROM sources_ingestrun ORDER BY id") == [("interrupted",), ("ok",)]
    resumed = [q for _, _, path, q in fixture_server.requests[already:] if path == "/oai"]
    assert resumed[0] == {"verb": "ListRecords", "resumptionToken": token}  # page 5 first, not page 1
    assert len(resumed) == 6
    assert "metadataPrefix" not in str(resumed)
    assert "arxiv-oai: 600 new, 0 updated, 0 unchanged" in result.stdout
    expected = fixture_server.oai_identifiers("oai_dc")
    assert stored_ids(child_db, data_dir) == sorted(expected)
    assert child_db(data_dir, "SELECT count(*), count(DISTINCT arxiv_id) FROM papers_paper") == [(1000, 1000)]
    assert checkpoint(child_db, data_dir) == [("", 900, 1000, 10, 1000, 1)]

    # A finished harvest is not fetched again by --resume.
    already = len(fixture_server.requests)
    done = run_cli(data_dir, *HARVEST, "--resume", **ingest_env)
    assert done.returncode == 0, done.stderr
    assert fixture_server.requests[already:] == []
    assert "0 new, 0 updated, 0 unchanged" in done.stdout


def test_resume_with_an_expired_token_restarts_from_the_first_page(fixture_server, ingest_env, child_db, data_dir):
    _kill_during_page_5(fixture_server, ingest_env, data_dir)
    ((token, *_),) = checkpoint(child_db, data_dir)
    fixture_server.expire_tokens()

    already = len(fixture_server.requests)
    result = run_cli(data_dir, *HARVEST, "--resume", **ingest_env)
    assert result.returncode == 0, result.stderr
    resumed = [q for _, _, path, q in fixture_server.requests[already:] if path == "/oai"]
    assert resumed[0] == {"verb": "ListRecords", "resumptionToken": token}
    assert resumed[1] == {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "cs"}
    assert len(resumed) == 11
    assert "arxiv-oai: 600 new, 0 updated, 400 unchanged" in result.stdout
    assert child_db(data_dir, "SELECT count(*), count(DISTINCT arxiv_id) FROM papers_paper") == [(1000, 1000)]
    assert stored_ids(child_db, data_dir) == sorted(fixture_server.oai_identifiers("oai_dc"))
    assert checkpoint(child_db, data_dir) == [("", 900, 1000, 10, 1000, 1)]


def test_no_records_match_is_an_empty_successful_harvest(fixture_server, ingest_env, child_db, data_dir):
    result = run_cli(data_dir, *HARVEST, "--from", "2031-01-01", **ingest_env)
    assert result.returncode == 0, result.stderr
    assert "arxiv-oai: 0 new, 0 updated, 0 unchanged, 0 quarantined, 0 deleted" in result.stdout
    assert oai_requests(fixture_server) == [
        {"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "cs", "from": "2031-01-01"}
    ]
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper") == [(0,)]
    assert child_db(data_dir, "SELECT count(*) FROM sources_ingestproblem") == [(0,)]
    assert checkpoint(child_db, data_dir) == [("", None, None, 1, 0, 1)]


def _page_body(server, page: int) -> bytes:
    """The real body of page `page` (0-based) of an oai_dc harvest, fetched from the server."""
    response = httpx.get(f"{server.url}/oai", params={"verb": "ListRecords", "metadataPrefix": "oai_dc", "set": "cs"})
    for _ in range(page):
        token = response.text.split("<resumptionToken", 1)[1].split(">", 1)[1].split("<", 1)[0]
        response = httpx.get(f"{server.url}/oai", params={"verb": "ListRecords", "resumptionToken": token})
    assert response.status_code == 200
    return response.content


def test_a_malformed_page_fails_the_run_without_advancing_and_resume_completes(
    fixture_server, ingest_env, child_db, data_dir
):
    # DERIVED: the real third page cut in the middle of a record (truncated XML).
    body = _page_body(fixture_server, 2)
    cut = body[: body.index(b"<record>", len(body) // 2) + 200]
    fixture_server.reset()
    fixture_server.stall_next(0, times=2)  # pages 1 and 2 answered normally...
    fixture_server.malformed_next(cut, times=2)  # ...page 3 cut off, and cut off again when re-fetched

    result = run_cli(data_dir, *HARVEST, **ingest_env)
    assert result.returncode == 1
    assert "arxiv-oai: the source failed: OAI-PMH sent an unreadable page; run again with --resume" in result.stderr
    assert len(oai_requests(fixture_server)) == 4
    ((token, cursor, _, pages, records, finished),) = checkpoint(child_db, data_dir)
    assert (cursor, pages, records, finished) == (100, 2, 200, 0)  # page 3 not counted
    assert token.startswith("page-2-")
    problems = child_db(data_dir, "SELECT source, location, reason FROM sources_ingestproblem")
    assert len(problems) == 1
    source, location, reason = problems[0]
    assert source == "arxiv-oai"
    assert location.startswith(f"{fixture_server.url}/oai?")
    assert reason  # the parser's account of where the XML broke
    # What could be read of page 3 before the cut is kept (storing it again later changes nothing).
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper") == [(200 + cut.count(b"</record>"),)]
    assert child_db(data_dir, "SELECT status FROM sources_ingestrun") == [("failed",)]

    already = len(fixture_server.requests)
    resumed = run_cli(data_dir, *HARVEST, "--resume", **ingest_env)
    assert resumed.returncode == 0, resumed.stderr
    first = [q for _, _, path, q in fixture_server.requests[already:] if path == "/oai"][0]
    assert first == {"verb": "ListRecords", "resumptionToken": token}
    assert child_db(data_dir, "SELECT count(*), count(DISTINCT arxiv_id) FROM papers_paper") == [(1000, 1000)]
    assert checkpoint(child_db, data_dir) == [("", 900, 1000, 10, 1000, 1)]


def test_a_page_malformed_once_is_fetched_again_and_the_harvest_completes(
    fixture_server, ingest_env, child_db, data_dir
):
    fixture_server.oai_page_size = 250
    body = _page_body(fixture_server, 1)
    fixture_server.reset()
    fixture_server.oai_page_size = 250
    fixture_server.stall_next(0)
    fixture_server.malformed_next(body[: len(body) // 2])

    result = run_cli(data_dir, *HARVEST, **ingest_env)
    assert result.returncode == 0, result.stderr
    assert len(oai_requests(fixture_server)) == 5  # four pages, the second twice
    assert "arxiv-oai: 1,000 new, 0 updated, 0 unchanged, 0 quarantined" in result.stdout
    assert child_db(data_dir, "SELECT count(*) FROM sources_ingestproblem") == [(0,)]
    assert checkpoint(child_db, data_dir) == [("", 750, 1000, 4, 1000, 1)]
