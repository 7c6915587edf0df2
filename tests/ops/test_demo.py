"""`paperfeed demo` as a newcomer meets it: a real server over the bundled sample, spoken to
over HTTP. It opens on a full day, and submitting a paper succeeds."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest

from tests.helpers import run_cli, serving

PASSWORD = "correct horse battery staple"
NEWCOMER = f"""
from django.contrib.auth import get_user_model
get_user_model().objects.create_user("newcomer", "newcomer@example.org", "{PASSWORD}")
"""


def _csrf(client: httpx.Client, path: str) -> str:
    html = client.get(path).text
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo-data")
    with serving(data_dir, "demo") as url:
        yield url, data_dir


def test_the_front_page_is_a_full_day_with_upvotes_and_submitters(demo):
    """Hugging Face's list of 2024-10-25: 29 papers, each with its upvotes and submitter (that
    response names no organizations; the seed papers' days carry those)."""
    url, _ = demo
    html = httpx.get(f"{url}/papers", timeout=30).text
    assert "Friday, October 25, 2024" in html and "This is the latest full day." in html
    counts = [int(n) for n in re.findall(r'class="vote-count" data-count="(\d+)"', html)]
    assert len(counts) >= 20 and all(n > 0 for n in counts)
    assert html.count("submitted by") >= 20


def test_absolute_links_name_the_port_the_demo_serves_on(demo):
    """Without PAPERFEED_BASE_URL a demo on another port links to itself, not to port 8000."""
    url, _ = demo
    feed = httpx.get(f"{url}/feeds/daily.atom", timeout=30)
    assert feed.status_code == 200
    self_links = re.findall(r'<link[^>]*rel="self"[^>]*>', feed.text)
    assert self_links and f'href="{url}/' in self_links[0], self_links


def test_a_newcomer_submits_a_paper_of_the_sample_to_todays_list(demo):
    url, data_dir = demo
    made = run_cli(data_dir, "shell", "-c", NEWCOMER)
    assert made.returncode == 0, made.stderr
    with httpx.Client(base_url=url, timeout=30) as client:
        login = client.post("/login", data={"csrfmiddlewaretoken": _csrf(client, "/login"), "username": "newcomer", "password": PASSWORD})
        assert login.status_code in (302, 303), login.text[:500]

        page = client.get("/papers/submit").text
        assert "Papers of any age can be submitted." in page
        suggested = re.findall(r"<code>([^<]+)</code></li>", page)
        assert suggested, "the submit page suggests papers on no list yet"
        paper = suggested[0]

        response = client.post("/papers/submit", data={"csrfmiddlewaretoken": _csrf(client, "/papers/submit"), "paper": paper})
        assert response.status_code == 303, response.text[:2000]
        assert response.headers["Location"] == f"/papers/{paper}"
        html = client.get(f"/papers/{paper}").text
        assert re.search(r"submitted by <a [^>]*><strong>newcomer</strong>", html)
        # Its trending age starts with today's listing, not with its old v1 date.
        assert re.search(r"0 upvotes, 0 comments, \d+ h old", html), re.findall(r"\d[\d,]* (?:h|days) old", html)
        today = datetime.now(UTC).date()
        assert f'href="/papers/{paper}"' in client.get(f"/papers/date/{today:%Y-%m-%d}").text
        # The rules still hold: a paper is listed once.
        again = client.post("/papers/submit", data={"csrfmiddlewaretoken": _csrf(client, "/papers/submit"), "paper": paper})
        assert again.status_code == 400 and "already on the list" in again.text
