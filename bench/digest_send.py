"""Digest sending at scale: N subscribers, composed and handed to a real SMTP server on loopback.

Loads the bundled sample into a fresh SQLite data directory, subscribes N confirmed addresses,
starts an aiosmtpd server on 127.0.0.1 that accepts and counts every message, then times the
real `paperfeed digest send --period daily --date 2024-10-25` (start-up included) and prints
messages per second; before that, the same command with --dry-run times composing alone. A
second real run shows the cost of a re-run (everyone already done).

    .venv/bin/python bench/digest_send.py --subscribers 10000
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from aiosmtpd.controller import Controller

sys.path.insert(0, str(Path(__file__).resolve().parent))
from machine import describe  # noqa: E402

SETUP = """
from paperfeed.sample import load_sample
from paperfeed.digests.models import Subscription
from django.utils import timezone
load_sample()
now = timezone.now()
Subscription.objects.bulk_create(
    [Subscription(email=f"reader{{n}}@example.org", status="active", confirmed_at=now) for n in range({count})],
    batch_size=1000,
)
"""


class Counter:
    def __init__(self) -> None:
        self.messages = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope):
        self.messages += 1
        self.bytes += len(envelope.original_content or b"")
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()
    print(describe())
    counter = Counter()
    port = free_port()
    controller = Controller(counter, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "PAPERFEED_DATA_DIR": tmp, "PAPERFEED_EMAIL_URL": f"smtp://127.0.0.1:{port}"}
            env.pop("DJANGO_SETTINGS_MODULE", None)
            cli = [sys.executable, "-m", "paperfeed"]
            subprocess.run([*cli, "init"], env=env, check=True, capture_output=True)
            subprocess.run(
                [*cli, "shell", "-c", SETUP.format(count=args.subscribers)], env=env, check=True, capture_output=True
            )
            send = [*cli, "digest", "send", "--period", "daily", "--date", "2024-10-25"]
            # Composing alone: every message built and written as .eml, nothing sent or recorded.
            started = time.perf_counter()
            subprocess.run([*send, "--dry-run", "--out", f"{tmp}/eml"], env=env, check=True, capture_output=True)
            elapsed = time.perf_counter() - started
            print(f"compose only (--dry-run): {elapsed:.1f} s for {args.subscribers:,} subscribers "
                  f"({args.subscribers / elapsed:,.0f} digests/s)")
            for label in ("first run", "re-run"):
                before = counter.messages
                started = time.perf_counter()
                out = subprocess.run(send, env=env, capture_output=True, text=True)
                elapsed = time.perf_counter() - started
                sent = counter.messages - before
                print(
                    f"{label}: {elapsed:.1f} s for {args.subscribers:,} subscribers, {sent:,} messages "
                    f"({sent / elapsed:,.0f} messages/s), exit {out.returncode}: {out.stdout.strip()}"
                )
            print(f"average message size: {counter.bytes / max(1, counter.messages) / 1024:.1f} KiB")
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
