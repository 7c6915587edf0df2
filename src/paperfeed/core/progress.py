"""Progress bars for long commands: on a terminal a live bar, in cron a few plain lines."""

from __future__ import annotations

import sys
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def progress_reporter(stream=None):
    """Yield a callback ``report(done, total, label)`` that drives one bar per label."""
    stream = stream or sys.stderr
    if not stream.isatty():
        last: dict[str, int] = {}

        def report_plain(done: int, total: int | None, label: str) -> None:
            # Without a terminal, print at most ~10 lines per task: logs stay readable.
            step = max(1, (total or 10_000) // 10)
            if done - last.get(label, -step) >= step or (total and done >= total):
                last[label] = done
                print(f"{label}: {done:,}" + (f"/{total:,}" if total else ""), file=stream, flush=True)

        yield report_plain
        return

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=False
    ) as bars:
        tasks: dict[str, int] = {}

        def report(done: int, total: int | None, label: str) -> None:
            if label not in tasks:
                tasks[label] = bars.add_task(label, total=total)
            bars.update(tasks[label], completed=done, total=total)

        yield report
