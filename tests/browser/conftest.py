"""A real `paperfeed demo` server and a real Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import shutil

import pytest

from ..helpers import run_cli, serving

# What the hostile paper is made of; the tests check that none of it ever runs.
HOSTILE_SETUP = """
from datetime import date
from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record
r = store_records([build_record(arxiv_id="2611.66666",
    title="Hostile <script>alert('title')</script> paper on $x^2$ \\"><img src=x onerror=alert('img')>",
    abstract="We show $E = mc^2$ and \\\\(a+b\\\\). <script>alert('abstract')</script>",
    authors=["Mallory <img src=x onerror=alert('author')>"],
    versions=[{"version": "v1", "created": "2026-11-20T10:00:00Z"}])])
list_papers([Listing(r.paper_ids["2611.66666"], date(2026, 11, 20), 1)])
"""


# A paper nobody has put on a daily list yet, first posted two days ago: a reader can submit it.
FRESH_SETUP = """
from datetime import timedelta
from django.utils import timezone
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record
posted = (timezone.now() - timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
store_records([build_record(arxiv_id="2611.77777",
    title="Fresh results on sparse attention for long documents",
    abstract="We study sparse attention with $O(n \\log n)$ cost.",
    authors=["Ada Lovelace", "Alan Turing"],
    versions=[{"version": "v1", "created": posted}])])
"""
FRESH_ID = "2611.77777"


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """`paperfeed demo` on a free port with its own data directory, plus one hostile paper."""
    data_dir = tmp_path_factory.mktemp("demo-data")
    with serving(data_dir, "demo") as url:
        for setup in (HOSTILE_SETUP, FRESH_SETUP):
            added = run_cli(data_dir, "shell", "-c", setup)
            assert added.returncode == 0, added.stderr
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is needed for browser tests: `make test` installs it (apt-get install chromium)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium,
            # The machine has no internet: without these Chromium keeps trying to reach Google.
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    yield page
    context.close()
