"""Leases: one holder at a time, taken over once expired; and a dead runner's slot run again."""

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import OperationalError, connections
from django.utils import timezone

from paperfeed.jobs import lease, runner
from paperfeed.jobs.models import Job, JobRun, Lease

pytestmark = pytest.mark.django_db(transaction=True)


def test_of_claimers_at_once_one_wins():
    start = threading.Barrier(6)
    won: list[str] = []

    def claimer(who: str) -> None:
        try:
            start.wait()
            for _ in range(200):
                try:
                    if lease.claim("scheduler", who, 60):
                        won.append(who)
                    return
                except OperationalError as error:
                    # The test database is SQLite in memory with a shared cache: a writer
                    # meeting another gets "table is locked" at once instead of waiting as
                    # on a database file (busy timeout). Waiting here is what a file does.
                    if "locked" not in str(error):
                        raise
                    time.sleep(0.005)
            raise AssertionError(f"{who} never got to claim")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claimer, args=(f"host:{n}:t",)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1
    assert Lease.objects.get(name="scheduler").holder == won[0]


def test_a_held_lease_is_renewed_by_its_holder_and_taken_over_once_expired():
    now = timezone.now()
    assert lease.claim("job:TRENDING", "a:1:x", 60, now)
    assert not lease.claim("job:TRENDING", "b:2:y", 60, now + timedelta(seconds=59))
    assert lease.claim("job:TRENDING", "a:1:x", 60, now + timedelta(seconds=59))  # renewed
    assert not lease.claim("job:TRENDING", "b:2:y", 60, now + timedelta(seconds=100))
    assert lease.claim("job:TRENDING", "b:2:y", 60, now + timedelta(seconds=120))  # a's expired
    assert lease.live_holder("job:TRENDING", now + timedelta(seconds=121)) == "b:2:y"
    lease.release("job:TRENDING", "a:1:x")  # not a's any more: nothing changes
    assert lease.live_holder("job:TRENDING", now + timedelta(seconds=121)) == "b:2:y"
    lease.release("job:TRENDING", "b:2:y")
    assert lease.live_holder("job:TRENDING") == ""


def _live_holder(name: str) -> str:
    for _ in range(200):
        try:
            return lease.live_holder(name)
        except OperationalError as error:  # the renewing thread is writing (see above)
            if "locked" not in str(error):
                raise
            time.sleep(0.005)
    raise AssertionError("the lease row stayed locked")


def test_a_held_lease_is_renewed_while_its_block_runs():
    # A job that runs longer than the lease keeps it: without the renewals another leader
    # would take the job over and run it a second time.
    with lease.Held("job:INDEX", "a:1:x", 0.3):
        time.sleep(0.8)  # past two lease lengths
        assert _live_holder("job:INDEX") == "a:1:x"
    assert _live_holder("job:INDEX") == ""


def test_a_job_already_running_elsewhere_is_not_run_again(settings):
    assert lease.claim("job:TRENDING", "other:9:z", 60)
    with pytest.raises(lease.Busy, match="other:9:z"):
        runner.run_job("TRENDING", "me:1:a")
    assert not JobRun.objects.exists()


def _only_trending(settings, expression="5 * * * *"):
    settings.PAPERFEED_JOB_SCHEDULES = {name: "off" for name in settings.PAPERFEED_JOB_SCHEDULES} | {
        "TRENDING": expression
    }
    Job.objects.update_or_create(name="TRENDING", defaults={"since": datetime(2026, 1, 1, tzinfo=UTC)})


def _wait(scheduler):
    for thread in scheduler.threads.values():
        thread.join(30)


def test_each_slot_runs_once_whichever_scheduler_ticks(settings):
    _only_trending(settings)
    first, second = runner.Scheduler(holder="a:1:x"), runner.Scheduler(holder="b:2:y")
    now = datetime(2026, 12, 6, 3, 10, tzinfo=UTC)
    assert first.tick(now) == ["TRENDING"]
    _wait(first)
    assert second.tick(now) == []  # the first leads
    assert first.tick(now + timedelta(seconds=30)) == []  # the 03:05 slot is done
    run = JobRun.objects.get()
    assert (run.slot, run.result, run.trigger, run.attempts) == (now.replace(minute=5), "ok", "schedule", 1)
    assert run.message.startswith("trending: scored 0 papers")
    # The leader stops (its lease expires); the other takes over and runs the next slot only.
    later = now + timedelta(hours=1)
    assert second.tick(later) == ["TRENDING"]
    _wait(second)
    assert [(r.slot.hour, r.runner) for r in JobRun.objects.order_by("slot")] == [(3, "a:1:x"), (4, "b:2:y")]


def test_only_the_latest_missed_slot_runs_and_none_before_the_job_was_scheduled(settings):
    _only_trending(settings)
    scheduler = runner.Scheduler(holder="a:1:x")
    Job.objects.filter(name="TRENDING").update(since=datetime(2026, 12, 6, 3, 6, tzinfo=UTC))
    assert scheduler.tick(datetime(2026, 12, 6, 3, 59, tzinfo=UTC)) == []  # 03:05 was before
    assert scheduler.tick(datetime(2026, 12, 6, 9, 30, tzinfo=UTC)) == ["TRENDING"]  # down 04:05–09:05
    _wait(scheduler)
    assert [r.slot.hour for r in JobRun.objects.all()] == [9]


def test_a_slot_whose_runner_died_is_run_again_by_the_next_leader(settings):
    _only_trending(settings)
    slot = datetime(2026, 12, 6, 3, 5, tzinfo=UTC)
    now = slot + timedelta(minutes=10)
    # A runner took the 03:05 slot, then died (kill -9): its row says running, its lease expired.
    JobRun.objects.create(job="TRENDING", slot=slot, trigger="schedule", runner="dead:7:q", started_at=slot)
    Lease.objects.create(name="job:TRENDING", holder="dead:7:q", expires_at=now - timedelta(seconds=1))
    Lease.objects.create(name="scheduler", holder="dead:7:q", expires_at=now - timedelta(seconds=1))
    taker = runner.Scheduler(holder="b:2:y")
    assert taker.tick(now) == ["TRENDING"]
    _wait(taker)
    run = JobRun.objects.get()
    assert (run.result, run.runner, run.attempts) == ("ok", "b:2:y", 2)


def test_a_slot_still_running_under_a_live_lease_is_left_alone(settings):
    _only_trending(settings)
    slot = datetime(2026, 12, 6, 3, 5, tzinfo=UTC)
    JobRun.objects.create(job="TRENDING", slot=slot, trigger="schedule", runner="alive:7:q", started_at=timezone.now())
    assert lease.claim("job:TRENDING", "alive:7:q", 60)
    assert runner.Scheduler(holder="b:2:y").tick(slot + timedelta(minutes=1)) == []
    assert JobRun.objects.get().runner == "alive:7:q"


def test_an_ingest_that_added_papers_asks_for_index_which_the_leader_runs(settings):
    _only_trending(settings, "off")
    settings.PAPERFEED_JOB_SCHEDULES["INDEX"] = "after-ingest"
    Job.objects.update_or_create(name="INDEX", defaults={"since": timezone.now(), "requested_at": timezone.now()})
    settings.PAPERFEED_VECTOR_STORE = "file"
    scheduler = runner.Scheduler(holder="a:1:x")
    assert scheduler.tick() == ["INDEX"]
    _wait(scheduler)
    run = JobRun.objects.get(job="INDEX")
    assert run.trigger == "after an ingest" and run.slot is None
    assert Job.objects.get(name="INDEX").requested_at is None
    assert scheduler.tick() == []  # asked once, run once
