"""Casting and taking back votes, exact under concurrent requests.

The Vote row's unique constraint is the arbiter: two requests racing to vote for the same
paper (a double click, two tabs) both try the insert and one gets an IntegrityError, which
means "already voted". Paper.upvotes changes by F() in the same transaction as the row, so
the counter always equals the number of rows, however many voters write at once.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from paperfeed.community.votes.models import Vote
from paperfeed.papers.models import Paper
from paperfeed.papers.signals import activity_changed


def set_vote(user, paper: Paper, want: bool | None = None) -> bool:
    """Vote (want=True), un-vote (False) or toggle (None); returns whether the user now votes.

    Also tells the apps that follow paper activity (trending) in the same transaction.
    """
    with transaction.atomic():
        has = Vote.objects.filter(user=user, paper=paper).exists()
        if want is None:
            want = not has
        if want and not has:
            try:
                with transaction.atomic():  # a savepoint: the outer transaction survives the race
                    Vote.objects.create(user=user, paper=paper)
            except IntegrityError:
                return True  # a concurrent request of the same user voted first
            Paper.objects.filter(pk=paper.pk).update(upvotes=F("upvotes") + 1)
        elif not want and has:
            _, per_model = Vote.objects.filter(user=user, paper=paper).delete()
            # Only the request that really deleted the row takes the vote off the counter.
            if per_model.get(Vote._meta.label):
                Paper.objects.filter(pk=paper.pk, upvotes__gt=0).update(upvotes=F("upvotes") - 1)
        activity_changed(Vote, paper.pk)
    return want


# The user's voted papers, cached on the request: feeds that know their papers up front call
# prime(request, ids) so only those are looked up; any other paper falls back to one query
# for all of the user's votes. Either way, a page of cards costs at most one query.


def _cache(request) -> dict:
    cache = getattr(request, "_paperfeed_votes", None)
    if cache is None:
        cache = {"covered": set(), "voted": set(), "complete": False}
        request._paperfeed_votes = cache
    return cache


def prime(request, paper_ids) -> None:
    """Load the user's votes among these papers in one query (feeds call it before rendering)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return
    ids = set(paper_ids) - _cache(request)["covered"]
    if not ids:
        return
    cache = _cache(request)
    cache["voted"] |= set(Vote.objects.filter(user=user, paper_id__in=ids).values_list("paper_id", flat=True))
    cache["covered"] |= ids


def has_voted(request, paper_id: int) -> bool:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return False
    cache = _cache(request)
    if paper_id not in cache["covered"] and not cache["complete"]:
        cache["voted"] = set(Vote.objects.filter(user=user).values_list("paper_id", flat=True))
        cache["complete"] = True
    return paper_id in cache["voted"]


def remember(request, paper_id: int, voted: bool) -> None:
    """Record a vote just cast, so the fragment rendered in the same request shows it."""
    cache = _cache(request)
    cache["covered"].add(paper_id)
    (cache["voted"].add if voted else cache["voted"].discard)(paper_id)
