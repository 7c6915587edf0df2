"""Fifty voters at once against a real server: the count stays exact.

A real `paperfeed serve` (gunicorn, its own SQLite data directory), fifty accounts logged in
through /login like a browser would, and fifty threads released together by a barrier.
"""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.helpers import child_query, run_cli, serving

VOTERS = 50
PASSWORD = "correct horse battery staple"
ARXIV_ID = "2611.04242"

# Users share one password hash (hashing fifty times would only slow the test down); the
# paper has no daily entry, so every vote on the page is a local one.
SETUP = f"""
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record
hashed = make_password({PASSWORD!r})
User.objects.bulk_create([User(username=f"voter{{i}}", password=hashed) for i in range({VOTERS})])
store_records([build_record(arxiv_id={ARXIV_ID!r}, title="Concurrency", abstract="Fifty voters.",
    authors=["A. Voter"], categories="cs.DC", versions=[{{"version": "v1", "created": "2026-11-20T10:00:00Z"}}])])
print("ready")
"""


def logged_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    client.get("/login").raise_for_status()
    token = client.cookies["csrftoken"]
    response = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code in (302, 303), (
        username,
        response.status_code,
        response.text[:300],
    )
    assert "sessionid" in client.cookies
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
        with ThreadPoolExecutor(max_workers=10) as pool:
            clients = list(pool.map(lambda i: logged_in(base, f"voter{i}"), range(VOTERS)))
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
