"""What ingestion remembers: inputs it could not store."""

from django.db import models

from paperfeed.sources import processes


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


class IngestRun(models.Model):
    """One run of `paperfeed ingest …`: what it was asked, how it ended, what it changed."""

    class Status(models.TextChoices):
        RUNNING = "running"  # see state(): a killed run never finishes, its process is gone
        OK = "ok"
        FAILED = "failed"  # the source itself failed (unreachable, refusing, broken)
        INTERRUPTED = "interrupted"  # its process ended without finishing it (kill -9, a crash)

    source = models.CharField(max_length=40, db_index=True)
    arguments = models.CharField(max_length=1000, blank=True)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    new = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    listed = models.PositiveIntegerField(default=0)  # new entries on daily lists
    requests = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    # The process doing the run, so that one killed without a chance to say so (kill -9, the
    # machine going down) is told apart from one still going: see state().
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)
    process_started = models.CharField(max_length=40, blank=True)  # tells a reused pid apart

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} {self.state()}"

    def state(self) -> str:
        """The status, with a "running" run whose process is gone reported as "interrupted".

        Only a run of this machine can be checked; one of another host stays "running".
        """
        if self.status != self.Status.RUNNING or self.pid is None or self.host != processes.this_host():
            return self.status
        alive = processes.is_running(self.pid, self.process_started)
        return self.status if alive else self.Status.INTERRUPTED


class HarvestCheckpoint(models.Model):
    """Where an OAI-PMH harvest stands, committed together with each page's records.

    Because the records of a page and the token for the next page are written in one
    transaction, a harvest killed at any moment resumes exactly after the last stored page:
    nothing is lost, and nothing is stored twice (storing is idempotent anyway).
    """

    key = models.CharField(max_length=300, unique=True)  # endpoint, set, prefix, from, until
    resumption_token = models.TextField(blank=True)
    cursor = models.PositiveIntegerField(null=True, blank=True)
    complete_list_size = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.pages} pages{' (finished)' if self.finished else ''}"


class AnnouncementDay(models.Model):
    """What arXiv's daily announcement feed said for a day and a set of categories.

    Weekends and holidays have no announcement: recorded here as a known day without
    papers, so pages and digests can say "no announcement" instead of looking broken.
    """

    date = models.DateField()
    feed = models.CharField(max_length=300)  # "cs.LG+cs.CL"
    announced = models.BooleanField()
    new = models.PositiveIntegerField(default=0)
    cross = models.PositiveIntegerField(default=0)
    replaced = models.PositiveIntegerField(default=0)
    checked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date", "feed"]
        constraints = [models.UniqueConstraint(fields=["date", "feed"], name="announcementday_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.feed}: {'announced' if self.announced else 'no announcement'}"
