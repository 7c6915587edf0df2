"""What the schedule keeps in the database, shared by every process and machine using it."""

from django.db import models


class Lease(models.Model):
    """A named claim that one process holds until `expires_at` unless it renews it.

    "scheduler" is held by the process that decides which slots are due; "job:NAME" by the
    process running NAME. A claim is one conditional UPDATE (free, expired, or already ours),
    which SQLite and PostgreSQL both apply to one claimer only (lease.py).
    """

    name = models.CharField(max_length=60, primary_key=True)
    holder = models.CharField(max_length=200, blank=True)  # host:pid:token, "" when free
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name}: {self.holder or 'free'} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class Job(models.Model):
    """One job of the schedule: since when it is scheduled, and whether a run was asked for."""

    name = models.CharField(max_length=40, primary_key=True)
    # Slots before this are never run: a new install does not run last night's jobs at once.
    # The row is made by the first scheduler (or the admin's list) that knows the job.
    since = models.DateTimeField()
    # Set by an ingest that added papers when INDEX runs "after-ingest"; cleared by the run.
    requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JobRun(models.Model):
    """One run of a job: a slot of its schedule, or one asked for (`jobs run`, after an ingest)."""

    class Result(models.TextChoices):
        RUNNING = "running"  # also a run whose runner died: its job lease has expired then
        OK = "ok"
        FAILED = "failed"

    job = models.CharField(max_length=40)
    # The schedule's time this run is for; null for a run asked for. One row per slot: the
    # unique constraint is the last guard of "once per slot" whatever the leases say.
    slot = models.DateTimeField(null=True, blank=True)
    trigger = models.CharField(max_length=40)  # "schedule", "command", "after INGEST_RSS"
    runner = models.CharField(max_length=200)  # host:pid:token of the process running it
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=10, choices=Result.choices, default=Result.RUNNING)
    message = models.CharField(max_length=500, blank=True)  # one line: the job's summary or error
    attempts = models.PositiveSmallIntegerField(default=1)  # >1: run again after its runner died

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="jobs_one_run_per_slot")]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobs_run_latest")]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M} {self.result}"
