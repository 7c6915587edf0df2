"""`paperfeed submit ID`: put a paper on a day's list, fetching it from arXiv if unknown."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from paperfeed.core import preflight
from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.ids import parse_arxiv_reference
from paperfeed.papers.models import DailyEntry, Paper
from paperfeed.papers.periods import parse_day
from paperfeed.sources.http import SourceError
from paperfeed.sources.single import fetch_paper


class Command(BaseCommand):
    help = (
        "Put a paper (arXiv id or URL) on a day's list, fetching it from the arXiv API when the "
        "database does not have it. A paper is listed once: if it already is, nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("paper", help="arXiv id or abs/pdf/Hugging Face URL")
        parser.add_argument("--date", help="the day's list (YYYY-MM-DD, default today, UTC)")
        parser.add_argument("--by", default="", help="who submitted it (shown on the card)")

    def handle(self, *args, paper: str, date: str | None, by: str, **options):
        reference = parse_arxiv_reference(paper)
        if reference is None:
            raise CommandError(f"not an arXiv id or URL: {paper!r}", returncode=2)
        day = parse_day(date) if date else None
        if date and day is None:
            raise CommandError(f"not a date (YYYY-MM-DD): {date!r}", returncode=2)
        list_day = day.start if day else timezone.now().date()
        preflight.migrate()

        if not Paper.objects.filter(arxiv_id=reference.id).exists():
            try:
                fetched = fetch_paper(reference.id, origin=paper)
            except SourceError as exc:
                self.stderr.write(f"submit: the arXiv API failed: {exc}")
                raise SystemExit(1) from None
            if fetched is None:
                raise CommandError(f"arXiv does not know {reference.id}")
        stored = Paper.objects.get(arxiv_id=reference.id)
        existing = DailyEntry.objects.filter(paper=stored).order_by("date").first()
        if existing:
            self.stdout.write(f"{stored.arxiv_id} is already on the list of {existing.date}")
            return
        list_papers([Listing(paper_id=stored.pk, date=list_day, submitted_by=by)])
        self.stdout.write(f"{stored.arxiv_id} listed on {list_day}: {stored.title}")
