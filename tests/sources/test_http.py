"""The polite client's building blocks: Retry-After parsing and the shared pacer."""

import threading
import time
from email.utils import format_datetime
from datetime import UTC, datetime, timedelta

from paperfeed.sources.http import Pacer, retry_after_seconds


def test_retry_after_as_seconds_or_http_date():
    assert retry_after_seconds("120") == 120.0
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= retry_after_seconds(in_a_minute) <= 60
    past = format_datetime(datetime.now(UTC) - timedelta(hours=1), usegmt=True)
    assert retry_after_seconds(past) == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_pacer_spaces_turns_across_threads_sharing_a_file(tmp_path):
    # Two Pacer objects on one file stand for two processes: the lock is on the file.
    # The start of a turn is the pacer's own last reading of its clock before it lets the
    # request go: what the interval is promised between, however busy the machine is.
    starts: list[float] = []
    lock = threading.Lock()
    last_reading = threading.local()

    def clock() -> float:
        last_reading.value = time.time()
        return last_reading.value

    def take_turns(pacer):
        for _ in range(3):
            with pacer.turn():
                with lock:
                    starts.append(last_reading.value)

    pacers = [Pacer(tmp_path / "pacing", 0.2, clock=clock) for _ in range(2)]
    threads = [threading.Thread(target=take_turns, args=(p,)) for p in pacers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    starts.sort()
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert len(starts) == 6
    assert min(gaps) >= 0.2 - 0.001, gaps  # 1 ms: the state file rounds to microseconds
