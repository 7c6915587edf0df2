"""A child's site for the command-level digest tests: the bundled sample and some subscribers."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import run_cli, start_migrated

SETUP = """
from paperfeed.sample import load_sample
from paperfeed.digests.subscriptions import subscribe
load_sample()
for address in {addresses!r}:
    subscribe(address, "daily", confirmed=True)
"""


def subscribed_site(data_dir: Path, addresses: list[str]) -> Path:
    """`data_dir` initialised, with the sample papers and `addresses` subscribed to the daily digest."""
    start_migrated(data_dir)  # a migrated database, as `paperfeed init` leaves it (tests/helpers.py)
    setup = run_cli(data_dir, "shell", "-c", SETUP.format(addresses=addresses))
    assert setup.returncode == 0, setup.stderr
    return data_dir
