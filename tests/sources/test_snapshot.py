"""The arXiv snapshot parser, on the real first 200 lines and on broken variants of them."""

from __future__ import annotations

import gzip
import io
import json
import os
from datetime import UTC, datetime

import pytest

from paperfeed.sources.formats import Problem, UnreadableInput
from paperfeed.sources.formats import snapshot as snapshot_module
from paperfeed.sources.formats.snapshot import (
    iter_snapshot,
    iter_snapshot_parallel,
    parse_snapshot_line,
    record_to_snapshot,
)
from paperfeed.papers.record import PaperRecord

from .hostile import HUGE_TITLE


@pytest.fixture(scope="module")
def head200(fixtures):
    return fixtures / "arxiv-bulk" / "arxiv-metadata-oai-snapshot.head200.json"


@pytest.fixture(scope="module")
def records(head200):
    return {r.arxiv_id: r for r in iter_snapshot(head200)}


def test_all_200_lines_are_read(head200, records):
    results = list(iter_snapshot(head200))
    assert len(results) == 200
    assert all(isinstance(r, PaperRecord) for r in results)
    assert [r.arxiv_id for r in results][:3] == ["0704.0001", "0704.0002", "0704.0003"]
    assert results[-1].arxiv_id == "0704.0200"


def test_first_paper_exactly(records):
    r = records["0704.0001"]
    assert r.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    # authors_parsed wins over the byline; it spells the fourth name "C. -P." as arXiv parsed it.
    assert r.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert r.categories == ["hep-ph"]
    assert [(v.number, v.created) for v in r.versions] == [
        (1, datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)),
        (2, datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)),
    ]
    assert r.latest_version == 2
    assert r.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert r.updated == datetime(2008, 11, 26, tzinfo=UTC)  # update_date is after v2
    assert r.submitter == "Pavel Nadolsky"
    assert r.comments == "37 pages, 15 figures; published version"
    assert r.journal_ref == "Phys.Rev.D76:013009,2007"
    assert r.doi == "10.1103/PhysRevD.76.013009"
    assert r.report_no == "ANL-HEP-PR-07-12"
    assert r.license == ""
    assert r.abstract.startswith("A fully differential calculation in perturbative quantum chromodynamics is presented")
    assert r.abstract.endswith("with judicious selection of events.")


def test_categories_licence_and_names(records):
    assert records["0704.0002"].categories == ["math.CO", "cs.CG"]
    assert records["0704.0002"].license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert records["0704.0002"].authors == ["Ileana Streinu", "Louis Theran"]
    # [last, first, suffix] → "First Last Suffix"
    assert "Neal J. Evans II" in records["0704.0009"].authors
    # A collaboration has no first name; a fourth element (the affiliation) is not a name.
    assert records["0704.0020"].authors[0] == "The BABAR Collaboration"
    assert records["0704.0044"].authors[:2] == ["A. A. Schekochihin", "S. C. Cowley"]


def test_version_counts_across_the_file(records):
    counts = {}
    for r in records.values():
        counts[len(r.versions)] = counts.get(len(r.versions), 0) + 1
    assert counts == {1: 113, 2: 59, 3: 20, 4: 5, 5: 3}


def test_byline_is_used_when_authors_parsed_is_missing(head200):
    item = json.loads(head200.read_text().splitlines()[0])
    del item["authors_parsed"]
    r = parse_snapshot_line(json.dumps(item), "x:1")
    assert r.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]


def test_gzip_is_read_transparently(head200, tmp_path):
    packed = tmp_path / "snapshot.json.gz"  # the name does not matter, the magic bytes do
    packed.write_bytes(gzip.compress(head200.read_bytes()))
    plain = list(iter_snapshot(head200))
    assert list(iter_snapshot(packed)) == plain
    renamed = tmp_path / "snapshot.json"
    renamed.write_bytes(packed.read_bytes())
    assert list(iter_snapshot(renamed)) == plain


def test_a_stream_can_be_read_and_is_left_open(head200):
    stream = io.BytesIO(head200.read_bytes())
    assert len(list(iter_snapshot(stream, "dump.json"))) == 200
    assert not stream.closed


# -- hostile and malformed lines, derived from the real file --------------------------------


def _variant(head200, tmp_path, edit) -> list:
    lines = head200.read_text().splitlines()[:3]
    lines[1] = edit(lines[1])
    path = tmp_path / "variant.json"
    path.write_text("\n".join(lines) + "\n")
    return list(iter_snapshot(path))


def _set(field, value):
    def edit(line):
        item = json.loads(line)
        item[field] = value
        return json.dumps(item)

    return edit


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda line: line[: len(line) // 2], "malformed JSON"),  # a truncated line
        (_set("id", None), "record has no id"),
        (lambda line: json.dumps({k: v for k, v in json.loads(line).items() if k != "id"}), "record has no id"),
        (_set("id", "not-an-id"), "malformed arXiv id"),
        (_set("title", HUGE_TITLE), "title is 100,000 characters long"),
        (_set("title", ""), "empty title"),
        (_set("versions", "v1"), "versions is not a list"),
        (_set("versions", [{"version": "v1", "created": "yesterday-ish"}]), "unreadable date"),
        (lambda line: "[1, 2, 3]", "expected a JSON object"),
    ],
)
def test_a_bad_line_becomes_a_problem_and_the_rest_is_read(head200, tmp_path, edit, reason):
    results = _variant(head200, tmp_path, edit)
    assert [type(r) for r in results] == [PaperRecord, Problem, PaperRecord]
    problem = results[1]
    assert problem.location.startswith("variant.json:2")
    assert reason in problem.reason
    assert problem.raw  # the payload is kept for the quarantine
    assert len(problem.raw) <= 64 * 1024


def test_blank_lines_are_not_records(tmp_path, head200):
    path = tmp_path / "blank.json"
    first = head200.read_text().splitlines()[0]
    path.write_text(f"\n{first}\n\n   \n")
    results = list(iter_snapshot(path))
    assert [r.arxiv_id for r in results] == ["0704.0001"]


def test_an_overlong_line_is_skipped_without_reading_it_whole(tmp_path, head200, monkeypatch):
    monkeypatch.setattr(snapshot_module, "MAX_LINE", 1000)
    first = head200.read_text().splitlines()[0]  # ~2 kB, so over the lowered limit
    short = json.dumps({**json.loads(first), "abstract": "short", "title": "Short"})
    path = tmp_path / "long.json"
    path.write_text(f"{short}\n{first}\n{short}\n")
    results = list(iter_snapshot(path))
    assert [type(r) for r in results] == [PaperRecord, Problem, PaperRecord]
    assert results[1].location == "long.json:2"
    assert "longer than 1,000 bytes" in results[1].reason
    assert results[1].raw.startswith('{"id":"0704.0001"')  # the start of the line, as text


def test_invalid_utf8_becomes_a_problem_or_a_record_never_an_exception(tmp_path):
    path = tmp_path / "bytes.json"
    path.write_bytes(b'{"id": "0704.0001", "title": "Caf\xe9", "versions": []}\n\xff\xfe{\n')
    results = list(iter_snapshot(path))
    assert results[0].title == "Caf\ufffd"
    assert isinstance(results[1], Problem) and results[1].location == "bytes.json:2"


# -- writing -------------------------------------------------------------------------------


def test_record_to_snapshot_round_trips(records):
    for arxiv_id in ("0704.0001", "0704.0002", "0704.0009", "0704.0044"):
        original = records[arxiv_id]
        line = record_to_snapshot(original)
        assert list(line) == [
            "id", "submitter", "authors", "title", "comments", "journal-ref", "doi", "report-no",
            "categories", "license", "abstract", "versions", "update_date", "authors_parsed",
        ]  # fmt: skip
        again = parse_snapshot_line(json.dumps(line), "round-trip")
        assert again == original


def test_record_to_snapshot_format(records):
    line = record_to_snapshot(records["0704.0001"])
    assert line["versions"] == [
        {"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
        {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"},
    ]
    assert line["authors"] == "C. Balázs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan"
    assert line["authors_parsed"][0] == ["Balázs", "C.", ""]
    assert line["update_date"] == "2008-11-26"
    assert line["license"] is None


def test_a_truncated_gzip_file_gives_its_lines_then_raises(head200, tmp_path):
    """The lines before the cut are good records; the cut itself is no record but a broken
    file, so the parser says so by raising once they are out (the run then fails)."""
    packed = gzip.compress(head200.read_bytes())
    path = tmp_path / "cut.json.gz"
    path.write_bytes(packed[: len(packed) // 2])
    records = []
    with pytest.raises(UnreadableInput) as raised:
        for item in iter_snapshot(path):
            records.append(item)
    assert 50 < len(records) < 200 and all(isinstance(r, PaperRecord) for r in records)
    assert str(raised.value) == (
        f"cut.json.gz cannot be read after line {len(records)} "
        "(Compressed file ended before the end-of-stream marker was reached): is the file complete?"
    )


def test_parser_processes_end_a_cut_file_the_same_way_whatever_its_name(head200, tmp_path):
    """With parser processes the reader runs in a thread: whatever stops it is raised to the
    caller. A file name that is not UTF-8 (a lone surrogate in Python) once made it die
    quietly, and the run ended as if the file had no lines."""
    packed = gzip.compress(head200.read_bytes())
    path = tmp_path / os.fsdecode(b"\xff-cut.json.gz")
    path.write_bytes(packed[: len(packed) // 2])
    records = []
    with pytest.raises(UnreadableInput, match=r"^\\udcff-cut\.json\.gz cannot be read after line (\d+) ") as raised:
        for item in iter_snapshot_parallel(path, workers=1, chunk=40):
            records.append(item)
    assert 50 < len(records) < 200 and all(isinstance(r, PaperRecord) for r in records)
    assert f"after line {len(records)} " in str(raised.value)
