"""/papers/submit: put a paper on a day's list (see rules.py for what "the day's list" means)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from paperfeed.community.accounts.throttle import Limit
from paperfeed.community.http import SeeOther
from paperfeed.community.submissions import rules
from paperfeed.community.submissions.forms import SubmitForm


def submission_limit() -> Limit:
    # Read at call time so that a changed setting (or a test's override) applies at once.
    return Limit("submit", settings.PAPERFEED_SUBMISSIONS_PER_DAY, timedelta(days=1))


def _page(request, form, status=200, retry_after=None):
    context = {
        "form": form,
        "max_age_days": settings.PAPERFEED_SUBMIT_MAX_AGE_DAYS,
        "per_day": settings.PAPERFEED_SUBMISSIONS_PER_DAY,
        "rate_limited": retry_after is not None,
        "today": rules.today(),
        "suggestions": rules.submittable_papers(),
    }
    response = render(request, "submissions/submit.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def submit_paper(request):
    if request.method == "GET":
        return _page(request, SubmitForm(user=request.user, initial={"paper": request.GET.get("paper", "")[:300]}))
    form = SubmitForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, form, status=400)
    # Counted only for well-formed submissions, refused or not: each may cost a request to arXiv.
    limit = submission_limit()
    if not limit.allow(request.user.pk):
        return _page(request, form, status=429, retry_after=limit.retry_after(request.user.pk))
    try:
        entry = rules.submit(
            request.user, form.cleaned_data["paper"], form.cleaned_data["date"], form.cleaned_data["organization"]
        )
    except rules.Refused as refusal:
        form.add_error(None, str(refusal))
        return _page(request, form, status=refusal.status)
    # The paper page says "On Daily Papers for <day>, submitted by <you>", with a link to the list.
    # 303: the browser follows with a GET, so a reload does not post again.
    return SeeOther(entry.paper.get_absolute_url())
