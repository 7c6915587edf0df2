"""Personal ranking, mute rules, saved searches, follows, the personal feed and digest sections."""

from __future__ import annotations

from datetime import UTC, date, datetime

import feedparser
import pytest
from django.test import Client

from paperfeed.community.votes.models import Vote
from paperfeed.digests.compose import compose
from paperfeed.digests.models import Subscription
from paperfeed.digests.periods import digest_period
from paperfeed.papers.models import DailyEntry, Paper, PaperVersion
from paperfeed.personal.models import FollowedAuthor, MuteRule, NotInterested, Preferences, Recommendation, SavedSearch
from paperfeed.personal.mutes import Mutes
from paperfeed.personal.recommend import recommend
from tests.community.conftest import PASSWORD

pytestmark = pytest.mark.django_db

DAY = date(2024, 10, 25)


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader", "reader@example.org", PASSWORD)


def _papers_in(code: str, n: int) -> list[Paper]:
    return list(Paper.objects.filter(primary_category__code=code, vector__isnull=False).order_by("arxiv_id")[:n])


def test_mute_rules_match_keyword_category_and_author(sample_db, reader):
    papers = list(
        Paper.objects.filter(primary_category__isnull=False, authorships__isnull=False)
        .select_related("primary_category")
        .distinct()
        .order_by("arxiv_id")[:40]
    )
    ids = [p.pk for p in papers]
    word = max(papers[0].title.split(), key=len)
    category = papers[1].primary_category.code
    author = papers[2].authorships.select_related("author").first().author.name
    MuteRule.objects.create(user=reader, kind="keyword", value=word.upper())
    MuteRule.objects.create(user=reader, kind="category", value=category)
    MuteRule.objects.create(user=reader, kind="author", value=author.lower())

    muted = Mutes.for_user(reader).muted_ids(ids)

    expected = {
        p.pk
        for p in papers
        if word.lower() in (p.title + " " + p.abstract).lower()
        or p.categories.filter(code=category).exists()
        or p.authorships.filter(author__name__iexact=author).exists()
    }
    assert muted == expected and set(ids[:3]) <= muted and len(muted) < len(ids)
    assert Mutes.for_user(None).muted_ids(ids) == set()


def test_recommend_learns_from_upvotes_and_explains_with_own_papers(sample_vectors, reader):
    liked = _papers_in("astro-ph", 8)
    assert len(liked) == 8
    for paper in liked:
        Vote.objects.create(user=reader, paper=paper)

    summary = recommend([reader])

    assert summary.trained == 1 and summary.picks == 50
    picks = list(Recommendation.objects.filter(user=reader).order_by("-score"))
    assert not {r.paper_id for r in picks} & {p.pk for p in liked}
    assert all(set(r.because) <= {p.pk for p in liked} and len(r.because) == 2 for r in picks)
    top = Paper.objects.filter(pk__in=[r.paper_id for r in picks[:10]]).select_related("primary_category")
    in_cv = sum(p.primary_category_id is not None and p.primary_category.code == "astro-ph" for p in top)
    assert in_cv >= 5, "a reader of astrophysics gets mostly astrophysics"


def test_muted_and_dismissed_papers_never_come_back(sample_vectors, reader):
    for paper in _papers_in("astro-ph", 8):
        Vote.objects.create(user=reader, paper=paper)
    MuteRule.objects.create(user=reader, kind="category", value="astro-ph")
    recommend([reader])
    picked = [r.paper_id for r in Recommendation.objects.filter(user=reader)]
    assert picked and not Paper.objects.filter(pk__in=picked, categories__code="astro-ph").exists()

    client = Client()
    client.force_login(reader)
    first = Paper.objects.get(pk=Recommendation.objects.filter(user=reader).order_by("-score").first().paper_id)
    assert client.get(f"/papers/{first.arxiv_id}/not-interested").status_code == 405
    response = client.post(f"/papers/{first.arxiv_id}/not-interested", {"next": "/for-you"})
    assert response.status_code == 303 and response["Location"] == "/for-you"
    assert NotInterested.objects.filter(user=reader, paper=first).exists()
    page = client.get("/for-you")
    assert first.get_absolute_url().encode() not in page.content


def test_cold_start_from_categories(sample_db, reader):
    Preferences.objects.create(user=reader, categories="hep-th")
    summary = recommend([reader])
    assert summary.cold_start == 1
    picks = Recommendation.objects.filter(user=reader)
    assert picks.exists() and all(r.source == "cold-start" for r in picks)
    assert not Paper.objects.filter(pk__in=picks.values("paper_id")).exclude(categories__code="hep-th").exists()


def test_for_you_page_needs_login_and_lists_picks_with_reasons(sample_vectors, reader):
    liked = _papers_in("astro-ph", 5)
    for paper in liked:
        Vote.objects.create(user=reader, paper=paper)
    recommend([reader])
    assert Client().get("/for-you").status_code == 302
    client = Client()
    client.force_login(reader)
    page = client.get("/for-you").content.decode()
    top = Recommendation.objects.filter(user=reader).order_by("-score").first()
    assert Paper.objects.get(pk=top.paper_id).get_absolute_url() in page
    assert "Because you liked" in page


def test_settings_forms_need_csrf_and_keep_rules(sample_db, reader):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert strict.post("/settings/personal/mute-add", {"kind": "keyword", "value": "quantum"}).status_code == 403
    client = Client()
    client.force_login(reader)
    client.post("/settings/personal/mute-add", {"kind": "keyword", "value": "<script>alert(1)</script>"})
    client.post("/settings/personal/search-add", {"query": "diffusion models for video", "threshold": "0.4"})
    client.post("/settings/personal/categories", {"categories": "cs.LG  cs.LG cs.CL"})
    assert list(MuteRule.objects.filter(user=reader).values_list("value", flat=True)) == ["<script>alert(1)</script>"]
    assert SavedSearch.objects.get(user=reader).threshold == 0.4
    assert Preferences.objects.get(user=reader).categories == "cs.LG cs.CL"
    page = client.get("/settings/personal").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert client.post("/settings/personal/bogus").status_code == 404


def test_personal_feed_at_a_secret_url(sample_vectors, reader):
    for paper in _papers_in("astro-ph", 5):
        Vote.objects.create(user=reader, paper=paper)
    recommend([reader])
    token = Preferences.objects.get_or_create(user=reader, defaults={"categories": "astro-ph"})[0].feed_token
    response = Client().get(f"/feeds/personal/{token}.atom")
    feed = feedparser.parse(response.content)
    assert response.status_code == 200 and feed.bozo == 0 and len(feed.entries) == 50
    assert Client().get("/feeds/personal/not-the-token.atom").status_code == 404
    client = Client()
    client.force_login(reader)
    client.post("/settings/personal/rotate-feed")
    assert Client().get(f"/feeds/personal/{token}.atom").status_code == 404
    prefs = Preferences.objects.get(user=reader)
    assert prefs.categories == "astro-ph", "rotating the feed keeps the reader's other preferences"
    assert Client().get(f"/feeds/personal/{prefs.feed_token}.atom").status_code == 200


def test_digest_has_personal_sections_and_respects_mutes(sample_vectors, reader):
    entries = list(DailyEntry.objects.filter(date=DAY).select_related("paper").order_by("-upvotes")[:3])
    muted, followed_paper, saved = (e.paper for e in entries)
    MuteRule.objects.create(user=reader, kind="keyword", value=muted.title)
    author = followed_paper.authorships.select_related("author").first().author
    FollowedAuthor.objects.create(user=reader, author=author)
    SavedSearch.objects.create(user=reader, query=saved.title, threshold=0.5)
    Vote.objects.create(user=reader, paper=saved)
    PaperVersion.objects.update_or_create(
        paper=saved, number=2, defaults={"created": datetime(2024, 10, 25, 12, tzinfo=UTC)}
    )
    subscription = Subscription.objects.create(email="reader@example.org", user=reader, status="active")

    digest = compose(subscription, digest_period("daily", DAY))

    titles = {s.title: [i.paper.pk for i in s.items] for s in digest.sections}
    assert muted.pk not in {pid for ids in titles.values() for pid in ids}
    assert saved.pk in titles["New for your saved searches"]
    assert followed_paper.pk in titles["From authors you follow"]
    assert "New versions of papers you saved" not in titles  # shown once: already in saved searches
    everyone = compose(Subscription(email="x@example.org"), digest_period("daily", DAY))
    assert muted.pk in [i.paper.pk for i in everyone.sections[0].items]


def test_new_version_of_a_saved_paper_is_announced(sample_db, reader):
    paper = Paper.objects.order_by("arxiv_id").first()
    Vote.objects.create(user=reader, paper=paper)
    PaperVersion.objects.update_or_create(
        paper=paper, number=3, defaults={"created": datetime(2031, 5, 5, 9, tzinfo=UTC)}
    )
    subscription = Subscription.objects.create(email="reader@example.org", user=reader, status="active")
    digest = compose(subscription, digest_period("daily", date(2031, 5, 5)))
    sections = {s.title: s for s in digest.sections}
    # The vote also makes picks (For you refreshes itself); the new version has its own section.
    assert set(sections) <= {"New versions of papers you saved", "Picked for you"}
    section = sections["New versions of papers you saved"]
    assert [(i.paper.pk, i.note) for i in section.items] == [(paper.pk, "v3 is out")]
