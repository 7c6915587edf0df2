"""The upvote button of cards and paper pages (templates/votes/_vote.html)."""

from __future__ import annotations

from django import template
from django.db.models import Sum
from django.middleware.csrf import get_token

from paperfeed.community.http import current_page
from paperfeed.community.votes import services

register = template.Library()


def imported_upvotes(paper, entry=None) -> int:
    """Votes from elsewhere: the card's daily entry, else all of the paper's entries (as on
    the paper page). A view that lists papers without entries may annotate `imported_upvotes`
    to spare this query."""
    if entry is not None:
        return entry.upvotes
    annotated = getattr(paper, "imported_upvotes", None)
    if annotated is not None:
        return annotated
    return paper.daily_entries.aggregate(total=Sum("upvotes"))["total"] or 0


def vote_context(request, paper, entry=None, size: str = "", imported: int | None = None) -> dict:
    imported = imported_upvotes(paper, entry) if imported is None else imported
    return {
        "paper": paper,
        "size": size,
        "entry_id": entry.pk if entry is not None else "",
        "total": imported + paper.upvotes,
        "voted": services.has_voted(request, paper.pk) if request is not None else False,
        # Cards are included with `only`, which drops the context processors' csrf_token.
        "csrf_token": get_token(request) if request is not None else "",
        "next": _here(request, paper),
        "can_vote": request is not None,
    }


def _here(request, paper) -> str:
    """Where a plain form post should come back to: this page, or for a fragment re-rendered
    after a post, the page the fragment sits on."""
    if request is None:
        return ""
    if request.method == "GET":
        return request.get_full_path()
    return current_page(request, paper.get_absolute_url())


@register.inclusion_tag("votes/_vote_button.html", takes_context=True)
def vote_button(context):
    """Uses the including template's `paper`, `entry` (cards), `size` and `upvotes` (the
    paper page's imported total)."""
    request = getattr(context, "request", None) or context.get("request")
    size = context.get("size") or ""
    imported = context.get("upvotes") if size == "lg" and context.get("entry") is None else None
    if imported is not None and not isinstance(imported, int):
        imported = None
    return vote_context(request, context["paper"], context.get("entry"), size, imported)
