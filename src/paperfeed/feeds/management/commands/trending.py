from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from paperfeed.core import preflight
from paperfeed.core.progress import progress_reporter
from paperfeed.feeds import trending


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(
            f"--now: {text!r} is not an ISO date or time, e.g. 2024-12-18T09:00Z",
            returncode=2,
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # naive means UTC


class Command(BaseCommand):
    help = (
        "Recompute the trending scores of the papers listed in the last N days, relative to now "
        "(run it hourly from cron: scores only decay when it runs). Scores of papers that left "
        "the window are removed. The formula is in docs/architecture.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="reference time, ISO 8601 (default: the current time; UTC when no zone)",
        )
        window = parser.add_mutually_exclusive_group()
        window.add_argument(
            "--days",
            type=int,
            default=trending.DEFAULT_DAYS,
            help="score papers listed in this many days before --now (default %(default)s)",
        )
        window.add_argument("--all", action="store_true", help="score every listed paper, however old")

    def handle(self, *args, now=None, days=trending.DEFAULT_DAYS, all=False, **options):
        reference = _instant(now) if now else None
        if not all and days < 1:
            raise CommandError("--days must be at least 1", returncode=2)
        preflight.migrate()
        with progress_reporter() as report:
            count = trending.recompute(now=reference, days=None if all else days, progress=report)
        when = trending.reference_time() if count else reference
        self.stdout.write(
            f"trending: scored {count:,} papers"
            + (f" listed in the {days} days before" if not all else " (every listed paper) as of")
            + f" {(when or datetime.now(UTC)):%Y-%m-%d %H:%M} UTC"
        )
