"""The bundled sample: what the build script makes of the fixtures, and what load_sample stores."""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from paperfeed.papers.record import PaperRecord, VersionRecord
from paperfeed.papers.record_merge import merge_records
from paperfeed.sample import HF_FILE, SAMPLE_DIR, SEED_FILE, SNAPSHOT_FILE, UNLISTED_FILE, SampleSummary, load_sample
from paperfeed.sources.formats.snapshot import iter_snapshot

REPO = Path(__file__).resolve().parents[2]
SAMPLE_FILES = (SNAPSHOT_FILE, UNLISTED_FILE, SEED_FILE, HF_FILE)

UNLISTED = 105  # papers only the recorded arXiv API answers hold: stored, on no list
PAPERS = 2112 + 79  # arXiv papers + seed/HF papers not among them (2410.18693 is in both)
ENTRIES = 2112 - UNLISTED + 51 + 29  # each listed arXiv paper on its v1 day, seed and HF items on theirs


def test_sample_files_are_bundled_and_small():
    sizes = {name: (SAMPLE_DIR / name).stat().st_size for name in SAMPLE_FILES}
    assert sum(sizes.values()) < 3_000_000
    for name, count in ((SNAPSHOT_FILE, 2112 - UNLISTED), (UNLISTED_FILE, UNLISTED)):
        lines = gzip.decompress((SAMPLE_DIR / name).read_bytes()).decode().splitlines()
        assert len(lines) == count
        ids = [line[len('{"id":"') : line.index('",')] for line in lines]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_build_script_reproduces_the_bundled_sample(fixtures, seed_file, tmp_path):
    """Same bytes on every run, and the bundled files are the current parsers' output."""
    for out in (tmp_path / "a", tmp_path / "b"):
        done = subprocess.run(
            [sys.executable, str(REPO / "scripts" / "build_sample.py"),
             "--fixtures", str(fixtures), "--seed", str(seed_file), "--out", str(out)],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    assert "problems: 3" in done.stdout
    assert "papers written after merging by id: 2112" in done.stdout
    assert f"of them, not listed (only in arXiv API responses): {UNLISTED}" in done.stdout
    for name in SAMPLE_FILES:
        built = (tmp_path / "a" / name).read_bytes()
        assert built == (tmp_path / "b" / name).read_bytes(), name
        assert built == (SAMPLE_DIR / name).read_bytes(), f"{name} is stale: run scripts/build_sample.py"


def test_the_bundled_hugging_face_list_is_the_recorded_answer_byte_for_byte(fixtures):
    """Not a parse of it: the raw answer, so that every field it has reaches the database."""
    bundled = gzip.decompress((SAMPLE_DIR / "hf-daily-2024-10-25.json.gz").read_bytes())
    assert bundled == (fixtures / "hf" / "daily_papers_2024-10-25.json").read_bytes()


def test_seed_copy_drops_only_the_research_notes():
    first = gzip.decompress((SAMPLE_DIR / SEED_FILE).read_bytes()).decode().splitlines()[0]
    assert '"rank": 1' in first and "arxiv_id_source" not in first


def test_merged_paper_takes_the_latest_and_fills_in():
    when = datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    oai = PaperRecord(
        "0704.0001", "T", authors=["A"], versions=[VersionRecord(1, datetime(2007, 4, 2, tzinfo=UTC))],
        published=datetime(2007, 4, 2, tzinfo=UTC), license="http://l", latest_version=1,
    )  # fmt: skip
    abs_file = PaperRecord(
        "0704.0001", "Title", authors=["A", "B"], latest_version=2, published=when,
        versions=[VersionRecord(1, when, "443kb"), VersionRecord(2, datetime(2007, 7, 24, tzinfo=UTC), "370kb")],
    )  # fmt: skip
    merged = merge_records([oai, abs_file])
    assert merged.title == "Title" and merged.authors == ["A", "B"]
    assert merged.license == "http://l"  # filled from the older record
    assert [(v.number, v.size) for v in merged.versions] == [(1, "443kb"), (2, "370kb")]
    assert merged.published == when
    assert merged.latest_version == 2


# -- loading into the database -----------------------------------------------------------------


def _empty_database():
    """Start from nothing inside this test's transaction (another fixture may have loaded the
    sample for the whole session; the rollback at the end of the test restores it)."""
    from paperfeed.papers.models import DailyEntry, Paper
    from paperfeed.sources.models import IngestProblem

    DailyEntry.objects.all().delete()
    Paper.objects.all().delete()
    IngestProblem.objects.filter(source="sample").delete()


def _state():
    from paperfeed.papers.models import DailyEntry, Paper, PaperAuthor, PaperVersion

    return (
        list(Paper.objects.order_by("arxiv_id").values()),
        list(DailyEntry.objects.order_by("date", "paper_id").values()),
        PaperAuthor.objects.count(),
        PaperVersion.objects.count(),
    )


@pytest.mark.django_db
def test_load_sample_stores_everything_once_and_is_idempotent():
    from paperfeed.papers.models import DailyEntry, Paper

    _empty_database()
    calls = []
    first = load_sample(progress=lambda done, total, label: calls.append((done, total, label)))
    assert first == SampleSummary(created=PAPERS, updated=0, unchanged=0, daily_entries=ENTRIES, problems=0)
    assert Paper.objects.count() == PAPERS
    assert DailyEntry.objects.count() == ENTRIES
    assert calls[0] == (500, PAPERS, "papers")
    assert (PAPERS, PAPERS, "papers") in calls and calls[-1] == (ENTRIES, ENTRIES, "daily lists")

    before = _state()
    second = load_sample()
    assert second == SampleSummary(created=0, updated=0, unchanged=PAPERS, daily_entries=0, problems=0)
    assert _state() == before


@pytest.mark.django_db
def test_loaded_papers_and_their_daily_lists():
    from paperfeed.papers.models import DailyEntry, Paper

    _empty_database()
    load_sample()

    swan = Paper.objects.get(arxiv_id="2412.13148")
    assert swan.title == "SWAN: SGD with Normalization and Whitening Enables Stateless LLM Training"
    assert swan.num_authors == 4 and swan.authors_text == ""
    (entry,) = DailyEntry.objects.filter(paper=swan)
    assert entry.date == date(2024, 12, 17) and entry.upvotes == 0

    top = DailyEntry.objects.get(paper__arxiv_id="2410.17243")
    assert (top.date, top.upvotes, top.submitted_by) == (date(2024, 10, 25), 64, "ClownRat")
    assert top.paper.num_authors == 9 and top.paper.authors_text.startswith("Zesen Cheng, Hang Zhang")
    # Kept as Hugging Face gave it (docs/operations.md, "What an import from Hugging Face keeps").
    assert top.listed_at == datetime(2024, 10, 25, 0, 57, 9, 392000, tzinfo=UTC)
    assert (top.submitter_profile["fullname"], top.paper.source_comments, len(top.media_urls)) == ("Zesen Cheng", 3, 3)
    assert [a["name"] for a in top.paper.source_authors if "user" in a] == ["Zesen Cheng", "Zhiqiang Hu", "Lidong Bing"]

    meta = DailyEntry.objects.get(paper__arxiv_id="2510.13786")
    assert (meta.organization.slug, meta.organization.name, meta.upvotes) == ("facebook", "AI at Meta", 2)

    # In the seed (listed 2024-10-24) and on Hugging Face's list of the 25th: two days, one paper.
    both = DailyEntry.objects.filter(paper__arxiv_id="2410.18693").order_by("date")
    assert [(e.date, e.upvotes) for e in both] == [(date(2024, 10, 24), 3), (date(2024, 10, 25), 35)]
    assert both[0].paper.num_authors == 6 and both[0].paper.authors_text.startswith("Yuyang Ding")

    old = Paper.objects.get(arxiv_id="0704.0001")
    assert old.authors_text == "C. Balázs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan"
    assert old.latest_version == 2 and old.versions.count() == 2
    assert old.primary_category.code == "hep-ph"
    assert old.published == datetime(2007, 4, 2, 19, 18, 42, tzinfo=UTC)
    (listed,) = DailyEntry.objects.filter(paper=old)
    assert (listed.date, listed.upvotes) == (date(2007, 4, 2), 0)

    # Met only in an arXiv API answer: stored, on no list, so it can be submitted.
    fetched = Paper.objects.get(arxiv_id="2412.18843")
    assert fetched.title.startswith("Improving the Readability") and not fetched.daily_entries.exists()
    assert Paper.objects.filter(daily_entries__isnull=True).count() == UNLISTED

    undated = DailyEntry.objects.get(paper__arxiv_id="2510.01304")
    assert undated.date == date(2025, 10, 1) and undated.paper.published is None


@pytest.mark.django_db
def test_problems_in_sample_files_are_kept_once(tmp_path):
    from paperfeed.sources.models import IngestProblem

    _empty_database()
    for name in SAMPLE_FILES:
        shutil.copy(SAMPLE_DIR / name, tmp_path / name)
    lines = gzip.decompress((tmp_path / SNAPSHOT_FILE).read_bytes()).decode().splitlines()[:3]
    lines.insert(1, '{"id": "0704.0001", "title": "cut')  # a broken line, derived here
    (tmp_path / SNAPSHOT_FILE).write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))

    for _ in range(2):
        summary = load_sample(directory=tmp_path)
        assert summary.problems == 1
        (problem,) = IngestProblem.objects.filter(source="sample")
        assert problem.location == f"{SNAPSHOT_FILE}:2"
        assert problem.reason.startswith("malformed JSON")
        assert problem.raw.startswith('{"id": "0704.0001"')
    assert len(list(iter_snapshot(tmp_path / SNAPSHOT_FILE))) == 4
