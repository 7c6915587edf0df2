"""Two `paperfeed digest send` processes at once share the period's digests: each subscriber
gets exactly one, and both senders deliver some.

On the PostgreSQL run both processes use PostgreSQL, where rows are claimed with SELECT …
FOR UPDATE SKIP LOCKED; on SQLite the senders take turns on the database lock. The SMTP
server holds the first message until the other sender has started delivering, so the two
runs really overlap whatever their start-up times.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import time

import pytest

from tests.digests.sites import subscribed_site
from tests.helpers import PAPERFEED, cli_env
from tests.smtp_server import SmtpServer

SUBSCRIBERS = [f"reader{n}@example.org" for n in range(1, 41)]
SEND = ["digest", "send", "--period", "daily", "--date", "2024-10-25"]


@pytest.mark.both_databases
def test_two_senders_at_once_deliver_each_digest_exactly_once(tmp_path):
    subscribed_site(tmp_path, SUBSCRIBERS)

    with SmtpServer() as server:
        handler = server.handler

        async def pace(_item, number):
            if number == 1:  # hold the first sender's message until the other one delivers too
                deadline = time.monotonic() + 60
                while len(handler.received) < 2 and time.monotonic() < deadline:
                    await asyncio.sleep(0.05)
            await asyncio.sleep(0.02)  # a server that takes a moment, so the two keep interleaving

        handler.on_data = pace
        env = cli_env(tmp_path, PAPERFEED_EMAIL_URL=server.url)
        senders = [
            subprocess.Popen([*PAPERFEED, *SEND], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [sender.communicate(timeout=240) for sender in senders]

    for sender, (out, err) in zip(senders, outputs):
        assert sender.returncode == 0, err
    sent = [int(re.search(r"(\d+) sent", out)[1]) for out, _ in outputs]
    assert sum(sent) == len(SUBSCRIBERS)
    assert all(count > 0 for count in sent), sent  # both took part
    per_subscriber = {address: len(handler.to(address)) for address in SUBSCRIBERS}
    assert per_subscriber == {address: 1 for address in SUBSCRIBERS}
    assert len({r.message["Message-ID"] for r in handler.received}) == len(SUBSCRIBERS)
