from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import connection

from paperfeed.core import preflight
from paperfeed.ops.backup import describe_counts, restore_backup


class Command(BaseCommand):
    help = (
        "Restore an archive of `paperfeed backup` into the configured database and data directory "
        "(stop the web server first on SQLite). Refuses to replace a database that holds data unless "
        "--yes is given. Exit codes: 0 done, 1 damaged archive or failed restore, 2 refused or configuration error."
    )

    # No system checks: restoring is what one does when the site is in a bad state.
    requires_system_checks = ()

    def add_arguments(self, parser):
        parser.add_argument("archive", metavar="ARCHIVE", type=Path, help="a paperfeed-backup-*.tar file")
        parser.add_argument("--yes", action="store_true", help="replace the database even if it holds data")

    def handle(self, *args, archive: Path, yes: bool = False, **options):
        # Restoring onto a new machine: the data directory is made here (reading the settings
        # no longer makes it), before the database in it is looked at.
        preflight.ensure_data_dir()
        manifest = restore_backup(archive, yes, self.stdout.write)
        self.stdout.write(f"restored and verified: {describe_counts(manifest['row_counts'])}")
        pending = preflight.pending_migrations()
        if pending:
            self.stdout.write(f"{len(pending)} migration(s) pending (an older backup): run `paperfeed init`")
        connection.close()
        # The file vector index is not in backups (pgvector's is, being in the database); `index`
        # makes it from the restored embeddings without embedding anything again.
        self.stdout.write(
            "next: `paperfeed index` rebuilds the vector index from the restored embeddings; "
            "then restart the web server"
        )
