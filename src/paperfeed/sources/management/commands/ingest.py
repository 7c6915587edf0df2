"""`paperfeed ingest <source>`: bring papers in from arXiv and Hugging Face."""

from __future__ import annotations

import os
import shlex
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paperfeed.core import preflight
from paperfeed.core.progress import progress_reporter
from paperfeed.papers import store
from paperfeed.papers.ids import parse_arxiv_id
from paperfeed.papers.periods import parse_day, parse_month, parse_week
from paperfeed.sources import arxiv_api, arxiv_oai, arxiv_rss, hf_daily
from paperfeed.sources.formats import UnreadableInput
from paperfeed.sources.formats.snapshot import iter_snapshot, iter_snapshot_parallel
from paperfeed.sources.http import PoliteClient, SourceError
from paperfeed.sources.pipeline import RunLog, Sink


# Exit status of a run that finished but quarantined records (docs/operations.md).
QUARANTINED = 3


def _date(text: str) -> date:
    period = parse_day(text)
    if period is None:
        raise CommandError(f"not a date (YYYY-MM-DD): {text!r}", returncode=2)
    return period.start


def _categories(text: str) -> list[str]:
    from paperfeed.sources.normalize import parse_categories

    cats = parse_categories(text.replace(",", " "))
    if not cats:
        raise CommandError(f"no category in {text!r} (e.g. cs.LG,cs.CL)", returncode=2)
    return cats


class Command(BaseCommand):
    help = (
        "Ingest papers from a source. Prints a summary (new, updated, unchanged, quarantined); "
        "exits 0 on success, 1 when the source itself failed, 2 on bad arguments, "
        "3 when the run finished but quarantined records. "
        "Records that cannot be read or stored are quarantined (see `paperfeed status`), never dropped."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="source", required=True, metavar="SOURCE")

        rss = sub.add_parser("arxiv-rss", help="today's announcement feed for some categories, completed from the API")
        rss.add_argument("--categories", required=True, help="comma-separated, e.g. cs.LG,cs.CL")
        rss.add_argument("--no-list", action="store_true", help="do not put new papers on the day's list")

        api = sub.add_parser("arxiv-api", help="papers by id list or by search query")
        which = api.add_mutually_exclusive_group(required=True)
        which.add_argument("--ids", help="comma-separated ids, with or without version")
        which.add_argument("--query", help="an arXiv API search_query, e.g. 'cat:cs.LG AND submittedDate:[…]'")
        api.add_argument("--page-size", type=int, default=100, help="results per call, at most 2000 (default %(default)s)")
        api.add_argument("--limit", type=int, help="stop after this many results")
        api.add_argument("--list", action="store_true", help="put each paper on the list of its v1 day")

        oai = sub.add_parser("arxiv-oai", help="bulk harvest over OAI-PMH, resumable")
        oai.add_argument("--set", default="", help="OAI set, e.g. cs or physics:hep-th")
        oai.add_argument("--from", dest="from_date", type=_date, help="first datestamp (YYYY-MM-DD)")
        oai.add_argument("--until", dest="until_date", type=_date, help="last datestamp (YYYY-MM-DD)")
        oai.add_argument("--prefix", choices=arxiv_oai.PREFIXES, default="arXiv", help="metadata format (default %(default)s)")
        oai.add_argument("--resume", action="store_true", help="continue an interrupted harvest of the same arguments")
        oai.add_argument("--list", action="store_true", help="put each paper on the list of its v1 day")

        hf = sub.add_parser("hf-daily", help="Hugging Face daily papers with upvotes and submitters")
        period = hf.add_mutually_exclusive_group(required=True)
        period.add_argument("--date", help="YYYY-MM-DD")
        period.add_argument("--week", help="YYYY-Www")
        period.add_argument("--month", help="YYYY-MM")

        snap = sub.add_parser("snapshot", help="an arXiv metadata snapshot file (JSON lines, .gz too)")
        snap.add_argument("file", type=Path)
        snap.add_argument("--batch", type=int, default=5000, help="records per transaction (default %(default)s)")
        snap.add_argument("--list", action="store_true", help="put each paper on the list of its v1 day")
        snap.add_argument(
            "--workers", type=int, default=None, help="parser processes (default: one less than the cores, 0 = parse here)"
        )

    def handle(self, *args, source: str, **options):
        preflight.migrate()
        store.prepare_bulk_writes()  # big loads touch every index (search tunes its connection)
        self._validate(source, options)
        log = RunLog(source, shlex.join(sys.argv[2:]))
        # Sources on the network share one polite client; Hugging Face is not arXiv and
        # keeps its own, gentler pacing.
        client = None
        if source == "hf-daily":
            client = PoliteClient(pacing_key="hf", interval=1.0)
        elif source != "snapshot":
            client = PoliteClient()
        with progress_reporter() as report:
            sink = self._sink(source, options, report)
            try:
                note = self._run(source, options, sink, client)
                sink.flush()
            except (SourceError, UnreadableInput) as exc:
                # What was read before the failure is good: stored, and said so.
                sink.flush()
                run = log.finish(sink.summary, failed=str(exc), requests=client.requests_made if client else 0)
                self.stderr.write(f"{source}: the source failed: {exc}")
                self.stdout.write(f"{source}: {sink.summary.line()} (run {run.pk}, failed)")
                raise SystemExit(1) from None
            except BaseException as exc:
                # Ctrl-C or a bug: the run is marked failed; what was flushed stays stored.
                log.finish(sink.summary, failed=f"interrupted: {type(exc).__name__}: {exc}")
                raise
            finally:
                if client:
                    client.close()
        log.finish(sink.summary, requests=client.requests_made if client else 0)
        self.stdout.write(f"{source}: {sink.summary.line()}" + (f"; {note}" if note else ""))
        if sink.summary.quarantined:
            # Not a failure (the run went on), but not silent either: cron mails it.
            self.stderr.write(
                f"{source}: {sink.summary.quarantined:,} record(s) quarantined; `paperfeed status` lists them"
            )
            raise SystemExit(QUARANTINED)

    def _validate(self, source: str, options: dict) -> None:
        """Argument mistakes are exit 2, before any request is made or any run recorded."""
        if source == "snapshot" and not options["file"].is_file():
            raise CommandError(f"no such file: {options['file']}", returncode=2)
        if source == "arxiv-api" and options["ids"]:
            ids = [i.strip() for i in options["ids"].split(",") if i.strip()]
            bad = [i for i in ids if parse_arxiv_id(i) is None]
            if bad or not ids:
                raise CommandError(f"not an arXiv identifier: {', '.join(bad) or '(none given)'}", returncode=2)
            options["ids"] = ids
        if source == "arxiv-api" and options["page_size"] < 1:
            raise CommandError("--page-size must be at least 1", returncode=2)
        if source == "arxiv-rss":
            options["categories"] = _categories(options["categories"])
        if source == "hf-daily":
            options["period"] = self._hf_period(options)

    def _sink(self, source: str, options: dict, report) -> Sink:
        list_on = (lambda record: record.published.date() if record.published else None) if options.get("list") else None
        batch = {"snapshot": options.get("batch") or 5000, "arxiv-oai": 100_000}.get(source, 500)
        return Sink(source, batch_size=max(1, batch), list_on=list_on, progress=report, distinct=source != "snapshot")

    def _run(self, source: str, options: dict, sink: Sink, client: PoliteClient | None) -> str:
        """Fetch and store; returns a note for the summary line."""
        if source == "snapshot":
            workers = options.get("workers")
            if workers is None:
                workers = max(0, min(4, (os.cpu_count() or 1) - 1))
            path: Path = options["file"]
            sink.add_all(iter_snapshot_parallel(path, workers) if workers > 0 else iter_snapshot(path))
            return ""
        if source == "hf-daily":
            read = hf_daily.fetch_daily(client, options["period"], sink)
            return f"{read:,} items on Hugging Face's list"
        if source == "arxiv-api":
            if options["ids"]:
                missing = arxiv_api.fetch_ids(client, options["ids"], sink)
                return f"not found on arXiv: {', '.join(missing)}" if missing else ""
            read = arxiv_api.fetch_query(client, options["query"], sink, options["page_size"], options["limit"])
            return f"{read:,} results read"
        if source == "arxiv-oai":
            job = arxiv_oai.Harvest(options["set"], options["from_date"], options["until_date"], options["prefix"])
            checkpoint = arxiv_oai.harvest(client, job, sink, resume=options["resume"])
            return f"harvest complete: {checkpoint.pages} pages, {checkpoint.records:,} records"
        if source == "arxiv-rss":
            result = arxiv_rss.ingest_announcement(client, options["categories"], sink, not options["no_list"])
            if not result.announced:
                return f"no announcement on {result.date or 'this day'} (weekend or holiday)"
            counts = ", ".join(f"{n} {kind}" for kind, n in sorted(result.counts.items()))
            return f"announcement of {result.date}: {counts}; {result.completed_from_api} completed from the API"
        raise CommandError(f"unknown source {source!r}", returncode=2)

    def _hf_period(self, options: dict) -> dict[str, str]:
        for key, parser in (("date", parse_day), ("week", parse_week), ("month", parse_month)):
            if options.get(key):
                if parser(options[key]) is None:
                    raise CommandError(f"--{key} {options[key]!r} is not a valid {key}", returncode=2)
                return {key: options[key]}
        raise CommandError("one of --date, --week, --month is required", returncode=2)
