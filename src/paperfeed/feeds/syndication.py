"""Atom and JSON Feed versions of the lists: the daily list, trending, each category.

Feeds are ranked, not just chronological: the daily feed lists the recent days' papers most
upvoted first within each day, trending follows the trending score. Titles and abstracts go
out as text (Atom `type="text"`, JSON strings), so nothing in them is interpreted as markup
by a feed reader; the XML and JSON writers do all escaping.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time
from urllib.parse import quote_plus

from django.conf import settings
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.utils import feedgenerator, timezone

from paperfeed.feeds.models import TrendingScore
from paperfeed.papers.daily import one_per_paper
from paperfeed.papers.models import Category, DailyEntry, Paper, total_upvotes_expression

FEED_ITEMS = 50
DAILY_FEED_DAYS = 3  # the latest three list days: a reader polling daily misses nothing


@dataclass
class FeedItem:
    paper: Paper
    updated: datetime
    upvotes: int | None = None


def _absolute(path: str) -> str:
    return settings.BASE_URL + path


def _xml_safe(text: str) -> str:
    """XML 1.0 forbids most control characters; a stray one in an abstract must not make
    the whole feed unparseable."""
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


def render_feed(
    request, fmt: str, *, title: str, path: str, description: str, items: Iterable[FeedItem]
) -> HttpResponse:
    """`path` is the page the feed mirrors; the feed's own URL is the request's."""
    items = list(items)
    link = _absolute(path)
    feed_url = _absolute(request.path)
    if fmt == "json":
        return _json_feed(title, link, feed_url, description, items)
    # The title and description can carry a reader's query (the search feed).
    feed = feedgenerator.Atom1Feed(
        title=_xml_safe(title), link=link, description=_xml_safe(description), feed_url=feed_url, language="en"
    )
    for item in items:
        paper = item.paper
        summary = paper.abstract
        if item.upvotes is not None:
            summary = f"{item.upvotes} upvote{'s' if item.upvotes != 1 else ''}. {summary}"
        feed.add_item(
            title=_xml_safe(paper.title),
            link=_absolute(paper.get_absolute_url()),
            description=_xml_safe(summary),
            unique_id=_absolute(paper.get_absolute_url()),
            updateddate=item.updated,
            pubdate=paper.published or item.updated,
            author_name=_xml_safe(paper.authors_text[:500]) or None,
            categories=[paper.primary_category.code] if paper.primary_category_id else None,
        )
    response = HttpResponse(content_type="application/atom+xml; charset=utf-8")
    feed.write(response, "utf-8")
    return response


def _json_feed(title: str, link: str, feed_url: str, description: str, items: list[FeedItem]) -> HttpResponse:
    """JSON Feed 1.1 (https://jsonfeed.org/version/1.1)."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": link,
        "feed_url": feed_url,
        "description": description,
        "items": [
            {
                "id": _absolute(item.paper.get_absolute_url()),
                "url": _absolute(item.paper.get_absolute_url()),
                "external_url": item.paper.abs_url,
                "title": item.paper.title,
                "content_text": item.paper.abstract,
                "date_published": (item.paper.published or item.updated).isoformat(),
                "date_modified": item.updated.isoformat(),
                "authors": [{"name": item.paper.authors_text[:500]}] if item.paper.authors_text else [],
                "tags": [item.paper.primary_category.code] if item.paper.primary_category_id else [],
                **({"_paperfeed": {"upvotes": item.upvotes}} if item.upvotes is not None else {}),
            }
            for item in items
        ],
    }
    return HttpResponse(json.dumps(document, ensure_ascii=False), content_type="application/feed+json; charset=utf-8")


def _fmt(fmt: str) -> str:
    if fmt not in {"atom", "json"}:
        raise Http404("Feeds come as .atom or .json")
    return fmt


def daily_feed(request, fmt: str):
    days = list(DailyEntry.objects.values_list("date", flat=True).distinct().order_by("-date")[:DAILY_FEED_DAYS])
    entries = (
        one_per_paper(DailyEntry.objects.filter(date__in=days))  # the feed holds the latest days
        .select_related("paper", "paper__primary_category")
        .annotate(total=total_upvotes_expression("paper__"))
        .order_by("-date", "-total", "paper__arxiv_id")[: FEED_ITEMS * DAILY_FEED_DAYS]
    )
    items = [FeedItem(e.paper, timezone.make_aware(datetime.combine(e.date, time())), e.total) for e in entries]
    return render_feed(
        request,
        _fmt(fmt),
        title="Daily Papers",
        path="/papers",
        description="The latest daily lists, most upvoted first.",
        items=items,
    )


def trending_feed(request, fmt: str):
    scores = TrendingScore.objects.select_related("paper", "paper__primary_category").order_by("-score")[:FEED_ITEMS]
    items = [FeedItem(s.paper, s.computed_at, s.upvotes) for s in scores]
    return render_feed(
        request,
        _fmt(fmt),
        title="Trending papers",
        path="/papers/trending",
        description="Papers by trending score.",
        items=items,
    )


def category_feed(request, code: str, fmt: str):
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise Http404("No such category.")
    papers = (
        Paper.objects.filter(categories=category, withdrawn=False)
        .select_related("primary_category")
        .order_by("-published", "arxiv_id")[:FEED_ITEMS]
    )
    fallback = Paper.objects.aggregate(latest=Max("modified_at"))["latest"] or timezone.now()
    items = [FeedItem(p, p.updated or p.published or fallback) for p in papers]
    return render_feed(
        request,
        _fmt(fmt),
        title=f"New papers in {category.code}",
        path=f"/papers/search?category={category.code}",
        description=f"The newest arXiv papers in {category.code}.",
        items=items,
    )


SEARCH_FEED_THRESHOLD = 0.5  # the default of a saved search (personal.models.SavedSearch)


def search_feed(request, fmt: str):
    """Any search as a feed — what a saved search links to: the hits above a relevance
    threshold (`min`, default that of a saved search), newest first, so new matches appear
    at the top of a reader's feed."""
    from paperfeed.search.hybrid import rank
    from paperfeed.search.query import MAX_QUERY_CHARS

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
    items = [FeedItem(p, p.updated or p.published or p.created_at) for p in ordered]
    return render_feed(
        request,
        _fmt(fmt),
        title=f"Papers matching “{query}”",
        path=f"/papers/search?q={quote_plus(query)}",
        description=f"New papers for the search “{query}”, newest first.",
        items=items,
    )
