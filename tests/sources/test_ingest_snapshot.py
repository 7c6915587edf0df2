"""`paperfeed ingest snapshot` as a real child process, on the REAL first 200 snapshot lines plus
hostile lines DERIVED from them in the test (malformed JSON, no id, a 100 kB title, markup in a
title, a lone surrogate and control characters in a title), plain, gzipped, and gzipped-then-cut."""

from __future__ import annotations

import gzip
import json
import zlib

import pytest

from tests.helpers import run_cli

from .fixture_server import FIXTURES
from .hostile import HUGE_TITLE

HEAD200 = FIXTURES / "arxiv-bulk" / "arxiv-metadata-oai-snapshot.head200.json"
MARKUP_TITLE = '<script>alert("pwned")</script><img src=x onerror=alert(1)> &amp; <b>Bold</b> & "quoted"'
QUARANTINED = 3  # the documented exit status of a run that finished but quarantined records


def real_lines() -> list[str]:
    lines = HEAD200.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 200
    return lines


def hostile_file(path):
    """The 200 real lines, then: malformed JSON (201), no id (202), a 100 kB title (203), markup (204),
    a lone surrogate (as the JSON escape \\ud800) and control characters in a title (205)."""
    lines = real_lines()
    no_id = json.loads(lines[0])
    del no_id["id"]
    huge = {**json.loads(lines[1]), "id": "0704.9002", "title": HUGE_TITLE}
    markup = {**json.loads(lines[2]), "id": "0704.9003", "title": MARKUP_TITLE}
    surrogate = {**json.loads(lines[4]), "id": "0704.9005", "title": "Surrogate \ud800 here\x00\x1b"}
    cut = lines[3][: len(lines[3]) // 2]
    lines += [cut, json.dumps(no_id), json.dumps(huge), json.dumps(markup), json.dumps(surrogate)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def dump(child_db, data_dir) -> list[list[tuple]]:
    """Papers, versions, authors and categories by arXiv id (not by row id or timestamp)."""
    return [
        child_db(
            data_dir,
            "SELECT arxiv_id, title, abstract, authors_text, num_authors, published, updated, latest_version, comments,"
            " journal_ref, doi, report_no, license, submitter, withdrawn FROM papers_paper ORDER BY arxiv_id",
        ),
        child_db(
            data_dir,
            "SELECT p.arxiv_id, v.number, v.created, v.size FROM papers_paperversion v"
            " JOIN papers_paper p ON p.id = v.paper_id ORDER BY p.arxiv_id, v.number",
        ),
        child_db(
            data_dir,
            "SELECT p.arxiv_id, pa.position, a.name FROM papers_paperauthor pa JOIN papers_paper p ON p.id = pa.paper_id"
            " JOIN papers_author a ON a.id = pa.author_id ORDER BY p.arxiv_id, pa.position",
        ),
        child_db(
            data_dir,
            "SELECT p.arxiv_id, c.code FROM papers_papercategory pc JOIN papers_paper p ON p.id = pc.paper_id"
            " JOIN papers_category c ON c.id = pc.category_id ORDER BY p.arxiv_id, c.code",
        ),
    ]


def problems(child_db, data_dir) -> list[tuple]:
    return child_db(data_dir, "SELECT source, location, reason FROM sources_ingestproblem ORDER BY location")


@pytest.fixture
def other_data_dir(_migrated_data_template, tmp_path):
    import shutil

    target = tmp_path / "other-data"
    shutil.copytree(_migrated_data_template, target)
    return target


def test_hostile_lines_are_quarantined_and_the_rest_stored(child_db, data_dir, other_data_dir, tmp_path):
    source = hostile_file(tmp_path / "hostile.jsonl")
    result = run_cli(data_dir, "ingest", "snapshot", str(source), "--workers", "0")
    assert result.returncode == QUARANTINED, result.stderr
    assert result.stdout.strip() == "snapshot: 202 new, 0 updated, 0 unchanged, 3 quarantined, 0 deleted, 0 newly listed"
    assert result.stderr.strip().endswith("snapshot: 3 record(s) quarantined; `paperfeed status` lists them")

    ids = [arxiv_id for (arxiv_id,) in child_db(data_dir, "SELECT arxiv_id FROM papers_paper ORDER BY arxiv_id")]
    assert ids == sorted([json.loads(line)["id"] for line in real_lines()] + ["0704.9003", "0704.9005"])
    assert child_db(data_dir, "SELECT title FROM papers_paper WHERE arxiv_id = '0704.9005'") == [("Surrogate \ufffd here",)]
    # Markup in a title is text: stored exactly as received, nothing stripped or interpreted.
    assert child_db(data_dir, "SELECT title FROM papers_paper WHERE arxiv_id = '0704.9003'") == [(MARKUP_TITLE,)]
    assert child_db(data_dir, "SELECT count(*) FROM papers_paper WHERE arxiv_id = '0704.9002'") == [(0,)]

    found = problems(child_db, data_dir)
    assert [(s, loc) for s, loc, _ in found] == [
        ("snapshot", "hostile.jsonl:201"), ("snapshot", "hostile.jsonl:202"), ("snapshot", "hostile.jsonl:203 (0704.9002)")
    ]
    reasons = [reason for _, _, reason in found]
    assert reasons[0].startswith("malformed JSON:")
    assert reasons[1] == "record has no id"
    assert reasons[2] == "title is 100,000 characters long (limit 1,000)"
    raw = child_db(data_dir, "SELECT length(raw) FROM sources_ingestproblem WHERE location = 'hostile.jsonl:203 (0704.9002)'")
    assert raw == [(64 * 1024,)]  # the hostile payload is kept, capped
    assert child_db(data_dir, "SELECT status, new, quarantined FROM sources_ingestrun") == [("ok", 202, 3)]

    # The same file parsed by a worker process gives the same database.
    parallel = run_cli(other_data_dir, "ingest", "snapshot", str(source), "--workers", "1")
    assert parallel.returncode == QUARANTINED, parallel.stderr
    assert parallel.stdout.strip() == result.stdout.strip()
    assert dump(child_db, other_data_dir) == dump(child_db, data_dir)
    assert problems(child_db, other_data_dir) == found

    # Again: nothing new, the bad lines are reported again.
    again = run_cli(data_dir, "ingest", "snapshot", str(source), "--workers", "0")
    assert again.returncode == QUARANTINED, again.stderr
    assert again.stdout.strip() == "snapshot: 0 new, 0 updated, 202 unchanged, 3 quarantined, 0 deleted, 0 newly listed"


def test_gzipped_snapshot_gives_the_same_papers(child_db, data_dir, other_data_dir, tmp_path):
    plain = hostile_file(tmp_path / "hostile.jsonl")
    packed = tmp_path / "hostile.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    first = run_cli(data_dir, "ingest", "snapshot", str(plain), "--workers", "0")
    second = run_cli(other_data_dir, "ingest", "snapshot", str(packed), "--workers", "0")
    assert (first.returncode, second.returncode) == (QUARANTINED, QUARANTINED), (first.stderr, second.stderr)
    assert second.stdout.strip() == first.stdout.strip()
    assert dump(child_db, other_data_dir) == dump(child_db, data_dir)
    assert [loc for _, loc, _ in problems(child_db, other_data_dir)] == [
        "hostile.jsonl.gz:201", "hostile.jsonl.gz:202", "hostile.jsonl.gz:203 (0704.9002)"
    ]


@pytest.mark.parametrize("workers", ["0", "1"])
def test_truncated_gzip_fails_the_run_and_keeps_what_precedes_the_cut(child_db, data_dir, tmp_path, workers):
    packed = gzip.compress(HEAD200.read_bytes())
    cut = packed[: int(len(packed) * 0.6)]
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(cut)
    readable = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(cut)
    complete = readable.count(b"\n")
    assert 50 < complete < 200

    result = run_cli(data_dir, "ingest", "snapshot", str(path), "--workers", workers)
    assert result.returncode == 1, result.stderr
    reason = (
        f"cut.jsonl.gz cannot be read after line {complete} "
        "(Compressed file ended before the end-of-stream marker was reached): is the file complete?"
    )
    assert result.stderr.strip().splitlines()[-1] == f"snapshot: the source failed: {reason}"
    assert result.stdout.strip().startswith(
        f"snapshot: {complete} new, 0 updated, 0 unchanged, 0 quarantined, 0 deleted, 0 newly listed (run "
    )
    # The lines before the cut are whole records: kept. The rest of the file is missing: a failure.
    expected = sorted(json.loads(line)["id"] for line in real_lines()[:complete])
    assert [i for (i,) in child_db(data_dir, "SELECT arxiv_id FROM papers_paper ORDER BY arxiv_id")] == expected
    assert child_db(data_dir, "SELECT status, new, message FROM sources_ingestrun") == [("failed", complete, reason)]
    assert problems(child_db, data_dir) == []
