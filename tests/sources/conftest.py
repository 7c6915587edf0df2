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


# --- the loopback server that plays arXiv and Hugging Face (tests/sources/fixture_server.py) ---
# One server per session (no port churn); `fixture_server` resets it before each test that uses
# it (request log, scenario queue, derived bodies, RSS feeds, OAI tokens and settings) and again
# after, so a request still stalling from that test is woken at once.


@pytest.fixture(scope="session")
def _fixture_server_session():
    from .fixture_server import FixtureServer

    server = FixtureServer().start()
    try:
        yield server
    finally:
        server.stop()  # shutdown + server_close + join; stalled requests are woken first


@pytest.fixture
def fixture_server(_fixture_server_session):
    _fixture_server_session.reset()
    yield _fixture_server_session
    _fixture_server_session.reset()
