"""A real `paperfeed demo` server and a real Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ..helpers import PAPERFEED, cli_env, run_cli, serving

# What the hostile paper is made of; the tests check that none of it ever runs. It is listed on
# an old day so that the front page stays the demo's own newest day.
HOSTILE_ID, HOSTILE_DAY = "2311.66666", "2023-11-20"
HOSTILE_SETUP = """
from datetime import date
from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record
r = store_records([build_record(arxiv_id="2311.66666",
    title="Hostile <script>alert('title')</script> paper on $x^2$ \\"><img src=x onerror=alert('img')>",
    abstract="We show $E = mc^2$ and \\\\(a+b\\\\). <script>alert('abstract')</script>",
    authors=["Mallory <img src=x onerror=alert('author')>"],
    versions=[{"version": "v1", "created": "2023-11-20T10:00:00Z"}])])
list_papers([Listing(r.paper_ids["2311.66666"], date(2023, 11, 20), 1)])
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

PASSWORD = "a long and unusual passphrase 42"

# "reader": an account that only reads in the tests (every test of the session shares it, in any
# order, so no test may change it). It has what makes the
# signed-in pages full: three upvotes, a public collection, a comment, and For you picks.
READER = "reader"
READER_SETUP = """
from django.contrib.auth import get_user_model
from paperfeed.community.collections.saving import add_paper, create_collection
from paperfeed.community.discussion.markdown import render_markdown
from paperfeed.community.discussion.models import Comment
from paperfeed.community.votes.services import set_vote
from paperfeed.papers.models import Paper
reader = get_user_model().objects.get(username="reader")
papers = list(Paper.objects.filter(arxiv_id__in=["2412.13148", "2410.18693", "2410.20280"]).order_by("arxiv_id"))
for paper in papers:
    set_vote(reader, paper, True)
shelf = create_collection(reader, "Reading list", "Papers to read this week.", public=True)
for paper in papers:
    add_paper(shelf, paper)
body = "A **clear** write-up; the bound $O(n)$ looks tight."
comment = Comment.objects.create(paper=papers[-1], author=reader, body=body, body_html=render_markdown(body))
print(f"comment={comment.pk}")
"""


@dataclass(frozen=True)
class DemoSite:
    url: str
    data_dir: Path
    reader_comment_id: int  # the reader's own comment: its edit page is one of the pages
    # /papers as a newcomer first meets it, before any test lists a paper on a newer day.
    front_page_html: str


def add_user(data_dir: Path, username: str, password: str = PASSWORD) -> None:
    """An account made with `paperfeed user add`, the way an operator makes one."""
    made = subprocess.run(
        [*PAPERFEED, "user", "add", "--email", f"{username}@example.org", username],
        input=password + "\n", env=cli_env(data_dir), capture_output=True, text=True, timeout=120,
    )
    assert made.returncode == 0, made.stderr


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory):
    """`paperfeed demo` on a free port with its own data directory, plus one hostile paper,
    one paper to submit, and the read-only "reader" account with its picks computed."""
    data_dir = tmp_path_factory.mktemp("demo-data")
    with serving(data_dir, "demo") as url:
        front_page = httpx.get(f"{url}/papers", timeout=60)
        assert front_page.status_code == 200
        for setup in (HOSTILE_SETUP, FRESH_SETUP):
            added = run_cli(data_dir, "shell", "-c", setup)
            assert added.returncode == 0, added.stderr
        add_user(data_dir, READER)
        made = run_cli(data_dir, "shell", "-c", READER_SETUP)
        assert made.returncode == 0, made.stderr
        comment_id = int(made.stdout.rsplit("comment=", 1)[1].split()[0])
        recommended = run_cli(data_dir, "recommend")
        assert recommended.returncode == 0, recommended.stderr
        yield DemoSite(url, data_dir, comment_id, front_page.text)


@pytest.fixture(scope="session")
def demo_server(demo_site):
    """The demo's base URL."""
    return demo_site.url


_user_numbers = itertools.count(1)
_fresh_users: list[str] = []

# Accounts for `fresh_user`, made FRESH_BATCH at a time in one child process: a
# `paperfeed user add` per test cost a process start and a PBKDF2 hash each (~1.5 s of CPU,
# for about a dozen tests). They are ordinary accounts with the site's real password hash
# (hashed once: they share the password); `user add` itself is what makes "reader".
FRESH_BATCH = 12
FRESH_USERS_SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
User = get_user_model()
hashed = make_password({password!r})
for name in {names!r}:
    user = User.objects.create_user(username=name, email=name + "@example.org")
    user.password = hashed
    user.save(update_fields=["password"])
"""


@pytest.fixture
def fresh_user(demo_site):
    """A new account for a test that changes what its user sees (votes, mutes, follows).

    Names are unique within the process; each xdist worker has its own session, so its own
    demo server and data directory."""
    if not _fresh_users:
        names = [f"flow{next(_user_numbers)}" for _ in range(FRESH_BATCH)]
        made = run_cli(demo_site.data_dir, "shell", "-c", FRESH_USERS_SETUP.format(password=PASSWORD, names=names))
        assert made.returncode == 0, made.stderr
        _fresh_users.extend(names)
    return _fresh_users.pop(0)


def sign_up(page, base_url: str, username: str) -> None:
    """A new account through the sign-up form (password PASSWORD); the page ends logged in."""
    from playwright.sync_api import expect

    page.goto(f"{base_url}/signup")
    page.fill("#id_username", username)
    page.fill("#id_email", f"{username}@example.org")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".user-menu-name")).to_have_text(username)


def log_in(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Through the log-in form, as a person does."""
    page.goto(f"{base_url}/login")
    form = page.get_by_role("main")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(password)
    form.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login" not in url)


@pytest.fixture(scope="session")
def reader_storage_state(demo_server, browser):
    """The reader's logged-in cookies, made once through the form and reused by every context."""
    context = browser.new_context()
    page = context.new_page()
    log_in(page, demo_server, READER)
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API leaves its asyncio loop registered as running in this thread, and
    # Django then refuses every database call (SynchronousOnlyOperation): in the worker that
    # runs the browser tests, the database tests after them would fail. Nothing in this
    # process runs Django code inside that loop, so the check is off here while Chromium is
    # up; child processes keep it (helpers.cli_env drops the variable).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
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
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser):
    """A tab of its own; a test that made the browser block anything under the site's
    Content-Security-Policy fails at teardown, naming what was blocked where."""
    from .checks import watch_csp

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    csp_violations = watch_csp(context)
    page = context.new_page()
    # Actions wait at most 10 s (Playwright's default is 30): a control that a page lacks fails
    # the test soon, and 10 s is still ample on a busy machine.
    page.set_default_timeout(10_000)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    page.csp_violations = csp_violations
    yield page
    context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)
