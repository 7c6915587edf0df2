"""For you fills itself: picks refreshed on the next page view after a vote, a save or a
"not interested", each with one line of why; "Not interested" in place; follow and mute feedback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from paperfeed.community.collections.saving import add_paper, create_collection
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.personal.fresh import NEIGHBOURS, SEEDS
from paperfeed.personal.models import FollowedAuthor, MuteRule, NotInterested, PickState, Preferences, Recommendation
from paperfeed.personal.recommend import recommend
from tests.community.conftest import PASSWORD

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "paperfeed" / "templates"


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader", "reader@example.org", PASSWORD)


@pytest.fixture
def browser(reader):
    client = Client()
    client.force_login(reader)
    return client


def _papers_in(code: str, n: int) -> list[Paper]:
    return list(Paper.objects.filter(primary_category__code=code, vector__isnull=False).order_by("arxiv_id")[:n])


def pick_ids(html: str) -> list[str]:
    return re.findall(r'<a href="/papers/([^"]+)" class="card-title', html)


def test_upvotes_fill_for_you_without_any_command(browser, reader, sample_vectors):
    assert "No picks yet" in browser.get("/for-you").content.decode()
    liked = _papers_in("astro-ph", 4)
    for paper in liked:  # through the real vote endpoint, as a reader does it
        assert browser.post(f"/papers/{paper.arxiv_id}/upvote").status_code in (200, 303)

    html = browser.get("/for-you").content.decode()

    picks = list(Recommendation.objects.filter(user=reader))
    assert picks and all(r.source == "nearest" for r in picks)
    assert len(picks) <= min(50, SEEDS * NEIGHBOURS)
    shown = pick_ids(html)
    assert shown and not set(shown) & {p.arxiv_id for p in liked}
    top = Paper.objects.filter(arxiv_id__in=shown[:10]).select_related("primary_category")
    assert sum(p.primary_category is not None and p.primary_category.code == "astro-ph" for p in top) >= 5
    # One line of why per card, inside the card (not a stray list item of its own).
    cards = re.findall(r'<li class="card[^"]*">(.*?)</li>\s*(?=<li class="card|</ol>)', html, re.S)
    assert len(cards) == len(shown)
    for card in cards:
        assert card.count('class="pick-why"') == 1 and card.count("Because you liked") == 1
    liked_urls = {p.get_absolute_url() for p in liked}
    assert set(re.findall(r'Because you liked</span> <a href="([^"]+)"', html)) <= liked_urls
    assert ";" not in re.sub(r"&[#\w]+;", "", "".join(re.findall(r'<p class="pick-reason">(.*?)</p>', html, re.S)))
    assert "paperfeed recommend" not in html and "<code>" not in html


def test_picks_follow_each_new_signal(browser, reader, sample_vectors):
    for paper in _papers_in("astro-ph", 3):
        browser.post(f"/papers/{paper.arxiv_id}/upvote")
    browser.get("/for-you")
    state = PickState.objects.get(user=reader)
    assert not state.stale
    first = set(Recommendation.objects.filter(user=reader).values_list("paper_id", flat=True))
    browser.get("/for-you")  # nothing changed: the stored picks are served as they are
    assert PickState.objects.get(user=reader).computed_at == state.computed_at

    # Saving papers of another field to a collection counts too.
    collection = create_collection(reader, "Reading")
    for paper in _papers_in("hep-th", 8):
        add_paper(collection, paper)
    assert PickState.objects.get(user=reader).stale
    browser.get("/for-you")
    second = set(Recommendation.objects.filter(user=reader).values_list("paper_id", flat=True))
    assert second != first
    assert Paper.objects.filter(pk__in=second, primary_category__code="hep-th").exists()


def test_nightly_batch_picks_are_not_recomputed_on_the_next_view(browser, reader, sample_vectors):
    for paper in _papers_in("astro-ph", 5):
        browser.post(f"/papers/{paper.arxiv_id}/upvote")
    recommend([reader])
    browser.get("/for-you")
    assert set(Recommendation.objects.filter(user=reader).values_list("source", flat=True)) == {"model"}


def test_cold_start_picks_say_why_in_words(browser, reader, sample_db):
    code = (
        DailyEntry.objects.filter(paper__primary_category__isnull=False)
        .order_by("-date")
        .values_list("paper__primary_category__code", flat=True)
        .first()
    )
    browser.post("/settings/personal/categories", {"categories": code})
    html = browser.get("/for-you").content.decode()
    assert pick_ids(html) and f"New in {code}, a category you follow" in html
    assert set(Recommendation.objects.filter(user=reader).values_list("source", flat=True)) == {"cold-start"}


def test_not_interested_in_place_and_without_javascript(browser, reader, sample_vectors):
    for paper in _papers_in("astro-ph", 4):
        browser.post(f"/papers/{paper.arxiv_id}/upvote")
    first = pick_ids(browser.get("/for-you").content.decode())[0]
    paper = Paper.objects.get(arxiv_id=first)

    fragment = browser.post(f"/papers/{first}/not-interested", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert fragment.status_code == 200 and html.lstrip().startswith('<li class="card pick-dismissed"')
    assert "fewer papers like" in html and 'name="undo" value="1"' in html and "<html" not in html
    assert NotInterested.objects.filter(user=reader, paper=paper).exists()
    assert first not in pick_ids(browser.get("/for-you").content.decode())

    undone = browser.post(f"/papers/{first}/not-interested", {"undo": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert f'href="/papers/{first}" class="card-title' in undone and "Not interested" in undone
    assert not NotInterested.objects.filter(user=reader, paper=paper).exists()

    plain = browser.post(f"/papers/{first}/not-interested", {"next": "/for-you"})
    assert plain.status_code == 303 and plain["Location"] == "/for-you"


def test_following_shows_on_the_paper_page_and_can_be_undone(browser, reader, sample_db):
    paper = Paper.objects.get(arxiv_id="0704.0001")  # C. Balázs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan
    name = paper.authorships.select_related("author").first().author.name
    url = paper.get_absolute_url()
    assert "Following" not in browser.get(url).content.decode()
    response = browser.post("/settings/personal/follow", {"name": name, "next": url})
    assert response.status_code == 303 and response["Location"] == url
    html = browser.get(url).content.decode()
    assert f"Following <strong>{name}</strong>" in html and f'aria-label="Unfollow {name}"' in html
    assert 'hx-select="#follow-box"' in html
    assert FollowedAuthor.objects.filter(user=reader, author__name=name).exists()
    browser.post("/settings/personal/unfollow", {"name": name, "next": url})
    assert "Following <strong>" not in browser.get(url).content.decode()


def test_adding_a_mute_says_what_it_hid(browser, reader, sample_db):
    latest = DailyEntry.objects.latest("date").date
    title = DailyEntry.objects.filter(date=latest).select_related("paper").first().paper.title
    browser.post("/settings/personal/mute-add", {"kind": "keyword", "value": title})
    html = browser.get("/settings/personal").content.decode()
    assert re.search(r"Muted keyword “[^”]+”: \d+ papers? of the last 30 days", html)
    browser.post("/settings/personal/mute-add", {"kind": "keyword", "value": "zxqvbnflurble"})
    assert "No paper of the last 30 days" in browser.get("/settings/personal").content.decode()
    assert MuteRule.objects.filter(user=reader).count() == 2


def test_trending_says_how_many_papers_mutes_hide(browser, reader, sample_db):
    from paperfeed.feeds import trending
    from paperfeed.feeds.models import TrendingScore

    if not TrendingScore.objects.exists():
        trending.recompute(days=100000)
    score = TrendingScore.objects.select_related("paper").order_by("-score").first()
    MuteRule.objects.create(user=reader, kind="keyword", value=score.paper.title)
    html = browser.get("/papers/trending").content.decode()
    assert re.search(r"\d+ papers? hidden by your mutes", html)


def test_no_command_names_on_reader_pages():
    """Operators read docs; readers never meet `paperfeed …` (the empty-site page of a fresh
    install is for its operator, and so is what a page shows only to staff)."""
    staff_only = re.compile(r"{% if user\.is_staff %}.*?{% endif %}", re.S)
    offenders = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if path.name != "empty.html"
        and re.search(r"paperfeed (recommend|index|trending|ingest|demo)\b", staff_only.sub("", path.read_text()))
    ]
    assert offenders == []


def test_preferences_change_marks_picks_stale(reader):
    PickState.objects.create(user=reader, version=3, computed_version=3)
    Preferences.objects.update_or_create(user=reader, defaults={"categories": "cs.LG"})
    assert PickState.objects.get(user=reader).stale


def test_feed_secret_and_its_rotation_leave_the_picks_current(reader):
    """The pages that link the personal feed make an empty Preferences row, and rotating the
    feed's secret saves only the token: neither changes what the picks depend on."""
    from paperfeed.personal.models import new_feed_token

    PickState.objects.create(user=reader, version=3, computed_version=3)
    Preferences.objects.get_or_create(user=reader)
    Preferences.objects.update_or_create(user=reader, defaults={"feed_token": new_feed_token()})
    assert not PickState.objects.get(user=reader).stale
    Preferences.objects.update_or_create(user=reader, defaults={"categories": "cs.CL"})
    assert PickState.objects.get(user=reader).stale
