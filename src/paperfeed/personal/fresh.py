"""For you without a batch job: a reader's picks refreshed when they are out of date, at a
bounded cost, inside the request that shows them.

The nightly `recommend` (recommend.py) trains a model per reader over thousands of recent
papers — too much for a web request. When a reader's signals changed since their picks were
stored (signals.py bumps PickState.version), the page instead recomputes picks from:

* seeds: the reader's most recent positives (upvotes, saved papers, followed authors'
  papers), at most SEEDS of them;
* candidates: each seed's NEIGHBOURS nearest papers through the vector index (an HNSW graph
  or pgvector search above PAPERFEED_ANN_THRESHOLD papers, an exact scan of at most that many
  below) — at most SEEDS × NEIGHBOURS papers, whatever the size of the collection;
* score: the closest seed's cosine, minus NEGATIVE_WEIGHT × the closest "not interested"
  paper's, plus POPULARITY_WEIGHT × the popularity of recommend.popularity_of; the why is the
  closest seed.

Without positives it falls back to the reader's chosen categories (papers of the daily lists
of the last COLD_START_DAYS days) and followed authors (their newest papers), each pick with
its reason in words. Every query here is bounded by those constants and hits an index.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.db import IntegrityError, transaction
from django.utils import timezone

from paperfeed.community.collections.models import CollectionItem
from paperfeed.community.votes.models import Vote
from paperfeed.papers.models import DailyEntry, Paper, PaperAuthor
from paperfeed.personal.models import FollowedAuthor, NotInterested, PickState, Preferences, Recommendation
from paperfeed.personal.mutes import Mutes
from paperfeed.personal.recommend import PICKS, popularity_of, vectors_for
from paperfeed.search.engines import current_index

SEEDS = 24  # most recent positives the picks grow from
NEIGHBOURS = 40  # nearest papers looked at per seed
NEGATIVES = 50  # most recent "not interested" papers held against candidates
NEGATIVE_WEIGHT = 0.5
# Among papers about as close to the reader's, the ones the community upvoted come first; small
# enough that closeness decides (cosines of good neighbours differ by ~0.1).
POPULARITY_WEIGHT = 0.05
COLD_START_DAYS = 30  # of daily lists, for readers who only chose categories
FOLLOWED_PAPERS = 10  # newest papers per followed author


def picks_state(user) -> PickState | None:
    return PickState.objects.filter(user=user).first()


def ensure_fresh_picks(user) -> bool:
    """Recompute the reader's picks if their signals changed since; True if it did."""
    state = picks_state(user)
    if state is not None and not state.stale:
        return False
    version = state.version if state else 1
    refresh_picks(user)
    # Only the version read before computing counts as done: a vote cast meanwhile bumped it,
    # and the next page view computes again.
    if state is None:
        try:
            with transaction.atomic():
                PickState.objects.create(user=user, version=1, computed_version=1, computed_at=timezone.now())
        except IntegrityError:
            pass  # a concurrent request of the same reader stored it first
    else:
        PickState.objects.filter(user=user, version=version).update(computed_version=version, computed_at=timezone.now())
    return True


def mark_computed(user) -> None:
    """The nightly batch just stored this reader's picks: they are up to date."""
    state, created = PickState.objects.get_or_create(user=user, defaults={"computed_at": timezone.now()})
    PickState.objects.filter(pk=state.pk).update(computed_version=state.version, computed_at=timezone.now())


def seed_ids(user) -> list[int]:
    """The reader's most recent positives, newest first."""
    voted = list(Vote.objects.filter(user=user).order_by("-created_at").values_list("paper_id", "created_at")[:SEEDS])
    saved = list(
        CollectionItem.objects.filter(collection__owner=user)
        .order_by("-added_at")
        .values_list("paper_id", "added_at")[:SEEDS]
    )
    ordered = [pid for pid, _ in sorted(voted + saved, key=lambda row: row[1], reverse=True)]
    if len(ordered) < SEEDS:
        ordered += list(followed_papers(user))
    return list(dict.fromkeys(ordered))[:SEEDS]


def followed_papers(user) -> dict[int, str]:
    """{paper id: author name} — the newest papers of each followed author."""
    found: dict[int, str] = {}
    for author_id, name in FollowedAuthor.objects.filter(user=user).values_list("author_id", "author__name")[:SEEDS]:
        rows = (
            PaperAuthor.objects.filter(author_id=author_id, paper__withdrawn=False)
            .order_by("-paper__published")
            .values_list("paper_id", flat=True)[:FOLLOWED_PAPERS]
        )
        for pid in rows:
            found.setdefault(pid, name)
    return found


def nearest_picks(user, seeds: list[int]) -> list[tuple[int, float, list[int]]]:
    """[(paper id, score, [the seed it is closest to])], best first; [] without vectors."""
    index = current_index()
    seed_ids_found, seed_vectors = vectors_for(seeds)
    if index is None or not len(seed_ids_found):
        return []
    candidates: set[int] = set()
    for vector in seed_vectors:
        candidates.update(n.paper_id for n in index.search(vector, NEIGHBOURS + 1))
    dismissed = list(
        NotInterested.objects.filter(user=user).order_by("-created_at").values_list("paper_id", flat=True)[:NEGATIVES]
    )
    own = set(seeds) | set(dismissed)
    own |= set(Vote.objects.filter(user=user, paper_id__in=candidates).values_list("paper_id", flat=True))
    own |= set(
        CollectionItem.objects.filter(collection__owner=user, paper_id__in=candidates).values_list("paper_id", flat=True)
    )
    candidates -= own
    candidates -= set(Paper.objects.filter(pk__in=candidates, withdrawn=True).values_list("pk", flat=True))
    ids, vectors = vectors_for(sorted(candidates))
    if not len(ids):
        return []
    closeness = vectors @ seed_vectors.T
    closest_seed = closeness.argmax(axis=1)
    scores = closeness.max(axis=1) + POPULARITY_WEIGHT * popularity_of(ids)
    _, negative_vectors = vectors_for(dismissed)
    if negative_vectors.size:
        scores -= NEGATIVE_WEIGHT * np.clip((vectors @ negative_vectors.T).max(axis=1), 0.0, None)
    order = np.argsort(-scores, kind="stable")
    return [(int(ids[i]), float(scores[i]), [int(seed_ids_found[closest_seed[i]])]) for i in order[: PICKS * 2]]


def cold_start(user) -> list[tuple[int, float, list[int], str]]:
    """Picks from chosen categories and followed authors, with their reason in words."""
    picks: dict[int, str] = {}
    for pid, name in followed_papers(user).items():
        picks.setdefault(pid, f"By {name}, whom you follow")
    prefs = Preferences.objects.filter(user=user).first()
    codes = prefs.category_codes if prefs else []
    # The window ends at the newest list holding one of the categories, not the newest list of
    # all: a site (or the demo) whose newest days are thin still offers the chosen categories.
    # Walked newest first down the date index, it stops at the first such entry (an aggregate
    # would visit every entry of the categories).
    in_codes = DailyEntry.objects.filter(paper__categories__code__in=codes)
    latest = in_codes.order_by("-date").values_list("date", flat=True).first() if codes else None
    if latest:
        entries = (
            in_codes.filter(date__gt=latest - timedelta(days=COLD_START_DAYS))
            .order_by("-upvotes", "-date")
            .values_list("paper_id", "paper__primary_category__code")[: PICKS * 2]
        )
        for pid, code in entries:
            picks.setdefault(pid, f"New in {code}, a category you follow" if code in codes else "In a category you follow")
    dismissed = set(NotInterested.objects.filter(user=user, paper_id__in=picks).values_list("paper_id", flat=True))
    voted = set(Vote.objects.filter(user=user, paper_id__in=picks).values_list("paper_id", flat=True))
    kept = [pid for pid in picks if pid not in dismissed | voted]
    return [(pid, float(len(kept) - rank), [], picks[pid]) for rank, pid in enumerate(kept)]


def refresh_picks(user) -> int:
    """Store fresh picks for the reader (replacing the stored ones); returns how many."""
    rows = [(pid, score, because, "") for pid, score, because in nearest_picks(user, seed_ids(user))]
    source = "nearest"
    if not rows:
        rows, source = cold_start(user), "cold-start"
    kept = set(Mutes.for_user(user).keep([row[0] for row in rows]))
    rows = [row for row in rows if row[0] in kept][:PICKS]
    try:
        with transaction.atomic():
            Recommendation.objects.filter(user=user).delete()
            Recommendation.objects.bulk_create(
                [
                    Recommendation(user=user, paper_id=pid, score=score, because=because, reason=reason, source=source)
                    for pid, score, because, reason in rows
                ]
            )
    except IntegrityError:
        return 0  # a concurrent request of the same reader stored its picks first
    return len(rows)
