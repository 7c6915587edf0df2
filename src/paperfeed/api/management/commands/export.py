import json
import sys

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from paperfeed.api.dump import export_lines
from paperfeed.api.userdata import export_user


class Command(BaseCommand):
    help = (
        "Export the local database: all papers and daily lists as JSON lines (load them with "
        "`paperfeed import`), or with --user NAME everything kept about one account, as one JSON document."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", metavar="NAME", help="export this account's own data instead of the papers")
        parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")

    def handle(self, *args, user: str | None = None, output: str | None = None, **options):
        if user is not None:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"no account named {user!r}")
            lines = iter([json.dumps(export_user(account), ensure_ascii=False, indent=2)])
        else:
            lines = export_lines()
        out = open(output, "w", encoding="utf-8") if output else None
        try:
            stream = out or sys.stdout
            count = 0
            for line in lines:
                stream.write(line + "\n")
                count += 1
        finally:
            if out:
                out.close()
        if output:
            self.stderr.write(f"wrote {count} line(s) to {output}")
