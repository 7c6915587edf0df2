"""`paperfeed digest send` killed with SIGKILL at exact points, then re-run: every subscriber
gets their digest. The SMTP server on loopback does the killing, so the points are exact:
while it checks a recipient (nothing accepted yet), and after it has accepted a message but
before the sender hears so (the window SMTP cannot close: by default the re-run sends that
one again with the same Message-ID; with PAPERFEED_DIGEST_UNCERTAIN=hold it is held)."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from tests.digests.sites import subscribed_site
from tests.helpers import PAPERFEED, cli_env, run_cli
from tests.smtp_server import SmtpServer

SUBSCRIBERS = [f"reader{n}@example.org" for n in range(1, 9)]
SEND = ["digest", "send", "--period", "daily", "--date", "2024-10-25"]


@pytest.fixture
def data_dir(tmp_path):
    return subscribed_site(tmp_path, SUBSCRIBERS)


def _send_and_kill(data_dir, server: SmtpServer, **hooks) -> int:
    process = subprocess.Popen(
        [*PAPERFEED, *SEND],
        env=cli_env(data_dir, PAPERFEED_EMAIL_URL=server.url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def kill(*_):
        os.kill(process.pid, signal.SIGKILL)

    for name, when in hooks.items():
        setattr(server.handler, name, lambda _item, number, when=when: kill() if number == when else None)
    returncode = process.wait(timeout=120)  # reaped: a zombie would still look alive
    server.handler.on_rcpt = server.handler.on_data = None
    return returncode


def _messages_per_subscriber(server: SmtpServer) -> dict[str, int]:
    return {address: len(server.handler.to(address)) for address in SUBSCRIBERS}


@pytest.mark.both_databases
def test_killed_before_the_server_has_the_message_rerun_sends_it(data_dir):
    with SmtpServer() as server:
        assert _send_and_kill(data_dir, server, on_rcpt=3) == -signal.SIGKILL
        assert len(server.handler.received) == 2

        rerun = run_cli(data_dir, *SEND, PAPERFEED_EMAIL_URL=server.url)

        assert rerun.returncode == 0, rerun.stderr
        assert "re-queued after a crashed run" in rerun.stdout
        assert _messages_per_subscriber(server) == {address: 1 for address in SUBSCRIBERS}


@pytest.mark.both_databases
def test_killed_after_the_server_accepted_rerun_sends_it_again_with_the_same_message_id(data_dir):
    with SmtpServer() as server:
        assert _send_and_kill(data_dir, server, on_data=4) == -signal.SIGKILL
        assert len(server.handler.received) == 4
        [first_copy] = server.handler.to(SUBSCRIBERS[3])

        rerun = run_cli(data_dir, *SEND, PAPERFEED_EMAIL_URL=server.url)

        assert rerun.returncode == 0, rerun.stderr
        assert "1 re-sent after their sender died" in rerun.stdout
        # At least once at SMTP: the uncertain one twice, under one Message-ID (once in the mailbox).
        assert _messages_per_subscriber(server) == {
            address: 2 if address == SUBSCRIBERS[3] else 1 for address in SUBSCRIBERS
        }
        copies = [r.message["Message-ID"] for r in server.handler.to(SUBSCRIBERS[3])]
        assert copies == [first_copy.message["Message-ID"]] * 2
        assert len({r.message["Message-ID"] for r in server.handler.received}) == len(SUBSCRIBERS)


@pytest.mark.both_databases
def test_killed_after_the_server_accepted_rerun_with_hold_holds_it_and_sends_no_duplicate(data_dir):
    with SmtpServer() as server:
        assert _send_and_kill(data_dir, server, on_data=4) == -signal.SIGKILL
        assert len(server.handler.received) == 4

        rerun = run_cli(data_dir, *SEND, PAPERFEED_EMAIL_URL=server.url, PAPERFEED_DIGEST_UNCERTAIN="hold")

        assert rerun.returncode == 1  # cron mails the operator
        assert "held: delivery" in rerun.stderr and SUBSCRIBERS[3] in rerun.stderr
        assert "PAPERFEED_DIGEST_UNCERTAIN=hold" in rerun.stderr
        assert _messages_per_subscriber(server) == {address: 1 for address in SUBSCRIBERS}
        ids = [r.message["Message-ID"] for r in server.handler.received]
        assert len(set(ids)) == len(SUBSCRIBERS)

        held_id = rerun.stderr.split("held: delivery ")[1].split()[0]
        assert run_cli(data_dir, "digest", "resolve", held_id, "--sent").returncode == 0
        final = run_cli(data_dir, *SEND, PAPERFEED_EMAIL_URL=server.url, PAPERFEED_DIGEST_UNCERTAIN="hold")
        assert final.returncode == 0, final.stderr
        assert _messages_per_subscriber(server) == {address: 1 for address in SUBSCRIBERS}


def test_subscribe_command_and_help(data_dir, tmp_path):
    assert run_cli(data_dir, "subscribe", "not-an-address").returncode == 2
    out = run_cli(data_dir, "subscribe", "Import@Example.org", "--weekly", "--confirmed")
    assert out.returncode == 0 and "subscribed (weekly)" in out.stdout
    assert "already subscribed" in run_cli(data_dir, "subscribe", "import@example.org", "--weekly").stdout
    assert run_cli(data_dir, "digest", "send", "--period", "daily", "--date", "26/11").returncode == 2
    assert run_cli(data_dir, "digest", "send", "--period", "daily", "--dry-run").returncode == 2
