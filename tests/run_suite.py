"""What `make test` runs: the whole suite on SQLite and its database tests on PostgreSQL, side by side.

    python -m tests.run_suite [pytest arguments for both runs]

The two runs share nothing (each has its own data directories; the PostgreSQL run has its own
throwaway server, tests/postgres_server.py), and much of each run is spent waiting on child
processes, servers and pacing intervals, so on two cores they finish together in little more
time than the longer one alone. Each run's output goes to a file and is printed whole when the
run ends, so the two never interleave. The exit code is 0 when both passed, else the SQLite
run's failing code, else the PostgreSQL run's (pytest's own codes: 1 failures, 5 no tests, …).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    name: str
    command: list[str]
    process: subprocess.Popen | None = None
    log: object = None
    started: float = 0.0
    seconds: float = 0.0


def main(argv: list[str]) -> int:
    runs = [
        Run("SQLite: the whole suite", [sys.executable, "-m", "pytest", *argv]),
        Run("PostgreSQL: the database tests", [sys.executable, "-m", "tests.postgres_server", *argv]),
    ]
    # A `kill` of this runner stops both runs (the PostgreSQL one then stops its server).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="pf-runs-") as logs:
        # Both runs share one cache of exported models (tests/settings.py), removed at the end.
        os.environ.setdefault("PAPERFEED_MODEL_CACHE", str(Path(logs) / "models"))
        # And one collection of the static files (core/static_storage.py: ~3 s of CPU).
        os.environ.setdefault("PAPERFEED_STATIC_ROOT", str(Path(logs) / "static"))
        try:
            for number, run in enumerate(runs):
                run.log = open(Path(logs) / f"run-{number}.log", "w+", encoding="utf-8", errors="replace")
                run.started = time.monotonic()
                run.process = subprocess.Popen(run.command, stdout=run.log, stderr=subprocess.STDOUT)
            print(f"running {len(runs)} test runs side by side; each prints its output when it ends", flush=True)
            waiting = list(runs)
            while waiting:
                for run in list(waiting):
                    if run.process.poll() is not None:
                        run.seconds = time.monotonic() - run.started
                        waiting.remove(run)
                        report(run)
                time.sleep(0.5)
        finally:
            for run in runs:
                if run.process is not None and run.process.poll() is None:
                    run.process.terminate()
                    try:
                        run.process.wait(timeout=60)
                    except subprocess.TimeoutExpired:
                        run.process.kill()
                        run.process.wait()
                if run.log is not None:
                    run.log.close()
    failed = [run.process.returncode for run in runs if run.process.returncode != 0]
    return failed[0] if failed else 0


def report(run: Run) -> None:
    """The run's whole output, under a line saying which run it is and how it ended."""
    minutes, seconds = divmod(round(run.seconds), 60)
    outcome = "passed" if run.process.returncode == 0 else f"FAILED (exit code {run.process.returncode})"
    print(f"\n{'=' * 20} {run.name}: {outcome} in {minutes}m{seconds:02d}s {'=' * 20}", flush=True)
    run.log.seek(0)
    for line in run.log:
        sys.stdout.write(line)
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
