"""Atom and JSON Feed versions of the lists: the daily list, trending, each category, any
search, and a reader's personal picks (personal/views.py).

Feeds are ranked, not just chronological: the daily feed lists the recent days' papers most
upvoted first within each day, trending follows the trending score. What a reader's software
sees is exact (docs/features/feeds.md says why each choice):

- titles and abstracts are text (Atom `type="text"`, JSON `content_text`): "<" in an abstract
  is a less-than sign, never markup; the XML and JSON writers do all escaping;
- one author element per person (the first AUTHORS_PER_ENTRY), and the site as the feed's
  author, so an entry without names still has one (RFC 4287 §4.1.1);
- an entry's `updated` is the last time its content changed — arXiv's latest version, never
  before `published` — not the time of a list or a ranking run; upvote counts, which change
  all the time, travel beside the text (`pf:upvotes`, JSON `_paperfeed`), not in it;
- every feed answers conditional GETs (core/conditional.py) with validators computed from
  the rows it shows, before anything is rendered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from datetime import timezone as dt_timezone
from urllib.parse import quote_plus

from django.conf import settings
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.utils import feedgenerator

from paperfeed.core.conditional import Validators, respond, validators
from paperfeed.core.page_cache import cached_page
from paperfeed.feeds.models import TrendingScore
from paperfeed.papers.daily import one_per_paper
from paperfeed.papers.models import Category, DailyEntry, Paper, PaperAuthor, total_upvotes_expression

FEED_ITEMS = 50
DAILY_FEED_DAYS = 3  # the latest three list days: a reader polling daily misses nothing
AUTHORS_PER_ENTRY = 25  # collaboration papers have thousands; pf:authorCount gives the total
FEEDS_MAX_AGE = 300  # seconds a reader or a proxy may reuse a feed without asking
FEED_AUTHOR = "paperfeed"
# Part of every ETag: bump it when the rendering changes, so readers' cached ETags stop matching.
RENDERING_VERSION = 2
# Our own namespace for extension elements (RFC 4287 §6.4). A name, not a page: the
# reserved .invalid domain says so, and it is the same on every instance.
EXTENSION_NS = "https://paperfeed.invalid/ns/feed/1"
FORMATS = {"atom", "json"}
_EPOCH = datetime(1970, 1, 1, tzinfo=dt_timezone.utc)


@dataclass
class FeedItem:
    paper: Paper
    upvotes: int | None = None
    listed_on: date | None = None  # the daily list day this entry stands for
    authors: list[str] = field(default_factory=list)  # filled in by serve_feed

    @property
    def published(self) -> datetime:
        """arXiv's v1 date; a paper without one (a stub from a list) the day it was listed,
        else its arrival here."""
        if self.paper.published:
            return self.paper.published
        if self.listed_on is not None:
            return datetime.combine(self.listed_on, time(), tzinfo=dt_timezone.utc)
        return self.paper.created_at

    @property
    def updated(self) -> datetime:
        """When the entry's content last changed: arXiv's latest version, never before
        `published` (RFC 4287 §4.2.15: a change the publisher considers significant)."""
        latest = self.paper.updated
        return max(self.published, latest) if latest else self.published


@dataclass(frozen=True)
class FeedInfo:
    title: str
    path: str  # the page the feed mirrors
    description: str
    private: bool = False  # a secret-URL feed: no shared caches


def _absolute(path: str) -> str:
    return settings.BASE_URL + path


def _xml_safe(text: str) -> str:
    """XML 1.0 forbids most control characters; a stray one in an abstract must not make
    the whole feed unparseable."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


def _fill_authors(items: list[FeedItem]) -> None:
    """Each paper's first AUTHORS_PER_ENTRY names, in byline order, in one query; a paper
    stored with a byline but no author rows falls back to the byline's names."""
    names: dict[int, list[str]] = {}
    rows = (
        PaperAuthor.objects.filter(paper_id__in=[i.paper.pk for i in items], position__lt=AUTHORS_PER_ENTRY)
        .order_by("paper_id", "position")
        .values_list("paper_id", "author__name")
    )
    for paper_id, name in rows:
        names.setdefault(paper_id, []).append(name)
    for item in items:
        found = names.get(item.paper.pk)
        if found is None and item.paper.authors_text:
            found = [n.strip() for n in item.paper.authors_text.split(",") if n.strip()][:AUTHORS_PER_ENTRY]
        item.authors = found or []


def _author_count(item: FeedItem) -> int:
    return max(item.paper.num_authors, len(item.authors))


def feed_validators(
    fmt: str, info: FeedInfo, self_url: str, items: list[FeedItem], also_changed: Iterable[datetime | None] = ()
) -> Validators:
    """The feed's ETag and Last-Modified from the rows it will show, without rendering it.

    The ETag covers everything the document is made of (a paper's row changes its
    modified_at whenever its text, authors or source count change); Last-Modified is the
    newest change among the papers, their newest local vote and whatever the view adds
    (the listing or ranking time). A vote taken back leaves no time behind: the ETag still
    changes (the count is in it), Last-Modified does not.
    """
    parts: list[object] = [RENDERING_VERSION, fmt, info, self_url]
    for item in items:
        p = item.paper
        parts.append((p.pk, p.modified_at, p.primary_category_id, item.upvotes, item.listed_on))
    ids = [item.paper.pk for item in items]
    newest_vote = Paper.objects.filter(pk__in=ids).aggregate(at=Max("votes__created_at"))["at"] if ids else None
    times = [item.paper.modified_at for item in items] + [newest_vote, *also_changed]
    return validators(parts, times)


def serve_feed(
    request, fmt: str, info: FeedInfo, items: Iterable[FeedItem], also_changed: Iterable[datetime | None] = ()
) -> HttpResponse:
    """The feed in `fmt`, or 304 when the reader's copy is current. The feed's own URL is
    the request's, query included (a search feed's self link must lead back to it)."""
    if fmt not in FORMATS:
        raise Http404("Feeds come as .atom or .json")
    items = list(items)
    self_url = _absolute(request.get_full_path())
    found = feed_validators(fmt, info, self_url, items, also_changed)

    def render() -> HttpResponse:
        _fill_authors(items)
        newest = max((item.updated for item in items), default=found.last_modified or _EPOCH)
        writer = _json_feed if fmt == "json" else _atom_feed
        return writer(info, self_url, items, newest)

    return respond(request, found, render, max_age=FEEDS_MAX_AGE, private=info.private)


class _PaperfeedAtom(feedgenerator.Atom1Feed):
    """Django's Atom writer, with text summaries, one <author> per person and our extension
    elements; the feed's <updated> is the newest entry's, not the time of the request."""

    def __init__(self, *args, newest: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.newest = newest

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:pf": EXTENSION_NS}

    def latest_post_date(self):
        return self.newest

    def add_item_elements(self, handler, item):
        handler.addQuickElement("title", item["title"], {"type": "text"})
        handler.addQuickElement("link", "", {"href": item["link"], "rel": "alternate", "type": "text/html"})
        handler.addQuickElement("link", "", {"href": item["arxiv"], "rel": "related", "type": "text/html"})
        handler.addQuickElement("published", feedgenerator.rfc3339_date(item["pubdate"]))
        handler.addQuickElement("updated", feedgenerator.rfc3339_date(item["updateddate"]))
        for name in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", name)
            handler.endElement("author")
        handler.addQuickElement("id", item["unique_id"])
        if item["description"]:
            handler.addQuickElement("summary", item["description"], {"type": "text"})
        for term in item["categories"]:
            handler.addQuickElement("category", "", {"term": term})
        handler.addQuickElement("pf:authorCount", str(item["author_count"]))
        if item["upvotes"] is not None:
            handler.addQuickElement("pf:upvotes", str(item["upvotes"]))
        if item["listed_on"] is not None:
            handler.addQuickElement("pf:listedOn", item["listed_on"].isoformat())


def _atom_feed(info: FeedInfo, self_url: str, items: list[FeedItem], newest: datetime) -> HttpResponse:
    feed = _PaperfeedAtom(
        title=_xml_safe(info.title),  # the title and description can carry a reader's query
        link=_absolute(info.path),
        description=_xml_safe(info.description),
        subtitle=_xml_safe(info.description),
        feed_url=self_url,
        language="en",
        author_name=FEED_AUTHOR,
        author_link=settings.BASE_URL + "/",
        newest=newest,
    )
    for item in items:
        paper = item.paper
        url = _absolute(paper.get_absolute_url())
        feed.add_item(
            title=_xml_safe(paper.title),
            link=url,
            description=_xml_safe(paper.abstract),
            unique_id=url,
            updateddate=item.updated,
            pubdate=item.published,
            categories=[paper.primary_category.code] if paper.primary_category_id else [],
            authors=[_xml_safe(name) for name in item.authors],
            author_count=_author_count(item),
            arxiv=paper.abs_url,
            upvotes=item.upvotes,
            listed_on=item.listed_on,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def _json_feed(info: FeedInfo, self_url: str, items: list[FeedItem], newest: datetime) -> HttpResponse:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1); paperfeed's own fields under
    `_paperfeed`, as the spec's extension rule asks."""

    def extension(item: FeedItem) -> dict:
        found: dict = {"author_count": _author_count(item)}
        if item.upvotes is not None:
            found["upvotes"] = item.upvotes
        if item.listed_on is not None:
            found["listed_on"] = item.listed_on.isoformat()
        return found

    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": _absolute(info.path),
        "feed_url": self_url,
        "description": info.description,
        "language": "en",
        "authors": [{"name": FEED_AUTHOR, "url": settings.BASE_URL + "/"}],
        "items": [
            {
                "id": _absolute(item.paper.get_absolute_url()),
                "url": _absolute(item.paper.get_absolute_url()),
                "external_url": item.paper.abs_url,
                "title": item.paper.title,
                "content_text": item.paper.abstract,
                "date_published": item.published.isoformat(),
                "date_modified": item.updated.isoformat(),
                "authors": [{"name": name} for name in item.authors],
                "tags": [item.paper.primary_category.code] if item.paper.primary_category_id else [],
                "_paperfeed": extension(item),
            }
            for item in items
        ],
    }
    return HttpResponse(json.dumps(document, ensure_ascii=False), content_type="application/feed+json; charset=utf-8")


def _check_format(fmt: str) -> None:
    """Before any query: an unknown format is a 404 whatever the data."""
    if fmt not in FORMATS:
        raise Http404("Feeds come as .atom or .json")


# Feeds are the same for every reader: cached for all (core/page_cache.py).
@cached_page(per_reader=False)
def daily_feed(request, fmt: str):
    _check_format(fmt)
    days = list(DailyEntry.objects.values_list("date", flat=True).distinct().order_by("-date")[:DAILY_FEED_DAYS])
    entries = list(
        one_per_paper(DailyEntry.objects.filter(date__in=days))  # the feed holds the latest days
        .select_related("paper", "paper__primary_category")
        .annotate(total=total_upvotes_expression("paper__"))
        .order_by("-date", "-total", "paper__arxiv_id")[: FEED_ITEMS * DAILY_FEED_DAYS]
    )
    items = [FeedItem(e.paper, upvotes=e.total, listed_on=e.date) for e in entries]
    info = FeedInfo("Daily Papers", "/papers", "The latest daily lists, most upvoted first.")
    return serve_feed(request, fmt, info, items, also_changed=[e.added_at for e in entries])


@cached_page(per_reader=False)
def trending_feed(request, fmt: str):
    _check_format(fmt)
    scores = list(
        TrendingScore.objects.select_related("paper", "paper__primary_category").order_by(
            "-score", "age_hours", "paper__arxiv_id"
        )[:FEED_ITEMS]
    )
    items = [FeedItem(s.paper, upvotes=s.upvotes) for s in scores]
    info = FeedInfo("Trending papers", "/papers/trending", "Papers by trending score.")
    # The ranking is part of the document: a run that reorders it is a change.
    return serve_feed(request, fmt, info, items, also_changed=[s.computed_at for s in scores])


@cached_page(per_reader=False)
def category_feed(request, code: str, fmt: str):
    _check_format(fmt)
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Http404("No such category.")
    papers = (
        Paper.objects.filter(categories=category, withdrawn=False)
        .select_related("primary_category")
        .order_by("-published", "arxiv_id")[:FEED_ITEMS]
    )
    info = FeedInfo(
        f"New papers in {category.code}",
        f"/papers/search?category={quote_plus(category.code)}",
        f"The newest arXiv papers in {category.code}.",
    )
    return serve_feed(request, fmt, info, [FeedItem(p) for p in papers])


SEARCH_FEED_THRESHOLD = 0.5  # the default of a saved search (personal.models.SavedSearch)


@cached_page(params=["q", "min"], per_reader=False)
def search_feed(request, fmt: str):
    """Any search as a feed — what a saved search links to: the hits above a relevance
    threshold (`min`, default that of a saved search), newest first, so new matches appear
    at the top of a reader's feed."""
    from paperfeed.search.hybrid import rank
    from paperfeed.search.query import MAX_QUERY_CHARS

    _check_format(fmt)
    query = (request.GET.get("q") or "")[:MAX_QUERY_CHARS].strip()
    if not query:
        raise Http404("A search feed needs ?q=")
    try:
        threshold = min(1.0, max(0.0, float(request.GET.get("min", SEARCH_FEED_THRESHOLD))))
    except ValueError:
        threshold = SEARCH_FEED_THRESHOLD
    ranking = rank(query, "hybrid")
    # Keyword-only ranking (no vector index yet) has no absolute scale: keep its top hits.
    hits = [h for h in ranking.hits if ranking.mode == "lexical" or h.score >= threshold][:FEED_ITEMS]
    papers = Paper.objects.select_related("primary_category").in_bulk([h.paper_id for h in hits])
    ordered = sorted(
        (papers[h.paper_id] for h in hits if h.paper_id in papers),
        key=lambda p: (p.published or p.created_at, p.arxiv_id),
        reverse=True,
    )
    info = FeedInfo(
        f"Papers matching “{query}”",
        f"/papers/search?q={quote_plus(query)}",
        f"New papers for the search “{query}”, newest first.",
    )
    return serve_feed(request, fmt, info, [FeedItem(p) for p in ordered])
