from django.core.management.base import BaseCommand
from django.db import connection

from paperfeed.ops import preflight
from paperfeed.search.backends import lexical_backend


class Command(BaseCommand):
    help = (
        "Build the search indexes. The keyword index follows every write by itself; "
        "--rebuild recreates it from the papers table (after a restore or manual SQL)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="rebuild the keyword index from scratch")

    def handle(self, *args, rebuild: bool = False, **options):
        preflight.migrate()
        if rebuild:
            lexical_backend().rebuild()
            self.stdout.write("keyword index rebuilt")
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT count(*) FROM paper_fts")
                self.stdout.write(f"keyword index: {cursor.fetchone()[0]:,} papers")
