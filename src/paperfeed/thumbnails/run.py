"""A thumbnail run: which papers, and for each one fetch its PDF, render, store, or say why not.

The PDF comes through the one polite client (sources/http.py): arXiv's pacing is shared with
every ingest on the machine, transient failures are retried, `Retry-After` is honoured. What
the answer turns out to be (a 404, an HTML page, a truncated or oversized body, a file PDFium
cannot read, a render that takes too long) is that paper's error: it is reported, recorded
with a growing wait before the next try (models.ThumbnailFailure), and the run goes on. An
existing thumbnail is only ever replaced by a new one, never removed by a failure.

Only when the source itself keeps failing (SOURCE_FAILURES_IN_A_ROW papers in a row could not
be fetched at all) does the run stop: the rest would fail the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from paperfeed.core.page_cache import pages_changed
from paperfeed.papers.models import Paper
from paperfeed.sources.http import BodyTooLarge, PoliteClient, SourceError
from paperfeed.thumbnails import files
from paperfeed.thumbnails.models import ThumbnailFailure
from paperfeed.thumbnails.render import RenderError, looks_like_pdf, render_in_child

SOURCE_FAILURES_IN_A_ROW = 3

Progress = Callable[[int, int | None, str], None]


@dataclass
class Summary:
    made: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (arXiv id, why)
    requests: int = 0
    forgotten: int = 0  # marked as having a thumbnail, but the file was gone
    stopped: str = ""  # why the run stopped early, if it did

    def line(self) -> str:
        text = f"{self.made:,} thumbnail(s) made, {len(self.failed):,} failed, {self.requests:,} request(s)"
        if self.forgotten:
            text += f"; {self.forgotten:,} whose file was missing will be made again"
        return text


def forget_missing() -> int:
    """Unmark papers whose file is gone (a restore, a lost folder), so this run makes them again."""
    missing = [
        pk
        for pk, arxiv_id in Paper.objects.filter(thumbnail_at__isnull=False).values_list("pk", "arxiv_id").iterator()
        if not files.path_for(arxiv_id).is_file()
    ]
    for start in range(0, len(missing), 500):
        Paper.objects.filter(pk__in=missing[start : start + 500]).update(thumbnail_at=None)
    return len(missing)


def papers_to_do(ids: list[str] | None = None, force: bool = False, limit: int | None = None) -> list[Paper]:
    """The papers this run works on.

    Without ids: papers on a daily list — the ones cards show — that have no thumbnail yet
    and are not waiting after a failure, the most recently listed first (so `--limit` and a
    cron run after each ingest serve the newest lists first). `force` takes those that have
    one too, and those waiting. With ids: exactly those papers (waiting or not; with a
    thumbnail only when forced).
    """
    if ids is not None:
        papers = Paper.objects.filter(arxiv_id__in=ids)
        if not force:
            papers = papers.filter(thumbnail_at__isnull=True)
        by_id = {paper.arxiv_id: paper for paper in papers}
        chosen = [by_id[arxiv_id] for arxiv_id in dict.fromkeys(ids) if arxiv_id in by_id]
        return chosen[:limit] if limit is not None else chosen
    papers = Paper.objects.filter(daily_entries__isnull=False)
    if not force:
        waiting = Q(thumbnail_failure__retry_at__gt=timezone.now())
        papers = papers.filter(thumbnail_at__isnull=True).exclude(waiting)
    papers = papers.annotate(last_listed=Max("daily_entries__date")).order_by("-last_listed", "-published", "arxiv_id")
    return list(papers[:limit] if limit is not None else papers)


def pdf_url(arxiv_id: str) -> str:
    return f"{settings.PAPERFEED_ARXIV_PDF_URL}/{arxiv_id}"


class PaperFailed(Exception):
    """This paper gets no thumbnail this time; `source_down` when the source was not reached at all."""

    def __init__(self, why: str, source_down: bool = False):
        super().__init__(why)
        self.source_down = source_down


def thumbnail_of(client: PoliteClient, arxiv_id: str) -> bytes:
    """The WebP of the paper's first page, fetched and rendered; PaperFailed says why not."""
    try:
        response = client.get(pdf_url(arxiv_id))
    except BodyTooLarge:
        raise PaperFailed(f"the PDF is larger than {client.max_body_bytes:,} bytes (PAPERFEED_THUMBNAIL_MAX_BYTES)") from None
    except SourceError as exc:
        raise PaperFailed(f"could not fetch the PDF: {exc}", source_down=True) from None
    if response.status != 200:
        raise PaperFailed(f"the PDF URL answered HTTP {response.status}")
    if not looks_like_pdf(response.body):
        # Both come from the server: shown printable only (repr for the body), so a hostile answer
        # cannot put terminal escapes into a cron mail.
        kind = "".join(c if c.isprintable() else "?" for c in response.headers.get("content-type", "no Content-Type"))[:100]
        start = response.body[:40].decode("utf-8", "replace")
        raise PaperFailed(f"the answer is not a PDF ({kind}, {len(response.body):,} bytes, starting {start!r})")
    try:
        return render_in_child(response.body, settings.PAPERFEED_THUMBNAIL_RENDER_SECONDS)
    except RenderError as exc:
        raise PaperFailed(f"the PDF could not be rendered: {exc}") from None


def record_success(paper: Paper, image: bytes) -> None:
    files.write(paper.arxiv_id, image)
    now = timezone.now()
    # An update, not save(): the paper's content did not change, so modified_at (which
    # incremental indexing follows) must not move.
    Paper.objects.filter(pk=paper.pk).update(thumbnail_at=now)
    ThumbnailFailure.objects.filter(paper=paper).delete()
    pages_changed()  # its cards show the picture now


def record_failure(paper: Paper, why: str) -> None:
    failure = ThumbnailFailure.objects.filter(paper=paper).first() or ThumbnailFailure(paper=paper, failures=0)
    failure.failures += 1
    failure.record(why, timezone.now())
    failure.save()


def make_thumbnails(
    papers: list[Paper],
    progress: Progress | None = None,
    on_failure: Callable[[str, str], None] | None = None,
    client: PoliteClient | None = None,
) -> Summary:
    summary = Summary()
    own_client = client is None
    client = client or PoliteClient(max_body_bytes=settings.PAPERFEED_THUMBNAIL_MAX_BYTES)
    down_in_a_row = 0
    try:
        for done, paper in enumerate(papers, start=1):
            try:
                image = thumbnail_of(client, paper.arxiv_id)
            except PaperFailed as failed:
                why = str(failed)
                record_failure(paper, why)
                summary.failed.append((paper.arxiv_id, why))
                if on_failure:
                    on_failure(paper.arxiv_id, why)
                down_in_a_row = down_in_a_row + 1 if failed.source_down else 0
                if down_in_a_row >= SOURCE_FAILURES_IN_A_ROW:
                    summary.stopped = f"{down_in_a_row} papers in a row could not be fetched at all; stopped"
                    break
            else:
                record_success(paper, image)
                summary.made += 1
                down_in_a_row = 0
            if progress:
                progress(done, len(papers), "thumbnails")
    finally:
        summary.requests = client.requests_made
        if own_client:
            client.close()
    return summary
