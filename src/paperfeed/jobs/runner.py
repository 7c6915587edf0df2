"""Running jobs: one run (`run_job`), the scheduler loop (`Scheduler`), and the process that
`serve` starts for it (`start_scheduler_process`).

Exactly once per slot, across every process and machine sharing the database:
- one process at a time *leads* (the "scheduler" lease): only it looks for due slots, so
  all jobs run on one machine at a time (arXiv's request pacing is per data directory);
- a run holds its job's lease ("job:NAME") from start to end, renewed while it runs, so a
  job never runs twice at once (a leader that was paused past its lease, `jobs run NAME`);
- a slot's run is one row, unique per (job, slot): a slot with a finished row is done. A row
  still "running" whose job lease expired belongs to a runner that died: the next leader
  runs that slot again, in the same row (attempts + 1).
A slot missed while no scheduler ran (every server down at 02:00) runs once when one comes
back — only the latest such slot, never a backlog; slots before a job was first scheduled
never run, so a new install does not run last night's jobs at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.utils import timezone

from paperfeed.jobs import catalog, lease
from paperfeed.jobs.models import Job, JobRun
from paperfeed.jobs.schedule import Schedule, load_schedules

SCHEDULER_LEASE = "scheduler"


def job_lease(name: str) -> str:
    return f"job:{name}"


def say(text: str) -> None:
    """One line on standard error (the server's log, journald): what the schedule did."""
    print(f"paperfeed jobs: {text}", file=sys.stderr, flush=True)


def _execute(name: str, run: JobRun, log: bool = True) -> JobRun:
    started = time.monotonic()
    try:
        outcome = catalog.JOBS[name]()
    except Exception as exc:  # a bug or a database error: the run fails, the schedule goes on
        outcome = catalog.Outcome(False, catalog.one_line(f"{type(exc).__name__}: {exc}"))
    run.finished_at = timezone.now()
    run.result = JobRun.Result.OK if outcome.ok else JobRun.Result.FAILED
    run.message = outcome.message
    run.save(update_fields=["finished_at", "result", "message"])
    if log:
        say(f"{name} {run.result} in {time.monotonic() - started:.1f} s: {run.message}")
    return run


def run_job(
    name: str, holder: str, *, slot: datetime | None = None, trigger: str = "command", log: bool = True
) -> JobRun | None:
    """Run `name` now under its job lease; None when this slot needs nothing (done, or being
    run elsewhere). Raises lease.Busy when the job is running elsewhere."""
    with lease.Held(job_lease(name), holder, settings.PAPERFEED_JOBS_LEASE):
        now = timezone.now()
        if slot is None:
            run = JobRun.objects.create(job=name, trigger=trigger, runner=holder, started_at=now)
        else:
            run = _claim_slot(name, slot, holder, now)
            if run is None:
                return None
        return _execute(name, run, log)


def _claim_slot(name: str, slot: datetime, holder: str, now: datetime) -> JobRun | None:
    """The slot's row, made ours; None when the slot was already run. Called holding the job
    lease, so a row still "running" here is one whose runner died (its lease expired)."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(job=name, slot=slot, trigger="schedule", runner=holder, started_at=now)
    except IntegrityError:
        pass
    previous = JobRun.objects.filter(job=name, slot=slot).first()
    if previous is None or previous.result != JobRun.Result.RUNNING:
        return None
    taken = JobRun.objects.filter(pk=previous.pk, runner=previous.runner, result=JobRun.Result.RUNNING).update(
        runner=holder,
        started_at=now,
        attempts=previous.attempts + 1,
        message=catalog.one_line(f"run again: its runner {previous.runner} stopped (lease expired)"),
    )
    if not taken:
        return None
    say(f"{name} slot {slot:%Y-%m-%d %H:%M:%S} run again: its runner {previous.runner} stopped")
    return JobRun.objects.get(pk=previous.pk)


def register_jobs(names, using: str = "default", now: datetime | None = None) -> None:
    """A row per job, with the time it was first known (its first slot is after it)."""
    now = now or timezone.now()
    known = set(Job.objects.using(using).values_list("name", flat=True))
    for name in names:
        if name not in known:
            try:
                with transaction.atomic(using=using):
                    Job.objects.using(using).create(name=name, since=now)
            except IntegrityError:
                pass  # another process registered it first


class Scheduler:
    """The loop of one process: lead if nobody else does, then start each due job in a thread."""

    def __init__(self, schedules: dict[str, Schedule] | None = None, holder: str | None = None):
        self.schedules = schedules if schedules is not None else load_schedules()
        self.holder = holder or lease.new_holder()
        self.threads: dict[str, threading.Thread] = {}
        self.stopping = threading.Event()
        self.leading = False

    def tick(self, now: datetime | None = None) -> list[str]:
        """One look at the clock; the names of the jobs started."""
        now = now or timezone.now()
        # Standing by is a read: only the leader, or a taker of an expired lease, writes.
        other = lease.live_holder(SCHEDULER_LEASE, now)
        leading = (not other or other == self.holder) and lease.claim(
            SCHEDULER_LEASE, self.holder, settings.PAPERFEED_JOBS_LEASE, now
        )
        if leading != self.leading:
            say(f"scheduler {self.holder} {'leads' if leading else 'stands by'}")
            self.leading = leading
        if not leading:
            return []
        jobs = {job.name: job for job in Job.objects.all()}
        started = []
        for name, schedule in self.schedules.items():
            if name in self.threads and self.threads[name].is_alive():
                continue
            job = jobs.get(name)
            if job is None:
                continue
            if schedule.cron:
                slot = schedule.latest_slot(now)
                if slot is None or slot < job.since or self._slot_done(name, slot, now):
                    continue
                self._start(name, lambda name=name, slot=slot: run_job(name, self.holder, slot=slot))
                started.append(name)
            elif schedule.after_ingest and job.requested_at is not None:
                self._start(name, lambda name=name, asked=job.requested_at: self._run_requested(name, asked))
                started.append(name)
        return started

    def _slot_done(self, name: str, slot: datetime, now: datetime) -> bool:
        run = JobRun.objects.filter(job=name, slot=slot).only("result").first()
        if run is None:
            return False
        if run.result != JobRun.Result.RUNNING:
            return True
        return bool(lease.live_holder(job_lease(name), now))  # running elsewhere, alive

    def _run_requested(self, name: str, asked: datetime) -> None:
        with lease.Held(job_lease(name), self.holder, settings.PAPERFEED_JOBS_LEASE):
            if not Job.objects.filter(name=name, requested_at=asked).update(requested_at=None):
                return  # another runner took the request
            run = JobRun.objects.create(job=name, trigger="after an ingest", runner=self.holder, started_at=timezone.now())
            _execute(name, run)

    def _start(self, name: str, target) -> None:
        def body():
            try:
                target()
            except lease.Busy:
                pass  # `jobs run NAME` is running it: the slot is tried again at the next tick
            except Exception as exc:  # the database went away: logged, tried again next tick
                say(f"{name} could not run: {type(exc).__name__}: {catalog.one_line(str(exc), 200)}")
            finally:
                connections.close_all()  # this thread's connection

        thread = threading.Thread(target=body, name=f"job {name}", daemon=True)
        self.threads[name] = thread
        thread.start()

    def run_forever(self, parent: int | None = None) -> None:
        say(f"scheduler {self.holder} started: " + ", ".join(f"{n} {s.describe()}" for n, s in self.schedules.items()))
        registered = False
        while not self.stopping.is_set():
            if parent is not None and os.getppid() != parent:
                break  # the server is gone
            try:
                if not registered:  # in the loop: a database busy at start is tried again
                    register_jobs(self.schedules)
                    registered = True
                self.tick()
            except DatabaseError as exc:
                say(f"tick failed, trying again: {catalog.one_line(str(exc), 200)}")
                connections.close_all()
            self.stopping.wait(settings.PAPERFEED_JOBS_TICK)
        self.stop()

    def stop(self) -> None:
        """Let others take over at once: give up the leader lease and the leases of the jobs
        still running (their rows stay "running", so the next leader runs those slots again)."""
        try:
            for name, thread in self.threads.items():
                if thread.is_alive():
                    say(f"{name} interrupted: the server stops; its slot runs again")
                    lease.release(job_lease(name), self.holder)
            lease.release(SCHEDULER_LEASE, self.holder)
        except DatabaseError:
            pass  # the leases expire by themselves


def _die_with_parent() -> None:
    """Linux: the kernel sends SIGTERM when the server's master process dies, even by kill -9.
    Elsewhere the loop notices at its next tick (its parent process changes)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def start_scheduler_process():
    """Called by `serve`/`demo` before gunicorn starts: fork the scheduler, return its stop.

    A child process of the server, not a thread of its master (a fork of gunicorn's workers
    would copy a running thread's locks and database connection) nor of a worker (workers
    are restarted, number N, and a job's CPU would slow the requests of that worker). It
    stops with the server, and dies with it (see `_die_with_parent`).
    """
    if not settings.PAPERFEED_JOBS:
        say("off (PAPERFEED_JOBS=off): run them from cron, or `paperfeed jobs run NAME`")
        return None
    scheduler = Scheduler()  # reads and checks the schedules: a bad one stops the start, exit 2
    connections.close_all()  # never share the server's connection with the child
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the scheduler
        code = 0
        try:
            scheduler.holder = lease.new_holder()  # this process's id, not the server's
            _die_with_parent()
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: scheduler.stopping.set())
            scheduler.run_forever(parent=parent)
        except BaseException as exc:  # noqa: BLE001 — the child must never return into gunicorn
            say(f"scheduler stopped: {type(exc).__name__}: {exc}")
            code = 1
        finally:
            os._exit(code)

    def stop() -> None:
        # gunicorn's master reaps every child that exits (os.waitpid(-1)), this one included:
        # a pid already gone is a scheduler already stopped.
        try:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    return
                time.sleep(0.05)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            return

    return stop
