"""{% claim_box paper as box %}: the claim state and form for the paper page's current user."""

from __future__ import annotations

from django import template

from paperfeed.community.claims.forms import ClaimForm
from paperfeed.community.claims.models import AuthorshipClaim
from paperfeed.community.claims.state import latest_claim

register = template.Library()


@register.simple_tag(takes_context=True)
def claim_box(context, paper) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"anonymous": True}
    claim = latest_claim(user, paper)
    is_open = claim is not None and claim.status in (AuthorshipClaim.Status.PENDING, AuthorshipClaim.Status.APPROVED)
    box = {"anonymous": False, "claim": claim, "open": is_open}
    if not is_open:
        # A view that re-renders after an invalid post passes its bound form (with errors).
        box["form"] = context.get("claim_form") or ClaimForm(paper=paper)
    return box
