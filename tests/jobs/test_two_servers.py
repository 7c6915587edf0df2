"""Two `paperfeed serve` on one data directory run a frequent job once per slot, and when the
scheduler holding the lease is killed (kill -9) the other takes over within the lease time.

The job is TRENDING on an empty database (milliseconds), every 2 seconds (a sixth cron field,
seconds), with the documented short tick and lease: the test measures the scheduler, not
the job, in about 20 seconds.
"""

import os
import re
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.helpers import PAPERFEED, child_query, cli_env, free_port, stop, wait_until_serving

LEASE = 3.0
TICK = 0.3
EVERY = 2  # seconds between slots

pytestmark = pytest.mark.both_databases


def start_server(data_dir: Path, name: str, env: dict) -> tuple[subprocess.Popen, Path, int]:
    port = free_port()
    log_path = data_dir.parent / f"{name}.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [*PAPERFEED, "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    return process, log_path, port


def runs(data_dir: Path) -> list[tuple[datetime, str, str, int]]:
    rows = child_query(
        data_dir, "SELECT slot, runner, result, attempts FROM jobs_jobrun WHERE job = 'TRENDING' ORDER BY slot"
    )
    return [(_utc(slot), runner, result, attempts) for slot, runner, result, attempts in rows]


def _utc(value) -> datetime:
    if isinstance(value, str):  # SQLite
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def scheduler_pid(data_dir: Path) -> int:
    """The process holding the scheduler lease (host:pid:token)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        rows = child_query(data_dir, "SELECT holder FROM jobs_lease WHERE name = 'scheduler'")
        if rows and rows[0][0]:
            return int(rows[0][0].split(":")[1])
        time.sleep(0.2)
    raise AssertionError("no scheduler took the lease")


def assert_each_slot_once(rows, since: datetime, until: datetime) -> None:
    slots = [slot for slot, *_ in rows if since <= slot <= until]
    assert len(slots) == len(set(slots))
    # every slot of the schedule in the window is there: none skipped
    gaps = [(a, b) for a, b in zip(slots, slots[1:]) if (b - a).total_seconds() != EVERY]
    assert not gaps, f"slots missing between {gaps}"


def executions(log_path: Path) -> int:
    return len(re.findall(r"^paperfeed jobs: TRENDING ok", log_path.read_text(), re.MULTILINE))


def test_two_servers_run_each_slot_once_and_survive_the_runners_death(tmp_path):
    data_dir = tmp_path / "data"
    env = cli_env(
        data_dir,
        PAPERFEED_JOBS="on",
        PAPERFEED_JOB_TRENDING=f"* * * * * */{EVERY}",
        PAPERFEED_JOBS_TICK=str(TICK),
        PAPERFEED_JOBS_LEASE=str(LEASE),
        **{f"PAPERFEED_JOB_{name}": "off" for name in ("INGEST_RSS", "INGEST_HF", "RECOMMEND", "DIGESTS")},
    )
    # No `init`: both servers make the database at once (one migrates, the other waits).
    first, first_log, first_port = start_server(data_dir, "first", env)
    second, second_log, second_port = start_server(data_dir, "second", env)
    try:
        for process, log, port in ((first, first_log, first_port), (second, second_log, second_port)):
            wait_until_serving(f"http://127.0.0.1:{port}/healthz", process, log, timeout=120)
        both_up = datetime.now(UTC)
        time.sleep(8)
        before = runs(data_dir)
        assert len([row for row in before if row[0] >= both_up]) >= 3
        finished = [row for row in before if row[2] != "running"]
        assert len(finished) >= len(before) - 1  # the last slot's run may be going on right now
        assert [row for row in finished if row[2] != "ok" or row[3] != 1] == [], before
        assert_each_slot_once(before, before[0][0], before[-1][0])
        # Each row is one execution: the two servers' logs together tell as many runs.
        assert len(finished) <= executions(first_log) + executions(second_log) <= len(before)

        # One scheduler leads and runs every slot; the other stands by.
        assert len({runner for _, runner, _, _ in before}) == 1
        assert ["leads" in log.read_text() for log in (first_log, second_log)].count(True) == 1

        # kill -9 the scheduler holding the lease: no chance to hand it over.
        leader = scheduler_pid(data_dir)
        survivor_log = first_log if leader in _children(second.pid) else second_log
        os.kill(leader, signal.SIGKILL)
        killed_at = datetime.now(UTC)
        time.sleep(LEASE + 4)
        after = runs(data_dir)
        taken = [row for row in after if row[0] > killed_at]
        assert taken, "nobody took over"
        new_leader = taken[0][1]
        assert int(new_leader.split(":")[1]) != leader and all(row[1] == new_leader for row in taken)
        # within the lease time (plus one tick and one slot)
        assert (taken[0][0] - killed_at).total_seconds() <= LEASE + TICK + EVERY + 0.5
        assert "leads" in survivor_log.read_text()
        assert len({slot for slot, *_ in after}) == len(after)
        assert [row for row in after[:-1] if row[2] != "ok"] == []  # the last may be running now
    finally:
        stop(first)
        stop(second)
    # The schedulers stopped with their servers.
    for process in (first, second):
        assert not _children(process.pid)


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found
