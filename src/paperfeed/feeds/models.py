"""Precomputed rankings behind the feeds."""

from __future__ import annotations

from django.db import models


class TrendingScore(models.Model):
    """A paper's trending score and the parts it was computed from, so a page can say why.

    Written in batch by `paperfeed trending` and refreshed for one paper when it gets a vote
    or a comment; the formula lives in feeds/trending.py and docs/architecture.md.
    """

    paper = models.OneToOneField("papers.Paper", on_delete=models.CASCADE, primary_key=True, related_name="trending")
    score = models.FloatField(db_index=True)
    upvotes = models.PositiveIntegerField()
    comments = models.PositiveIntegerField()
    age_hours = models.FloatField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-score"]

    def __str__(self) -> str:
        return f"{self.paper_id}: {self.score:.2f}"
