"""Paths to the recorded fixtures beside the repository (../shared), for the parser tests.

The fixtures are required, not optional: when ../shared is missing the tests fail with a
message instead of being skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

# tests/sources/conftest.py → parents[2] is the repository, parents[3] the folder holding it.
SHARED = Path(__file__).resolve().parents[3] / "shared"
FIXTURES = SHARED / "fixtures"


@pytest.fixture(scope="session")
def fixtures() -> Path:
    assert FIXTURES.is_dir(), f"{FIXTURES} is missing: these tests read the recorded fixtures in ../shared"
    return FIXTURES


@pytest.fixture(scope="session")
def seed_file() -> Path:
    path = SHARED / "seed" / "seed-papers.jsonl"
    assert path.is_file(), f"{path} is missing: these tests read the seed papers in ../shared"
    return path

