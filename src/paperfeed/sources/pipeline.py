"""From parsed items to stored rows: batching, quarantine, daily lists, and the run's record.

Every source feeds what its parser yields — PaperRecords, DailyItems, Deleted markers and
Problems — into a :class:`Sink`. The sink writes in batches, one transaction each, so a crash
loses at most the batch in flight (which the next run stores again, idempotently). A source
that must commit its own position together with a batch (OAI-PMH resumption tokens) passes
a callback to :meth:`Sink.flush` that runs inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone

from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.models import Paper
from paperfeed.papers.store import store_records
from paperfeed.sources.formats import DailyItem, Deleted, Problem
from paperfeed.sources.models import IngestProblem, IngestRun
from paperfeed.sources.record import PaperRecord

Item = PaperRecord | DailyItem | Deleted | Problem


@dataclass
class Summary:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    deleted: int = 0
    listed: int = 0

    def line(self) -> str:
        return (
            f"{self.new:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged, "
            f"{self.quarantined:,} quarantined, {self.deleted:,} deleted, {self.listed:,} newly listed"
        )


def listings_for(items: Iterable[DailyItem], paper_ids: dict[str, int]) -> list[Listing]:
    """The daily-list rows for parsed items, given the stored papers' primary keys."""
    return [
        Listing(
            paper_id=paper_ids[item.record.arxiv_id],
            date=item.date,
            upvotes=item.upvotes,
            submitted_by=item.submitted_by,
            organization=item.organization,
            organization_slug=item.organization_slug,
        )
        for item in items
    ]


class Sink:
    def __init__(
        self,
        source: str,
        batch_size: int = 500,
        list_on: Callable[[PaperRecord], date | None] | None = None,
        progress: Callable[[int, int | None, str], None] | None = None,
        total: int | None = None,
        distinct: bool = True,
    ):
        """`list_on(record)` picks the day a plain record is listed on (None: not listed).

        With `distinct`, a paper written twice in one run (an announcement stored from the
        feed, then completed from the API) counts once in the summary; a snapshot, where each
        paper appears once, turns it off to keep memory constant.
        """
        self.source = source
        self.batch_size = batch_size
        self.list_on = list_on
        self.progress = progress
        self.total = total
        self.summary = Summary()
        self._outcome: dict[str, str] | None = {} if distinct else None  # arXiv id → new/updated/unchanged
        self.seen = 0
        self._records: list[PaperRecord] = []
        self._listings: list[DailyItem] = []
        self._deleted: list[str] = []
        self._problems: list[Problem] = []

    def add(self, item: Item) -> None:
        self.seen += 1
        if isinstance(item, DailyItem):
            self._records.append(item.record)
            self._listings.append(item)
        elif isinstance(item, PaperRecord):
            self._records.append(item)
            day = self.list_on(item) if self.list_on else None
            if day:
                self._listings.append(DailyItem(record=item, date=day))
        elif isinstance(item, Deleted):
            self._deleted.append(item.arxiv_id)
        else:
            self._problems.append(item)
        if len(self._records) + len(self._problems) >= self.batch_size:
            self.flush()

    def add_all(self, items: Iterable[Item]) -> None:
        for item in items:
            self.add(item)

    def flush(self, also: Callable[[], None] | None = None) -> None:
        """Write what is buffered in one transaction, with `also()` inside it."""
        with transaction.atomic():
            if self._records:
                result = store_records(self._records)
                self._count(result)
                self.summary.listed += list_papers(listings_for(self._listings, result.paper_ids))
            if self._deleted:
                # arXiv removed the record: keep the paper (links to it must not break) but
                # mark it withdrawn, as a deletion almost always follows a withdrawal.
                self.summary.deleted += Paper.objects.filter(arxiv_id__in=self._deleted, withdrawn=False).update(
                    withdrawn=True, modified_at=timezone.now()
                )
            if self._problems:
                IngestProblem.objects.bulk_create(
                    [
                        IngestProblem(source=self.source, location=p.location[:500], reason=p.reason, raw=p.raw)
                        for p in self._problems
                    ]
                )
                self.summary.quarantined += len(self._problems)
            if also:
                also()
        self._records, self._listings, self._deleted, self._problems = [], [], [], []
        if self.progress:
            self.progress(self.seen, self.total, self.source)


    def _count(self, result) -> None:
        if self._outcome is None:
            self.summary.new += len(result.created)
            self.summary.updated += len(result.updated)
            self.summary.unchanged += len(result.unchanged)
            return
        # The strongest outcome of the run wins: new > updated > unchanged.
        rank = {"unchanged": 0, "updated": 1, "new": 2}
        for outcome, ids in (("new", result.created), ("updated", result.updated), ("unchanged", result.unchanged)):
            for arxiv_id in ids:
                before = self._outcome.get(arxiv_id)
                if before is not None and rank[outcome] <= rank[before]:
                    continue
                self._outcome[arxiv_id] = outcome
                if before is not None:
                    setattr(self.summary, before, getattr(self.summary, before) - 1)
                setattr(self.summary, outcome, getattr(self.summary, outcome) + 1)


class RunLog:
    """The IngestRun row of one command: created at the start, completed at the end."""

    def __init__(self, source: str, arguments: str):
        self.run = IngestRun.objects.create(source=source, arguments=arguments[:1000])

    def finish(self, summary: Summary, *, failed: str = "", requests: int = 0) -> IngestRun:
        run = self.run
        run.status = IngestRun.Status.FAILED if failed else IngestRun.Status.OK
        run.message = failed
        run.finished_at = timezone.now()
        run.requests = requests
        for name in ("new", "updated", "unchanged", "quarantined", "deleted", "listed"):
            setattr(run, name, getattr(summary, name))
        run.save()
        return run
