"""The daily announcement: which papers arXiv announced today in the followed categories.

The feed says what is new, cross-listed or replaced, but not everything about a paper
(versions and their dates, comments, journal reference, DOI). So the announced papers are
stored from the feed first, then completed from the API by id list, in paced batches —
only those the database does not already know at the announced version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction

from paperfeed.papers.models import Announcement, Paper
from paperfeed.sources import arxiv_api
from paperfeed.sources.formats import Problem
from paperfeed.sources.formats.arxiv_rss import RssItem, parse_rss
from paperfeed.sources.http import PoliteClient, SourceError
from paperfeed.sources.models import AnnouncementDay
from paperfeed.sources.pipeline import Sink

LISTED_TYPES = {"new", "cross"}  # replacements are not new papers: they update, not list


@dataclass
class AnnouncementResult:
    date: date | None
    announced: bool
    counts: dict[str, int] = field(default_factory=dict)
    completed_from_api: int = 0


def feed_url(categories: list[str]) -> str:
    return f"{settings.PAPERFEED_ARXIV_RSS_URL.rstrip('/')}/{'+'.join(categories)}"


def ingest_announcement(
    client: PoliteClient, categories: list[str], sink: Sink, list_papers: bool = True, complete: bool = True
) -> AnnouncementResult:
    response = client.get(feed_url(categories))
    if response.status != 200:
        raise SourceError(f"arXiv RSS answered HTTP {response.status} for {response.url}")
    feed = parse_rss(response.body, location=response.url)
    if feed.unreadable:
        sink.add_all(i for i in feed.items if isinstance(i, Problem))
        sink.flush()
        raise SourceError(f"arXiv RSS sent an unreadable feed: {feed.unreadable}")
    day = feed.date
    items = [i for i in feed.items if isinstance(i, RssItem)]
    sink.add_all(i for i in feed.items if isinstance(i, Problem))

    listed_day = day if list_papers else None
    for item in items:
        sink.add(item.record)
    sink.flush()
    if listed_day and items:
        _announce(items, listed_day, sink)

    result = AnnouncementResult(date=day, announced=bool(items))
    for item in items:
        result.counts[item.announce_type] = result.counts.get(item.announce_type, 0) + 1
    if day:
        AnnouncementDay.objects.update_or_create(
            date=day,
            feed="+".join(categories),
            defaults={
                "announced": bool(items),
                "new": result.counts.get("new", 0),
                "cross": result.counts.get("cross", 0),
                "replaced": result.counts.get("replace", 0) + result.counts.get("replace-cross", 0),
            },
        )
    if complete and items:
        result.completed_from_api = _complete_from_api(client, items, sink)
    return result


def _announce(items: list[RssItem], day: date, sink: Sink) -> None:
    """Record the day's announcement, and list new papers and cross-lists on the day's page."""
    from paperfeed.papers.daily import Listing
    from paperfeed.papers.daily import list_papers as put_on_list

    ids = dict(Paper.objects.filter(arxiv_id__in=[i.record.arxiv_id for i in items]).values_list("arxiv_id", "id"))
    with transaction.atomic():
        for item in items:
            Announcement.objects.get_or_create(
                date=day,
                paper_id=ids[item.record.arxiv_id],
                defaults={"kind": item.announce_type, "version": item.version},
            )
        sink.summary.listed += put_on_list(
            [Listing(paper_id=ids[i.record.arxiv_id], date=day) for i in items if i.announce_type in LISTED_TYPES]
        )


def _complete_from_api(client: PoliteClient, items: list[RssItem], sink: Sink) -> int:
    """Fetch full metadata for announced papers the database lacks versions or details of."""
    wanted: dict[str, int] = {i.record.arxiv_id: i.version for i in items}
    # A paper is complete when its version rows reach the announced version.
    have: dict[str, int] = {}
    for arxiv_id, number in Paper.objects.filter(arxiv_id__in=list(wanted)).values_list("arxiv_id", "versions__number"):
        if number:
            have[arxiv_id] = max(have.get(arxiv_id, 0), number)
    missing = [arxiv_id for arxiv_id, version in wanted.items() if have.get(arxiv_id, 0) < version]
    if missing:
        arxiv_api.fetch_ids(client, missing, sink)
    return len(missing)
