"""A child's site for the command-level digest tests: the bundled sample and some subscribers."""

from __future__ import annotations

import atexit
import shutil
import sqlite3
import tempfile
from pathlib import Path

from tests import helpers
from tests.helpers import run_cli, start_migrated

SETUP = """
from paperfeed.sample import load_sample
from paperfeed.digests.subscriptions import subscribe
load_sample()
for address in {addresses!r}:
    subscribe(address, "daily", confirmed=True)
"""

# The site each list of addresses makes, set up once per test process and copied for each
# test (a child process loading the sample costs seconds of CPU; a copy, a fraction of one):
# addresses -> its data directory (SQLite), or that and the name of its template database
# (PostgreSQL: tests/child_databases.py).
_sqlite_sites: dict[tuple[str, ...], Path] = {}
_postgres_sites: dict[tuple[str, ...], tuple[Path, str]] = {}


def subscribed_site(data_dir: Path, addresses: list[str]) -> Path:
    """`data_dir` initialised, with the sample papers and `addresses` subscribed to the daily
    digest: a copy of the site set up for these addresses earlier in this test process, each
    test getting its own database."""
    data_dir = Path(data_dir)
    key = tuple(addresses)
    if helpers.child_databases is not None:
        if key not in _postgres_sites:
            scratch = Path(tempfile.mkdtemp(prefix="pf-site-"))
            atexit.register(shutil.rmtree, scratch, True)
            _set_up(scratch, addresses)
            _postgres_sites[key] = (scratch, helpers.child_databases.keep_as_template(scratch))
        helpers.child_databases.copy_of(_postgres_sites[key][1], data_dir)
        shutil.copytree(_postgres_sites[key][0], data_dir, dirs_exist_ok=True)  # the site's other files
        return data_dir
    if key not in _sqlite_sites:
        scratch = Path(tempfile.mkdtemp(prefix="pf-site-"))
        atexit.register(shutil.rmtree, scratch, True)
        _set_up(scratch, addresses)
        # Everything into the one file (it stays in WAL mode), so a copy of it alone is complete.
        connection = sqlite3.connect(scratch / "paperfeed.sqlite3")
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        _sqlite_sites[key] = scratch
    shutil.copytree(_sqlite_sites[key], data_dir, dirs_exist_ok=True)
    return data_dir


def _set_up(data_dir: Path, addresses: list[str]) -> None:
    start_migrated(data_dir)  # a migrated database, as `paperfeed init` leaves it (tests/helpers.py)
    setup = run_cli(data_dir, "shell", "-c", SETUP.format(addresses=addresses))
    assert setup.returncode == 0, setup.stderr
