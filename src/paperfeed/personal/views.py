"""For you, personal settings (mutes, follows, saved searches, categories), the personal feed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from paperfeed.feeds.syndication import FeedInfo, FeedItem, serve_feed
from paperfeed.papers.cards import latest_entries, prime_card_state
from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.papers.models import Author, DailyEntry, Paper
from paperfeed.personal.forms import CategoriesForm, MuteForm, SavedSearchForm
from paperfeed.personal.models import (
    FollowedAuthor,
    MuteRule,
    NotInterested,
    PickState,
    Preferences,
    Recommendation,
    SavedSearch,
    new_feed_token,
)
from paperfeed.personal.fresh import ensure_fresh_picks
from paperfeed.personal.mutes import Mutes

MAX_RULES = 200


def _back(request, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = fallback
    return HttpResponseRedirect(target, status=303)


@dataclass
class Pick:
    paper: Paper
    because: Paper | None  # the reader's own paper nearest to this one
    reason: str  # the why in words, when no own paper led here
    entry: DailyEntry | None = None  # its latest daily listing (organization, imported votes)


def picks_for(user, limit: int = 50) -> list[Pick]:
    """The stored picks, minus what is muted or dismissed since, with their reasons."""
    recommendations = list(Recommendation.objects.filter(user=user).order_by("-score")[: limit * 2])
    dismissed = set(NotInterested.objects.filter(user=user).values_list("paper_id", flat=True))
    ids = Mutes.for_user(user).keep([r.paper_id for r in recommendations if r.paper_id not in dismissed])[:limit]
    # One line of why: the nearest own paper (the first of `because`) is reason enough.
    because_ids = {r.because[0] for r in recommendations if r.because}
    papers = Paper.objects.select_related("primary_category").in_bulk([*ids, *because_ids])
    by_paper = {r.paper_id: r for r in recommendations}
    entries = latest_entries(ids)
    picks = []
    for pid in ids:
        if pid not in papers:
            continue
        r = by_paper[pid]
        because = papers.get(r.because[0]) if r.because else None
        picks.append(Pick(papers[pid], because, r.reason, entries.get(pid)))
    return picks


@login_required
def for_you(request):
    ensure_fresh_picks(request.user)  # bounded: see personal/fresh.py
    picks = picks_for(request.user)
    prime_card_state(request, [pick.paper.pk for pick in picks])
    source = Recommendation.objects.filter(user=request.user).values_list("source", flat=True).first()
    return render(request, "personal/for_you.html", {"picks": picks, "source": source, **_feed_paths(request.user)})


def _feed_paths(user) -> dict:
    """The reader's personal feed (Atom, JSON Feed) for the pages that link it (a reader
    without preferences gets an empty row for the feed's secret; it leaves the picks as they
    are, personal/signals.py)."""
    prefs, _ = Preferences.objects.get_or_create(user=user)
    return {
        "feed_atom": reverse("personal-feed", args=[prefs.feed_token, "atom"]),
        "feed_json": reverse("personal-feed", args=[prefs.feed_token, "json"]),
    }


@login_required
@require_POST
def not_interested(request, arxiv_id: str):
    """Dismiss a pick (or take that back with undo=1). From htmx, answer with the card's
    replacement so the list changes in place; otherwise go back to the page."""
    parsed = parse_arxiv_id(arxiv_id)
    paper = get_object_or_404(Paper, arxiv_id=parsed.id if parsed else "")
    undo = request.POST.get("undo") == "1"
    if undo:
        NotInterested.objects.filter(user=request.user, paper=paper).delete()
    else:
        NotInterested.objects.get_or_create(user=request.user, paper=paper)
    if request.headers.get("HX-Request") == "true":
        if undo:
            pick = next((p for p in picks_for(request.user, limit=200) if p.paper.pk == paper.pk), None)
            prime_card_state(request, [paper.pk])
            return render(request, "personal/_pick.html", {"pick": pick or Pick(paper, None, "")})
        return render(request, "personal/_dismissed.html", {"paper": paper})
    return _back(request, reverse("for-you"))


RECENT_DAYS = 30  # of daily lists, counted when a mute is added


def _muted_message(rule: MuteRule) -> str:
    """What a new mute did, in numbers: how many papers of the recent daily lists it hides.
    Counted over those lists only (a bounded, date-indexed set), not the whole collection."""
    single = Mutes(
        keywords=(rule.value,) if rule.kind == MuteRule.Kind.KEYWORD else (),
        categories=(rule.value,) if rule.kind == MuteRule.Kind.CATEGORY else (),
        authors=(rule.value,) if rule.kind == MuteRule.Kind.AUTHOR else (),
    )
    latest = DailyEntry.objects.aggregate(d=Max("date"))["d"]
    hidden = 0
    if latest:
        recent = DailyEntry.objects.filter(date__gt=latest - timedelta(days=RECENT_DAYS))
        hidden = recent.filter(single.q("paper__")).values("paper_id").distinct().count()
    what = f"{rule.get_kind_display().lower()} “{rule.value}”"
    if not hidden:
        return f"Muted {what}. No paper of the last {RECENT_DAYS} days' lists matches it yet; new ones will be hidden."
    return (
        f"Muted {what}: {hidden} paper{'s' if hidden != 1 else ''} of the last {RECENT_DAYS} days' lists "
        "now hidden from lists, search, For you and digests."
    )


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
        **_feed_paths(request.user),
    }
    return render(request, "personal/settings.html", context)


@login_required
@require_POST
def personal_update(request, what: str):
    user = request.user
    if what == "mute-add":
        form = MuteForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Give a keyword, a category code or an author's name to mute.")
        elif MuteRule.objects.filter(user=user).count() >= MAX_RULES:
            messages.error(request, f"You have {MAX_RULES} mute rules, the most one account may have.")
        else:
            rule, _ = MuteRule.objects.get_or_create(
                user=user, kind=form.cleaned_data["kind"], value=form.cleaned_data["value"]
            )
            messages.success(request, _muted_message(rule))
    elif what == "mute-remove":
        _remove(request, MuteRule.objects.filter(user=user), "mute rule")
    elif what == "search-add":
        form = SavedSearchForm(request.POST)
        if form.is_valid() and SavedSearch.objects.filter(user=user).count() < MAX_RULES:
            try:
                with transaction.atomic():
                    SavedSearch.objects.create(user=user, **form.cleaned_data)
            except IntegrityError:
                pass  # the same query saved twice: keep the first
    elif what == "search-remove":
        _remove(request, SavedSearch.objects.filter(user=user), "saved search")
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


def _remove(request, rows, what: str) -> None:
    """Delete the reader's row named by the form's `id`; anything but a row id (the form only
    ever sends one) is said so on the settings page, not taken to the database."""
    raw = request.POST.get("id", "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 18):
        messages.error(request, f"That {what} could not be removed: the form named no {what}.")
        return
    rows.filter(pk=int(raw)).delete()


def personal_feed(request, token: str, fmt: str):
    """The reader's picks as a feed, at a secret URL (feed readers cannot log in)."""
    prefs = Preferences.objects.filter(feed_token=token).select_related("user").first()
    if prefs is None or not prefs.user.is_active:
        raise Http404("Unknown feed.")
    ensure_fresh_picks(prefs.user)
    items = [FeedItem(pick.paper, upvotes=pick.paper.total_upvotes) for pick in picks_for(prefs.user)]
    info = FeedInfo(f"Picked for {prefs.user.username}", "/for-you", "Your personal picks.", private=True)
    picked_at = PickState.objects.filter(user=prefs.user).values_list("computed_at", flat=True).first()
    return serve_feed(request, fmt, info, items, also_changed=[picked_at])
