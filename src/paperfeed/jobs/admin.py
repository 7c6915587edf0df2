"""The schedule in the admin, read-only: each job as `paperfeed jobs` lists it, and the runs."""

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


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ("name", "schedule", "last_run", "result", "message", "next_run")
    list_display_links = None
    fields = ("name", "since", "requested_at")

    def changelist_view(self, request, extra_context=None):
        # One reading of the schedules and the runs per page, not one per row and column
        # (every request computes the same list, so requests at once may share it).
        # A row per job even before any scheduler ran (PAPERFEED_JOBS=off): the list is the
        # schedule's, as `paperfeed jobs` shows it.
        register_jobs(load_schedules())
        self._statuses = {status.name: status for status in job_statuses(timezone.now())}
        return super().changelist_view(request, extra_context)

    def _status(self, job):
        return self._statuses.get(job.name)

    @admin.display(description="schedule (UTC)")
    def schedule(self, job):
        status = self._status(job)
        return status.schedule if status else "not a job of this version"

    def _last_run(self, job):
        status = self._status(job)
        return status.last_run if status else None

    @admin.display(description="last run")
    def last_run(self, job):
        run = self._last_run(job)
        return run.started_at if run else "-"

    @admin.display(description="result")
    def result(self, job):
        status = self._status(job)
        return status.result if status else "-"

    @admin.display(description="message")
    def message(self, job):
        run = self._last_run(job)
        return run.message if run else ""

    @admin.display(description="next run")
    def next_run(self, job):
        status = self._status(job)
        return status.next_run if status else "-"


@admin.register(JobRun)
class JobRunAdmin(ReadOnlyAdmin):
    list_display = ("job", "slot", "trigger", "started_at", "finished_at", "result", "attempts", "message", "runner")
    list_filter = ("job", "result", "trigger")
    date_hierarchy = "started_at"
