"""Daily, weekly, monthly and trending lists of papers.

Period lists rank by each paper's one upvote count (Paper.total_upvotes: the source's count +
local votes), then day and arXiv id; a paper listed on several days of a week or month shows
once, on its latest day there. The trending list ranks by the stored trending score
(feeds/trending.py).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from paperfeed.core.page_cache import cached_page
from paperfeed.feeds.models import TrendingScore
from paperfeed.feeds.trending import DEFAULT_DAYS
from paperfeed.papers.cards import latest_entries, prime_card_state
from paperfeed.papers.daily import one_per_paper
from paperfeed.papers.models import DailyEntry, total_upvotes_expression
from paperfeed.papers.periods import FIRST_YEAR, LAST_YEAR, Period, day_period, parse_day, parse_month, parse_week
from paperfeed.personal.mutes import mute_queryset

_URL_NAMES = {"day": "feed-day", "week": "feed-week", "month": "feed-month"}


@cached_page(params=["p"])
def latest_day(request):
    shown, newest = front_page_day()
    if shown is None:
        return render(request, "feeds/empty.html", status=200)
    newer = None
    if newest is not None:  # the page says that it skipped newer, shorter lists, and links them
        newer = {"period": day_period(newest), "count": DailyEntry.objects.filter(date=newest).count()}
        newer["url"] = _link(newer["period"])
    return _render_period(request, day_period(shown), {"newer_list": newer})


def front_page_day(scan: int = 60) -> tuple[date | None, date | None]:
    """(the day /papers opens on, the newest listed day when that is a newer, shorter one).

    The newest day whose list has at least PAPERFEED_FRONT_PAGE_MIN_PAPERS papers: on an
    instance fed every day that is the newest day, found with one count; a list still being
    filled, or a sample whose newest days hold one paper each, opens on the last full day
    instead, and the page links the newer list. No day that full: the newest day.
    """
    latest = DailyEntry.objects.aggregate(latest=Max("date"))["latest"]
    minimum = settings.PAPERFEED_FRONT_PAGE_MIN_PAPERS
    if latest is None or minimum <= 1 or DailyEntry.objects.filter(date=latest).count() >= minimum:
        return latest, None
    before = latest
    while True:  # newest first, `scan` days per query: a long run of short lists is rare
        days = list(
            DailyEntry.objects.filter(date__lt=before)
            .values("date")
            .annotate(n=Count("id"))
            .order_by("-date")
            .values_list("date", "n")[:scan]
        )
        full = next((day for day, n in days if n >= minimum), None)
        if full is not None:
            return full, latest
        if len(days) < scan:
            return latest, None
        before = days[-1][0]


@cached_page(params=["p"])
def day(request, day: str):
    return _render_period(request, _parsed(parse_day(day)))


@cached_page(params=["p"])
def week(request, week: str):
    return _render_period(request, _parsed(parse_week(week)))


@cached_page(params=["p"])
def month(request, month: str):
    return _render_period(request, _parsed(parse_month(month)))


def _parsed(period: Period | None) -> Period:
    if period is None:
        raise Http404(
            f"Dates look like 2024-12-17, weeks like 2024-W51, months like 2024-12, "
            f"in the years {FIRST_YEAR}–{LAST_YEAR}."
        )
    return period


def _neighbour(period: Period, direction: str) -> Period | None:
    """The nearest period of the same kind, before or after, that has papers on it."""
    if direction == "previous":
        found = DailyEntry.objects.filter(date__lt=period.start).aggregate(d=Max("date"))["d"]
    else:
        found = DailyEntry.objects.filter(date__gt=period.end).aggregate(d=Min("date"))["d"]
    return period.containing(found) if found else None


def _link(period: Period | None) -> str | None:
    return reverse(_URL_NAMES[period.kind], args=[period.slug]) if period else None


def _daily_tab(period: Period) -> Period:
    """The Daily tab of a week or month: its latest day with papers (or its first day)."""
    if period.kind == "day":
        return period
    latest = DailyEntry.objects.filter(date__range=(period.start, period.end)).aggregate(d=Max("date"))["d"]
    return day_period(latest or period.start)


def period_entries(period: Period):
    """The period's daily entries, one per paper (its latest day in the period), best first."""
    in_period = DailyEntry.objects.filter(date__range=(period.start, period.end))
    return (
        one_per_paper(in_period, until=period.end)
        .select_related("paper", "paper__primary_category", "organization", "submitter")
        .annotate(total_upvotes=total_upvotes_expression("paper__"))
        .order_by("-total_upvotes", "-date", "paper__arxiv_id")
    )


def _render_period(request, period: Period, extra: dict | None = None):
    entries, muted_note = mute_queryset(request, period_entries(period))
    page = Paginator(entries, settings.PAGE_SIZE).get_page(request.GET.get("p"))
    prime_card_state(request, [entry.paper_id for entry in page.object_list])
    context = {
        "period": period,
        "muted_note": muted_note,
        "page": page,
        "entries": page.object_list,
        "previous_url": _link(_neighbour(period, "previous")),
        "next_url": _link(_neighbour(period, "next")),
        "day_url": _link(_daily_tab(period)),
        "week_url": _link(Period("week", period.start, period.end).containing(period.start)),
        "month_url": _link(Period("month", period.start, period.end).containing(period.start)),
        **(extra or {}),
    }
    return render(request, "feeds/period.html", context)


@cached_page(params=["p"])
def trending(request):
    """Papers by their stored trending score (as of the last `paperfeed trending` run)."""
    scores = TrendingScore.objects.select_related("paper", "paper__primary_category").order_by(
        "-score", "age_hours", "paper__arxiv_id"
    )
    scores, muted_note = mute_queryset(request, scores)
    page = Paginator(scores, settings.PAGE_SIZE).get_page(request.GET.get("p"))
    paper_ids = [score.paper_id for score in page.object_list]
    prime_card_state(request, paper_ids)
    latest = latest_entries(paper_ids)
    context = {
        "page": page,
        "muted_note": muted_note,
        "cards": [(score.paper, latest.get(score.paper_id)) for score in page.object_list],
        "computed_at": page.object_list[0].computed_at if page.object_list else None,
        "gravity": settings.PAPERFEED_TRENDING_GRAVITY,
        "comment_weight": settings.PAPERFEED_TRENDING_COMMENT_WEIGHT,
        "window_days": DEFAULT_DAYS,
    }
    return render(request, "feeds/trending.html", context)
