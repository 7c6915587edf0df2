"""Per-user state of the cards on a page (voted? saved?), loaded in one query per kind.

A list view calls prime_card_state with its page's paper ids before rendering; the card
templates' tags then find the answers cached on the request instead of asking per card.

Cards show papers, so this lives with papers; the state on them belongs to the apps above
(votes, collections), which register how to load it in their AppConfig.ready
(`register_card_state`). Papers never imports them (docs/layers.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paperfeed.papers.models import DailyEntry

# Each loader caches its answers for `paper_ids` on the request: loader(request, paper_ids).
_card_state_loaders: list[Callable[[object, list[int]], None]] = []


def register_card_state(loader: Callable[[object, list[int]], None]) -> None:
    if loader not in _card_state_loaders:
        _card_state_loaders.append(loader)


def prime_card_state(request, paper_ids: list[int]) -> None:
    for loader in _card_state_loaders:
        loader(request, paper_ids)


def latest_entries(paper_ids: list[int]) -> dict[int, DailyEntry]:
    """Each paper's latest daily entry (organisation, submitter, imported votes for its card),
    in one query; lists that are not of one day (trending, a collection) show cards with it."""
    from paperfeed.papers.models import DailyEntry

    latest: dict[int, DailyEntry] = {}
    for entry in DailyEntry.objects.filter(paper_id__in=paper_ids).select_related("organization", "submitter").order_by("date"):
        latest[entry.paper_id] = entry
    return latest
