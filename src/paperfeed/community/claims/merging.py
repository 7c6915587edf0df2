"""Authorship claims of a duplicate paper follow it into the kept one (a step of papers.merge)."""

from __future__ import annotations

from paperfeed.community.claims.models import AuthorshipClaim
from paperfeed.papers.merge import MergeStep
from paperfeed.papers.models import Paper


def move_claims(keep: Paper, duplicate: Paper) -> int:
    """One open claim per user: the stronger claim stays (approved > pending)."""
    open_statuses = [AuthorshipClaim.Status.PENDING, AuthorshipClaim.Status.APPROVED]
    kept_open = {c.user_id: c for c in AuthorshipClaim.objects.filter(paper=keep, status__in=open_statuses)}
    for claim in AuthorshipClaim.objects.filter(paper=duplicate, status__in=open_statuses):
        other = kept_open.get(claim.user_id)
        if other is None:
            continue
        if claim.status == AuthorshipClaim.Status.APPROVED and other.status != AuthorshipClaim.Status.APPROVED:
            other.delete()  # the duplicate's approval is the stronger claim: it moves below
        else:
            claim.delete()
    return AuthorshipClaim.objects.filter(paper=duplicate).update(paper=keep)


STEP = MergeStep(name="claims", relation="claims", move=move_claims)
