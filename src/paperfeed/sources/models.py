"""What ingestion remembers: inputs it could not store."""

from django.db import models


class IngestProblem(models.Model):
    """A record a source could not turn into a paper, kept with its raw payload.

    Bad input never stops a run and is never silently dropped: it lands here, is counted in
    the run's summary, listed by ``paperfeed status`` and shown in the admin.
    """

    source = models.CharField(max_length=40, db_index=True)  # "snapshot", "arxiv-api", ...
    location = models.CharField(max_length=500, blank=True)  # file:line, URL, or record id
    reason = models.TextField()
    raw = models.TextField(blank=True)  # the payload as received (truncated to 64 kB)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.location}: {self.reason[:80]}"
