"""From parsed items to stored rows: batching, quarantine, daily lists, and the run's record.

Every source feeds what its parser yields — PaperRecords, DailyItems, Deleted markers and
Problems — into a :class:`Sink`. The sink writes in batches, one transaction each, so a crash
loses at most the batch in flight (which the next run stores again, idempotently). A source
that must commit its own position together with a batch (OAI-PMH resumption tokens) passes
a callback to :meth:`Sink.flush` that runs inside the same transaction. A record the
database refuses is quarantined like a record that could not be read; its batch neighbours
are stored (see :meth:`Sink.flush`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from paperfeed.papers.daily import Listing, list_papers
from paperfeed.papers.models import Paper
from paperfeed.papers.record import PaperRecord
from paperfeed.papers.record_merge import group_by_id
from paperfeed.papers.store import StoreResult, store_records
from paperfeed.sources import processes
from paperfeed.sources.formats import DailyItem, Deleted, Problem, make_problem
from paperfeed.sources.formats.snapshot import record_to_snapshot
from paperfeed.sources.models import IngestProblem, IngestRun
from paperfeed.sources.normalize import escaped_raw, valid_text

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
            listed_at=item.listed_at,
            num_comments=item.num_comments,
            submitter_profile=item.submitter_profile,
            thumbnail=item.thumbnail,
            media_urls=item.media_urls,
        )
        for item in items
    ]


# The database itself failing, whatever the record: such errors fail the run, never quarantine.
DATABASE_FAILING = (OperationalError, InterfaceError)


def refused(record: PaperRecord, exc: Exception) -> Problem:
    """The quarantine entry of a record the database refused: where it came from, as received."""
    origin = record.origin
    if origin is not None:
        location, raw = origin.location, origin.raw
    else:  # built without a parser (an export line, a script): the record itself is the payload
        location, raw = record.arxiv_id, json.dumps(record_to_snapshot(record), ensure_ascii=False, default=str)
    return make_problem(location, f"the database refused it: {type(exc).__name__}: {exc}"[:2000], raw)


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
        """Write what is buffered in one transaction, with `also()` inside it.

        Should the database refuse the batch, its papers are written again one at a time,
        each in a savepoint of the same transaction: a paper the database still refuses is
        quarantined with its raw payload and the database's reason, the others are stored,
        and the run goes on. A database that is failing as a whole (locked, full, gone)
        fails the run instead: nothing is quarantined, and the next run stores the batch.
        """
        with transaction.atomic():
            if self._records:
                try:
                    result, listed = self._write(self._records, self._listings)
                except DATABASE_FAILING:
                    raise
                except Exception:  # noqa: BLE001 - which paper, and why, is found out one by one
                    self._write_one_by_one()
                else:
                    self._count(result)
                    self.summary.listed += listed
            if self._deleted:
                # arXiv removed the record: keep the paper (links to it must not break) but
                # mark it withdrawn, as a deletion almost always follows a withdrawal.
                self.summary.deleted += Paper.objects.filter(arxiv_id__in=self._deleted, withdrawn=False).update(
                    withdrawn=True, modified_at=timezone.now()
                )
            if self._problems:
                IngestProblem.objects.bulk_create(
                    [
                        IngestProblem(
                            source=self.source,
                            location=valid_text(p.location)[:500],
                            reason=valid_text(p.reason),
                            raw=escaped_raw(p.raw),
                        )
                        for p in self._problems
                    ]
                )
                self.summary.quarantined += len(self._problems)
            if also:
                also()
        self._records, self._listings, self._deleted, self._problems = [], [], [], []
        if self.progress:
            self.progress(self.seen, self.total, self.source)

    @staticmethod
    def _write(records: list[PaperRecord], listings: list[DailyItem]) -> tuple[StoreResult, int]:
        """Store records and their listings in a savepoint: if the database refuses them, the
        enclosing transaction stays usable and holds none of it."""
        with transaction.atomic():
            result = store_records(records)
            listed = list_papers(listings_for(listings, result.paper_ids))
        return result, listed

    def _write_one_by_one(self) -> None:
        listings: dict[str, list[DailyItem]] = {}
        for item in self._listings:
            listings.setdefault(item.record.arxiv_id, []).append(item)
        # Records of the same paper are stored together, as the batch would have merged them.
        for arxiv_id, records in group_by_id(self._records).items():
            try:
                result, listed = self._write(records, listings.get(arxiv_id, []))
            except DATABASE_FAILING:
                raise
            except Exception as exc:  # noqa: BLE001 - any refusal of this one paper quarantines it
                self._problems += [refused(record, exc) for record in records]
            else:
                self._count(result)
                self.summary.listed += listed

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


def mark_interrupted_runs() -> int:
    """Record as interrupted the runs of this machine whose process is gone (killed, crashed).

    `paperfeed status` reports them so anyway (IngestRun.state); writing it down when the next
    run starts keeps the rows themselves true, also for a `paperfeed status` on another host
    (which cannot check this machine's processes). Runs from before pids were recorded are
    left alone: nothing says whether they still run.
    """
    stale = [
        run.pk
        for run in IngestRun.objects.filter(status=IngestRun.Status.RUNNING, host=processes.this_host())
        if run.state() == IngestRun.Status.INTERRUPTED
    ]
    if stale:
        IngestRun.objects.filter(pk__in=stale, status=IngestRun.Status.RUNNING).update(
            status=IngestRun.Status.INTERRUPTED, message="its process ended without finishing the run (killed?)"
        )
    return len(stale)


class RunLog:
    """The IngestRun row of one command: created at the start, completed at the end."""

    def __init__(self, source: str, arguments: str):
        mark_interrupted_runs()
        pid = os.getpid()
        self.run = IngestRun.objects.create(
            source=source,
            # A file name that is not UTF-8 reaches Python as lone surrogates: kept as escapes.
            arguments=escaped_raw(arguments)[:1000],
            host=processes.this_host(),
            pid=pid,
            process_started=processes.start_token(pid),
        )

    def finish(self, summary: Summary, *, failed: str = "", requests: int = 0) -> IngestRun:
        run = self.run
        run.status = IngestRun.Status.FAILED if failed else IngestRun.Status.OK
        run.message = escaped_raw(failed)  # may quote a file name or a source's answer
        run.finished_at = timezone.now()
        run.requests = requests
        for name in ("new", "updated", "unchanged", "quarantined", "deleted", "listed"):
            setattr(run, name, getattr(summary, name))
        run.save()
        return run
