"""Comments of a duplicate paper follow it into the kept one (a step of papers.merge)."""

from __future__ import annotations

from paperfeed.community.discussion import services
from paperfeed.community.discussion.models import Comment
from paperfeed.papers.merge import MergeStep
from paperfeed.papers.models import Paper


def move_comments(keep: Paper, duplicate: Paper) -> int:
    return Comment.objects.filter(paper=duplicate).update(paper=keep)


def recount_comments(keep: Paper) -> None:
    services.recount([keep.pk])


STEP = MergeStep(name="comments", relation="discussion", move=move_comments, recount=recount_comments)
