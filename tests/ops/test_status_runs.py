"""`paperfeed status` on ingest runs whose process is gone: a run killed with SIGKILL never
finishes its IngestRun row, and must not be reported "running" for ever.

In-process on the test database; the dead process is a real child killed with SIGKILL (a
`sleep`, as what matters is that its pid is gone, not what it was doing). The full path,
a real `paperfeed ingest` killed mid-harvest, is in tests/sources/test_ingest_oai.py.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command

from paperfeed.sources import processes
from paperfeed.sources.models import IngestRun
from paperfeed.sources.pipeline import RunLog, Summary

pytestmark = pytest.mark.django_db


@pytest.fixture
def killed_pid() -> tuple[int, str]:
    """The pid and start token of a child process that was killed with SIGKILL (and reaped)."""
    child = subprocess.Popen(["sleep", "60"])
    token = processes.start_token(child.pid)
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    return child.pid, token


def run_of(pid: int, token: str = "", host: str | None = None) -> IngestRun:
    return IngestRun.objects.create(
        source="snapshot", arguments="big.jsonl.gz", pid=pid, process_started=token,
        host=processes.this_host() if host is None else host,
    )  # fmt: skip


def status() -> dict:
    out = StringIO()
    call_command("status", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_a_run_whose_process_was_killed_is_reported_interrupted(killed_pid):
    run_of(*killed_pid)
    report = status()
    assert report["last_ingest"]["status"] == "interrupted"
    assert report["last_ingest"]["finished_at"] is None
    out = StringIO()
    call_command("status", stdout=out)
    assert "big.jsonl.gz → interrupted: 0 new" in out.getvalue()


def test_a_run_whose_process_is_alive_is_running():
    me = os.getpid()
    assert run_of(me, processes.start_token(me)).state() == "running"
    assert status()["last_ingest"]["status"] == "running"


def test_a_reused_pid_does_not_bring_a_killed_run_back_to_life():
    me = os.getpid()
    assert run_of(me, "1").state() == "interrupted"  # this pid, but a process started at another time


def test_a_run_of_another_machine_cannot_be_checked_and_stays_running(killed_pid):
    assert run_of(killed_pid[0], killed_pid[1], host="another-host").state() == "running"


def test_the_next_run_writes_interrupted_down(killed_pid):
    killed = run_of(*killed_pid)
    finished = run_of(killed_pid[0])
    finished.status = IngestRun.Status.OK
    finished.save()
    log = RunLog("hf-daily", "--date 2026-11-25")
    killed.refresh_from_db()
    assert (killed.status, killed.message) == ("interrupted", "its process ended without finishing the run (killed?)")
    finished.refresh_from_db()
    assert finished.status == "ok"  # only runs left "running" are looked at
    me = os.getpid()
    process = (log.run.pid, log.run.host, log.run.process_started)
    assert process == (me, processes.this_host(), processes.start_token(me))
    assert log.run.state() == "running"
    assert log.finish(Summary()).state() == "ok"


def test_a_file_name_that_is_not_utf8_is_recorded_with_escapes():
    # `paperfeed ingest snapshot $'\xff.jsonl'`: Python hands the byte over as a lone surrogate.
    log = RunLog("snapshot", "snapshot \udcff.jsonl")
    run = log.finish(Summary(), failed="\udcff.jsonl cannot be read after line 3")
    run.refresh_from_db()
    assert (run.arguments, run.message) == ("snapshot \\udcff.jsonl", "\\udcff.jsonl cannot be read after line 3")
