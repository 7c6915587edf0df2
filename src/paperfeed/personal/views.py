"""For you, personal settings (mutes, follows, saved searches, categories), the personal feed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from paperfeed.feeds.syndication import FeedItem, render_feed
from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.papers.models import Author, Paper
from paperfeed.personal.forms import CategoriesForm, MuteForm, SavedSearchForm
from paperfeed.personal.models import (
    FollowedAuthor,
    MuteRule,
    NotInterested,
    Preferences,
    Recommendation,
    SavedSearch,
    new_feed_token,
)
from paperfeed.personal.mutes import Mutes

MAX_RULES = 200


def _back(request, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target, status=303)


def picks_for(user, limit: int = 50) -> list[tuple[Paper, list[Paper]]]:
    """The stored picks, minus what is muted or dismissed since, with their reasons."""
    recommendations = list(Recommendation.objects.filter(user=user).order_by("-score")[: limit * 2])
    dismissed = set(NotInterested.objects.filter(user=user).values_list("paper_id", flat=True))
    ids = Mutes.for_user(user).keep([r.paper_id for r in recommendations if r.paper_id not in dismissed])[:limit]
    because_ids = {pid for r in recommendations for pid in r.because}
    papers = Paper.objects.select_related("primary_category").in_bulk([*ids, *because_ids])
    reasons = {r.paper_id: [papers[b] for b in r.because if b in papers] for r in recommendations}
    return [(papers[pid], reasons.get(pid, [])) for pid in ids if pid in papers]


@login_required
def for_you(request):
    picks = picks_for(request.user)
    source = Recommendation.objects.filter(user=request.user).values_list("source", flat=True).first()
    return render(request, "personal/for_you.html", {"picks": picks, "source": source})


@login_required
@require_POST
def not_interested(request, arxiv_id: str):
    parsed = parse_arxiv_id(arxiv_id)
    paper = get_object_or_404(Paper, arxiv_id=parsed.id if parsed else "")
    NotInterested.objects.get_or_create(user=request.user, paper=paper)
    return _back(request, reverse("for-you"))


@login_required
def personal_settings(request):
    prefs, _ = Preferences.objects.get_or_create(user=request.user)
    context = {
        "prefs": prefs,
        "mutes": MuteRule.objects.filter(user=request.user),
        "follows": FollowedAuthor.objects.filter(user=request.user).select_related("author"),
        "searches": SavedSearch.objects.filter(user=request.user),
        "mute_form": MuteForm(),
        "search_form": SavedSearchForm(),
        "categories_form": CategoriesForm(initial={"categories": prefs.categories}),
        "feed_url": request.build_absolute_uri(reverse("personal-feed", args=[prefs.feed_token, "atom"])),
    }
    return render(request, "personal/settings.html", context)


@login_required
@require_POST
def personal_update(request, what: str):
    user = request.user
    if what == "mute-add":
        form = MuteForm(request.POST)
        if form.is_valid() and MuteRule.objects.filter(user=user).count() < MAX_RULES:
            MuteRule.objects.get_or_create(user=user, kind=form.cleaned_data["kind"], value=form.cleaned_data["value"])
    elif what == "mute-remove":
        MuteRule.objects.filter(user=user, pk=request.POST.get("id") or 0).delete()
    elif what == "search-add":
        form = SavedSearchForm(request.POST)
        if form.is_valid() and SavedSearch.objects.filter(user=user).count() < MAX_RULES:
            try:
                with transaction.atomic():
                    SavedSearch.objects.create(user=user, **form.cleaned_data)
            except IntegrityError:
                pass  # the same query saved twice: keep the first
    elif what == "search-remove":
        SavedSearch.objects.filter(user=user, pk=request.POST.get("id") or 0).delete()
    elif what == "categories":
        form = CategoriesForm(request.POST)
        if form.is_valid():
            codes = " ".join(dict.fromkeys(form.cleaned_data["categories"].split()))[:500]
            Preferences.objects.update_or_create(user=user, defaults={"categories": codes})
    elif what == "follow":
        author = get_object_or_404(Author, name=request.POST.get("name", ""))
        FollowedAuthor.objects.get_or_create(user=user, author=author)
    elif what == "unfollow":
        FollowedAuthor.objects.filter(user=user, author__name=request.POST.get("name", "")).delete()
    elif what == "rotate-feed":
        # A new secret only: the reader's other preferences (categories) stay as they are.
        Preferences.objects.update_or_create(user=user, defaults={"feed_token": new_feed_token()})
    else:
        raise Http404("Unknown setting.")
    return _back(request, reverse("personal-settings"))


def personal_feed(request, token: str, fmt: str):
    """The reader's picks as a feed, at a secret URL (feed readers cannot log in)."""
    prefs = Preferences.objects.filter(feed_token=token).select_related("user").first()
    if prefs is None or not prefs.user.is_active:
        raise Http404("Unknown feed.")
    items = [
        FeedItem(paper, paper.updated or paper.published or paper.created_at, paper.total_upvotes)
        for paper, _ in picks_for(prefs.user)
    ]
    if fmt not in {"atom", "json"}:
        raise Http404("Feeds come as .atom or .json")
    return render_feed(
        request,
        fmt,
        title=f"Picked for {prefs.user.username}",
        path="/for-you",
        description="Your personal picks.",
        items=items,
    )
