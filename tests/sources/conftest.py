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


# --- for the command-level ingest tests (test_ingest_*.py): a child `paperfeed` process pointed
# at the fixture server, and a read-only look into that child's SQLite database.


@pytest.fixture
def ingest_env(fixture_server) -> dict[str, str]:
    """Environment overrides (keyword arguments of helpers.run_cli) for a child talking to the fixture server."""
    return {
        "PAPERFEED_ARXIV_API_URL": f"{fixture_server.url}/api/query",
        "PAPERFEED_ARXIV_OAI_URL": f"{fixture_server.url}/oai",
        "PAPERFEED_ARXIV_RSS_URL": f"{fixture_server.url}/rss",
        "PAPERFEED_HF_URL": fixture_server.url,
        "PAPERFEED_ARXIV_INTERVAL": "0.3",
        "PAPERFEED_HTTP_BACKOFF": "0.05",
        "PAPERFEED_HTTP_TIMEOUT": "2",
        "PAPERFEED_HTTP_RETRIES": "4",
        "PAPERFEED_CONTACT_EMAIL": "",
    }


@pytest.fixture
def child_db():
    """query(data_dir, sql, params=()) → rows of the child's database (SQLite read-only, or
    the child's PostgreSQL database in `both_databases` tests on the PostgreSQL run)."""
    from tests.helpers import child_query

    return child_query


@pytest.fixture(scope="session")
def _migrated_data_template(tmp_path_factory) -> Path:
    """A data directory holding only an empty, migrated database (tests/helpers.py), to copy."""
    import shutil

    from tests.helpers import migrated_database

    template = tmp_path_factory.mktemp("migrated-data")
    shutil.copyfile(migrated_database(), template / "paperfeed.sqlite3")
    (template / "paperfeed.sqlite3").chmod(0o600)
    return template


@pytest.fixture
def data_dir(_migrated_data_template, tmp_path) -> Path:
    """A child's data directory with an empty, already migrated database (copied: saves a migrate per run)."""
    import shutil

    target = tmp_path / "data"
    shutil.copytree(_migrated_data_template, target)
    return target
