"""The loopback arXiv of the ingestion tests (tests/sources/fixture_server.py), for the in-process
submit view: paperfeed's settings point at it, and it answers with recorded arXiv responses."""

from __future__ import annotations

import pytest

from tests.sources.fixture_server import FixtureServer


@pytest.fixture(scope="session")
def _arxiv_server_session():
    server = FixtureServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def arxiv_server(_arxiv_server_session, settings):
    server = _arxiv_server_session
    server.reset()
    settings.PAPERFEED_ARXIV_API_URL = f"{server.url}/api/query"
    settings.PAPERFEED_ARXIV_INTERVAL = 0
    settings.PAPERFEED_HTTP_BACKOFF = 0.05
    settings.PAPERFEED_HTTP_TIMEOUT = 2
    yield server
    server.reset()
