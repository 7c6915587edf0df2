"""Votes of a duplicate paper follow it into the kept one (a step of papers.merge)."""

from __future__ import annotations

from paperfeed.community.votes.models import Vote
from paperfeed.papers.merge import MergeStep
from paperfeed.papers.models import Paper


def move_votes(keep: Paper, duplicate: Paper) -> int:
    """A user who voted for both papers keeps one vote."""
    voted = Vote.objects.filter(paper=keep).values("user_id")
    Vote.objects.filter(paper=duplicate, user_id__in=voted).delete()
    return Vote.objects.filter(paper=duplicate).update(paper=keep)


def recount_votes(keep: Paper) -> None:
    Paper.objects.filter(pk=keep.pk).update(upvotes=Vote.objects.filter(paper=keep).count())


STEP = MergeStep(name="votes", relation="votes", move=move_votes, recount=recount_votes)
