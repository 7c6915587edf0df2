"""Each job with its schedule, last run, result and next run: for `paperfeed jobs` and the admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from paperfeed.jobs import lease
from paperfeed.jobs.models import Job, JobRun
from paperfeed.jobs.schedule import Schedule, load_schedules


@dataclass
class JobStatus:
    name: str
    schedule: str
    last_run: JobRun | None
    result: str  # ok, failed, running, "died" (running, its lease expired), or "never"
    next_run: str


def result_of(run: JobRun | None, now: datetime) -> str:
    if run is None:
        return "never"
    if run.result == JobRun.Result.RUNNING and not lease.live_holder(f"job:{run.job}", now):
        return "died"  # its runner stopped without finishing: a scheduled slot runs again
    return run.result


def _next_run(schedule: Schedule, job: Job | None, now: datetime, jobs_on: bool) -> str:
    if schedule.why_off:
        return "-"
    if schedule.after_ingest:
        return "requested" if job and job.requested_at else "after the next ingest that adds papers"
    when = f"{schedule.next_slot(now):%Y-%m-%d %H:%M:%S} UTC"
    return when if jobs_on else f"{when} if a scheduler ran (PAPERFEED_JOBS=off)"


def job_statuses(now: datetime | None = None) -> list[JobStatus]:
    from django.conf import settings

    now = now or timezone.now()
    schedules = load_schedules()
    jobs = {job.name: job for job in Job.objects.all()}
    statuses = []
    for name, schedule in schedules.items():
        run = JobRun.objects.filter(job=name).order_by("-started_at").first()
        statuses.append(
            JobStatus(
                name, schedule.describe(), run, result_of(run, now),
                _next_run(schedule, jobs.get(name), now, settings.PAPERFEED_JOBS),
            )
        )
    return statuses


def scheduler_holder(now: datetime | None = None) -> str:
    return lease.live_holder("scheduler", now)
