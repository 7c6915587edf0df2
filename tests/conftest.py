"""Test set-up shared by the whole suite (the data directory is set in tests/settings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The read-only material beside the repository (fixtures, seed, bench)."""
    assert SHARED.is_dir(), f"{SHARED} is missing: the tests need ../shared beside the repository"
    return SHARED


@pytest.fixture(scope="session")
def sample_db(django_db_setup, django_db_blocker):
    """The bundled sample, loaded once into the test database: page tests browse real papers.

    It stays for the rest of the session (outside any test's transaction), so tests must
    not assume an empty database.
    """
    from paperfeed.sample import load_sample

    with django_db_blocker.unblock():
        load_sample()


@pytest.fixture(scope="session")
def sample_vectors(sample_db, django_db_blocker):
    """The sample's shipped embeddings and a vector index in the test data directory:
    from here on, searches in this session are hybrid."""
    from django.conf import settings

    from paperfeed.sample import load_sample_vectors
    from paperfeed.search.indexer import write_vector_index

    with django_db_blocker.unblock():
        stored = load_sample_vectors()
        count = write_vector_index(settings.PAPERFEED_EMBEDDING_MODEL)
    assert stored > 2000 and count == stored
    return count
