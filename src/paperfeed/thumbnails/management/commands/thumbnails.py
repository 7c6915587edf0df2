"""`paperfeed thumbnails`: first-page pictures of the papers on the daily lists."""

from __future__ import annotations

import fcntl

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from paperfeed.core import preflight
from paperfeed.core.progress import progress_reporter
from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.papers.models import Paper
from paperfeed.thumbnails.run import forget_missing, make_thumbnails, papers_to_do

SOME_FAILED = 3  # exit status: the run finished, but some papers got no thumbnail


class Command(BaseCommand):
    help = (
        "Render the first page of each listed paper's PDF (fetched politely from arXiv, or "
        "PAPERFEED_ARXIV_PDF_URL) to a small WebP in <data dir>/thumbnails/, for the cards, the "
        "paper pages and the API. By default: papers on a daily list without a thumbnail, newest "
        "list first, skipping those waiting after a failed try. Run it after each ingest. "
        f"Exit codes: 0 done (or nothing to do), {SOME_FAILED} some papers failed (each is named; "
        "the others were done), 1 the PDF source could not be reached (stopped early), 2 bad arguments."
    )

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", metavar="ID", help="only these papers (arXiv ids), even if they failed recently")
        parser.add_argument("--limit", type=int, help="at most this many papers in this run")
        parser.add_argument(
            "--force", action="store_true", help="also papers that have a thumbnail already (made again) or are waiting after a failure"
        )

    def handle(self, *args, ids: list[str], limit: int | None = None, force: bool = False, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1", returncode=2)
        preflight.migrate()
        wanted = self._canonical(ids) if ids else None
        # One run at a time per data directory: a cron run that overlaps a long one would only
        # fetch the same PDFs again. The second one says so and leaves (not a failure).
        with open(settings.DATA_DIR / ".thumbnails.lock", "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                self.stdout.write("thumbnails: another `paperfeed thumbnails` is running here; nothing done")
                return
            self._run(wanted, limit, force)

    def _run(self, wanted: list[str] | None, limit: int | None, force: bool) -> None:
        forgotten = forget_missing()
        papers = papers_to_do(wanted, force=force, limit=limit)
        if not papers:
            self.stdout.write("thumbnails: nothing to do" + (f" ({forgotten:,} missing file(s) forgotten)" if forgotten else ""))
            return

        def say_failed(arxiv_id: str, why: str) -> None:
            self.stderr.write(f"{arxiv_id}: {why}")

        with progress_reporter() as report:
            summary = make_thumbnails(papers, progress=report, on_failure=say_failed)
        summary.forgotten = forgotten
        self.stdout.write(f"thumbnails: {summary.line()}")
        if summary.stopped:
            self.stderr.write(f"thumbnails: {summary.stopped}")
            raise SystemExit(1)
        if summary.failed:
            raise SystemExit(SOME_FAILED)

    @staticmethod
    def _canonical(ids: list[str]) -> list[str]:
        canonical = []
        for text in ids:
            parsed = parse_arxiv_id(text)
            if parsed is None:
                raise CommandError(f"not an arXiv id: {text!r}", returncode=2)
            canonical.append(parsed.id)
        known = set(Paper.objects.filter(arxiv_id__in=canonical).values_list("arxiv_id", flat=True))
        unknown = [arxiv_id for arxiv_id in canonical if arxiv_id not in known]
        if unknown:
            raise CommandError(f"no such paper here: {', '.join(unknown)} (ingest it first)", returncode=2)
        return canonical
