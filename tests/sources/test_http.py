"""The polite client's building blocks: Retry-After parsing, the shared pacer, the body cap."""

import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

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


class _Unsized(threading.Thread):
    """A server on loopback that answers every request with `size` bytes and no Content-Length."""

    def __init__(self, size: int, declare: bool):
        import socket

        super().__init__(daemon=True)
        self.size, self.declare, self.requests = size, declare, 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/big"

    def run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                self.requests += 1
                length = f"Content-Length: {self.size}\r\n" if self.declare else ""
                try:
                    conn.sendall(f"HTTP/1.0 200 OK\r\nContent-Type: application/pdf\r\n{length}\r\n".encode() + b"x" * self.size)
                except OSError:
                    pass


@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "streamed"])
def test_a_body_over_the_cap_is_refused_once_and_not_retried(declare):
    from paperfeed.sources.http import BodyTooLarge, PoliteClient

    server = _Unsized(200_000, declare)
    server.start()
    try:
        with PoliteClient(interval=0, retries=3, backoff=0, max_body_bytes=10_000) as client:
            with pytest.raises(BodyTooLarge, match="10,000"):
                client.get(server.url)
        assert server.requests == 1
    finally:
        server.sock.close()
