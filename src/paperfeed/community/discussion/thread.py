"""The discussion under a paper as the templates show it: two queries, whatever its size."""

from __future__ import annotations

from dataclasses import dataclass, field

from paperfeed.community.claims.state import approved_author_ids
from paperfeed.community.discussion.models import Comment
from paperfeed.papers.models import Paper


@dataclass
class Entry:
    comment: Comment
    replies: list[Comment] = field(default_factory=list)


@dataclass
class FormState:
    """What a failed post leaves in its form: the text as typed and why it was refused."""

    parent_id: int | None = None  # None: the new-comment form
    body: str = ""
    errors: list[str] = field(default_factory=list)
    editing_id: int | None = None


def build_thread(paper: Paper) -> list[Entry]:
    """Top-level comments oldest first, each with its visible replies.

    A deleted or hidden comment stays (as a placeholder) only while it has a visible reply;
    replies never have replies of their own (one level, as on Hugging Face).
    """
    rows = list(Comment.objects.filter(paper=paper).select_related("author").order_by("created_at", "id"))
    replies: dict[int, list[Comment]] = {}
    for row in rows:
        if row.parent_id is not None and row.visible:
            replies.setdefault(row.parent_id, []).append(row)
    entries = []
    for row in rows:
        if row.parent_id is None and (row.visible or row.pk in replies):
            entries.append(Entry(row, replies.get(row.pk, [])))
    return entries


def thread_context(request, paper: Paper, form_state: FormState | None = None, notice: str = "") -> dict:
    return {
        "paper": paper,
        "thread": build_thread(paper),
        "author_ids": approved_author_ids(paper),  # the "Author" badge: one query
        "user": request.user,
        "request": request,
        "form_state": form_state or FormState(),
        "notice": notice,
    }
