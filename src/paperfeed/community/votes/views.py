"""POST /papers/<arxiv_id>/upvote: vote, un-vote or toggle, with or without JavaScript."""

from __future__ import annotations

from datetime import timedelta

from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from paperfeed.community.accounts.throttle import Limit
from paperfeed.community.http import (
    back,
    is_htmx,
    login_required_response,
    too_many,
)
from paperfeed.community.votes import services
from paperfeed.community.votes.templatetags.votes_tags import vote_context
from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.papers.models import DailyEntry, Paper

# Generous for a person clicking, tight enough to stop a script from churning the counters.
VOTE_LIMIT = Limit("vote", count=120, window=timedelta(minutes=1))

# The form sends the state it wants ("up" or "down"), so a double click or a resubmitted form
# is idempotent; without an action (a bare POST from a script) the vote toggles.
_ACTIONS = {"up": True, "down": False, "toggle": None, "": None}


def paper_for(arxiv_id: str) -> Paper:
    """The paper for an id in a mutation URL; a versioned id means the same paper."""
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        raise Http404("Not an arXiv identifier.")
    return get_object_or_404(Paper, arxiv_id=str(parsed.id))


@require_POST
def upvote(request, arxiv_id: str):
    paper = paper_for(arxiv_id)
    if not request.user.is_authenticated:
        return login_required_response(request, paper.get_absolute_url())
    action = request.POST.get("action", "")
    if action not in _ACTIONS:
        return HttpResponseBadRequest("action must be up, down or toggle", content_type="text/plain")
    if not VOTE_LIMIT.allow(request.user.pk):
        return too_many(VOTE_LIMIT.retry_after(request.user.pk))
    voted = services.set_vote(request.user, paper, _ACTIONS[action])
    services.remember(request, paper.pk, voted)
    if is_htmx(request):
        paper.refresh_from_db(fields=["upvotes"])
        size = "lg" if request.POST.get("size") == "lg" else ""
        entry = _posted_entry(request, paper)
        return render(
            request,
            "votes/_vote_button.html",
            vote_context(request, paper, entry, size),
        )
    return back(request, paper.get_absolute_url())


def _posted_entry(request, paper: Paper) -> DailyEntry | None:
    """The daily entry the card showed (its imported votes), when the fragment names one."""
    entry_id = request.POST.get("entry", "")
    if not entry_id.isdigit():
        return None
    return DailyEntry.objects.filter(pk=int(entry_id), paper=paper).first()
