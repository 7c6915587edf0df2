"""The upvote button of cards and paper pages (templates/votes/_vote.html)."""

from __future__ import annotations

from django import template

from paperfeed.community.http import current_page
from paperfeed.community.votes import services
from paperfeed.core.page_cache import csrf_token_for

register = template.Library()


def vote_context(request, paper, entry=None, size: str = "") -> dict:
    return {
        "paper": paper,
        "size": size,
        "entry_id": entry.pk if entry is not None else "",
        # The paper's one count (the source's + local votes), the same on every card and page.
        "total": paper.total_upvotes,
        "voted": services.has_voted(request, paper.pk) if request is not None else False,
        # Cards are included with `only`, which drops the context processors' csrf_token.
        "csrf_token": csrf_token_for(request) if request is not None else "",
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
    """Uses the including template's `paper`, `entry` (cards) and `size`."""
    request = getattr(context, "request", None) or context.get("request")
    return vote_context(request, context["paper"], context.get("entry"), context.get("size") or "")
