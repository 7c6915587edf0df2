"""/papers/submit through the test client; unknown papers come from a real loopback arXiv
(tests/sources/fixture_server.py serving the RECORDED id_list=1707.08567 answer)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from paperfeed.community.accounts.models import Attempt
from paperfeed.community.orgs.models import Membership
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.sources.models import IngestRun

from .support import (
    csrf_client,
    fresh_arxiv_id,
    list_paper,
    make_org,
    make_paper,
    token,
)

pytestmark = pytest.mark.django_db

RECORDED_ID = "1707.08567"  # published 2017-07-27T08:18:33Z
RECORDED_TITLE = "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"


def today() -> date:
    return timezone.now().date()


def post(client, **data):
    return client.post("/papers/submit", {"csrfmiddlewaretoken": token(client), **data})


def form_errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


# -- access --------------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client):
    assert client.get("/papers/submit")["Location"] == "/login?next=/papers/submit"
    response = client.post("/papers/submit", {"paper": "2612.99001"})
    assert (response.status_code, response["Location"]) == (302, "/login?next=/papers/submit")
    assert DailyEntry.objects.filter(submitter__isnull=False).count() == 0


def test_other_methods_are_405(make_user):
    client = csrf_client(make_user())
    csrf = token(client)  # past the CSRF check: the view itself refuses the method
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)("/papers/submit", HTTP_X_CSRFTOKEN=csrf).status_code == 405


def test_a_post_without_the_csrf_token_is_refused(make_user):
    paper = make_paper()
    client = csrf_client(make_user("ada"))
    response = client.post("/papers/submit", {"paper": paper.arxiv_id})
    assert response.status_code == 403
    assert not DailyEntry.objects.filter(paper=paper).exists()


def test_the_form_defaults_to_today_utc_and_offers_only_the_users_organizations(make_user):
    user = make_user("ada")
    client = csrf_client(user)
    page = client.get("/papers/submit").content.decode()
    assert 'name="paper"' in page
    assert f'name="date" id="id_date" value="{today():%Y-%m-%d}" max="{today():%Y-%m-%d}"' in page
    assert 'name="organization"' not in page  # no memberships: no choice to make
    assert "at most 14 days older than the day" in page
    assert "up to 20 papers in 24 hours" in page

    mine, other = make_org("sub-mine", "Mine Lab"), make_org("sub-other", "Other Lab")
    Membership.objects.create(organization=mine, user=user)
    page = client.get("/papers/submit").content.decode()
    assert '<option value="sub-mine">Mine Lab</option>' in page
    assert "Other Lab" not in page
    assert other.slug not in page


# -- accepted ------------------------------------------------------------------------------


def test_a_known_paper_goes_on_todays_list_with_the_submitter(make_user):
    user = make_user("ada")
    paper = make_paper(title="Known paper", age_days=3)
    client = csrf_client(user)
    response = post(client, paper=f"https://huggingface.co/papers/{paper.arxiv_id}")
    assert (response.status_code, response["Location"]) == (303, f"/papers/{paper.arxiv_id}")
    entry = DailyEntry.objects.get(paper=paper)
    assert (entry.date, entry.submitted_by, entry.submitter, entry.organization, entry.upvotes) == (today(), "ada", user, None, 0)
    page = client.get(response["Location"]).content.decode()
    assert f'Daily Papers for {today():%b} {today().day}, {today():%Y}</a>, submitted by <a href="/users/ada"><strong>ada</strong></a>' in page
    feed = client.get(f"/papers/date/{today():%Y-%m-%d}").content.decode()
    assert 'submitted by <a href="/users/ada"><strong>ada</strong></a>' in feed
    assert Attempt.objects.filter(scope="submit", key=str(user.pk)).count() == 1


@pytest.mark.parametrize(
    "reference",
    ["{id}", "arXiv:{id}v2", "https://arxiv.org/abs/{id}v3", "https://arxiv.org/pdf/{id}.pdf", "  {id}  "],
)
def test_ids_and_urls_are_resolved(make_user, reference):
    paper = make_paper()
    response = post(csrf_client(make_user()), paper=reference.format(id=paper.arxiv_id))
    assert response.status_code == 303
    assert DailyEntry.objects.filter(paper=paper).count() == 1


def test_an_earlier_day_can_be_chosen_and_the_organization_is_the_users(make_user):
    user = make_user("ada")
    org = make_org("sub-lab", "Sub Lab")
    Membership.objects.create(organization=org, user=user)
    paper = make_paper(age_days=10)
    day = today() - timedelta(days=4)
    response = post(csrf_client(user), paper=paper.arxiv_id, date=f"{day:%Y-%m-%d}", organization="sub-lab")
    assert response.status_code == 303
    entry = DailyEntry.objects.get(paper=paper)
    assert (entry.date, entry.organization, entry.submitter) == (day, org, user)


def test_an_organization_the_user_is_not_a_member_of_is_refused(make_user):
    make_org("sub-foreign", "Foreign Lab")
    paper = make_paper()
    response = post(csrf_client(make_user()), paper=paper.arxiv_id, organization="sub-foreign")
    assert response.status_code == 400
    assert response.context["form"].errors["organization"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not DailyEntry.objects.filter(paper=paper).exists()


def test_an_unknown_paper_is_fetched_from_arxiv_and_listed(make_user, arxiv_server):
    Paper.objects.filter(arxiv_id=RECORDED_ID).delete()  # the bundled sample may hold it
    user = make_user("ada")
    response = post(csrf_client(user), paper=f"https://arxiv.org/abs/{RECORDED_ID}", date="2017-08-01")
    assert (response.status_code, response["Location"]) == (303, f"/papers/{RECORDED_ID}")
    assert [q for _, _, _, q in arxiv_server.requests_to("/api/query")] == [
        {"search_query": "", "id_list": RECORDED_ID, "start": "0", "max_results": "100"}
    ]
    paper = Paper.objects.get(arxiv_id=RECORDED_ID)
    assert (paper.title, paper.num_authors, paper.published) == (
        RECORDED_TITLE, 34, datetime(2017, 7, 27, 8, 18, 33, tzinfo=UTC)
    )
    entry = DailyEntry.objects.get(paper=paper)
    assert (entry.date, entry.submitted_by, entry.submitter) == (date(2017, 8, 1), "ada", user)
    run = IngestRun.objects.filter(source="submit").latest("pk")
    assert (run.status, run.new, run.requests, run.arguments) == ("ok", 1, 1, f"web: {RECORDED_ID}")


def test_max_age_zero_lifts_the_age_limit(make_user, settings):
    settings.PAPERFEED_SUBMIT_MAX_AGE_DAYS = 0
    paper = make_paper(age_days=400)
    assert post(csrf_client(make_user()), paper=paper.arxiv_id).status_code == 303
    assert DailyEntry.objects.get(paper=paper).date == today()


# -- refused -------------------------------------------------------------------------------


def test_a_paper_too_old_for_the_list_is_refused_with_the_rule(make_user, arxiv_server):
    Paper.objects.filter(arxiv_id=RECORDED_ID).delete()
    response = post(csrf_client(make_user()), paper=RECORDED_ID, date="2017-09-01")
    assert response.status_code == 400
    assert form_errors(response) == [
        (
            "1707.08567 first appeared on arXiv on 2017-07-27, 36 days before the list of 2017-09-01: "
            "papers can be submitted within 14 days of their first version."
        )
    ]
    assert "papers can be submitted within 14 days of their first version." in response.content.decode()
    assert not DailyEntry.objects.filter(paper__arxiv_id=RECORDED_ID).exists()


def test_a_known_paper_too_old_for_today_is_refused(make_user):
    paper = make_paper(age_days=15.5)
    response = post(csrf_client(make_user()), paper=paper.arxiv_id)
    assert response.status_code == 400
    first = (timezone.now() - timedelta(days=15.5)).date()
    assert form_errors(response) == [
        (
            f"{paper.arxiv_id} first appeared on arXiv on {first:%Y-%m-%d}, {(today() - first).days} days before "
            f"the list of {today():%Y-%m-%d}: papers can be submitted within 14 days of their first version."
        )
    ]
    assert not DailyEntry.objects.filter(paper=paper).exists()


def test_a_list_before_the_paper_existed_is_refused(make_user):
    paper = make_paper(age_days=1)
    day = today() - timedelta(days=5)
    response = post(csrf_client(make_user()), paper=paper.arxiv_id, date=f"{day:%Y-%m-%d}")
    assert response.status_code == 400
    first = (timezone.now() - timedelta(days=1)).date()
    assert form_errors(response) == [
        f"{paper.arxiv_id} first appeared on arXiv on {first:%Y-%m-%d}, after the list of {day:%Y-%m-%d}."
    ]


def test_a_paper_already_listed_on_any_day_is_refused_without_asking_arxiv(make_user, arxiv_server):
    paper = make_paper(age_days=5)
    list_paper(paper, today() - timedelta(days=3), submitted_by="someone")
    response = post(csrf_client(make_user()), paper=paper.arxiv_id)
    assert response.status_code == 400
    assert form_errors(response) == [
        f"{paper.arxiv_id} is already on the list of {today() - timedelta(days=3):%Y-%m-%d}; a paper is listed once."
    ]
    assert list(DailyEntry.objects.filter(paper=paper).values_list("submitted_by", flat=True)) == ["someone"]
    assert arxiv_server.requests == []


def test_submitting_the_same_paper_twice_lists_it_once(make_user):
    paper = make_paper()
    client = csrf_client(make_user("ada"))
    assert post(client, paper=paper.arxiv_id).status_code == 303
    again = post(client, paper=paper.arxiv_id)
    assert again.status_code == 400
    assert form_errors(again) == [f"{paper.arxiv_id} is already on the list of {today():%Y-%m-%d}; a paper is listed once."]
    assert DailyEntry.objects.filter(paper=paper).count() == 1


@pytest.mark.parametrize("garbage", ["", "hello world", "https://example.org/abs/2412.13148", "2413.13148", "<script>x</script>"])
def test_garbage_is_a_form_error_and_costs_nothing(make_user, garbage, arxiv_server):
    user = make_user()
    response = post(csrf_client(user), paper=garbage)
    assert response.status_code == 400
    not_a_reference = (
        "That is not an arXiv id or link. Use an id such as 2412.13148 or a link to an arxiv.org abs/pdf "
        "page or a huggingface.co/papers page."
    )
    expected = ["This field is required."] if not garbage else [not_a_reference]
    assert response.context["form"].errors["paper"] == expected
    page = response.content.decode()
    assert "<script>x</script>" not in page
    if garbage == "<script>x</script>":
        assert 'value="&lt;script&gt;x&lt;/script&gt;"' in page
    assert Attempt.objects.filter(scope="submit", key=str(user.pk)).count() == 0
    assert arxiv_server.requests == []


def test_a_future_day_is_refused(make_user):
    paper = make_paper()
    tomorrow = today() + timedelta(days=1)
    response = post(csrf_client(make_user()), paper=paper.arxiv_id, date=f"{tomorrow:%Y-%m-%d}")
    assert response.status_code == 400
    assert form_errors(response) == [f"The list of {tomorrow:%Y-%m-%d} is in the future (today is {today():%Y-%m-%d} UTC)."]


def test_a_withdrawn_paper_is_refused(make_user):
    paper = make_paper(withdrawn=True)
    response = post(csrf_client(make_user()), paper=paper.arxiv_id)
    assert response.status_code == 400
    assert form_errors(response) == [f"{paper.arxiv_id} has been withdrawn from arXiv."]
    assert not DailyEntry.objects.filter(paper=paper).exists()


def test_a_paper_arxiv_does_not_know_is_refused(make_user, arxiv_server):
    from tests.sources.fixture_server import derive_atom

    missing = fresh_arxiv_id()
    empty = derive_atom(arxiv_server._recorded_api[("", RECORDED_ID, "0", "100")][1], slice(0, 0), 0, 0, 0)
    arxiv_server.add_api_response({"search_query": "", "id_list": missing, "start": 0, "max_results": 100}, empty)
    response = post(csrf_client(make_user()), paper=missing)
    assert response.status_code == 400
    assert form_errors(response) == [f"arXiv does not know the paper {missing}."]
    assert not Paper.objects.filter(arxiv_id=missing).exists()
    assert len(arxiv_server.requests_to("/api/query")) == 1


def test_an_arxiv_failure_is_a_502_that_writes_nothing(make_user, arxiv_server):
    Paper.objects.filter(arxiv_id=RECORDED_ID).delete()
    arxiv_server.fail_next(503)
    response = post(csrf_client(make_user()), paper=RECORDED_ID, date="2017-08-01")
    assert response.status_code == 502
    assert form_errors(response) == ["arXiv could not be reached or sent an unreadable answer; please try again later."]
    assert not Paper.objects.filter(arxiv_id=RECORDED_ID).exists()
    assert not DailyEntry.objects.filter(paper__arxiv_id=RECORDED_ID).exists()
    run = IngestRun.objects.filter(source="submit").latest("pk")
    assert (run.status, run.requests) == ("failed", 1)
    assert "HTTP 503" in run.message


def test_the_daily_limit_answers_429_with_retry_after(make_user, settings):
    settings.PAPERFEED_SUBMISSIONS_PER_DAY = 2
    user = make_user()
    client = csrf_client(user)
    papers = [make_paper() for _ in range(3)]
    assert [post(client, paper=p.arxiv_id).status_code for p in papers[:2]] == [303, 303]
    response = post(client, paper=papers[2].arxiv_id)
    assert response.status_code == 429
    assert 86_300 < int(response["Retry-After"]) <= 86_401
    assert "You have submitted 2 papers in the last 24 hours, the most allowed." in response.content.decode()
    assert not DailyEntry.objects.filter(paper=papers[2]).exists()
    # Another user is not affected.
    assert post(csrf_client(make_user()), paper=papers[2].arxiv_id).status_code == 303


# -- escaping ------------------------------------------------------------------------------


def test_a_hostile_submitted_by_and_organization_are_escaped_on_the_feed(client):
    paper = make_paper(title="Escaping check")
    org = make_org("sub-xss", '<script>alert("org")</script>')
    list_paper(paper, date(2026, 12, 20), submitted_by='"><img src=x onerror=alert(1)>', organization=org)
    page = client.get("/papers/date/2026-12-20").content.decode()
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;org&quot;)&lt;/script&gt;" in page
    assert '<script>alert("org")' not in page
