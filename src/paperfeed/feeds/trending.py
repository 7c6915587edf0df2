"""The trending score: community signal divided by a power of age, like Hacker News' ranking.

    score = (upvotes + W × comments) / (age_hours + 2) ^ G

W = PAPERFEED_TRENDING_COMMENT_WEIGHT (what a comment is worth next to an upvote),
G = PAPERFEED_TRENDING_GRAVITY (how fast age wins over votes). upvotes = the paper's one
count as every page shows it (Paper.total_upvotes: the source's count + local votes);
comments = Paper.total_comments (the source's + local, as the cards and the API count them); age counts from the paper's listing time: its first daily-list day at 00:00 UTC, else its v1 date.
The +2 keeps a paper listed a minute ago from dividing by almost nothing.

Scores are computed in batch by `paperfeed trending` relative to one reference time (its
"now") and stored in TrendingScore with their parts, so a page can say why a paper ranks.
Between runs scores do not decay; a vote or a comment refreshes one paper's score relative to
the same reference time as the last run, so every stored score stays comparable.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Min
from django.utils import timezone

from paperfeed.core.page_cache import pages_changed
from paperfeed.feeds.models import TrendingScore
from paperfeed.papers.models import DailyEntry, Paper, total_upvotes_expression

DEFAULT_DAYS = 30
BATCH = 1000

Progress = Callable[[int, "int | None", str], None]


def trending_score(
    upvotes: int,
    comments: int,
    age_hours: float,
    *,
    gravity: float | None = None,
    comment_weight: float | None = None,
) -> float:
    """The formula above; gravity and comment weight default to the settings."""
    gravity = settings.PAPERFEED_TRENDING_GRAVITY if gravity is None else gravity
    weight = settings.PAPERFEED_TRENDING_COMMENT_WEIGHT if comment_weight is None else comment_weight
    return (upvotes + weight * comments) / (max(age_hours, 0.0) + 2.0) ** gravity


def _midnight(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def age_hours(listed_at: datetime, now: datetime) -> float:
    """Hours from listing to `now`; never negative (a paper listed after the reference time is new)."""
    return max(0.0, (now - listed_at).total_seconds() / 3600)


@dataclass(frozen=True)
class Signals:
    paper_id: int
    listed_at: datetime
    upvotes: int  # the paper's one count: the source's + local (Paper.total_upvotes)
    comments: int


def _signals(paper_ids: Iterable[int]) -> list[Signals]:
    """Listing time, votes and comments of these papers, in two queries per batch."""
    paper_ids = list(paper_ids)
    found: list[Signals] = []
    for start in range(0, len(paper_ids), BATCH):
        chunk = paper_ids[start : start + BATCH]
        first_listed = dict(
            DailyEntry.objects.filter(paper_id__in=chunk).values("paper").annotate(first=Min("date")).values_list("paper", "first")
        )
        for paper_id, total, comments, published in (
            Paper.objects.filter(pk__in=chunk)
            .annotate(total=total_upvotes_expression(), all_comments=F("source_comments") + F("comment_count"))
            .values_list("pk", "total", "all_comments", "published")
        ):
            first = first_listed.get(paper_id)
            listed_at = _midnight(first) if first else published
            if listed_at is None:
                continue  # neither listed nor dated: no age, no score
            found.append(Signals(paper_id, listed_at, total, comments))
    return found


def _row(signals: Signals, now: datetime) -> TrendingScore:
    age = age_hours(signals.listed_at, now)
    return TrendingScore(
        paper_id=signals.paper_id,
        score=trending_score(signals.upvotes, signals.comments, age),
        upvotes=signals.upvotes,
        comments=signals.comments,
        age_hours=age,
        computed_at=now,
    )


def papers_in_window(now: datetime, days: int | None) -> list[int]:
    """Ids of papers listed in the `days` before `now` (every listed or dated paper if None).

    A paper's listing time is its first daily entry's day, else its v1 date; papers listed
    after `now` (a reference time in the past) are left out.
    """
    listed = DailyEntry.objects.values("paper").annotate(first=Min("date"))
    unlisted = Paper.objects.filter(daily_entries__isnull=True, published__isnull=False, published__lte=now)
    listed = listed.filter(first__lte=now.date())
    if days is not None:
        cutoff = now - timedelta(days=days)
        listed = listed.filter(first__gte=cutoff.date())
        unlisted = unlisted.filter(published__gte=cutoff)
    return sorted({row["paper"] for row in listed} | set(unlisted.values_list("pk", flat=True)))


def recompute(
    now: datetime | None = None,
    days: int | None = DEFAULT_DAYS,
    progress: Progress | None = None,
) -> int:
    """Replace every stored score by scores of the papers in the window, relative to `now`.

    Papers that left the window lose their score (else an old favourite would stay on the
    trending page forever). One transaction: the page never sees a half-written ranking.
    Returns how many scores were written.
    """
    now = now or timezone.now()
    report = progress or (lambda done, total, label: None)
    ids = papers_in_window(now, days)
    rows = [_row(s, now) for s in _signals(ids)]
    with transaction.atomic():
        TrendingScore.objects.all().delete()
        for start in range(0, len(rows), BATCH):
            TrendingScore.objects.bulk_create(rows[start : start + BATCH])
            report(min(start + BATCH, len(rows)), len(rows), "trending scores")
    if not rows:
        report(0, 0, "trending scores")
    pages_changed()  # the trending page and feed, and every card's "why trending"
    return len(rows)


def reference_time() -> datetime:
    """The "now" of the last batch run (stored scores are relative to it), else the real now."""
    return TrendingScore.objects.aggregate(at=Max("computed_at"))["at"] or timezone.now()


def refresh_paper(paper_id: int) -> TrendingScore | None:
    """Recompute one paper's score after a vote or a comment, relative to the last run's time.

    A paper gets a new score when it already has one or when it was listed within the default
    window before that time (or after it: its age counts as 0 until the next run); an older
    paper stays off the trending page.
    """
    now = reference_time()
    found = _signals([paper_id])
    if not found:
        return None
    signals = found[0]
    has_score = TrendingScore.objects.filter(paper_id=paper_id).exists()
    if not has_score and signals.listed_at < now - timedelta(days=DEFAULT_DAYS):
        return None
    row = _row(signals, now)
    TrendingScore.objects.update_or_create(
        paper_id=paper_id,
        defaults={f: getattr(row, f) for f in ("score", "upvotes", "comments", "age_hours", "computed_at")},
    )
    return row


def describe_age(hours: float) -> str:
    """ "20 h old", "3 days old": hours while a paper is young, days after two days."""
    if hours < 48:
        return f"{hours:.0f} h old"
    days = hours / 24
    return f"{days:,.0f} days old"


def describe_score(score: float) -> str:
    """Two significant digits below 1 (0.19, 0.000026: no exponent for a reader to decode),
    one decimal above."""
    if score >= 100:
        return f"{score:,.0f}"
    if score >= 1:
        return f"{score:.1f}"
    if score < 1e-9:
        return "0"
    decimals = 1 - math.floor(math.log10(score))
    return f"{score:.{decimals}f}".rstrip("0").rstrip(".")
