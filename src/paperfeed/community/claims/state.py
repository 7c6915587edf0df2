"""What the paper page shows a user about their authorship claim, and who are approved authors."""

from __future__ import annotations

from paperfeed.community.claims.models import AuthorshipClaim


def latest_claim(user, paper) -> AuthorshipClaim | None:
    """The user's most recent claim on the paper: it decides what the page shows."""
    if not user.is_authenticated:
        return None
    return (
        AuthorshipClaim.objects.filter(user=user, paper=paper)
        .select_related("author")
        .order_by("-created_at", "-pk")
        .first()
    )


def approved_author_ids(paper) -> set[int]:
    """Ids of users whose claim on the paper was approved (for an "Author" badge)."""
    return set(
        AuthorshipClaim.objects.filter(paper=paper, status=AuthorshipClaim.Status.APPROVED).values_list(
            "user_id", flat=True
        )
    )


def authored_papers(user):
    """Papers the user is an approved author of, newest first (for a profile page)."""
    from paperfeed.papers.models import Paper

    return Paper.objects.filter(
        claims__user=user, claims__status=AuthorshipClaim.Status.APPROVED
    ).distinct().order_by("-published", "arxiv_id")
