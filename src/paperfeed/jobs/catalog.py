"""What each job does: the same commands an operator runs from cron, called in-process.

`call_command` runs a command's own code path — its argument checks, its summary line, its
exit codes — without a new interpreter (a child process would load Django and the model
again, about a second of CPU each). A job's result is its command's: exit 0 is ok, anything
else failed; the message is the command's summary lines (on failure, its last error line).
"""

from __future__ import annotations

import io
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from paperfeed.jobs.models import Job

QUARANTINED = 3  # `ingest`: finished, some records set aside (docs/operations.md) — not a failure


@dataclass
class Outcome:
    ok: bool
    message: str


def one_line(text: str, limit: int = 500) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


# `ingest` records its command line (sys.argv) in its run log; the scheduler's own argv is
# `paperfeed serve …`, so a job's run gets the line it stands for. One job at a time swaps it.
_ARGV_LOCK = threading.Lock()


def command(*words: str, ok_codes: tuple[int, ...] = (0,)) -> Outcome:
    """Run `paperfeed WORDS…` in this process; its summary (or error) as one line."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command(*words, stdout=out, stderr=err)
    except CommandError as exc:
        code = exc.returncode or 1
        err.write(f"\n{exc}")
    except SystemExit as exc:  # `ingest` exits 1 or 3 itself
        code = exc.code if isinstance(exc.code, int) else 1
    said = "; ".join(line.strip() for line in out.getvalue().splitlines() if line.strip())
    if code not in ok_codes:
        summary = f"exit {code}: {_last_line(err.getvalue()) or _last_line(out.getvalue())}"
    elif code:
        summary = f"{said} ({_last_line(err.getvalue())})"
    else:
        summary = said  # every line of the summary: `index` says what it did in three
    return Outcome(code in ok_codes, one_line(summary))


def _ingest(*words: str) -> Outcome:
    from paperfeed.sources.models import IngestRun

    started = timezone.now()
    with _ARGV_LOCK:
        saved, sys.argv = sys.argv, ["paperfeed", "ingest", *words]
        try:
            outcome = command("ingest", *words, ok_codes=(0, QUARANTINED))
        finally:
            sys.argv = saved
    changed = IngestRun.objects.filter(source=words[0], started_at__gte=started).values_list("new", "updated")
    if any(new or updated for new, updated in changed):
        # INDEX "after-ingest": whichever scheduler leads runs it at its next tick.
        Job.objects.filter(name="INDEX").update(requested_at=timezone.now())
    return outcome


def ingest_rss() -> Outcome:
    return _ingest("arxiv-rss", "--categories", settings.PAPERFEED_ARXIV_CATEGORIES)


def ingest_hf() -> Outcome:
    return _ingest("hf-daily", "--date", f"{datetime.now(UTC):%Y-%m-%d}")


def index() -> Outcome:
    return command("index")


def trending() -> Outcome:
    return command("trending")


def recommend() -> Outcome:
    return command("recommend")


def digests() -> Outcome:
    """Daily and weekly digests, every hour: each subscriber gets theirs at their own hour,
    once a period, whenever the run is (a weekly run sends the latest complete week)."""
    daily = command("digest", "send", "--period", "daily")
    weekly = command("digest", "send", "--period", "weekly")
    return Outcome(daily.ok and weekly.ok, one_line(f"daily: {daily.message}; weekly: {weekly.message}"))


def backup() -> Outcome:
    # `jobs run BACKUP` without a target writes where `paperfeed backup` does by default.
    out = Path(settings.PAPERFEED_BACKUP_DIR) if settings.PAPERFEED_BACKUP_DIR else settings.DATA_DIR / "backups"
    made = command("backup", "--out", str(out))
    if not made.ok or not settings.PAPERFEED_BACKUP_KEEP_DAYS:
        return made
    # Old archives go only once a new one is written (as the crontab's `&& find … -delete`).
    cutoff = time.time() - timedelta(days=settings.PAPERFEED_BACKUP_KEEP_DAYS).total_seconds()
    removed = 0
    for archive in out.glob("paperfeed-backup-*.tar"):
        if archive.stat().st_mtime < cutoff:
            archive.unlink()
            removed += 1
    note = f"; removed {removed} older than {settings.PAPERFEED_BACKUP_KEEP_DAYS} days" if removed else ""
    return Outcome(True, one_line(made.message + note))


JOBS: dict[str, Callable[[], Outcome]] = {
    "INGEST_RSS": ingest_rss,
    "INGEST_HF": ingest_hf,
    "INDEX": index,
    "TRENDING": trending,
    "RECOMMEND": recommend,
    "DIGESTS": digests,
    "BACKUP": backup,
}
