"""The one place source text becomes valid Unicode (sources/normalize.py), how a payload is kept
for the quarantine, and other values no database would take: strings DERIVED in the test from
the hostile inputs the attack used."""

from __future__ import annotations

from paperfeed.sources.formats import RAW_LIMIT, Problem, make_problem
from paperfeed.sources.formats.hf_daily import parse_hf_daily
from paperfeed.sources.formats.snapshot import parse_snapshot_line
from paperfeed.sources.normalize import (
    build_record,
    clean_abstract,
    clean_label,
    clean_text,
    escaped_raw,
    valid_text,
)


def storable(text: str) -> bool:
    """What both databases accept: encodable as UTF-8 (SQLite) and without NUL (PostgreSQL)."""
    text.encode("utf-8")
    return "\x00" not in text


def test_lone_surrogates_become_the_replacement_character():
    assert clean_text("Surrogate \ud800 here") == "Surrogate \ufffd here"
    assert clean_text("\udc80\udfff") == "\ufffd\ufffd"
    assert clean_abstract("a \ud800b\n\n c") == "a \ufffdb\n\nc"
    assert valid_text("x\ud800") == "x\ufffd"
    # A proper pair is a character, not two surrogates: what json.loads makes of "\ud83d\ude00".
    assert clean_text("smile \U0001f600") == "smile \U0001f600"


def test_control_characters_are_removed_but_tab_and_line_breaks_are_white_space():
    assert clean_text("a\x00b\x01c\x07d\x1be\x7ff\x85g\x9fh") == "abcdefgh"
    assert clean_text("a\tb\nc\r\nd") == "a b c d"
    assert clean_abstract("one\x00\r\ntwo\x0b\n\nthree\x1c") == "one two\n\nthree"
    assert valid_text("keep\tthe\nlines\r\x00") == "keep\tthe\nlines\r"


def test_labels_are_cleaned_and_cut_not_refused():
    assert clean_label("nul\x00user\udc80", 150) == "nuluser\ufffd"
    assert clean_label("  Org \ud800  Name ", 200) == "Org \ufffd Name"
    assert clean_label("x" * 10_000, 150) == "x" * 150
    assert clean_label(None, 10) == ""


def test_a_raw_payload_is_kept_with_escapes_for_what_no_database_stores():
    assert escaped_raw(b'{"title": "caf\xc3\xa9 \xff\xfe"}') == '{"title": "café \\xff\\xfe"}'
    assert escaped_raw('{"title": "\ud800 and \x00"}') == '{"title": "\\ud800 and \\x00"}'
    assert escaped_raw(b"nul\x00byte") == "nul\\x00byte"
    assert escaped_raw("plain ascii and é") == "plain ascii and é"


def test_a_problem_is_always_storable():
    problem = make_problem("file:1 (\ud800)", "bad \x00 reason", b"\xff\x00" + b"A" * (RAW_LIMIT * 5))
    assert all(storable(text) for text in (problem.location, problem.reason, problem.raw))
    assert problem.location == "file:1 (\ufffd)"
    assert problem.raw.startswith("\\xff\\x00AAA") and len(problem.raw) == RAW_LIMIT


def test_a_link_longer_than_its_column_is_left_out_not_stored_cut_or_refused():
    # PostgreSQL refuses 501 characters in a varchar(500) column; SQLite would store them.
    long_repo = "https://github.com/owner/" + "r" * 600
    record = build_record(
        arxiv_id="2501.00001", title="T", abstract=f"Code: {long_repo} and the page: https://x.github.io/" + "p" * 600
    )
    assert (record.github_repo, record.project_page) == ("", "")
    fine = build_record(arxiv_id="2501.00001", title="T", abstract="Code: https://github.com/owner/repo.")
    assert fine.github_repo == "https://github.com/owner/repo"


def test_json_nested_too_deeply_is_one_malformed_line_not_a_crash():
    problem = parse_snapshot_line(b"[" * 100_000 + b"\n", "deep.jsonl:7")
    assert isinstance(problem, Problem)
    assert (problem.location, problem.reason) == ("deep.jsonl:7", "malformed JSON: nested too deeply")
    (item,) = parse_hf_daily(b"[" * 100_000)
    assert isinstance(item, Problem) and item.reason.startswith("malformed JSON: maximum recursion depth")
