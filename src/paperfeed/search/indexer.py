"""`paperfeed index`: embed the papers that need it, then write the vector index.

Incremental: a paper is embedded only when it has no vector for the configured model or its
title/abstract changed since (digest). Resumable: vectors are committed every batch, so an
interrupted run continues where it stopped.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from paperfeed.papers.models import Paper
from paperfeed.search.embedder import Embedder, paper_text
from paperfeed.search.models import PaperVector
from paperfeed.search.engines import vector_store

Progress = Callable[[int, "int | None", str], None]


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@dataclass
class IndexSummary:
    embedded: int = 0
    papers: int = 0
    seconds_embedding: float = 0.0


def papers_needing_vectors(model: str, chunk: int = 2000):
    """(paper id, text, digest) for every paper whose vector is missing or stale, by id."""
    last = 0
    while True:
        rows = list(
            Paper.objects.filter(id__gt=last).order_by("id").values_list("id", "title", "abstract")[:chunk]
        )
        if not rows:
            return
        last = rows[-1][0]
        known = dict(
            PaperVector.objects.filter(paper_id__in=[r[0] for r in rows], model=model).values_list("paper_id", "digest")
        )
        for paper_id, title, abstract in rows:
            text = paper_text(title, abstract)
            text_digest = digest(text)
            if known.get(paper_id) != text_digest:
                yield paper_id, text, text_digest


def embed_papers(embedder: Embedder, batch: int = 256, progress: Progress | None = None) -> IndexSummary:
    import time

    summary = IndexSummary()
    total = Paper.objects.count()
    pending = list(papers_needing_vectors(embedder.name))
    report = progress or (lambda done, total, label: None)
    report(0, len(pending), "embedding")
    for start in range(0, len(pending), batch):
        part = pending[start : start + batch]
        began = time.perf_counter()
        vectors = embedder.encode([text for _, text, _ in part])
        summary.seconds_embedding += time.perf_counter() - began
        with transaction.atomic():
            PaperVector.objects.filter(paper_id__in=[p for p, _, _ in part]).delete()
            PaperVector.objects.bulk_create(
                [
                    PaperVector(paper_id=paper_id, model=embedder.name, digest=text_digest,
                                vector=vector.astype("<f2").tobytes())
                    for (paper_id, _, text_digest), vector in zip(part, vectors)
                ]
            )
        summary.embedded += len(part)
        report(summary.embedded, len(pending), "embedding")
    summary.papers = total
    return summary


def write_vector_index(model: str, progress: Progress | None = None) -> int:
    """Make every stored vector of `model` searchable in the configured vector store."""
    return vector_store().write(model, progress)
