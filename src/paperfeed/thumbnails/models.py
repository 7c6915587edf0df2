"""What a thumbnail run remembers beside the image files: the papers whose PDF failed.

A paper that has a thumbnail is marked on its own row (`Paper.thumbnail_at`), which is what
pages read. A failure is kept here so that a broken or missing PDF is not fetched again on
every run after each ingest: it waits longer after each failed try (see `retry_after`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models

from paperfeed.papers.models import Paper

FIRST_WAIT = timedelta(hours=1)
LONGEST_WAIT = timedelta(days=30)


def retry_after(failures: int) -> timedelta:
    """How long after its last failed try a paper is left out: 1 h, 4 h, 16 h, … up to 30 days."""
    return min(LONGEST_WAIT, FIRST_WAIT * 4 ** max(0, failures - 1))


class ThumbnailFailure(models.Model):
    paper = models.OneToOneField(Paper, on_delete=models.CASCADE, related_name="thumbnail_failure")
    failures = models.PositiveIntegerField(default=1)
    last_error = models.TextField()
    last_tried = models.DateTimeField()
    # last_tried + retry_after(failures): stored so a run selects papers with one indexed comparison.
    retry_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.paper_id}: {self.failures} failure(s), last {self.last_error[:60]}"

    def record(self, error: str, when: datetime) -> None:
        self.last_error = error
        self.last_tried = when
        self.retry_at = when + retry_after(self.failures)
