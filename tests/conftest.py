"""Test set-up shared by the whole suite (the data directory is set in tests/settings.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.smtp_server import SmtpServer

# `--timeline DIR`: when each test ran on which worker (tests/timeline.py).
pytest_plugins = ["tests.timeline"]

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"


def pytest_addoption(parser):
    parser.addoption(
        "--every-test",
        action="store_true",
        help="on PostgreSQL, also run the tests that never reach the test database",
    )


# Fixtures that cost a process or a browser once per test process: the tests using them run in
# one pytest-xdist worker (`--dist loadgroup`), so the run starts one demo server and one
# Chromium, not one per worker.
ONE_WORKER_FIXTURES = {"browser": {"demo_server", "browser", "page"}}
# The same groups by folder, for the scheduler below (those fixtures live in these folders'
# conftest.py, so no test elsewhere can use them); and files whose module-scoped fixture
# starts a demo server, which would otherwise start once on each worker their tests land on.
# So do the digest crash tests, which copy one site set up per worker (tests/digests/sites.py),
# and migrate-data's, whose session-scoped source (a `demo --no-serve` site) and module-scoped
# copy of it would otherwise be made on both workers.
ONE_WORKER_PATHS = {"browser": "tests/browser/", "hf-client": "tests/api/test_hf_client.py", "demo": "tests/ops/test_demo.py",
                    "digest-site": "tests/digests/test_digest_crash.py", "migrate-data": "tests/ops/test_migrate_data.py"}


def pytest_xdist_make_scheduler(config, log):
    """`--dist loadgroup` that also works on pytest 9.

    pytest-xdist 3.8 marks a test's group by appending `@group` to `item._nodeid`, which
    pytest 9 no longer reads (node ids live elsewhere): the `xdist_group` marks set below
    are silently ignored and every worker starts its own demo server and Chromium. The
    controller only sees node ids, so here a test's folder (or file) names its group.
    """
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class FolderGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for group, prefix in ONE_WORKER_PATHS.items():
                if nodeid.startswith(prefix):
                    return group
            return super()._split_scope(nodeid)

    return FolderGroupScheduling(config, log)


# tryfirst: before pytest-xdist's own hook, which reads the groups set here.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Group the tests sharing an expensive session fixture, then, on PostgreSQL, leave out
    the tests that cannot reach the test database.

    pytest-django blocks the database for a test without the django_db mark or a fixture
    built on django_db_setup, and child processes (tests/helpers.py) get their own SQLite
    database: such a test runs the same on both databases, and the SQLite run already had
    it. They are about two thirds of the suite's time (child processes, Chromium), which
    is what lets `make test` run both databases. `--every-test` runs them anyway.

    Tests marked `both_databases` are kept: what they check depends on the database (a
    crash mid-run, several processes at once), so there their children use PostgreSQL too.
    """
    from django.conf import settings

    for item in items:
        for group, fixtures in ONE_WORKER_FIXTURES.items():
            if fixtures & set(item.fixturenames):
                item.add_marker(pytest.mark.xdist_group(group))
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        # Tests of PostgreSQL-only parts (pgvector) have nothing to run against on SQLite.
        _leave_out(config, items, lambda item: item.get_closest_marker("postgres"))
        return
    # Nor have tests of SQLite-only parts (FTS5's tokenizer) on PostgreSQL.
    _leave_out(config, items, lambda item: item.get_closest_marker("sqlite"))
    if config.getoption("--every-test"):
        return
    _leave_out(
        config,
        items,
        lambda item: not (
            item.get_closest_marker("django_db")
            or "django_db_setup" in item.fixturenames
            or item.get_closest_marker("both_databases")
        ),
    )


def _leave_out(config, items, condition) -> None:
    left_out = [item for item in items if condition(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if not condition(item)]


def _on_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.fixture(scope="session")
def _child_postgres_databases():
    from django.conf import settings

    from tests.child_databases import ChildDatabases

    return ChildDatabases(settings.DATABASES["default"])


@pytest.fixture(autouse=True)
def _children_on_the_suites_database(request):
    """`both_databases` tests: on the PostgreSQL run, their children use PostgreSQL too."""
    if not (request.node.get_closest_marker("both_databases") and _on_postgres()):
        yield
        return
    from tests import helpers

    databases = request.getfixturevalue("_child_postgres_databases")
    helpers.child_databases = databases
    try:
        yield
    finally:
        helpers.child_databases = None
        databases.drop_all()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty default cache, as each starts with its own database
    rows: the API's read limits are counted there (core/cache_limits.py), and one test's reads
    must not use up the next one's allowance."""
    yield
    from django.core.cache import caches

    caches["default"].clear()


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


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, and Django's mail settings pointing at it."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        yield server.handler
