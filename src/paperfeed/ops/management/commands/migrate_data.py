from django.core.management.base import BaseCommand, CommandError

from paperfeed.core.progress import progress_reporter
from paperfeed.ops.migrate_data import CopyFailed, CountsDiffer, Refused, TableCount, migrate_data, redacted


class Command(BaseCommand):
    help = (
        "Copy everything from one database into another, empty one (e.g. SQLite to PostgreSQL) in one "
        "transaction, keeping every id, then compare the row counts of every table. "
        "URLs: sqlite:///PATH, postgresql://USER:PASSWORD@HOST:PORT/NAME."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # A module name cannot hold a hyphen; usage shows the name people type (cli.py maps it).
        return super().create_parser(prog_name, "migrate-data", **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", required=True, metavar="URL", help="the database to copy")
        parser.add_argument(
            "--to", dest="target", required=True, metavar="URL", help="an empty database to fill (schema is created)"
        )

    def handle(self, *args, source: str, target: str, **options):
        try:
            with progress_reporter() as report:
                counts = migrate_data(source, target, progress=report)
        except Refused as exc:
            raise CommandError(str(exc), returncode=2) from None
        except CountsDiffer as exc:
            self.print_counts(exc.counts)
            raise CommandError(str(exc), returncode=1) from None
        except CopyFailed as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.print_counts(counts)
        rows = sum(c.target for c in counts)
        self.stdout.write(f"copied {rows:,} rows; all {len(counts)} tables have as many rows as in the source")
        self.stdout.write(
            "next: point paperfeed at the new database and build its vector index there (the embeddings "
            "were copied, so nothing is embedded again):\n"
            f"  DATABASE_URL='{redacted(target)}' paperfeed index"
        )

    def print_counts(self, counts: list[TableCount]) -> None:
        width = max(len(c.table) for c in counts)
        self.stdout.write(f"{'table':<{width}}  {'source':>10}  {'target':>10}")
        for c in sorted(counts, key=lambda c: c.table):
            self.stdout.write(f"{c.table:<{width}}  {c.source:>10,}  {c.target:>10,}" + ("" if c.matches else "  ✗"))
