"""When each test ran, on which worker: a record of a run, and a per-worker timeline from it.

Record (a pytest plugin, loaded by tests/conftest.py):

    pytest --timeline=DIR …            (or python -m tests.run_suite --timeline=DIR …)

writes DIR/timeline-<database>.jsonl, one line per test phase (setup, call, teardown) with its
worker, start and stop (seconds since the epoch). A session fixture's cost lands in the setup
of the first test that uses it, on that test's worker. Write `--timeline=DIR` as one word:
pytest-xdist's workers parse their arguments before the option is known, and would take a
separate DIR for a test path.

Read:

    python -m tests.timeline DIR/timeline-sqlite.jsonl [DIR/timeline-postgresql.jsonl …]

prints, for each run, when each worker started its first test and finished its last, how busy
it was, and the files that took it longest: the worker that ends last is the run's long pole.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--timeline",
        metavar="DIR",
        help="write DIR/timeline-<database>.jsonl: each test phase with its worker, start and stop "
        "(read it with `python -m tests.timeline`)",
    )


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    folder = config.getoption("--timeline")
    # Only the controller writes (pytest-xdist hands it every worker's reports); a plain run
    # without workers is its own controller.
    if not folder or hasattr(config, "workerinput"):
        return
    from django.conf import settings

    vendor = "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"
    Path(folder).mkdir(parents=True, exist_ok=True)
    config.pluginmanager.register(Recorder(Path(folder) / f"timeline-{vendor}.jsonl"), "timeline-recorder")


class Recorder:
    def __init__(self, path: Path):
        self.file = path.open("w", encoding="utf-8")

    def pytest_runtest_logreport(self, report):
        node = getattr(report, "node", None)
        worker = node.gateway.id if node is not None else "main"
        line = {
            "worker": worker,
            "test": report.nodeid,
            "when": report.when,
            "start": report.start,
            "stop": report.stop,
            "outcome": report.outcome,
        }
        self.file.write(json.dumps(line) + "\n")
        self.file.flush()

    def pytest_unconfigure(self):
        self.file.close()


def summarise(path: Path, top: int = 8) -> str:
    phases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not phases:
        return f"{path.name}: no tests recorded"
    origin = min(phase["start"] for phase in phases)
    workers: dict[str, dict] = defaultdict(lambda: {"first": None, "last": 0.0, "busy": 0.0, "tests": set(),
                                                     "files": defaultdict(float)})
    for phase in phases:
        worker = workers[phase["worker"]]
        start, stop = phase["start"] - origin, phase["stop"] - origin
        worker["first"] = start if worker["first"] is None else min(worker["first"], start)
        worker["last"] = max(worker["last"], stop)
        worker["busy"] += stop - start
        worker["tests"].add(phase["test"])
        worker["files"][phase["test"].split("::", 1)[0]] += stop - start
    end = max(worker["last"] for worker in workers.values())
    lines = [f"{path.name}: {sum(len(w['tests']) for w in workers.values())} tests, "
             f"first test to last: {_clock(end)}"]
    for name, worker in sorted(workers.items(), key=lambda item: item[1]["last"]):
        pole = "  <- long pole" if worker["last"] == end and len(workers) > 1 else ""
        lines.append(f"  {name}: {len(worker['tests'])} tests, {_clock(worker['first'])} -> "
                     f"{_clock(worker['last'])}, busy {_clock(worker['busy'])}{pole}")
        for file, seconds in sorted(worker["files"].items(), key=lambda item: -item[1])[:top]:
            lines.append(f"      {seconds:7.1f} s  {file}")
    return "\n".join(lines)


def _clock(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    print("\n\n".join(summarise(Path(name)) for name in sys.argv[1:]))
