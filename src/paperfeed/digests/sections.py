"""A digest's sections, and its personal ones: picks, saved-search matches, followed authors
and new versions of saved papers. Each builder is a SECTION_BUILDER for digests/compose.py
(which imports this module, never the other way); all of them need a subscription linked to
an account."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from paperfeed.community.votes.models import Vote
from paperfeed.papers.models import DailyEntry, Paper, PaperVersion
from paperfeed.personal.fresh import ensure_fresh_picks
from paperfeed.personal.matching import match_new_papers
from paperfeed.personal.models import FollowedAuthor, Recommendation, SavedSearch

PICKS_IN_DIGEST = 5
MATCHES_PER_SEARCH = 5


@dataclass
class Item:
    paper: Paper
    upvotes: int
    note: str = ""  # why it is here ("matches your search …", "v2 is out")

    @property
    def url(self) -> str:
        return settings.BASE_URL + self.paper.get_absolute_url()


@dataclass
class Section:
    title: str
    items: list[Item]


def period_paper_ids(period, cache: dict) -> list[int]:
    """Papers new in the period: listed on one of its days, or first published in it."""
    key = ("period-papers", period.key)
    if key not in cache:
        listed = DailyEntry.objects.filter(date__range=(period.span.start, period.span.end)).values_list(
            "paper_id", flat=True
        )
        published = Paper.objects.filter(
            published__date__range=(period.span.start, period.span.end), withdrawn=False
        ).values_list("pk", flat=True)[:20000]
        cache[key] = list(dict.fromkeys([*listed, *published]))
    return cache[key]


def _items(paper_ids: list[int], notes: dict[int, str] | None = None) -> list[Item]:
    papers = Paper.objects.in_bulk(paper_ids)
    return [Item(papers[pid], papers[pid].total_upvotes, (notes or {}).get(pid, "")) for pid in paper_ids if pid in papers]


def personal_picks(subscription, period, cache: dict) -> Section | None:
    if not (subscription.user_id and subscription.include_personal):
        return None
    ensure_fresh_picks(subscription.user)  # as For you would show them now
    seen = set(Vote.objects.filter(user_id=subscription.user_id).values_list("paper_id", flat=True))
    picks = [
        r.paper_id
        for r in Recommendation.objects.filter(user_id=subscription.user_id).order_by("-score")[:100]
        if r.paper_id not in seen
    ][:PICKS_IN_DIGEST]
    return Section("Picked for you", _items(picks)) if picks else None


def saved_search_matches(subscription, period, cache: dict) -> Section | None:
    if not (subscription.user_id and subscription.include_saved_searches):
        return None
    new = period_paper_ids(period, cache)
    found: dict[int, str] = {}
    for search in SavedSearch.objects.filter(user_id=subscription.user_id):
        for pid, _ in match_new_papers(search.query, new, search.threshold, cache)[:MATCHES_PER_SEARCH]:
            found.setdefault(pid, f"matches “{search.query}”")
    return Section("New for your saved searches", _items(list(found), found)) if found else None


def followed_authors(subscription, period, cache: dict) -> Section | None:
    if not (subscription.user_id and subscription.include_followed_authors):
        return None
    authors = list(FollowedAuthor.objects.filter(user_id=subscription.user_id).values_list("author_id", flat=True))
    if not authors:
        return None
    new = period_paper_ids(period, cache)
    ids = list(
        Paper.objects.filter(pk__in=new, authorships__author_id__in=authors).distinct().values_list("pk", flat=True)
    )
    return Section("From authors you follow", _items(ids)) if ids else None


def new_versions(subscription, period, cache: dict) -> Section | None:
    """ "v2 of a paper you saved is out": versions after the first, dated in the period, of
    papers the reader upvoted or put in a collection."""
    if not (subscription.user_id and subscription.include_new_versions):
        return None
    user_id = subscription.user_id
    saved = Q(paper__votes__user_id=user_id) | Q(paper__collection_items__collection__owner_id=user_id)
    versions = (
        PaperVersion.objects.filter(saved, number__gt=1, created__date__range=(period.span.start, period.span.end))
        .order_by("paper_id", "-number")
        .values_list("paper_id", "number")
        .distinct()
    )
    notes: dict[int, str] = {}
    for pid, number in versions:
        notes.setdefault(pid, f"v{number} is out")
    return Section("New versions of papers you saved", _items(list(notes), notes)) if notes else None


BUILDERS = [personal_picks, saved_search_matches, followed_authors, new_versions]
