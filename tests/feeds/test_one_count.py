"""One paper, one count: a paper listed on several days shows once on a week or month page,
and its upvotes are the same number on every card, trending line and paper page.

2410.18693 is on the bundled sample's lists of 2024-10-24 (the seed: 3 upvotes, reported
then) and 2024-10-25 (Hugging Face's list: 35). Hugging Face counts the paper once: 35.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from paperfeed.community.votes.models import Vote
from paperfeed.feeds.trending import recompute
from paperfeed.papers.models import Paper

pytestmark = pytest.mark.django_db

TWICE_LISTED = "2410.18693"
HF_COUNT = 35


def _counts(html: str, arxiv_id: str) -> list[int]:
    """The vote counts of every card (vote button) of this paper on a page."""
    action = f'action="/papers/{arxiv_id}/upvote"'
    forms = [part for part in html.split("<form")[1:] if action in part.split(">", 1)[0]]
    return [int(re.search(r'data-count="(\d+)"', form)[1]) for form in forms]


@pytest.mark.parametrize("url", ["/papers/week/2024-W43", "/papers/month/2024-10"])
def test_a_paper_listed_on_two_days_shows_once_on_week_and_month_pages(sample_db, client, url):
    html = client.get(url).content.decode()
    assert _counts(html, TWICE_LISTED) == [HF_COUNT]


def test_day_pages_and_the_paper_page_show_the_same_count(sample_db, client):
    assert _counts(client.get("/papers/date/2024-10-24").content.decode(), TWICE_LISTED) == [HF_COUNT]
    assert _counts(client.get("/papers/date/2024-10-25").content.decode(), TWICE_LISTED) == [HF_COUNT]
    assert _counts(client.get(f"/papers/{TWICE_LISTED}").content.decode(), TWICE_LISTED) == [HF_COUNT]
    assert f"- Upvotes: {HF_COUNT}\n" in client.get(f"/papers/{TWICE_LISTED}.md").content.decode()


def test_local_votes_add_to_the_one_count_everywhere(sample_db, client, django_user_model):
    paper = Paper.objects.get(arxiv_id=TWICE_LISTED)
    for name in ("ada", "bob"):
        Vote.objects.create(user=django_user_model.objects.create_user(name), paper=paper)
    Paper.objects.filter(pk=paper.pk).update(upvotes=2)
    for url in ("/papers/week/2024-W43", "/papers/date/2024-10-24", f"/papers/{TWICE_LISTED}"):
        assert _counts(client.get(url).content.decode(), TWICE_LISTED) == [HF_COUNT + 2], url


def test_trending_box_and_reasons_line_agree(sample_db, client):
    recompute(now=datetime(2024, 10, 27, tzinfo=UTC), days=None)
    html = client.get("/papers/trending", {"p": 1}).content.decode()
    for page in range(2, 6):  # the paper's card may be on a later page
        if _counts(html, TWICE_LISTED):
            break
        html = client.get("/papers/trending", {"p": page}).content.decode()
    assert _counts(html, TWICE_LISTED) == [HF_COUNT]
    card = html[html.index(f'action="/papers/{TWICE_LISTED}/upvote"') :]
    why = re.search(r'class="trending-why[^"]*".*?</span>(\d+) upvotes?,', card, re.S)
    assert why and int(why[1]) == HF_COUNT
