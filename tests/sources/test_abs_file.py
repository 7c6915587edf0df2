"""The .abs parser, on arXiv's own 1,001 files of April 2007 and on broken variants of them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from paperfeed.papers.record import PaperRecord
from paperfeed.sources.formats import Problem
from paperfeed.sources.formats.abs_file import iter_abs_files, parse_abs

from .hostile import HUGE_TITLE


@pytest.fixture(scope="module")
def abs_dir(fixtures):
    return fixtures / "arxiv-bulk" / "arxiv-browse" / "arxiv" / "papers" / "0704"


@pytest.fixture(scope="module")
def records(abs_dir):
    results = list(iter_abs_files(sorted(abs_dir.glob("*.abs"))))
    return results


def _by_id(records):
    return {r.arxiv_id: r for r in records}


def test_every_file_is_read(records):
    assert len(records) == 1001
    assert all(isinstance(r, PaperRecord) for r in records), [r for r in records if isinstance(r, Problem)][:3]
    assert records[0].arxiv_id == "0704.0001" and records[-1].arxiv_id == "0704.1001"


def test_first_file_exactly(records):
    r = _by_id(records)["0704.0001"]
    # The title wraps onto an indented line; the byline's TeX accent becomes Unicode.
    assert r.title == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    assert r.authors == ["C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan"]
    assert r.submitter == "Pavel Nadolsky"  # the (obfuscated) address is dropped
    assert r.categories == ["hep-ph"]
    assert [(v.number, v.created, v.size) for v in r.versions] == [
        (1, datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC), "443kb"),
        (2, datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC), "370kb"),
    ]
    assert r.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    assert r.updated == datetime(2007, 7, 24, 20, 10, 27, tzinfo=UTC)
    assert r.latest_version == 2
    assert r.comments == "37 pages, 15 figures; published version"
    assert r.report_no == "ANL-HEP-PR-07-12"
    assert r.journal_ref == "Phys.Rev.D76:013009,2007"
    assert r.doi == "10.1103/PhysRevD.76.013009"
    assert r.abstract.startswith("A fully differential calculation")
    assert r.abstract.endswith("can be obtained with judicious selection of events.")
    assert "\n" not in r.abstract


def test_size_keeps_the_size_not_the_source_flags(records):
    r = _by_id(records)["0704.0002"]
    assert [v.size for v in r.versions] == ["377kb", "136kb"]  # the files say "(377kb,D)"
    assert r.categories == ["math.CO", "cs.CG"]
    assert r.license == "http://arxiv.org/licenses/nonexclusive-distrib/1.0/"
    assert r.authors == ["Ileana Streinu", "Louis Theran"]


def test_eight_versions_and_wrapped_comments(records):
    r = _by_id(records)["0704.0389"]
    assert [v.number for v in r.versions] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert r.versions[-1].created == datetime(2011, 7, 22, 17, 35, 59, tzinfo=UTC)
    assert r.latest_version == 8
    assert r.title == (
        "Evolution of the Carter constant for inspirals into a black hole: effect of the black hole quadrupole"
    )
    assert r.authors == ["Eanna E. Flanagan", "Tanja Hinderer"]
    assert r.comments.startswith("Typos found in sec. III, this version has the corrected expressions. An erratum")
    assert r.comments.endswith("Erratum-ibid.D82:069904,2010; Erratum-ibid.D82:129903,2010")


def test_version_counts_across_the_files(records):
    counts = {}
    for r in records:
        counts[len(r.versions)] = counts.get(len(r.versions), 0) + 1
    assert counts == {1: 615, 2: 259, 3: 87, 4: 29, 5: 8, 6: 2, 8: 1}


def test_an_id_in_the_abstract_is_not_the_id(records):
    r = _by_id(records)["0704.0034"]  # its abstract starts "... the paper arXiv:q-bio/0701050"
    assert r.categories == ["q-bio.PE", "q-bio.CB", "quant-ph"]
    assert r.abstract.startswith("This is a supplement to the paper arXiv:q-bio/0701050")


# -- broken variants of a real file ----------------------------------------------------------


@pytest.fixture()
def first_file(abs_dir):
    return (abs_dir / "0704.0001.abs").read_text()


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda text: text.replace("arXiv:0704.0001\n", ""), "no arXiv: or Paper: line"),
        (lambda text: text.replace("arXiv:0704.0001", "arXiv:0704.00x1"), "malformed arXiv id"),
        (lambda text: text[: text.index("Title:")], "no \\\\-delimited header block"),  # truncated
        (lambda text: "", "no \\\\-delimited header block"),
        (lambda text: text.replace("Title: Calculation", f"Title: {HUGE_TITLE}"), "title is 100,"),
        (lambda text: text.replace("Categories: hep-ph", "!!! hep-ph"), "unreadable header line"),
        (lambda text: text.replace("Mon, 2 Apr 2007 19:18:42 GMT", "sometime in spring"), "unreadable date"),
    ],
)
def test_a_broken_file_becomes_a_problem(first_file, edit, reason):
    result = parse_abs(edit(first_file), "0704.0001.abs")
    assert isinstance(result, Problem)
    assert reason in result.reason
    assert result.location.startswith("0704.0001.abs")


def test_a_file_cut_in_the_abstract_keeps_what_it_has(first_file):
    cut = first_file[: first_file.index("Good agreement")]
    result = parse_abs(cut, "cut.abs")
    assert isinstance(result, PaperRecord)
    assert result.abstract.endswith("in which the calculation is most reliable.")


def test_an_unreadable_path_is_a_problem(tmp_path):
    results = list(iter_abs_files([tmp_path / "missing.abs"]))
    assert len(results) == 1 and isinstance(results[0], Problem)
    assert "cannot read" in results[0].reason


def test_old_style_paper_line():
    text = (
        "----\n\\\\\nPaper: hep-th/9901001\nFrom: A. Person <x@y>\n"
        "Date: Fri, 1 Jan 1999 10:00:00 GMT   (12kb)\n\nTitle: An old paper\nAuthors: A. Person\n"
        "Categories: hep-th\n\\\\\n  Old abstract.\n\\\\\n"
    )  # constructed in the style of the old-style .abs files
    r = parse_abs(text, "9901001.abs")
    assert r.arxiv_id == "hep-th/9901001"
    assert r.versions[0].size == "12kb"
