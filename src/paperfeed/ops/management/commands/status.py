from django.core.management.base import BaseCommand
from django.db.models import Count, Max, Min

from paperfeed.core import file_modes, preflight
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.sources.models import AnnouncementDay, HarvestCheckpoint, IngestProblem, IngestRun


class Command(BaseCommand):
    help = (
        "Show what the database holds: papers, daily lists, last ingest, quarantined input. Exit codes: "
        "0 done, 1 migrations are pending (a finding for monitoring: run `paperfeed init`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
        parser.add_argument("--problems", type=int, default=5, help="how many recent ingest problems to list")

    def handle(self, *args, json: bool = False, problems: int = 5, **options):
        pending = preflight.pending_migrations()
        if pending:
            self.stderr.write(f"{len(pending)} migration(s) pending: run `paperfeed init`")
            raise SystemExit(1)
        days = DailyEntry.objects.aggregate(first=Min("date"), last=Max("date"), days=Count("date", distinct=True))
        papers = Paper.objects.aggregate(n=Count("id"), last=Max("modified_at"))
        report = {
            "papers": papers["n"],
            "daily_entries": DailyEntry.objects.count(),
            "days": days["days"],
            "first_day": days["first"].isoformat() if days["first"] else None,
            "last_day": days["last"].isoformat() if days["last"] else None,
            "last_change": papers["last"].isoformat() if papers["last"] else None,
            "last_ingest": _run(IngestRun.objects.first()),
            "last_failed_ingest": _run(IngestRun.objects.exclude(status=IngestRun.Status.OK).first()),
            "unfinished_harvests": list(
                HarvestCheckpoint.objects.filter(finished=False, pages__gt=0).values_list("key", flat=True)
            ),
            "days_without_announcement": [
                d.isoformat()
                for d in AnnouncementDay.objects.filter(announced=False).values_list("date", flat=True)[:10]
            ],
            "ingest_problems": IngestProblem.objects.count(),
            "recent_problems": [
                {"source": p.source, "location": p.location, "reason": p.reason, "at": p.created_at.isoformat()}
                for p in IngestProblem.objects.all()[:problems]
            ],
            # A warning, not a failure: the exit code stays 0 (docs/operations.md).
            "loose_file_modes": [loose.as_dict() for loose in file_modes.loose_paths()],
        }
        if json:
            import json as json_module

            self.stdout.write(json_module.dumps(report, indent=2))
            return
        self.stdout.write(f"papers:          {report['papers']:,}")
        self.stdout.write(f"daily entries:   {report['daily_entries']:,} on {report['days']:,} days")
        if report["first_day"]:
            self.stdout.write(f"days:            {report['first_day']} … {report['last_day']}")
        self.stdout.write(f"last change:     {report['last_change'] or 'never'}")
        for label, run in (("last ingest", report["last_ingest"]), ("last failure", report["last_failed_ingest"])):
            if run:
                self.stdout.write(
                    f"{label + ':':<17}{run['started_at'][:19]} {run['source']} {run['arguments']} → {run['status']}: "
                    f"{run['new']} new, {run['updated']} updated, {run['quarantined']} quarantined"
                    + (f" ({run['message']})" if run["message"] else "")
                )
        for key in report["unfinished_harvests"]:
            self.stdout.write(f"unfinished OAI harvest (resume with --resume): {key}")
        if report["days_without_announcement"]:
            self.stdout.write(f"days without announcement: {', '.join(report['days_without_announcement'])}")
        self.stdout.write(f"ingest problems: {report['ingest_problems']:,}")
        for p in report["recent_problems"]:
            self.stdout.write(f"  {p['at'][:19]} {p['source']} {p['location']}: {p['reason']}")
        if loose := report["loose_file_modes"]:
            self.stderr.write(
                f"warning: {len(loose)} file(s) or folder(s) of paperfeed are open to other users; "
                "`paperfeed init` makes them private, or run:"
            )
            for entry in loose:
                self.stderr.write(f"  {entry['fix']}    # now {entry['mode']}")


def _run(run: IngestRun | None) -> dict | None:
    if run is None:
        return None
    return {
        "source": run.source,
        "arguments": run.arguments,
        "started_at": run.started_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "status": run.state(),  # "interrupted" for a run whose process is gone
        "new": run.new,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "quarantined": run.quarantined,
        "message": run.message,
    }
