"""The thumbnail tests use the loopback server that plays arXiv (tests/sources/fixture_server.py,
which serves the PDFs a test registers) and the helpers of the source and API tests."""

from tests.api.conftest import make_paper  # noqa: F401
from tests.sources.conftest import (  # noqa: F401
    _fixture_server_session,
    _migrated_data_template,
    child_db,
    data_dir,
    fixture_server,
)
