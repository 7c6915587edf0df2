"""The trending score: formula, batch recompute with an injected "now", refresh, the page, the command."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.core.management import CommandError
from django.test import override_settings

from paperfeed.feeds import trending
from paperfeed.feeds.models import TrendingScore
from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record
from tests.helpers import cli_help, run_main

NOW = datetime(2026, 11, 22, tzinfo=UTC)
NICE = override_settings(PAPERFEED_TRENDING_GRAVITY=2.0, PAPERFEED_TRENDING_COMMENT_WEIGHT=1.0)


# -- the formula -------------------------------------------------------------------------------


def test_formula_with_exact_numbers():
    assert trending.trending_score(10, 4, 2, gravity=1.5, comment_weight=0.5) == 1.5  # 12 / 4^1.5
    assert trending.trending_score(10, 4, 14, gravity=1.5, comment_weight=0.5) == 0.1875  # 12 / 16^1.5
    assert trending.trending_score(10, 4, 14, gravity=0, comment_weight=0.5) == 12.0  # no decay
    assert trending.trending_score(0, 0, 5, gravity=1.5, comment_weight=0.5) == 0.0
    assert trending.trending_score(3, 0, -7, gravity=2, comment_weight=1) == 0.75  # age never below 0


def test_formula_takes_the_settings():
    with override_settings(PAPERFEED_TRENDING_GRAVITY=1.5, PAPERFEED_TRENDING_COMMENT_WEIGHT=0.5):
        assert trending.trending_score(6, 4, 2) == 1.0  # (6 + 2) / 8
    with NICE:
        assert trending.trending_score(6, 4, 3) == 0.4  # (6 + 4) / 25


def test_descriptions():
    assert trending.describe_age(20.2) == "20 h old"
    assert trending.describe_age(47.4) == "47 h old"
    assert trending.describe_age(72) == "3 days old"
    assert trending.describe_age(24 * 400) == "400 days old"
    assert trending.describe_score(4.1234) == "4.1"
    assert trending.describe_score(0.1875) == "0.19"
    assert trending.describe_score(0.004) == "0.004"
    assert trending.describe_score(4.1e-05) == "0.000041"
    assert trending.describe_score(0.0999) == "0.1"
    assert trending.describe_score(1e-12) == "0"
    assert trending.describe_score(152.6) == "153"
    assert trending.describe_score(0) == "0"


# -- batch and refresh -------------------------------------------------------------------------


def make_paper(
    arxiv_id: str,
    created: str,
    listed: date | None,
    imported: int = 0,
    comments: int = 0,
) -> Paper:
    result = store_records(
        [
            build_record(
                arxiv_id=arxiv_id,
                title=f"Paper {arxiv_id}",
                abstract="About trends.",
                authors=["T. Rend"],
                categories="cs.LG",
                versions=[{"version": "v1", "created": created}],
            )
        ]
    )
    paper_id = result.paper_ids[arxiv_id]
    if listed:
        list_papers([Listing(paper_id, listed, imported, "", "")])
    Paper.objects.filter(pk=paper_id).update(comment_count=comments)
    return Paper.objects.get(pk=paper_id)


@pytest.fixture
def papers(db):
    return {
        "fresh": make_paper(
            "2611.10001",
            "2026-11-19T18:00:00Z",
            date(2026, 11, 20),
            imported=7,
            comments=3,
        ),
        "older": make_paper("2611.10002", "2026-11-09T18:00:00Z", date(2026, 11, 10), imported=20),
        "stale": make_paper("2609.10003", "2026-09-01T10:00:00Z", date(2026, 9, 1), imported=500),
        "unlisted": make_paper("2611.10004", "2026-11-21T12:00:00Z", None),
        "future": make_paper("2611.10005", "2026-11-23T12:00:00Z", date(2026, 11, 24), imported=9),
    }


@NICE
def test_recompute_scores_the_window_relative_to_now(papers):
    assert trending.recompute(now=NOW, days=30) == 3
    scores = {s.paper_id: s for s in TrendingScore.objects.all()}
    assert set(scores) == {
        papers["fresh"].pk,
        papers["older"].pk,
        papers["unlisted"].pk,
    }
    fresh = scores[papers["fresh"].pk]
    # Listed 2026-11-20 00:00 UTC (its daily entry, not its v1 time): 48 h before NOW.
    assert (fresh.upvotes, fresh.comments, fresh.age_hours, fresh.computed_at) == (
        7,
        3,
        48.0,
        NOW,
    )
    assert fresh.score == 0.004  # (7 + 1 × 3) / (48 + 2)^2
    older = scores[papers["older"].pk]
    assert (older.upvotes, older.age_hours) == (20, 288.0)
    assert older.score == 20 / 290**2
    unlisted = scores[papers["unlisted"].pk]  # not on a list: age from its v1 date
    assert (unlisted.upvotes, unlisted.age_hours, unlisted.score) == (0, 12.0, 0.0)


@NICE
def test_local_votes_add_to_imported_ones(papers, django_user_model):
    from paperfeed.community.votes.services import set_vote

    trending.recompute(now=NOW, days=30)
    for name in ("ada", "grace"):
        set_vote(django_user_model.objects.create_user(name), papers["fresh"], True)
    score = TrendingScore.objects.get(paper=papers["fresh"])
    # Refreshed relative to the last run's time, so it stays comparable with the others.
    assert (score.upvotes, score.age_hours, score.computed_at) == (9, 48.0, NOW)
    assert score.score == 12 / 50**2


@NICE
def test_comments_at_the_source_add_to_local_ones(papers):
    """As for upvotes: the paper's one count, the source's (Hugging Face's numComments) + local."""
    fresh = papers["fresh"]
    list_papers([Listing(fresh.pk, date(2026, 11, 20), upvotes=7, num_comments=4)])  # listed again, with comments
    trending.recompute(now=NOW, days=30)
    score = TrendingScore.objects.get(paper=fresh)
    assert (score.upvotes, score.comments) == (7, 4 + 3)
    assert score.score == (7 + 7) / 50**2


@NICE
def test_papers_that_leave_the_window_lose_their_score(papers):
    trending.recompute(now=NOW, days=30)
    later = datetime(2026, 12, 15, tzinfo=UTC)
    assert trending.recompute(now=later, days=30) == 3
    kept = set(TrendingScore.objects.values_list("paper__arxiv_id", flat=True))
    assert kept == {
        "2611.10001",
        "2611.10004",
        "2611.10005",
    }  # 2611.10002 was listed 35 days before


def test_refresh_leaves_old_papers_alone_and_scores_new_ones(papers):
    trending.recompute(now=NOW, days=30)
    assert trending.refresh_paper(papers["stale"].pk) is None
    assert not TrendingScore.objects.filter(paper=papers["stale"]).exists()
    # Listed after the last run: scored at once, as brand new.
    row = trending.refresh_paper(papers["future"].pk)
    assert (row.age_hours, row.upvotes) == (0.0, 9)
    assert TrendingScore.objects.filter(paper=papers["future"]).exists()


def test_all_scores_every_listed_paper(papers):
    trending.recompute(now=NOW, days=None)
    scored = set(TrendingScore.objects.values_list("paper__arxiv_id", flat=True))
    mine = {
        "2611.10001",
        "2611.10002",
        "2609.10003",
        "2611.10004",
    }  # all listed or dated up to NOW
    assert scored & {p.arxiv_id for p in papers.values()} == mine


# -- pages -------------------------------------------------------------------------------------


def why_lines(html: str) -> list[str]:
    return [line.strip() for line in re.findall(r'<span class="visually-hidden">Trending: </span>([^<]*)</span>', html)]


def card_ids(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-heading"><a href="/papers/([^"]+)"', html)


@NICE
def test_trending_page_ranks_by_score_and_says_why(client, papers):
    trending.recompute(now=NOW, days=30)
    response = client.get("/papers/trending")
    assert response.status_code == 200
    html = response.content.decode()
    assert card_ids(html) == ["2611.10001", "2611.10002", "2611.10004"]
    assert why_lines(html) == [
        "7 upvotes, 3 comments, 2 days old → score 0.004",
        "20 upvotes, 0 comments, 12 days old → score 0.00024",
        "0 upvotes, 0 comments, 12 h old → score 0",
    ]
    assert "(hours since listed + 2)<sup>2</sup>" in html
    assert 'datetime="2026-11-22T00:00:00+00:00"' in html


@NICE
def test_why_line_on_the_paper_page_but_not_on_daily_cards(client, papers):
    trending.recompute(now=NOW, days=30)
    assert why_lines(client.get("/papers/2611.10001").content.decode()) == [
        "7 upvotes, 3 comments, 2 days old → score 0.004"
    ]
    assert why_lines(client.get("/papers/2609.10003").content.decode()) == []  # no score: no line
    assert why_lines(client.get("/papers/date/2026-11-20").content.decode()) == []


def test_trending_page_is_paginated(client, db, settings):
    settings.PAGE_SIZE = 2
    for n in range(5):
        make_paper(f"2611.2000{n}", "2026-11-19T18:00:00Z", date(2026, 11, 20), imported=n)
    trending.recompute(now=NOW, days=30)
    first = client.get("/papers/trending").content.decode()
    assert card_ids(first) == ["2611.20004", "2611.20003"]
    assert "Page 1 of 3 · 5 papers" in first
    assert card_ids(client.get("/papers/trending?p=3").content.decode()) == ["2611.20000"]


def test_empty_trending_page_says_how_to_fill_it(client, db, django_user_model):
    TrendingScore.objects.all().delete()
    html = client.get("/papers/trending").content.decode()
    assert "Nothing is trending yet." in html
    assert "paperfeed trending" not in html  # readers are not told to run commands
    client.force_login(django_user_model.objects.create_user("mod", is_staff=True))
    assert "<code>paperfeed trending</code>" in client.get("/papers/trending").content.decode()


def test_trending_url_is_not_a_paper_id(client, db):
    from django.urls import resolve

    assert resolve("/papers/trending").url_name == "trending"


# -- the command -------------------------------------------------------------------------------

def trending_command(*args: str) -> str:
    """`paperfeed trending ARGS` in this process (Django's call_command): what it printed."""
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("trending", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_trending_command(capsys):
    """In this process: what the command computes and says does not depend on being a
    process (a child per call cost ~1 s of CPU each); `paperfeed`'s exit codes as a process
    are tested in tests/test_cli.py."""
    help_text = cli_help("trending")
    assert "--now" in help_text and "--days" in help_text
    trending_command("--now", "2026-11-22T00:00Z")
    r = store_records([build_record(arxiv_id="2611.30001", title="CLI", abstract="x", authors=["A"],
                                    categories="cs.LG", versions=[{"version": "v1", "created": "2026-11-19T10:00:00Z"}])])
    list_papers([Listing(r.paper_ids["2611.30001"], date(2026, 11, 20), 6, "", "")])
    out = trending_command("--now", "2026-11-22T00:00Z", "--days", "5")
    assert "trending: scored 1 papers listed in the 5 days before 2026-11-22 00:00 UTC" in out
    row = list(TrendingScore.objects.filter(paper__arxiv_id="2611.30001").values_list("upvotes", "comments", "age_hours", "score"))
    assert row == [(6, 0, 48.0, 6 / 50**1.5)]
    assert "scored 0 papers" in trending_command("--now", "2026-12-31", "--days", "5")
    # Refused: by the command (CommandError's code is what `paperfeed` exits with) and by
    # its parser.
    for args, message in ((("--now", "yesterday"), "not an ISO date"), (("--days", "0"), "at least 1")):
        with pytest.raises(CommandError, match=message) as refused:
            trending_command(*args)
        assert refused.value.returncode == 2
    code, _, err = run_main(capsys, "trending", "--days", "many")
    assert code == 2 and "invalid int value" in err
