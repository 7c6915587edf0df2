"""POST /papers/<arxiv_id>/claim: ask to be recognised as one of the paper's authors."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from paperfeed.community.accounts.throttle import Limit
from paperfeed.community.claims.forms import ClaimForm
from paperfeed.community.claims.models import AuthorshipClaim
from paperfeed.community.http import SeeOther, is_htmx, safe_next
from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.papers.models import Paper


def claim_limit() -> Limit:
    return Limit("claim", settings.PAPERFEED_CLAIMS_PER_DAY, timedelta(days=1))


def _back(request, paper: Paper):
    """303 to a safe same-site `next`, else to the paper page's claim box."""
    return SeeOther(safe_next(request, request.POST.get("next"), f"{paper.get_absolute_url()}#claim"))


def _answer(request, paper: Paper, form: ClaimForm | None = None, status: int = 200, retry_after: int | None = None):
    """The claim box for htmx, else a redirect (success) or a page with the form (refusal)."""
    context = {"paper": paper, "claim_form": form, "rate_limited": retry_after is not None}
    if is_htmx(request):
        response = render(request, "claims/_claim.html", context, status=status)
    elif status == 200:
        return _back(request, paper)
    else:
        response = render(request, "claims/claim_page.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def claim_paper(request, arxiv_id: str):
    parsed = parse_arxiv_id(arxiv_id)
    if parsed is None:
        raise Http404("Not an arXiv identifier.")
    paper = get_object_or_404(Paper, arxiv_id=parsed.id)
    if not request.user.is_authenticated:
        # Back to the paper page after logging in: the claim URL itself answers POST only.
        return redirect_to_login(paper.get_absolute_url())
    form = ClaimForm(request.POST, paper=paper)
    if not form.is_valid():
        return _answer(request, paper, form, status=400)
    open_claims = AuthorshipClaim.objects.filter(
        paper=paper, user=request.user, status__in=[AuthorshipClaim.Status.PENDING, AuthorshipClaim.Status.APPROVED]
    )
    if open_claims.exists():
        return _answer(request, paper)  # already pending or approved: nothing to add
    limit = claim_limit()
    if not limit.allow(request.user.pk):
        return _answer(request, paper, form, status=429, retry_after=limit.retry_after(request.user.pk))
    try:
        with transaction.atomic():
            AuthorshipClaim.objects.create(
                paper=paper, user=request.user, author=form.cleaned_data["author"], message=form.cleaned_data["message"]
            )
    except IntegrityError:
        pass  # a concurrent request made the same claim: one open claim is what the user wants
    return _answer(request, paper)
