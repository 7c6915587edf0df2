from __future__ import annotations

from datetime import date

import pytest

from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record


def _paper(arxiv_id: str, title: str) -> Paper:
    result = store_records(
        [
            build_record(
                arxiv_id=arxiv_id,
                title=title,
                abstract="Worth keeping.",
                authors=["Ada Lovelace"],
                categories="cs.LG",
                versions=[{"version": "v1", "created": "2026-11-20T10:00:00Z"}],
            )
        ]
    )
    list_papers([Listing(result.paper_ids[arxiv_id], date(2026, 11, 20), 2, "", "")])
    return Paper.objects.get(arxiv_id=arxiv_id)


@pytest.fixture
def paper(db) -> Paper:
    return _paper("2611.07001", "A Paper Worth Saving")


@pytest.fixture
def second_paper(db) -> Paper:
    return _paper("2611.07002", "Another Paper Worth Saving")
