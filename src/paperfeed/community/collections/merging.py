"""Collection items of a duplicate paper follow it into the kept one (a step of papers.merge)."""

from __future__ import annotations

from paperfeed.community.collections.models import CollectionItem
from paperfeed.papers.merge import MergeStep, move_unique
from paperfeed.papers.models import Paper


def move_collection_items(keep: Paper, duplicate: Paper) -> int:
    """One item per collection: where the kept paper is in the collection already, its item wins."""
    return move_unique(CollectionItem.objects.filter(paper=duplicate), keep, "collection_id")


STEP = MergeStep(name="collection items", relation="collection_items", move=move_collection_items)
