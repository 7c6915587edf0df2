"""The bundled demo sample: about 2,200 real arXiv papers, 80 of them on Hugging Face lists.

Four files, built from the recorded fixtures by ``scripts/build_sample.py``:

- ``arxiv-snapshot.jsonl.gz``: papers in the arXiv snapshot format; each is listed, with no
  upvotes, on the (UTC) day its v1 was submitted (as ``paperfeed ingest … --list`` does);
- ``arxiv-unlisted.jsonl.gz``: the papers only the recorded arXiv API answers hold (lookups
  and a search), stored on no list, as a real instance stores what ``paperfeed submit`` or
  ``ingest arxiv-api`` fetch. They are what a newcomer can submit in the demo;
- ``seed-papers.jsonl.gz``: the 51 papers of the Hugging Face Papers page paperfeed started
  from, listed with their upvotes and organisations;
- ``hf-daily-2024-10-25.json.gz``: Hugging Face's daily list of 2024-10-25, 29 papers with
  upvotes, submitters and organisations: the newest full day, where ``/papers`` opens. It is
  Hugging Face's raw answer byte for byte (the build script copies the recorded fixture), so
  everything an import keeps of it — listing times, comment counts, submitters' accounts,
  images, claimed authors — is loaded as ``ingest hf-daily`` would load it.

Seed authors: the seed page shows only how many authors a paper has. A paper's names come
from any bundled source that holds it (records are merged per paper): 1 of the 51 seed
papers (2410.18693, also on the Hugging Face list) has them; no bundled source (arXiv API
answers, snapshot head, .abs files, OAI-PMH pages, Hugging Face list, the seed page text)
names the authors of the other 50, so those show their author count only until an ingest
(``paperfeed ingest arxiv-api --id …``) fills them in.

:func:`load_sample` reads them through the same parsers and the same ``store_records`` /
``list_papers`` as any ingest. It is idempotent: the records of all the files are merged
per paper first (``papers.record_merge.merge_records``), so each paper is written once per load and a second
load finds nothing to change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from paperfeed.papers.record import PaperRecord
from paperfeed.papers.record_merge import group_by_id, merge_records
from paperfeed.sources.formats import DailyItem, Problem, open_binary
from paperfeed.sources.formats.hf_daily import parse_hf_daily
from paperfeed.sources.formats.seed import iter_seed
from paperfeed.sources.formats.snapshot import iter_snapshot

SAMPLE_DIR = Path(__file__).resolve().parent
SNAPSHOT_FILE = "arxiv-snapshot.jsonl.gz"
UNLISTED_FILE = "arxiv-unlisted.jsonl.gz"
SEED_FILE = "seed-papers.jsonl.gz"
HF_FILE = "hf-daily-2024-10-25.json.gz"
BATCH = 500

Progress = Callable[[int, "int | None", str], None]


@dataclass
class SampleSummary:
    created: int = 0  # papers
    updated: int = 0
    unchanged: int = 0
    daily_entries: int = 0  # daily-list entries newly created
    problems: int = 0  # records the sample files hold that could not be read


def load_sample(progress: Progress | None = None, directory: Path = SAMPLE_DIR) -> SampleSummary:
    """Load the sample into the database; running it again changes nothing."""
    # Imported here so that this package (and the build script using merge_records) can be
    # imported without a configured Django.
    from paperfeed.papers.daily import list_papers
    from paperfeed.papers.store import StoreResult, store_records
    from paperfeed.sources.pipeline import listings_for

    report = progress or (lambda done, total, label: None)
    contents = read_sample(directory)
    records = [merge_records(group) for group in group_by_id(contents.records).values()]

    stored = StoreResult()
    for start in range(0, len(records), BATCH):
        stored.merge(store_records(records[start : start + BATCH]))
        report(min(start + BATCH, len(records)), len(records), "papers")

    summary = SampleSummary(len(stored.created), len(stored.updated), len(stored.unchanged))
    rows = listings_for(contents.listings, stored.paper_ids)
    for start in range(0, len(rows), BATCH):
        summary.daily_entries += list_papers(rows[start : start + BATCH])
        report(min(start + BATCH, len(rows)), len(rows), "daily lists")

    summary.problems = _record_problems(contents.problems)
    return summary


@dataclass
class SampleContents:
    records: list[PaperRecord] = field(default_factory=list)  # every record read, duplicates included
    listings: list[DailyItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_sample(directory: Path = SAMPLE_DIR) -> SampleContents:
    """The files parsed; snapshot papers are listed on v1's (UTC) day with no votes, the
    unlisted file's papers on no day."""
    contents = SampleContents()
    with open_binary(directory / HF_FILE) as stream:
        daily = list(parse_hf_daily(stream.read(), HF_FILE))
    for item in iter_snapshot(directory / UNLISTED_FILE):
        (contents.problems if isinstance(item, Problem) else contents.records).append(item)
    for item in [*iter_snapshot(directory / SNAPSHOT_FILE), *iter_seed(directory / SEED_FILE), *daily]:
        if isinstance(item, Problem):
            contents.problems.append(item)
        elif isinstance(item, DailyItem):
            contents.records.append(item.record)
            contents.listings.append(item)
        else:
            contents.records.append(item)
            if item.published:  # a paper with no known v1 date is stored but not listed
                contents.listings.append(DailyItem(record=item, date=item.published.date()))
    return contents


def _record_problems(problems: list[Problem]) -> int:
    from paperfeed.sources.models import IngestProblem

    for problem in problems:
        # Keyed by where and why, so loading the sample again adds no duplicates.
        IngestProblem.objects.get_or_create(
            source="sample", location=problem.location[:500], reason=problem.reason, defaults={"raw": problem.raw}
        )
    return len(problems)


VECTORS_FILE = "vectors.npz"


def load_sample_vectors(directory: Path = SAMPLE_DIR) -> int:
    """Store the shipped embeddings of the sample papers, if they are of the configured model.

    Each vector keeps the digest of the text it was made from, so `paperfeed index` still
    embeds any paper whose text differs. Returns how many vectors were stored.
    """
    import numpy as np
    from django.conf import settings
    from django.db import transaction

    from paperfeed.papers.models import Paper
    from paperfeed.search.models import PaperVector

    path = directory / VECTORS_FILE
    if not path.exists():
        return 0
    with np.load(path, allow_pickle=False) as data:
        if str(data["model"]) != settings.PAPERFEED_EMBEDDING_MODEL:
            return 0
        ids = [str(a) for a in data["arxiv_ids"]]
        digests = [str(d) for d in data["digests"]]
        vectors = data["vectors"].astype("<f2")
    paper_ids = dict(Paper.objects.filter(arxiv_id__in=ids).values_list("arxiv_id", "id"))
    with transaction.atomic():
        have = set(PaperVector.objects.values_list("paper_id", flat=True))
        rows = [
            PaperVector(paper_id=paper_ids[a], model=str(settings.PAPERFEED_EMBEDDING_MODEL), digest=d, vector=v.tobytes())
            for a, d, v in zip(ids, digests, vectors)
            if a in paper_ids and paper_ids[a] not in have
        ]
        PaperVector.objects.bulk_create(rows, batch_size=500)
    return len(rows)
