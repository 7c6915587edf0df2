"""Putting papers on days' lists (papers/daily.py): a batch does what its listings would one by one."""

from datetime import UTC, date, datetime

import pytest

from paperfeed.papers import daily
from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.models import DailyEntry, Organization, Paper
from paperfeed.papers.store import store_records
from paperfeed.sources.normalize import build_record

pytestmark = pytest.mark.django_db

DAY, OTHER_DAY = date(2026, 11, 2), date(2026, 11, 3)
AT, LATER = datetime(2026, 11, 2, 9, tzinfo=UTC), datetime(2026, 11, 2, 15, tzinfo=UTC)


def papers(count: int = 3) -> list[int]:
    ids = [f"2611.0000{n}" for n in range(1, count + 1)]
    store_records([build_record(arxiv_id=i, title=f"Paper {i}", abstract="About lists.", authors="Ada Lovelace",
                                categories="cs.LG", versions=[{"version": "v1", "created": "Mon, 2 Nov 2026 10:00:00 GMT"}])
                   for i in ids])
    return list(Paper.objects.filter(arxiv_id__in=ids).order_by("arxiv_id").values_list("pk", flat=True))


def listings(a: int, b: int, c: int, day: date) -> list[Listing]:
    """New entries, a paper listed twice in the batch, and entries that exist already."""
    return [
        Listing(paper_id=a, date=day, upvotes=3, organization="Lab One", listed_at=AT, num_comments=2),
        Listing(paper_id=b, date=day, upvotes=0, thumbnail="https://example.org/b.png"),
        # The same paper and day again: votes only go up, the first submitter and time stay,
        # the account, thumbnail and media are the latest given.
        Listing(paper_id=a, date=day, upvotes=7, submitted_by="ada", listed_at=LATER, num_comments=1,
                submitter_profile={"name": "ada"}, media_urls=["https://example.org/a.mp4"]),
        Listing(paper_id=a, date=day, upvotes=5, submitted_by="bob", organization="Lab One",
                thumbnail="https://example.org/a.png"),
        Listing(paper_id=c, date=day, upvotes=1, submitted_by="carol", organization="Lab Two", organization_slug="two"),
        Listing(paper_id=b, date=day, upvotes=2, submitted_by="dan", organization="Lab Two", organization_slug="two",
                submitter_profile={"name": "dan", "isPro": True}),
    ]


FIELDS = ("upvotes", "submitted_by", "organization__slug", "listed_at", "submitter_profile", "thumbnail", "media_urls")


def entries(day: date) -> list[tuple]:
    return list(DailyEntry.objects.filter(date=day).order_by("paper_id").values_list("paper_id", *FIELDS))


def test_a_batch_equals_its_listings_one_by_one():
    a, b, c = papers()
    # Some entries exist before the batch, on both days alike.
    for day in (DAY, OTHER_DAY):
        assert list_papers([Listing(paper_id=b, date=day, upvotes=1, submitted_by="first")]) == 1
    created = list_papers(listings(a, b, c, DAY))
    orgs = {key: daily.ensure_organization(*key) for key in (("Lab One", ""), ("Lab Two", "two"))}
    one_by_one = sum(
        daily._list_one(item, orgs.get((item.organization, item.organization_slug)))
        for item in listings(a, b, c, OTHER_DAY)
    )
    assert created == one_by_one == 2
    assert entries(DAY) == entries(OTHER_DAY)
    assert entries(DAY) == [
        (a, 7, "ada", "lab-one", AT, {"name": "ada"}, "https://example.org/a.png", ["https://example.org/a.mp4"]),
        (b, 2, "first", "two", None, {"name": "dan", "isPro": True}, "https://example.org/b.png", []),
        (c, 1, "carol", "two", None, {}, "", []),
    ]
    assert Organization.objects.filter(slug__in=["lab-one", "two"]).count() == 2
    counts = dict(Paper.objects.filter(pk__in=[a, b, c]).values_list("pk", "source_upvotes"))
    assert counts == {a: 7, b: 2, c: 1}
    assert Paper.objects.get(pk=a).source_comments == 2


def test_listing_again_changes_nothing_and_counts_nothing_new():
    a, b, c = papers()
    assert list_papers(listings(a, b, c, DAY)) == 3
    before = entries(DAY)
    assert list_papers(listings(a, b, c, DAY)) == 0
    assert entries(DAY) == before
    assert list_papers([]) == 0


def test_counts_only_go_up():
    (a,) = papers(1)
    list_papers([Listing(paper_id=a, date=DAY, upvotes=9, num_comments=4)])
    list_papers([Listing(paper_id=a, date=OTHER_DAY, upvotes=4, num_comments=1),
                 Listing(paper_id=a, date=DAY, upvotes=2)])
    paper = Paper.objects.get(pk=a)
    assert (paper.source_upvotes, paper.source_comments) == (9, 4)
    assert dict(DailyEntry.objects.filter(paper_id=a).values_list("date", "upvotes")) == {DAY: 9, OTHER_DAY: 4}


def test_an_entry_made_meanwhile_is_taken_as_found():
    """Another process lists the same paper on the same day between the batch's read of the
    existing entries and its insert: the insert breaks the unique constraint, and the batch
    is done again one listing at a time, refreshing that process's entry."""
    a, b = papers(2)
    read = daily._existing_entries

    def read_then_race(items):
        found = read(items)
        DailyEntry.objects.create(paper_id=a, date=DAY, upvotes=1, submitted_by="elsewhere")
        return found

    daily._existing_entries = read_then_race
    try:
        created = list_papers([Listing(paper_id=a, date=DAY, upvotes=4, submitted_by="here"),
                               Listing(paper_id=b, date=DAY, upvotes=2)])
    finally:
        daily._existing_entries = read
    assert created == 1
    assert [entry[:3] for entry in entries(DAY)] == [(a, 4, "elsewhere"), (b, 2, "")]


def test_listing_a_day_again_takes_a_few_queries_not_one_per_entry(django_assert_max_num_queries):
    ids = papers(9)
    list_papers([Listing(paper_id=paper_id, date=DAY, upvotes=1) for paper_id in ids])
    # Every entry's votes go up, some get a submitter too: two sets of changed fields.
    again = [Listing(paper_id=paper_id, date=DAY, upvotes=5, submitted_by="ada" if n % 2 else "")
             for n, paper_id in enumerate(ids)]
    with django_assert_max_num_queries(8):
        assert list_papers(again) == 0
    assert [entry[:3] for entry in entries(DAY)] == [
        (paper_id, 5, "ada" if n % 2 else "") for n, paper_id in enumerate(ids)
    ]
