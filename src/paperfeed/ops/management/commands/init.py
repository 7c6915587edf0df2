from django.conf import settings
from django.core.management.base import BaseCommand

from paperfeed.core import preflight, static_storage


class Command(BaseCommand):
    help = "Create the data directory and the database schema (safe to run again; upgrades the schema)."

    def handle(self, *args, **options):
        preflight.ensure_data_dir()
        pending = preflight.pending_migrations()
        preflight.migrate(verbosity=1 if pending else 0)
        self.stdout.write(str(static_storage.collect()))
        self.stdout.write(f"data directory: {settings.DATA_DIR}")
        self.stdout.write(f"database: {settings.DATABASES['default']['NAME']}")
        self.stdout.write(f"applied {len(pending)} migration(s)" if pending else "schema is up to date")
