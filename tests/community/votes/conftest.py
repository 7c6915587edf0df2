"""A paper of its own for the vote tests (the sample's papers are shared by the session)."""

from __future__ import annotations

from datetime import date

import pytest

from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record


@pytest.fixture
def listed_paper(db) -> Paper:
    """2611.01234, listed on 2026-11-20 with 7 upvotes imported from Hugging Face."""
    result = store_records(
        [
            build_record(
                arxiv_id="2611.01234",
                title="A Paper To Vote On",
                abstract="Votes should be exact.",
                authors=["Ada Lovelace"],
                categories="cs.LG",
                versions=[{"version": "v1", "created": "2026-11-20T10:00:00Z"}],
            )
        ]
    )
    list_papers([Listing(result.paper_ids["2611.01234"], date(2026, 11, 20), 7, "", "")])
    return Paper.objects.get(arxiv_id="2611.01234")
