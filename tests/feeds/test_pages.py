"""Feed pages through Django's test client, over the bundled sample."""

import re

import pytest

from paperfeed.papers.models import DailyEntry

pytestmark = pytest.mark.django_db

SWAN = "SWAN: SGD with Normalization and Whitening Enables Stateless LLM Training"


def card_titles(html: str) -> list[str]:
    return re.findall(r'<a [^>]*href="/papers/[^"]+"[^>]*class="[^"]*card-title[^"]*"[^>]*>(.*?)</a>', html, re.S)


def test_papers_opens_on_the_latest_full_day_and_links_the_newer_short_list(client, sample_db):
    """The sample's newest days hold one seed paper each: /papers opens on Hugging Face's list
    of 2024-10-25 (29 papers, all with upvotes) and says which newer list it skipped."""
    latest = DailyEntry.objects.latest("date").date
    assert DailyEntry.objects.filter(date=latest).count() < 10
    response = client.get("/papers")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Friday, October 25, 2024" in html
    assert len(card_titles(html)) == 29
    assert "This is the latest full day." in html
    assert f'href="/papers/date/{latest:%Y-%m-%d}"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_papers_opens_on_the_newest_day_when_it_is_full(client, sample_db, settings):
    from datetime import date

    from paperfeed.papers.models import Paper

    newest = date(2030, 1, 2)
    for paper in Paper.objects.order_by("arxiv_id")[:10]:
        DailyEntry.objects.create(paper=paper, date=newest)
    html = client.get("/papers").content.decode()
    assert "Wednesday, January 2, 2030" in html and "latest full day" not in html
    assert len(card_titles(html)) == 10

    settings.PAPERFEED_FRONT_PAGE_MIN_PAPERS = 11  # now no newer day is full enough
    assert "Friday, October 25, 2024" in client.get("/papers").content.decode()


def test_min_papers_of_one_opens_on_the_newest_day(client, sample_db, settings):
    settings.PAPERFEED_FRONT_PAGE_MIN_PAPERS = 1
    latest = DailyEntry.objects.latest("date").date
    html = client.get("/papers").content.decode()
    assert f"{latest:%B} {latest.day}, {latest.year}" in html and "latest full day" not in html


def test_day_page_lists_the_seed_paper_with_its_details(client, sample_db):
    response = client.get("/papers/date/2024-12-17")
    assert response.status_code == 200
    html = response.content.decode()
    assert SWAN in html
    assert 'href="/papers/2412.13148"' in html
    assert "4 authors" in html
    assert "Adaptive optimizers such as Adam" in html


def test_day_navigation_skips_empty_days(client, sample_db):
    html = client.get("/papers/date/2024-12-17").content.decode()
    previous_day = DailyEntry.objects.filter(date__lt="2024-12-17").latest("date").date
    next_day = DailyEntry.objects.filter(date__gt="2024-12-17").earliest("date").date
    assert f'href="/papers/date/{previous_day.isoformat()}"' in html
    assert f'href="/papers/date/{next_day.isoformat()}"' in html


def test_cards_are_ordered_by_upvotes(client, sample_db):
    html = client.get("/papers/date/2024-10-25").content.decode()
    entries = DailyEntry.objects.filter(date="2024-10-25").select_related("paper").order_by("-upvotes", "paper__arxiv_id")
    assert entries.count() >= 29
    from django.utils.html import escape

    expected_first = escape(entries[0].paper.title)
    assert card_titles(html)[0].strip() == expected_first


def test_organization_badge_and_code_link(client, sample_db):
    entry = DailyEntry.objects.filter(organization__isnull=False).select_related("organization").first()
    assert entry is not None, "the sample lists papers with organizations"
    html = client.get(f"/papers/date/{entry.date.isoformat()}").content.decode()
    assert entry.organization.name in html
    coded = DailyEntry.objects.exclude(paper__github_repo="").select_related("paper").first()
    html = client.get(f"/papers/date/{coded.date.isoformat()}?p=1").content.decode()
    assert f'href="{coded.paper.github_repo}"' in html


def test_week_and_month_pages(client, sample_db):
    week = client.get("/papers/week/2024-W51")
    assert week.status_code == 200 and SWAN in week.content.decode()
    month = client.get("/papers/month/2024-12")
    assert month.status_code == 200 and SWAN in month.content.decode()
    assert "December 2024" in month.content.decode()


def test_big_month_is_paginated(client, sample_db):
    busiest = max(
        {(e.year, e.month) for e in DailyEntry.objects.dates("date", "month")},
        key=lambda ym: DailyEntry.objects.filter(date__year=ym[0], date__month=ym[1]).count(),
    )
    slug = f"{busiest[0]}-{busiest[1]:02d}"
    total = DailyEntry.objects.filter(date__year=busiest[0], date__month=busiest[1]).count()
    assert total > 30
    first = card_titles(client.get(f"/papers/month/{slug}").content.decode())
    second = card_titles(client.get(f"/papers/month/{slug}?p=2").content.decode())
    assert len(first) == 30 and second and not set(first) & set(second)


def test_paging_keeps_the_lists_other_parameters(client, sample_db):
    busiest = max(
        {(e.year, e.month) for e in DailyEntry.objects.dates("date", "month")},
        key=lambda ym: DailyEntry.objects.filter(date__year=ym[0], date__month=ym[1]).count(),
    )
    html = client.get(f"/papers/month/{busiest[0]}-{busiest[1]:02d}", {"muted": "show"}).content.decode()
    assert 'href="?muted=show&amp;p=2"' in html  # "show what my mutes hide" holds on page 2 too


@pytest.mark.parametrize(
    "url",
    [
        "/papers/date/2024-13-01",
        "/papers/date/2024-02-30",
        "/papers/date/yesterday",
        "/papers/week/2024-W54",
        "/papers/month/2024-00",
        "/papers/month/0000-01",
    ],
)
def test_bad_periods_are_404(client, sample_db, url):
    assert client.get(url).status_code == 404


def test_empty_day_still_renders(client, sample_db):
    response = client.get("/papers/date/1990-01-01")
    assert response.status_code == 200
    assert card_titles(response.content.decode()) == []


def test_root_redirects_to_papers(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/papers"


def test_a_card_names_its_paper_on_the_vote_button_and_counts_zero_comments(client, sample_db):
    from django.utils.html import escape

    entry = DailyEntry.objects.filter(date="2024-12-17", paper__arxiv_id="2412.13148").select_related("paper").get()
    assert entry.paper.comment_count == 0
    html = client.get("/papers/date/2024-12-17").content.decode()
    card = html[html.index('<li class="card'):]
    card = card[: card.index("</li>")]
    # A screen reader's list of buttons says which paper each upvote is for.
    assert f'<span class="visually-hidden">Upvote “{escape(SWAN)}”, </span>' in card
    # The count is there with no discussion yet too.
    assert '0<span class="visually-hidden"> comments</span></a>' in card
    # The thumbnail slot is there for when the paper has one.
    assert '<div class="card-thumb">' in card


def test_a_card_shows_the_organization_logo_and_github_stars(rf, sample_db):
    from django.template.loader import render_to_string

    entry = DailyEntry.objects.filter(organization__isnull=False).select_related("paper", "organization").first()
    entry.organization.avatar_url = "https://cdn.example.org/logo.png"
    entry.paper.github_repo = "https://github.com/example/repo"
    html = render_to_string("papers/_card.html", {"paper": entry.paper, "entry": entry}, request=rf.get("/papers"))
    assert '<img class="org-avatar org-avatar-sm" src="https://cdn.example.org/logo.png"' in html
    assert 'GitHub</a>' in html  # stars unknown: no count
    entry.paper.github_stars = 12345  # a field another part of paperfeed may fill; cards use it when set
    html = render_to_string("papers/_card.html", {"paper": entry.paper, "entry": entry}, request=rf.get("/papers"))
    assert '12k<span class="visually-hidden"> stars</span>' in html


@pytest.mark.parametrize("count,shown", [(None, ""), ("", ""), (-1, ""), (0, "0"), (950, "950"), (1234, "1.2k"),
                                         (1000, "1k"), (12345, "12k"), (1_250_000, "1.2M")])
def test_compact_count(count, shown):
    from paperfeed.papers.templatetags.paper_tags import compact_count

    assert compact_count(count) == shown


def test_lists_say_how_many_papers_mutes_hide_and_can_show_them(client, sample_db, django_user_model):
    from paperfeed.personal.models import MuteRule

    user = django_user_model.objects.create_user("muter", "muter@example.org", "a-long-password-1")
    client.force_login(user)
    day = "/papers/date/2024-12-17"
    assert "hidden by your mutes" not in client.get(day).content.decode()  # nothing muted yet
    all_titles = card_titles(client.get(day).content.decode())
    MuteRule.objects.create(user=user, kind="keyword", value="SWAN")
    html = client.get(day).content.decode()
    assert SWAN not in card_titles(html) and len(card_titles(html)) == len(all_titles) - 1
    assert "1 paper hidden by your mutes" in html and 'href="/papers/date/2024-12-17?muted=show"' in html
    shown = client.get(day, {"muted": "show"}).content.decode()
    assert SWAN in card_titles(shown) and "Showing 1 paper your mutes would hide" in shown
    for page in ("/papers/week/2024-W51", "/papers/month/2024-12"):
        assert "1 paper hidden by your mutes" in client.get(page).content.decode()
