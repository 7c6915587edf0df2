"""One mute rule hides a paper on every surface: daily lists, trending, search (For you and
digests are covered in test_personal.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.test import Client

from paperfeed.feeds.trending import recompute
from paperfeed.papers.models import DailyEntry
from paperfeed.personal.models import MuteRule
from tests.community.conftest import PASSWORD

pytestmark = pytest.mark.django_db
DAY = date(2024, 10, 25)


@pytest.fixture
def muted_setup(sample_db, django_user_model):
    entry = DailyEntry.objects.filter(date=DAY).select_related("paper").order_by("-upvotes").first()
    reader = django_user_model.objects.create_user("muter", "muter@example.org", PASSWORD)
    MuteRule.objects.create(user=reader, kind="keyword", value=entry.paper.title.upper())
    client = Client()
    client.force_login(reader)
    return entry.paper, client


def test_muted_paper_is_gone_from_the_daily_list_only_for_its_reader(muted_setup):
    paper, client = muted_setup
    url = f"/papers/date/{DAY}"
    assert paper.get_absolute_url().encode() in Client().get(url).content
    assert paper.get_absolute_url().encode() not in client.get(url).content


def test_muted_paper_is_gone_from_trending(muted_setup):
    paper, client = muted_setup
    recompute(now=datetime(2024, 10, 26, tzinfo=UTC), days=None)
    assert paper.get_absolute_url().encode() in Client().get("/papers/trending").content
    assert paper.get_absolute_url().encode() not in client.get("/papers/trending").content


def test_muted_paper_is_gone_from_search(muted_setup, sample_vectors):
    paper, client = muted_setup
    query = f"/papers/search?q={paper.title[:60]}&mode=lexical"
    assert paper.get_absolute_url().encode() in Client().get(query).content
    assert paper.get_absolute_url().encode() not in client.get(query).content


def test_category_and_author_mutes_work_in_sql_on_lists(muted_setup):
    _, client = muted_setup
    reader = client.session.get("_auth_user_id")
    other = DailyEntry.objects.filter(date=DAY).select_related("paper").order_by("upvotes").first().paper
    name = other.authorships.select_related("author").first().author.name
    MuteRule.objects.create(user_id=reader, kind="author", value=name.lower())
    page = client.get(f"/papers/date/{DAY}")
    assert page.status_code == 200 and other.get_absolute_url().encode() not in page.content
