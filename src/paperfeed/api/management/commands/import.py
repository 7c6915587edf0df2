import sys

from django.core.management.base import BaseCommand, CommandError

from paperfeed.api.dump import import_lines


class Command(BaseCommand):
    help = (
        "Load a `paperfeed export` file (JSON lines of papers and daily lists) into the local database. "
        "Idempotent: papers and entries already there are merged, never duplicated. Exit 1 when some lines were bad."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the export file, or - for standard input")

    def handle(self, *args, file: str, **options):
        try:
            stream = sys.stdin if file == "-" else open(file, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc.strerror}", returncode=2) from exc
        with stream:
            summary = import_lines(stream)
        self.stdout.write(
            f"papers: {summary.papers_new} new, {summary.papers_updated} updated, {summary.papers_unchanged} unchanged; "
            f"daily entries: {summary.daily_new} new of {summary.daily_seen}"
        )
        for problem in summary.problems[:20]:
            self.stderr.write(problem)
        if summary.problems:
            more = len(summary.problems) - 20
            raise CommandError(f"{len(summary.problems)} line(s) skipped" + (f" ({more} not shown)" if more > 0 else ""))
