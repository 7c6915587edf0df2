"""The schedule in the admin, read-only: each job as `paperfeed jobs` lists it, and the runs."""

import threading

from django.contrib import admin
from django.utils import timezone

from paperfeed.jobs.models import Job, JobRun
from paperfeed.jobs.runner import register_jobs
from paperfeed.jobs.schedule import load_schedules
from paperfeed.jobs.status import job_statuses


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _status_column(description: str, value, missing="-"):
    """A change-list column read from the job's JobStatus (`paperfeed jobs`' row); `missing`
    when the job has no status (a row of an older version) or the value is None."""

    @admin.display(description=description)
    def column(self, job):
        status = self._statuses.by_name.get(job.name)
        found = value(status) if status is not None else None
        return missing if found is None else found

    return column


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("name", "schedule", "last_run", "result", "message", "next_run")
    list_display_links = None
    fields = ("name", "since", "requested_at")
    # The statuses of the page being rendered: one reading of the schedules and the runs per
    # page, not one per row and column. Per thread: the ModelAdmin is one object shared by
    # every request of the process.
    _statuses = threading.local()

    def changelist_view(self, request, extra_context=None):
        # A row per job even before any scheduler ran (PAPERFEED_JOBS=off): the list is the
        # schedule's, as `paperfeed jobs` shows it.
        register_jobs(load_schedules())
        self._statuses.by_name = {status.name: status for status in job_statuses(timezone.now())}
        return super().changelist_view(request, extra_context)

    schedule = _status_column("schedule (UTC)", lambda status: status.schedule, missing="not a job of this version")
    last_run = _status_column("last run", lambda status: status.last_run and status.last_run.started_at)
    result = _status_column("result", lambda status: status.result)
    message = _status_column("message", lambda status: status.last_run and status.last_run.message, missing="")
    next_run = _status_column("next run", lambda status: status.next_run)


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("job", "slot", "trigger", "started_at", "finished_at", "result", "attempts", "message", "runner")
    list_filter = ("job", "result", "trigger")
    date_hierarchy = "started_at"
