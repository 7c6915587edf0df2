"""POST /papers/<arxiv_id>/upvote through the test client: permissions, CSRF, states, counts."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from paperfeed.community.votes.models import Vote
from paperfeed.feeds.models import TrendingScore
from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record

pytestmark = pytest.mark.django_db

URL = "/papers/2611.01234/upvote"
DAY = "/papers/date/2026-11-20"


def vote_forms(html: str) -> dict[str, tuple[str, str, str]]:
    """arXiv id → (aria-pressed, count, action) of every vote form on a page."""
    found = {}
    for form in re.findall(r'<form class="vote[^"]*".*?</form>', html, re.DOTALL):
        arxiv_id = re.search(r'action="/papers/([^"]+)/upvote"', form)[1]
        pressed = re.search(r'aria-pressed="(true|false)"', form)[1]
        count = re.search(r'class="vote-count" data-count="(\d+)"', form)[1]
        action = re.search(r'name="action" value="(up|down)"', form)[1]
        found[arxiv_id] = (pressed, count, action)
    return found


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(DAY)  # sets the csrftoken cookie
    return client


def post(client: Client, data: dict | None = None, **headers):
    token = client.cookies["csrftoken"].value
    return client.post(URL, {"csrfmiddlewaretoken": token, **(data or {})}, headers=headers)


def test_get_is_not_allowed(client, listed_paper, make_user):
    assert client.get(URL).status_code == 405
    client.force_login(make_user())
    response = client.get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


def test_anonymous_is_sent_to_login_and_back(client, listed_paper):
    response = client.post(URL, {"action": "up", "next": DAY})
    assert response.status_code == 302
    assert response["Location"] == f"/login?next={DAY}"
    assert not Vote.objects.exists()


def test_anonymous_htmx_gets_401_with_hx_redirect(client, listed_paper):
    response = client.post(
        URL,
        {"action": "up"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{DAY}?p=1"},
    )
    assert response.status_code == 401
    assert response["HX-Redirect"] == f"/login?next={DAY}%3Fp%3D1"
    assert Paper.objects.get(pk=listed_paper.pk).upvotes == 0


def test_csrf_is_enforced(listed_paper, make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post(URL, {"action": "up"})
    assert response.status_code == 403
    assert not Vote.objects.exists()
    assert Paper.objects.get(pk=listed_paper.pk).upvotes == 0


def test_vote_unvote_and_toggle_keep_the_counter_exact(listed_paper, make_user):
    user = make_user()
    client = csrf_client(user)

    def state():
        return Vote.objects.filter(user=user, paper=listed_paper).count(), Paper.objects.get(pk=listed_paper.pk).upvotes

    response = post(client, {"action": "up", "next": DAY})
    assert response.status_code == 303
    assert response["Location"] == DAY
    assert state() == (1, 1)
    assert post(client, {"action": "up"}).status_code == 303  # a double submit changes nothing
    assert state() == (1, 1)
    assert post(client, {"action": "down"}).status_code == 303
    assert state() == (0, 0)
    assert post(client, {"action": "down"}).status_code == 303
    assert state() == (0, 0)
    post(client)  # no action: toggle
    assert state() == (1, 1)
    post(client, {"action": "toggle"})
    assert state() == (0, 0)


def test_a_second_user_adds_to_the_count(listed_paper, make_user):
    for user in (make_user(), make_user()):
        post(csrf_client(user), {"action": "up"})
    assert Paper.objects.get(pk=listed_paper.pk).upvotes == 2
    assert Vote.objects.filter(paper=listed_paper).count() == 2


def test_redirect_goes_back_only_to_this_site(listed_paper, make_user):
    client = csrf_client(make_user())
    for unsafe in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = post(client, {"action": "up", "next": unsafe})
        assert response.status_code == 303
        assert response["Location"] == "/papers/2611.01234"


def test_bad_action_and_unknown_paper(listed_paper, make_user):
    client = csrf_client(make_user())
    assert post(client, {"action": "sideways"}).status_code == 400
    token = client.cookies["csrftoken"].value
    assert client.post("/papers/2611.99999/upvote", {"csrfmiddlewaretoken": token}).status_code == 404
    assert not Vote.objects.exists()


def test_versioned_id_votes_for_the_paper(listed_paper, make_user):
    client = csrf_client(make_user())
    token = client.cookies["csrftoken"].value
    assert (
        client.post(
            "/papers/2611.01234v2/upvote",
            {"csrfmiddlewaretoken": token, "action": "up"},
        ).status_code
        == 303
    )
    assert Paper.objects.get(pk=listed_paper.pk).upvotes == 1


def test_htmx_gets_the_fragment_back(listed_paper, make_user):
    client = csrf_client(make_user())
    entry = listed_paper.daily_entries.get()
    response = post(client, {"action": "up", "entry": str(entry.pk), "next": DAY}, HX_Request="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<form class="vote is-voted"')
    assert vote_forms(html) == {"2611.01234": ("true", "8", "down")}  # 7 imported + 1 local
    assert f'name="next" value="{DAY}"' in html
    response = post(client, {"action": "down", "size": "lg"}, HX_Request="true")
    assert vote_forms(response.content.decode()) == {"2611.01234": ("false", "7", "up")}
    assert 'class="vote vote-lg"' in response.content.decode()


def test_pages_show_the_total_and_the_users_state(client, listed_paper, make_user):
    voter, other = make_user(), make_user()
    post(csrf_client(voter), {"action": "up"})
    client.force_login(voter)
    assert vote_forms(client.get(DAY).content.decode())["2611.01234"] == (
        "true",
        "8",
        "down",
    )
    detail = client.get("/papers/2611.01234").content.decode()
    assert vote_forms(detail) == {"2611.01234": ("true", "8", "down")}
    assert 'class="vote vote-lg is-voted"' in detail
    client.force_login(other)
    assert vote_forms(client.get(DAY).content.decode())["2611.01234"] == (
        "false",
        "8",
        "up",
    )
    client.logout()
    assert vote_forms(client.get("/papers/2611.01234").content.decode()) == {"2611.01234": ("false", "8", "up")}


def test_search_results_have_vote_buttons(client, listed_paper):
    html = client.get("/papers/search?q=2611.01234").content.decode()
    if "vote-count" not in html:  # an arXiv id may redirect straight to the paper
        html = client.get("/papers/search?q=Votes+should+be+exact").content.decode()
    assert vote_forms(html)["2611.01234"] == ("false", "7", "up")


def test_voted_state_costs_one_query_per_page(client, listed_paper, make_user):
    user = make_user()
    _other_paper_on_the_same_day()
    post(csrf_client(user), {"action": "up"})
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(DAY).content.decode()
    assert len(vote_forms(html)) == 2
    vote_queries = [q["sql"] for q in queries.captured_queries if '"votes_vote"' in q["sql"]]
    assert len(vote_queries) == 1


def _other_paper_on_the_same_day(imported: int = 5) -> Paper:
    result = store_records(
        [
            build_record(
                arxiv_id="2611.05678",
                title="Another Paper",
                abstract="Second on the list.",
                authors=["Grace Hopper"],
                categories="cs.LG",
                versions=[{"version": "v1", "created": "2026-11-20T11:00:00Z"}],
            )
        ]
    )
    list_papers([Listing(result.paper_ids["2611.05678"], date(2026, 11, 20), imported, "", "")])
    return Paper.objects.get(arxiv_id="2611.05678")


def test_feed_orders_by_imported_plus_local_votes(client, listed_paper, make_user):
    other = _other_paper_on_the_same_day(imported=5)
    order = lambda: list(vote_forms(client.get(DAY).content.decode()))
    assert order() == ["2611.01234", "2611.05678"]  # 7 > 5
    for user in (make_user(), make_user(), make_user()):
        client.force_login(user)
        client.post(f"/papers/{other.arxiv_id}/upvote", {"action": "up"})
    client.logout()
    assert order() == ["2611.05678", "2611.01234"]  # 5 + 3 > 7
    assert vote_forms(client.get(DAY).content.decode())["2611.05678"] == (
        "false",
        "8",
        "up",
    )


def test_a_vote_refreshes_the_trending_score(listed_paper, make_user):
    post(csrf_client(make_user()), {"action": "up"})
    score = TrendingScore.objects.get(paper=listed_paper)
    assert (score.upvotes, score.comments) == (8, 0)


def test_votes_are_rate_limited(listed_paper, make_user):
    from paperfeed.community.votes.views import VOTE_LIMIT

    client = Client()
    client.force_login(make_user())
    for _ in range(VOTE_LIMIT.count):
        assert client.post(URL).status_code == 303
    response = client.post(URL)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 61
    assert Paper.objects.get(pk=listed_paper.pk).upvotes == 0  # an even number of toggles
