"""`paperfeed jobs`: the built-in schedule's jobs, and running one now."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from paperfeed.core import preflight
from paperfeed.jobs import lease
from paperfeed.jobs.models import JobRun
from paperfeed.jobs.runner import run_job
from paperfeed.jobs.schedule import JOB_NAMES, load_schedules
from paperfeed.jobs.status import job_statuses, scheduler_holder


class Command(BaseCommand):
    help = (
        "The periodic jobs `paperfeed serve` runs itself (docs/features/jobs.md): each with its "
        "schedule (PAPERFEED_JOB_TRENDING and the like, in UTC), last run, result and next run. `jobs run NAME` "
        "runs one now, in this process (for cron, with PAPERFEED_JOBS=off). Exit codes: 0 done, "
        "1 the job failed or is running elsewhere, 2 unknown job or a configuration error."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", metavar="ACTION")
        sub.add_parser("list", help="every job with its schedule, last run, result, next run (the default)")
        run = sub.add_parser("run", help="run one job now and wait for it")
        run.add_argument("name", metavar="NAME", help=f"one of {', '.join(JOB_NAMES)}")

    def handle(self, *args, action=None, name=None, **options):
        load_schedules()  # a bad schedule is a configuration error, whatever was asked
        preflight.migrate()
        if action == "run":
            self._run(name)
        else:
            self._list()

    def _list(self) -> None:
        now = timezone.now()
        rows = [("job", "schedule (UTC)", "last run", "result", "next run")]
        messages = {}
        for status in job_statuses(now):
            run = status.last_run
            last = "-"
            if run is not None:
                last = f"{run.started_at:%Y-%m-%d %H:%M:%S}"
                if run.finished_at:
                    last += f" ({(run.finished_at - run.started_at).total_seconds():.1f} s)"
                if run.message:
                    messages[status.name] = run.message
            rows.append((status.name, status.schedule, last, status.result, status.next_run))
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for row in rows:
            self.stdout.write("  ".join([*(cell.ljust(width) for cell, width in zip(row, widths)), row[4]]))
            if row[0] in messages:
                self.stdout.write(f"    {messages[row[0]]}")
        holder = scheduler_holder(now)
        self.stdout.write(f"scheduler: {'led by ' + holder if holder else 'none running'}")

    def _run(self, name: str) -> None:
        wanted = name.strip().upper().replace("-", "_")
        if wanted not in JOB_NAMES:
            raise CommandError(f"no job {name!r}; the jobs are {', '.join(JOB_NAMES)}", returncode=2)
        try:
            run = run_job(wanted, lease.new_holder(), trigger="command", log=False)
        except lease.Busy as exc:
            raise CommandError(f"{wanted} is running already ({exc.holder or 'another process'}); not run again", returncode=1) from None
        self.stdout.write(f"{wanted} {run.result}: {run.message}")
        if run.result != JobRun.Result.OK:
            raise SystemExit(1)
