"""GET /api/daily_papers: Hugging Face's daily list, with its parameters.

Order: `sort=trending` by the stored trending score; `sort=publishedAt` newest listing
first; without `sort`, the papers are ranked as the web pages rank them (each paper's one
upvote count), and with neither a period nor a submitter they are the latest day's. An answer
of more than one day (a week, a month, a submitter's, every list) holds each paper once: its
latest entry there.
"""

from __future__ import annotations

from django.db.models import F, Max

from paperfeed.api import params
from paperfeed.api.http import json_list
from paperfeed.api.serializers import PaperBatch
from paperfeed.papers.daily import one_per_paper
from paperfeed.papers.models import DailyEntry, total_upvotes_expression
from paperfeed.papers.periods import day_period

SORTS = ("publishedAt", "trending")
DEFAULT_LIMIT = 50  # huggingface_hub's documented default


def daily_papers(request):
    page = params.integer(request, "p", 0, 0, params.MAX_PAGE)
    limit = params.limit(request, DEFAULT_LIMIT)
    period = params.period(request)
    submitter = params.text(request, "submitter", 150)
    sort = params.choice(request, "sort", SORTS)

    entries = DailyEntry.objects.select_related("paper", "organization", "submitter")
    if period is None and sort is None and not submitter:
        latest = DailyEntry.objects.aggregate(latest=Max("date"))["latest"]
        period = day_period(latest) if latest else None
    if period is not None:
        entries = entries.filter(date__range=(period.start, period.end))
    if submitter:
        entries = entries.filter(submitted_by__iexact=submitter)
    if period is None or period.kind != "day":
        same = {"submitted_by__iexact": submitter} if submitter else {}
        entries = one_per_paper(entries, until=period.end if period else None, **same)
    if sort == "trending":
        entries = entries.order_by(F("paper__trending__score").desc(nulls_last=True), "-date", "paper__arxiv_id")
    elif sort == "publishedAt":
        entries = entries.order_by("-date", "-added_at", "paper__arxiv_id")
    else:
        entries = entries.annotate(total=total_upvotes_expression("paper__")).order_by(
            "-total", "-date", "paper__arxiv_id"
        )

    rows = list(entries[page * limit : (page + 1) * limit])
    batch = PaperBatch([entry.paper_id for entry in rows])
    return json_list([batch.item(entry.paper, entry) for entry in rows])
