"""Fifty voters at once against a real server: the count stays exact.

A real `paperfeed serve` (gunicorn, its own SQLite data directory), fifty accounts with real
sessions in the server's database, and fifty threads released together by a barrier.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.helpers import child_query, run_cli, serving

VOTERS = 50
ARXIV_ID = "2611.04242"

# Each voter gets a session the way a login makes one (django.contrib.auth's login(), through
# the test client's force_login), in the server's own database. Logging in through /login
# would run the site's password hasher fifty times, ~15 s of CPU that this test is not about
# (logins are tested in tests/community/accounts). The paper has no daily entry, so every
# vote on the page is a local one.
SETUP = f"""
from django.contrib.auth.models import User
from django.test import Client
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record
User.objects.bulk_create([User(username=f"voter{{i}}") for i in range({VOTERS})])
for i in range({VOTERS}):
    client = Client()
    client.force_login(User.objects.get(username=f"voter{{i}}"))
    print("session", f"voter{{i}}", client.cookies["sessionid"].value)
store_records([build_record(arxiv_id={ARXIV_ID!r}, title="Concurrency", abstract="Fifty voters.",
    authors=["A. Voter"], categories="cs.DC", versions=[{{"version": "v1", "created": "2026-11-20T10:00:00Z"}}])])
print("ready")
"""


def logged_in(base: str, username: str, session: str) -> httpx.Client:
    """A client holding the voter's session and the CSRF cookie a page of the site sets."""
    # A new connection for every request: gunicorn closes a keep-alive connection idle for 2 s,
    # and a vote sent on one just as it closes would be reset (HTTP/1.1's keep-alive race, not
    # what this test is about).
    client = httpx.Client(
        base_url=base, timeout=60, cookies={"sessionid": session}, limits=httpx.Limits(max_keepalive_connections=0)
    )
    page = client.get("/settings/account")  # only for someone logged in (others are redirected)
    assert page.status_code == 200 and username in page.text, (username, page.status_code, page.text[:300])
    assert "csrftoken" in client.cookies
    return client


def vote(client: httpx.Client, action: str | None, barrier: threading.Barrier | None = None) -> int:
    data = {"csrfmiddlewaretoken": client.cookies["csrftoken"]}
    if action:
        data["action"] = action
    if barrier is not None:
        barrier.wait(timeout=60)
    return client.post(f"/papers/{ARXIV_ID}/upvote", data=data).status_code


def all_at_once(clients: list[httpx.Client], action: str | None) -> list[int]:
    barrier = threading.Barrier(len(clients))
    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(lambda c: vote(c, action, barrier), clients))


def counts(data_dir) -> tuple[int, int]:
    """(Paper.upvotes, number of Vote rows), read straight from the server's database."""
    ((paper_id, upvotes),) = child_query(
        data_dir, "SELECT id, upvotes FROM papers_paper WHERE arxiv_id = ?", (ARXIV_ID,)
    )
    ((rows,),) = child_query(data_dir, "SELECT count(*) FROM votes_vote WHERE paper_id = ?", (paper_id,))
    return upvotes, rows


def count_on_page(base: str) -> int:
    html = httpx.get(f"{base}/papers/{ARXIV_ID}", timeout=30).text
    return int(re.search(r'class="vote-count" data-count="(\d+)"', html)[1])


# Not `both_databases`: on PostgreSQL it would add most of a minute to the 15-minute CI budget;
# concurrent writers on PostgreSQL are covered by the two-sender digest test.
def test_fifty_concurrent_voters_are_counted_exactly(tmp_path):
    data_dir = tmp_path / "data"
    # Two worker processes: they share nothing but the database.
    with serving(data_dir, timeout=120, workers=2) as base:
        setup = run_cli(data_dir, "shell", "-c", SETUP)
        assert setup.returncode == 0 and "ready" in setup.stdout, setup.stderr
        sessions = [line.split()[1:] for line in setup.stdout.splitlines() if line.startswith("session ")]
        assert len(sessions) == VOTERS
        with ThreadPoolExecutor(max_workers=10) as pool:
            clients = list(pool.map(lambda voter: logged_in(base, *voter), sessions))
        try:
            assert all_at_once(clients, "up") == [303] * VOTERS
            assert counts(data_dir) == (VOTERS, VOTERS)
            assert count_on_page(base) == VOTERS

            assert all_at_once(clients, "down") == [303] * VOTERS
            assert counts(data_dir) == (0, 0)
            assert count_on_page(base) == 0

            # One user double-clicking: ten identical "up" posts at once are one vote.
            same = [clients[0]] * 10
            assert all_at_once(same, "up") == [303] * 10
            assert counts(data_dir) == (1, 1)
            # Ten toggles at once from one user never count twice, and the counter matches the rows.
            assert all_at_once(same, None) == [303] * 10
            upvotes, rows = counts(data_dir)
            assert upvotes == rows and rows in (0, 1)
            assert count_on_page(base) == rows
        finally:
            for client in clients:
                client.close()
