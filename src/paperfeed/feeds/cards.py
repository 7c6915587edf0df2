"""Per-user state of the cards on a page (voted? saved?), loaded in one query per kind.

A list view calls prime_card_state with its page's paper ids before rendering; the card
templates' tags then find the answers cached on the request instead of asking per card.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperfeed.papers.models import DailyEntry


def prime_card_state(request, paper_ids: list[int]) -> None:
    from paperfeed.community.collections import saving
    from paperfeed.community.votes import services

    services.prime(request, paper_ids)
    saving.prime(request, paper_ids)


def latest_entries(paper_ids: list[int]) -> dict[int, DailyEntry]:
    """Each paper's latest daily entry (organisation, submitter, imported votes for its card),
    in one query; lists that are not of one day (trending, a collection) show cards with it."""
    from paperfeed.papers.models import DailyEntry

    latest: dict[int, DailyEntry] = {}
    for entry in DailyEntry.objects.filter(paper_id__in=paper_ids).select_related("organization", "submitter").order_by("date"):
        latest[entry.paper_id] = entry
    return latest
