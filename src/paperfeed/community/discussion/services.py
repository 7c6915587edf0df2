"""Writing comments: every change and its effect on Paper.comment_count in one transaction.

Paper.comment_count is the number of *visible* comments (neither deleted by their author nor
hidden by a moderator). Each function below changes a comment's visibility and the counter
with an F() update in the same transaction, so concurrent writers never lose a step; the
apps that follow paper activity (trending) are told afterwards (papers.signals).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from paperfeed.core.page_cache import pages_changed
from paperfeed.community.accounts.throttle import Limit
from paperfeed.community.discussion.markdown import render_markdown
from paperfeed.community.discussion.models import Comment
from paperfeed.papers.models import Paper
from paperfeed.papers.signals import activity_changed


def comment_limit() -> Limit:
    """Comments one user may post per hour: on the page and through the API alike."""
    return Limit("comment", settings.PAPERFEED_COMMENTS_PER_HOUR, timedelta(hours=1))


def create_comment(paper: Paper, author, body: str, parent: Comment | None = None) -> Comment:
    # One level of replies, as on Hugging Face: a reply to a reply joins its thread.
    if parent is not None and parent.parent_id is not None:
        parent = parent.parent
    with transaction.atomic():
        comment = Comment.objects.create(
            paper=paper, author=author, parent=parent, body=body, body_html=render_markdown(body)
        )
        _bump(paper.pk, +1)
    refresh_trending(paper.pk)
    return comment


def edit_comment(comment: Comment, body: str) -> Comment:
    comment.body = body
    comment.body_html = render_markdown(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    pages_changed()  # the paper page shows the new text
    return comment


def delete_comment(comment: Comment) -> None:
    """Deleted by its author (or staff): the text goes; the row stays while replies hang off it."""
    with transaction.atomic():
        # Re-read under the transaction: two deletes of one comment must count once.
        was_visible = Comment.objects.filter(pk=comment.pk, deleted=False, hidden=False).exists()
        changed = Comment.objects.filter(pk=comment.pk, deleted=False).update(deleted=True, body="", body_html="")
        if changed and was_visible:
            _bump(comment.paper_id, -1)
    comment.deleted, comment.body, comment.body_html = True, "", ""
    refresh_trending(comment.paper_id)


def set_hidden(comments: Iterable[Comment], hidden: bool) -> int:
    """Hide or unhide (moderators); returns how many comments changed."""
    changed_papers: dict[int, int] = {}
    changed = 0
    with transaction.atomic():
        for comment in comments:
            # The conditional update is the check: a comment already in that state changes nothing.
            if Comment.objects.filter(pk=comment.pk, hidden=not hidden).update(hidden=hidden):
                changed += 1
                if not comment.deleted:
                    changed_papers[comment.paper_id] = changed_papers.get(comment.paper_id, 0) + 1
        for paper_id, count in changed_papers.items():
            _bump(paper_id, -count if hidden else count)
    for paper_id in changed_papers:
        refresh_trending(paper_id)
    return changed


def recount(paper_ids: Iterable[int]) -> None:
    """Set comment_count from the rows (after an admin hard-delete or a merge of papers)."""
    with transaction.atomic():
        for paper_id in set(paper_ids):
            visible = Comment.objects.filter(paper_id=paper_id, deleted=False, hidden=False).count()
            Paper.objects.filter(pk=paper_id).update(comment_count=visible)


def _bump(paper_id: int, delta: int) -> None:
    Paper.objects.filter(pk=paper_id).update(comment_count=F("comment_count") + delta)


def refresh_trending(paper_id: int) -> None:
    """Tell the apps that follow paper activity (feeds recomputes the trending score)."""
    activity_changed(Comment, paper_id)
