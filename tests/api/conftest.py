"""Real users, papers and tokens in the test database; the Django client speaks to the real URLconf."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.test import Client

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _generous_read_limits(settings):
    # Most tests read many times; the rate-limit tests set their own, small limits.
    settings.PAPERFEED_API_ANON_RATE = 0
    settings.PAPERFEED_API_TOKEN_RATE = 0


@pytest.fixture
def client():
    return Client(HTTP_HOST="127.0.0.1")


@pytest.fixture
def make_user(db, django_user_model):
    def make(username: str | None = None, **extra):
        username = username or f"reader{next(_numbers)}"
        extra.setdefault("email", f"{username}@example.org")
        return django_user_model.objects.create_user(username=username, password="correct horse battery staple", **extra)

    return make


@pytest.fixture
def token_for(db):
    """token_for(user) → the secret of a new token of theirs."""
    from paperfeed.api.models import ApiToken

    def issue(user, name: str = "script") -> str:
        return ApiToken.issue(user, name)[1]

    return issue


def auth(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def make_paper(db):
    """make_paper("2611.00001", listed=date(...), upvotes=3, **record fields) → Paper."""
    from paperfeed.papers.daily import Listing, list_papers
    from paperfeed.papers.models import Paper
    from paperfeed.papers.store import store_records
    from paperfeed.sources.normalize import build_record

    def make(arxiv_id: str, *, listed: date | None = None, upvotes: int = 0, submitted_by: str = "",
             organization: str = "", created: str = "2026-11-20T10:00:00Z", **fields):
        fields.setdefault("title", f"Paper {arxiv_id}")
        fields.setdefault("abstract", f"The abstract of {arxiv_id}.")
        fields.setdefault("authors", ["Ada Lovelace", "Alan Turing"])
        result = store_records([build_record(arxiv_id=arxiv_id, versions=[{"version": "v1", "created": created}], **fields)])
        paper = Paper.objects.get(pk=result.paper_ids[arxiv_id])
        if listed is not None:
            list_papers([Listing(paper.pk, listed, upvotes, submitted_by, organization)])
        return paper

    return make
