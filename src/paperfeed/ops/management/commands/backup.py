from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from paperfeed.ops.backup import create_backup


class Command(BaseCommand):
    help = (
        "Write the database, the secret key and a manifest into one archive "
        "DIR/paperfeed-backup-<UTC time>.tar (safe while the site runs; the vector index is left out, "
        "`paperfeed index` rebuilds it). Exit codes: 0 done, 1 failure, 2 configuration error."
    )

    # No system checks: a backup must work on a site whatever state its code and settings are in.
    requires_system_checks = ()

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", metavar="DIR", type=Path, help="where to write the archive (default: <data dir>/backups)"
        )

    def handle(self, *args, out: Path | None = None, **options):
        result = create_backup(out or settings.DATA_DIR / "backups", self.stdout.write)
        size = result.path.stat().st_size / 1e6
        self.stdout.write(f"wrote {result.path} ({size:,.1f} MB) in {result.seconds:.1f} s")
