"""Build the bundled demo sample (src/paperfeed/sample/) from the recorded fixtures.

Every arXiv record of the fixtures (.abs files, the snapshot's first 200 lines, the OAI-PMH
pages, the API Atom feeds) goes through the same parsers as a real ingest, is merged per
paper (latest version and most complete first, empty fields filled from the others) and is
written in the arXiv snapshot format, sorted by id and gzipped with no timestamp, so running
this again gives identical bytes. Papers that only the arXiv API responses hold (single-paper
lookups and a search) go to their own file: a real instance stores such papers without
listing them (`paperfeed submit`, `ingest arxiv-api` without --list), so the demo keeps them
off the lists too, and a newcomer can submit them. The seed papers and the Hugging Face daily list
are copied beside it (gzipped; the seed loses only its ``arxiv_id_source`` research notes).

Records that cannot be read are counted and listed, never dropped silently.

    .venv/bin/python scripts/build_sample.py --fixtures ../shared/fixtures \\
        --seed ../shared/seed/seed-papers.jsonl --out src/paperfeed/sample
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

from paperfeed.papers.record import PaperRecord
from paperfeed.papers.record_merge import group_by_id, merge_records
from paperfeed.sample import HF_FILE, SEED_FILE, SNAPSHOT_FILE, UNLISTED_FILE
from paperfeed.sources.formats import Deleted, Problem, make_problem
from paperfeed.sources.formats.abs_file import iter_abs_files
from paperfeed.sources.formats.arxiv_atom import parse_atom
from paperfeed.sources.formats.hf_daily import parse_hf_daily
from paperfeed.sources.formats.oai import OAIError, parse_oai
from paperfeed.sources.formats.seed import iter_seed
from paperfeed.sources.formats.snapshot import iter_snapshot, record_to_snapshot

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
HF_FIXTURE = "hf/daily_papers_2024-10-25.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fixtures", type=Path, default=SHARED / "fixtures", help="default: %(default)s")
    parser.add_argument("--seed", type=Path, default=SHARED / "seed" / "seed-papers.jsonl", help="default: %(default)s")
    parser.add_argument("--out", type=Path, default=REPO / "src" / "paperfeed" / "sample", help="default: %(default)s")
    args = parser.parse_args(argv)
    if not args.fixtures.is_dir() or not args.seed.is_file():
        parser.error(f"fixtures ({args.fixtures}) or seed ({args.seed}) not found")

    records: list[PaperRecord] = []
    problems: list[Problem] = []
    counts: dict[str, Counter] = {}
    listed_ids: set[str] = set()  # papers some listing source (not only the API) holds
    for source, items in _fixture_sources(args.fixtures):
        tally = counts.setdefault(source, Counter())
        for item in items:
            if isinstance(item, PaperRecord):
                records.append(item)
                tally["records"] += 1
                if source != "arxiv-api":
                    listed_ids.add(item.arxiv_id)
            elif isinstance(item, Deleted):
                tally["deleted"] += 1
            else:
                problems.append(item)
                tally["problems"] += 1

    merged = [merge_records(group) for group in group_by_id(records).values()]
    args.out.mkdir(parents=True, exist_ok=True)
    # A paper of the seed or the Hugging Face list is listed there anyway: it stays with the rest.
    hf_ids = {item.record.arxiv_id for item in parse_hf_daily((args.fixtures / HF_FIXTURE).read_bytes(), HF_FIXTURE)
              if not isinstance(item, Problem)}  # fmt: skip
    listed_ids |= _seed_ids(args.seed) | hf_ids
    for name, chosen in (
        (SNAPSHOT_FILE, [r for r in merged if r.arxiv_id in listed_ids]),
        (UNLISTED_FILE, [r for r in merged if r.arxiv_id not in listed_ids]),
    ):
        lines = "".join(json.dumps(record_to_snapshot(r), separators=(",", ":")) + "\n" for r in chosen)
        _write_gz(args.out / name, lines.encode("utf-8"))

    seed_lines = _seed_without_notes(args.seed)
    _write_gz(args.out / SEED_FILE, seed_lines.encode("utf-8"))
    _write_gz(args.out / HF_FILE, (args.fixtures / HF_FIXTURE).read_bytes())
    # The copies are read back through their parsers, so a problem in them shows here too.
    for source, items in (
        ("seed", iter_seed(io.BytesIO(seed_lines.encode("utf-8")), SEED_FILE)),
        ("hf-daily", parse_hf_daily((args.fixtures / HF_FIXTURE).read_bytes(), HF_FIXTURE)),
    ):
        tally = counts.setdefault(source, Counter())
        for item in items:
            if isinstance(item, Problem):
                problems.append(item)
                tally["problems"] += 1
            else:
                tally["records"] += 1

    unlisted = sum(1 for r in merged if r.arxiv_id not in listed_ids)
    _print_summary(counts, len(records), len(merged), unlisted, problems, args.out)
    return 0


def _fixture_sources(fixtures: Path):
    """(source name, iterator of parser results) for every arXiv fixture, in a fixed order."""
    abs_files = sorted(fixtures.glob("arxiv-bulk/arxiv-browse/**/*.abs"))
    yield "abs", iter_abs_files(abs_files)
    yield "snapshot", iter_snapshot(fixtures / "arxiv-bulk" / "arxiv-metadata-oai-snapshot.head200.json")
    yield "oai", (item for path in sorted(fixtures.glob("arxiv-oai/**/*.xml")) for item in _oai(path, fixtures))
    yield "arxiv-api", (
        item
        for path in sorted(fixtures.glob("arxiv-api/*.xml"))
        for item in parse_atom(path.read_bytes(), str(path.relative_to(fixtures))).items
    )


def _oai(path: Path, fixtures: Path):
    location = str(path.relative_to(fixtures))
    try:
        return parse_oai(path.read_bytes(), location).items
    except OAIError as exc:
        return [make_problem(location, f"OAI error {exc}")]


def _seed_ids(path: Path) -> set[str]:
    ids = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            ids.add(str(json.loads(line).get("arxiv_id") or ""))
        except (ValueError, AttributeError):
            pass  # reported when the seed copy is read back
    return ids


def _seed_without_notes(path: Path) -> str:
    """The seed file minus ``arxiv_id_source`` (how each id was found: notes, not data)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                item = json.loads(line)
            except ValueError:
                out.append(line)  # kept as is: the parser reports it when the copy is read
                continue
            item.pop("arxiv_id_source", None)
            out.append(json.dumps(item, ensure_ascii=False))
    return "".join(line + "\n" for line in out)


def _write_gz(path: Path, data: bytes) -> None:
    # mtime=0 and no file name in the header: the same input gives the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(data)


def _print_summary(
    counts: dict[str, Counter], read: int, written: int, unlisted: int, problems: list[Problem], out: Path
) -> None:
    print(f"{'source':<10} {'records':>8} {'deleted':>8} {'problems':>9}")
    for source, tally in counts.items():
        print(f"{source:<10} {tally['records']:>8} {tally['deleted']:>8} {tally['problems']:>9}")
    print(f"arXiv records read: {read}; papers written after merging by id: {written}")
    print(f"of them, not listed (only in arXiv API responses): {unlisted}")
    print(f"problems: {len(problems)}")
    for problem in problems:
        print(f"  {problem.location}: {problem.reason}")
    total = 0
    for name in (SNAPSHOT_FILE, UNLISTED_FILE, SEED_FILE, HF_FILE):
        size = (out / name).stat().st_size
        total += size
        print(f"wrote {out / name} ({size:,} bytes)")
    print(f"sample total: {total:,} bytes")


if __name__ == "__main__":
    sys.exit(main())
