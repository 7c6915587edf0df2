"""A paper of our own for each discussion test (the sample papers stay untouched)."""

from __future__ import annotations

import itertools

import pytest

from paperfeed.papers.models import Paper

_numbers = itertools.count(1)


@pytest.fixture
def paper(db):
    return Paper.objects.create(arxiv_id=f"2611.{70000 + next(_numbers)}", title="A paper to discuss", abstract="x")


@pytest.fixture
def ada(make_user):
    return make_user("ada")


@pytest.fixture
def bob(make_user):
    return make_user("bob")
